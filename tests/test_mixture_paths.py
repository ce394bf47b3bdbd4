"""The two paths of the EM steps (NumPy and compiled kernels) and the kernel cache.

Small problems run in NumPy, large ones in the Numba kernels (see
``skgenfund.mixture._steps``). The paths must agree to rounding, the choice must
depend on the shape of the problem only, a small fit must compile nothing, and
the kernels' disk cache must work when the package directory is read-only.
"""

import os
import shutil
import subprocess
import textwrap
from pathlib import Path

import numpy as np
import pytest
from _child import child_env, run_python
from sklearn.datasets import load_iris

import skgenfund
from skgenfund import EMGaussianMixture
from skgenfund._core.gaussian import compute_precision_cholesky
from skgenfund.mixture import _steps

COVARIANCE_TYPES = ["full", "tied", "diag", "spherical"]
#: The paths sum in different orders and the kernels' exponential is within
#: one ulp of libm's: agreement to a few hundred ulps is expected.
RTOL = 1e-12


def problem(covariance_type, dtype, seed=0):
    """Rows, weights and mixture parameters, with one zero-weight component."""
    rng = np.random.RandomState(seed)
    n, d, k = 517, 3, 4  # 8 full chunks of 64 rows and a padded partial one
    X = rng.normal(size=(n, d)) * [1.0, 3.0, 0.5] + [10.0, -2.0, 0.0]
    sample_weight = rng.uniform(0.0, 2.0, n)
    sample_weight[::7] = 0.0
    resp = rng.dirichlet(np.ones(k), n) * sample_weight[:, None]
    nk, means, covariances = _steps.estimate_from_responsibilities(
        X, resp, 1e-6, covariance_type
    )
    weights = nk / nk.sum()
    weights[1] = 0.0  # log-weight -inf: the component is switched off
    weights /= weights.sum()
    precisions_cholesky = compute_precision_cholesky(covariances, covariance_type)
    return X.astype(dtype), sample_weight, (weights, means, precisions_cholesky)


def on_both_paths(monkeypatch, function):
    results = []
    for threshold in (np.inf, 0):  # NumPy, kernels
        monkeypatch.setattr(_steps, "KERNEL_MIN_WORK", threshold)
        results.append(function())
    return results


def assert_close(numpy_result, kernel_result):
    for a, b in zip(numpy_result, kernel_result, strict=True):
        a, b = np.asarray(a), np.asarray(b)
        assert a.shape == b.shape and a.dtype == b.dtype == np.float64
        scale = np.max(np.abs(b[np.isfinite(b)]), initial=1.0)
        np.testing.assert_allclose(a, b, rtol=RTOL, atol=RTOL * 1e-3 * scale)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_numpy_path_agrees_with_the_kernels(covariance_type, dtype, monkeypatch):
    X, sample_weight, params = problem(covariance_type, dtype)
    n_components = len(params[0])

    def steps():
        out = np.empty((len(X), n_components))
        log_likelihood, nk, sums = _steps.e_step_sums(
            X, sample_weight, *params, covariance_type, out
        )
        log_prob_norm, log_resp = _steps.log_responsibilities(
            X, *params, covariance_type
        )
        scatter = _steps.scatter_sums(X, out, params[1], covariance_type)
        initial = _steps.estimate_from_responsibilities(X, out, 1e-6, covariance_type)
        head = [log_likelihood, nk, sums, out, log_prob_norm, log_resp, scatter]
        # per-component constants in place of the log-weights (variational)
        constants = np.log(params[0] + 0.1) - 0.3
        variational = _steps.e_step_sums(
            X,
            sample_weight,
            None,
            *params[1:],
            covariance_type,
            np.empty((len(X), n_components)),
            log_weights=constants,
        )
        predicted = _steps.inference(
            X,
            None,
            *params[1:],
            covariance_type,
            "score_samples",
            log_weights=constants,
        )
        return head + list(initial) + list(variational) + [predicted]

    numpy_result, kernel_result = on_both_paths(monkeypatch, steps)
    assert_close(numpy_result, kernel_result)
    # the switched-off component: no responsibility, log-responsibility -inf
    assert np.all(numpy_result[3][:, 1] == 0.0)
    assert np.all(numpy_result[5][:, 1] == -np.inf)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_fits_agree_on_both_paths(covariance_type, monkeypatch):
    X = load_iris().data

    def fit():
        gmm = EMGaussianMixture(3, covariance_type=covariance_type, random_state=0)
        gmm.fit(X)
        return [
            gmm.weights_,
            gmm.means_,
            gmm.covariances_,
            gmm.lower_bounds_,
            gmm.score_samples(X),
            gmm.predict_proba(X),
        ]

    numpy_result, kernel_result = on_both_paths(monkeypatch, fit)
    assert len(numpy_result[3]) == len(kernel_result[3])
    assert_close(numpy_result, kernel_result)


