"""VariationalGaussianMixture: scikit-learn parity, weights, criteria, integration."""

import copy
import warnings

import numpy as np
import pytest
from scipy import stats
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import BayesianGaussianMixture
from sklearn.model_selection import GridSearchCV

from skgenfund import (
    EMGaussianMixture,
    FIDScorer,
    GenerativeClassifier,
    MetropolisHastingsSampler,
    VariationalGaussianMixture,
)
from skgenfund.mixture import _variational_steps as steps
from skgenfund.mixture._steps import e_step_sums, scatter_sums

COVARIANCE_TYPES = ["full", "tied", "diag", "spherical"]
PRIOR_TYPES = ["dirichlet_process", "dirichlet_distribution"]
RTOL = 1e-8

FITTED = [
    "weights_",
    "means_",
    "covariances_",
    "precisions_",
    "precisions_cholesky_",
    "mean_precision_",
    "degrees_of_freedom_",
    "mean_prior_",
    "covariance_prior_",
]


def three_clusters(n=(150, 100, 50), n_features=3, seed=0):
    rng = np.random.RandomState(seed)
    centres = np.array([[-4.0, 0.0, 1.0], [3.0, 1.0, -1.0], [0.0, 5.0, 0.0]])
    scales = [1.0, 0.6, 1.4]
    return np.vstack(
        [
            rng.normal(centres[k, :n_features], scales[k], (n[k], n_features))
            for k in range(3)
        ]
    )


def concentration_arrays(model):
    concentration = model.weight_concentration_
    return list(concentration) if isinstance(concentration, tuple) else [concentration]


def assert_same_fit(ours, reference, rtol=RTOL):
    assert ours.n_iter_ == reference.n_iter_
    assert ours.converged_ == reference.converged_
    np.testing.assert_allclose(
        np.ravel(ours.lower_bounds_), np.ravel(reference.lower_bounds_), rtol=rtol
    )
    for name in FITTED:
        np.testing.assert_allclose(
            getattr(ours, name), getattr(reference, name), rtol=rtol, err_msg=name
        )
    for a, b in zip(concentration_arrays(ours), concentration_arrays(reference)):
        np.testing.assert_allclose(a, b, rtol=rtol)


