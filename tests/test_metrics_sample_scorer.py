"""SampleScorer: every metric by name or callable, signs, GridSearchCV, input."""

import pickle

import numpy as np
import pytest
from sklearn.decomposition import PCA
from sklearn.model_selection import GridSearchCV

from skgenfund import (
    EMGaussianMixture,
    GaussianMLE,
    SampleScorer,
    classifier_two_sample_test,
    density_coverage,
    frechet_distance,
    frechet_distance_infinity,
    kernel_distance,
    precision_recall,
)
from skgenfund._core.validation import check_random_state


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    return np.vstack([rng.normal(-4, 1, (150, 2)), rng.normal(4, 1, (150, 2))])


@pytest.fixture(scope="module")
def model(data):
    return GaussianMLE().fit(data)


def _draw(model, n, seed):
    return model.sample(n, random_state=check_random_state(seed))


@pytest.mark.parametrize(
    "metric, params, expected",
    [
        ("fid", {}, lambda X, G: -frechet_distance(X, G)),
        ("precision", {"k": 4}, lambda X, G: precision_recall(X, G, k=4)[0]),
        ("recall", {}, lambda X, G: precision_recall(X, G)[1]),
        ("density", {}, lambda X, G: density_coverage(X, G)[0]),
        ("coverage", {"k": 2}, lambda X, G: density_coverage(X, G, k=2)[1]),
    ],
)
def test_named_metrics_equal_their_functions(data, model, metric, params, expected):
    scorer = SampleScorer(metric, random_state=7, **params)
    assert scorer(model, data) == expected(data, _draw(model, len(data), 7))


def test_randomised_metrics_get_the_scorers_random_state(data, model):
    # draws then metric from one generator seeded by random_state
    def replay(function, **params):
        rng = check_random_state(3)
        generated = model.sample(len(data), random_state=rng)
        return function(data, generated, random_state=rng, **params)

    assert (
        SampleScorer("kid", random_state=3, n_subsets=5, subset_size=100)(model, data)
        == -replay(kernel_distance, n_subsets=5, subset_size=100)[0]
    )
    assert (
        SampleScorer("fid_infinity", random_state=3, n_points=5)(model, data)
        == -replay(frechet_distance_infinity, n_points=5)[0]
    )
    accuracy = replay(classifier_two_sample_test, n_permutations=0)[0]
    assert SampleScorer("c2st", random_state=3)(model, data) == -abs(accuracy - 0.5)


def test_grid_search_selects_by_any_metric(data):
    for metric in ("coverage", "precision", "c2st"):
        search = GridSearchCV(
            EMGaussianMixture(random_state=0),
            {"n_components": [1, 2]},
            cv=3,
            scoring=SampleScorer(metric, random_state=0),
        ).fit(data)
        assert search.best_params_ == {"n_components": 2}, metric


def test_callable_metric_sign_and_feature_space(data, model):
    def mean_gap(real, generated):
        return float(np.abs(real.mean(axis=0) - generated.mean(axis=0)).sum())

    generated = _draw(model, 100, 1)
    expected = mean_gap(data, generated)
    assert (
        SampleScorer(mean_gap, n_samples=100, random_state=1)(model, data) == expected
    )
    negated = SampleScorer(
        mean_gap, n_samples=100, random_state=1, greater_is_better=False
    )
    assert negated(model, data) == -expected
    pca = PCA(1).fit(data)
    in_pca = SampleScorer("fid", feature_extractor=pca, random_state=1)(model, data)
    assert in_pca == -frechet_distance(
        pca.transform(data), pca.transform(_draw(model, len(data), 1))
    )
    scorer = pickle.loads(pickle.dumps(SampleScorer("density", k=3, random_state=0)))
    assert repr(scorer) == "SampleScorer('density', random_state=0, k=3)"


def test_bad_input(data, model):
    with pytest.raises(ValueError, match="metric must be one of 'fid'"):
        SampleScorer("auc")(model, data)
    with pytest.raises(ValueError, match="applies to a callable metric only"):
        SampleScorer("fid", greater_is_better=True)(model, data)
    with pytest.raises(TypeError, match="sample"):
        SampleScorer("fid")(PCA(), data)
    with pytest.raises(ValueError, match="k=400 nearest neighbours"):
        SampleScorer("precision", k=400)(model, data)
