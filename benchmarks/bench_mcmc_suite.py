"""MCMC benchmark suite: five targets, every sampler side by side in one process.

Run from the repository root::

    python benchmarks/bench_mcmc_suite.py            # full sizes, markdown tables
    python benchmarks/bench_mcmc_suite.py --quick    # smaller runs

Targets (each with its exact mean and standard deviation per dimension):

* the chapter's bimodal mixture 0.3 N(-2, 0.5^2) + 0.7 N(3, 1) (1-D);
* a 2-D banana (Rosenbrock): log p = -(100 (y - x^2)^2 + (1 - x)^2) / 20, so
  x ~ N(1, 10) and y | x ~ N(x^2, 0.1);
* Neal's funnel in 10-D: v ~ N(0, 3^2), x_i | v ~ N(0, e^v) for i = 1..9;
* a 100-D Gaussian with condition number 1e4 (eigenvalues log-spaced from
  0.01 to 100, randomly rotated);
* the iris GaussianMLE (4-D, condition number ~175): the package's own
  density for skgenfund, the same Gaussian as a function for the others.

Methods: the textbook loop (isotropic random walk, one log-density call per
step, step 2.38 / sqrt(d) times the typical scale), emcee's ensemble sampler
(vectorize=True; walkers treated as chains), skgenfund's isotropic random
walk, adaptive random walk and MALA (compiled: @njit targets and gradients,
or the package's density), and NumPyro's NUTS (if numpyro is installed; a
benchmark-only dependency, skipped otherwise).

For every row: the smallest bulk and tail ESS over the dimensions (all from
``skgenfund.effective_sample_size``), per second of sampling and per density
evaluation (NUTS: per gradient evaluation, i.e. leapfrog step; MALA's
evaluations include the gradient), the compile time separately (first call
minus a repeat of it; skgenfund: a 50,000-draw run, NumPyro: the whole run),
and the largest |error| of the means and standard
deviations in units of their Monte Carlo standard errors ("z": above ~4 the
method has not found the target's moments, and its ESS means nothing). A
chain that never moved gets ESS 0. ``--target i`` runs one target (0-4), to
keep each run short.
"""

import argparse
import math
import os
import platform
import tempfile
import time
import warnings
from datetime import date

# compile times are cold ones: an empty Numba cache (before numba is imported)
os.environ.setdefault("NUMBA_CACHE_DIR", tempfile.mkdtemp(prefix="numba-cold-"))

import numpy as np  # noqa: E402
import scipy  # noqa: E402
from numba import njit  # noqa: E402
from sklearn.datasets import load_iris  # noqa: E402

from skgenfund import GaussianMLE, MetropolisHastingsSampler, effective_sample_size  # noqa: E402

# ------------------------------------------------------------------ targets
LOG_W = np.log(np.array([0.3, 0.7]))
LOG_SQRT_2PI = 0.5 * math.log(2 * math.pi)


@njit
def bimodal_point(x):
    a = LOG_W[0] - 0.5 * ((x[0] + 2.0) / 0.5) ** 2 - math.log(0.5)
    b = LOG_W[1] - 0.5 * (x[0] - 3.0) ** 2
    top = max(a, b)
    return top + math.log(math.exp(a - top) + math.exp(b - top)) - LOG_SQRT_2PI


@njit
def bimodal_gradient(x):
    a = LOG_W[0] - 0.5 * ((x[0] + 2.0) / 0.5) ** 2 - math.log(0.5)
    b = LOG_W[1] - 0.5 * (x[0] - 3.0) ** 2
    top = max(a, b)
    wa, wb = math.exp(a - top), math.exp(b - top)
    return np.array([(wa * -(x[0] + 2.0) / 0.25 + wb * -(x[0] - 3.0)) / (wa + wb)])


