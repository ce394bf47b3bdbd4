"""Compiled Gaussian building blocks shared by the package's Numba kernels.

These are the compiled counterparts of :mod:`skgenfund._core.gaussian` for
one point at a time: the samplers run whole Markov chains through them, and
other topics' kernels call them instead of re-deriving the density. All are
``@njit(cache=True)``; nothing is compiled until first called.
"""

import math

import numpy as np
from numba import njit

LOG_2PI = math.log(2.0 * math.pi)


@njit(cache=True)
def logsumexp_1d(values):
    """Stable log(sum(exp(values))) of a 1-D array; -inf if all are -inf."""
    top = -np.inf
    for value in values:
        if value > top:
            top = value
    if top == -np.inf:
        return -np.inf
    total = 0.0
    for value in values:
        total += math.exp(value - top)
    return top + math.log(total)


@njit(cache=True)
def gaussian_logpdf_point(x, mean, precision_cholesky, log_det):
    """log N(x | mean, Sigma) with Sigma^{-1} = U U^T, U upper triangular (d, d)."""
    n_features = x.shape[0]
    squared = 0.0
    for j in range(n_features):
        acc = 0.0
        # column j of an upper-triangular U has non-zeros in rows 0..j
        for i in range(j + 1):
            acc += (x[i] - mean[i]) * precision_cholesky[i, j]
        squared += acc * acc
    return -0.5 * (n_features * LOG_2PI + squared) + log_det


@njit(cache=True)
def mixture_logpdf_point(x, log_weights, means, precisions_cholesky, log_dets):
    """log sum_k w_k N(x | mu_k, Sigma_k) for full (K, d, d) precision factors.

    Samplers call this once per Markov-chain step, so it neither allocates
    nor slices (a Numba array view costs reference counting): the components
    are indexed in place and combined by an online log-sum-exp.
    """
    n_features = x.shape[0]
    top = -np.inf
    total = 0.0
    for k in range(means.shape[0]):
        squared = 0.0
        for j in range(n_features):
            acc = 0.0
            for i in range(j + 1):
                acc += (x[i] - means[k, i]) * precisions_cholesky[k, i, j]
            squared += acc * acc
        value = log_weights[k] - 0.5 * (n_features * LOG_2PI + squared) + log_dets[k]
        if value > top:
            total = total * math.exp(top - value) + 1.0
            top = value
        elif value > -np.inf:
            total += math.exp(value - top)
    if top == -np.inf:
        return -np.inf
    return top + math.log(total)


@njit(cache=True)
def mixture_logpdf_gradient_point(
    x, log_weights, means, precisions_cholesky, log_dets, grad, work
):  # fmt: skip
    """:func:`mixture_logpdf_point`, also writing ``grad log p(x)`` into ``grad``.

    ``grad = -sum_k r_k(x) U_k U_k^T (x - mu_k)``, accumulated with the online
    log-sum-exp's weights; ``work`` is a scratch array of length d.
    """
    n_features = x.shape[0]
    top = -np.inf
    total = 0.0
    for i in range(n_features):
        grad[i] = 0.0
    for k in range(means.shape[0]):
        squared = 0.0
        for j in range(n_features):
            acc = 0.0
            for i in range(j + 1):
                acc += (x[i] - means[k, i]) * precisions_cholesky[k, i, j]
            work[j] = acc
            squared += acc * acc
        value = log_weights[k] - 0.5 * (n_features * LOG_2PI + squared) + log_dets[k]
        if value > top:
            rescale = math.exp(top - value)
            total = total * rescale + 1.0
            weight = 1.0
            top = value
        elif value > -np.inf:
            rescale = 1.0
            weight = math.exp(value - top)
            total += weight
        else:
            continue
        for i in range(n_features):  # component gradient -(U y)_i
            acc = 0.0
            for j in range(i, n_features):
                acc += precisions_cholesky[k, i, j] * work[j]
            grad[i] = grad[i] * rescale - weight * acc
    if top == -np.inf:
        return -np.inf
    for i in range(n_features):
        grad[i] /= total
    return top + math.log(total)
