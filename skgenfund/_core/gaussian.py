"""Gaussian mathematics written once for the whole package.

Every estimator that evaluates or fits a Gaussian (the maximum-likelihood
Gaussian, the EM mixture, the generative classifier through them, the
samplers' compiled targets and the Fréchet distance) goes through these
functions. Conventions follow :mod:`sklearn.mixture`:

* parameters are stored per component, ``means`` of shape (n_components,
  n_features);
* covariances have the shapes of scikit-learn's mixtures for each
  ``covariance_type``: ``"full"`` (K, d, d), ``"tied"`` (d, d), ``"diag"``
  (K, d), ``"spherical"`` (K,);
* densities are evaluated through the Cholesky factor of the precision,
  ``precisions_cholesky`` = L^{-T} where covariance = L L^T, so that
  ``log N(x | mu, Sigma) = -d/2 log(2 pi) + log|det U| - ||(x - mu) U||^2 / 2``.

Moments are always accumulated centred, ``sum_i w_i (x_i - mu)^2``, never as
``E[x^2] - mu^2``, so variances cannot come out negative by cancellation.
"""

import math
from typing import NamedTuple

import numpy as np
from scipy import linalg
from scipy.special import gammaln

from .special import logsumexp

__all__ = [
    "COVARIANCE_TYPES",
    "compute_precision_cholesky",
    "covariances_from_cholesky",
    "estimate_gaussian_parameters",
    "floor_singular_covariance",
    "full_precision_cholesky",
    "log_det_cholesky",
    "log_gaussian_prob",
    "log_mahalanobis",
    "log_student_t_prob",
    "MixtureDensity",
    "mixture_log_prob_and_gradient",
    "mixture_density",
    "n_gaussian_parameters",
    "precision_cholesky_from_precisions",
    "precisions_from_cholesky",
    "sample_gaussian",
    "weighted_scatter",
]

COVARIANCE_TYPES = ("full", "tied", "diag", "spherical")

LOG_2PI = math.log(2.0 * math.pi)


def _singular_message(dtype):
    message = (
        "The covariance matrix is singular or not positive definite (a component "
        "has collapsed onto too few distinct points, or a feature is constant). "
        "Increase reg_covar (e.g. reg_covar=1e-6), reduce the number of "
        "components, or scale the input data."
    )
    if dtype == np.float32:
        message += " Passing float64 data instead of float32 can also help."
    return message


def _cholesky_precision_of(covariance):
    """Return L^{-T} (upper triangular) for one covariance matrix."""
    try:
        cov_chol = linalg.cholesky(covariance, lower=True)
    except linalg.LinAlgError as exc:
        raise ValueError(_singular_message(covariance.dtype)) from exc
    n_features = covariance.shape[0]
    identity = np.eye(n_features, dtype=covariance.dtype)
    return linalg.solve_triangular(cov_chol, identity, lower=True).T


def compute_precision_cholesky(covariances, covariance_type):
    """Cholesky factors of the precisions from covariances.

    Parameters
    ----------
    covariances : ndarray
        Covariances with the shape of ``covariance_type`` (see module notes).
    covariance_type : {"full", "tied", "diag", "spherical"}

    Returns
    -------
    precisions_cholesky : ndarray
        Same shape as ``covariances``: upper-triangular L^{-T} for "full" and
        "tied", ``1 / sqrt(variance)`` for "diag" and "spherical".

    Raises
    ------
    ValueError
        If a covariance is not positive definite; the message names
        ``reg_covar`` as the fix.

    Examples
    --------
    >>> import numpy as np
    >>> from skgenfund._core.gaussian import compute_precision_cholesky
    >>> compute_precision_cholesky(np.array([4.0, 0.25]), "spherical")
    array([0.5, 2. ])
    """
    covariances = np.asarray(covariances)
    if not np.all(np.isfinite(covariances)):
        raise ValueError(
            "The covariance contains NaN or infinity: the data's values are so "
            "large (about 1e154 or more) that their squares overflow float64. "
            "Rescale the data (e.g. with sklearn.preprocessing.StandardScaler)."
        )
    if covariance_type == "full":
        return np.stack([_cholesky_precision_of(cov) for cov in covariances])
    if covariance_type == "tied":
        return _cholesky_precision_of(covariances)
    if np.any(covariances <= 0.0):
        raise ValueError(_singular_message(covariances.dtype))
    return 1.0 / np.sqrt(covariances)


