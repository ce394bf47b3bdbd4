"""What every proposal shares: chain state, accept/reject, adaptation.

A proposal (one small file each: :mod:`.random_walk`, :mod:`.langevin`,
:mod:`.independence`) says only how it moves: where it starts, how it draws
x' from the current state, and its Hastings term ``log q(x | x') -
log q(x' | x)``. Everything else is here, written once for all of them:

* :class:`ChainState`, the arrays of one run (all chains);
* :func:`run_numpy`, the engine vectorised over chains: draw, evaluate,
  accept or reject, adapt during the warm-up (Robbins-Monro on the log step
  size toward the proposal's target acceptance, covariance windows), record
  after it;
* the compiled counterparts in :mod:`._compiled`, from which each proposal
  builds its whole-chain kernel.

Both engines consume the same random numbers (one normal and one exponential
stream per chain) in the same order, so for the same seed they give the same
chains up to floating-point rounding.
"""

import math

import numpy as np

from ._compiled import (
    ADAPT_COVARIANCE,
    ADAPT_SCALE,
    AVERAGE_EXPONENT,
    GAIN_EXPONENT,
    LOG_P,
    LOG_SCALE,
    LOG_SCALE_AVERAGE,
    LOG_SCALE_RESET,
    N_ACCEPT,
    N_ACCEPT_WARMUP,
    N_STATE,
    N_WARMUP,
    RM_COUNT,
    SHRINK_PER_FEATURE,
    TARGET_ACCEPT,
    THIN,
    WELFORD_N,
)

# Largest number of floats of random numbers held at once by the NumPy engine.
NUMPY_CHUNK_FLOATS = 2**21


def optimal_acceptance(n_features):
    """Acceptance rate that maximises a random walk's efficiency in d dimensions.

    0.44 in one dimension, tending to 0.234 as d grows (Gelman, Roberts and
    Gilks 1996; Roberts and Rosenthal 2001); ``0.234 + 0.206 d^-0.8``
    interpolates their values (0.352 at d=2, 0.316 at d=3, 0.26 at d=10).

    Examples
    --------
    >>> from skgenfund.sampling.proposals import optimal_acceptance
    >>> round(optimal_acceptance(1), 3), round(optimal_acceptance(100), 3)
    (0.44, 0.239)
    """
    return 0.234 + 0.206 * n_features**-0.8


def covariance_windows(n_warmup):
    """[start, end) steps of the covariance-adaptation windows of a warm-up.

    As Stan does: the first 15% of the warm-up adapts the step size only,
    then windows of doubling length (from 25 steps) end in covariance
    updates, and the last 10% tunes the step size for the final covariance.
    Unlike Stan, each update uses the states of all windows so far (measured:
    restarting the estimate at each window gave R-hat 1.023 instead of below
    1.02 on a 10-D correlated Gaussian, and no gain on harder targets).
    Warm-ups shorter than 100 steps adapt the step size only.

    Examples
    --------
    >>> from skgenfund.sampling.proposals import covariance_windows
    >>> covariance_windows(1000).tolist()
    [[150, 175], [175, 225], [225, 325], [325, 900]]
    """
    if n_warmup < 100:
        return np.zeros((0, 2), dtype=np.int64)
    start = int(0.15 * n_warmup)
    stop = n_warmup - int(0.1 * n_warmup)
    windows = []
    size = 25
    while start < stop:
        end = start + size
        if end + 2 * size > stop:
            end = stop
        windows.append((start, end))
        start = end
        size *= 2
    return np.asarray(windows, dtype=np.int64)


