"""Benchmark of the samplers, side by side in one process.

Run from the repository root::

    python benchmarks/bench_sampling.py            # full sizes, markdown tables
    python benchmarks/bench_sampling.py --quick    # smaller runs

Metropolis-Hastings, on the chapter's 1-D mixture 0.3 N(-2, 0.5^2) +
0.7 N(3, 1) and on a 10-D correlated Gaussian:

* the chapter's plain-Python loop (one scipy pdf call per step);
* emcee's ensemble sampler with ``vectorize=True`` (if installed; its
  "steps" are log-density evaluations, walkers x iterations);
* skgenfund with a Python callable (one vectorised call per step for all
  chains), at a few chains and at 1000 chains;
* skgenfund with an ``@njit`` target and with the package's own density
  (EMGaussianMixture / GaussianMLE), whole chains compiled, on 1 and 2
  threads.

For every row: steps/s (chain steps, warm-up included, per second of wall
time) and ESS/s (the smallest bulk ESS over the dimensions, computed by
``skgenfund.effective_sample_size`` for every method, per second). Then
rejection sampling of Beta(2, 5) under a uniform proposal (textbook loop,
scipy target, @njit target, and scipy.stats.sampling's
TransformedDensityRejection), the cost of the diagnostics against ArviZ, and
the compile time of the kernels, cold (empty Numba cache, child process) and
cached. Timings are the best of ``--repeats`` runs.
"""

import argparse
import math
import os
import platform
import subprocess
import sys
import tempfile
import time
import warnings
from datetime import date

import numpy as np
from numba import njit
from scipy import stats

from skgenfund import (
    EMGaussianMixture,
    GaussianMLE,
    MetropolisHastingsSampler,
    RejectionSampler,
    effective_sample_size,
    rhat,
)
from skgenfund.sampling._metropolis import NUMPY_MAX_CHAIN_STEPS

LOG_W = np.log(np.array([0.3, 0.7]))
LOG_SQRT_2PI = 0.5 * math.log(2 * math.pi)


# ----------------------------------------------------------------- targets
def mixture_pdf(x):
    """The chapter's target, one scalar at a time (the textbook way)."""
    return 0.3 * stats.norm.pdf(x, -2, 0.5) + 0.7 * stats.norm.pdf(x, 3, 1)


def mixture_rows(X):
    """Vectorised log-density of an (n, 1) array."""
    x = X[:, 0]
    a = LOG_W[0] - 0.5 * ((x + 2.0) / 0.5) ** 2 - math.log(0.5)
    b = LOG_W[1] - 0.5 * (x - 3.0) ** 2
    return np.logaddexp(a, b) - LOG_SQRT_2PI


@njit
def mixture_point(x):
    a = LOG_W[0] - 0.5 * ((x[0] + 2.0) / 0.5) ** 2 - math.log(0.5)
    b = LOG_W[1] - 0.5 * (x[0] - 3.0) ** 2
    top = max(a, b)
    return top + math.log(math.exp(a - top) + math.exp(b - top)) - LOG_SQRT_2PI


def correlated_gaussian(d=10, seed=0):
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((d, d))
    return np.arange(d, dtype=float), A @ A.T / d + 0.1 * np.eye(d)


MEAN10, COV10 = correlated_gaussian()
PREC10 = np.linalg.inv(COV10)


def gaussian_rows(X):
    diff = X - MEAN10
    return -0.5 * np.einsum("ij,jk,ik->i", diff, PREC10, diff)


@njit
def gaussian_point(x):
    total = 0.0
    d = x.shape[0]
    for i in range(d):
        di = x[i] - MEAN10[i]
        for j in range(d):
            total += di * PREC10[i, j] * (x[j] - MEAN10[j])
    return -0.5 * total


# ------------------------------------------------------------------ timing
def best_of(repeats, func):
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return min(times), result


def min_ess(chains):
    """Smallest bulk ESS over the dimensions of (n_chains, n_draws, d)."""
    return float(np.min(effective_sample_size(chains)))


def textbook_mh_1d(n_steps, step, seed=0):
    """The chapter's loop: scipy pdf per step, ratio of densities."""
    rng = np.random.default_rng(seed)
    x, samples = 0.0, []
    for _ in range(n_steps):
        proposal = x + rng.normal(0, step)
        if rng.random() < mixture_pdf(proposal) / mixture_pdf(x):
            x = proposal
        samples.append(x)
    return np.array(samples)[np.newaxis, :, np.newaxis]


