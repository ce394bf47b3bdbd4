"""EMGaussianMixture beyond parity: weighted EM, threads, float32, bad input, API."""

import pickle
import tracemalloc
import warnings

import numba
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_iris, load_wine
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.mixture import GaussianMixture
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skgenfund import EMGaussianMixture
from skgenfund._core._kernels import mixture_logpdf_point
from skgenfund._core.gaussian import log_gaussian_prob
from skgenfund._core.special import logsumexp
from skgenfund.mixture import _steps

COVARIANCE_TYPES = ["full", "tied", "diag", "spherical"]


def blobs(n_per_blob=150, seed=0):
    """Three well-separated 2-D Gaussian blobs with different shapes."""
    rng = np.random.RandomState(seed)
    parts = [
        rng.multivariate_normal([0, 0], [[1.0, 0.6], [0.6, 1.0]], n_per_blob),
        rng.multivariate_normal([7, 1], [[0.5, 0.0], [0.0, 2.0]], n_per_blob),
        rng.multivariate_normal([2, 8], [[1.5, -0.4], [-0.4, 0.6]], n_per_blob),
    ]
    order = rng.permutation(3 * n_per_blob)  # shuffled, so that K-fold CV is fair
    return np.vstack(parts)[order], np.repeat([0, 1, 2], n_per_blob)[order]


def initial(X, y, covariance_type, reg=1e-3):
    """Initial parameters from labels (weights, means, precisions)."""
    classes = np.unique(y)
    d = X.shape[1]
    weights = np.array([np.mean(y == c) for c in classes])
    means = np.array([X[y == c].mean(axis=0) for c in classes])
    covs = np.array([np.cov(X[y == c].T, bias=True) + reg * np.eye(d) for c in classes])
    precisions = {
        "full": lambda: np.linalg.inv(covs),
        "tied": lambda: np.linalg.inv(covs.mean(axis=0)),
        "diag": lambda: 1.0 / np.diagonal(covs, axis1=1, axis2=2),
        "spherical": lambda: 1.0 / np.diagonal(covs, axis1=1, axis2=2).mean(axis=1),
    }[covariance_type]()
    return dict(weights_init=weights, means_init=means, precisions_init=precisions)


def fitted_attributes(model):
    return [
        model.weights_,
        model.means_,
        model.covariances_,
        model.precisions_cholesky_,
        np.asarray(model.lower_bounds_),
    ]


# ------------------------------------------------------------- weighted EM
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_integer_weights_equal_repeated_rows(covariance_type):
    X, y = load_iris(return_X_y=True)
    weights = np.random.RandomState(0).randint(0, 4, size=len(X))
    init = initial(X, y, covariance_type)
    params = dict(n_components=3, covariance_type=covariance_type, tol=0.0, max_iter=25)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        weighted = EMGaussianMixture(**params, **init).fit(X, sample_weight=weights)
        repeated = EMGaussianMixture(**params, **init).fit(
            np.repeat(X, weights, axis=0)
        )
    for a, b in zip(fitted_attributes(weighted), fitted_attributes(repeated)):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-13)
    # and weights change the fit: a test of the weights, not of a no-op
    unweighted = EMGaussianMixture(**params, **init)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        unweighted.fit(X)
    assert np.abs(unweighted.means_ - weighted.means_).max() > 1e-3


def test_weighted_convergence_stops_at_same_iteration():
    X, y = load_wine(return_X_y=True)
    weights = np.random.RandomState(1).randint(1, 3, size=len(X))
    init = initial(X, y, "diag")
    params = dict(n_components=3, covariance_type="diag", tol=1e-6, **init)
    weighted = EMGaussianMixture(**params).fit(X, sample_weight=weights)
    repeated = EMGaussianMixture(**params).fit(np.repeat(X, weights, axis=0))
    assert weighted.converged_ and weighted.n_iter_ == repeated.n_iter_ > 2
    np.testing.assert_allclose(weighted.lower_bound_, repeated.lower_bound_, rtol=1e-12)


def test_random_from_data_never_seeds_on_zero_weight_rows():
    X, y = blobs()
    weights = np.zeros(len(X))
    weights[y == 0] = 1.0  # only the first blob counts
    gmm = EMGaussianMixture(3, init_params="random_from_data", max_iter=0)
    for seed in range(5):
        gmm.set_params(random_state=seed).fit(X, sample_weight=weights)
        assert np.all(np.linalg.norm(gmm.means_, axis=1) < 5.0)


