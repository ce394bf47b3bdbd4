"""The posterior summary of MCMC chains, their ArviZ hand-off and the convergence check.

:func:`summarize` gives, per dimension, the table :func:`arviz.summary`
prints (mean, sd, MCSE of both, bulk and tail ESS, rank-normalised R-hat)
with quantiles in place of ArviZ's HDI, from this package's own estimators;
:func:`to_inference_data` hands the chains to ArviZ for its plots;
:func:`warn_if_unconverged` is the check a sampler runs after every
``sample()``, with the thresholds of Vehtari et al. (2021).
"""

import numbers
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from ._diagnostics import (
    _ess,
    _prepare,
    _scaled,
    ess_tail,
    mcse_mean,
    mcse_sd,
    rhat_of_scores,
    split_scores,
)

__all__ = ["summarize", "to_inference_data", "warn_if_unconverged"]

#: Largest R-hat of converged chains (Vehtari et al. 2021).
RHAT_LIMIT = 1.01
#: Smallest bulk and tail ESS per chain (Vehtari et al. 2021).
ESS_PER_CHAIN = 100


def check_quantiles(quantiles):
    """Probabilities as a tuple of floats in [0, 1], and their column names."""
    if isinstance(quantiles, numbers.Real):
        quantiles = (quantiles,)
    try:
        values = tuple(float(q) for q in quantiles)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"quantiles must be a sequence of probabilities in [0, 1]; got "
            f"{quantiles!r}."
        ) from exc
    if not all(0.0 <= q <= 1.0 for q in values):
        raise ValueError(
            f"quantiles must be probabilities in [0, 1]; got {quantiles!r}."
        )
    names = [f"q{100 * q:g}" for q in values]
    if len(set(names)) != len(names):
        raise ValueError(f"quantiles must be distinct; got {quantiles!r}.")
    return values, names


def summarize(chains, quantiles=(0.05, 0.5, 0.95), *, cache=None):
    """Summary statistics and diagnostics of each dimension of MCMC chains.

    Parameters
    ----------
    chains : array-like of shape (n_chains, n_draws, n_features)
        The draws, chain by chain (at least 4 per chain), or a sampler.
    quantiles : sequence of float, default=(0.05, 0.5, 0.95)
        Probabilities of the quantiles reported, as ``"q<percent>"``.
    cache : dict, default=None
        Statistics already computed for these chains, filled with those
        computed now (a sampler keeps one per run).

    Returns
    -------
    summary : dict of str to ndarray of shape (n_features,)
        ``"mean"``, ``"sd"`` (ddof=1), the quantiles, ``"mcse_mean"``,
        ``"mcse_sd"``, ``"ess_bulk"``, ``"ess_tail"`` and ``"r_hat"``, the
        values of :func:`arviz.summary` (which reports an HDI instead of the
        quantiles). A single chain gets the split R-hat of its halves, where
        ArviZ reports NaN; a constant dimension gets R-hat 1 and MCSE 0,
        where ArviZ divides 0 by 0.

    Examples
    --------
    >>> import numpy as np
    >>> from skgenfund.sampling._summary import summarize
    >>> table = summarize(np.random.default_rng(0).standard_normal((4, 500, 2)))
    >>> list(table)  # doctest: +NORMALIZE_WHITESPACE
    ['mean', 'sd', 'q5', 'q50', 'q95', 'mcse_mean', 'mcse_sd', 'ess_bulk',
     'ess_tail', 'r_hat']
    >>> bool(np.all(table["r_hat"] < 1.01)), table["ess_bulk"].shape
    (True, (2,))
    """
    probabilities, names = check_quantiles(quantiles)
    statistics = _Statistics(chains, cache)
    table = {"mean": statistics["mean"], "sd": statistics["sd"]}
    for name, prob in zip(names, probabilities):
        table[name] = statistics[("quantile", prob)]
    for name in ("mcse_mean", "mcse_sd", "ess_bulk", "ess_tail", "r_hat"):
        table[name] = statistics[name]
    return {name: values.copy() for name, values in table.items()}