def _flip(matrix):
    return matrix[::-1, ::-1]


def precision_cholesky_from_precisions(precisions, covariance_type):
    """Upper-triangular factors U with ``precision = U U^T``.

    The precision is factorised directly (through the exchange-matrix trick),
    without inverting it, as scikit-learn does.

    Examples
    --------
    >>> import numpy as np
    >>> from skgenfund._core.gaussian import precision_cholesky_from_precisions
    >>> precision_cholesky_from_precisions(np.array([[4.0, 0.0], [0.0, 9.0]]), "tied")
    array([[2., 0.],
           [0., 3.]])
    """
    precisions = np.asarray(precisions)

    def factor(precision):
        try:
            lower = linalg.cholesky(_flip(precision), lower=True)
        except linalg.LinAlgError as exc:
            raise ValueError(
                "A precision matrix is not positive definite; pass symmetric "
                "positive-definite precisions."
            ) from exc
        return np.ascontiguousarray(_flip(lower))

    if covariance_type == "full":
        return np.stack([factor(precision) for precision in precisions])
    if covariance_type == "tied":
        return factor(precisions)
    if np.any(precisions <= 0.0):
        raise ValueError("Precisions must be positive.")
    return np.sqrt(precisions)


def precisions_from_cholesky(precisions_cholesky, covariance_type):
    """Precisions ``U U^T`` from their Cholesky factors."""
    if covariance_type == "full":
        return np.einsum("kij,klj->kil", precisions_cholesky, precisions_cholesky)
    if covariance_type == "tied":
        return precisions_cholesky @ precisions_cholesky.T
    return precisions_cholesky**2


def covariances_from_cholesky(precisions_cholesky, covariance_type):
    """Covariances ``(U U^T)^{-1} = U^{-T} U^{-1}`` from precision Cholesky factors.

    Examples
    --------
    >>> import numpy as np
    >>> from skgenfund._core.gaussian import covariances_from_cholesky
    >>> covariances_from_cholesky(np.array([[0.5, 0.0], [0.0, 2.0]]), "tied")
    array([[4.  , 0.  ],
           [0.  , 0.25]])
    """
    if covariance_type in ("diag", "spherical"):
        return 1.0 / precisions_cholesky**2
    factors = np.atleast_3d(precisions_cholesky)
    factors = factors.reshape(-1, *precisions_cholesky.shape[-2:])
    identity = np.eye(factors.shape[-1])
    inverses = [linalg.solve_triangular(U, identity, lower=False) for U in factors]
    covariances = np.stack([inverse.T @ inverse for inverse in inverses])
    return covariances[0] if covariance_type == "tied" else covariances


def log_det_cholesky(precisions_cholesky, covariance_type, n_features):
    """log det(U) for each component: half the log-determinant of the precision.

    Returns
    -------
    log_det : ndarray of shape (n_components,) or float for "tied"
    """
    if covariance_type == "full":
        diagonals = np.diagonal(precisions_cholesky, axis1=1, axis2=2)
        return np.sum(np.log(diagonals), axis=1)
    if covariance_type == "tied":
        return np.sum(np.log(np.diag(precisions_cholesky)))
    if covariance_type == "diag":
        return np.sum(np.log(precisions_cholesky), axis=1)
    return n_features * np.log(precisions_cholesky)


