"""Benchmark of precision, recall, density and coverage against ``prdc``.

Run from the repository root::

    python benchmarks/bench_prdc.py            # 10,000 x 2,048 real and generated rows
    python benchmarks/bench_prdc.py --quick    # 2,000 x 512

What is measured, in this one process, on float64 features (real rows from
N(0, I), generated rows from N(0, 1.01^2 I)):

* one call of ``prdc.compute_prdc(real, generated, nearest_k=k)``, the
  authors' code (three full (n, n) float64 distance matrices);
* ``precision_recall(real, generated, k=k)`` then
  ``density_coverage(real, generated, k=k)``, as a user computing all four
  calls them, from an empty cache (cleared first): the second call finds the
  counts of the first pass in the cache (they are the same comparisons), so
  it costs the hashing of the inputs; each call's time is printed, and also
  ``density_coverage`` alone from an empty cache (its own k-NN search and
  pass), for transparency;
* the largest difference between the two sets of four values (the goal:
  1e-10; they are counts over n, so any disagreement would be >= 1/n);
* the peak of memory traced by ``tracemalloc`` during skgenfund's two
  calls at n and n/2 rows (it should grow as n, not n^2), next to the
  size of one (n, n) float64 matrix, of which prdc holds at least one.
"""

import argparse
import contextlib
import io
import os
import platform
import time
import tracemalloc

import numpy as np

from skgenfund import density_coverage, precision_recall
from skgenfund.metrics import _neighbours


def _data(n, d, seed):
    rng = np.random.default_rng(seed)
    real = rng.standard_normal((n, d))
    generated = 1.01 * rng.standard_normal((n, d))
    return real, generated


def _ours(real, generated, k, times=None):
    _neighbours._cache.clear()
    start = time.perf_counter()
    precision, recall = precision_recall(real, generated, k=k)
    middle = time.perf_counter()
    density, coverage = density_coverage(real, generated, k=k)
    if times is not None:
        times += [middle - start, time.perf_counter() - middle]
    return np.array([precision, recall, density, coverage])


def _density_coverage_cold(real, generated, k):
    _neighbours._cache.clear()
    return density_coverage(real, generated, k=k)


def _theirs(real, generated, k):
    from prdc import compute_prdc

    with contextlib.redirect_stdout(io.StringIO()):  # it prints the sizes
        out = compute_prdc(real, generated, nearest_k=k)
    return np.array(
        [out[name] for name in ("precision", "recall", "density", "coverage")]
    )


def _timed(func, *args):
    start = time.perf_counter()
    result = func(*args)
    return time.perf_counter() - start, result


def _peak_memory(func, *args):
    tracemalloc.start()
    try:
        func(*args)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("-k", type=int, default=5)
    args = parser.parse_args()
    n, d = (2000, 512) if args.quick else (10_000, 2048)
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, numpy {np.__version__}"
    )
    real, generated = _data(n, d, 0)
    _ours(*_data(300, d, 1), args.k)  # warm imports and BLAS
    times = []
    t_ours, ours = _timed(_ours, real, generated, args.k, times)
    t_theirs, theirs = _timed(_theirs, real, generated, args.k)
    t_cold, _ = _timed(_density_coverage_cold, real, generated, args.k)
    names = ("precision", "recall", "density", "coverage")
    print(f"n = {n} real and {n} generated rows, d = {d}, k = {args.k}")
    for name, a, b in zip(names, ours, theirs):
        print(f"  {name:9s} skgenfund {a:.6f}   prdc {b:.6f}")
    print(f"  largest |difference|: {np.max(np.abs(ours - theirs)):.3g}")
    print(f"  prdc.compute_prdc:                     {t_theirs:7.2f} s")
    print(f"  precision_recall + density_coverage:   {t_ours:7.2f} s")
    print(
        f"    of which precision_recall {times[0]:.2f} s, "
        f"density_coverage {times[1]:.2f} s"
    )
    print(f"  speed-up: {t_theirs / t_ours:.2f}x")
    print(
        f"  density_coverage alone from an empty cache: {t_cold:.2f} s; "
        f"with precision_recall: {times[0] + t_cold:.2f} s "
        f"({t_theirs / (times[0] + t_cold):.2f}x)"
    )
    for rows in (n // 2, n):
        peak = _peak_memory(_ours, real[:rows], generated[:rows], args.k)
        print(
            f"  peak traced memory, skgenfund, n = {rows}: {peak / 2**20:7.1f} MiB "
            f"(inputs {2 * rows * d * 8 / 2**20:.1f} MiB; one (n, n) float64 "
            f"matrix {rows * rows * 8 / 2**20:.1f} MiB)"
        )


if __name__ == "__main__":
    main()