class ChainState:
    """Arrays of one sampling run (all chains), shared by both engines."""

    def __init__(self, n_chains, n_features, n_kept):
        self.x = np.zeros((n_chains, n_features))
        self.xp = np.zeros((n_chains, n_features))
        self.g = np.zeros((n_chains, n_features))
        self.state = np.zeros((n_chains, N_STATE))
        self.chol = np.zeros((n_chains, n_features, n_features))
        self.w_mean = np.zeros((n_chains, n_features))
        self.w_m2 = np.zeros((n_chains, n_features, n_features))
        self.draws = np.zeros((n_chains, n_kept, n_features))
        self.draw_lp = np.zeros((n_chains, n_kept))

    @property
    def scale(self):
        """Current step size s of every chain, shape (n_chains, 1)."""
        return np.exp(self.state[:, LOG_SCALE])[:, np.newaxis]

    def kernel_arguments(self, settings):
        """The arrays a compiled chain kernel takes after ``(target, c, t0, z, e)``."""
        return (
            self.x, self.xp, self.g, self.state, self.chol, self.w_mean,
            self.w_m2, *settings, self.draws, self.draw_lp,
        )  # fmt: skip


class Proposal:
    """A Metropolis-Hastings move; subclasses live one per file.

    Subclasses set the class attributes and implement :meth:`propose` (and
    :meth:`log_q_ratio` when the move is not symmetric); :meth:`step` chains
    them with the target's evaluation. ``kernel`` is the proposal's compiled
    whole-chain function (None: the NumPy engine only).
    """

    #: Short name, as ``MetropolisHastingsSampler(proposal=...)`` takes it.
    name = None
    #: The move needs grad log p (Langevin).
    needs_gradient = False
    #: The move consumes one standard normal vector per step.
    uses_normals = True
    #: The compiled chain kernel, or None.
    kernel = None

    def __init__(self, n_features, *, adapt_scale=True, adapt_covariance=False):
        self.n_features = n_features
        self.adapt_scale = adapt_scale
        self.adapt_covariance = adapt_covariance

    def target_accept(self):
        """Acceptance rate the step-size adaptation aims at."""
        return optimal_acceptance(self.n_features)

    def log_scale_reset(self):
        """log step size after each covariance update (unit-scale target)."""
        return math.log(2.38 / math.sqrt(self.n_features))

    def initialise(self, run, spread, step_size):
        """Set ``run.chol`` and the initial log step size; ``step_size`` None = auto."""
        raise NotImplementedError

    def begin_chunk(self, run, evaluation, length, rng):
        """Work done once per chunk of steps (the independence sampler's draws)."""

    def propose(self, run, z, b):
        """x' for every chain, shape (n_chains, d)."""
        raise NotImplementedError

    def log_q_ratio(self, run, x_prop, g_prop, z):
        """Hastings term ``log q(x | x') - log q(x' | x)`` per chain (0: symmetric)."""
        return 0.0

    def step(self, run, evaluation, z, b):
        """Propose and evaluate: (x', log p(x'), grad log p(x'), log q ratio)."""
        x_prop = self.propose(run, z, b)
        lp_prop, g_prop = evaluation.numpy(x_prop, self.needs_gradient)
        return x_prop, lp_prop, g_prop, self.log_q_ratio(run, x_prop, g_prop, z)

    def accepted(self, run, moved, b):
        """Hook after the test (``moved`` is the boolean mask of moved chains)."""


def _window_ends(windows, n_warmup):
    """For every warm-up step, the end of its covariance window (-1: none)."""
    ends = np.full(max(n_warmup, 0), -1, dtype=np.int64)
    for start, end in windows:
        ends[start:end] = end
    return ends