def log_gaussian_prob(X, means, precisions_cholesky, covariance_type):
    """Log-density of every row of X under every Gaussian component.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    means : ndarray of shape (n_components, n_features)
    precisions_cholesky : ndarray
        Cholesky factors of the precisions, shaped as for ``covariance_type``.
    covariance_type : {"full", "tied", "diag", "spherical"}

    Returns
    -------
    log_prob : ndarray of shape (n_samples, n_components)

    Examples
    --------
    >>> import numpy as np
    >>> from skgenfund._core.gaussian import log_gaussian_prob
    >>> float(log_gaussian_prob(np.zeros((1, 1)), np.zeros((1, 1)),
    ...                         np.ones(1), "spherical")[0, 0])
    -0.9189385332046727
    """
    n_samples, n_features = X.shape
    n_components = means.shape[0]
    log_det = log_det_cholesky(precisions_cholesky, covariance_type, n_features)
    squared = np.empty((n_samples, n_components), dtype=X.dtype)
    for k in range(n_components):
        diff = X - means[k]
        if covariance_type == "full":
            y = diff @ precisions_cholesky[k]
        elif covariance_type == "tied":
            y = diff @ precisions_cholesky
        else:
            y = diff * precisions_cholesky[k]
        squared[:, k] = np.einsum("ij,ij->i", y, y)
    return -0.5 * (n_features * LOG_2PI + squared) + log_det


def log_mahalanobis(X, density):
    """log squared Mahalanobis distance of each row to each mixture component.

    Computed with scaling (``||y||^2 = s^2 ||y / s||^2``, s = max |y_j|), so it
    stays finite for rows so far away that the squared distance itself, and
    the log-density with it, overflow float64. Comparing these values decides
    which of several Gaussian densities is the largest at such a row.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    density : MixtureDensity

    Returns
    -------
    log_distance : ndarray of shape (n_samples, n_components)
        ``inf`` where even the scaled form overflows.

    Examples
    --------
    >>> import numpy as np
    >>> from skgenfund._core.gaussian import log_mahalanobis, mixture_density
    >>> density = mixture_density(np.ones(1), np.zeros((1, 1)), np.ones(1), "spherical")
    >>> float(log_mahalanobis(np.array([[1e200]]), density)[0, 0] / np.log(10))
    400.0
    """
    distances = np.empty((X.shape[0], density.means.shape[0]))
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for k, (mean, factor) in enumerate(
            zip(density.means, density.precisions_cholesky)
        ):
            y = (X - mean) @ factor
            top = np.max(np.abs(y), axis=1)
            safe = np.where(top > 0, top, 1.0)
            scaled = np.sum((y / safe[:, None]) ** 2, axis=1)
            log_distance = 2 * np.log(safe) + np.log(scaled)
            log_distance = np.where(top > 0, log_distance, -np.inf)
            distances[:, k] = np.where(np.isnan(log_distance), np.inf, log_distance)
    return distances


def log_student_t_prob(X, loc, precision_cholesky, df):
    """Log-density of a multivariate Student t, through the same Cholesky path.

    The Student t with ``df`` degrees of freedom, location ``loc`` and shape
    matrix ``Sigma`` (``inv(Sigma) = U U^T``) is a Gaussian scale mixture; its
    density is evaluated with the same whitening ``(x - loc) U`` as
    :func:`log_gaussian_prob`.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    loc : ndarray of shape (n_features,)
    precision_cholesky : ndarray of shape (n_features, n_features)
        Upper-triangular U with ``inv(shape) = U U^T``.
    df : float
        Degrees of freedom (> 0).

    Returns
    -------
    log_density : ndarray of shape (n_samples,)

    Examples
    --------
    >>> import numpy as np
    >>> from skgenfund._core.gaussian import log_student_t_prob
    >>> float(log_student_t_prob(np.zeros((1, 1)), np.zeros(1), np.eye(1), 1.0)[0])
    -1.14473
    """
    n_features = X.shape[1]
    y = (X - loc) @ precision_cholesky
    mahalanobis = np.einsum("ij,ij->i", y, y)
    log_det = np.sum(np.log(np.diag(precision_cholesky)))
    normaliser = (
        gammaln(0.5 * (df + n_features))
        - gammaln(0.5 * df)
        - 0.5 * n_features * math.log(df * math.pi)
        + log_det
    )
    return normaliser - 0.5 * (df + n_features) * np.log1p(mahalanobis / df)


