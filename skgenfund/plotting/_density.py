"""Plot a fitted density: a curve in 1-D, contours in 2-D."""

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ._axes import get_axes, grid_2d, padded_bounds


def _plot_range(estimator, X, n_features):
    """Bounds per feature: the data's range padded by 15 %, else from samples."""
    if X is None:
        if not hasattr(estimator, "sample"):
            raise ValueError(
                "Pass X: without data the plot range comes from "
                "estimator.sample, which this estimator does not have."
            )
        drawn = estimator.sample(2000, random_state=0)
        points = drawn[0] if isinstance(drawn, tuple) else drawn
    else:
        points = np.asarray(X, dtype=np.float64).reshape(-1, n_features)
    return padded_bounds(points, 0.15)


def plot_density(
    estimator, X=None, ax=None, *, n_points=200, label=None, show_data=True
):
    """Draw a fitted density estimator's density.

    In 1-D the density is a curve, over a histogram of ``X`` when given; in
    2-D it is filled contours, with ``X`` scattered on top.

    Parameters
    ----------
    estimator : fitted estimator with ``score_samples``
        A density on one or two features (``n_features_in_``).
    X : array-like of shape (n_samples, n_features), default=None
        Data to show with the density; it also sets the plot range. Without
        it the range comes from 2000 draws of ``estimator.sample``.
    ax : matplotlib Axes, default=None
        Where to draw; None makes a new figure.
    n_points : int, default=200
        Grid points per axis.
    label : str, default=None
        Legend label of the 1-D curve (default: the estimator's class name).
    show_data : bool, default=True
        Draw ``X`` (histogram in 1-D, points in 2-D); False uses ``X`` only
        for the plot range, e.g. to overlay a second density.

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from skgenfund import GaussianMLE
    >>> from skgenfund.plotting import plot_density
    >>> X = np.random.RandomState(0).normal(size=(100, 1))
    >>> ax = plot_density(GaussianMLE().fit(X), X)
    >>> len(ax.lines)
    1
    """
    check_is_fitted(estimator)
    n_features = getattr(estimator, "n_features_in_", None)
    if n_features not in (1, 2):
        raise ValueError(
            f"plot_density draws 1-D or 2-D densities; the estimator has "
            f"{n_features} features. Project the data first (e.g. with PCA)."
        )
    low, high = _plot_range(estimator, X, n_features)
    if n_features == 1:
        ax = get_axes(ax)
        grid = np.linspace(low[0], high[0], n_points)
        density = np.exp(estimator.score_samples(grid[:, np.newaxis]))
        if X is not None and show_data:
            ax.hist(
                np.ravel(X),
                bins="auto",
                density=True,
                alpha=0.35,
                color="tab:gray",
                label="data",
            )
        ax.plot(grid, density, lw=2, label=label or type(estimator).__name__)
        ax.set_xlabel("x")
        ax.set_ylabel("density")
        ax.set_xlim(low[0], high[0])
        ax.legend(loc="best", frameon=False)
        return ax

    ax = get_axes(ax)
    xx, yy, grid = grid_2d(low, high, n_points)
    density = np.exp(estimator.score_samples(grid)).reshape(xx.shape)
    ax.contourf(xx, yy, density, levels=12, cmap="viridis", alpha=0.85)
    ax.contour(xx, yy, density, levels=12, colors="k", linewidths=0.3, alpha=0.5)
    if X is not None and show_data:
        X = np.asarray(X)
        ax.scatter(X[:, 0], X[:, 1], s=8, c="white", edgecolors="k", linewidths=0.3)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_xlim(low[0], high[0])
    ax.set_ylim(low[1], high[1])
    return ax