class _Statistics:
    """Statistics of one set of chains, each computed once (into ``cache``)."""

    def __init__(self, chains, cache=None):
        self.chains = chains
        self.cache = {} if cache is None else cache
        self._a = None

    @property
    def a(self):
        """The validated chains, (d, n_chains, n_draws)."""
        if self._a is None:
            self._a, _ = _prepare(self.chains, 4, "The summary")
        return self._a

    def __getitem__(self, key):
        if key not in self.cache:
            self._compute(key)
        return self.cache[key]

    def _compute(self, key):
        a, cache = self.a, self.cache
        if key in ("mean", "sd") or isinstance(key, tuple):
            x, scale = _scaled(a)  # exact: 1e300 draws neither overflow nor underflow
            flat = x.reshape(x.shape[0], -1)
            if isinstance(key, tuple):
                cache[key] = scale * np.quantile(flat, key[1], axis=1)
                return
            sd = flat.std(axis=1, ddof=1)
            sd[flat.max(axis=1) == flat.min(axis=1)] = 0.0
            cache["mean"], cache["sd"] = scale * flat.mean(axis=1), scale * sd
        elif key in ("ess_bulk", "r_hat"):  # both from the split chains' ranks
            z_split, z_folded = split_scores(a, folded=True)
            cache["ess_bulk"] = _ess(z_split)
            cache["r_hat"] = rhat_of_scores(z_split, z_folded)
        else:
            compute = {"ess_tail": ess_tail, "mcse_mean": mcse_mean, "mcse_sd": mcse_sd}
            cache[key] = compute[key](a)


def to_inference_data(chains, *, log_prob=None, feature_names=None):
    """The chains as an :class:`arviz.InferenceData`, for ArviZ's plots and tables.

    Parameters
    ----------
    chains : array-like of shape (n_chains, n_draws, n_features)
        The draws, chain by chain.
    log_prob : array-like of shape (n_chains, n_draws), default=None
        The target's log-density at each draw, stored as ``sample_stats.lp``.
    feature_names : sequence of str, default=None
        Coordinates of the ``dim`` axis (default 0, 1, ...).

    Returns
    -------
    idata : arviz.InferenceData
        A ``posterior`` group with one variable ``x`` of dimensions
        (chain, draw, dim).
    """
    arviz = _import_arviz()
    chains = np.asarray(chains, dtype=np.float64)
    if chains.ndim != 3:
        raise ValueError(
            "chains must have shape (n_chains, n_draws, n_features); got "
            f"{chains.shape}."
        )
    n_chains, n_draws, n_features = chains.shape
    dims = np.arange(n_features) if feature_names is None else list(feature_names)
    if len(dims) != n_features:
        raise ValueError(
            f"feature_names has {len(dims)} names for {n_features} features."
        )
    sample_stats = None
    if log_prob is not None:
        log_prob = np.asarray(log_prob, dtype=np.float64)
        if log_prob.shape != (n_chains, n_draws):
            raise ValueError(
                f"log_prob must have shape ({n_chains}, {n_draws}); got "
                f"{log_prob.shape}."
            )
        sample_stats = {"lp": log_prob}
    return arviz.from_dict(
        posterior={"x": chains},
        sample_stats=sample_stats,
        coords={"dim": dims},
        dims={"x": ["dim"]},
    )


def _import_arviz():
    try:
        import arviz
    except ImportError as exc:
        raise ImportError(
            "to_inference_data needs ArviZ, an optional dependency: "
            "pip install arviz (or pip install skgenfund[arviz])."
        ) from exc
    return arviz


def statistic(chains, name, cache=None):
    """One statistic of :func:`summarize` (e.g. ``"ess_bulk"``), using ``cache``."""
    return _Statistics(chains, cache)[name].copy()


