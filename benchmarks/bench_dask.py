"""Benchmark of EMGaussianMixture on a dask array, on a LocalCluster.

Run from the repository root (needs ``pip install "skgenfund[dask]" psutil``)::

    python benchmarks/bench_dask.py            # N = 10^7 rows x 8, K = 8
    python benchmarks/bench_dask.py --quick    # N = 10^6

The data are a mixture of K Gaussians with random covariances, generated chunk
by chunk by the workers (each chunk from its own seed): no process ever holds
all of X, and the client never holds any of it. For 1 and then 2 workers (one
process and one thread each, on 127.0.0.1, no dashboard) it measures:

* seconds per EM iteration (covariance "full", tol=0, from fixed initial
  parameters so that every run does the same arithmetic), with X persisted
  in the workers' memory, and with X recomputed (regenerated) every
  iteration, as data read from storage would be;
* the peak resident memory of the client process during the fit above what
  it held before (sampled every 2 ms; the scheduler of a LocalCluster lives
  in this process too), the client's lifetime high-water mark, and the
  resident memory of each worker (which hold the data);
* the time of an initialisation (k-means on the sample of chunks);
* the kernels' own time for one iteration on one core (``chunk_moments``
  on a few distinct chunks in this process, one Numba thread, times the
  number of chunks), to show how much of the workers' time is the kernels'
  and how much is dask's (task overhead; on a LocalCluster the scheduler
  shares this machine's cores with the workers).

The fits of all runs are checked to agree with each other to 1e-10 relative.
The machine may be shared with other jobs: the load average is printed with
each run.
"""

import argparse
import json
import os
import platform
import resource
import sys
import threading
import time
import warnings
from datetime import date

import numpy as np

SEED = 0


def mixture_definition(n_features, n_components, seed=SEED):
    """Centres, mixing matrices and weights of the data's mixture."""
    rng = np.random.RandomState(seed)
    centres = rng.uniform(-6, 6, size=(n_components, n_features))
    factors = rng.normal(size=(n_components, n_features, n_features)) / np.sqrt(
        n_features
    )
    weights = rng.dirichlet(np.full(n_components, 5.0))
    return centres, factors, weights


def make_chunk(n_rows, n_features, n_components, n_chunks, block_id=None):
    """Rows of one chunk, from the chunk's own seed (same data for any worker)."""
    index = block_id[0]
    seed = np.random.SeedSequence(SEED).spawn(n_chunks)[index]
    rng = np.random.default_rng(seed)
    centres, factors, weights = mixture_definition(n_features, n_components)
    labels = rng.choice(n_components, size=n_rows, p=weights)
    noise = rng.standard_normal((n_rows, n_features))
    X = np.empty((n_rows, n_features))
    for k in range(n_components):
        rows = labels == k
        X[rows] = centres[k] + noise[rows] @ factors[k]
    return X


def lazy_data(n_samples, n_features, n_components, chunk_rows):
    import dask.array as da

    n_chunks = -(-n_samples // chunk_rows)
    sizes = [chunk_rows] * (n_chunks - 1) + [n_samples - chunk_rows * (n_chunks - 1)]
    assert len(set(sizes)) == 1, "choose N as a multiple of the chunk size"
    return da.map_blocks(
        make_chunk,
        chunk_rows,
        n_features,
        n_components,
        n_chunks,
        chunks=(tuple(sizes), (n_features,)),
        dtype=np.float64,
        meta=np.empty((0, 0)),
    )


def initial_parameters(n_features, n_components):
    """Means near (not at) the centres, unit weights, identity precisions."""
    centres, _, _ = mixture_definition(n_features, n_components)
    rng = np.random.RandomState(1)
    return dict(
        weights_init=np.full(n_components, 1.0 / n_components),
        means_init=centres + rng.normal(scale=1.0, size=centres.shape),
        precisions_init=np.repeat(np.eye(n_features)[None], n_components, axis=0),
    )


class PeakRSS:
    """Highest resident memory of this process while the block runs."""

    def __init__(self, interval=0.002):
        import psutil

        self.process = psutil.Process()
        self.interval = interval

    def __enter__(self):
        self.baseline = self.process.memory_info().rss
        self.peak = self.baseline
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()
        return self

    def _watch(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, self.process.memory_info().rss)
            time.sleep(self.interval)

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.process.memory_info().rss)


def fit(X, n_components, init, max_iter):
    from sklearn.exceptions import ConvergenceWarning

    from skgenfund import EMGaussianMixture

    model = EMGaussianMixture(n_components, tol=0.0, max_iter=max_iter, **init)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        model.fit(X)
    return model, time.perf_counter() - start


def warm_worker():
    """Load (or compile) the chunk kernels on a worker before timing."""
    from skgenfund.mixture._dask import task_threads
    from skgenfund.mixture._moments import chunk_moments

    X = np.random.RandomState(0).normal(size=(256, 2))
    params = (np.full(2, 0.5), np.zeros((2, 2)), np.repeat(np.eye(2)[None], 2, 0))
    with task_threads():
        chunk_moments(X, np.ones(256), params, "full")
    return True


