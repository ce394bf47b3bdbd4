"""Gaussian random walk: x' = x + s L z, a symmetric move (no Hastings term).

``proposal="gaussian"`` takes L = I (an isotropic walk), ``proposal=<(d, d)
matrix>`` the matrix's Cholesky factor, and ``proposal="adaptive"`` (the
default) learns L during the warm-up: Haario et al.'s adaptive Metropolis,
with the covariance estimated in Stan-like doubling windows and the scale s
reset to 2.38 / sqrt(d) after each update, then frozen for the kept draws.
"""

import math

import numpy as np
from numba import njit

from ._base import Proposal
from ._compiled import (
    LOG_P,
    LOG_SCALE,
    N_ACCEPT,
    N_RECORDED,
    N_WARMUP,
    SINCE_RECORD,
    THIN,
    adapt,
    bad_log_density,
    copy_into,
    keep_step,
    log_density,
    lower_times,
)


@njit(cache=True, nogil=True)
def random_walk_chain(
    target, c, t0, z, e, x, xp, g, state, chol, w_mean, w_m2, iset, fset, windows,
    draws, draw_lp,
):  # fmt: skip
    """Run chain c for len(e) steps from step t0, compiled.

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
        lower_times(cholc, z[b], math.exp(sc[LOG_SCALE]), xc, xpc)
        lp_prop = log_density(target, xpc)
        if bad_log_density(lp_prop):
            copy_into(xpc, xp[c])
            return t0 + b
        log_alpha = lp_prop - lp
        accepted = -e[b] < log_alpha
        if accepted:
            for i in range(xc.shape[0]):
                xc[i] = xpc[i]
            lp = lp_prop
        adapt(t0 + b, accepted, log_alpha, xc, sc, cholc, meanc, m2c, iset, fset,
              windows)  # fmt: skip
    sc[LOG_P] = lp
    scale, thin = math.exp(sc[LOG_SCALE]), iset[THIN]
    n_accept, since, row = 0, int(sc[SINCE_RECORD]), int(sc[N_RECORDED])
    for b in range(n_warm, e.shape[0]):
        lower_times(cholc, z[b], scale, xc, xpc)
        lp_prop = log_density(target, xpc)
        if bad_log_density(lp_prop):
            copy_into(xpc, xp[c])
            return t0 + b
        if -e[b] < lp_prop - lp:
            for i in range(xc.shape[0]):
                xc[i] = xpc[i]
            lp = lp_prop
            n_accept += 1
        since, row = keep_step(xc, lp, since, thin, row, drawsc, draw_lpc)
    sc[LOG_P], sc[N_ACCEPT] = lp, sc[N_ACCEPT] + n_accept
    sc[SINCE_RECORD], sc[N_RECORDED] = since, row
    copy_into(xc, x[c])
    return -1


class RandomWalk(Proposal):
    """x' = x + s L z with z ~ N(0, I): symmetric, so q cancels.

    Parameters
    ----------
    n_features : int
    factor : {"identity", "adaptive"} or ndarray of shape (d, d)
        L = I; L = diag(typical spread), learned during the warm-up; or the
        Cholesky factor of a given proposal covariance (s starting at 1).
    adapt_scale : bool
        Adapt s during the warm-up.
    adapt_covariance : bool
        Learn L during the warm-up (``factor="adaptive"``).
    """

    name = "gaussian"
    kernel = staticmethod(random_walk_chain)

    def __init__(self, n_features, factor="identity", **adaptation):
        super().__init__(n_features, **adaptation)
        self.factor = factor

    def initialise(self, run, spread, step_size):
        reset = self.log_scale_reset()
        if isinstance(self.factor, np.ndarray):
            run.chol[:] = self.factor
            log_scale = 0.0
        elif self.factor == "adaptive":
            run.chol[:] = np.diag(spread)
            log_scale = reset
        else:
            run.chol[:] = np.eye(self.n_features)
            log_scale = reset + math.log(spread.mean())
        if step_size is not None:
            log_scale = math.log(step_size)
        run.state[:, LOG_SCALE] = log_scale

    def propose(self, run, z, b):
        return run.x + run.scale * (run.chol @ z[:, :, np.newaxis])[:, :, 0]
