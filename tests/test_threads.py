"""Thread safety: concurrent use from Python threads, under every Numba layer.

Each threading layer is forced in a fresh interpreter (the layer is chosen
once per process; the kernels launch no parallel region of it, but the
samplers and the thread-count setting load it). Four Python threads fit and
evaluate estimators and run samplers at once; the results must equal the
serial ones bit for bit, and the process's BLAS thread limits must be as they
were found. The kernels' own thread pool must survive a fork and interpreter
shutdown.
"""

import os
import subprocess
import sys
import textwrap
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from _child import child_env, run_python
from threadpoolctl import threadpool_info

from skgenfund import EMGaussianMixture, GaussianMLE, GenerativeClassifier
from skgenfund._core import threads
from skgenfund._core.threads import blas_single_threaded

SCRIPT = textwrap.dedent(
    """
    import threading, warnings
    import numpy as np
    import numba
    from threadpoolctl import threadpool_info
    from skgenfund import (EMGaussianMixture, GaussianMLE, GenerativeClassifier,
                           MetropolisHastingsSampler, RejectionSampler)

    warnings.simplefilter("ignore")
    rng = np.random.RandomState(0)
    X = rng.normal(size=(600, 3))
    X[:300] += 4.0
    y = (np.arange(600) < 300).astype(int)
    # large enough for the EM kernels' parallel path (small fits run on one thread)
    big = rng.normal(size=(120_000, 3))

    def work(seed):
        gm = EMGaussianMixture(3, random_state=seed, max_iter=3, tol=0).fit(big)
        clf = GenerativeClassifier(EMGaussianMixture(2, random_state=seed)).fit(X, y)
        mh = MetropolisHastingsSampler(
            GaussianMLE().fit(X), n_chains=2, n_warmup=100, random_state=seed
        ).fit()
        rs = RejectionSampler(random_state=seed).fit(X)
        return [gm.means_, gm.predict_proba(X[:100]), clf.predict_proba(X[:100]),
                mh.sample(100), rs.sample(100)]

    def blas():
        return {p["filepath"]: p["num_threads"] for p in threadpool_info()
                if p["user_api"] == "blas"}
    before = blas()
    serial = [work(seed) for seed in range(4)]
    parallel = [None] * 4
    def run(seed):
        parallel[seed] = work(seed)
    for _ in range(1):
        threads = [threading.Thread(target=run, args=(s,)) for s in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for a, b in zip(serial, parallel):
            for u, v in zip(a, b):
                np.testing.assert_array_equal(u, v)
    after = blas()
    assert after == before, (before, after)
    print("layer", numba.threading_layer())
    """
)


def _layer_loads(layer):
    code = (
        "import numba, numpy as np\n"
        "@numba.njit(parallel=True)\n"
        "def f(x):\n"
        "    s = 0.0\n"
        "    for i in numba.prange(x.shape[0]):\n"
        "        s += x[i]\n"
        "    return s\n"
        "f(np.ones(10)); print(numba.threading_layer())"
    )
    env = dict(os.environ, NUMBA_THREADING_LAYER=layer)
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True
    )
    return done.returncode == 0 and done.stdout.strip() == layer


@pytest.mark.parametrize("layer", ["workqueue", "omp", "tbb"])
def test_concurrent_use_under_each_threading_layer(layer):
    if layer != "workqueue" and not _layer_loads(layer):
        pytest.skip(f"Numba's {layer} threading layer is not installed here")
    # a crash fails here (SIGABRT, as the workqueue layer aborted the process
    # when two threads launched parallel kernels at once, before the kernels
    # ran on their own thread pool)
    out = run_python(
        SCRIPT, child_env(keep_cache=True, NUMBA_THREADING_LAYER=layer), timeout=600
    )
    assert f"layer {layer}" in out


def _blas_threads():
    return {
        pool["filepath"]: pool["num_threads"]
        for pool in threadpool_info()
        if pool["user_api"] == "blas"
    }


