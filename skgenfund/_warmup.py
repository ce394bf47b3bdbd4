"""``python -m skgenfund warmup``: compile the package's kernels ahead of use.

Small problems never compile anything (they run in NumPy), so this only
matters before the first *large* fit or the first compiled Markov chain of a
machine: it fills Numba's disk cache once (next to the installed package, or
in the user's cache directory when the package directory is read-only), and
every later process loads the kernels from there in a fraction of a second.
Useful after ``pip install``, in a container image or on cluster workers.
"""

import time
import warnings

import numpy as np

__all__ = ["warmup"]


def _em_kernels():
    from .mixture._steps import warm_kernels

    warm_kernels()


def _sampler_kernels():
    from . import EMGaussianMixture, GaussianMLE, MetropolisHastingsSampler
    from .sampling._diagnostics import COMPILED_RANKS_FROM
    from .sampling._metropolis import NUMPY_MAX_CHAIN_STEPS

    rng = np.random.RandomState(0)
    X = np.vstack([rng.normal(-2.0, 1.0, (50, 2)), rng.normal(2.0, 1.0, (50, 2))])
    targets = [GaussianMLE().fit(X), EMGaussianMixture(2, random_state=0).fit(X)]
    # long enough for the compiled engine (shorter runs take the NumPy one)
    # and for the diagnostics' compiled ranking
    n_chains, n_warmup = 2, 100
    n_draws = max(NUMPY_MAX_CHAIN_STEPS + 1, COMPILED_RANKS_FROM)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # whether these short chains mixed
        for target in targets:
            for proposal in ("adaptive", "mala"):
                sampler = MetropolisHastingsSampler(
                    target,
                    proposal=proposal,
                    n_chains=n_chains,
                    n_warmup=n_warmup,
                    random_state=0,
                )
                sampler.fit().sample(n_draws)


#: (what, how): the kernels warmed, in order.
STEPS = [
    (
        "EM kernels (EMGaussianMixture: every covariance type, float64 and float32)",
        _em_kernels,
    ),
    (
        "Metropolis-Hastings kernels (random walk and MALA on GaussianMLE and "
        "EMGaussianMixture targets) and the diagnostics' compiled ranking",
        _sampler_kernels,
    ),
]


def warmup(out=print):
    """Compile (or load from the cache) every kernel a large fit or a chain needs.

    Parameters
    ----------
    out : callable, default=print
        Receives one line per step.

    Returns
    -------
    seconds : float
        Total time taken.
    """
    total = time.perf_counter()
    for what, step in STEPS:
        start = time.perf_counter()
        step()
        out(f"{what}: {time.perf_counter() - start:.1f} s")
    return time.perf_counter() - total
