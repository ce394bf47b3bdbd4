"""The compiled half of the shared Metropolis-Hastings machinery.

Every proposal's chain kernel (one short ``@njit`` function in the
proposal's own file) is built from the pieces here: the evaluation of the
target, the accept/reject test, the warm-up adaptation and the recording of
kept draws. All are ``@njit(cache=True)`` and compiled the first time a long
run calls them, never at import.

The target reaches a kernel as one argument whose *type* selects how it is
evaluated (resolved at compile time by :func:`log_density` and
:func:`log_density_gradient`):

* a tuple of arrays ``(log_weights, means, precisions_cholesky, log_dets)``:
  the package's own densities, through the shared
  :mod:`skgenfund._core._kernels`; kernels so specialised are cached on disk;
* a user's ``@njit`` point log-density, or (for gradient moves) the
  ``@njit`` function :func:`value_and_gradient` makes of it and its gradient;
  a function argument is part of Numba's type signature, so these
  specialisations compile once per process.

Randomness never comes from inside a kernel: the caller draws the standard
normals ``z`` of the moves and the standard exponentials ``e`` of the tests
(accept when ``-e < log alpha``, i.e. ``u < alpha`` with ``u = exp(-e)``) from
each chain's own numpy Generators, so a chain's draws depend on its streams
only: not on threads, chunking, or whether it ran compiled or in NumPy.

State of chain ``c``, as :class:`~skgenfund.sampling.proposals._base.ChainState`
holds it: ``x[c]`` the point, ``g[c]`` the gradient there (Langevin only),
``state[c]`` the float slots named below, ``chol[c]`` the lower Cholesky
factor L of the unscaled proposal covariance, ``w_mean[c]``, ``w_m2[c]`` the
Welford sums of the covariance adaptation, ``draws[c]``, ``draw_lp[c]`` the
kept states. Settings: ``iset = (n_warmup, thin, adapt_scale,
adapt_covariance)``, ``fset = (target_accept, log_scale_reset)`` and
``windows`` (n_windows, 2), the [start, end) steps of the covariance windows.

Per-step functions work on one chain's views taken once per kernel call
(slicing inside the step loop costs reference counting at every step), and
the kernels run the warm-up and the kept steps in separate loops: a call that
takes arrays anywhere in a loop makes Numba reference-count the loop's arrays
at every step, which tripled a step's cost.
"""

import functools
import math

import numpy as np
from numba import njit, types
from numba.extending import overload

from ..._core._kernels import mixture_logpdf_gradient_point, mixture_logpdf_point

# slots of the per-chain float state
LOG_SCALE = 0
RM_COUNT = 1
N_ACCEPT_WARMUP = 2
N_ACCEPT = 3
LOG_Q = 4
WELFORD_N = 5
LOG_SCALE_AVERAGE = 6
LOG_P = 7
N_RECORDED = 8
SINCE_RECORD = 9
N_STATE = 10

# slots of the settings
N_WARMUP = 0
THIN = 1
ADAPT_SCALE = 2
ADAPT_COVARIANCE = 3
TARGET_ACCEPT = 0
LOG_SCALE_RESET = 1

# Robbins-Monro gain exponent of the step-size adaptation: gain = n ** -0.6;
# the frozen step size is the running average of log s with weights n ** -0.75
# (Hoffman and Gelman's averaging), which forgets the early transient.
GAIN_EXPONENT = 0.6
AVERAGE_EXPONENT = 0.75
# Shrinkage of the adapted correlations: weight 10 d / (n + 10 d) on zero.
SHRINK_PER_FEATURE = 10.0


def _is_mixture(target):
    return isinstance(target, types.BaseTuple) and isinstance(
        target.types[0], types.Array
    )


def log_density(target, x):
    """log p(x) of one point (compiled code only; see the module notes)."""
    raise NotImplementedError("log_density is called from compiled kernels only")


@overload(log_density, inline="always")
def _log_density(target, x):
    if _is_mixture(target):
        return lambda target, x: mixture_logpdf_point(
            x, target[0], target[1], target[2], target[3]
        )
    return lambda target, x: target(x)


def log_density_gradient(target, x, grad, work):
    """log p(x), writing grad log p(x) into ``grad`` (compiled code only)."""
    raise NotImplementedError("called from compiled kernels only")


@overload(log_density_gradient, inline="always")
def _log_density_gradient(target, x, grad, work):
    if _is_mixture(target):
        return lambda target, x, grad, work: mixture_logpdf_gradient_point(
            x, target[0], target[1], target[2], target[3], grad, work
        )

    return lambda target, x, grad, work: target(x, grad)


@functools.cache
def value_and_gradient(log_density, gradient):
    """One ``@njit`` function ``(x, grad) -> log p(x)`` writing grad log p into grad.

    Made once per pair of a user's ``@njit`` functions (a tuple of two
    functions would need Numba's experimental first-class function types).
    """

    @njit
    def both(x, grad):
        value = gradient(x)
        for i in range(x.shape[0]):
            grad[i] = value[i]
        return log_density(x)

    return both


@njit(cache=True, inline="always")
def bad_log_density(lp):
    """NaN or +inf: not a log-density."""
    return math.isnan(lp) or lp == np.inf