def _adapt(t, accepted, log_alpha, run, iset, fset, window_end):
    """Warm-up bookkeeping at step t for all chains: :func:`._compiled.adapt`."""
    s = run.state
    s[:, N_ACCEPT_WARMUP] += accepted
    if iset[ADAPT_SCALE]:
        alpha = np.exp(np.minimum(log_alpha, 0.0))
        n = s[:, RM_COUNT] + 1.0
        s[:, RM_COUNT] = n
        s[:, LOG_SCALE] += (alpha - fset[TARGET_ACCEPT]) * n**-GAIN_EXPONENT
        weight = n**-AVERAGE_EXPONENT
        s[:, LOG_SCALE_AVERAGE] = (
            weight * s[:, LOG_SCALE] + (1.0 - weight) * s[:, LOG_SCALE_AVERAGE]
        )
    if iset[ADAPT_COVARIANCE] and window_end >= 0:
        _adapt_covariance(t, window_end, run, iset, fset)
    if iset[ADAPT_SCALE] and t == iset[N_WARMUP] - 1:
        s[:, LOG_SCALE] = s[:, LOG_SCALE_AVERAGE]  # freeze


def _adapt_covariance(t, window_end, run, iset, fset):
    s, x, d = run.state, run.x, run.x.shape[1]
    n = s[:, WELFORD_N] + 1.0
    s[:, WELFORD_N] = n
    diff = x - run.w_mean
    run.w_m2 += ((n - 1.0) / n)[:, None, None] * diff[:, :, None] * diff[:, None, :]
    run.w_mean += diff / n[:, None]
    if t != window_end - 1 or not n[0] > 2.0:
        return
    keep = n[0] / (n[0] + SHRINK_PER_FEATURE * d)
    shrink = np.where(np.eye(d, dtype=bool), 1.0, keep)
    for c in range(x.shape[0]):
        try:
            factor = np.linalg.cholesky(run.w_m2[c] / (n[0] - 1.0) * shrink)
        except np.linalg.LinAlgError:
            continue
        run.chol[c] = factor
        if iset[ADAPT_SCALE]:
            s[c, LOG_SCALE] = fset[LOG_SCALE_RESET]
            s[c, RM_COUNT] = 0.0


def _chunks(n_steps, size):
    for t0 in range(0, n_steps, size):
        yield t0, min(size, n_steps - t0)


def run_numpy(proposal, evaluation, run, settings, streams, n_steps, extra, bar):
    """Run all chains for ``n_steps`` steps, vectorised over chains, in NumPy.

    ``streams`` holds each chain's (normal, exponential) Generators and
    ``extra`` one more Generator for proposals that draw for all chains.
    """
    iset, fset, windows = settings
    n_chains, d = run.x.shape
    n_warmup, thin = int(iset[N_WARMUP]), int(iset[THIN])
    width = d + 1 if proposal.uses_normals else 1
    size = max(1, min(16384, NUMPY_CHUNK_FLOATS // (n_chains * width)))
    state = run.state
    window_ends = _window_ends(windows, n_warmup)
    for t0, length in _chunks(n_steps, size):
        z = np.empty((n_chains, length, d if proposal.uses_normals else 0))
        e = np.empty((n_chains, length))
        for c, (z_stream, e_stream) in enumerate(streams):
            if proposal.uses_normals:
                z_stream.standard_normal(out=z[c])
            e_stream.standard_exponential(out=e[c])
        proposal.begin_chunk(run, evaluation, length, extra)
        for b in range(length):
            t = t0 + b
            x_prop, lp_prop, g_prop, log_q_ratio = proposal.step(
                run, evaluation, z[:, b], b
            )
            log_alpha = lp_prop - state[:, LOG_P] + log_q_ratio
            moved = -e[:, b] < log_alpha
            rows = moved[:, np.newaxis]
            np.copyto(run.x, x_prop, where=rows)
            np.copyto(state[:, LOG_P], lp_prop, where=moved)
            if g_prop is not None:
                np.copyto(run.g, g_prop, where=rows)
            proposal.accepted(run, moved, b)
            if t < n_warmup:
                _adapt(t, moved, log_alpha, run, iset, fset, window_ends[t])
                continue
            state[:, N_ACCEPT] += moved
            kept = t - n_warmup + 1
            if kept % thin == 0:
                row = kept // thin - 1
                run.draws[:, row] = run.x
                run.draw_lp[:, row] = state[:, LOG_P]
        if bar is not None:
            bar.update(length)
