"""Benchmark of EMGaussianMixture against scikit-learn's GaussianMixture.

Run from the repository root::

    python benchmarks/bench_em.py              # all cells, markdown table
    python benchmarks/bench_em.py --quick      # smaller cells, fewer repeats

What is measured, per cell (N rows, D features, K components, covariance type):

* fit time of both estimators in this one process, from the *same* initial
  parameters (weights_init, means_init, precisions_init), with tol=0 and the
  same fixed number of EM iterations (checked: equal ``n_iter_``); the median
  of ``--repeats`` interleaved runs, each after a 0.3 s pause so that neither
  library's idle threads are still spinning. Compilation is excluded (a
  warm-up fit runs first) and reported separately;
* the arithmetic rate of skgenfund's kernels in GFLOP/s, counting the
  useful flops of the E- and M-steps (triangular solve and symmetric scatter
  for "full", ``N K D (D + 1)`` flops each), against a float64 numpy matmul
  measured in the same run;
* the peak memory of one fit above the memory held before it, in a fresh
  child process per estimator (the resident high-water mark, reset before
  the fit), so that every allocation (numpy, Numba, BLAS) counts;
* the share of a default fit (``init_params="kmeans"``) spent in the k-means
  initialisation;

and once: the cold compile time of all kernels (empty Numba cache, in a
child process) and the time to load them from the cache.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from datetime import date

import numpy as np

CELLS = [
    (1_000_000, 2, 3, "full"),
    (200_000, 16, 8, "full"),
    (50_000, 64, 8, "full"),
    (1_000_000, 2, 3, "diag"),
    (200_000, 16, 8, "diag"),
    (50_000, 64, 8, "diag"),
]
QUICK_CELLS = [(n // 10, d, k, c) for n, d, k, c in CELLS]
#: Seconds of idling before each timed fit (see fit_time).
SETTLE = 0.3


def make_data(n_samples, n_features, n_components, seed=0):
    """Gaussian blobs with random covariances (a fixed, reproducible draw)."""
    rng = np.random.RandomState(seed)
    centers = rng.uniform(-8, 8, size=(n_components, n_features))
    labels = rng.randint(n_components, size=n_samples)
    X = np.empty((n_samples, n_features))
    for k in range(n_components):
        rows = labels == k
        A = rng.normal(size=(n_features, n_features)) / np.sqrt(n_features)
        X[rows] = centers[k] + rng.normal(size=(rows.sum(), n_features)) @ A
    return X


def initial_parameters(X, n_components, covariance_type, seed=0):
    """Means at random rows, equal weights, precisions of the data's covariance."""
    rng = np.random.RandomState(seed)
    means = X[rng.choice(len(X), n_components, replace=False)]
    weights = np.full(n_components, 1.0 / n_components)
    variances = X.var(axis=0)
    if covariance_type == "full":
        precisions = np.repeat(np.diag(1.0 / variances)[None], n_components, axis=0)
    elif covariance_type == "tied":
        precisions = np.diag(1.0 / variances)
    elif covariance_type == "diag":
        precisions = np.repeat((1.0 / variances)[None], n_components, axis=0)
    else:
        precisions = np.full(n_components, 1.0 / variances.mean())
    return dict(weights_init=weights, means_init=means, precisions_init=precisions)


def estimators(n_components, covariance_type, init, n_iter):
    from sklearn.mixture import GaussianMixture

    from skgenfund import EMGaussianMixture

    params = dict(
        n_components=n_components,
        covariance_type=covariance_type,
        tol=0.0,
        max_iter=n_iter,
        **init,
    )
    return GaussianMixture(**params), EMGaussianMixture(**params)


def fit_time(estimator, X, settle=0.0):
    """Seconds of one fit, after ``settle`` seconds of idling.

    Idle OpenBLAS worker threads spin for about 0.1 s after a multi-threaded
    BLAS call, which halves the speed of any other multi-threaded code started
    meanwhile (measured: a 45 ms fit takes 90 ms right after sklearn's). The
    timed fits of both estimators therefore start after a pause.
    """
    from sklearn.exceptions import ConvergenceWarning

    time.sleep(settle)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        estimator.fit(X)
        return time.perf_counter() - start


def matmul_gflops(size=2000, repeats=5):
    rng = np.random.RandomState(0)
    A, B = rng.rand(size, size), rng.rand(size, size)
    A @ B
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        A @ B
        times.append(time.perf_counter() - start)
    return 2 * size**3 / min(times) / 1e9


def useful_flops(n, d, k, covariance_type, n_iter):
    """Flops of the E- and M-steps that skgenfund's kernels perform."""
    if covariance_type in ("full", "tied"):
        per_step = n * k * d * (d + 1)  # triangular product / symmetric scatter
    else:
        per_step = 3 * n * k * d
    return 2 * per_step * n_iter


# ---------------------------------------------------------------- child modes
def child_memory(args):
    """Peak memory of one fit above the memory held before it (child process).

    The kernel's high-water mark of resident memory (VmHWM) is reset just
    before the fit (``/proc/self/clear_refs``), so that making the data does
    not count.
    """
    n, d, k, ct, which, n_iter = args
    X = make_data(n, d, k)
    init = initial_parameters(X, k, ct)
    sk, ours = estimators(k, ct, init, n_iter)
    warm_sk, warm_ours = estimators(k, ct, init, 1)
    fit_time(warm_sk if which == "sklearn" else warm_ours, X)
    estimator = sk if which == "sklearn" else ours
    baseline = _status_kib("VmRSS")
    with open("/proc/self/clear_refs", "w") as clear_refs:
        clear_refs.write("5")  # reset VmHWM to the current resident size
    fit_time(estimator, X)
    print(json.dumps({"extra_mib": (_status_kib("VmHWM") - baseline) / 1024}))