def bimodal_rows(X):
    x = X[:, 0]
    a = LOG_W[0] - 0.5 * ((x + 2.0) / 0.5) ** 2 - math.log(0.5)
    b = LOG_W[1] - 0.5 * (x - 3.0) ** 2
    return np.logaddexp(a, b) - LOG_SQRT_2PI


@njit
def banana_point(x):
    return -(100.0 * (x[1] - x[0] ** 2) ** 2 + (1.0 - x[0]) ** 2) / 20.0


@njit
def banana_gradient(x):
    r = x[1] - x[0] ** 2
    return np.array([(400.0 * r * x[0] + 2.0 * (1.0 - x[0])) / 20.0, -10.0 * r])


def banana_rows(X):
    return -(100.0 * (X[:, 1] - X[:, 0] ** 2) ** 2 + (1.0 - X[:, 0]) ** 2) / 20.0


@njit
def funnel_point(x):
    v = x[0]
    total = -0.5 * (v / 3.0) ** 2
    for i in range(1, x.shape[0]):
        total += -0.5 * x[i] ** 2 * math.exp(-v) - 0.5 * v
    return total


@njit
def funnel_gradient(x):
    d = x.shape[0]
    g = np.empty(d)
    ev = math.exp(-x[0])
    g[0] = -x[0] / 9.0 - 0.5 * (d - 1)
    for i in range(1, d):
        g[0] += 0.5 * x[i] ** 2 * ev
        g[i] = -x[i] * ev
    return g


def funnel_rows(X):
    v = X[:, 0]
    rest = X[:, 1:]
    return (
        -0.5 * (v / 3.0) ** 2
        - 0.5 * np.sum(rest**2, axis=1) * np.exp(-v)
        - 0.5 * rest.shape[1] * v
    )


def ill_conditioned(d=100, condition=1e4, seed=0):
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.standard_normal((d, d)))
    eigenvalues = np.logspace(-2, 2, d) * 1.0
    assert math.isclose(eigenvalues[-1] / eigenvalues[0], condition)
    return (q * eigenvalues) @ q.T, (q / eigenvalues) @ q.T


COV100, PREC100 = ill_conditioned()


@njit
def gauss100_point(x):
    total = 0.0
    d = x.shape[0]
    for i in range(d):
        acc = 0.0
        for j in range(d):
            acc += PREC100[i, j] * x[j]
        total += x[i] * acc
    return -0.5 * total


@njit
def gauss100_gradient(x):
    return -(PREC100 @ x)


def gauss100_rows(X):
    return -0.5 * np.einsum("ij,jk,ik->i", X, PREC100, X)


IRIS = load_iris().data
IRIS_MLE = GaussianMLE().fit(IRIS)
IRIS_MEAN, IRIS_PREC = IRIS_MLE.mean_, np.linalg.inv(IRIS_MLE.covariance_)


def iris_rows(X):
    diff = X - IRIS_MEAN
    return -0.5 * np.einsum("ij,jk,ik->i", diff, IRIS_PREC, diff)


BIMODAL_MEAN = 0.3 * -2 + 0.7 * 3
BIMODAL_SD = math.sqrt(0.3 * (0.25 + 4) + 0.7 * (1 + 9) - BIMODAL_MEAN**2)

# name: (d, njit point density, njit gradient, numpy rows, truth mean, truth sd,
#        typical scale for starts and the textbook step, package density)
TARGETS = {
    "bimodal mixture (1-D)": (
        1, bimodal_point, bimodal_gradient, bimodal_rows,
        np.array([BIMODAL_MEAN]), np.array([BIMODAL_SD]), np.array([2.5]), None,
    ),
    "banana / Rosenbrock (2-D)": (
        2, banana_point, banana_gradient, banana_rows,
        np.array([1.0, 11.0]), np.array([math.sqrt(10), math.sqrt(240.1)]),
        np.array([3.0, 1.0]), None,
    ),
    "Neal's funnel (10-D)": (
        10, funnel_point, funnel_gradient, funnel_rows,
        np.zeros(10), np.r_[3.0, np.full(9, math.exp(9 / 4))],
        np.r_[3.0, np.ones(9)], None,
    ),
    "Gaussian, cond 1e4 (100-D)": (
        100, gauss100_point, gauss100_gradient, gauss100_rows,
        np.zeros(100), np.sqrt(np.diag(COV100)), np.sqrt(np.diag(COV100)), None,
    ),
    "iris GaussianMLE (4-D)": (
        4, None, None, iris_rows,
        IRIS_MEAN, np.sqrt(np.diag(IRIS_MLE.covariance_)), IRIS.std(axis=0),
        IRIS_MLE,
    ),
}  # fmt: skip