def estimate_gaussian_parameters(
    X, resp, reg_covar, covariance_type, sample_weight=None, *, empty_guard=True
):
    """Weighted maximum-likelihood Gaussian parameters (the EM M-step).

    Each component k gets weights ``resp[:, k] * sample_weight``; its mean is
    the weighted average and its covariance the weighted average of the
    centred outer products (1/N normalisation, the MLE), plus ``reg_covar``
    on the diagonal.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    resp : ndarray of shape (n_samples, n_components)
        Responsibilities (or one column of ones for a single Gaussian).
    reg_covar : float
        Non-negative regularisation added to the diagonal.
    covariance_type : {"full", "tied", "diag", "spherical"}
    sample_weight : ndarray of shape (n_samples,), default=None
    empty_guard : bool, default=True
        Add ``10 * eps`` to each component's weight so that an emptied mixture
        component divides by a tiny number instead of zero (scikit-learn's
        convention). A single Gaussian with positive total weight passes
        False to get the exact closed form.

    Returns
    -------
    nk : ndarray of shape (n_components,)
        Total weight of each component (plus ``10 * eps`` so that an empty
        component gives no division by zero, as in scikit-learn).
    means : ndarray of shape (n_components, n_features)
    covariances : ndarray shaped as for ``covariance_type``

    Examples
    --------
    >>> import numpy as np
    >>> from skgenfund._core.gaussian import estimate_gaussian_parameters
    >>> X = np.array([[0.0], [2.0]])
    >>> nk, means, cov = estimate_gaussian_parameters(X, np.ones((2, 1)), 0.0, "diag")
    >>> means, cov
    (array([[1.]]), array([[1.]]))
    """
    if sample_weight is not None:
        resp = resp * sample_weight[:, np.newaxis]
    nk = resp.sum(axis=0)
    if empty_guard:
        nk = nk + 10 * np.finfo(resp.dtype).eps
    means = (resp.T @ X) / nk[:, np.newaxis]
    n_features = means.shape[1]
    scatter = weighted_scatter(X, resp, means, covariance_type)
    if covariance_type in ("full", "tied"):
        covariances = scatter / nk[:, np.newaxis, np.newaxis]
        if covariance_type == "tied":
            covariances = np.tensordot(nk, covariances, axes=1) / nk.sum()
            covariances.flat[:: n_features + 1] += reg_covar
        else:
            for covariance in covariances:
                covariance.flat[:: n_features + 1] += reg_covar
        return nk, means, covariances
    variances = scatter / nk[:, np.newaxis] + reg_covar
    if covariance_type == "spherical":
        variances = variances.mean(axis=1)
    return nk, means, variances


#: Relative floor of a singular covariance's diagonal: GaussianNB's
#: ``var_smoothing`` default, applied per feature.
VAR_SMOOTHING = 1e-9


