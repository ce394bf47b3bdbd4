"""Sufficient statistics of EM that can be computed in pieces and merged.

One EM iteration needs, per component k, the responsibility total
``n_k = sum_i r_ik``, the first moment ``s_k = sum_i r_ik x_i`` and the scatter
``S_k = sum_i r_ik (x_i - m_k)(x_i - m_k)^T`` around the new mean
``m_k = s_k / n_k``. The scatter needs the new means before it can be
summed, which a single pass over data held in pieces (the chunks of a dask
array, the mini-batches of a stream) does not have. Each piece therefore
keeps its scatter centred at its *own* means, and two pieces a and b are
merged with the parallel-variance formula of Chan, Golub and LeVeque (1979):

    n = n_a + n_b,   s = s_a + s_b,
    S = S_a + S_b + (n_a n_b / n) (m_a - m_b)(m_a - m_b)^T.

This is exact in exact arithmetic, and numerically sound: no moment is ever
formed as ``E[x x^T] - m m^T``, so nothing cancels. Scaling every statistic
of a piece by a factor keeps it centred at the same means, which is all that
the stepwise online EM needs (:func:`scale_moments`).

:class:`Moments` holds the statistics in the layout of the scatter kernel
(see :func:`skgenfund.mixture._steps.scatter_sums`): (K, d, d) "full" and
(1, d, d) "tied" matrices of which only the upper triangle counts, and
(K, 1, d) per-feature sums of squares for "diag" and "spherical".
"""

from collections import namedtuple
from functools import reduce

import numpy as np

from ._steps import (
    as_kernel_input,
    covariances_from_scatter,
    e_step_scatter_sums,
    own_means,
)

__all__ = [
    "Moments",
    "chunk_moments",
    "merge_moments",
    "moments_from_parameters",
    "parameters_from_moments",
    "reduce_moments",
    "scale_moments",
]

_GUARD = 10 * np.finfo(np.float64).eps

#: weight: total sample weight of the rows; log_likelihood: weighted sum of
#: their log p(x) under the parameters of the E-step; nk (K,), sums (K, d)
#: and scatter (kernel layout): the statistics above.
Moments = namedtuple("Moments", ["weight", "log_likelihood", "nk", "sums", "scatter"])


def _add_spread(scatter, factor, delta, covariance_type):
    """scatter + sum_k factor_k delta_k delta_k^T, in the kernel's layout."""
    if covariance_type in ("diag", "spherical"):
        return scatter + (factor[:, np.newaxis] * delta**2)[:, np.newaxis, :]
    outer = factor[:, np.newaxis, np.newaxis] * (
        delta[:, :, np.newaxis] * delta[:, np.newaxis, :]
    )
    if covariance_type == "tied":
        outer = outer.sum(axis=0, keepdims=True)
    return scatter + outer


def chunk_moments(X, sample_weight, params, covariance_type):
    """E-step statistics of one piece of data, the scatter at its own means.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    sample_weight : ndarray of shape (n_samples,), float64
    params : tuple (weights, means, precisions_cholesky)
        The parameters of the E-step.
    covariance_type : {"full", "tied", "diag", "spherical"}

    Returns
    -------
    moments : Moments
    """
    X = as_kernel_input(X)
    log_likelihood, nk, sums, scatter = e_step_scatter_sums(
        X, sample_weight, *params, covariance_type
    )
    return Moments(float(sample_weight.sum()), log_likelihood, nk, sums, scatter)


def merge_moments(a, b, covariance_type):
    """The statistics of the union of two pieces (Chan et al.'s formula)."""
    nk = a.nk + b.nk
    factor = np.zeros_like(nk)
    np.divide(a.nk * b.nk, nk, out=factor, where=nk > 0)
    delta = own_means(a.nk, a.sums) - own_means(b.nk, b.sums)
    return Moments(
        a.weight + b.weight,
        a.log_likelihood + b.log_likelihood,
        nk,
        a.sums + b.sums,
        _add_spread(a.scatter + b.scatter, factor, delta, covariance_type),
    )


def reduce_moments(covariance_type, *pieces):
    """Merge pieces from left to right (a fixed order, hence a fixed result)."""
    return reduce(lambda a, b: merge_moments(a, b, covariance_type), pieces)


def scale_moments(moments, factor):
    """Every statistic times ``factor`` (the means, hence the centring, stay)."""
    return Moments(*(value * factor for value in moments))


def parameters_from_moments(moments, reg_covar, covariance_type):
    """The M-step: (weights, means, covariances) from merged statistics.

    Follows :func:`skgenfund.mixture._steps.m_step`: the means are
    ``s_k / (n_k + 10 eps)``, and the scatter is moved from the exact means to
    these before it is normalised, ``S(c) = S(m) + n_k (m - c)(m - c)^T``, so
    that an emptied component gets the in-memory result (a zero mean and a
    ``reg_covar`` covariance).
    """
    nk = moments.nk + _GUARD
    means = moments.sums / nk[:, np.newaxis]
    exact = own_means(moments.nk, moments.sums)
    scatter = _add_spread(moments.scatter, moments.nk, exact - means, covariance_type)
    covariances = covariances_from_scatter(scatter, nk, reg_covar, covariance_type)
    return nk / nk.sum(), means, covariances


def moments_from_parameters(weights, means, covariances, reg_covar, covariance_type):
    """Statistics of unit total weight whose M-step gives back the parameters.

    The inverse of :func:`parameters_from_moments` (up to rounding):
    ``n_k = w_k``, ``s_k = (w_k + 10 eps) mu_k`` and a scatter of
    ``w_k (Sigma_k - reg_covar I)``; "tied" keeps the one shared scatter and
    "spherical" the same variance on every feature.
    """
    weights = np.asarray(weights, dtype=np.float64)
    weights = weights / weights.sum()  # (an initialisation's may not sum to 1)
    n_features = means.shape[1]
    if covariance_type == "tied":
        unregularised = covariances - reg_covar * np.eye(n_features)
        scatter = (weights.sum() * unregularised)[np.newaxis]
    elif covariance_type == "full":
        unregularised = covariances - reg_covar * np.eye(n_features)
        scatter = weights[:, np.newaxis, np.newaxis] * unregularised
    else:
        variances = np.broadcast_to(
            np.reshape(covariances, (len(weights), -1)), (len(weights), n_features)
        )
        scatter = (weights[:, np.newaxis] * (variances - reg_covar))[:, np.newaxis, :]
    sums = (weights + _GUARD)[:, np.newaxis] * means
    return Moments(1.0, 0.0, weights, sums, scatter)