# (n_chains, n_warmup, n_draws) of skgenfund's runs per target, full size
RUNS = {
    "bimodal mixture (1-D)": (4, 2000, 100_000),
    "banana / Rosenbrock (2-D)": (4, 5000, 100_000),
    "Neal's funnel (10-D)": (4, 5000, 50_000),
    "Gaussian, cond 1e4 (100-D)": (4, 100_000, 25_000),
    "iris GaussianMLE (4-D)": (4, 2000, 50_000),
}


# --------------------------------------------------------------- measures
def ess(chains):
    """(min bulk ESS, min tail ESS) over the dimensions of (chains, draws, d)."""
    return (
        float(np.min(effective_sample_size(chains))),
        float(np.min(effective_sample_size(chains, method="tail"))),
    )


def moment_z(chains, mean, sd):
    """Largest |error| of the means and sds over dimensions, in MCSE units."""
    pooled = chains.reshape(-1, chains.shape[-1])
    ess_mean = effective_sample_size(chains, method="mean")
    centred2 = (chains - pooled.mean(axis=0)) ** 2
    ess_sq = effective_sample_size(centred2, method="mean")
    mcse_mean = pooled.std(axis=0) / np.sqrt(ess_mean)
    est_sd = pooled.std(axis=0)
    mcse_sd = centred2.reshape(-1, chains.shape[-1]).std(axis=0) / np.sqrt(ess_sq)
    mcse_sd /= 2 * est_sd
    z_mean = np.abs(pooled.mean(axis=0) - mean) / mcse_mean
    z_sd = np.abs(est_sd - sd) / mcse_sd
    return float(max(z_mean.max(), z_sd.max()))


def row(method, seconds, chains, evaluations, compile_seconds, truth):
    stuck = np.any(np.all(np.ptp(chains, axis=1) == 0, axis=0))
    bulk, tail = (0.0, 0.0) if stuck else ess(chains)  # a chain that never moved
    return {
        "method": method,
        "seconds": seconds,
        "bulk": bulk,
        "tail": tail,
        "bulk/s": bulk / seconds,
        "tail/s": tail / seconds,
        "bulk/eval": bulk / evaluations,
        "compile": compile_seconds,
        "z": np.nan if stuck else moment_z(chains, *truth),
    }


# ----------------------------------------------------------------- methods
def starts(center, scale, n, seed=1):
    """n starting points near the target's centre (a tenth of its scale)."""
    d = scale.shape[0]
    return center + np.random.default_rng(seed).normal(0, 1, (n, d)) * scale * 0.1