def test_the_path_is_a_function_of_the_shape():
    # iris- or notebook-sized problems run in NumPy, the benchmark's in the
    # kernels; the boundary is a cost of the pass, whatever the machine or cache
    assert not _steps.uses_kernels(150, 4, 3, "full")
    assert not _steps.uses_kernels(5_000, 2, 5, "diag")
    assert not _steps.uses_kernels(720, 64, 4, "full")  # four digits
    assert _steps.uses_kernels(1_000_000, 2, 3, "full")
    assert _steps.uses_kernels(50_000, 64, 8, "diag")
    work = _steps.numpy_work(20_000, 8, 4, "full")
    assert work == 20_000 * 4 * (8 * 9 + _steps.NUMPY_PAIR_COST)
    assert _steps.uses_kernels(20_000, 8, 4, "full") == (work >= _steps.KERNEL_MIN_WORK)


def test_same_random_state_same_fit_run_to_run():
    X = load_iris().data
    fits = [EMGaussianMixture(3, random_state=5).fit(X) for _ in range(2)]
    np.testing.assert_array_equal(fits[0].means_, fits[1].means_)
    np.testing.assert_array_equal(fits[0].lower_bounds_, fits[1].lower_bounds_)


# ------------------------------------------------------------ cold processes
PACKAGE_DIR = Path(skgenfund.__file__).parent


def test_small_fits_compile_nothing(tmp_path):
    # A fresh process with an empty Numba cache fits every estimator on small
    # data (float64 and float32) and predicts: nothing is compiled, so nothing
    # is written to the cache.
    cache = tmp_path / "numba-cache"
    cache.mkdir()
    code = """
        import numpy as np
        from sklearn.datasets import load_iris
        from skgenfund import (
            BayesianGaussian, EMGaussianMixture, GaussianMLE, GenerativeClassifier
        )
        X, y = load_iris(return_X_y=True)
        for data in (X, X.astype(np.float32)):
            for covariance_type in ("full", "tied", "diag", "spherical"):
                gmm = EMGaussianMixture(3, covariance_type=covariance_type,
                                        random_state=0).fit(data)
                gmm.predict_proba(data), gmm.score_samples(data)
            GaussianMLE().fit(data).score_samples(data)
            BayesianGaussian().fit(data).score_samples(data)
            GenerativeClassifier().fit(data, y).predict_proba(data)
            GenerativeClassifier(EMGaussianMixture(2, random_state=0)).fit(
                data, y).predict(data)
        print("ok")
    """
    env = child_env(NUMBA_CACHE_DIR=str(cache), PYTHONPATH=str(PACKAGE_DIR.parent))
    assert run_python(code, env, tmp_path).strip() == "ok"
    assert not list(cache.rglob("*.nbi")), "a small fit compiled a kernel"


def _read_only_wrapper(directory):
    """A command prefix that runs the child with ``directory`` read-only.

    chmod suffices for an ordinary user; root ignores permissions, so there
    the directory is bind-mounted read-only in a private user and mount
    namespace (``unshare``). None when neither works here.
    """
    for path in [directory, *directory.rglob("*")]:
        path.chmod(path.stat().st_mode & ~0o222)
    if not os.access(directory, os.W_OK):
        return ()
    unshare = shutil.which("unshare")
    if unshare is None:
        return None
    mount = (
        f"mount --bind {directory} {directory} && "
        f'mount -o remount,bind,ro {directory} {directory} && exec "$@"'
    )
    wrapper = (unshare, "-rm", "sh", "-c", mount, "sh")
    works = subprocess.run([*wrapper, "true"], capture_output=True).returncode == 0
    if not works:  # no user namespaces here
        return None
    touch = subprocess.run(
        [*wrapper, "touch", str(directory / "probe")], capture_output=True
    )
    if touch.returncode == 0 or (directory / "probe").exists():
        return None
    return wrapper