def test_overlapping_blas_limits_restore_what_was_found(monkeypatch):
    # A enters, B enters, A leaves, B leaves. With one threadpoolctl context
    # per section, B would save A's limit of 1 and restore it last, leaving
    # the whole process on one BLAS thread; the sections share one limit
    import threadpoolctl

    log = []

    class Limiter:
        def restore_original_limits(self):
            log.append("restore")

    class Controller:
        def limit(self, *, limits, user_api):
            log.append(f"limit {user_api}={limits}")
            return Limiter()

    monkeypatch.setattr(threadpoolctl, "ThreadpoolController", Controller)
    monkeypatch.setattr(threads, "_SNAPSHOT", {"n_modules": -1, "controller": None})
    events = {name: threading.Event() for name in ("a_in", "b_in", "a_go", "b_go")}

    def section(entered, go):
        with blas_single_threaded():
            entered.set()
            go.wait()

    a = threading.Thread(target=section, args=(events["a_in"], events["a_go"]))
    b = threading.Thread(target=section, args=(events["b_in"], events["b_go"]))
    a.start()
    events["a_in"].wait()
    b.start()
    events["b_in"].wait()
    events["a_go"].set()
    a.join()
    assert log == ["limit blas=1"]  # B still inside: nothing restored yet
    events["b_go"].set()
    b.join()
    assert log == ["limit blas=1", "restore"]


def test_a_section_limits_blas_and_restores_it():
    before = _blas_threads()
    with blas_single_threaded():
        assert all(n == 1 for n in _blas_threads().values())
    assert _blas_threads() == before


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_concurrent_fits_leave_blas_limits_as_found():
    before = _blas_threads()
    X = np.random.RandomState(1).normal(size=(600, 4))
    y = np.arange(600) % 3
    errors = []

    def work(seed):
        try:
            for _ in range(3):
                EMGaussianMixture(2, random_state=seed, max_iter=5).fit(X).score(X)
                GenerativeClassifier(EMGaussianMixture(2, random_state=seed)).fit(
                    X, y
                ).predict(X)
                GaussianMLE().fit(X).score_samples(X)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(s,)) for s in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert _blas_threads() == before


FORKED = textwrap.dedent(
    """
    import multiprocessing, warnings
    import numpy as np
    from skgenfund import EMGaussianMixture

    warnings.simplefilter("ignore")
    X = np.random.RandomState(0).normal(size=(120_000, 4))  # the kernels' pool

    def fit(seed):
        # a seeded start: scikit-learn's k-means (OpenMP) itself hangs in a
        # forked child of a process that ran it, GaussianMixture's as ours
        model = EMGaussianMixture(3, init_params="random_from_data", max_iter=3,
                                  random_state=seed)
        return model.fit(X).means_

    if __name__ == "__main__":
        parent = [fit(seed) for seed in (0, 1)]  # starts the kernels' pool
        with multiprocessing.get_context("fork").Pool(2) as pool:
            # a hang fails here (leaving the with-block terminates the children)
            children = pool.map_async(fit, [0, 1]).get(timeout=60)
        for a, b in zip(parent, children):
            np.testing.assert_array_equal(a, b)
        print("ok")
    """
)


def test_forked_children_get_a_thread_pool_of_their_own(tmp_path):
    # a forked child has none of its parent's threads: the kernels' pool is
    # started afresh there instead of waiting forever on the parent's workers
    script = tmp_path / "forked.py"
    script.write_text(FORKED)
    out = run_python(
        f"import runpy; runpy.run_path({str(script)!r}, run_name='__main__')",
        child_env(keep_cache=True, NUMBA_NUM_THREADS="2"),  # a pool, even on 1 CPU
        timeout=240,
    )
    assert out.strip() == "ok"


def test_run_blocks_runs_every_group_when_no_thread_can_start(monkeypatch):
    # at interpreter shutdown the pool takes no new work: the groups it
    # refuses run in the calling thread, after the ones it took
    out = np.zeros(8)

    def kernel(first, last, out):
        out[first:last] += 1.0

    class Refusing:
        def __init__(self):
            self.taken = 0

        def submit(self, fn, *args):
            if self.taken:
                raise RuntimeError("cannot schedule new futures after shutdown")
            self.taken += 1
            return ThreadPoolExecutor(1).submit(fn, *args)

    monkeypatch.setattr(threads, "_executor", Refusing)
    threads.run_blocks(kernel, 8, 4, out)
    np.testing.assert_array_equal(out, np.ones(8))


@pytest.mark.parametrize("failing", [0, 2])  # the calling thread's group, a pool's
def test_run_blocks_raises_a_group_error_after_every_group_ends(failing):
    done = []

    def kernel(first, last):
        if first == failing:
            raise ValueError(f"block {first}")
        time.sleep(0.05)
        done.append(first)

    with pytest.raises(ValueError, match=f"block {failing}"):
        threads.run_blocks(kernel, 4, 4)
    assert sorted(done) == sorted({0, 1, 2, 3} - {failing})
