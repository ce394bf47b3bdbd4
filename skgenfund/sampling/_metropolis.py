"""Metropolis-Hastings: random-walk and independence samplers with several chains."""

import math
import numbers
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from joblib import effective_n_jobs
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from .._core.validation import check_positive_int, validate_X
from ._diagnostics import autocorrelation_function
from ._limits import check_run_size
from ._random import spawn_generators
from ._summary import statistic, summarize, to_inference_data, warn_if_unconverged
from ._target import as_distribution, resolve_n_features
from .proposals import (
    PROPOSALS,
    ChainState,
    Evaluation,
    covariance_windows,
    make_proposal,
    optimal_acceptance,
)
from .proposals._base import run_numpy
from .proposals._compiled import LOG_P, LOG_SCALE, N_ACCEPT, N_ACCEPT_WARMUP

__all__ = ["MetropolisHastingsSampler", "covariance_windows", "optimal_acceptance"]

# Steps per chunk of the compiled engine: random-walk streams do not depend on
# the chunking, so it takes long chunks (few thread hand-offs).
COMPILED_CHUNK = 16384
# Runs of at most this many chain steps (n_chains x (n_warmup + kept steps))
# take the NumPy engine even when the target could run compiled: a compile
# costs seconds in a fresh process, more than such a run costs in NumPy. The
# choice depends on the call's sizes only, so a seed always gives the same
# draws; both engines consume the same random numbers, so their chains agree
# to rounding.
NUMPY_MAX_CHAIN_STEPS = 40_000


