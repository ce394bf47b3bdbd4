"""Shared by the plotting helpers: the Axes to draw on, plot ranges and grids."""

import numpy as np


def get_axes(ax=None, **subplot_kw):
    """Return ``ax``, or a fresh Axes on a new figure when ``ax`` is None."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(subplot_kw=subplot_kw or None)
    return ax


def padded_bounds(points, fraction):
    """Per-feature (low, high) of ``points``, widened by ``fraction`` of the range.

    A feature with no spread is widened by ``fraction`` on each side instead.
    """
    points = np.asarray(points, dtype=np.float64)
    low, high = points.min(axis=0), points.max(axis=0)
    pad = fraction * np.where(high > low, high - low, 1.0)
    return low - pad, high + pad


def grid_2d(low, high, n_points):
    """A regular ``n_points`` x ``n_points`` grid over two features.

    Returns
    -------
    xx, yy : ndarray of shape (n_points, n_points)
        The mesh, for ``contour``.
    grid : ndarray of shape (n_points * n_points, 2)
        The same points as rows, for ``score_samples`` and ``predict_proba``.
    """
    xx, yy = np.meshgrid(
        np.linspace(low[0], high[0], n_points), np.linspace(low[1], high[1], n_points)
    )
    return xx, yy, np.column_stack([xx.ravel(), yy.ravel()])