def kernel_seconds(args, init, n_distinct=4):
    """One iteration's chunk kernels in this process, on one Numba thread.

    ``chunk_moments`` on ``n_distinct`` different chunks (so that they are
    read from memory, not from the cache, as on a worker), the mean time
    per chunk times the number of chunks.
    """
    import numba

    from skgenfund._core.gaussian import precision_cholesky_from_precisions
    from skgenfund.mixture._moments import chunk_moments

    n_chunks = args.rows // args.chunk_rows
    chunks = [
        make_chunk(
            args.chunk_rows, args.features, args.components, n_chunks, block_id=(i,)
        )
        for i in range(min(n_distinct, n_chunks))
    ]
    params = (
        init["weights_init"],
        init["means_init"],
        precision_cholesky_from_precisions(init["precisions_init"], "full"),
    )
    weights = np.ones(args.chunk_rows)
    previous = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        chunk_moments(chunks[0], weights, params, "full")  # load / compile
        times = []
        for _ in range(3):
            for X in chunks:
                start = time.perf_counter()
                chunk_moments(X, weights, params, "full")
                times.append(time.perf_counter() - start)
    finally:
        numba.set_num_threads(previous)
    return float(np.median(times)) * n_chunks


def run(args, n_workers, init):
    import distributed
    import psutil

    from skgenfund import EMGaussianMixture

    X = lazy_data(args.rows, args.features, args.components, args.chunk_rows)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Port .* already in use", UserWarning)
        cluster = distributed.LocalCluster(
            n_workers=n_workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        )
    result = {"workers": n_workers, "load_before": os.getloadavg()[0]}
    with cluster, distributed.Client(cluster) as client:
        client.wait_for_workers(n_workers, timeout=120)
        client.run(warm_worker)
        # first without persisting (the cluster holds no chunk of X yet, so
        # every iteration generates all chunks again), then persisted
        with PeakRSS() as memory:
            _, seconds = fit(X, args.components, init, 2)
        result["s_per_iteration_recomputed"] = seconds / 2
        result["client_peak_recomputed_mib"] = (memory.peak - memory.baseline) / 2**20
        start = time.perf_counter()
        X_persisted = client.persist(X)
        distributed.wait(X_persisted)
        result["generate_s"] = time.perf_counter() - start
        fit(X_persisted, args.components, init, 1)  # warm-up: one pass
        with PeakRSS() as memory:
            model, seconds = fit(X_persisted, args.components, init, args.iterations)
        result["s_per_iteration"] = seconds / args.iterations
        result["client_peak_mib"] = (memory.peak - memory.baseline) / 2**20
        result["client_rss_mib"] = memory.peak / 2**20
        result["worker_rss_mib"] = [
            rss / 2**20
            for rss in client.run(lambda: psutil.Process().memory_info().rss).values()
        ]
        start = time.perf_counter()
        EMGaussianMixture(args.components, max_iter=0, random_state=0).fit(X_persisted)
        result["init_s"] = time.perf_counter() - start
        result["load_after"] = os.getloadavg()[0]
    result["client_lifetime_high_water_mib"] = (
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    )
    return result, model


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--features", type=int, default=8)
    parser.add_argument("--components", type=int, default=8)
    parser.add_argument("--chunk-rows", type=int, default=250_000)
    parser.add_argument("--iterations", type=int, default=5)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--quick", action="store_true", help="N = 10^6")
    args = parser.parse_args()
    if args.quick:
        args.rows = 1_000_000
        args.chunk_rows = 100_000
    import dask
    import distributed

    init = initial_parameters(args.features, args.components)
    data_mib = args.rows * args.features * 8 / 2**20
    print(
        f"# {date.today()}  python {platform.python_version()}  "
        f"dask {dask.__version__}  distributed {distributed.__version__}  "
        f"cores {os.cpu_count()}"
    )
    print(
        f"# N = {args.rows:,} x {args.features}, K = {args.components} (full), "
        f"{args.rows // args.chunk_rows} chunks of {args.chunk_rows:,} rows; "
        f"X is {data_mib:.0f} MiB"
    )
    kernels = kernel_seconds(args, init)
    print(f"# kernels of one iteration on one core, in-process: {kernels:.2f} s")
    results, models = [], []
    for n_workers in args.workers:
        result, model = run(args, n_workers, init)
        result["kernel_share"] = kernels / (n_workers * result["s_per_iteration"])
        results.append(result)
        models.append(model)
        print(json.dumps(result), file=sys.stderr)
    for model in models[1:]:
        for name in ("weights_", "means_", "covariances_"):
            np.testing.assert_allclose(
                getattr(model, name), getattr(models[0], name), rtol=1e-10
            )
    print()
    print(
        "| workers | s / iteration (persisted) | kernels' share of worker time "
        "| s / iteration (X regenerated) | client peak above baseline, MiB "
        "| client RSS, MiB | worker RSS, MiB | init on chunk sample, s "
        "| load before / after |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for r in results:
        workers_rss = ", ".join(f"{rss:.0f}" for rss in r["worker_rss_mib"])
        print(
            f"| {r['workers']} | {r['s_per_iteration']:.2f} "
            f"| {100 * r['kernel_share']:.0f}% "
            f"| {r['s_per_iteration_recomputed']:.2f} "
            f"| {r['client_peak_mib']:.1f} (regenerated: "
            f"{r['client_peak_recomputed_mib']:.1f}) "
            f"| {r['client_rss_mib']:.0f} | {workers_rss} | {r['init_s']:.2f} "
            f"| {r['load_before']:.2f} / {r['load_after']:.2f} |"
        )
    speedup = results[0]["s_per_iteration"] / results[-1]["s_per_iteration"]
    print(f"\nspeed-up {args.workers[0]} -> {args.workers[-1]} workers: {speedup:.2f}x")
    print("fits of all runs agree to 1e-10 relative")


if __name__ == "__main__":
    main()