def floor_singular_covariance(
    covariance,
    covariance_type,
    X,
    sample_weight=None,
    *,
    smoothing=VAR_SMOOTHING,
    fix="Pass reg_covar > 0 to set one",
):
    """Make one Gaussian's singular covariance positive definite, if it is.

    A covariance is singular when a feature is constant at float64 precision
    (see :func:`~skgenfund._core.validation.constant_features`), or, for a
    full matrix, when there are no more rows than features or the features
    are collinear. Its diagonal is then floored, scale-free:

    * a constant feature gets ``smoothing`` times the largest variance of the
      other features (scikit-learn's ``GaussianNB`` epsilon; when every
      feature is constant, as for a single row, ``smoothing`` times the
      largest squared value), but at least the variance float64 can resolve
      at that feature's magnitude;
    * a full covariance of rank-deficient correlation gets ``smoothing``
      times each feature's own variance added to its diagonal, so that
      features of every scale keep their shape.

    Parameters
    ----------
    covariance : ndarray
        (d, d) for "full", (d,) for "diag", a 0-d array or float for
        "spherical".
    covariance_type : {"full", "diag", "spherical"}
    X : ndarray of shape (n_samples, n_features)
    sample_weight : ndarray of shape (n_samples,) or None
    smoothing : float, default=1e-9
    fix : str, default="Pass reg_covar > 0 to set one"
        What the message for constant data advises (the caller's parameter).

    Returns
    -------
    covariance : ndarray or float
        The covariance, floored where it was singular (a copy).
    reason : str or None
        Why it was floored (for a warning), or None when it was not.

    Raises
    ------
    ValueError
        If every value of X is 0 (there is no scale to floor by), or a
        variance is out of the float64 range.

    Examples
    --------
    >>> import numpy as np
    >>> from skgenfund._core.gaussian import floor_singular_covariance
    >>> X = np.array([[0.0, 1.0], [2.0, 1.0]])
    >>> covariance, reason = floor_singular_covariance(X.var(axis=0), "diag", X)
    >>> covariance, reason
    (array([1.e+00, 1.e-09]), 'feature(s) 1 constant')
    """
    from .validation import RESOLUTION, constant_features

    covariance = np.array(covariance, dtype=np.float64)
    n_samples, n_features = X.shape
    if covariance_type == "full":
        variances = np.diagonal(covariance).copy()
    elif covariance_type == "diag":
        variances = covariance.copy()
    else:
        weights = None if sample_weight is None else sample_weight
        centred = X - np.average(X, axis=0, weights=weights)
        variances = np.average(centred * centred, axis=0, weights=weights)
    constant = constant_features(X, variances, sample_weight)
    rows = X if sample_weight is None else X[sample_weight > 0]
    magnitude = np.max(np.abs(rows), axis=0)
    if np.all(constant) and not np.any(magnitude > 0):
        raise ValueError(
            "Every value of X is 0, so a Gaussian fitted to it has no spread "
            f"and no scale to estimate. {fix}, or use data that varies."
        )
    reasons = []
    if np.any(constant):
        # the floor's scale: the other features' variances, as GaussianNB's
        # epsilon, or the values' own size when every feature is constant
        scale = (
            np.max(variances[~constant])
            if not np.all(constant)
            else np.max(magnitude) ** 2
        )
        resolution = (RESOLUTION * magnitude[constant]) ** 2
        floor = np.maximum(smoothing * scale, resolution)
        variances[constant] = np.maximum(floor, np.finfo(np.float64).tiny)
        index = np.flatnonzero(constant)
        listed = ", ".join(str(i) for i in index[:10])
        reasons.append(
            f"feature(s) {listed}{' ...' if index.size > 10 else ''} constant"
        )
        if covariance_type == "spherical":
            return float(np.mean(variances)), "; ".join(reasons)
        if covariance_type == "diag":
            return variances, "; ".join(reasons)
        covariance[:, constant] = 0.0
        covariance[constant, :] = 0.0
        covariance.flat[:: n_features + 1] = variances
    if covariance_type == "spherical":
        return float(covariance), None
    if covariance_type == "diag":
        return variances, None
    n_rows = n_samples if sample_weight is None else np.count_nonzero(sample_weight)
    scale = 1.0 / np.sqrt(variances)
    correlation = covariance * scale[:, None] * scale[None, :]
    try:
        pivots = np.diag(linalg.cholesky(correlation, lower=True)) ** 2
        collinear = bool(np.min(pivots) <= 1e3 * n_features * np.finfo(float).eps)
    except linalg.LinAlgError:
        collinear = True
    if n_rows <= n_features:
        reasons.append(f"{n_rows} rows in {n_features} dimensions")
    elif collinear:
        reasons.append("collinear features")
    if n_rows <= n_features or collinear:
        covariance.flat[:: n_features + 1] += smoothing * variances
    return covariance, ("; ".join(reasons) or None)