def test_kernel_cache_works_from_a_read_only_install(tmp_path):
    # A copy of the package in a read-only directory (as site-packages often
    # is): Numba cannot write next to the sources and falls back to the user's
    # cache directory ($XDG_CACHE_HOME/numba); the second process loads the
    # compiled kernel from there instead of compiling it again.
    site = tmp_path / "site"
    shutil.copytree(
        PACKAGE_DIR, site / "skgenfund", ignore=shutil.ignore_patterns("__pycache__")
    )
    user_cache = tmp_path / "user-cache"
    user_cache.mkdir()
    wrapper = _read_only_wrapper(site)
    if wrapper is None:
        for path in [site, *site.rglob("*")]:
            path.chmod(path.stat().st_mode | 0o200)
        pytest.skip("cannot make a directory read-only here (root without unshare)")
    code = f"""
        from skgenfund.mixture import _kernels
        assert _kernels.__file__.startswith({str(site)!r}), _kernels.__file__
        _kernels.block_count(1000)
        stats = _kernels.block_count.stats
        print(sum(stats.cache_hits.values()), sum(stats.cache_misses.values()))
    """
    env = child_env(XDG_CACHE_HOME=str(user_cache), PYTHONPATH=str(site))
    try:
        first = run_python(code, env, tmp_path, wrapper).split()
        second = run_python(code, env, tmp_path, wrapper).split()
    finally:
        for path in [site, *site.rglob("*")]:
            path.chmod(path.stat().st_mode | 0o200)
    assert first == ["0", "1"]  # compiled,
    assert second == ["1", "0"]  # then loaded from the user cache
    assert not list(site.rglob("*.nbi"))
    assert list((user_cache / "numba").rglob("_kernels.block_count-*.nbi"))


def test_one_specialisation_for_every_covariance_type_and_dtype(monkeypatch):
    # warm_kernels compiles each kernel once; fits of every covariance type
    # on float64 and float32 data then add no second compilation
    from skgenfund.mixture import _kernels

    assert _steps.warm_kernels() == ["first_moments", "scatter", "e_step"]
    kernels = [_kernels._e_step, _kernels._first_moments, _kernels._scatter]
    signatures = [list(kernel.signatures) for kernel in kernels]
    assert [len(s) for s in signatures] == [1, 1, 1]
    monkeypatch.setattr(_steps, "KERNEL_MIN_WORK", 0)
    X = load_iris().data
    for data in (X, X.astype(np.float32)):
        for covariance_type in COVARIANCE_TYPES:
            gmm = EMGaussianMixture(2, covariance_type=covariance_type, max_iter=2)
            gmm.set_params(random_state=0, tol=0.0)
            with pytest.warns(Warning):  # two iterations do not converge
                gmm.fit(data)
            gmm.score_samples(data)
    assert [list(kernel.signatures) for kernel in kernels] == signatures


WARMED = textwrap.dedent(
    """
    from skgenfund.__main__ import main
    from skgenfund.mixture import _kernels
    from skgenfund.sampling import _diagnostics_kernels
    from skgenfund.sampling.proposals.langevin import langevin_chain
    from skgenfund.sampling.proposals.random_walk import random_walk_chain

    kernels = [_kernels._e_step, _kernels._first_moments, _kernels._scatter,
               random_walk_chain, langevin_chain,
               _diagnostics_kernels.ranks_and_folded_ranks]
    assert not any(kernel.signatures for kernel in kernels)
    assert main(["warmup"]) == 0
    # every kernel a large fit or a long chain needs is compiled (or loaded)
    print([len(kernel.signatures) for kernel in kernels])
    """
)


