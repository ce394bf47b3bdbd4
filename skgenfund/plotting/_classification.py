"""Plot a classifier's decision regions and posterior confidence in 2-D."""

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ._axes import get_axes, grid_2d, padded_bounds

# line styles of the confidence contours, level by level
CONFIDENCE_STYLES = ("dotted", "dashed", "solid")


def plot_decision_regions(
    classifier, X, y=None, ax=None, *, n_points=300, levels=(0.6, 0.8, 0.95)
):
    """Draw a fitted 2-D classifier's decision regions and confidence contours.

    Each region is shaded in its class's colour; black contours mark where
    the largest posterior probability ``max_k P(y=k|x)`` crosses ``levels``
    (dotted, dashed, solid for the first, second and third level; labels
    too close to another are dropped), which shows how confident the
    classifier is, not only what it decides.

    Parameters
    ----------
    classifier : fitted classifier with ``predict_proba`` and ``classes_``
        Fitted on two features.
    X : array-like of shape (n_samples, 2)
        Points to scatter (and the plot range).
    y : array-like of shape (n_samples,), default=None
        Their labels, for the colours; None draws the points in black.
    ax : matplotlib Axes, default=None
        Where to draw; None makes a new figure.
    n_points : int, default=300
        Grid points per axis.
    levels : sequence of float, default=(0.6, 0.8, 0.95)
        Confidence levels drawn as contours.

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from skgenfund import GenerativeClassifier
    >>> from skgenfund.plotting import plot_decision_regions
    >>> rng = np.random.RandomState(0)
    >>> X = np.vstack([rng.normal(-2, 1, (20, 2)), rng.normal(2, 1, (20, 2))])
    >>> y = np.repeat([0, 1], 20)
    >>> ax = plot_decision_regions(GenerativeClassifier().fit(X, y), X, y)
    >>> len(ax.collections) > 0
    True
    """
    from matplotlib.colors import ListedColormap, to_rgba

    check_is_fitted(classifier)
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(
            f"plot_decision_regions needs 2-D points (n_samples, 2); got shape "
            f"{X.shape}. Project the data first (e.g. with PCA)."
        )
    ax = get_axes(ax)
    classes = classifier.classes_
    colors = [f"C{k % 10}" for k in range(len(classes))]
    light = ListedColormap([to_rgba(c, alpha=0.25) for c in colors])
    xx, yy, grid = grid_2d(*padded_bounds(X, 0.1), n_points)
    proba = classifier.predict_proba(grid)
    regions = np.argmax(proba, axis=1).reshape(xx.shape)
    confidence = proba.max(axis=1).reshape(xx.shape)
    ax.contourf(xx, yy, regions, levels=np.arange(len(classes) + 1) - 0.5, cmap=light)
    lines = ax.contour(
        xx,
        yy,
        confidence,
        levels=list(levels),
        colors="k",
        linewidths=0.8,
        linestyles=[CONFIDENCE_STYLES[i % 3] for i in range(len(levels))],
    )
    _label_apart(ax.clabel(lines, fmt="%.2f", fontsize=7), xx, yy)
    if y is None:
        ax.scatter(X[:, 0], X[:, 1], s=12, c="k")
    else:
        y = np.asarray(y)
        for k, label in enumerate(classes):
            rows = y == label
            ax.scatter(
                X[rows, 0],
                X[rows, 1],
                s=16,
                color=colors[k],
                edgecolors="k",
                linewidths=0.3,
                label=str(label),
            )
        # outside the plot, on the right: a legend inside would cover points
        ax.legend(
            loc="upper left",
            bbox_to_anchor=(1.01, 1.0),
            fontsize=8,
            frameon=False,
            title="class",
        )
    return ax


def _label_apart(labels, xx, yy, min_distance=0.15):
    """Keep only contour labels at least ``min_distance`` apart (in axes fractions).

    ``clabel`` labels every piece of every contour; where the confidence lines
    crowd together (near a sharp boundary) the labels would overlap.
    """
    span = np.array([np.ptp(xx), np.ptp(yy)])
    origin = np.array([xx.min(), yy.min()])
    kept = []
    for label in labels:
        position = (np.asarray(label.get_position()) - origin) / span
        if all(np.hypot(*(position - other)) >= min_distance for other in kept):
            kept.append(position)
        else:
            label.remove()