@pytest.mark.parametrize("prior_type", PRIOR_TYPES)
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize("init_params", ["kmeans", "random"])
def test_same_fit_as_scikit_learn_iteration_for_iteration(
    covariance_type, prior_type, init_params
):
    X = three_clusters()
    params = dict(
        n_components=5,
        covariance_type=covariance_type,
        weight_concentration_prior_type=prior_type,
        init_params=init_params,
        random_state=1,
        max_iter=40,
        tol=0.0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reference = BayesianGaussianMixture(**params).fit(X)
        ours = VariationalGaussianMixture(**params).fit(X)
    assert_same_fit(ours, reference)
    X_test = three_clusters(seed=1)
    np.testing.assert_allclose(
        ours.score_samples(X_test), reference.score_samples(X_test), rtol=RTOL
    )
    np.testing.assert_allclose(
        ours.predict_proba(X_test),
        reference.predict_proba(X_test),
        rtol=RTOL,
        atol=1e-12,
    )
    np.testing.assert_array_equal(ours.predict(X_test), reference.predict(X_test))
    assert ours.score(X_test) == pytest.approx(reference.score(X_test), rel=RTOL)
    draws, labels = ours.sample(50)
    reference_draws, reference_labels = reference.sample(50)
    np.testing.assert_array_equal(labels, reference_labels)
    np.testing.assert_allclose(draws, reference_draws, rtol=1e-7)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_same_fit_with_given_priors_n_init_and_convergence(covariance_type):
    X = three_clusters(seed=2)
    n_features = X.shape[1]
    covariance_prior = {
        "full": 2.0 * np.eye(n_features),
        "tied": np.diag([1.0, 2.0, 3.0]),
        "diag": np.array([1.0, 0.5, 2.0]),
        "spherical": 1.5,
    }[covariance_type]
    params = dict(
        n_components=4,
        covariance_type=covariance_type,
        weight_concentration_prior=0.01,
        mean_precision_prior=0.1,
        mean_prior=np.array([0.5, -0.5, 0.0]),
        degrees_of_freedom_prior=4.5,
        covariance_prior=covariance_prior,
        n_init=3,
        init_params="random",
        random_state=np.random.RandomState(5),
        tol=1e-6,
        max_iter=500,
    )
    reference = BayesianGaussianMixture(**copy.deepcopy(params)).fit(X)
    ours = VariationalGaussianMixture(**copy.deepcopy(params)).fit(X)
    assert ours.converged_
    assert_same_fit(ours, reference, rtol=1e-7)
    assert ours.weight_concentration_prior_ == 0.01
    assert ours.degrees_of_freedom_prior_ == 4.5


@pytest.mark.parametrize("init_params", ["k-means++", "random_from_data"])
def test_tied_seeded_start_counts_the_seeds_only(init_params):
    # The seeded starts give each component one row and every other row no
    # responsibility. scikit-learn's tied M-step, (X^T X - sum_k N_k mu_k
    # mu_k^T) / N, assumes each row's responsibilities sum to one and so
    # counts every row; the centred weighted scatter counts the seeds only,
    # and the tied posterior is then the mean of the full ones, the relation
    # scikit-learn's own test_compare_covar_type checks for the k-means start.
    X = three_clusters(seed=12)
    params = dict(n_components=4, init_params=init_params, random_state=3, max_iter=0)
    full = VariationalGaussianMixture(covariance_type="full", **params).fit(X)
    tied = VariationalGaussianMixture(covariance_type="tied", **params).fit(X)
    reference = BayesianGaussianMixture(covariance_type="tied", **params).fit(X)
    scaled_full = full.covariances_ * full.degrees_of_freedom_[:, None, None]
    np.testing.assert_allclose(
        tied.covariances_ * tied.degrees_of_freedom_,
        scaled_full.mean(axis=0),
        rtol=1e-12,
    )
    scaled_reference = reference.covariances_ * reference.degrees_of_freedom_
    assert not np.allclose(scaled_reference, scaled_full.mean(axis=0), rtol=1e-3)
    np.testing.assert_allclose(tied.means_, reference.means_, rtol=RTOL)


def test_warm_start_continues_as_scikit_learn():
    X = three_clusters(seed=3)
    params = dict(n_components=4, warm_start=True, max_iter=2, random_state=0)
    reference = BayesianGaussianMixture(**params)
    ours = VariationalGaussianMixture(**params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for _ in range(4):
            reference.fit(X)
            ours.fit(X)
    assert_same_fit(ours, reference)


def test_tied_lower_bound_is_a_float():
    # scikit-learn 1.9's tied lower bound comes out as an array of shape (1,)
    # (its Wishart term for one shared precision); ours is a float
    X = three_clusters()
    params = dict(n_components=3, covariance_type="tied", random_state=0)
    reference = BayesianGaussianMixture(**params).fit(X)
    ours = VariationalGaussianMixture(**params).fit(X)
    assert isinstance(ours.lower_bound_, float)
    assert all(isinstance(value, float) for value in ours.lower_bounds_)
    assert ours.lower_bound_ == pytest.approx(
        float(np.ravel(reference.lower_bound_)[0]), rel=RTOL
    )


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_float32_data_fit_in_float64(covariance_type):
    # scikit-learn keeps float32 data in float32 (its prior mean and every
    # log-density are float32); ours reads float32 as it is and computes in
    # float64, so the fit equals the float64 fit of the same values
    X = three_clusters(seed=4).astype(np.float32)
    params = dict(
        n_components=3,
        covariance_type=covariance_type,
        init_params="random",
        random_state=0,
        max_iter=30,
        tol=0.0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        single = VariationalGaussianMixture(**params).fit(X)
        double = VariationalGaussianMixture(**params).fit(X.astype(np.float64))
        reference = BayesianGaussianMixture(**params).fit(X)
    assert single.means_.dtype == np.float64
    assert single.mean_prior_.dtype == np.float64
    assert_same_fit(single, double, rtol=1e-10)
    assert reference.mean_prior_.dtype == np.float32
    exact_mean = X.astype(np.float64).mean(axis=0)
    np.testing.assert_allclose(single.mean_prior_, exact_mean, rtol=1e-14)


@pytest.mark.parametrize("prior_type", PRIOR_TYPES)
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_integer_weights_equal_repeated_rows(covariance_type, prior_type):
    rng = np.random.RandomState(0)
    X = three_clusters(n=(60, 40, 30), seed=5)
    counts = rng.randint(0, 4, len(X))
    counts[:3] = 1  # every cluster keeps rows
    repeated = np.repeat(X, counts, axis=0)
    params = dict(
        n_components=4,
        covariance_type=covariance_type,
        weight_concentration_prior_type=prior_type,
        random_state=0,
    )
    # the same start for both: the initial posterior of the repeated rows
    start = VariationalGaussianMixture(warm_start=True, max_iter=0, **params)
    start.fit(repeated)
    on_repeated = copy.deepcopy(start).set_params(max_iter=25, tol=0.0)
    on_weighted = copy.deepcopy(start).set_params(max_iter=25, tol=0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        on_repeated.fit(repeated)
        on_weighted.fit(X, sample_weight=counts)
    assert_same_fit(on_weighted, on_repeated, rtol=1e-9)
    # the data-derived priors: weighted mean, frequency-weighted covariance
    np.testing.assert_allclose(on_weighted.mean_prior_, repeated.mean(axis=0))
    expected_covariance = {
        "full": np.cov(repeated.T),
        "tied": np.cov(repeated.T),
        "diag": np.var(repeated, axis=0, ddof=1),
        "spherical": np.var(repeated, axis=0, ddof=1).mean(),
    }[covariance_type]
    np.testing.assert_allclose(on_weighted.covariance_prior_, expected_covariance)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_entropy_from_moments_equals_the_direct_sum(covariance_type):
    rng = np.random.RandomState(0)
    X = three_clusters(seed=6)
    weights = rng.uniform(0.2, 3.0, len(X))
    model = VariationalGaussianMixture(
        3, covariance_type=covariance_type, max_iter=3, random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X)
    log_offsets = model._log_offsets()
    resp = np.empty((len(X), 3))
    log_normalizer, nk, sums = e_step_sums(
        X,
        weights,
        None,
        model.means_,
        model.precisions_cholesky_,
        covariance_type,
        resp,
        log_weights=log_offsets,
    )
    for centres in (sums / nk[:, None], model.means_ + 0.3):
        scatter = scatter_sums(X, resp, centres, covariance_type)
        entropy = steps.responsibility_entropy(
            log_normalizer,
            nk,
            sums,
            scatter,
            centres,
            log_offsets,
            model.means_,
            model.precisions_cholesky_,
            covariance_type,
        )
        r = resp / weights[:, None]
        direct = -np.sum(weights[:, None] * r * np.log(np.where(r > 0, r, 1.0)))
        assert entropy == pytest.approx(direct, rel=1e-10)


def test_dirichlet_process_switches_off_extra_components():
    X = three_clusters(n=(300, 200, 150), seed=7)
    model = VariationalGaussianMixture(
        n_components=10,
        weight_concentration_prior=1e-3,
        max_iter=500,
        random_state=0,
    ).fit(X)
    assert np.sum(model.weights_ > 0.01) == 3
    assert np.sort(model.weights_)[-3:].sum() > 0.99
    # the same K by EM keeps every component
    em = EMGaussianMixture(n_components=10, random_state=0).fit(X)
    assert np.sum(em.weights_ > 0.01) > 3


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_criteria_on_the_point_estimates(covariance_type):
    X = three_clusters(seed=8)
    model = VariationalGaussianMixture(
        3, covariance_type=covariance_type, random_state=0
    ).fit(X)
    K, d = 3, X.shape[1]
    covariances = {
        "full": lambda c: c,
        "tied": lambda c: [c] * K,
        "diag": lambda c: [np.diag(v) for v in c],
        "spherical": lambda c: [v * np.eye(d) for v in c],
    }[covariance_type](model.covariances_)
    density = sum(
        w * stats.multivariate_normal(m, c).pdf(X)
        for w, m, c in zip(model.weights_, model.means_, covariances)
    )
    log_likelihood = np.sum(np.log(density))
    n_parameters = {
        "full": K * (d + d * (d + 1) / 2) + K - 1,
        "tied": K * d + d * (d + 1) / 2 + K - 1,
        "diag": K * 2 * d + K - 1,
        "spherical": K * (d + 1) + K - 1,
    }[covariance_type]
    assert model.n_parameters() == n_parameters
    assert model.bic(X) == pytest.approx(
        -2 * log_likelihood + n_parameters * np.log(len(X)), rel=1e-10
    )
    assert model.aic(X) == pytest.approx(
        -2 * log_likelihood + 2 * n_parameters, rel=1e-10
    )
    proba = model.predict_proba(X)
    entropy = -np.sum(proba * np.log(np.where(proba > 0, proba, 1.0)))
    assert model.icl(X) == pytest.approx(model.bic(X) + 2 * entropy, rel=1e-12)
    assert model.icl(X) >= model.bic(X)


def test_icl_of_em_mixture():
    X = three_clusters(seed=9)
    em = EMGaussianMixture(3, random_state=0).fit(X)
    proba = em.predict_proba(X)
    entropy = -np.sum(proba * np.log(np.where(proba > 0, proba, 1.0)))
    assert em.icl(X) == pytest.approx(em.bic(X) + 2 * entropy, rel=1e-12)
    # ICL penalises overlapping components more than BIC does
    overlapping = EMGaussianMixture(6, random_state=0).fit(X)
    assert overlapping.icl(X) - overlapping.bic(X) > em.icl(X) - em.bic(X)


def test_bad_parameters_have_clear_errors():
    X = three_clusters()
    cases = [
        (dict(weight_concentration_prior_type="dirichlet"), "weight_concentration"),
        (dict(weight_concentration_prior=0.0), "weight_concentration_prior"),
        (dict(mean_precision_prior=-1.0), "mean_precision_prior"),
        (dict(mean_prior=[0.0, 1.0]), "'means' should have the shape"),
        (dict(degrees_of_freedom_prior=1.5), "greater than 2, but got 1.500"),
        (dict(covariance_prior=-np.eye(3)), "symmetric, positive-definite"),
        (
            dict(covariance_type="diag", covariance_prior=[1.0, -1.0, 1.0]),
            "should be positive",
        ),
        (dict(covariance_type="spherical", covariance_prior=0.0), "> 0"),
        (dict(n_components=0), "n_components"),
    ]
    for params, message in cases:
        with pytest.raises(ValueError, match=message):
            VariationalGaussianMixture(**params).fit(X)
    with pytest.raises(ValueError, match="total sample weight above 1"):
        VariationalGaussianMixture().fit(X[:3], sample_weight=[0.2, 0.3, 0.1])


def test_generative_classifier_with_variational_mixtures():
    rng = np.random.RandomState(0)
    X0 = np.vstack([rng.normal(-3, 0.7, (80, 2)), rng.normal(3, 0.7, (80, 2))])
    X1 = rng.normal([0.0, 3.0], 0.7, (160, 2))
    X = np.vstack([X0, X1])
    y = np.repeat([0, 1], 160)
    classifier = GenerativeClassifier(
        VariationalGaussianMixture(n_components=4, random_state=0)
    ).fit(X, y)
    assert classifier.score(X, y) > 0.98
    log_likelihood = np.column_stack(
        [estimator.score_samples(X) for estimator in classifier.estimators_]
    ) + np.log(classifier.class_prior_)
    normalizer = np.logaddexp.reduce(log_likelihood, axis=1)[:, None]
    expected = np.exp(log_likelihood - normalizer)
    np.testing.assert_allclose(classifier.predict_proba(X), expected, rtol=1e-10)


def test_fid_scorer_selects_the_variational_mixture():
    X = three_clusters(n=(200, 150, 100), seed=10)
    search = GridSearchCV(
        VariationalGaussianMixture(random_state=0, max_iter=300),
        {"n_components": [1, 6]},
        scoring=FIDScorer(random_state=0),
        cv=3,
    ).fit(X)
    assert search.best_params_ == {"n_components": 6}
    assert clone(search.best_estimator_).get_params()["n_components"] == 6


def test_samplers_evaluate_the_variational_density_compiled():
    from skgenfund.sampling._target import as_distribution

    X = three_clusters(seed=11)[:, :2]
    model = VariationalGaussianMixture(3, random_state=0).fit(X)
    distribution = as_distribution(model)
    assert distribution.kind == "mixture"
    np.testing.assert_allclose(
        distribution.log_prob(X), model.score_samples(X), rtol=1e-12
    )
    sampler = MetropolisHastingsSampler(
        model, n_chains=2, n_warmup=200, random_state=0
    ).fit()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        draws = sampler.sample(400)
    assert draws.shape == (400, 2)
    assert np.all(np.isfinite(model.score_samples(draws)))


def test_float32_weights_init_are_checked_to_float32_accuracy():
    # float32(1/3) * 3 = 1 + 3e-8: scikit-learn accepts float32 weights whose
    # sum is 1 to 1e-6 (1e-8 for float64), and so does EMGaussianMixture
    from sklearn.mixture import GaussianMixture

    X = three_clusters(seed=13)
    weights32 = np.full(3, 1.0 / 3.0, dtype=np.float32)
    assert abs(weights32.astype(np.float64).sum() - 1.0) > 1e-8
    params = dict(n_components=3, weights_init=weights32, random_state=0)
    ours = EMGaussianMixture(**params).fit(X)
    reference = GaussianMixture(**params).fit(X)
    np.testing.assert_allclose(ours.means_, reference.means_, rtol=RTOL)
    np.testing.assert_allclose(ours.weights_, reference.weights_, rtol=RTOL)
    off = np.array([1.0 / 3.0, 1.0 / 3.0, 1.0 / 3.0 + 3e-8])
    with pytest.raises(ValueError, match="'weights' should be normalized"):
        EMGaussianMixture(n_components=3, weights_init=off).fit(X)


# ------------------------------------------------------------ dask arrays
DASK_CHUNKS = (700, 1337, 1, 962)


def started(X, covariance_type, prior_type):
    """A posterior after two iterations in memory, to continue from."""
    model = VariationalGaussianMixture(
        5,
        covariance_type=covariance_type,
        weight_concentration_prior_type=prior_type,
        warm_start=True,
        max_iter=2,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(X)


@pytest.mark.parametrize("prior_type", PRIOR_TYPES)
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_dask_array_gives_the_in_memory_fit(covariance_type, prior_type):
    da = pytest.importorskip("dask.array")
    rng = np.random.RandomState(0)
    X = three_clusters(n=(1500, 1000, 500), seed=14)[rng.permutation(3000)]
    weights = rng.uniform(0.5, 2.0, len(X))
    X_dask = da.from_array(X, chunks=(DASK_CHUNKS, 3))
    weights_dask = da.from_array(weights, chunks=(DASK_CHUNKS,))
    in_memory = started(X, covariance_type, prior_type)
    on_dask = copy.deepcopy(in_memory)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        in_memory.set_params(max_iter=20, tol=0.0).fit(X, sample_weight=weights)
        on_dask.set_params(max_iter=20, tol=0.0).fit(X_dask, sample_weight=weights_dask)
    assert_same_fit(on_dask, in_memory, rtol=1e-10)
    X_new = da.from_array(three_clusters(seed=15), chunks=(100, 3))
    lazy = on_dask.predict_proba(X_new)
    assert isinstance(lazy, da.Array)
    np.testing.assert_allclose(
        lazy.compute(),
        in_memory.predict_proba(X_new.compute()),
        rtol=1e-10,
        atol=1e-14,
    )
    np.testing.assert_allclose(
        on_dask.score_samples(X_new).compute(),
        in_memory.score_samples(X_new.compute()),
        rtol=1e-10,
    )
    assert on_dask.bic(X_new) == pytest.approx(
        in_memory.bic(X_new.compute()), rel=1e-10
    )


def test_dask_default_fit_initialises_on_a_sample_of_chunks():
    da = pytest.importorskip("dask.array")
    X = three_clusters(n=(1500, 1000, 500), seed=16)
    X = X[np.random.RandomState(1).permutation(len(X))]
    on_dask = VariationalGaussianMixture(3, random_state=0).fit(
        da.from_array(X, chunks=(DASK_CHUNKS, 3))
    )
    in_memory = VariationalGaussianMixture(3, random_state=0).fit(X)
    # the default priors are the data's, merged over the chunks
    np.testing.assert_allclose(on_dask.mean_prior_, in_memory.mean_prior_, rtol=1e-12)
    np.testing.assert_allclose(
        on_dask.covariance_prior_, in_memory.covariance_prior_, rtol=1e-12
    )
    # every chunk is in the initialisation sample here (3000 < 10000 rows), but
    # drawing the sample uses random_state: the fits agree as solutions
    order = np.argsort(on_dask.means_[:, 0])
    reference = np.argsort(in_memory.means_[:, 0])
    np.testing.assert_allclose(
        on_dask.means_[order], in_memory.means_[reference], rtol=1e-3, atol=1e-3
    )
