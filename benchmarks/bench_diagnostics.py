"""MCMC diagnostics: skgenfund's summary against ArviZ's, and the cost of the
convergence check that MetropolisHastingsSampler.sample() runs.

Both summaries compute the same values (equal to 1e-12, tested); each row
times them side by side in this process on AR(1) chains (coefficient 0.9,
the autocorrelation of a typical random walk). The second table times
``sample()`` on compiled targets and, apart, the check it ends with (R-hat,
bulk and tail ESS of the kept draws), to show what share of a call it is.

Run: ``python benchmarks/bench_diagnostics.py`` (about two minutes).
"""

import math
import time
import warnings

import numpy as np
from numba import njit
from scipy.signal import lfilter

from skgenfund import GaussianMLE, MetropolisHastingsSampler
from skgenfund.sampling._summary import _Statistics, summarize


def best_of(repeats, func):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def ar1_chains(n_chains, n_draws, d, rho=0.9, seed=0):
    noise = np.random.default_rng(seed).standard_normal((n_chains, n_draws, d))
    return lfilter([1.0], [1.0, -rho], noise, axis=1)


def check(chains):
    statistics = _Statistics(chains, {})
    return [statistics[name] for name in ("r_hat", "ess_bulk", "ess_tail")]


@njit
def mixture_point(x):
    a = math.log(0.3) - 0.5 * ((x[0] + 2.0) / 0.5) ** 2 - math.log(0.5)
    b = math.log(0.7) - 0.5 * (x[0] - 3.0) ** 2
    top = max(a, b)
    return top + math.log(math.exp(a - top) + math.exp(b - top))


def main():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import arviz as az
    summarize(ar1_chains(4, 40000, 1))  # compile the kernels outside the timing
    print("summary of (n_chains, n_draws, d) AR(1) chains, seconds (best of 3)")
    print(f"{'shape':>22} {'skgenfund':>10} {'ArviZ':>8} {'ratio':>6}")
    for shape in [(4, 1000, 10), (4, 25000, 10), (8, 200000, 1)]:
        chains = ar1_chains(*shape)
        idata = az.from_dict({"x": chains})
        ours = best_of(3, lambda chains=chains: summarize(chains))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs = best_of(
                3, lambda idata=idata: az.summary(idata, round_to="none")
            )
        print(f"{str(shape):>22} {ours:10.3f} {theirs:8.3f} {theirs / ours:6.1f}")

    print("\nsample() on compiled targets and the convergence check it ends with")
    print(f"{'run':>34} {'sample() s':>10} {'check s':>8} {'share':>6}")
    X = np.random.default_rng(0).multivariate_normal(
        np.zeros(10), 0.5 * np.eye(10) + 0.5, 1000
    )
    runs = [
        ("@njit 1-D mixture, 8 x 200,000", mixture_point, 8, 200_000, None),
        ("GaussianMLE 10-D, 4 x 25,000", GaussianMLE().fit(X), 4, 25_000, X),
    ]
    warnings.simplefilter("ignore")
    for name, target, n_chains, n_draws, data in runs:
        start = {"initial": np.zeros(1)} if data is None else {}
        sampler = MetropolisHastingsSampler(
            target, proposal="adaptive", n_chains=n_chains, random_state=0, **start
        ).fit(data)
        sampler.sample(8 * n_chains)  # compile outside the timing
        total = best_of(3, lambda s=sampler, n=n_chains * n_draws: s.sample(n))
        checking = best_of(3, lambda s=sampler: check(s.chains_))
        print(f"{name:>34} {total:10.3f} {checking:8.3f} {checking / total:6.0%}")


if __name__ == "__main__":
    main()
