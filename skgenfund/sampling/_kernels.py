"""Numba kernels of the samplers: whole Markov chains without Python per step.

Every kernel is ``@njit(cache=True)`` and compiled the first time it is
called, never at import. The kernels for the package's own densities call
:func:`skgenfund._core._kernels.mixture_logpdf_point` as a module-level
global, so Numba's on-disk cache serves them in every new process. Kernels
that take a user's ``@njit`` log-density as an argument cannot be cached by
Numba (a function argument is part of the type signature), so they compile
once per process and per function.

Randomness never comes from inside a kernel: the caller draws, from one
numpy Generator per chain, the standard normals ``z`` of the random-walk
increments and the standard exponentials ``e`` of the acceptance tests
(accept when ``-e < log alpha``, i.e. ``u < alpha`` with ``u = exp(-e)``), and
passes them in. A chain's draws therefore depend only on its own generators:
the same seed gives the same chains whatever the number of threads, the
chunking of the run or the kind of target (compiled or Python).

State of chain ``c`` (all arrays are shared by the chains, indexed by ``c``):

* ``x[c]``: current point;
* ``state[c]``: the float slots named below (log-density, step size, counts);
* ``chol[c]``: lower Cholesky factor L of the (unscaled) proposal covariance;
  a random-walk proposal is ``x + exp(state[c, LOG_SCALE]) * L z``;
* ``w_mean[c]``, ``w_m2[c]``: Welford accumulators of the covariance
  adaptation;
* ``draws[c]``, ``draw_lp[c]``: the kept states and their log-densities.

The per-step functions work on one chain's views, taken once per call of a
chain kernel: slicing a Numba array inside the step loop would cost reference
counting at every step. For the same reason the chain kernels run the
warm-up (which calls the adaptation) and the kept steps in separate loops:
a call that takes arrays anywhere in a loop makes Numba reference-count the
loop's arrays at every step, which tripled the cost of a step.

Settings: ``iset = (n_warmup, thin, adapt_scale, adapt_covariance)``,
``fset = (target_accept, log_scale_after_covariance_update)`` and
``windows`` (n_windows, 2), the [start, end) steps of the covariance windows.
"""

import math

import numpy as np
from numba import njit

from .._core._kernels import mixture_logpdf_point

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
def propose(x, z, row, scale, chol, out):
    """Random-walk proposal ``out = x + scale * L z[row]``, L lower triangular."""
    n_features = x.shape[0]
    for i in range(n_features):
        acc = 0.0
        for j in range(i + 1):
            acc += chol[i, j] * z[row, j]
        out[i] = x[i] + scale * acc


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
                gamma = SHRINK_PER_FEATURE * n_features
                keep = n / (n + gamma)
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


@njit(cache=True, inline="always")
def accept(x_prop, lp_prop, log_q_ratio, e, x, lp):
    """Metropolis-Hastings test: move x to x_prop if ``-e < log alpha``.

    Returns
    -------
    accepted : bool
    lp : float
        Log-density of the chain's point after the test.
    log_alpha : float
        Log acceptance ratio (the adaptation uses min(1, exp(log_alpha))).
    """
    log_alpha = lp_prop - lp + log_q_ratio
    accepted = -e < log_alpha
    if accepted:
        for i in range(x.shape[0]):
            x[i] = x_prop[i]
        lp = lp_prop
    return accepted, lp, log_alpha


@njit(cache=True, inline="always")
def record(since, row, thin, x, lp, draws, draw_lp):
    """Keep every thin-th state after the warm-up; returns the new counters."""
    since += 1
    if since == thin:
        since = 0
        for i in range(x.shape[0]):
            draws[row, i] = x[i]
        draw_lp[row] = lp
        row += 1
    return since, row


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