def weighted_scatter(X, resp, means, covariance_type):
    """Centred weighted scatter of the rows around each component's mean.

    ``S_k = sum_i resp_ik (x_i - m_k)(x_i - m_k)^T``, formed from the centred
    rows (never as ``E[x x^T] - m m^T``).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    resp : ndarray of shape (n_samples, n_components)
        Weights of the rows for each component (responsibilities times
        sample weights).
    means : ndarray of shape (n_components, n_features)
    covariance_type : {"full", "tied", "diag", "spherical"}

    Returns
    -------
    scatter : ndarray
        (n_components, n_features, n_features) scatter matrices for "full"
        and "tied"; (n_components, n_features) weighted sums of squares per
        feature for "diag" and "spherical".

    Examples
    --------
    >>> import numpy as np
    >>> from skgenfund._core.gaussian import weighted_scatter
    >>> weighted_scatter(np.array([[0.0], [2.0]]), np.ones((2, 1)), np.ones((1, 1)),
    ...                  "diag")
    array([[2.]])
    """
    n_components, n_features = means.shape
    matrices = covariance_type in ("full", "tied")
    shape = (n_features, n_features) if matrices else (n_features,)
    scatter = np.empty((n_components, *shape), dtype=X.dtype)
    for k in range(n_components):
        diff = X - means[k]
        if matrices:
            scatter[k] = (resp[:, k] * diff.T) @ diff
        else:
            scatter[k] = resp[:, k] @ (diff * diff)
    return scatter


def n_gaussian_parameters(n_components, n_features, covariance_type):
    """Number of free parameters of a Gaussian mixture (weights, means, covariances).

    Examples
    --------
    >>> from skgenfund._core.gaussian import n_gaussian_parameters
    >>> n_gaussian_parameters(3, 2, "diag")  # K (2 D + 1) - 1
    14
    """
    if covariance_type == "full":
        cov_params = n_components * n_features * (n_features + 1) // 2
    elif covariance_type == "tied":
        cov_params = n_features * (n_features + 1) // 2
    elif covariance_type == "diag":
        cov_params = n_components * n_features
    else:
        cov_params = n_components
    return int(cov_params + n_components * n_features + n_components - 1)


def full_precision_cholesky(
    precisions_cholesky, covariance_type, n_components, n_features
):
    """Expand any covariance type to full (K, d, d) precision Cholesky factors.

    The compiled kernels (samplers, single-point densities) work on this one
    canonical form.
    """
    if covariance_type == "full":
        full = np.asarray(precisions_cholesky, dtype=np.float64)
    elif covariance_type == "tied":
        full = np.repeat(
            np.asarray(precisions_cholesky, dtype=np.float64)[None],
            n_components,
            axis=0,
        )
    else:
        diag = np.asarray(precisions_cholesky, dtype=np.float64)
        if covariance_type == "spherical":
            diag = np.repeat(diag.reshape(-1, 1), n_features, axis=1)
        full = np.zeros((n_components, n_features, n_features))
        rows = np.arange(n_features)
        full[:, rows, rows] = diag
    return np.ascontiguousarray(full)


