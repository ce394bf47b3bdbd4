"""FIDScorer as a scikit-learn estimator and as a GridSearchCV scorer."""

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import make_blobs
from sklearn.decomposition import PCA
from sklearn.frozen import FrozenEstimator
from sklearn.kernel_approximation import RBFSampler
from sklearn.mixture import GaussianMixture
from sklearn.model_selection import GridSearchCV
from sklearn.utils.estimator_checks import parametrize_with_checks

from skgenfund import (
    EMGaussianMixture,
    FIDScorer,
    GaussianMLE,
    GenerativeClassifier,
    frechet_distance,
)

CENTERS = [(-6.0, 0.0), (6.0, 0.0), (0.0, 8.0)]


@parametrize_with_checks([FIDScorer()])
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    cov = np.array([[2.0, 1.2, 0.0], [1.2, 1.0, 0.3], [0.0, 0.3, 0.5]])
    return rng.multivariate_normal([1.0, -1.0, 0.0], cov, size=400)


def test_fit_caches_mean_and_unbiased_covariance(data):
    scorer = FIDScorer().fit(data)
    np.testing.assert_allclose(scorer.mean_, data.mean(axis=0), rtol=1e-14)
    np.testing.assert_allclose(
        scorer.covariance_, np.cov(data, rowvar=False), rtol=1e-13
    )
    assert scorer.n_features_in_ == 3


def test_distance_and_score(data):
    scorer = FIDScorer().fit(data)
    assert scorer.distance(data) <= 1e-12
    shifted = data + [3.0, 0.0, -4.0]
    assert scorer.distance(shifted) == pytest.approx(25.0, rel=1e-12)
    assert scorer.score(shifted) == -scorer.distance(shifted)
    other = data[::2] * 1.5
    expected = frechet_distance(other, (scorer.mean_, scorer.covariance_))
    assert scorer.distance(other) == pytest.approx(expected, rel=1e-12)


def test_feature_extractors(data):
    pca = PCA(2).fit(data)
    scorer = FIDScorer(pca).fit(data)
    assert scorer.mean_.shape == (2,)
    assert scorer.feature_extractor_ is pca
    other = data * 1.3
    expected = frechet_distance(pca.transform(other), pca.transform(data))
    assert scorer.distance(other) == pytest.approx(expected, rel=1e-12)
    # any callable: here squared features
    squared = FIDScorer(np.square).fit(data)
    expected = frechet_distance(other**2, data**2)
    assert squared.distance(other) == pytest.approx(expected, rel=1e-12)


def test_unfitted_transformer_is_fitted_on_reference_and_clone(data):
    pca = PCA(2)
    scorer = FIDScorer(pca).fit(data)
    assert not hasattr(pca, "components_")  # the user's object is left alone
    np.testing.assert_allclose(
        np.abs(scorer.feature_extractor_.components_),
        np.abs(PCA(2).fit(data).components_),
    )
    # clone() unfits a fitted transformer; FrozenEstimator keeps it fitted
    fitted_elsewhere = PCA(1).fit(data[:, ::-1] * [1.0, 1.0, 10.0])
    cloned = clone(FIDScorer(FrozenEstimator(fitted_elsewhere))).fit(data)
    np.testing.assert_allclose(
        cloned.feature_extractor_.transform(data), fitted_elsewhere.transform(data)
    )


def test_pickle_round_trip(data):
    scorer = FIDScorer(PCA(2).fit(data)).fit(data)
    restored = pickle.loads(pickle.dumps(scorer))
    assert restored.distance(data * 2) == scorer.distance(data * 2)


def test_scorer_on_array_sampler_is_reproducible(data):
    model = GaussianMLE().fit(data)
    scorer = FIDScorer(random_state=3)
    score = scorer(model, data)
    assert score == scorer(model, data)
    drawn = model.sample(len(data), random_state=np.random.RandomState(3))
    assert score == pytest.approx(-frechet_distance(drawn, data), rel=1e-14)
    assert -0.2 < score <= 0.0
    # n_samples sets the number of draws
    big = FIDScorer(n_samples=5000, random_state=3)(model, data)
    drawn = model.sample(5000, random_state=np.random.RandomState(3))
    assert big == pytest.approx(-frechet_distance(drawn, data), rel=1e-14)