# --------------------------------------------------- threads, dtype, chunks
@pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2, reason="needs 2 threads")
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_bitwise_identical_for_any_thread_count(covariance_type, monkeypatch):
    monkeypatch.setattr(_steps, "KERNEL_MIN_WORK", 0)  # the kernels even when small
    monkeypatch.setattr(_steps, "PARALLEL_MIN_FLOPS", 0)  # parallel even when small
    rng = np.random.RandomState(0)
    X = np.vstack([rng.normal(c, 1.0, (1517, 3)) for c in (-4, 0, 4)])
    params = dict(n_components=3, covariance_type=covariance_type, random_state=0)
    previous = numba.get_num_threads()
    try:
        results = []
        for threads in (1, numba.config.NUMBA_NUM_THREADS):
            numba.set_num_threads(threads)
            model = EMGaussianMixture(**params).fit(X)
            results.append(fitted_attributes(model) + [model.score_samples(X)])
    finally:
        numba.set_num_threads(previous)
    for a, b in zip(*results):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_score_samples_match_numpy_path_across_chunks(covariance_type, monkeypatch):
    # 1037 rows: 16 full chunks of 64 rows and a padded partial one
    monkeypatch.setattr(_steps, "KERNEL_MIN_WORK", 0)  # the kernels even when small
    rng = np.random.RandomState(2)
    X = rng.normal(size=(1037, 3)) * [1.0, 3.0, 0.5] + [10.0, -2.0, 0.0]
    gmm = EMGaussianMixture(4, covariance_type=covariance_type, random_state=0).fit(X)
    log_prob = log_gaussian_prob(
        X, gmm.means_, gmm.precisions_cholesky_, covariance_type
    ) + np.log(gmm.weights_)
    np.testing.assert_allclose(gmm.score_samples(X), logsumexp(log_prob, axis=1))
    proba = gmm.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-13)
    np.testing.assert_allclose(
        proba, np.exp(log_prob - logsumexp(log_prob, axis=1)[:, None]), atol=1e-13
    )
    np.testing.assert_array_equal(gmm.score_samples(X[:10]), gmm.score_samples(X)[:10])


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_float32_is_read_as_is_and_accumulated_in_float64(covariance_type):
    rng = np.random.RandomState(0)
    X32 = rng.normal(size=(200_000, 16)).astype(np.float32)
    X32[::2] += 3.0
    y = np.arange(len(X32)) % 2
    init = initial(X32.astype(np.float64), y, covariance_type)
    params = dict(n_components=2, covariance_type=covariance_type, max_iter=2, **init)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        # load (or compile) the kernels first: that is not the fit's memory
        EMGaussianMixture(**{**params, "max_iter": 1}).fit(X32)
        tracemalloc.start()
        single = EMGaussianMixture(**params).fit(X32)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        double = EMGaussianMixture(**params).fit(X32.astype(np.float64))
    # float32 -> float64 is exact and the kernels accumulate in float64, so
    # the fits agree to rounding; no float64 copy of X (25.6 MB) was made
    for a, b in zip(fitted_attributes(single), fitted_attributes(double)):
        np.testing.assert_allclose(a, b, rtol=1e-12)
    assert single.means_.dtype == np.float64
    assert peak < X32.nbytes * 2 * 0.75
    assert single.score_samples(X32).dtype == np.float64


@pytest.mark.parametrize("covariance_type", ["diag", "spherical"])
def test_float32_variances_are_centred(covariance_type):
    # Large offset, tiny spread: E[x^2] - mu^2 in float32 loses every digit
    # (scikit-learn's diag/spherical M-step). Centred float64 moments do not.
    rng = np.random.RandomState(0)
    X = (1e4 + 1e-2 * rng.normal(size=(2000, 2))).astype(np.float32)
    gmm = EMGaussianMixture(1, covariance_type=covariance_type, reg_covar=1e-12)
    gmm.fit(X)
    true = X.astype(np.float64).var(axis=0)
    if covariance_type == "spherical":
        true = true.mean()
    np.testing.assert_allclose(np.squeeze(gmm.covariances_), true, rtol=1e-6)


