"""Benchmark: VariationalGaussianMixture against BayesianGaussianMixture (sklearn).

Run from the repository root::

    python benchmarks/bench_variational.py            # all cells, markdown table
    python benchmarks/bench_variational.py --quick    # smaller cells

Per cell (N rows, D features, K components, covariance type), in this one
process: both estimators start from the *same* posterior (each is
initialised by a ``max_iter=0`` fit with the same ``random_state`` and
``init_params="kmeans"``, which draws the same k-means start) and then run the
same number of variational iterations with ``tol=0`` (a warm-started fit,
checked: equal ``n_iter_`` and lower bounds equal to 1e-8). The time is the
median of ``--repeats`` interleaved warm-started fits, each after a 0.3 s
pause (idle BLAS threads, see bench_em.py); compilation is excluded by a
warm-up fit.
"""

import argparse
import copy
import platform
import statistics
import warnings
from datetime import date

import numpy as np
from bench_em import SETTLE, fit_time, make_data

CELLS = [
    (200_000, 2, 5, "full"),
    (100_000, 16, 8, "full"),
    (100_000, 16, 8, "diag"),
]
QUICK_CELLS = [(n // 10, d, k, c) for n, d, k, c in CELLS]


def started_pair(X, n_components, covariance_type, n_iter):
    """Both estimators at the same initial posterior, set to run n_iter steps."""
    from sklearn.mixture import BayesianGaussianMixture

    from skgenfund import VariationalGaussianMixture

    params = dict(
        n_components=n_components,
        covariance_type=covariance_type,
        random_state=0,
        warm_start=True,
        max_iter=0,
    )
    pair = []
    for cls in (BayesianGaussianMixture, VariationalGaussianMixture):
        estimator = cls(**params).fit(X)
        pair.append(estimator.set_params(max_iter=n_iter, tol=0.0))
    return pair


def bench_cell(n, d, k, covariance_type, n_iter, repeats):
    X = make_data(n, d, k)
    reference, ours = started_pair(X, k, covariance_type, n_iter)
    # warm-up (compilation) on a copy, then the check of equal iterations
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        copy.deepcopy(ours).fit(X[:5000])
        check_reference, check_ours = copy.deepcopy(reference), copy.deepcopy(ours)
        check_reference.fit(X)
        check_ours.fit(X)
    assert check_reference.n_iter_ == check_ours.n_iter_ == n_iter
    np.testing.assert_allclose(
        np.ravel(check_ours.lower_bounds_),
        np.ravel(check_reference.lower_bounds_),
        rtol=1e-8,
    )
    times = {"sklearn": [], "skgenfund": []}
    for _ in range(repeats):
        for name, estimator in (("sklearn", reference), ("skgenfund", ours)):
            times[name].append(fit_time(copy.deepcopy(estimator), X, SETTLE))
    sk = statistics.median(times["sklearn"])
    us = statistics.median(times["skgenfund"])
    return sk, us


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--n-iter", type=int, default=10)
    args = parser.parse_args()
    cells = QUICK_CELLS if args.quick else CELLS
    import numba
    import sklearn

    print(
        f"# bench_variational {date.today()}: {platform.processor() or 'cpu'}, "
        f"{numba.config.NUMBA_NUM_THREADS} threads, sklearn {sklearn.__version__}, "
        f"{args.n_iter} iterations, median of {args.repeats}"
    )
    print("| N | D | K | covariance | sklearn (s) | skgenfund (s) | speed-up |")
    print("|---|---|---|---|---|---|---|")
    for n, d, k, covariance_type in cells:
        sk, us = bench_cell(n, d, k, covariance_type, args.n_iter, args.repeats)
        print(
            f"| {n} | {d} | {k} | {covariance_type} | {sk:.3f} | {us:.3f} | "
            f"{sk / us:.1f}x |",
            flush=True,
        )


if __name__ == "__main__":
    main()