def _status_kib(key):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"no {key} in /proc/self/status")


def child_compile(_args):
    """Time of the first fits (compilation or cache load) minus warm fits.

    50,000 rows: large enough to run the compiled kernels (smaller problems
    run in NumPy and compile nothing, see bench_cold_start.py).
    """
    rng = np.random.RandomState(0)
    X = rng.normal(size=(50_000, 3))
    X32 = X.astype(np.float32)
    start = time.perf_counter()
    import skgenfund  # noqa: F401

    import_time = time.perf_counter() - start
    from skgenfund import EMGaussianMixture

    def fits():
        start = time.perf_counter()
        for covariance_type in ("full", "tied", "diag", "spherical"):
            for data in (X, X32):
                gmm = EMGaussianMixture(
                    2, covariance_type=covariance_type, random_state=0
                ).fit(data)
                gmm.score_samples(data)
        return time.perf_counter() - start

    first = fits()
    warm = fits()
    print(json.dumps({"first": first - warm, "import": import_time}))


def run_child(mode, args, env=None):
    out = subprocess.run(
        [sys.executable, __file__, "--child", mode, json.dumps(args)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------------- main
def blas_info():
    from threadpoolctl import threadpool_info

    return ", ".join(
        f"{info['internal_api']} {info.get('architecture', '?')} "
        f"({info['num_threads']} threads)"
        for info in threadpool_info()
    )


def kmeans_share(X, n_components, covariance_type, repeats=3):
    """Time of the k-means initialisation and of a whole default fit.

    The initialisation is timed as a fit with ``max_iter=0`` (k-means plus the
    initial M-step), the whole fit with the defaults (k-means start, tol=1e-3);
    medians of ``repeats``.
    """
    from skgenfund import EMGaussianMixture

    def gmm(**params):
        return EMGaussianMixture(
            n_components, covariance_type=covariance_type, random_state=0, **params
        )

    init = statistics.median(
        fit_time(gmm(max_iter=0), X, settle=SETTLE) for _ in range(repeats)
    )
    default = gmm()
    total = statistics.median(
        fit_time(default, X, settle=SETTLE) for _ in range(repeats)
    )
    return init, total, default.n_iter_


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10x smaller cells")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--n-iter", type=int, default=10)
    parser.add_argument("--no-memory", action="store_true")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        {"memory": child_memory, "compile": child_compile}[args.child[0]](
            json.loads(args.child[1])
        )
        return

    import numba

    cells = QUICK_CELLS if args.quick else CELLS
    repeats = 3 if args.quick else args.repeats
    print(f"# EMGaussianMixture benchmark, {date.today().isoformat()}")
    print()
    print(
        f"Machine: {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} CPUs; BLAS: {blas_info()}; Numba threads: "
        f"{numba.get_num_threads()} ({numba.config.THREADING_LAYER} layer). "
        f"Load average at start: {os.getloadavg()[0]:.2f}."
    )
    peak = matmul_gflops()
    print(f"numpy float64 matmul (2000 x 2000): {peak:.1f} GFLOP/s.")
    print(
        f"Each fit: {args.n_iter} EM iterations from the same initial parameters, "
        f"tol=0; median of {repeats} interleaved repeats, each after a {SETTLE} s "
        "pause; compile excluded."
    )
    print()
    print(
        "| N | D | K | covariance | sklearn s/fit | skgenfund s/fit | speed-up "
        "| skgenfund GFLOP/s | % of matmul | sklearn peak MiB "
        "| skgenfund peak MiB | k-means init share |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for n, d, k, ct in cells:
        X = make_data(n, d, k)
        init = initial_parameters(X, k, ct)
        sk, ours = estimators(k, ct, init, args.n_iter)
        warm = estimators(k, ct, init, 1)[1]
        fit_time(warm, X)  # compile (or load) the kernels: this size runs them
        times_sk, times_ours = [], []
        for _ in range(repeats):
            times_sk.append(fit_time(sk, X, settle=SETTLE))
            times_ours.append(fit_time(ours, X, settle=SETTLE))
        assert sk.n_iter_ == ours.n_iter_ == args.n_iter
        scale = np.abs(sk.means_).max()
        mean_error = np.abs(sk.means_ - ours.means_).max() / scale
        assert mean_error < 1e-6, mean_error
        t_sk, t_ours = statistics.median(times_sk), statistics.median(times_ours)
        gflops = useful_flops(n, d, k, ct, args.n_iter) / t_ours / 1e9
        if args.no_memory:
            mem_sk = mem_ours = float("nan")
        else:
            mem_sk = run_child("memory", [n, d, k, ct, "sklearn", args.n_iter])[
                "extra_mib"
            ]
            mem_ours = run_child("memory", [n, d, k, ct, "skgenfund", args.n_iter])[
                "extra_mib"
            ]
        kmeans, total, n_iter_default = kmeans_share(X, k, ct)
        print(
            f"| {n:,} | {d} | {k} | {ct} | {t_sk:.3f} | {t_ours:.3f} "
            f"| {t_sk / t_ours:.1f}x | {gflops:.1f} | {100 * gflops / peak:.0f}% "
            f"| {mem_sk:.0f} | {mem_ours:.0f} "
            f"| {100 * kmeans / total:.0f}% of {total:.2f} s ({n_iter_default} it.) |",
            flush=True,
        )
    print()
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache)
        cold = run_child("compile", [], env=env)
        cached = run_child("compile", [], env=env)
    print(
        "Compilation of all kernels (4 covariance types x float64/float32, fit and "
        f"score_samples): cold {cold['first']:.1f} s, from the cache "
        f"{cached['first']:.2f} s; `import skgenfund` {cached['import']:.2f} s."
    )


if __name__ == "__main__":
    main()
