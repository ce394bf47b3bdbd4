"""Metropolis-Hastings chains spread over joblib workers, or a dask cluster.

Every chain is one joblib task with its own seed, spawned from the one
``random_state`` (:func:`skgenfund.sampling._random.spawn_seeds`): a chain's
draws depend on its seed alone, so the result is the same whatever the joblib
backend (threads, processes, ``joblib.parallel_backend("dask")`` on a
``dask.distributed`` cluster) and however many workers run the tasks.
"""

import copy

import numpy as np
from joblib import Parallel, delayed
from sklearn.utils.validation import check_is_fitted

from .._core.validation import check_positive_int
from ._metropolis import MetropolisHastingsSampler
from ._random import spawn_seeds
from ._summary import warn_if_unconverged

__all__ = ["sample_chains"]

#: Per-chain attributes of a sampling run, (n_chains, ...) arrays.
CHAIN_ATTRIBUTES = (
    "chains_",
    "log_prob_",
    "acceptance_rate_",
    "warmup_acceptance_rate_",
    "step_size_",
    "proposal_covariance_",
)


def _run_chain(sampler, initial, seed, n_draws):
    """One chain of ``sampler``: its per-chain attributes, chain axis dropped."""
    chain = copy.copy(sampler)  # the fitted target is shared, not copied
    chain.set_params(n_chains=1, initial=initial, n_jobs=None, progress=False)
    chain._check_convergence = False  # judged over all the chains, once
    chain.sample(n_draws, random_state=np.random.RandomState(np.random.MT19937(seed)))
    return tuple(getattr(chain, name)[0] for name in CHAIN_ATTRIBUTES)


def sample_chains(sampler, n_samples=1, *, random_state=None, n_jobs=None, verbose=0):
    """Run a sampler's Metropolis-Hastings chains in parallel with joblib.

    The parallel counterpart of ``sampler.sample(n_samples, random_state)``
    for many chains on many processes or machines: each of the
    ``sampler.n_chains`` chains (warm-up and adaptation included) is one
    joblib task, seeded with the c-th :class:`numpy.random.SeedSequence`
    spawned from ``random_state``. A chain's draws depend on its seed only,
    so the result does not depend on the joblib backend or the number of
    workers, and the first m chains of a run are those of a run with m
    chains. Inside ``joblib.parallel_backend("dask")`` the chains run on the
    workers of the active ``dask.distributed`` client. After the call the
    sampler's ``chains_``, ``log_prob_``, ``acceptance_rate_``,
    ``warmup_acceptance_rate_``, ``step_size_`` and ``proposal_covariance_``
    describe the run, as after :meth:`MetropolisHastingsSampler.sample`, and
    ``ess_`` and ``rhat_`` are computed over all its chains.

    The chains are seeded one by one, so they are not the chains that
    ``sampler.sample`` (which draws all starting points from one stream)
    gives for the same ``random_state``; they are draws from the same
    target.

    Parameters
    ----------
    sampler : MetropolisHastingsSampler
        A fitted sampler. It is sent to every task, with its target (and the
        data X it was fitted on, the chains' starting points); the package's
        own densities and Numba ``@njit`` targets run compiled on the
        workers.
    n_samples : int, default=1
        Number of draws returned: each chain keeps
        ``ceil(n_samples / n_chains)`` draws, pooled round-robin over the
        chains as ``sample`` does.
    random_state : int, RandomState instance or None, default=None
        Seed of all chains; None uses the sampler's ``random_state``.
    n_jobs : int or None, default=None
        Number of joblib workers; None lets the active joblib backend decide
        (one worker by default, every dask worker under
        ``parallel_backend("dask")``), -1 uses all cores.
    verbose : int, default=0
        joblib's verbosity.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
        Draws from the target (dependent within a chain).

    See Also
    --------
    MetropolisHastingsSampler : The sampler whose chains run here.

    Examples
    --------
    >>> import numpy as np
    >>> from skgenfund import MetropolisHastingsSampler, sample_chains
    >>> X = np.random.RandomState(0).normal(1.0, 2.0, size=(500, 1))
    >>> mh = MetropolisHastingsSampler(n_chains=4, n_warmup=500,
    ...                                random_state=0).fit(X)
    >>> draws = sample_chains(mh, 8000, n_jobs=2)
    >>> draws.shape, mh.chains_.shape
    ((8000, 1), (4, 2000, 1))
    >>> bool(np.array_equal(draws, sample_chains(mh, 8000, n_jobs=1)))
    True
    >>> bool(abs(draws.mean() - X.mean()) < 0.1), bool(np.all(mh.rhat_ < 1.05))
    (True, True)
    """
    if not isinstance(sampler, MetropolisHastingsSampler):
        raise TypeError(
            "sample_chains runs the chains of a MetropolisHastingsSampler; got "
            f"{type(sampler).__name__}."
        )
    check_is_fitted(sampler, "target_")
    n_samples = check_positive_int("n_samples", n_samples)
    n_chains = check_positive_int("n_chains", sampler.n_chains)
    n_draws = -(-n_samples // n_chains)
    seeds = spawn_seeds(
        sampler.random_state if random_state is None else random_state, n_chains
    )
    initial = sampler.initial
    if initial is not None:
        initial = np.asarray(initial, dtype=np.float64)
        if initial.ndim == 1:
            initial = np.broadcast_to(initial, (n_chains, initial.shape[0]))
    starts = [None if initial is None else initial[c] for c in range(n_chains)]
    results = Parallel(n_jobs=n_jobs, verbose=verbose)(
        delayed(_run_chain)(sampler, starts[c], seeds[c], n_draws)
        for c in range(n_chains)
    )
    for name, values in zip(CHAIN_ATTRIBUTES, zip(*results)):
        setattr(sampler, name, np.stack(values))
    sampler._diagnostics = {}  # ess_ and rhat_ of the new chains
    warn_if_unconverged(sampler)
    pooled = np.swapaxes(sampler.chains_, 0, 1).reshape(-1, sampler.n_features_in_)
    return pooled[:n_samples].copy()
