"""The Fréchet distance between the Gaussian fits of two feature sets (FID).

For Gaussians N(mu_1, S_1) and N(mu_2, S_2) the squared 2-Wasserstein
(Fréchet) distance is

    ||mu_1 - mu_2||^2 + Tr(S_1) + Tr(S_2) - 2 Tr((S_1 S_2)^{1/2}).

The trace term is where implementations go wrong: the usual
``scipy.linalg.sqrtm(S_1 @ S_2)`` takes a general (Schur) square root of a
non-symmetric product, costs about 25 d^3 flops, and returns complex or NaN
values when the covariances are singular (fewer samples than features) or
nearly so. Here it is computed from factors instead. If S_1 = A A^T and
S_2 = B B^T (any factors, of any width), the non-zero eigenvalues of S_1 S_2
are those of (A^T B)(A^T B)^T, so

    Tr((S_1 S_2)^{1/2}) = sum of the singular values of A^T B,

the nuclear norm of A^T B: real and non-negative by construction. The factors
are the centred data itself when there are no more samples than features
(exact, and cheaper than a covariance), otherwise the Cholesky factor of the
covariance, or, when that fails (singular covariances), a pivoted Cholesky
factor (LAPACK ``pstrf``), which is rank revealing. The singular values are accurate to
``eps * ||A^T B||`` in absolute terms, also the small ones, so identical
inputs give 0 up to rounding (a route through the eigenvalues of a product
would lose half the digits of the small ones when taking their square root).
"""

from typing import NamedTuple

import numpy as np
from scipy import linalg
from scipy.linalg import lapack

from .._core.validation import check_matrix

__all__ = ["frechet_distance"]

# A covariance passed as a statistic may be non-PSD by about this much
# (relative to its largest variance) and still be accepted: float32 storage of
# a valid covariance perturbs it by ~1e-7 relative. Anything larger is an error.
_PSD_TOLERANCE = 1e-5
_SYMMETRY_TOLERANCE = 1e-6


class _FactoredGaussian(NamedTuple):
    """A Gaussian as the package's metrics use it: covariance = factor @ factor.T.

    The values are stored scaled by a power of two, ``2**-exponent``, chosen
    so that the largest is of order one: the true mean is ``mean *
    2**exponent`` and the true factor ``factor * 2**exponent``. Features of
    size 1e-300 or 1e300 then have covariances and traces inside the float64
    range, and only the final distance is scaled back.
    """

    mean: np.ndarray  # (d,)
    factor: np.ndarray  # (d, r), r <= d
    trace: float  # Tr(covariance) = ||factor||_F^2
    exponent: int = 0


def _binary_exponent(value):
    """e with 2**(e-1) <= value < 2**e (0 for 0 or non-finite values)."""
    if not np.isfinite(value) or value == 0:
        return 0
    return int(np.frexp(value)[1])


def _rescaled(gaussian, exponent):
    """The same Gaussian stored with the (larger or equal) ``exponent``."""
    shift = gaussian.exponent - exponent
    if shift == 0:
        return gaussian
    return _FactoredGaussian(
        np.ldexp(gaussian.mean, shift),
        np.ldexp(gaussian.factor, shift),
        float(np.ldexp(gaussian.trace, 2 * shift)),
        exponent,
    )


def covariance_of(gaussian):
    """The true (unscaled) mean and covariance of a factored Gaussian.

    Raises
    ------
    ValueError
        If the covariance is beyond the float64 range.
    """
    with np.errstate(over="ignore"):
        covariance = np.ldexp(
            gaussian.factor @ gaussian.factor.T, 2 * gaussian.exponent
        )
    mean = np.ldexp(gaussian.mean, gaussian.exponent)
    if not np.all(np.isfinite(covariance)):
        size = gaussian.exponent * np.log10(2.0)
        raise ValueError(
            f"The covariance of features of size about 10^{size:.0f} overflows "
            "float64. Rescale the features (e.g. divide them by a constant)."
        )
    return mean, covariance


def mean_and_covariance(X):
    """Mean and unbiased (ddof=1) covariance of a validated float64 matrix.

    The covariance is one BLAS call on the centred data (NumPy dispatches
    ``Xc.T @ Xc`` to ``syrk``), accumulated in float64.
    """
    mean = X.mean(axis=0)
    centred = X - mean
    covariance = centred.T @ centred
    covariance /= X.shape[0] - 1
    return mean, covariance


def covariance_factor(covariance, name):
    """A factor A (d, rank) with covariance = A A^T.

    A plain Cholesky factorisation when it succeeds (backward stable: the
    factor reproduces the covariance to rounding, however ill conditioned);
    otherwise (singular or semi-definite covariances) the rank-revealing
    pivoted Cholesky of :func:`_pivoted_cholesky_factor`.
    """
    try:
        return linalg.cholesky(covariance, lower=True, check_finite=False)
    except linalg.LinAlgError:
        return _pivoted_cholesky_factor(covariance, name)


