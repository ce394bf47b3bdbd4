"""Numba kernels of the rejection sampler and the row-wise log-densities.

Every kernel is ``@njit(cache=True)`` and compiled the first time it is
called, never at import. The kernels for the package's own densities call
:func:`skgenfund._core._kernels.mixture_logpdf_point` as a module-level
global, so Numba's on-disk cache serves them in every new process. Kernels
that take a user's ``@njit`` log-density as an argument cannot be cached by
Numba (a function argument is part of the type signature), so they compile
once per process and per function. The Metropolis-Hastings kernels live with
their proposals, in :mod:`skgenfund.sampling.proposals`.
"""

import math

import numpy as np
from numba import njit

from .._core._kernels import mixture_logpdf_point


@njit(cache=True)
def mixture_log_density_rows(X, log_weights, means, precisions_cholesky, log_dets):
    """log-density of every row of X under a Gaussian mixture."""
    out = np.empty(X.shape[0])
    for i in range(X.shape[0]):
        out[i] = mixture_logpdf_point(
            X[i], log_weights, means, precisions_cholesky, log_dets
        )
    return out


@njit(cache=True)
def function_log_density_rows(func, X):
    """``func(x)`` for every row x of X (func is a user's @njit point density)."""
    out = np.empty(X.shape[0])
    for i in range(X.shape[0]):
        out[i] = func(X[i])
    return out


@njit(cache=True, nogil=True)
def rejection_test_mixture(
    X, log_q, e, log_envelope, log_weights, means, precisions_cholesky, log_dets
):  # fmt: skip
    """Rejection test of proposals X under a Gaussian-mixture target.

    Row i is accepted when ``-e[i] < log p(X[i]) - log_q[i] - log_envelope``.

    Returns
    -------
    accepted : ndarray (n_accepted, d)
        The accepted rows, in order.
    excess, where : float, int
        The largest ``log p - log q - log M`` and its row.
    bad : int
        The first row whose log-density is NaN or +inf (-1 if none).
    """
    accepted = np.empty_like(X)
    count, excess, where = 0, -np.inf, 0
    for i in range(X.shape[0]):
        lp = mixture_logpdf_point(
            X[i], log_weights, means, precisions_cholesky, log_dets
        )
        if math.isnan(lp) or lp == np.inf:
            return accepted[:0], excess, where, i
        log_ratio = lp - log_q[i] - log_envelope
        for j in range(X.shape[1]):  # branch-free: count <= i, so no overflow
            accepted[count, j] = X[i, j]
        count += -e[i] < log_ratio
        if log_ratio > excess:
            excess, where = log_ratio, i
    return accepted[:count], excess, where, -1


@njit(cache=True, nogil=True)
def rejection_test_function(func, X, log_q, e, log_envelope):
    """As :func:`rejection_test_mixture` for a user's @njit point log-density."""
    accepted = np.empty_like(X)
    count, excess, where = 0, -np.inf, 0
    for i in range(X.shape[0]):
        lp = func(X[i])
        if math.isnan(lp) or lp == np.inf:
            return accepted[:0], excess, where, i
        log_ratio = lp - log_q[i] - log_envelope
        for j in range(X.shape[1]):  # branch-free: count <= i, so no overflow
            accepted[count, j] = X[i, j]
        count += -e[i] < log_ratio
        if log_ratio > excess:
            excess, where = log_ratio, i
    return accepted[:count], excess, where, -1
