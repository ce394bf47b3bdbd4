"""Interpolation in the latent space of a fitted transformer."""

import numpy as np
from sklearn.utils.validation import check_is_fitted

from .._core.validation import check_n_draws, check_option, check_positive_int

METHODS = ("linear", "slerp")


def _as_point(name, value, n_features=None):
    point = np.asarray(value, dtype=np.float64)
    if point.ndim == 2 and point.shape[0] == 1:
        point = point[0]
    if point.ndim != 1:
        raise ValueError(
            f"{name} must be one point, of shape (n_features,) or (1, n_features); "
            f"got shape {np.shape(value)}."
        )
    if n_features is not None and point.shape[0] != n_features:
        raise ValueError(
            f"{name} has {point.shape[0]} features but the transformer expects "
            f"{n_features}."
        )
    if not np.all(np.isfinite(point)):
        raise ValueError(f"{name} contains NaN or infinity.")
    return point


def latent_path(z_start, z_end, n_steps, method="linear"):
    r"""Points along a path between two latent codes, endpoints included.

    ``"linear"`` is :math:`z(t) = (1 - t) z_0 + t z_1`. ``"slerp"`` is the
    spherical interpolation

    .. math::

        z(t) = \frac{\sin((1 - t)\Omega)}{\sin \Omega} z_0
             + \frac{\sin(t \Omega)}{\sin \Omega} z_1, \qquad
        \cos \Omega = \frac{z_0 \cdot z_1}{\lVert z_0 \rVert \lVert z_1 \rVert},

    which follows the great circle between the two directions: in a
    high-dimensional Gaussian latent space a straight line passes through the
    low-norm centre, where typical codes never lie, while slerp keeps the norm
    of typical codes. When the two codes are (anti)parallel or one is zero,
    the great circle is undefined and the linear path is returned.

    Parameters
    ----------
    z_start, z_end : ndarray of shape (n_components,)
    n_steps : int
        Number of points, at least 2.
    method : {"linear", "slerp"}, default="linear"

    Returns
    -------
    path : ndarray of shape (n_steps, n_components)

    Examples
    --------
    >>> import numpy as np
    >>> from skgenfund.latent import latent_path
    >>> latent_path(np.array([1.0, 0.0]), np.array([0.0, 1.0]), 3, method="slerp")
    array([[1.        , 0.        ],
           [0.70710678, 0.70710678],
           [0.        , 1.        ]])
    """
    t = np.linspace(0.0, 1.0, n_steps)[:, np.newaxis]
    linear = (1.0 - t) * z_start + t * z_end
    if method == "linear":
        return linear
    norms = np.linalg.norm(z_start) * np.linalg.norm(z_end)
    if norms == 0.0:
        return linear
    cos_omega = np.clip(np.dot(z_start, z_end) / norms, -1.0, 1.0)
    omega = np.arccos(cos_omega)
    sin_omega = np.sin(omega)
    if sin_omega < 1e-8:
        return linear
    return (
        np.sin((1.0 - t) * omega) / sin_omega * z_start
        + np.sin(t * omega) / sin_omega * z_end
    )


def interpolate(
    transformer, x_start, x_end, n_steps=5, *, method="linear", from_latent=False
):
    """Decode a path in the latent space of a fitted transformer.

    The two end points are encoded with ``transformer.transform``, joined by a
    straight (``"linear"``) or great-circle (``"slerp"``) path in the latent
    space, and every point of the path is decoded with
    ``transformer.inverse_transform``. Any fitted scikit-learn transformer
    with ``inverse_transform`` works: PCA, KernelPCA with
    ``fit_inverse_transform=True``, FastICA, NMF, or a ``Pipeline`` whose steps
    all invert (a scaler followed by PCA, say).

    Parameters
    ----------
    transformer : fitted transformer
        Provides ``transform`` and ``inverse_transform``.
    x_start, x_end : array-like of shape (n_features,) or (1, n_features)
        End points in data space (or latent codes when ``from_latent=True``).
    n_steps : int, default=5
        Number of decoded points, end points included (at least 2).
    method : {"linear", "slerp"}, default="linear"
        Path in latent space; see :func:`skgenfund.latent.latent_path`.
    from_latent : bool, default=False
        Treat ``x_start`` and ``x_end`` as latent codes and skip the encoding.

    Returns
    -------
    X_path : ndarray of shape (n_steps, n_features)
        The decoded points; the first and last are the reconstructions of
        ``x_start`` and ``x_end``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.decomposition import PCA
    >>> from skgenfund import interpolate
    >>> X = np.array([[0.0, 1.0], [2.0, 3.0], [4.0, 5.0], [6.0, 7.0]])
    >>> pca = PCA(n_components=1).fit(X)
    >>> path = interpolate(pca, X[0], X[3], n_steps=4)
    >>> path.shape
    (4, 2)
    >>> path[1].round(6)  # one third of the way along the line
    array([2., 3.])
    """
    check_option("method", method, METHODS)
    n_steps = check_positive_int("n_steps", n_steps, minimum=2)
    for needed in ("transform", "inverse_transform"):
        if not hasattr(transformer, needed):
            raise ValueError(
                f"transformer must provide transform and inverse_transform; "
                f"{type(transformer).__name__} has no {needed}. Use a transformer "
                "that can decode, e.g. PCA or KernelPCA(fit_inverse_transform=True)."
            )
    check_is_fitted(transformer)
    # the decoded path is (n_steps, n_features): refuse what memory cannot hold
    check_n_draws(
        n_steps, getattr(transformer, "n_features_in_", 1), name="n_steps", copies=3
    )
    if from_latent:
        z_start = _as_point("x_start", x_start)
        z_end = _as_point("x_end", x_end, z_start.shape[0])
    else:
        n_features = getattr(transformer, "n_features_in_", None)
        start = _as_point("x_start", x_start, n_features)
        end = _as_point("x_end", x_end, start.shape[0])
        ends = np.vstack([start, end])
        names = getattr(transformer, "feature_names_in_", None)
        if names is not None and len(names) == ends.shape[1]:
            import pandas as pd  # a transformer fitted on a frame expects one

            ends = pd.DataFrame(ends, columns=names)
        codes = np.asarray(transformer.transform(ends))
        z_start, z_end = codes[0], codes[1]
    path = latent_path(z_start, z_end, n_steps, method=method)
    return np.asarray(transformer.inverse_transform(path))