@njit(cache=True)
def mh_update(
    t, x_prop, lp_prop, log_q_ratio, e, x, lp, state, chol, w_mean, w_m2, iset,
    fset, windows, draws, draw_lp,
):  # fmt: skip
    """One complete step of one chain: test, then adapt or record.

    Used where a step costs far more than this call anyway (the Python-target
    path, the independence sampler); all array arguments but the settings
    are the chain's own views. Returns ``(accepted, lp)``.
    """
    accepted, lp, log_alpha = accept(x_prop, lp_prop, log_q_ratio, e, x, lp)
    if t < iset[N_WARMUP]:
        adapt(t, accepted, log_alpha, x, state, chol, w_mean, w_m2, iset, fset, windows)
    else:
        if accepted:
            state[N_ACCEPT] += 1.0
        since, row = record(
            int(state[SINCE_RECORD]), int(state[N_RECORDED]), iset[THIN], x, lp,
            draws, draw_lp,
        )  # fmt: skip
        state[SINCE_RECORD] = since
        state[N_RECORDED] = row
    return accepted, lp


@njit(cache=True, inline="always")
def bad_log_density(lp):
    """NaN or +inf: not a log-density."""
    return math.isnan(lp) or lp == np.inf


# The two random-walk kernels below differ only in how the target is
# evaluated: a module-level call (cacheable) or a function argument (not).


@njit(cache=True, nogil=True)
def random_walk_mixture(
    c, t0, z, e, x, xp, state, chol, w_mean, w_m2, iset, fset, windows, draws,
    draw_lp, log_weights, means, precisions_cholesky, log_dets,
):  # fmt: skip
    """Run chain c for len(e) steps from step t0 on a Gaussian-mixture target.

    Returns -1, or the step at which the target's log-density was NaN or +inf
    (the offending point is then left in ``xp[c]``).
    """
    # private copies of the points: chains on other threads write their own
    # x and xp, which may share a cache line with these (false sharing)
    xc, xpc, sc, cholc = x[c].copy(), xp[c].copy(), state[c], chol[c]
    meanc, m2c, drawsc, draw_lpc = w_mean[c], w_m2[c], draws[c], draw_lp[c]
    lp = sc[LOG_P]
    n_warm = max(0, min(e.shape[0], iset[N_WARMUP] - t0))
    for b in range(n_warm):
        propose(xc, z, b, math.exp(sc[LOG_SCALE]), cholc, xpc)
        lp_prop = mixture_logpdf_point(
            xpc, log_weights, means, precisions_cholesky, log_dets
        )
        if bad_log_density(lp_prop):
            xp[c, :] = xpc
            return t0 + b
        accepted, lp, log_alpha = accept(xpc, lp_prop, 0.0, e[b], xc, lp)
        adapt(t0 + b, accepted, log_alpha, xc, sc, cholc, meanc, m2c, iset, fset,
              windows)  # fmt: skip
    sc[LOG_P] = lp
    scale, thin = math.exp(sc[LOG_SCALE]), iset[THIN]
    n_accept, since, row = 0, int(sc[SINCE_RECORD]), int(sc[N_RECORDED])
    for b in range(n_warm, e.shape[0]):
        propose(xc, z, b, scale, cholc, xpc)
        lp_prop = mixture_logpdf_point(
            xpc, log_weights, means, precisions_cholesky, log_dets
        )
        if bad_log_density(lp_prop):
            xp[c, :] = xpc
            return t0 + b
        # accept() and record() written out: as calls they double the step's cost
        if -e[b] < lp_prop - lp:
            for i in range(xc.shape[0]):
                xc[i] = xpc[i]
            lp = lp_prop
            n_accept += 1
        since += 1
        if since == thin:
            since = 0
            for i in range(xc.shape[0]):
                drawsc[row, i] = xc[i]
            draw_lpc[row] = lp
            row += 1
    sc[LOG_P], sc[N_ACCEPT] = lp, sc[N_ACCEPT] + n_accept
    sc[SINCE_RECORD], sc[N_RECORDED] = since, row
    x[c, :] = xc
    return -1