# ----------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    "params, match",
    [
        (dict(n_components=0), "n_components"),
        (dict(n_components=1.5), "n_components"),
        (dict(covariance_type="banana"), "covariance_type"),
        (dict(tol=-1.0), "tol"),
        (dict(reg_covar=-1e-6), "reg_covar"),
        (dict(max_iter=-1), "max_iter"),
        (dict(n_init=0), "n_init"),
        (dict(init_params="kmeans++"), "init_params"),
        (dict(verbose_interval=0), "verbose_interval"),
        (dict(warm_start="yes"), "warm_start"),
        (dict(weights_init=[0.5, 0.6]), "sum to 1"),
        (dict(weights_init=[1.5, -0.5]), r"\[0, 1\]"),
        (dict(weights_init=[1.0]), "shape"),
        (dict(means_init=np.zeros((2, 3))), "means_init must have shape"),
        (dict(precisions_init=np.ones((2, 3, 3))), "precisions_init must have shape"),
        (dict(precisions_init=np.array([np.eye(2), -np.eye(2)])), "positive definite"),
        (dict(precisions_init=np.array([[[1, 0.5], [0, 1]]] * 2)), "symmetric"),
        (dict(covariance_type="diag", precisions_init=-np.ones((2, 2))), "positive"),
        (dict(covariance_type="tied", precisions_init=np.eye(3)), "shape"),
    ],
)
def test_bad_parameters_raise_clear_errors(params, match):
    X, _ = blobs()
    gmm = EMGaussianMixture(**{"n_components": 2, **params})
    with pytest.raises(ValueError, match=match):
        gmm.fit(X[:, :2])


def test_more_components_than_samples():
    with pytest.raises(ValueError, match="n_components=5 exceeds the number of rows"):
        EMGaussianMixture(5).fit(np.arange(8.0).reshape(4, 2))
    X = np.arange(20.0).reshape(10, 2)
    weights = np.r_[np.ones(3), np.zeros(7)]
    with pytest.raises(ValueError, match="rows of positive weight"):
        EMGaussianMixture(4).fit(X, sample_weight=weights)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_singular_covariance_without_reg_covar_names_it(covariance_type):
    X = np.repeat([[0.0, 0.0], [5.0, 5.0]], 10, axis=0)  # two points, 10 times each
    gmm = EMGaussianMixture(2, covariance_type=covariance_type, reg_covar=0.0)
    with pytest.raises(ValueError, match="reg_covar"):
        gmm.fit(X)