@njit(cache=True, inline="always")
def bad_gradient(grad):
    """A gradient with a NaN or infinite entry."""
    for i in range(grad.shape[0]):
        if not math.isfinite(grad[i]):
            return True
    return False


@njit(cache=True)
def cholesky_in_place(a):
    """Overwrite the lower triangle of ``a`` with its Cholesky factor.

    Returns False (leaving ``a`` partly overwritten) if ``a`` is not
    numerically positive definite.
    """
    n = a.shape[0]
    for j in range(n):
        s = a[j, j]
        for k in range(j):
            s -= a[j, k] * a[j, k]
        if not s > 0.0:
            return False
        a[j, j] = math.sqrt(s)
        for i in range(j + 1, n):
            s = a[i, j]
            for k in range(j):
                s -= a[i, k] * a[j, k]
            a[i, j] = s / a[j, j]
    return True


@njit(cache=True, inline="always")
def copy_into(source, destination):
    """``destination[:] = source`` for 1-D arrays of one length, as a loop.

    Numba compiles an array-to-slice assignment with a shape check whose
    error message is formatted in compiled code: seconds of compile time in
    a fresh process, for a check these kernels never need.
    """
    for i in range(source.shape[0]):
        destination[i] = source[i]


@njit(cache=True, inline="always")
def keep_step(x, lp, since, thin, row, draws, draw_lp):
    """Count one kept step; every ``thin``-th stores x and lp as draw ``row``.

    Returns the updated ``(since, row)``.
    """
    since += 1
    if since == thin:
        since = 0
        copy_into(x, draws[row])
        draw_lp[row] = lp
        row += 1
    return since, row


@njit(cache=True, inline="always")
def lower_times(chol, v, scale, x, out):
    """``out = x + scale * L v``, L lower triangular."""
    for i in range(x.shape[0]):
        acc = 0.0
        for j in range(i + 1):
            acc += chol[i, j] * v[j]
        out[i] = x[i] + scale * acc


@njit(cache=True, inline="always")
def lower_transposed_times(chol, v, out):
    """``out = L^T v``, L lower triangular."""
    n = v.shape[0]
    for i in range(n):
        acc = 0.0
        for j in range(i, n):
            acc += chol[j, i] * v[j]
        out[i] = acc


@njit(cache=True)
def _adapt_covariance(t, x, state, chol, w_mean, w_m2, iset, fset, windows):
    """Haario-style covariance adaptation of one chain during the warm-up.

    The chain's states in the adaptation windows are accumulated (Welford,
    over all windows so far); at the end of each window the proposal factor
    becomes the Cholesky factor of their covariance, with the correlations
    shrunk toward zero by ``SHRINK_PER_FEATURE * d / (n + SHRINK_PER_FEATURE
    * d)`` so that an estimate from few, autocorrelated draws cannot collapse
    the proposal onto a subspace.
    """
    n_features = x.shape[0]
    for k in range(windows.shape[0]):
        if windows[k, 0] <= t < windows[k, 1]:
            n = state[WELFORD_N] + 1.0
            state[WELFORD_N] = n
            factor = (n - 1.0) / n
            for i in range(n_features):
                di = x[i] - w_mean[i]
                for j in range(n_features):
                    w_m2[i, j] += factor * di * (x[j] - w_mean[j])
            for i in range(n_features):
                w_mean[i] += (x[i] - w_mean[i]) / n
            if t == windows[k, 1] - 1 and n > 2.0:
                keep = n / (n + SHRINK_PER_FEATURE * n_features)
                cov = np.empty((n_features, n_features))
                for i in range(n_features):
                    for j in range(n_features):
                        cov[i, j] = w_m2[i, j] / (n - 1.0) * (1.0 if i == j else keep)
                if cholesky_in_place(cov):
                    for i in range(n_features):
                        for j in range(n_features):
                            chol[i, j] = cov[i, j] if j <= i else 0.0
                    if iset[ADAPT_SCALE]:
                        state[LOG_SCALE] = fset[LOG_SCALE_RESET]
                        state[RM_COUNT] = 0.0
            return


@njit(cache=True)
def adapt(t, accepted, log_alpha, x, state, chol, w_mean, w_m2, iset, fset, windows):
    """Warm-up bookkeeping of one chain at step t: count, adapt, freeze."""
    if accepted:
        state[N_ACCEPT_WARMUP] += 1.0
    if iset[ADAPT_SCALE]:
        alpha = 1.0 if log_alpha >= 0.0 else math.exp(log_alpha)
        n = state[RM_COUNT] + 1.0
        state[RM_COUNT] = n
        state[LOG_SCALE] += (alpha - fset[TARGET_ACCEPT]) * n**-GAIN_EXPONENT
        weight = n**-AVERAGE_EXPONENT
        state[LOG_SCALE_AVERAGE] = (
            weight * state[LOG_SCALE] + (1.0 - weight) * state[LOG_SCALE_AVERAGE]
        )
    if iset[ADAPT_COVARIANCE]:
        _adapt_covariance(t, x, state, chol, w_mean, w_m2, iset, fset, windows)
    if iset[ADAPT_SCALE] and t == iset[N_WARMUP] - 1:
        state[LOG_SCALE] = state[LOG_SCALE_AVERAGE]  # freeze