def textbook(rows, center, scale, n_steps, seed=0):
    """The chapter's loop: one log-density call per step, isotropic walk."""
    rng = np.random.default_rng(seed)
    d = scale.shape[0]
    step = 2.38 / math.sqrt(d) * float(np.mean(scale))
    x = starts(center, scale, 1, seed)[0]
    lp = rows(x[None])[0]
    out = np.empty((n_steps, d))
    for t in range(n_steps):
        proposal = x + rng.normal(0.0, step, d)
        lp_prop = rows(proposal[None])[0]
        if math.log(rng.random()) < lp_prop - lp:
            x, lp = proposal, lp_prop
        out[t] = x
    return out[n_steps // 5 :][None]


def run_emcee(rows, center, scale, n_walkers, n_steps, seed=0):
    import emcee

    d = scale.shape[0]
    start = starts(center, scale, n_walkers, seed)
    sampler = emcee.EnsembleSampler(n_walkers, d, rows, vectorize=True)
    sampler.random_state = np.random.RandomState(seed).get_state()
    sampler.run_mcmc(start, n_steps, progress=False)
    return np.swapaxes(sampler.get_chain()[n_steps // 5 :], 0, 1)


def run_ours(target, gradient, proposal, center, scale, runs):
    n_chains, n_warmup, n_draws = runs

    def sampler(n_warmup):
        return MetropolisHastingsSampler(
            target, proposal=proposal, gradient=gradient, n_chains=n_chains,
            n_warmup=n_warmup, initial=starts(center, scale, n_chains),
            random_state=0,
        ).fit()  # fmt: skip

    # compile time: a small run long enough for the compiled engine, twice
    small = sampler(200)
    times = []
    for _ in range(2):
        began = time.perf_counter()
        small.sample(50_000)
        times.append(time.perf_counter() - began)
    run = sampler(n_warmup)
    seconds = time.perf_counter()
    run.sample(n_chains * n_draws)
    seconds = time.perf_counter() - seconds
    evaluations = n_chains * (n_warmup + n_draws)
    return seconds, run.chains_, evaluations, max(0.0, times[0] - times[1])


def jax_log_density(name):
    import jax.numpy as jnp

    if name.startswith("bimodal"):

        def f(x):
            a = LOG_W[0] - 0.5 * ((x[0] + 2.0) / 0.5) ** 2 - math.log(0.5)
            b = LOG_W[1] - 0.5 * (x[0] - 3.0) ** 2
            return jnp.logaddexp(a, b)

    elif name.startswith("banana"):

        def f(x):
            return -(100.0 * (x[1] - x[0] ** 2) ** 2 + (1.0 - x[0]) ** 2) / 20.0

    elif name.startswith("Neal"):

        def f(x):
            v = x[0]
            return (
                -0.5 * (v / 3.0) ** 2
                - 0.5 * jnp.sum(x[1:] ** 2) * jnp.exp(-v)
                - 0.5 * (x.shape[0] - 1) * v
            )

    elif name.startswith("Gaussian"):
        prec = jnp.asarray(PREC100)

        def f(x):
            return -0.5 * x @ prec @ x

    else:
        mean, prec = jnp.asarray(IRIS_MEAN), jnp.asarray(IRIS_PREC)

        def f(x):
            return -0.5 * (x - mean) @ prec @ (x - mean)

    return f


def run_nuts(name, center, scale, runs):
    import jax
    import jax.numpy as jnp
    from numpyro.infer import MCMC, NUTS

    n_chains, _, n_draws = runs
    n_warmup, n_draws = 1000, max(1000, n_draws // 50)
    log_p = jax_log_density(name)
    start = starts(center, scale, n_chains)
    mcmc = MCMC(
        NUTS(potential_fn=lambda x: -log_p(x)),
        num_warmup=n_warmup,
        num_samples=n_draws,
        num_chains=n_chains,
        chain_method="sequential",
        progress_bar=False,
    )
    times = []
    for _ in range(2):  # the first run includes the compilation
        began = time.perf_counter()
        mcmc.run(jax.random.PRNGKey(0), init_params=jnp.asarray(start),
                 extra_fields=("num_steps",))  # fmt: skip
        jax.block_until_ready(mcmc.get_samples())
        times.append(time.perf_counter() - began)
    chains = np.asarray(mcmc.get_samples(group_by_chain=True))
    steps = np.asarray(mcmc.get_extra_fields(group_by_chain=True)["num_steps"])
    # the warm-up's leapfrog steps are not recorded: count the kept ones, scaled
    evaluations = float(steps.sum()) * (n_warmup + n_draws) / n_draws
    return times[1], chains, evaluations, max(0.0, times[0] - times[1])


# ------------------------------------------------------------------ driver
def suite(quick, names):
    shrink = 10 if quick else 1
    have_emcee, have_numpyro = True, True
    try:
        import emcee
    except ImportError:
        have_emcee = False
    try:
        import jax

        jax.config.update("jax_enable_x64", True)
        import numpyro  # noqa: F401
    except ImportError:
        have_numpyro = False
    tables = {}
    for name in names:
        spec = TARGETS[name]
        d, point, gradient, rows, mean, sd, scale, density = spec
        truth = (mean, sd)
        n_chains, n_warmup, n_draws = RUNS[name]
        runs = (n_chains, n_warmup, max(2000, n_draws // shrink))
        center = IRIS_MEAN if density is not None else np.zeros(d)
        results = []
        n_book = max(5000, 50_000 // shrink)
        seconds = time.perf_counter()
        chains = textbook(rows, center, scale, n_book)
        seconds = time.perf_counter() - seconds
        results.append(row("textbook loop", seconds, chains, n_book, 0.0, truth))
        if have_emcee:
            n_walkers = max(32, 2 * d + 2)
            n_steps = max(1000, 4 * (runs[1] + runs[2]) // n_walkers)
            seconds = time.perf_counter()
            chains = run_emcee(rows, center, scale, n_walkers, n_steps)
            seconds = time.perf_counter() - seconds
            label = f"emcee {emcee.__version__}, vectorize=True, {n_walkers} walkers"
            results.append(row(label, seconds, chains, n_walkers * n_steps, 0.0, truth))
        target = density if density is not None else point
        kind = "GaussianMLE" if density is not None else "@njit"
        for proposal in ("gaussian", "adaptive", "mala"):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # convergence warnings: in the z
                out = run_ours(target, gradient, proposal, center, scale, runs)
            label = f"skgenfund {proposal}, {kind} target, {n_chains} chains"
            results.append(row(label, *out, truth))
        if have_numpyro:
            out = run_nuts(name, center, scale, runs)
            label = f"NumPyro {numpyro.__version__} NUTS, {n_chains} chains"
            results.append(row(label, *out, truth))
        tables[name] = results
        print(f"done: {name}", flush=True)
    return tables


def markdown(tables):
    lines = []
    for name, results in tables.items():
        emcee_row = next((r for r in results if r["method"].startswith("emcee")), None)
        lines += [
            f"### {name}",
            "",
            "| method | s | min bulk ESS | min tail ESS | bulk ESS/s | tail ESS/s "
            "| bulk ESS per 1000 evals | compile s | x emcee bulk ESS/s | z |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for r in results:
            ratio = f"{r['bulk/s'] / emcee_row['bulk/s']:,.1f}" if emcee_row else "-"
            lines.append(
                f"| {r['method']} | {r['seconds']:.2f} | {r['bulk']:,.0f} | "
                f"{r['tail']:,.0f} | {r['bulk/s']:,.0f} | {r['tail/s']:,.0f} | "
                f"{1000 * r['bulk/eval']:.2f} | {r['compile']:.2f} | {ratio} | "
                f"{'-' if np.isnan(r['z']) else format(r['z'], '.1f')} |"
            )
        lines.append("")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument(
        "--target", type=int, action="append", choices=range(len(TARGETS)),
        help="index of a target to run (repeatable; default: all)",
    )  # fmt: skip
    args = parser.parse_args()
    names = list(TARGETS)
    names = [names[i] for i in args.target] if args.target else names
    print(
        f"{date.today()}, {platform.processor() or platform.machine()}, "
        f"Python {platform.python_version()}, numpy {np.__version__}, "
        f"scipy {scipy.__version__}"
    )
    print(markdown(suite(args.quick, names)))


if __name__ == "__main__":
    main()