def test_bad_data_and_weights():
    X, _ = blobs()
    gmm = EMGaussianMixture(2, random_state=0)
    with pytest.raises(ValueError, match="NaN"):
        gmm.fit(np.where(X > 5, np.nan, X))
    with pytest.raises(ValueError, match="negative"):
        gmm.fit(X, sample_weight=-np.ones(len(X)))
    with pytest.raises(ValueError, match="1 sample"):
        gmm.fit(X[:1])
    with pytest.raises(NotFittedError):
        gmm.predict(X)
    gmm.fit(X)
    with pytest.raises(ValueError, match="features"):
        gmm.predict(np.c_[X, X])
    with pytest.raises(ValueError, match="n_samples"):
        gmm.sample(0)
    warm = EMGaussianMixture(2, warm_start=True, random_state=0).fit(X)
    with pytest.raises(ValueError, match="warm_start"):
        warm.fit(np.c_[X, X])


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_emptied_component_gives_no_nan(covariance_type):
    # the third mean is so far away that no row gives it any responsibility
    X, y = load_iris(return_X_y=True)
    init = initial(X, y, covariance_type)
    init["means_init"] = init["means_init"].copy()
    init["means_init"][2] = 1e3
    params = dict(n_components=3, covariance_type=covariance_type, max_iter=5, tol=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = EMGaussianMixture(**params, **init).fit(X)
        reference = GaussianMixture(**params, **init).fit(X)
    for value in fitted_attributes(ours) + [
        ours.score_samples(X),
        ours.predict_proba(X),
    ]:
        assert np.all(np.isfinite(value))
    assert ours.weights_[2] < 1e-12
    np.testing.assert_allclose(ours.means_, reference.means_, rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(ours.score_samples(X), reference.score_samples(X))


# ------------------------------------------------------------- EM behaviour
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_lower_bound_never_decreases(covariance_type):
    X = load_wine().data
    gmm = EMGaussianMixture(
        3, covariance_type=covariance_type, tol=1e-8, max_iter=500, random_state=0
    ).fit(X)
    assert np.all(np.diff(gmm.lower_bounds_) > -1e-9 * np.abs(gmm.lower_bound_))
    assert gmm.lower_bound_ == gmm.lower_bounds_[-1]
    np.testing.assert_allclose(gmm.score(X), gmm.lower_bound_, rtol=1e-6)


def test_convergence_warning_and_verbose_output(capsys):
    X = load_wine().data
    with pytest.warns(ConvergenceWarning, match="did not converge"):
        EMGaussianMixture(3, max_iter=2, random_state=0).fit(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        EMGaussianMixture(3, random_state=0, verbose=2, verbose_interval=2).fit(X)
    out = capsys.readouterr().out
    assert "Initialization 0" in out
    assert "Iteration 2\t time lapse" in out and "ll change" in out
    assert "Initialization converged." in out


def test_n_parameters_bic_aic():
    X, _ = blobs()
    expected = {"full": 17, "tied": 11, "diag": 14, "spherical": 11}
    for covariance_type, n in expected.items():
        gmm = EMGaussianMixture(3, covariance_type=covariance_type, random_state=0)
        gmm.fit(X)
        assert gmm.n_parameters() == n
        log_likelihood = gmm.score_samples(X).sum()
        np.testing.assert_allclose(
            gmm.bic(X), -2 * log_likelihood + n * np.log(len(X)), rtol=1e-12
        )
        np.testing.assert_allclose(gmm.aic(X), -2 * log_likelihood + 2 * n, rtol=1e-12)


def test_fit_predict_equals_fit_then_predict():
    X, _ = blobs()
    gmm = EMGaussianMixture(3, max_iter=3, tol=0, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        labels = gmm.fit_predict(X)
    np.testing.assert_array_equal(labels, gmm.predict(X))


# ------------------------------------------------------ scikit-learn citizen
def test_grid_search_selects_k_by_likelihood_and_by_bic():
    X, _ = blobs()
    grid = {"n_components": range(1, 7)}
    by_likelihood = GridSearchCV(EMGaussianMixture(random_state=0), grid, cv=3)
    assert by_likelihood.fit(X).best_params_ == {"n_components": 3}
    by_bic = GridSearchCV(
        EMGaussianMixture(random_state=0), grid, scoring=lambda m, X, y=None: -m.bic(X)
    )
    assert by_bic.fit(X).best_params_ == {"n_components": 3}


def test_pipeline_with_scaler():
    X, _ = blobs()
    pipe = make_pipeline(StandardScaler(), EMGaussianMixture(3, random_state=0))
    pipe.fit(X)
    Z = StandardScaler().fit_transform(X)
    np.testing.assert_allclose(
        pipe.score(X), EMGaussianMixture(3, random_state=0).fit(Z).score(Z)
    )
    search = GridSearchCV(pipe, {"emgaussianmixture__n_components": [1, 3]}, cv=3)
    assert search.fit(X).best_params_ == {"emgaussianmixture__n_components": 3}


def test_clone_pickle_and_random_state():
    X, _ = blobs()
    gmm = EMGaussianMixture(3, covariance_type="diag", random_state=0).fit(X)
    again = clone(gmm).fit(X)
    for a, b in zip(fitted_attributes(gmm), fitted_attributes(again)):
        np.testing.assert_array_equal(a, b)
    restored = pickle.loads(pickle.dumps(gmm))
    np.testing.assert_array_equal(restored.score_samples(X), gmm.score_samples(X))
    rs = EMGaussianMixture(3, random_state=np.random.RandomState(0)).fit(X)
    np.testing.assert_allclose(
        rs.means_, EMGaussianMixture(3, random_state=0).fit(X).means_
    )


def test_sample_draws_from_the_mixture():
    X, _ = blobs()
    gmm = EMGaussianMixture(3, random_state=0).fit(X)
    X_new, y_new = gmm.sample(30_000, random_state=1)
    assert X_new.shape == (30_000, 2) and y_new.dtype == np.int64
    np.testing.assert_array_equal(X_new, gmm.sample(30_000, random_state=1)[0])
    assert not np.array_equal(X_new, gmm.sample(30_000, random_state=2)[0])
    counts = np.bincount(y_new, minlength=3)
    sd = np.sqrt(30_000 * gmm.weights_ * (1 - gmm.weights_))
    assert np.all(np.abs(counts - 30_000 * gmm.weights_) < 5 * sd)
    for k in range(3):
        drawn = X_new[y_new == k]
        np.testing.assert_allclose(drawn.mean(axis=0), gmm.means_[k], atol=0.06)
        np.testing.assert_allclose(np.cov(drawn.T), gmm.covariances_[k], atol=0.12)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_mixture_density_is_the_compiled_form_of_score_samples(covariance_type):
    X, _ = blobs()
    gmm = EMGaussianMixture(3, covariance_type=covariance_type, random_state=0).fit(X)
    density = gmm._mixture_density()
    compiled = [mixture_logpdf_point(x, *density) for x in X[::7]]
    np.testing.assert_allclose(compiled, gmm.score_samples(X[::7]), rtol=1e-12)