@njit(cache=True, nogil=True)
def random_walk_function(
    func, c, t0, z, e, x, xp, state, chol, w_mean, w_m2, iset, fset, windows,
    draws, draw_lp,
):  # fmt: skip
    """As :func:`random_walk_mixture` for a user's @njit point log-density."""
    # private copies of the points: chains on other threads write their own
    # x and xp, which may share a cache line with these (false sharing)
    xc, xpc, sc, cholc = x[c].copy(), xp[c].copy(), state[c], chol[c]
    meanc, m2c, drawsc, draw_lpc = w_mean[c], w_m2[c], draws[c], draw_lp[c]
    lp = sc[LOG_P]
    n_warm = max(0, min(e.shape[0], iset[N_WARMUP] - t0))
    for b in range(n_warm):
        propose(xc, z, b, math.exp(sc[LOG_SCALE]), cholc, xpc)
        lp_prop = func(xpc)
        if bad_log_density(lp_prop):
            xp[c, :] = xpc
            return t0 + b
        accepted, lp, log_alpha = accept(xpc, lp_prop, 0.0, e[b], xc, lp)
        adapt(t0 + b, accepted, log_alpha, xc, sc, cholc, meanc, m2c, iset, fset,
              windows)  # fmt: skip
    sc[LOG_P] = lp
    scale, thin = math.exp(sc[LOG_SCALE]), iset[THIN]
    n_accept, since, row = 0, int(sc[SINCE_RECORD]), int(sc[N_RECORDED])
    for b in range(n_warm, e.shape[0]):
        propose(xc, z, b, scale, cholc, xpc)
        lp_prop = func(xpc)
        if bad_log_density(lp_prop):
            xp[c, :] = xpc
            return t0 + b
        # accept() and record() written out: as calls they double the step's cost
        if -e[b] < lp_prop - lp:
            for i in range(xc.shape[0]):
                xc[i] = xpc[i]
            lp = lp_prop
            n_accept += 1
        since += 1
        if since == thin:
            since = 0
            for i in range(xc.shape[0]):
                drawsc[row, i] = xc[i]
            draw_lpc[row] = lp
            row += 1
    sc[LOG_P], sc[N_ACCEPT] = lp, sc[N_ACCEPT] + n_accept
    sc[SINCE_RECORD], sc[N_RECORDED] = since, row
    x[c, :] = xc
    return -1


@njit(cache=True)
def random_walk_propose_all(z, x, state, chol, xp):
    """One random-walk proposal for every chain (the Python-target path)."""
    for c in range(x.shape[0]):
        propose(x[c], z, c, math.exp(state[c, LOG_SCALE]), chol[c], xp[c])


@njit(cache=True)
def mh_update_all(
    t, xp, lp_prop, e, x, state, chol, w_mean, w_m2, iset, fset, windows, draws,
    draw_lp,
):  # fmt: skip
    """:func:`mh_update` for every chain at step t (the Python-target path)."""
    for c in range(x.shape[0]):
        _, state[c, LOG_P] = mh_update(
            t, xp[c], lp_prop[c], 0.0, e[c], x[c], state[c, LOG_P], state[c],
            chol[c], w_mean[c], w_m2[c], iset, fset, windows, draws[c], draw_lp[c],
        )  # fmt: skip


@njit(cache=True, nogil=True)
def independence_chain(
    c, t0, x_prop, lp_prop, lq_prop, e, x, state, chol, w_mean, w_m2, iset, fset,
    windows, draws, draw_lp,
):  # fmt: skip
    """Run chain c of an independence sampler through precomputed proposals.

    ``x_prop`` (n, d) are draws from the proposal q, ``lp_prop`` and
    ``lq_prop`` their target and proposal log-densities; the acceptance
    ratio carries the Hastings correction ``log q(x) - log q(x')``.
    """
    xc, sc, cholc = x[c].copy(), state[c], chol[c]  # copy: no false sharing
    meanc, m2c, drawsc, draw_lpc = w_mean[c], w_m2[c], draws[c], draw_lp[c]
    lp = sc[LOG_P]
    for b in range(e.shape[0]):
        accepted, lp = mh_update(
            t0 + b, x_prop[b], lp_prop[b], sc[LOG_Q] - lq_prop[b], e[b], xc, lp,
            sc, cholc, meanc, m2c, iset, fset, windows, drawsc, draw_lpc,
        )  # fmt: skip
        if accepted:
            sc[LOG_Q] = lq_prop[b]
    sc[LOG_P] = lp
    x[c, :] = xc