def _pivoted_cholesky_factor(covariance, name):
    """A factor A (d, rank) with covariance = A A^T, by pivoted Cholesky.

    Raises a ValueError if the matrix is not positive semi-definite beyond
    rounding.
    """
    n_features = covariance.shape[0]
    scale = float(np.max(np.diag(covariance))) if n_features else 0.0
    if scale <= 0.0:
        if np.any(covariance != 0.0):
            raise _not_psd_error(name)
        return np.zeros((n_features, 0))
    lower, piv, rank, info = lapack.dpstrf(covariance, lower=1)
    if info < 0:  # pragma: no cover - an illegal argument is a bug here
        raise RuntimeError(f"LAPACK dpstrf failed with info={info}.")
    order = piv[:n_features] - 1
    lower = np.tril(lower[:, :rank])
    if rank < n_features:
        # The trailing Schur complement must vanish for a PSD matrix; a large
        # entry there (e.g. a negative eigenvalue) means the input is invalid.
        rest = order[rank:]
        schur = covariance[np.ix_(rest, rest)] - lower[rank:] @ lower[rank:].T
        if np.max(np.abs(schur)) > _PSD_TOLERANCE * scale:
            raise _not_psd_error(name)
    factor = np.empty((n_features, rank))
    factor[order] = lower
    return factor


def _not_psd_error(name):
    return ValueError(
        f"The covariance of {name} is not positive semi-definite (it has a "
        "clearly negative eigenvalue); pass a covariance matrix, e.g. "
        "np.cov(features, rowvar=False), not a precision or another matrix."
    )


def _is_statistics(obj):
    """True for a ``(mean, covariance)`` tuple: a 1-D then a 2-D array-like."""
    return (
        isinstance(obj, tuple)
        and len(obj) == 2
        and np.ndim(obj[0]) == 1
        and np.ndim(obj[1]) == 2
    )


def gaussian_from_statistics(mean, covariance, name="X"):
    """Validate ``(mean, covariance)`` and factor the covariance."""
    mean = np.asarray(mean, dtype=np.float64)
    covariance = np.asarray(covariance, dtype=np.float64)
    n_features = mean.shape[0]
    if covariance.shape != (n_features, n_features):
        raise ValueError(
            f"The statistics of {name} do not match: the mean has {n_features} "
            f"entries but the covariance has shape {covariance.shape}; pass "
            "(mean of shape (d,), covariance of shape (d, d))."
        )
    if n_features == 0:
        raise ValueError(f"The statistics of {name} have 0 features.")
    if not (np.all(np.isfinite(mean)) and np.all(np.isfinite(covariance))):
        raise ValueError(f"The statistics of {name} contain NaN or infinity.")
    asymmetry = float(np.max(np.abs(covariance - covariance.T)))
    if asymmetry > _SYMMETRY_TOLERANCE * max(float(np.max(np.abs(covariance))), 1e-300):
        raise ValueError(
            f"The covariance of {name} is not symmetric (largest |S - S^T| = "
            f"{asymmetry:.3g}); pass a covariance matrix."
        )
    covariance = 0.5 * (covariance + covariance.T)
    largest = max(
        float(np.max(np.abs(mean))), float(np.sqrt(np.max(np.diag(covariance))))
    )
    exponent = _binary_exponent(largest)
    mean, covariance = np.ldexp(mean, -exponent), np.ldexp(covariance, -2 * exponent)
    factor = covariance_factor(covariance, name)
    return _FactoredGaussian(mean, factor, float(np.sum(factor * factor)), exponent)


def gaussian_from_data(X, name="X"):
    """Fit a Gaussian (mean, ddof=1 covariance) to validated data, factored."""
    n_samples, n_features = X.shape
    # scaled by a power of two (exact) so that the largest value is about 1
    exponent = _binary_exponent(float(np.max(np.abs(X))))
    X = np.ldexp(X, -exponent)
    if n_samples - 1 <= n_features:
        # no more samples than features: the centred data is an exact factor,
        # and cheaper than forming a (d, d) covariance of rank < d
        mean = X.mean(axis=0)
        factor = (X - mean).T / np.sqrt(n_samples - 1)
        return _FactoredGaussian(mean, factor, float(np.sum(factor * factor)), exponent)
    mean, covariance = mean_and_covariance(X)
    factor = covariance_factor(covariance, name)
    return _FactoredGaussian(mean, factor, float(np.sum(factor * factor)), exponent)


def as_gaussian(obj, name):
    """A :class:`_FactoredGaussian` from data or from a ``(mean, covariance)`` tuple."""
    if _is_statistics(obj):
        return gaussian_from_statistics(obj[0], obj[1], name)
    X = check_matrix(obj, name=name, min_samples=2)
    return gaussian_from_data(X, name)


def trace_sqrt_product(factor_1, factor_2):
    """Tr((S_1 S_2)^{1/2}) for S_i = factor_i factor_i^T: the nuclear norm of A^T B."""
    product = factor_1.T @ factor_2
    if min(product.shape) == 0:
        return 0.0
    # Singular values of A^T B directly (not eigenvalues of A^T S_2 A), so the
    # small ones keep their relative accuracy in near-singular cases.
    singular_values = linalg.svdvals(product, check_finite=False)
    return float(np.sum(singular_values))