def textbook_mh_nd(n_steps, step, seed=0):
    rng = np.random.default_rng(seed)
    target = stats.multivariate_normal(MEAN10, COV10)
    x = MEAN10.copy()
    samples = np.empty((n_steps, len(x)))
    for t in range(n_steps):
        proposal = x + rng.normal(0, step, len(x))
        if rng.random() < target.pdf(proposal) / target.pdf(x):
            x = proposal
        samples[t] = x
    return samples[np.newaxis]


def run_emcee(log_prob_rows, d, n_walkers, n_steps, start_scale, seed=0):
    import emcee

    rng = np.random.default_rng(seed)
    start = rng.normal(0, start_scale, (n_walkers, d)) + (MEAN10[:d] if d > 1 else 0)
    sampler = emcee.EnsembleSampler(
        n_walkers, d, lambda X: log_prob_rows(np.atleast_2d(X)), vectorize=True
    )
    sampler.random_state = np.random.RandomState(seed).get_state()
    sampler.run_mcmc(start, n_steps, progress=False)
    chain = sampler.get_chain()  # (n_steps, n_walkers, d)
    return np.swapaxes(chain[n_steps // 10 :], 0, 1)


def mh_row(name, target, n_chains, n_draws, n_warmup, n_jobs, repeats, **kwargs):
    sampler = MetropolisHastingsSampler(
        target,
        n_chains=n_chains,
        n_warmup=n_warmup,
        n_jobs=n_jobs,
        random_state=0,
        **kwargs,
    ).fit()
    # compile outside the timing: a run long enough for the compiled engine
    # (short runs take the NumPy engine, which compiles nothing)
    kept = max(1, NUMPY_MAX_CHAIN_STEPS // n_chains + 1 - n_warmup)
    sampler.sample(n_chains * kept)
    seconds, _ = best_of(repeats, lambda: sampler.sample(n_chains * n_draws))
    steps = n_chains * (n_warmup + n_draws)
    return name, steps / seconds, min_ess(sampler.chains_) / seconds, seconds


def mh_table(quick, repeats, have_emcee):
    rows = {}
    # ------------------------------------------------ 1-D bimodal mixture
    scale = 0.1 if quick else 1.0
    book_steps = int(20000 * scale) + 2000
    seconds, chains = best_of(1, lambda: textbook_mh_1d(book_steps, 2.5))
    rows["1-D mixture"] = [
        (
            "textbook loop (scipy pdf per step)",
            book_steps / seconds,
            min_ess(chains) / seconds,
            seconds,
        )
    ]
    if have_emcee:
        n_walkers, n_steps = 32, int(6000 * scale) + 500
        seconds, chains = best_of(
            1, lambda: run_emcee(mixture_rows, 1, n_walkers, n_steps, 2.0)
        )
        rows["1-D mixture"].append(
            (
                f"emcee, vectorize=True, {n_walkers} walkers",
                n_walkers * n_steps / seconds,
                min_ess(chains) / seconds,
                seconds,
            )
        )
    start = {"initial": np.zeros(1), "proposal": "gaussian"}  # random walk
    draws = int(200_000 * scale)
    rows["1-D mixture"] += [
        mh_row(
            "skgenfund, Python callable, 4 chains",
            mixture_rows, 4, draws // 20, 1000, 1, repeats, **start,
        ),
        mh_row(
            "skgenfund, Python callable, 1000 chains",
            mixture_rows, 1000, draws // 100, 1000, 1, repeats, **start,
        ),
    ]  # fmt: skip
    rng = np.random.default_rng(0)
    data = np.concatenate([rng.normal(-2, 0.5, 6000), rng.normal(3, 1, 14000)])
    fitted = EMGaussianMixture(2, random_state=0).fit(data[:, None])
    big = int(2_000_000 * scale)
    for n_jobs in (1, 2):
        rows["1-D mixture"].append(
            mh_row(
                f"skgenfund, @njit target, 8 chains, {n_jobs} thread(s)",
                mixture_point, 8, big, 1000, n_jobs, repeats, **start,
            )
        )  # fmt: skip
    for n_jobs in (1, 2):
        rows["1-D mixture"].append(
            mh_row(
                f"skgenfund, EMGaussianMixture target, 8 chains, {n_jobs} thread(s)",
                fitted, 8, big, 1000, n_jobs, repeats, proposal="gaussian",
            )
        )  # fmt: skip

    # ------------------------------------------------ 10-D correlated Gaussian
    d = len(MEAN10)
    probe = MetropolisHastingsSampler(
        gaussian_point, proposal="gaussian", n_chains=4, initial=MEAN10,
        random_state=0,
    ).fit()  # fmt: skip
    probe.sample(4000)
    step = float(np.mean(probe.step_size_))  # the isotropic step skgenfund tunes
    book_steps = int(20000 * scale) + 2000
    seconds, chains = best_of(1, lambda: textbook_mh_nd(book_steps, step))
    rows["10-D correlated Gaussian"] = [
        (
            f"textbook loop (scipy pdf per step, tuned step {step:.2f})",
            book_steps / seconds,
            min_ess(chains) / seconds,
            seconds,
        )
    ]
    if have_emcee:
        n_walkers, n_steps = 40, int(10000 * scale) + 500
        seconds, chains = best_of(
            1, lambda: run_emcee(gaussian_rows, d, n_walkers, n_steps, 0.5)
        )
        rows["10-D correlated Gaussian"].append(
            (
                f"emcee, vectorize=True, {n_walkers} walkers",
                n_walkers * n_steps / seconds,
                min_ess(chains) / seconds,
                seconds,
            )
        )
    start = {"initial": MEAN10, "proposal": "adaptive"}
    gaussian_fit = GaussianMLE().fit(
        np.random.default_rng(0).multivariate_normal(MEAN10, COV10, 200_000)
    )
    draws = int(400_000 * scale)
    rows["10-D correlated Gaussian"] += [
        mh_row(
            "skgenfund, Python callable, adaptive, 4 chains",
            gaussian_rows, 4, draws // 40, 2000, 1, repeats, **start,
        ),
        mh_row(
            "skgenfund, Python callable, adaptive, 1000 chains",
            gaussian_rows, 1000, draws // 400, 2000, 1, repeats, **start,
        ),
    ]  # fmt: skip
    for n_jobs in (1, 2):
        rows["10-D correlated Gaussian"].append(
            mh_row(
                f"skgenfund, @njit target, adaptive, 8 chains, {n_jobs} thread(s)",
                gaussian_point, 8, draws, 2000, n_jobs, repeats, **start,
            )
        )  # fmt: skip
    for n_jobs in (1, 2):
        rows["10-D correlated Gaussian"].append(
            mh_row(
                f"skgenfund, GaussianMLE target, adaptive, 8 chains, {n_jobs} "
                "thread(s)",
                gaussian_fit, 8, draws, 2000, n_jobs, repeats, **start,
            )
        )  # fmt: skip
    return rows


# ---------------------------------------------------------------- rejection
@njit
def beta25_point(x):
    v = x[0]
    if v <= 0.0 or v >= 1.0:
        return -np.inf
    return math.log(30.0) + math.log(v) + 4.0 * math.log(1.0 - v)


def textbook_rejection(n_samples, seed=0):
    rng = np.random.default_rng(seed)
    big_m = 2.4576
    out = []
    while len(out) < n_samples:
        x = rng.random()
        if rng.random() < stats.beta.pdf(x, 2, 5) / big_m:
            out.append(x)
    return np.array(out)


def rejection_table(quick, repeats):
    scale = 0.1 if quick else 1.0
    rows = []
    n_book = int(20000 * scale)
    seconds, _ = best_of(1, lambda: textbook_rejection(n_book))
    rows.append(("textbook loop (scipy pdf per proposal)", n_book / seconds))
    n = int(5_000_000 * scale)
    for name, target, n_jobs in [
        ("skgenfund, scipy.stats.beta target", stats.beta(2, 5), 1),
        ("skgenfund, scipy.stats.beta target, 2 threads", stats.beta(2, 5), 2),
        ("skgenfund, @njit target, 1 thread", beta25_point, 1),
        ("skgenfund, @njit target, 2 threads", beta25_point, 2),
    ]:
        sampler = RejectionSampler(
            target, proposal=stats.uniform(), random_state=0, n_jobs=n_jobs
        ).fit()
        sampler.sample(1000)
        seconds, _ = best_of(repeats, lambda s=sampler: s.sample(n))
        rows.append((name, n / seconds))
    from scipy.stats.sampling import TransformedDensityRejection

    class Beta25:
        def pdf(self, x):
            return x * (1 - x) ** 4

        def dpdf(self, x):
            return (1 - x) ** 4 - 4 * x * (1 - x) ** 3

    tdr = TransformedDensityRejection(
        Beta25(), domain=(0, 1), random_state=np.random.default_rng(0)
    )
    seconds, _ = best_of(repeats, lambda: tdr.rvs(n))
    rows.append(("scipy.stats.sampling.TransformedDensityRejection (C)", n / seconds))
    return rows


# -------------------------------------------------------------- diagnostics
def diagnostics_row(quick):
    n_draws = 2000 if quick else 20000
    chains = np.random.default_rng(0).standard_normal((64, n_draws))
    ours, _ = best_of(3, lambda: (effective_sample_size(chains), rhat(chains)))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import arviz as az
        theirs, _ = best_of(3, lambda: (az.ess(chains), az.rhat(chains)))
    except ImportError:
        theirs = float("nan")
    return n_draws, ours, theirs


# ------------------------------------------------------------ compile times
# Each snippet runs after "import numpy, numba, scipy.stats, skgenfund" (timed
# apart): what is left is compiling (or loading) the kernels.
IMPORTS = """
import numpy as np
from numba import njit
from scipy import stats
from skgenfund import GaussianMLE, MetropolisHastingsSampler, RejectionSampler
"""
COMPILE_SNIPPETS = {
    "MH, GaussianMLE target (module-level kernels)": """
X = np.random.default_rng(0).normal(size=(100, 2))
sampler = MetropolisHastingsSampler(GaussianMLE(), n_warmup=200, random_state=0)
sampler.fit(X).sample(50_000)  # long enough for the compiled engine
""",
    "MH, @njit target (function argument)": """
@njit
def log_p(x):
    return -0.5 * x[0] * x[0]
sampler = MetropolisHastingsSampler(log_p, n_warmup=200, initial=np.zeros(1))
sampler.fit().sample(50_000)  # long enough for the compiled engine
""",
    "Rejection, @njit target (function argument)": """
@njit
def log_p(x):
    return -0.5 * x[0] * x[0]
RejectionSampler(log_p, proposal=stats.t(3), random_state=0).fit().sample(100)
""",
}


def compile_times():
    rows = []
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache)
        for name, snippet in COMPILE_SNIPPETS.items():
            timed = (
                "import time\nstart = time.perf_counter()\n"
                + IMPORTS
                + "imported = time.perf_counter()\n"
                + snippet
                + "\nprint(imported - start, time.perf_counter() - imported)\n"
            )
            seconds = []
            for _ in range(2):  # cold (empty cache), then cached
                out = subprocess.run(
                    [sys.executable, "-c", timed],
                    env=env,
                    capture_output=True,
                    text=True,
                    check=True,
                )
                import_s, run_s = map(float, out.stdout.split()[-2:])
                seconds.append(run_s)
            rows.append((name, *seconds, import_s))
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller runs")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    try:
        import emcee  # noqa: F401

        have_emcee = True
    except ImportError:
        have_emcee = False
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"## Sampling ({date.today()}, {'quick' if args.quick else 'full'} run)\n")
    print(
        f"Python {platform.python_version()}, numpy {np.__version__}, "
        f"{os.cpu_count()} cores, load average {load:.1f} at the start "
        "(other processes share the cores).\n"
    )
    for name, rows in mh_table(args.quick, args.repeats, have_emcee).items():
        book = rows[0]
        print(f"### Metropolis-Hastings, {name}\n")
        print(
            "| method | steps/s | min bulk ESS/s | x textbook steps/s "
            "| x textbook ESS/s |"
        )
        print("|---|---:|---:|---:|---:|")
        for label, steps, ess, _ in rows:
            print(
                f"| {label} | {steps:,.0f} | {ess:,.0f} | {steps / book[1]:,.1f} | "
                f"{ess / book[2]:,.1f} |"
            )
        print()
    print("### Rejection sampling, Beta(2, 5) under a uniform proposal\n")
    rows = rejection_table(args.quick, args.repeats)
    print("| method | samples/s | x textbook |")
    print("|---|---:|---:|")
    for label, rate in rows:
        print(f"| {label} | {rate:,.0f} | {rate / rows[0][1]:,.0f} |")
    print()
    n_draws, ours, theirs = diagnostics_row(args.quick)
    print(
        f"### Diagnostics\n\nBulk ESS + R-hat of 64 chains x {n_draws} draws, one "
        f"dimension: skgenfund {ours:.3f} s, ArviZ {theirs:.3f} s.\n"
    )
    print("### Compile time (child process, imports excluded)\n")
    rows = compile_times()
    print("| path | cold (empty cache) s | cached s |")
    print("|---|---:|---:|")
    for name, cold, cached, _ in rows:
        print(f"| {name} | {cold:.2f} | {cached:.2f} |")
    print(
        f"\nImporting numpy, numba, scipy.stats and skgenfund took {rows[-1][3]:.2f} s "
        "more."
    )


if __name__ == "__main__":
    main()
