"""Metropolis-adjusted Langevin (MALA): a gradient-driven, asymmetric move.

With M = L L^T the preconditioner (learned during the warm-up as the
adaptive random walk learns its covariance) and s the step size,

    x' = x + (s^2 / 2) M grad log p(x) + s L z,    z ~ N(0, I),

a discretised Langevin diffusion whose stationary law is p. The move is not
symmetric, so the acceptance ratio carries the Hastings term
``log q(x | x') - log q(x' | x)``; without it the chain samples a biased
law (the unadjusted Langevin algorithm). Writing ``a = L^T grad log p(x)``,
``a' = L^T grad log p(x')`` and ``r = z + (s / 2) (a + a')``, the term is
``(|z|^2 - |r|^2) / 2``: no triangular solve is needed. The step size is
adapted toward acceptance 0.574 (Roberts and Rosenthal 1998), starting from
their optimal scale 1.65 d^(-1/6) for a unit-scale target.
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
    bad_gradient,
    bad_log_density,
    copy_into,
    keep_step,
    log_density_gradient,
    lower_times,
    lower_transposed_times,
)

#: Optimal MALA acceptance rate in high dimension (Roberts and Rosenthal 1998).
MALA_ACCEPTANCE = 0.574


@njit(cache=True, inline="always")
def _langevin_move(xc, gc, z, b, scale, cholc, a, v, xpc):
    """x' = x + s L (z + (s / 2) L^T g), with a = L^T g left in ``a``."""
    lower_transposed_times(cholc, gc, a)
    for i in range(xc.shape[0]):
        v[i] = z[b, i] + 0.5 * scale * a[i]
    lower_times(cholc, v, scale, xc, xpc)


@njit(cache=True, inline="always")
def _log_alpha(lp_prop, lp, z, b, scale, a, ap):
    if lp_prop == -np.inf:
        return -np.inf
    q = 0.0
    for i in range(a.shape[0]):
        r = z[b, i] + 0.5 * scale * (a[i] + ap[i])
        q += z[b, i] * z[b, i] - r * r
    return lp_prop - lp + 0.5 * q


@njit(cache=True, nogil=True)
def langevin_chain(
    target, c, t0, z, e, x, xp, g, state, chol, w_mean, w_m2, iset, fset, windows,
    draws, draw_lp,
):  # fmt: skip
    """Run MALA chain c for len(e) steps from step t0, compiled.

    Returns -1; the step t at which the log-density was NaN or +inf; or
    ``-2 - t`` if the gradient was not finite there (the point is left in
    ``xp[c]``).
    """
    d = x.shape[1]
    xc, xpc, gc, sc, cholc = x[c].copy(), xp[c].copy(), g[c].copy(), state[c], chol[c]
    meanc, m2c, drawsc, draw_lpc = w_mean[c], w_m2[c], draws[c], draw_lp[c]
    gpc, a, ap, v, work = (np.empty(d), np.empty(d), np.empty(d), np.empty(d),
                           np.empty(d))  # fmt: skip
    lp = sc[LOG_P]
    n_warm = max(0, min(e.shape[0], iset[N_WARMUP] - t0))
    for b in range(n_warm):
        scale = math.exp(sc[LOG_SCALE])
        _langevin_move(xc, gc, z, b, scale, cholc, a, v, xpc)
        lp_prop = log_density_gradient(target, xpc, gpc, work)
        if bad_log_density(lp_prop) or (lp_prop > -np.inf and bad_gradient(gpc)):
            copy_into(xpc, xp[c])
            return t0 + b if bad_log_density(lp_prop) else -2 - (t0 + b)
        lower_transposed_times(cholc, gpc, ap)
        log_alpha = _log_alpha(lp_prop, lp, z, b, scale, a, ap)
        accepted = -e[b] < log_alpha
        if accepted:
            for i in range(d):
                xc[i] = xpc[i]
                gc[i] = gpc[i]
            lp = lp_prop
        adapt(t0 + b, accepted, log_alpha, xc, sc, cholc, meanc, m2c, iset, fset,
              windows)  # fmt: skip
    sc[LOG_P] = lp
    scale, thin = math.exp(sc[LOG_SCALE]), iset[THIN]
    n_accept, since, row = 0, int(sc[SINCE_RECORD]), int(sc[N_RECORDED])
    for b in range(n_warm, e.shape[0]):
        _langevin_move(xc, gc, z, b, scale, cholc, a, v, xpc)
        lp_prop = log_density_gradient(target, xpc, gpc, work)
        if bad_log_density(lp_prop) or (lp_prop > -np.inf and bad_gradient(gpc)):
            copy_into(xpc, xp[c])
            return t0 + b if bad_log_density(lp_prop) else -2 - (t0 + b)
        lower_transposed_times(cholc, gpc, ap)
        if -e[b] < _log_alpha(lp_prop, lp, z, b, scale, a, ap):
            for i in range(d):
                xc[i] = xpc[i]
                gc[i] = gpc[i]
            lp = lp_prop
            n_accept += 1
        since, row = keep_step(xc, lp, since, thin, row, drawsc, draw_lpc)
    sc[LOG_P], sc[N_ACCEPT] = lp, sc[N_ACCEPT] + n_accept
    sc[SINCE_RECORD], sc[N_RECORDED] = since, row
    copy_into(xc, x[c])
    copy_into(gc, g[c])
    return -1


class Langevin(Proposal):
    """MALA: x' = x + (s^2 / 2) L L^T grad log p(x) + s L z, Hastings-corrected.

    Parameters
    ----------
    n_features : int
    adapt_scale, adapt_covariance : bool
        Adapt s toward acceptance 0.574, and learn the preconditioner L L^T,
        during the warm-up. L starts at diag(typical spread) when adapting,
        at I otherwise.
    """

    name = "mala"
    needs_gradient = True
    kernel = staticmethod(langevin_chain)

    def target_accept(self):
        return MALA_ACCEPTANCE

    def log_scale_reset(self):
        return math.log(1.65) - math.log(self.n_features) / 6.0

    def initialise(self, run, spread, step_size):
        if step_size is None:
            run.chol[:] = np.diag(spread)
            run.state[:, LOG_SCALE] = self.log_scale_reset()
        else:
            run.chol[:] = np.eye(self.n_features)
            run.state[:, LOG_SCALE] = math.log(step_size)

    @staticmethod
    def _preconditioned(run, grad):
        """a = L^T grad for every chain."""
        return (grad[:, np.newaxis, :] @ run.chol)[:, 0]

    def propose(self, run, z, b):
        scale = run.scale
        v = z + 0.5 * scale * self._preconditioned(run, run.g)
        return run.x + scale * (run.chol @ v[:, :, np.newaxis])[:, :, 0]

    def log_q_ratio(self, run, x_prop, g_prop, z):
        scale = run.scale
        r = z + 0.5 * scale * (
            self._preconditioned(run, run.g) + self._preconditioned(run, g_prop)
        )
        return 0.5 * np.sum(z * z - r * r, axis=1)

    def step(self, run, evaluation, z, b):
        x_prop, lp_prop, g_prop, log_q_ratio = super().step(run, evaluation, z, b)
        # where the target is zero the move is rejected whatever the gradient
        log_q_ratio = np.where(lp_prop == -np.inf, 0.0, log_q_ratio)
        return x_prop, lp_prop, g_prop, log_q_ratio