class MetropolisHastingsSampler(BaseEstimator):
    """Metropolis-Hastings MCMC with several chains and adaptive warm-up.

    Each chain proposes x' from q(x' | x) and moves there with probability
    ``min(1, p(x') q(x | x') / (p(x) q(x' | x)))``; its states are draws
    from p once the chain has forgotten its start. The target may be
    unnormalised.

    * ``proposal="adaptive"`` (the default): a random walk x' = x + s L z,
      z ~ N(0, I), whose covariance L L^T is learned during the warm-up
      (Haario et al.'s adaptive Metropolis, scaled by 2.38^2 / d, in
      Stan-like doubling windows), then frozen, so a correlated or badly
      scaled target mixes without tuning. ``step_size="auto"`` adapts s
      during the warm-up (Robbins-Monro on log s) toward the optimal
      acceptance rate, about 0.44 in one dimension and 0.234 in many, then
      freezes it.
    * ``proposal="gaussian"``: the isotropic random walk x' = x + s z
      (symmetric, so q cancels), s adapted as above.
    * ``proposal="mala"``: Metropolis-adjusted Langevin, x' = x + (s^2 / 2)
      M grad log p(x) + s L z with M = L L^T the covariance learned as for
      "adaptive"; the move is asymmetric, so the acceptance ratio carries the
      Hastings term q(x | x') / q(x' | x). s is adapted toward acceptance
      0.574. The gradient is analytic for the package's own densities;
      otherwise pass ``gradient=``.
    * ``proposal=`` a (d, d) covariance matrix: random walk x' = x + s L z
      with L L^T the matrix; s starts at 1 and is adapted if
      ``step_size="auto"``.
    * ``proposal=`` a distribution (an estimator with ``score_samples`` and
      ``sample``, unfitted ones being fitted on X, or a scipy.stats frozen
      distribution): an independence sampler x' ~ q, with the Hastings
      correction q(x) / q(x'). A density fitted to data near the target makes
      a good one; its tails must be at least as heavy as the target's.

    For the package's own fitted densities (``GaussianMLE``,
    ``EMGaussianMixture``) and Numba ``@njit`` targets (with an ``@njit``
    gradient for MALA), long runs go entirely through compiled code; short
    runs (at most 40,000 chain steps, warm-up included), and any Python
    callable target, take a NumPy engine vectorised over the chains, which
    needs no compilation (a Python callable is called once per step for all
    chains at once: pass many chains to amortise it). Both engines consume
    the same random numbers, so they give the same chains up to rounding.
    Compiled chains run on ``n_jobs`` threads with one random stream each, so
    the draws do not depend on the number of threads.

    Parameters
    ----------
    target : estimator, scipy.stats frozen distribution, callable or None, \
default=None
        The log-density to sample: an estimator with ``score_samples``
        (fitted, or unfitted and then fitted on X), a frozen continuous
        scipy.stats distribution, a Numba ``@njit`` function of one point (a
        1-D array of length d) returning a float, or a callable receiving an
        (n, d) array and returning n log-densities (unnormalised is fine).
        None fits :class:`~skgenfund.GaussianMLE` on X.
    proposal : {"adaptive", "gaussian", "mala"}, array-like of shape (d, d) \
or distribution, default="adaptive"
        The proposal; see above.
    step_size : "auto" or float, default="auto"
        Scale s of the random walk. "auto" starts at 2.38 / sqrt(d) times the
        typical standard deviation of X (or of the target's own samples, or
        1) and adapts it during the warm-up. A float fixes it. Ignored by the
        independence sampler.
    n_chains : int, default=4
        Number of independent chains.
    n_warmup : int, default=1000
        Steps per chain discarded before the kept draws; the adaptation
        happens during them and stops afterwards.
    thin : int, default=1
        Keep every ``thin``-th state after the warm-up.
    initial : array-like of shape (n_chains, d) or (d,), default=None
        Starting points. None draws them among the rows of X, or from the
        target when it can sample; a bare callable with no X needs
        ``initial``.
    gradient : callable or None, default=None
        grad log p for ``proposal="mala"`` when the target is not one of the
        package's densities: a callable receiving an (n, d) array and
        returning an (n, d) array, or a Numba ``@njit`` function of one point
        returning a (d,) array (with an ``@njit`` target, the chains then run
        compiled). Only ``proposal="mala"`` uses it.
    random_state : int, RandomState instance or None, default=None
        Seed of every random stream (one per chain); the same int gives the
        same draws with any number of threads.
    progress : bool, default=False
        Show a tqdm progress bar (tqdm must be installed:
        ``pip install skgenfund[progress]``).
    n_jobs : int or None, default=None
        Threads running the chains (compiled targets); None means 1, -1 all
        cores, as in scikit-learn.

    Attributes
    ----------
    target_ : object
        The fitted target (a clone of an unfitted estimator, fitted on X).
    proposal_ : str, ndarray or object
        The proposal as used (a fitted clone for an independence proposal).
    n_features_in_ : int
        Dimension of the target.
    chains_ : ndarray of shape (n_chains, n_draws, n_features)
        Kept draws of the last call to :meth:`sample`, chain by chain.
    log_prob_ : ndarray of shape (n_chains, n_draws)
        Target log-density of each kept draw.
    acceptance_rate_ : ndarray of shape (n_chains,)
        Fraction of accepted proposals after the warm-up, per chain.
    warmup_acceptance_rate_ : ndarray of shape (n_chains,)
        The same during the warm-up.
    step_size_ : ndarray of shape (n_chains,)
        Frozen step size s of each chain (NaN for an independence sampler).
    proposal_covariance_ : ndarray of shape (n_chains, n_features, n_features)
        ``step_size_**2 * L L^T``: the covariance of the random-walk
        increments x' - x, or of MALA's noise, of each chain (NaN for an
        independence sampler).
    ess_ : ndarray of shape (n_features,)
        Bulk effective sample size per dimension (computed once per run, by
        the convergence check after ``sample()``).
    rhat_ : ndarray of shape (n_features,)
        Rank-normalised split R-hat per dimension (computed once per run).

    See Also
    --------
    RejectionSampler : Exact independent draws when an envelope is known.
    ImportanceSampler : Weighted draws and expectations, with diagnostics.
    effective_sample_size, rhat, mcse, autocorrelation : The diagnostics.

    Examples
    --------
    The chapter's mixture 0.3 N(-2, 0.5^2) + 0.7 N(3, 1) has mean 1.5 and
    standard deviation 2.4546:

    >>> import numpy as np
    >>> from scipy import stats
    >>> from skgenfund import MetropolisHastingsSampler
    >>> def log_p(X):
    ...     x = X[:, 0]
    ...     return np.logaddexp(np.log(0.3) + stats.norm.logpdf(x, -2, 0.5),
    ...                         np.log(0.7) + stats.norm.logpdf(x, 3, 1))
    >>> mh = MetropolisHastingsSampler(log_p, n_chains=8, initial=np.zeros(1),
    ...                                random_state=0).fit()
    >>> draws = mh.sample(80000)
    >>> draws.shape
    (80000, 1)
    >>> round(float(draws.mean()), 1), round(float(draws.std()), 1)
    (1.5, 2.5)
    >>> bool(np.all(mh.rhat_ < 1.01))
    True
    """

    def __init__(
        self,
        target=None,
        *,
        proposal="adaptive",
        step_size="auto",
        n_chains=4,
        n_warmup=1000,
        thin=1,
        initial=None,
        gradient=None,
        random_state=None,
        progress=False,
        n_jobs=None,
    ):
        self.target = target
        self.proposal = proposal
        self.step_size = step_size
        self.n_chains = n_chains
        self.n_warmup = n_warmup
        self.thin = thin
        self.initial = initial
        self.gradient = gradient
        self.random_state = random_state
        self.progress = progress
        self.n_jobs = n_jobs

    # ------------------------------------------------------------------ fit
    def _check_parameters(self):
        check_positive_int("n_chains", self.n_chains)
        check_positive_int("n_warmup", self.n_warmup, minimum=0)
        check_positive_int("thin", self.thin)
        check_run_size(self.n_chains, self.n_warmup, self.thin)
        if not isinstance(self.progress, bool | np.bool_):
            raise ValueError(f"progress must be True or False; got {self.progress!r}.")
        if isinstance(self.step_size, str):
            if self.step_size != "auto":
                raise ValueError(
                    f"step_size must be 'auto' or a positive float; got "
                    f"{self.step_size!r}."
                )
        elif not (
            isinstance(self.step_size, numbers.Real)
            and math.isfinite(self.step_size)
            and self.step_size > 0
        ):
            raise ValueError(
                f"step_size must be 'auto' or a positive float; got {self.step_size!r}."
            )

    def _proposal_kind(self):
        proposal = self.proposal
        if isinstance(proposal, str):
            if proposal not in PROPOSALS:
                raise ValueError(
                    "proposal must be 'adaptive', 'gaussian', 'mala', a covariance "
                    f"matrix or a distribution; got {proposal!r}."
                )
            return proposal
        if isinstance(proposal, np.ndarray | list | tuple | numbers.Real):
            return "covariance"
        return "independence"

    def fit(self, X=None, y=None):
        """Prepare the sampler: fit the target (and proposal) on X if needed.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), default=None
            Data: fits an unfitted target (the default target is
            ``GaussianMLE`` fitted on X), fixes the dimension and supplies
            starting points.
        y : None
            Ignored; present for API consistency.

        Returns
        -------
        self : MetropolisHastingsSampler
            The fitted sampler.
        """
        from ..density import GaussianMLE

        self._check_parameters()
        kind = self._proposal_kind()
        if X is not None:
            X = validate_X(self, X, reset=True)
        target = as_distribution(self.target, X, default=GaussianMLE())
        proposal = None
        if kind == "independence":
            proposal = as_distribution(self.proposal, X, name="proposal")
            if not proposal.can_sample:
                raise ValueError(
                    "An independence proposal must draw samples: pass an estimator "
                    "with sample() or a scipy.stats frozen distribution."
                )
        initial = None
        if self.initial is not None:
            initial = np.asarray(self.initial, dtype=np.float64)
            if initial.ndim not in (1, 2) or not np.all(np.isfinite(initial)):
                raise ValueError(
                    "initial must be a finite array of shape (n_chains, d) or (d,); "
                    f"got shape {initial.shape}."
                )
            if initial.ndim == 2 and initial.shape[0] != self.n_chains:
                raise ValueError(
                    f"initial has {initial.shape[0]} rows but n_chains="
                    f"{self.n_chains}; pass one starting point per chain or one "
                    "shared point of shape (d,)."
                )
        n_features = resolve_n_features([target, proposal], X, initial)
        if n_features is None or (
            initial is None and X is None and not target.can_sample
        ):
            raise ValueError(
                "Cannot tell where to start the chains: the target is a bare "
                "callable, and fit got no X. Pass initial=<array of shape "
                "(n_chains, d) or (d,)>, or fit on data X."
            )
        covariance = None
        if kind == "covariance":
            covariance = np.atleast_2d(np.asarray(self.proposal, dtype=np.float64))
            if covariance.shape != (n_features, n_features):
                raise ValueError(
                    f"A proposal covariance must have shape ({n_features}, "
                    f"{n_features}); got {covariance.shape}."
                )
            try:
                np.linalg.cholesky(covariance)
            except np.linalg.LinAlgError as exc:
                raise ValueError(
                    "The proposal covariance is not symmetric positive definite."
                ) from exc
        self.target_ = target.source
        self.proposal_ = (
            proposal.source
            if proposal is not None
            else (covariance if covariance is not None else self.proposal)
        )
        # a bad or missing gradient is an error now, not at sample()
        Evaluation(target, self.gradient, needs_gradient=kind == "mala")
        self.n_features_in_ = n_features
        self._X_start = X
        self._diagnostics = {}
        return self

    # --------------------------------------------------------------- sample
    def _starting_points(self, target, rng):
        n_chains, d = self.n_chains, self.n_features_in_
        if self.initial is not None:
            initial = np.asarray(self.initial, dtype=np.float64)
            return np.array(np.broadcast_to(initial, (n_chains, d)))
        if self._X_start is not None:
            X = self._X_start
            replace = X.shape[0] < n_chains
            return X[rng.choice(X.shape[0], n_chains, replace=replace)].copy()
        return target.sample(n_chains, rng)

    def _initial_scale(self, target, start, rng):
        """Typical standard deviation of the target, for the first step size."""
        if self._X_start is not None and self._X_start.shape[0] > 1:
            spread = self._X_start.std(axis=0)
        elif target.can_sample:
            spread = target.sample(1000, rng).std(axis=0)
        elif start.shape[0] > 1:
            spread = start.std(axis=0)
        else:
            spread = np.ones(self.n_features_in_)
        spread = np.where(np.isfinite(spread) & (spread > 0), spread, 1.0)
        return spread

    def _setup(self, run, target, proposal, evaluation, rng):
        """Starting points, proposal factors, step sizes and the settings."""
        start = self._starting_points(target, rng)
        run.x[:] = start
        lp, grad = evaluation.numpy(start, proposal.needs_gradient)
        run.state[:, LOG_P] = lp
        if grad is not None:
            run.g[:] = grad
        bad = np.flatnonzero(lp == -np.inf)
        if bad.size:
            raise ValueError(
                f"Chain {bad[0]} starts at x = {np.array2string(start[bad[0]])}, "
                "where the target density is zero (log-density -inf). Start the "
                "chains inside the target's support (pass initial=...)."
            )
        spread = self._initial_scale(target, start, rng)
        auto = isinstance(self.step_size, str)
        proposal.initialise(run, spread, None if auto else self.step_size)
        iset = np.array(
            [
                self.n_warmup,
                self.thin,
                int(proposal.adapt_scale),
                int(proposal.adapt_covariance),
            ],
            dtype=np.int64,
        )
        fset = np.array([proposal.target_accept(), proposal.log_scale_reset()])
        windows = (
            covariance_windows(self.n_warmup)
            if proposal.adapt_covariance
            else np.zeros((0, 2), dtype=np.int64)
        )
        return iset, fset, windows

    def _proposal(self, kind):
        """The proposal object of this run."""
        return make_proposal(
            kind,
            self.n_features_in_,
            auto_step=isinstance(self.step_size, str),
            n_warmup=self.n_warmup,
            covariance=self.proposal_ if kind == "covariance" else None,
            distribution=(
                as_distribution(self.proposal_, name="proposal")
                if kind == "independence"
                else None
            ),
        )

    def sample(self, n_samples=1, random_state=None):
        """Run the chains and return their draws pooled.

        Each call runs ``n_chains`` fresh chains (warm-up included) for
        ``ceil(n_samples / n_chains) * thin`` kept steps each and stores them
        in ``chains_``.

        Parameters
        ----------
        n_samples : int, default=1
            Number of draws returned, taken round-robin over the chains.
        random_state : int, RandomState instance or None, default=None
            Seed of this run; None uses the estimator's ``random_state``.

        Returns
        -------
        X : ndarray of shape (n_samples, n_features)
            Draws from the target (dependent within a chain).

        Warns
        -----
        ConvergenceWarning
            When the largest R-hat exceeds 1.01, the smallest bulk or tail
            ESS is below 100 per chain, a chain accepted nothing, or too few
            draws were kept to tell; the message says what to do.
        """
        check_is_fitted(self)
        n_samples = check_positive_int("n_samples", n_samples)
        seed = self.random_state if random_state is None else random_state
        n_chains, d = self.n_chains, self.n_features_in_
        check_run_size(n_chains, self.n_warmup, self.thin, d, n_samples)
        kind = self._proposal_kind()
        target = as_distribution(self.target_)
        proposal = self._proposal(kind)
        evaluation = Evaluation(target, self.gradient, proposal.needs_gradient)
        generators = spawn_generators(seed, 2 * n_chains + 2)
        n_kept = -(-n_samples // n_chains)
        n_steps = self.n_warmup + n_kept * self.thin
        run = ChainState(n_chains, d, n_kept)
        settings = self._setup(run, target, proposal, evaluation, generators[-2])
        streams = list(zip(generators[:n_chains], generators[n_chains:-2]))
        compiled = None
        if proposal.kernel is not None and n_chains * n_steps > NUMPY_MAX_CHAIN_STEPS:
            compiled = evaluation.compiled(proposal.needs_gradient)
        bar = _progress_bar(self.progress, n_steps)
        try:
            if compiled is None:
                run_numpy(
                    proposal, evaluation, run, settings, streams, n_steps,
                    generators[-1], bar,
                )  # fmt: skip
            else:
                self._run_compiled(
                    run, settings, proposal.kernel, compiled, streams, n_steps, bar
                )
        finally:
            if bar is not None:
                bar.close()
        self._store(run, kind)
        warn_if_unconverged(self)
        pooled = np.swapaxes(run.draws, 0, 1).reshape(-1, d)
        return pooled[:n_samples].copy()

    def _store(self, run, kind):
        n_kept_steps = run.draws.shape[1] * self.thin
        self.chains_ = run.draws
        self.log_prob_ = run.draw_lp
        self.acceptance_rate_ = run.state[:, N_ACCEPT] / n_kept_steps
        self.warmup_acceptance_rate_ = (
            run.state[:, N_ACCEPT_WARMUP] / self.n_warmup
            if self.n_warmup
            else np.full(self.n_chains, np.nan)
        )
        if kind == "independence":
            self.step_size_ = np.full(self.n_chains, np.nan)
            self.proposal_covariance_ = np.full(run.chol.shape, np.nan)
        else:
            self.step_size_ = np.exp(run.state[:, LOG_SCALE])
            factors = run.chol * self.step_size_[:, None, None]
            self.proposal_covariance_ = factors @ np.swapaxes(factors, 1, 2)
        self._diagnostics = {}

    # ------------------------------------------------------------- engine
    def _run_compiled(self, run, settings, kernel, target, streams, n_steps, bar):
        """Every chain through the proposal's compiled kernel, on n_jobs threads."""
        n_chains, d = self.n_chains, self.n_features_in_
        arrays = run.kernel_arguments(settings)
        n_threads = max(1, min(effective_n_jobs(self.n_jobs), n_chains))
        groups = [list(g) for g in np.array_split(np.arange(n_chains), n_threads)]
        errors = {}
        pool = ThreadPoolExecutor(n_threads) if n_threads > 1 else None
        try:
            for t0 in range(0, n_steps, COMPILED_CHUNK):
                size = min(COMPILED_CHUNK, n_steps - t0)

                def task(group, t0=t0, size=size):
                    z = np.empty((size, d))
                    e = np.empty(size)
                    for c in group:
                        streams[c][0].standard_normal(out=z)
                        streams[c][1].standard_exponential(out=e)
                        failed = kernel(target, c, t0, z, e, *arrays)
                        if failed != -1:
                            errors[c] = failed
                            return

                if pool is None:
                    for group in groups:
                        task(group)
                else:
                    for future in [pool.submit(task, group) for group in groups]:
                        future.result()
                if errors:
                    c = min(errors)
                    raise ValueError(
                        Evaluation.failure_message(errors[c], run.xp[c], c)
                    )
                if bar is not None:
                    bar.update(size)
        finally:
            if pool is not None:
                pool.shutdown()

    # ---------------------------------------------------------- diagnostics
    @property
    def ess_(self):
        """Bulk effective sample size per dimension, computed once per run."""
        check_is_fitted(self, "chains_")
        return statistic(self.chains_, "ess_bulk", self._diagnostics)

    @property
    def rhat_(self):
        """Rank-normalised split R-hat per dimension, computed once per run."""
        check_is_fitted(self, "chains_")
        return statistic(self.chains_, "r_hat", self._diagnostics)

    def summary(self, quantiles=(0.05, 0.5, 0.95)):
        """Posterior summary and diagnostics of the kept draws, per dimension.

        The values of :func:`arviz.summary` (with quantiles instead of its
        HDI): ``pandas.DataFrame(sampler.summary())`` is its table.

        Parameters
        ----------
        quantiles : sequence of float, default=(0.05, 0.5, 0.95)
            Probabilities of the quantiles reported as ``"q<percent>"``.

        Returns
        -------
        summary : dict of str to ndarray of shape (n_features,)
            ``"mean"``, ``"sd"``, the quantiles (``"q5"``, ``"q50"``,
            ``"q95"``), ``"mcse_mean"``, ``"mcse_sd"`` (Monte Carlo standard
            errors of mean and sd), ``"ess_bulk"``, ``"ess_tail"`` and
            ``"r_hat"``.

        Examples
        --------
        >>> import numpy as np
        >>> from scipy import stats
        >>> from skgenfund import MetropolisHastingsSampler
        >>> mh = MetropolisHastingsSampler(stats.norm(), initial=np.zeros(1),
        ...                                random_state=0).fit()
        >>> _ = mh.sample(20000)
        >>> table = mh.summary()
        >>> bool(abs(table["mean"][0]) < 4 * table["mcse_mean"][0])  # truth: 0
        True
        >>> bool(table["r_hat"][0] < 1.01), bool(table["ess_tail"][0] > 400)
        (True, True)
        """
        check_is_fitted(self, "chains_")
        return summarize(self.chains_, quantiles, cache=self._diagnostics)

    def to_inference_data(self):
        """The kept draws as an :class:`arviz.InferenceData`, for ArviZ's plots.

        Returns
        -------
        idata : arviz.InferenceData
            ``posterior`` holds a variable ``x`` of dimensions (chain, draw,
            dim), ``sample_stats`` its log-density ``lp``. Needs ArviZ
            (``pip install skgenfund[arviz]``).

        Examples
        --------
        >>> import numpy as np
        >>> from scipy import stats
        >>> from skgenfund import MetropolisHastingsSampler
        >>> mh = MetropolisHastingsSampler(stats.norm(), initial=np.zeros(1),
        ...                                random_state=0).fit()
        >>> _ = mh.sample(20000)
        >>> idata = mh.to_inference_data()  # then arviz.plot_trace(idata)
        >>> idata.posterior["x"].dims
        ('chain', 'draw', 'dim')
        """
        check_is_fitted(self, "chains_")
        return to_inference_data(
            self.chains_,
            log_prob=self.log_prob_,
            feature_names=getattr(self, "feature_names_in_", None),
        )

    def autocorrelation(self, max_lag=100):
        """Autocorrelation of the kept draws, averaged over chains.

        Parameters
        ----------
        max_lag : int, default=100
            Largest lag; beyond the chains' last lag (n_draws - 1) it is
            clipped to it, with a warning.

        Returns
        -------
        rho : ndarray of shape (L + 1, n_features)
            ``L = min(max_lag, n_draws - 1)``; ``rho[0] == 1``.
        """
        check_is_fitted(self, "chains_")
        return autocorrelation_function(self.chains_, max_lag, stacklevel=3)


def _progress_bar(progress, total):
    if not progress:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError as exc:
        raise ImportError(
            "progress=True needs tqdm: pip install tqdm (or skgenfund[progress])."
        ) from exc
    return tqdm(total=total, unit="step", desc="Metropolis-Hastings")