def test_warmup_command():
    out = run_python(WARMED, child_env(keep_cache=True))
    lines = out.splitlines()
    assert lines[0].startswith("EM kernels") and lines[-2].startswith("Done in")
    # one signature each (a Gaussian target runs as a one-component mixture)
    assert lines[-1] == "[1, 1, 1, 1, 1, 1]"


def _count_two_pass_iterations(monkeypatch):
    calls = []
    m_step = _steps.m_step

    def counting(*args, **kwargs):
        calls.append(1)
        return m_step(*args, **kwargs)

    monkeypatch.setattr(_steps, "m_step", counting)
    return calls


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_one_pass_iteration_equals_e_step_then_m_step(covariance_type, monkeypatch):
    # The kernels' EM iteration accumulates the scatter around the old means
    # in the E-step's pass and moves it to the new means; near convergence
    # that is kept, far from it (a poor start) the centred second pass runs.
    monkeypatch.setattr(_steps, "KERNEL_MIN_WORK", 0)
    X, sample_weight, params = problem(covariance_type, np.float64, seed=3)
    weights, means, precisions_cholesky = params
    weights = np.full(4, 0.25)
    two_pass = _count_two_pass_iterations(monkeypatch)
    for start, expect_two_pass in [(means, 0), (means + 5.0, 1)]:
        resp = np.empty((len(X), 4))
        one = _steps.em_step(
            X,
            sample_weight,
            weights,
            start,
            precisions_cholesky,
            covariance_type,
            resp,
            1e-6,
        )
        assert len(two_pass) == expect_two_pass
        lower_bound, nk, sums = _steps.e_step(
            X,
            sample_weight,
            weights,
            start,
            precisions_cholesky,
            covariance_type,
            resp,
        )
        reference = (lower_bound,) + _steps.m_step(
            X, resp, nk, sums, 1e-6, covariance_type
        )
        for a, b in zip(one, reference, strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-14)
        two_pass.clear()


def test_one_pass_scatter_keeps_tiny_variances_far_from_zero(monkeypatch):
    # offset 1e4, spread 1e-2: the moved scatter must not lose the variance
    monkeypatch.setattr(_steps, "KERNEL_MIN_WORK", 0)
    rng = np.random.RandomState(0)
    X = 1e4 + 1e-2 * rng.normal(size=(5000, 2))
    two_pass = _count_two_pass_iterations(monkeypatch)
    for covariance_type in COVARIANCE_TYPES:
        gmm = EMGaussianMixture(1, covariance_type=covariance_type, reg_covar=0.0)
        gmm.set_params(max_iter=3, tol=0.0)
        with pytest.warns(Warning):
            gmm.fit(X)
        covariance = np.cov(X.T, bias=True)
        expected = {
            "full": covariance[None],
            "tied": covariance,
            "diag": np.diag(covariance)[None],
            "spherical": np.diag(covariance).mean()[None],
        }[covariance_type]
        np.testing.assert_allclose(gmm.covariances_, expected, rtol=1e-9)
    # one M-step per fit, the initialisation's: every EM iteration took one
    # pass (the means did not move)
    assert len(two_pass) == len(COVARIANCE_TYPES)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_one_pass_statistics_equal_two_passes(covariance_type, monkeypatch):
    # the pieces of dask and online EM: scatter around each piece's own means
    monkeypatch.setattr(_steps, "KERNEL_MIN_WORK", 0)
    X, sample_weight, (_, means, precisions_cholesky) = problem(
        covariance_type, np.float64, seed=4
    )
    weights = np.full(4, 0.25)
    constants = np.log(weights) - 0.2
    for start in (means, means + 5.0):  # kept, and redone in two passes
        params = (weights, start, precisions_cholesky)
        one = _steps.e_step_scatter_sums(
            X, sample_weight, *params, covariance_type, log_weights=constants
        )
        resp = np.empty((len(X), 4))
        log_likelihood, nk, sums = _steps.e_step_sums(
            X, sample_weight, *params, covariance_type, resp, log_weights=constants
        )
        scatter = _steps.scatter_sums(
            X, resp, _steps.own_means(nk, sums), covariance_type
        )
        for a, b in zip(one, (log_likelihood, nk, sums, scatter), strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-12)
