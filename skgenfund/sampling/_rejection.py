"""Rejection sampling: exact independent draws under an envelope M q >= p."""

import math
import numbers
import warnings
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from joblib import effective_n_jobs
from scipy import optimize
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from .._core.validation import check_n_draws, check_positive_int, validate_X
from ._random import spawn_generators
from ._target import (
    as_distribution,
    check_log_ratio_resolution,
    target_and_proposal,
)

# log M = (largest log p - log q found) + ENVELOPE_MARGIN: M is made 1% larger
# than the numerical maximum, which costs 1% of the acceptance rate.
ENVELOPE_MARGIN = math.log(1.01)
N_PILOT = 4096
N_STARTS = 8
MAX_BATCH_FLOATS = 2**22
# A batch of proposals is cut into up to MAX_LANES lanes of at least
# LANE_SIZE, each drawn from its own random stream: the lanes can run on
# several threads and the draws stay the same with any number of threads.
MAX_LANES = 8
LANE_SIZE = 2**16


def _objective(distributions):
    """-(log p - log q) at one point, +inf outside the proposal's support."""
    target, proposal = distributions

    def negative_log_ratio(point):
        row = np.asarray(point, dtype=np.float64).reshape(1, -1)
        lq = proposal.log_prob(row)[0]
        if lq == -np.inf:
            return np.inf
        lp = target.log_prob(row)[0]
        return np.inf if lp == -np.inf else -(lp - lq)

    return negative_log_ratio


def _format_exp(log_value):
    """``exp(log_value)`` as text, also where it overflows a float.

    >>> _format_exp(2.0), _format_exp(5000.0)
    ('7.389', '10^2171.5')
    """
    if log_value < 700:
        return f"{math.exp(log_value):.4g}"
    return f"10^{log_value / math.log(10):.1f}"


def find_log_envelope(target, proposal, rng, extra_points=None):
    """Largest log p(x) - log q(x), by multi-start Nelder-Mead.

    The starts are the best of ``N_PILOT`` proposal draws (plus
    ``extra_points``, e.g. the data or the target's own samples).

    Returns
    -------
    log_ratio_max : float
        The largest value found (before any safety margin).
    pilot_log_ratios : ndarray
        log p - log q at the proposal's pilot draws (for the acceptance guess).
    """
    pilot = proposal.sample(N_PILOT, rng)
    pilot_ratio = target.log_prob(pilot) - proposal.log_prob(pilot)
    candidates, ratios = pilot, pilot_ratio
    if extra_points is not None and len(extra_points):
        lq = proposal.log_prob(extra_points)
        inside = lq > -np.inf
        extra = extra_points[inside]
        candidates = np.vstack([pilot, extra])
        ratios = np.concatenate([pilot_ratio, target.log_prob(extra) - lq[inside]])
    best = float(np.max(ratios))
    check_log_ratio_resolution(ratios, "log-ratios")
    if best == -np.inf:
        raise ValueError(
            "The target density is zero at every one of the proposal's "
            f"{N_PILOT} pilot draws: the proposal does not cover the target."
        )
    objective = _objective((target, proposal))
    order = np.argsort(-ratios)
    starts = []
    for index in order:
        if len(starts) == N_STARTS or ratios[index] == -np.inf:
            break
        if not any(np.allclose(candidates[index], s) for s in starts):
            starts.append(candidates[index])
    n_features = candidates.shape[1]
    best_point = candidates[order[0]]
    for start in starts:
        result = optimize.minimize(
            objective,
            start,
            method="Nelder-Mead",
            options={"xatol": 1e-9, "fatol": 1e-12, "maxiter": 400 * n_features},
        )
        if np.isfinite(result.fun) and -result.fun > best:
            best, best_point = -float(result.fun), result.x
    lq_best = proposal.log_prob(best_point.reshape(1, -1))[0]
    pilot_lq = proposal.log_prob(pilot)
    if lq_best < pilot_lq.min() - 10.0:
        message = (
            "The ratio p(x) / q(x) keeps growing far into the proposal's tails "
            f"(maximum found at x = {np.array2string(best_point, precision=4)}, "
            f"log p/q = {best:.4g}): p / q may be unbounded, and then no envelope "
            "exists. Use a proposal with heavier tails than the target."
        )
        if np.spacing(abs(best)) > 1.0:  # an envelope of no use: nothing accepted
            raise ValueError(message)
        warnings.warn(message, UserWarning, stacklevel=3)
    check_log_ratio_resolution(np.array([best]), "log-ratios")
    return best, pilot_ratio