def better_proposal(proposal):
    """Advice on a proposal that mixes better than ``proposal``."""
    if isinstance(proposal, str) and proposal == "adaptive":
        return "proposal='mala' (Langevin) if the target is differentiable"
    if isinstance(proposal, str) and proposal == "mala":
        return "a longer warm-up to adapt it (n_warmup)"
    return "proposal='adaptive'"


def convergence_problems(summary, acceptance_rate, n_draws, proposal=None):
    """What is wrong with a run, as sentences saying what to do (empty if nothing).

    Parameters
    ----------
    summary : dict or None
        ``"r_hat"``, ``"ess_bulk"`` and ``"ess_tail"`` of the chains, as
        :func:`summarize` gives them (None when there are too few draws).
    acceptance_rate : ndarray of shape (n_chains,)
        Fraction of accepted proposals of each chain after the warm-up.
    n_draws : int
        Kept draws per chain.
    proposal : object, default=None
        The sampler's ``proposal``, to advise a better one.
    """
    n_chains = acceptance_rate.shape[0]
    better = better_proposal(proposal)
    problems = []
    stuck = np.flatnonzero(acceptance_rate == 0)
    if stuck.size:
        problems.append(
            f"{stuck.size} of {n_chains} chains (chain "
            f"{', '.join(map(str, stuck[:10]))}{', ...' if stuck.size > 10 else ''}) "
            "accepted no proposal after the warm-up and never left their "
            "starting point: start the chains where the target has mass "
            "(initial=...), or use a proposal that fits the target (a smaller "
            f"step_size, {better})"
        )
    if summary is None:
        problems.append(
            f"only {n_draws} draw(s) per chain were kept, too few to check "
            f"convergence (R-hat and ESS need 4, and an ESS of {ESS_PER_CHAIN} "
            "per chain takes many more): ask sample() for more draws"
        )
        return problems
    r_hat = summary["r_hat"]
    worst = int(np.argmax(r_hat))
    if r_hat[worst] > RHAT_LIMIT:
        problems.append(
            f"the largest R-hat is {r_hat[worst]:.4g} (dimension {worst}), above "
            f"{RHAT_LIMIT}: the chains disagree. Run a longer warm-up (n_warmup), "
            f"more draws, or a proposal that mixes better ({better}); "
            "chains in different modes of a multimodal target also do this"
        )
    needed = ESS_PER_CHAIN * n_chains
    for kind in ("bulk", "tail"):
        ess = summary[f"ess_{kind}"]
        low = int(np.argmin(ess))
        if ess[low] < needed:
            more = needed / max(ess[low], 1.0)
            problems.append(
                f"the smallest {kind} ESS is {ess[low]:.0f} (dimension {low}), "
                f"below {ESS_PER_CHAIN} per chain ({needed} for {n_chains} "
                f"chains): draw about {more:.2g} times as many samples, or use a "
                f"proposal that mixes better ({better})"
            )
    return problems


def warn_if_unconverged(sampler, stacklevel=3):
    """Warn (ConvergenceWarning) when a sampler's last run cannot be trusted.

    The run is doubtful when the largest rank-normalised R-hat exceeds 1.01,
    the smallest bulk or tail ESS is below 100 per chain, a chain accepted
    nothing, or too few draws were kept to tell. The message says what to do.
    A sampler whose ``_check_convergence`` is False (one chain of
    :func:`~skgenfund.sample_chains`, judged with the others) is skipped.
    """
    if not getattr(sampler, "_check_convergence", True):
        return
    n_draws = sampler.chains_.shape[1]
    summary = None
    if n_draws >= 4:
        statistics = _Statistics(sampler.chains_, sampler._diagnostics)
        summary = {name: statistics[name] for name in ("r_hat", "ess_bulk", "ess_tail")}
    problems = convergence_problems(
        summary, sampler.acceptance_rate_, n_draws, getattr(sampler, "proposal", None)
    )
    if problems:
        warnings.warn(
            "Metropolis-Hastings chains may not have converged: "
            + "; ".join(problems)
            + ". Check sampler.summary() before using the draws.",
            ConvergenceWarning,
            stacklevel=stacklevel,
        )