def sample_gaussian(rng, mean, covariance, covariance_type, n_samples):
    """Draw ``n_samples`` rows from one Gaussian component.

    Parameters
    ----------
    rng : numpy.random.RandomState
    mean : ndarray of shape (n_features,)
    covariance : ndarray
        (d, d) for "full"/"tied", (d,) for "diag", a scalar for "spherical".
    covariance_type : {"full", "tied", "diag", "spherical"}
    n_samples : int

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
    """
    n_features = mean.shape[0]
    if covariance_type in ("full", "tied"):
        return rng.multivariate_normal(mean, covariance, int(n_samples))
    scale = np.sqrt(np.broadcast_to(covariance, (n_features,)))
    return mean + rng.standard_normal(size=(int(n_samples), n_features)) * scale


class MixtureDensity(NamedTuple):
    """A fitted Gaussian mixture in the canonical form the compiled kernels use.

    The package's own densities (``GaussianMLE`` is a one-component mixture,
    ``EMGaussianMixture``) expose themselves in this form through a
    ``_mixture_density()`` method, so that a sampler can evaluate them with
    :func:`skgenfund._core._kernels.mixture_logpdf_point` and run a whole
    chain without Python per step.
    """

    log_weights: np.ndarray  # (K,)
    means: np.ndarray  # (K, d)
    precisions_cholesky: np.ndarray  # (K, d, d), upper triangular
    log_dets: np.ndarray  # (K,)


def mixture_density(weights, means, precisions_cholesky, covariance_type):
    """Pack mixture parameters of any covariance type as a :class:`MixtureDensity`.

    Examples
    --------
    >>> import numpy as np
    >>> from skgenfund._core.gaussian import mixture_density
    >>> density = mixture_density(np.ones(1), np.zeros((1, 2)), np.ones(1), "spherical")
    >>> density.precisions_cholesky.shape
    (1, 2, 2)
    """
    means = np.ascontiguousarray(means, dtype=np.float64)
    n_components, n_features = means.shape
    full = full_precision_cholesky(
        precisions_cholesky, covariance_type, n_components, n_features
    )
    log_dets = log_det_cholesky(full, "full", n_features)
    with np.errstate(divide="ignore"):
        log_weights = np.log(np.asarray(weights, dtype=np.float64))
    return MixtureDensity(log_weights, means, full, np.ascontiguousarray(log_dets))


def mixture_log_prob_and_gradient(X, density, gradient=True):
    """log p(x) and its gradient at every row of X under a :class:`MixtureDensity`.

    With responsibilities ``r_k(x)`` and precisions ``P_k = U_k U_k^T``,
    ``grad log p(x) = -sum_k r_k(x) P_k (x - mu_k)``; the log-density is the
    shared :func:`log_gaussian_prob` of the components, combined by the one
    log-sum-exp.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    density : MixtureDensity
    gradient : bool, default=True
        Also compute the gradient.

    Returns
    -------
    log_prob : ndarray of shape (n_samples,)
    grad : ndarray of shape (n_samples, n_features) or None

    Examples
    --------
    >>> import numpy as np
    >>> from skgenfund._core.gaussian import (mixture_density,
    ...                                       mixture_log_prob_and_gradient)
    >>> density = mixture_density(np.ones(1), np.zeros((1, 2)), np.full(1, 0.5),
    ...                           "spherical")  # N(0, 4 I)
    >>> log_prob, grad = mixture_log_prob_and_gradient(np.ones((1, 2)), density)
    >>> grad
    array([[-0.25, -0.25]])
    """
    means, factors = density.means, density.precisions_cholesky
    log_prob = (
        log_gaussian_prob(X, means, factors, "full") + density.log_weights[np.newaxis]
    )
    total = log_prob[:, 0] if means.shape[0] == 1 else logsumexp(log_prob, axis=1)
    if not gradient:
        return total, None
    with np.errstate(invalid="ignore"):
        resp = np.exp(log_prob - total[:, np.newaxis])
    resp = np.nan_to_num(resp, nan=0.0)  # rows where every component is -inf
    grad = np.zeros_like(X)
    for k in range(means.shape[0]):
        y = (X - means[k]) @ factors[k]
        grad -= resp[:, k : k + 1] * (y @ factors[k].T)
    return total, grad