class RejectionSampler(BaseEstimator):
    """Exact samples from a target by rejection under an envelope ``M q >= p``.

    Proposals x ~ q are accepted with probability ``p(x) / (M q(x))``; the
    accepted ones are independent draws from p (normalised or not), and the
    expected acceptance rate is ``Z_p / (M Z_q)``, i.e. 1/M for normalised
    densities. The test runs in log space, on vectorised batches of
    proposals whose size follows the running acceptance rate.

    ``log_envelope="auto"`` finds log M as the maximum of log p - log q by
    multi-start Nelder-Mead from the best of 4096 proposal draws, plus a 1%
    safety margin on M. The sampler keeps checking: a proposal with
    ``p(x) > M q(x)`` means the envelope was too small and the samples are
    biased (too few draws where p/q is largest), and a UserWarning says where
    and by how much.

    Parameters
    ----------
    target : estimator, scipy.stats frozen distribution, callable or None, \
default=None
        The log-density to sample (unnormalised is fine): an estimator with
        ``score_samples`` (fitted, or unfitted and then fitted on X), a frozen
        continuous scipy.stats distribution, a Numba ``@njit`` function of one
        point, or a callable receiving an (n, d) array and returning n
        log-densities. None fits :class:`~skgenfund.GaussianMLE` on X.
    proposal : estimator or scipy.stats frozen distribution, default=None
        The proposal q: it must draw samples (``sample`` or ``rvs``) and
        evaluate its log-density; an unfitted estimator is fitted on X. None
        uses the Gaussian fit of X with its standard deviations multiplied by
        1.5.
    log_envelope : "auto" or float, default="auto"
        log M. A float fixes it.
    batch_size : "auto" or int, default="auto"
        Proposals per vectorised batch. "auto" sizes each batch from the
        running acceptance rate so that one batch usually suffices.
    max_trials : int or None, default=None
        Most proposals drawn by one call to :meth:`sample` before it stops
        with an error. None: 1000 per requested sample, at least a million.
    random_state : int, RandomState instance or None, default=None
        Seed of the envelope search and of the proposals; the same int gives
        the same draws with any number of threads.
    n_jobs : int or None, default=None
        Threads processing the lanes of large batches; None means 1, -1 all
        cores, as in scikit-learn.

    Attributes
    ----------
    target_ : object
        The fitted target.
    proposal_ : object
        The fitted proposal.
    log_envelope_ : float
        log M used for sampling.
    n_features_in_ : int
        Dimension of the target.
    acceptance_rate_ : float
        Accepted / proposed in the last call to :meth:`sample` (1/M in theory
        for normalised p and q).
    n_trials_ : int
        Proposals drawn in the last call to :meth:`sample`.

    See Also
    --------
    ImportanceSampler : Weights instead of rejections; no envelope needed.
    MetropolisHastingsSampler : MCMC, for targets with no good envelope.

    Examples
    --------
    Beta(2, 5) under a uniform proposal: M = max p = 2.4576, so about 40.7% of
    the proposals are accepted.

    >>> from scipy import stats
    >>> from skgenfund import RejectionSampler
    >>> sampler = RejectionSampler(stats.beta(2, 5), proposal=stats.uniform(),
    ...                            random_state=0).fit()
    >>> round(float(sampler.log_envelope_), 3)  # log(2.4576 * 1.01)
    0.909
    >>> X = sampler.sample(20000)
    >>> X.shape
    (20000, 1)
    >>> round(float(X.mean()), 2)  # 2 / 7
    0.29
    >>> round(sampler.acceptance_rate_, 2)
    0.4
    """

    def __init__(
        self,
        target=None,
        *,
        proposal=None,
        log_envelope="auto",
        batch_size="auto",
        max_trials=None,
        random_state=None,
        n_jobs=None,
    ):
        self.target = target
        self.proposal = proposal
        self.log_envelope = log_envelope
        self.batch_size = batch_size
        self.max_trials = max_trials
        self.random_state = random_state
        self.n_jobs = n_jobs

    def _check_parameters(self):
        if isinstance(self.log_envelope, str):
            if self.log_envelope != "auto":
                raise ValueError(
                    "log_envelope must be 'auto' or a float; got "
                    f"{self.log_envelope!r}."
                )
        elif not (
            isinstance(self.log_envelope, numbers.Real)
            and math.isfinite(self.log_envelope)
        ):
            raise ValueError(
                f"log_envelope must be 'auto' or a finite float; got "
                f"{self.log_envelope!r}."
            )
        if not (isinstance(self.batch_size, str) and self.batch_size == "auto"):
            check_positive_int("batch_size", self.batch_size)
        if self.max_trials is not None:
            check_positive_int("max_trials", self.max_trials)

    def fit(self, X=None, y=None):
        """Fit the target and proposal if needed, and find the envelope.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), default=None
            Data: fits an unfitted target or proposal (the defaults are the
            Gaussian fit of X and a wider Gaussian around X).
        y : None
            Ignored; present for API consistency.

        Returns
        -------
        self : RejectionSampler
            The fitted sampler.
        """
        self._check_parameters()
        if X is not None:
            X = validate_X(self, X, reset=True)
        target, proposal, self.n_features_in_ = target_and_proposal(
            self.target, self.proposal, X
        )
        self.target_, self.proposal_ = target.source, proposal.source
        if isinstance(self.log_envelope, str):
            # a stream of its own: sample() uses the first MAX_LANES
            rng = spawn_generators(self.random_state, MAX_LANES + 1)[MAX_LANES]
            extra = X[: 10 * N_PILOT] if X is not None else None
            if extra is None and target.can_sample:
                extra = target.sample(N_PILOT // 4, rng)
            best, pilot_ratio = find_log_envelope(target, proposal, rng, extra)
            self.log_envelope_ = best + ENVELOPE_MARGIN
        else:
            self.log_envelope_ = float(self.log_envelope)
            pilot_ratio = None
        self._acceptance_guess = (
            float(np.mean(np.exp(np.minimum(pilot_ratio - self.log_envelope_, 0.0))))
            if pilot_ratio is not None
            else None
        )
        return self

    def _distributions(self):
        return (
            as_distribution(self.target_),
            as_distribution(self.proposal_, name="proposal"),
        )

    def _next_batch(self, remaining, rate):
        if not isinstance(self.batch_size, str):
            return int(self.batch_size)
        cap = max(16, MAX_BATCH_FLOATS // max(1, self.n_features_in_))
        if rate is None or rate <= 0:
            return int(min(cap, max(256, 2 * remaining)))
        return int(min(cap, max(16, math.ceil(1.1 * remaining / rate) + 16)))

    def sample(self, n_samples=1, random_state=None):
        """Draw exact samples by rejection.

        Parameters
        ----------
        n_samples : int, default=1
            Number of samples.
        random_state : int, RandomState instance or None, default=None
            Seed of this call; None uses the estimator's ``random_state``.

        Returns
        -------
        X : ndarray of shape (n_samples, n_features)
            Independent draws from the target.

        Raises
        ------
        RuntimeError
            If ``max_trials`` proposals yield fewer than ``n_samples``
            acceptances.

        Warns
        -----
        UserWarning
            If a proposal had ``p(x) > M q(x)`` (the envelope is too small and
            the samples are biased).
        """
        check_is_fitted(self)
        n_samples = check_n_draws(n_samples, self.n_features_in_)
        seed = self.random_state if random_state is None else random_state
        streams = spawn_generators(seed, MAX_LANES)
        target, proposal = self._distributions()
        max_trials = (
            max(10**6, 1000 * n_samples) if self.max_trials is None else self.max_trials
        )
        log_m = self.log_envelope_
        n_threads = min(MAX_LANES, effective_n_jobs(self.n_jobs))
        pool = ThreadPoolExecutor(n_threads) if n_threads > 1 else None

        def lane(stream, size):
            x, log_q = proposal.sample_with_log_prob(size, stream)
            e = stream.standard_exponential(size)
            return target.rejection_test(x, log_q, e, log_m)

        accepted, n_accepted, n_trials = [], 0, 0
        rate = self._acceptance_guess
        worst_excess, worst_point = 0.0, None
        try:
            while n_accepted < n_samples:
                if n_trials >= max_trials:
                    raise RuntimeError(
                        f"Drew {n_trials} proposals (max_trials={max_trials}) but "
                        f"accepted only {n_accepted} of the {n_samples} samples "
                        f"requested (acceptance rate {n_accepted / n_trials:.2e}). "
                        "The proposal rarely lands where the target has mass, or "
                        f"log M = {log_m:.4g} is far too large. Use a proposal "
                        "closer to the target, a smaller log_envelope, or a larger "
                        "max_trials."
                    )
                size = min(self._next_batch(n_samples - n_accepted, rate),
                           max_trials - n_trials)  # fmt: skip
                n_lanes = int(np.clip(size // LANE_SIZE, 1, MAX_LANES))
                sizes = np.diff(np.linspace(0, size, n_lanes + 1).astype(int))
                if pool is None:
                    results = [lane(streams[i], m) for i, m in enumerate(sizes)]
                else:
                    results = list(pool.map(lane, streams[:n_lanes], sizes))
                for kept, excess, worst in results:
                    if excess > worst_excess:
                        worst_excess, worst_point = excess, worst
                    accepted.append(kept)
                    n_accepted += kept.shape[0]
                n_trials += size
                rate = n_accepted / n_trials
        finally:
            if pool is not None:
                pool.shutdown()
        self.n_trials_ = n_trials
        self.acceptance_rate_ = n_accepted / n_trials
        if worst_point is not None:
            warnings.warn(
                f"The envelope is too small: p(x) > M q(x) at x = "
                f"{np.array2string(worst_point, precision=6)}, where p / q exceeds "
                f"M = exp({log_m:.6g}) by a factor of {_format_exp(worst_excess)} "
                f"(log M should be at least {log_m + worst_excess:.6g}). The samples "
                "are biased: pass a larger log_envelope.",
                UserWarning,
                stacklevel=2,
            )
        return np.concatenate(accepted)[:n_samples]