def test_scorer_on_tuple_samplers(data):
    # scikit-learn's mixtures and GenerativeClassifier return (X, y)
    mixture = GaussianMixture(2, random_state=0).fit(data)
    expected = -frechet_distance(mixture.sample(len(data))[0], data)
    assert FIDScorer()(mixture, data) == pytest.approx(expected, rel=1e-14)
    em = EMGaussianMixture(2, random_state=0).fit(data)  # sample(n, random_state)
    drawn, _ = em.sample(len(data), random_state=np.random.RandomState(5))
    expected = -frechet_distance(drawn, data)
    assert FIDScorer(random_state=5)(em, data) == pytest.approx(expected, rel=1e-14)
    labels = (data[:, 0] > 1.0).astype(int)
    classifier = GenerativeClassifier().fit(data, labels)
    drawn, _ = classifier.sample(len(data), random_state=np.random.RandomState(0))
    expected = -frechet_distance(drawn, data)
    assert FIDScorer(random_state=0)(classifier, data) == pytest.approx(expected)


def test_scorer_errors(data):
    with pytest.raises(TypeError, match="sample"):
        FIDScorer()(PCA(2).fit(data), data)
    with pytest.raises(ValueError, match="n_samples"):
        FIDScorer(n_samples=0)(GaussianMLE().fit(data), data)
    with pytest.raises(TypeError, match="feature_extractor"):
        FIDScorer(feature_extractor="inception").fit(data)
    with pytest.raises(ValueError, match="X has 2 features"):
        FIDScorer().fit(data).distance(data[:, :2])


def test_gridsearch_selects_covariance_structure(data):
    # correlated data: only the full covariance reproduces it, and FID sees that
    search = GridSearchCV(
        GaussianMLE(),
        {"covariance_type": ["spherical", "diag", "full"]},
        scoring=FIDScorer(n_samples=4000, random_state=0),
        cv=3,
    ).fit(data)
    assert search.best_params_ == {"covariance_type": "full"}
    scores = search.cv_results_["mean_test_score"]
    assert scores[0] < scores[1] < scores[2]


@pytest.fixture(scope="module")
def blobs():
    X, _ = make_blobs(450, centers=CENTERS, cluster_std=1.0, random_state=0)
    # random Fourier features: a non-linear feature map. In the raw 2-D space
    # every mixture fitted by EM has the data's mean and covariance, so FID
    # there cannot tell K = 1 from K = 3.
    features = RBFSampler(gamma=0.5, n_components=50, random_state=0).fit(X)
    return X, features


def test_gridsearch_by_fid_selects_the_right_number_of_blobs(blobs):
    X, features = blobs
    search = GridSearchCV(
        EMGaussianMixture(random_state=0),
        {"n_components": [1, 2, 3]},
        scoring=FIDScorer(features, n_samples=2000, random_state=0),
        cv=3,
    ).fit(X)
    assert search.best_params_ == {"n_components": 3}
    scores = search.cv_results_["mean_test_score"]
    assert scores[0] < scores[1] < 4 * scores[2]  # scores are negative


def _simplest_within_one_standard_error(cv_results):
    """Smallest K whose mean score is within one standard error of the best."""
    means = cv_results["mean_test_score"]
    errors = cv_results["std_test_score"] / np.sqrt(3)
    best = np.argmax(means)
    candidates = np.flatnonzero(means >= means[best] - errors[best])
    ks = np.asarray(cv_results["param_n_components"], dtype=int)
    return int(candidates[np.argmin(ks[candidates])])


def test_gridsearch_by_fid_over_a_wide_range_with_one_standard_error_rule(blobs):
    # beyond K = 3 extra components split a blob into near-copies: FID (like the
    # held-out likelihood) ties them with K = 3, so pick the simplest tied model
    X, features = blobs
    search = GridSearchCV(
        EMGaussianMixture(random_state=0),
        {"n_components": [1, 2, 3, 4, 5, 6]},
        scoring=FIDScorer(features, n_samples=2000, random_state=0),
        refit=_simplest_within_one_standard_error,
        cv=3,
    ).fit(X)
    assert search.best_params_ == {"n_components": 3}
    scores = search.cv_results_["mean_test_score"]
    assert np.max(scores[3:]) - np.min(scores[3:]) < 0.1 * (scores[2] - scores[1])


def test_gridsearch_over_generative_classifiers(data):
    # labelled, correlated classes: QDA-like class models (full covariances)
    # generate data closer to the held-out folds than naive Bayes (diagonal)
    labels = (data[:, 2] > 0).astype(int)
    search = GridSearchCV(
        GenerativeClassifier(),
        {
            "estimator": [
                GaussianMLE(covariance_type="diag"),
                GaussianMLE(covariance_type="full"),
            ]
        },
        scoring=FIDScorer(n_samples=4000, random_state=0),
        cv=3,
    ).fit(data, labels)
    assert search.best_params_["estimator"].covariance_type == "full"
    diag_score, full_score = search.cv_results_["mean_test_score"]
    assert diag_score < 5 * full_score  # scores are negative
