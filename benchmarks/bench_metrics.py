"""Benchmark of the Fréchet distance's trace term against ``sqrtm(S1 @ S2)``.

Run from the repository root::

    python benchmarks/bench_metrics.py            # d in {64, 512, 2048}, n = 10,000
    python benchmarks/bench_metrics.py --quick    # d in {64, 512}, n = 2,000

What is measured, in this one process, per feature width d (n = 10,000 rows
per set, float64):

* the covariance of one feature set (mean and ddof=1 covariance, one BLAS
  ``syrk`` call on the centred data), reported separately because it
  dominates at large n;
* the trace term Tr((S1 S2)^{1/2}) from two given covariances, by
  skgenfund (Cholesky factor of each covariance, one product, singular
  values) and by the widely used
  ``scipy.linalg.sqrtm(S1 @ S2)`` route; the median of ``--repeats``
  interleaved runs, the speed-up, and the relative difference of the
  resulting FIDs (the cases are well conditioned: both covariances are full
  rank with condition numbers of about 100);
* the whole ``frechet_distance(X, Y)`` from data.

Then singular cases (n < d, and identical inputs), where the general square
root of a singular, non-symmetric product has no stable answer: what sqrtm
returns (dtype, imaginary part, NaN) next to skgenfund's value, which is
checked against the closed form where one exists.
"""

import argparse
import os
import platform
import time
import warnings

import numpy as np
from scipy import linalg

from skgenfund import frechet_distance
from skgenfund.metrics._frechet import (
    gaussian_from_statistics,
    mean_and_covariance,
    trace_sqrt_product,
)


def _well_conditioned_data(rng, n, d, shift):
    # a random rotation of a spectrum from 1 to 100: condition number ~ 100
    rotation, _ = np.linalg.qr(rng.normal(size=(d, d)))
    scales = np.sqrt(np.logspace(0, 2, d))
    return (rng.normal(size=(n, d)) * scales) @ rotation.T + shift


def _ours_trace(S1, S2):
    g1 = gaussian_from_statistics(np.zeros(len(S1)), S1)
    g2 = gaussian_from_statistics(np.zeros(len(S2)), S2)
    return trace_sqrt_product(g1.factor, g2.factor)


def _sqrtm_trace(S1, S2):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        root = linalg.sqrtm(S1 @ S2)
    return np.trace(root)


def _time(func, *args):
    start = time.perf_counter()
    result = func(*args)
    return time.perf_counter() - start, result


def bench_width(d, n, repeats, rng):
    X = _well_conditioned_data(rng, n, d, 0.0)
    Y = _well_conditioned_data(rng, n, d, 0.1) * 1.1
    cov_times = []
    for _ in range(repeats):
        seconds, (m1, S1) = _time(mean_and_covariance, X)
        cov_times.append(seconds)
    m2, S2 = mean_and_covariance(Y)
    ours, theirs = [], []
    for _ in range(repeats):  # interleaved, so contention hits both alike
        seconds, trace_ours = _time(_ours_trace, S1, S2)
        ours.append(seconds)
        seconds, trace_theirs = _time(_sqrtm_trace, S1, S2)
        theirs.append(seconds)
    base = float((m1 - m2) @ (m1 - m2) + np.trace(S1) + np.trace(S2))
    fid_ours = base - 2 * trace_ours
    fid_theirs = base - 2 * float(np.real(trace_theirs))
    end_to_end, fid_data = _time(frechet_distance, X, Y)
    return {
        "d": d,
        "n": n,
        "covariance_s": float(np.median(cov_times)),
        "ours_s": float(np.median(ours)),
        "sqrtm_s": float(np.median(theirs)),
        "speedup": float(np.median(theirs) / np.median(ours)),
        "relative_difference": abs(fid_ours - fid_theirs) / abs(fid_theirs),
        "fid": fid_ours,
        "fid_from_data": fid_data,
        "end_to_end_s": end_to_end,
    }


def singular_cases(rng):
    rows = []
    # identical, rank-deficient inputs: the true FID is exactly 0
    for n, d in [(50, 512), (200, 2048)]:
        X = rng.normal(size=(n, d))
        m, S = mean_and_covariance(X)
        trace = _sqrtm_trace(S, S)
        rows.append(
            {
                "case": f"identical, n={n} < d={d}",
                "truth": 0.0,
                "sqrtm": 2 * np.trace(S) - 2 * trace,
                "ours": frechet_distance(X, X),
            }
        )
    # rank-one covariances S1 = u u^T, S2 = v v^T: Tr (S1 S2)^1/2 = |u . v|
    d = 512
    u, v = rng.normal(size=d), rng.normal(size=d)
    S1, S2 = np.outer(u, u), np.outer(v, v)
    truth = u @ u + v @ v - 2 * abs(u @ v)
    rows.append(
        {
            "case": f"rank-one covariances, d={d}",
            "truth": truth,
            "sqrtm": np.trace(S1) + np.trace(S2) - 2 * _sqrtm_trace(S1, S2),
            "ours": frechet_distance((np.zeros(d), S1), (np.zeros(d), S2)),
        }
    )
    # two different data sets with n < d (no closed form; both shown)
    d = 2048
    X, Y = rng.normal(size=(100, d)), rng.normal(0.05, 1.0, size=(150, d))
    m1, S1 = mean_and_covariance(X)
    m2, S2 = mean_and_covariance(Y)
    base = (m1 - m2) @ (m1 - m2) + np.trace(S1) + np.trace(S2)
    rows.append(
        {
            "case": f"different sets, n=100 and 150 < d={d}",
            "truth": None,
            "sqrtm": base - 2 * _sqrtm_trace(S1, S2),
            "ours": frechet_distance(X, Y),
        }
    )
    return rows


def _format_sqrtm(value):
    value = complex(value)
    if not np.isfinite(value.real) or not np.isfinite(value.imag):
        return "NaN/inf"
    if value.imag != 0.0:
        return f"{value.real:.10g} {value.imag:+.2g}j (complex)"
    return f"{value.real:.10g}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    widths, n = ((64, 512), 2000) if args.quick else ((64, 512, 2048), 10_000)
    rng = np.random.RandomState(0)

    print(
        f"Machine: {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores; numpy {np.__version__}; OPENBLAS_NUM_THREADS="
        f"{os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}\n"
    )
    print(
        "| d | n | covariance (s) | trace term, skgenfund (s) | "
        "sqrtm(S1 @ S2) (s) | speed-up | relative FID difference | "
        "frechet_distance(X, Y) (s) |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for d in widths:
        row = bench_width(d, n, args.repeats, rng)
        print(
            f"| {row['d']} | {row['n']:,} | {row['covariance_s']:.3f} | "
            f"{row['ours_s']:.3f} | {row['sqrtm_s']:.3f} | {row['speedup']:.1f}x | "
            f"{row['relative_difference']:.1e} | {row['end_to_end_s']:.3f} |",
            flush=True,
        )

    print("\nSingular covariances (fewer samples than features):\n")
    print("| case | true FID | sqrtm(S1 @ S2) route | skgenfund |")
    print("|---|---|---|---|")
    for row in singular_cases(rng):
        truth = "-" if row["truth"] is None else f"{row['truth']:.10g}"
        print(
            f"| {row['case']} | {truth} | {_format_sqrtm(row['sqrtm'])} | "
            f"{row['ours']:.10g} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