def frechet_between(gaussian_1, gaussian_2):
    """The Fréchet distance between two factored Gaussians, clipped at 0."""
    d_1, d_2 = gaussian_1.mean.shape[0], gaussian_2.mean.shape[0]
    if d_1 != d_2:
        raise ValueError(
            f"The two feature sets have different widths ({d_1} and {d_2} "
            "features); the Fréchet distance compares features of the same "
            "space, so extract both with the same feature extractor."
        )
    # both at the larger scale; the distance is computed near 1 and scaled back
    exponent = max(gaussian_1.exponent, gaussian_2.exponent)
    gaussian_1, gaussian_2 = (
        _rescaled(gaussian_1, exponent),
        _rescaled(gaussian_2, exponent),
    )
    diff = gaussian_1.mean - gaussian_2.mean
    trace_term = trace_sqrt_product(gaussian_1.factor, gaussian_2.factor)
    distance = float(diff @ diff) + gaussian_1.trace + gaussian_2.trace - 2 * trace_term
    # Tr(S1 + S2 - 2 (S1 S2)^{1/2}) >= 0 exactly; only rounding can go below.
    distance = max(distance, 0.0)
    with np.errstate(over="ignore"):
        scaled = float(np.ldexp(distance, 2 * exponent))
    if not np.isfinite(scaled):
        log10 = np.log10(distance) + 2 * exponent * np.log10(2.0)
        raise ValueError(
            f"The Fréchet distance is about 10^{log10:.1f}, beyond the float64 "
            "range. It scales with the square of the features' size: compare "
            "features divided by a common constant."
        )
    return scaled


def frechet_distance(X, Y):
    r"""Fréchet distance between the Gaussian fits of two feature sets (FID).

    .. math::

        d^2 = \lVert \mu_X - \mu_Y \rVert^2
        + \operatorname{Tr}\bigl(\Sigma_X + \Sigma_Y
        - 2 (\Sigma_X^{1/2} \Sigma_Y \Sigma_X^{1/2})^{1/2}\bigr)

    the squared 2-Wasserstein distance between :math:`N(\mu_X, \Sigma_X)` and
    :math:`N(\mu_Y, \Sigma_Y)`, with the sample means and the unbiased
    (``ddof=1``) sample covariances, as in the original FID. The trace term
    is the sum of the singular values of :math:`A^\top B`, where
    :math:`\Sigma_X = A A^\top` and :math:`\Sigma_Y = B B^\top` are
    Cholesky factors (pivoted and rank-revealing when a covariance is
    singular) or the centred data themselves: real, never negative, finite
    for singular covariances (``n_samples < n_features``), and 0 up to
    rounding for identical inputs.
    Everything is accumulated in float64 whatever the input dtype.

    This is the Fréchet distance *in the feature space you chose*; it equals
    the published image FID only if X and Y are the pool features of the same
    Inception network as in the original paper.

    Parameters
    ----------
    X : array-like of shape (n_samples_X, n_features) or tuple (mean, covariance)
        Features of the first set (at least 2 rows), or its precomputed
        statistics as a tuple ``(mean, covariance)`` of shapes
        ``(n_features,)`` and ``(n_features, n_features)``, e.g. the
        ``(mean_, covariance_)`` of a fitted :class:`FIDScorer`, so that the
        reference statistics are computed once and reused.
    Y : array-like of shape (n_samples_Y, n_features) or tuple (mean, covariance)
        Features (or statistics) of the second set, in the same space.

    Returns
    -------
    distance : float
        The squared Fréchet distance, >= 0.

    Raises
    ------
    ValueError
        If the two sets have different widths, fewer than 2 samples, NaN or
        infinite values, or a covariance that is not symmetric positive
        semi-definite.

    See Also
    --------
    FIDScorer : Caches the reference statistics; a GridSearchCV scorer.
    kernel_distance : KID, an unbiased alternative free of FID's sample-size bias.

    Notes
    -----
    FID is biased upward at finite sample sizes: two samples of the *same*
    distribution give a positive value that shrinks roughly as
    ``1 / n_samples``. Compare models only at equal sample sizes.

    References
    ----------
    .. [1] M. Heusel et al., "GANs trained by a two time-scale update rule
       converge to a local Nash equilibrium", NeurIPS 2017.
    .. [2] D. C. Dowson and B. V. Landau, "The Fréchet distance between
       multivariate normal distributions", J. Multivariate Anal. 12, 1982.

    Examples
    --------
    Two one-dimensional sets with means 0 and 3 and equal spread differ by
    the squared difference of their means:

    >>> import numpy as np
    >>> from skgenfund import frechet_distance
    >>> X = np.array([[-1.0], [0.0], [1.0]])
    >>> round(frechet_distance(X, X + 3.0), 6)
    9.0

    Precomputed statistics, here N(0, I) against N(1, 4 I) in two dimensions
    (each coordinate adds ``1 + (2 - 1)^2``):

    >>> round(frechet_distance((np.zeros(2), np.eye(2)),
    ...                        (np.ones(2), 4.0 * np.eye(2))), 6)
    4.0
    """
    return frechet_between(as_gaussian(X, "X"), as_gaussian(Y, "Y"))
