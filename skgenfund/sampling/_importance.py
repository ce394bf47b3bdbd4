"""Importance sampling: weighted proposal draws, expectations and log Z."""

import math
import warnings

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from .._core.special import log_normalize
from .._core.validation import check_n_draws, check_positive_int, validate_X
from ._psis import KHAT_THRESHOLD, pareto_khat
from ._random import spawn_generators
from ._target import check_log_ratio_resolution, target_and_proposal

#: Below this many draws the PSIS tail has too few points for k-hat.
MIN_TAIL_DRAWS = 20


class ImportanceSampler(BaseEstimator):
    """Importance sampling with standard errors and tail diagnostics.

    ``fit`` draws x_1..x_S from a proposal q and weighs them by
    ``w_i = p(x_i) / q(x_i)``. Then ``E_p[f] ~ sum_i w_i f(x_i) / sum_i w_i``
    (self-normalised, valid for an unnormalised p), the normaliser
    ``Z = E_q[p / q] ~ mean(w)``, and resampling the x_i with probabilities
    proportional to w gives approximate draws from p (sampling-importance-
    resampling).

    Two diagnostics, which answer different questions, are reported:

    * the Kish effective sample size ``ess_ = (sum w)^2 / sum w^2``: how many
      equally weighted draws the weighted ones are worth;
    * the Pareto k-hat of the largest weights (PSIS, Vehtari et al. 2024):
      below 0.5 the weights have finite variance; above 0.7 the estimates
      cannot be trusted, and ``fit`` warns. A proposal that misses a mode of
      p can show a healthy-looking ESS and a wrong estimate: k-hat catches
      that, the ESS does not.

    Parameters
    ----------
    target : estimator, scipy.stats frozen distribution, callable or None, \
default=None
        The log-density (unnormalised is fine, except for
        ``self_normalize=False``): an estimator with ``score_samples``
        (fitted, or unfitted and then fitted on X), a frozen continuous
        scipy.stats distribution, a Numba ``@njit`` function of one point, or a
        callable receiving an (n, d) array and returning n log-densities.
        None fits :class:`~skgenfund.GaussianMLE` on X.
    proposal : estimator or scipy.stats frozen distribution, default=None
        The proposal q; it must draw samples and be normalised (for
        ``log_normalizer_``). An unfitted estimator is fitted on X. None uses
        the Gaussian fit of X with its standard deviations multiplied by 1.5.
        Its tails should be heavier than the target's.
    n_samples : int, default=10000
        Number of proposal draws made by ``fit``.
    self_normalize : bool, default=True
        Estimate expectations with weights normalised to sum to one (p may
        be unnormalised). False uses ``mean(w f)``, unbiased but valid only
        for a normalised p.
    random_state : int, RandomState instance or None, default=None
        Seed of the proposal draws.

    Attributes
    ----------
    target_ : object
        The fitted target.
    proposal_ : object
        The fitted proposal.
    n_features_in_ : int
        Dimension of the target.
    samples_ : ndarray of shape (n_samples, n_features)
        Proposal draws.
    log_weights_ : ndarray of shape (n_samples,)
        ``log p(x_i) - log q(x_i)`` (unnormalised).
    weights_ : ndarray of shape (n_samples,)
        Normalised weights (summing to one).
    ess_ : float
        Kish effective sample size, ``1 / sum(weights_**2)``.
    pareto_k_ : float
        PSIS Pareto k-hat of the weights' right tail.
    log_normalizer_ : float
        Estimate of log Z, ``log mean(w)`` (the log-evidence when p is an
        unnormalised posterior), assuming q is normalised.

    See Also
    --------
    RejectionSampler : Exact draws, when an envelope is available.
    MetropolisHastingsSampler : MCMC, when no good proposal is available.

    Examples
    --------
    E[x^2 | x > 2] for a standard normal is 5.7464 (not 6.72), with an
    exponential proposal on (2, inf):

    >>> import numpy as np
    >>> from scipy import stats
    >>> from skgenfund import ImportanceSampler
    >>> def log_p(X):  # N(0, 1) truncated to x > 2, unnormalised
    ...     x = X[:, 0]
    ...     return np.where(x > 2, -0.5 * x**2, -np.inf)
    >>> sampler = ImportanceSampler(log_p, proposal=stats.expon(loc=2, scale=0.5),
    ...                             n_samples=20000, random_state=0).fit()
    >>> estimate, se = sampler.expectation(lambda X: X[:, 0] ** 2)
    >>> bool(abs(estimate - 5.7464) < 4 * se), bool(se < 0.02)
    (True, True)
    >>> bool(sampler.pareto_k_ < 0.5)
    True
    >>> z = np.sqrt(2 * np.pi) * stats.norm.sf(2)  # true normaliser
    >>> bool(abs(sampler.log_normalizer_ - np.log(z)) < 0.01)
    True
    """

    def __init__(
        self,
        target=None,
        *,
        proposal=None,
        n_samples=10000,
        self_normalize=True,
        random_state=None,
    ):
        self.target = target
        self.proposal = proposal
        self.n_samples = n_samples
        self.self_normalize = self_normalize
        self.random_state = random_state

    def fit(self, X=None, y=None):
        """Draw from the proposal and compute the weights and diagnostics.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), default=None
            Data: fits an unfitted target or proposal (the defaults are the
            Gaussian fit of X and a wider Gaussian around X).
        y : None
            Ignored; present for API consistency.

        Returns
        -------
        self : ImportanceSampler
            The fitted sampler.

        Warns
        -----
        UserWarning
            If the Pareto k-hat exceeds 0.7.
        """
        n_draws = check_positive_int("n_samples", self.n_samples, minimum=2)
        if not isinstance(self.self_normalize, bool | np.bool_):
            raise ValueError(
                f"self_normalize must be True or False; got {self.self_normalize!r}."
            )
        if X is not None:
            X = validate_X(self, X, reset=True)
        target, proposal, self.n_features_in_ = target_and_proposal(
            self.target, self.proposal, X
        )
        self.target_, self.proposal_ = target.source, proposal.source
        # the draws, their log-densities and weights: about four (n, d) arrays
        check_n_draws(n_draws, self.n_features_in_ or 1, copies=4)
        rng = spawn_generators(self.random_state, 1)[0]
        samples, log_q = proposal.sample_with_log_prob(n_draws, rng)
        log_weights = target.log_prob(samples) - log_q
        if np.all(log_weights == -np.inf):
            raise ValueError(
                f"The target density is zero at all {n_draws} proposal draws: the "
                "proposal does not cover the target."
            )
        check_log_ratio_resolution(log_weights, "log-weights")
        log_normalized, log_total = log_normalize(log_weights)
        self.samples_ = samples
        self.log_weights_ = log_weights
        self.weights_ = np.exp(log_normalized)
        self.ess_ = float(1.0 / np.sum(self.weights_**2))
        self.pareto_k_ = pareto_khat(log_weights)
        self.log_normalizer_ = float(log_total - math.log(n_draws))
        if self.pareto_k_ == np.inf and n_draws <= MIN_TAIL_DRAWS:
            warnings.warn(
                f"Only {n_draws} draws: too few to diagnose the tail of the "
                "importance weights (Pareto k-hat needs more than 20); the "
                "estimates may be unreliable.",
                UserWarning,
                stacklevel=2,
            )
        elif self.pareto_k_ > KHAT_THRESHOLD:
            warnings.warn(
                f"Pareto k-hat = {self.pareto_k_:.2f} > {KHAT_THRESHOLD}: the "
                "importance weights have so heavy a right tail that the estimates "
                "and their standard errors cannot be trusted (Kish ESS = "
                f"{self.ess_:.0f} of {n_draws} may look fine regardless). Use a "
                "proposal that covers all of the target's mass, with heavier tails.",
                UserWarning,
                stacklevel=2,
            )
        return self

    def expectation(self, func):
        """Estimate ``E_p[func(x)]`` and its Monte Carlo standard error.

        Parameters
        ----------
        func : callable
            Receives the (n_samples, n_features) array of draws and returns
            one value per row (shape (n_samples,)) or one vector per row
            (shape (n_samples, k)).

        Returns
        -------
        estimate : float or ndarray of shape (k,)
        standard_error : float or ndarray of shape (k,)
            Self-normalised: the delta-method standard error
            ``sqrt(sum_i w_i^2 (f_i - estimate)^2)`` with normalised w;
            otherwise ``std(w f) / sqrt(S)``. Meaningful only when
            ``pareto_k_`` is below 0.7.
        """
        check_is_fitted(self)
        if not callable(func):
            raise TypeError(
                "func must be a callable receiving the (n_samples, n_features) "
                f"draws and returning one value per row; got {type(func).__name__}."
            )
        values = np.asarray(func(self.samples_), dtype=np.float64)
        n_draws = self.samples_.shape[0]
        if values.shape[:1] != (n_draws,) or values.ndim > 2:
            raise ValueError(
                f"func must return one value (or one vector) per row: given "
                f"{n_draws} rows it returned shape {values.shape}."
            )
        if not np.all(np.isfinite(values)):
            row = int(np.flatnonzero(~np.isfinite(values.reshape(n_draws, -1)))[0])
            row //= 1 if values.ndim == 1 else values.shape[1]
            raise ValueError(
                f"func returned {values.reshape(n_draws, -1)[row]} at the draw x = "
                f"{np.array2string(self.samples_[row], precision=6)} (row {row}); "
                "an expectation needs finite values."
            )
        if self.self_normalize:
            weights = self.weights_.reshape((-1,) + (1,) * (values.ndim - 1))
            estimate = np.sum(weights * values, axis=0)
            standard_error = np.sqrt(np.sum(weights**2 * (values - estimate) ** 2, 0))
        else:
            ratio = np.exp(self.log_weights_).reshape((-1,) + (1,) * (values.ndim - 1))
            terms = ratio * values
            estimate = terms.mean(axis=0)
            standard_error = terms.std(axis=0, ddof=1) / math.sqrt(n_draws)
        if values.ndim == 1:
            return float(estimate), float(standard_error)
        return estimate, standard_error

    def sample(self, n_samples=1, random_state=None):
        """Sampling-importance-resampling: draws approximately from the target.

        The stored proposal draws are resampled with replacement, with
        probabilities ``weights_``. Draws repeat, and with a poor proposal
        (small ``ess_`` or large ``pareto_k_``) they are few distinct points.

        Parameters
        ----------
        n_samples : int, default=1
            Number of draws.
        random_state : int, RandomState instance or None, default=None
            Seed of the resampling; None uses the estimator's
            ``random_state``.

        Returns
        -------
        X : ndarray of shape (n_samples, n_features)
        """
        check_is_fitted(self)
        n_samples = check_n_draws(n_samples, self.n_features_in_)
        seed = self.random_state if random_state is None else random_state
        rng = spawn_generators(seed, 2)[1]
        index = rng.choice(self.samples_.shape[0], size=n_samples, p=self.weights_)
        return self.samples_[index]
