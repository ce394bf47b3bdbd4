"""Plot a fitted Gaussian mixture: its components as covariance ellipses."""

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ._axes import get_axes


def _full_covariances(gmm):
    """The components' covariances as (K, d, d), whatever the covariance type."""
    means = np.asarray(gmm.means_)
    n_components, n_features = means.shape
    covariances = np.asarray(gmm.covariances_, dtype=np.float64)
    covariance_type = getattr(gmm, "covariance_type", "full")
    if covariance_type == "full":
        return covariances.reshape(n_components, n_features, n_features)
    if covariance_type == "tied":
        return np.broadcast_to(covariances, (n_components, n_features, n_features))
    if covariance_type == "diag":
        variances = covariances.reshape(n_components, n_features)
    elif covariance_type == "spherical":
        variances = np.repeat(covariances.reshape(n_components, 1), n_features, axis=1)
    else:
        raise ValueError(
            "covariance_type must be 'full', 'tied', 'diag' or 'spherical'; got "
            f"{covariance_type!r}."
        )
    full = np.zeros((n_components, n_features, n_features))
    rows = np.arange(n_features)
    full[:, rows, rows] = variances
    return full


def plot_gmm(
    gmm,
    X=None,
    ax=None,
    *,
    features=(0, 1),
    n_std=(1.0, 2.0),
    show_means=True,
    annotate_weights=True,
    min_weight=1e-3,
    show_switched_off=True,
):
    """Draw a fitted Gaussian mixture's components as covariance ellipses.

    Each component k is drawn as the ellipses ``{x : (x - mu_k)^T S_k^{-1}
    (x - mu_k) = c^2}`` for each ``c`` in ``n_std``, shaded more strongly
    the larger its weight. Components lighter than ``min_weight``, the ones a
    Bayesian mixture switched off, are drawn faintly: one dashed, unfilled
    outline at the largest radius, without mean or label. With more than two
    features the plot shows the
    mixture's marginal on ``features`` (a Gaussian's marginal keeps the
    matching entries of its mean and covariance). ``X``, when given, is
    scattered underneath, coloured by the component ``gmm.predict`` gives it.

    Parameters
    ----------
    gmm : fitted Gaussian mixture
        Any model with ``means_`` and ``covariances_`` (and optionally
        ``covariance_type`` and ``weights_``): :class:`~skgenfund.EMGaussianMixture`,
        :class:`~skgenfund.VariationalGaussianMixture`,
        :class:`sklearn.mixture.GaussianMixture`,
        :class:`sklearn.mixture.BayesianGaussianMixture`; all four covariance
        types.
    X : array-like of shape (n_samples, n_features), default=None
        Data to show under the ellipses.
    ax : matplotlib Axes, default=None
        Where to draw; None makes a new figure.
    features : pair of int, default=(0, 1)
        The two features on the horizontal and vertical axes.
    n_std : sequence of float, default=(1.0, 2.0)
        Mahalanobis radii of the ellipses drawn per component.
    show_means : bool, default=True
        Mark each component's mean.
    annotate_weights : bool, default=True
        Write each component's weight next to its mean (when the model has
        ``weights_``).
    min_weight : float, default=1e-3
        Components lighter than this count as switched off (a Bayesian
        mixture switches unneeded components off by giving them almost no
        weight) and are drawn faintly.
    show_switched_off : bool, default=True
        Draw the switched-off components (faintly); False leaves them out.

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_iris
    >>> from skgenfund import EMGaussianMixture
    >>> from skgenfund.plotting import plot_gmm
    >>> X = load_iris().data[:, 2:]
    >>> gmm = EMGaussianMixture(3, random_state=0).fit(X)
    >>> ax = plot_gmm(gmm, X)
    >>> len(ax.patches)  # two ellipses for each of the three components
    6
    """
    from matplotlib.colors import to_rgba
    from matplotlib.patches import Ellipse

    check_is_fitted(gmm, ["means_", "covariances_"])
    means = np.asarray(gmm.means_, dtype=np.float64)
    n_components, n_features = means.shape
    features = list(features)
    if len(features) != 2 or not all(0 <= f < n_features for f in features):
        raise ValueError(
            f"features must be two feature indices in [0, {n_features}); got "
            f"{features}."
        )
    covariances = _full_covariances(gmm)[:, features][:, :, features]
    means = means[:, features]
    weights = getattr(gmm, "weights_", None)
    ax = get_axes(ax)
    colors = [f"C{k % 10}" for k in range(n_components)]

    if X is not None:
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != n_features:
            raise ValueError(
                f"X must have shape (n_samples, {n_features}) like the mixture's "
                f"means; got {X.shape}."
            )
        if hasattr(gmm, "predict"):
            point_colors = np.array(colors)[gmm.predict(X)]
        else:
            point_colors = "0.4"
        ax.scatter(
            X[:, features[0]],
            X[:, features[1]],
            s=8,
            c=point_colors,
            alpha=0.45,
            linewidths=0,
        )

    top = np.max(weights) if weights is not None else 1.0
    for k in range(n_components):
        switched_off = weights is not None and weights[k] < min_weight
        if switched_off and not show_switched_off:
            continue
        eigenvalues, eigenvectors = np.linalg.eigh(covariances[k])
        eigenvalues = np.clip(eigenvalues, 0.0, None)
        angle = np.degrees(np.arctan2(eigenvectors[1, -1], eigenvectors[0, -1]))
        if switched_off:
            width, height = 2.0 * max(n_std) * np.sqrt(eigenvalues[::-1])
            ax.add_patch(
                Ellipse(
                    means[k],
                    width,
                    height,
                    angle=angle,
                    fill=False,
                    edgecolor=to_rgba(colors[k], 0.35),
                    linestyle="--",
                    linewidth=1.0,
                )
            )
            continue
        shade = 0.12 + 0.25 * (weights[k] / top if weights is not None else 1.0)
        for radius in sorted(n_std, reverse=True):
            width, height = 2.0 * radius * np.sqrt(eigenvalues[::-1])
            ax.add_patch(
                Ellipse(
                    means[k],
                    width,
                    height,
                    angle=angle,
                    facecolor=to_rgba(colors[k], shade / len(n_std)),
                    edgecolor=to_rgba(colors[k], 0.9),
                    linewidth=1.5,
                )
            )
        if show_means:
            ax.plot(*means[k], marker="X", ms=9, color=colors[k], mec="black", mew=0.8)
            if annotate_weights and weights is not None:
                ax.annotate(
                    f"w={weights[k]:.2f}",
                    means[k],
                    xytext=(6, 6),
                    textcoords="offset points",
                    fontsize=8,
                    fontweight="bold",
                )
    ax.autoscale_view()
    ax.set_xlabel(f"feature {features[0]}")
    ax.set_ylabel(f"feature {features[1]}")
    return ax
