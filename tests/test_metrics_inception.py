"""inception_score and InceptionScorer against closed forms and bad input."""

import pickle

import numpy as np
import pytest
from sklearn.datasets import make_blobs
from sklearn.linear_model import LogisticRegression
from sklearn.mixture import GaussianMixture
from sklearn.model_selection import GridSearchCV

from skgenfund import (
    EMGaussianMixture,
    GaussianMLE,
    GenerativeClassifier,
    InceptionScorer,
    inception_score,
)


def _naive_inception_score(probas, n_splits):
    """The original code, line for line (log of zeros avoided by the data)."""
    scores = []
    n = probas.shape[0]
    for i in range(n_splits):
        part = probas[(i * n // n_splits) : ((i + 1) * n // n_splits), :]
        kl = part * (np.log(part) - np.log(np.expand_dims(np.mean(part, 0), 0)))
        scores.append(np.exp(np.mean(np.sum(kl, 1))))
    return np.mean(scores), np.std(scores)


@pytest.mark.parametrize("n_classes", [2, 5, 10])
def test_one_hot_uniform_predictions_score_number_of_classes(n_classes):
    probas = np.tile(np.eye(n_classes), (4, 1))  # each of 4 splits holds every class
    mean, std = inception_score(probas, n_splits=4)
    assert mean == pytest.approx(n_classes, rel=1e-14)
    assert std == pytest.approx(0.0, abs=1e-12)


def test_identical_predictions_score_one():
    probas = np.tile([0.1, 0.6, 0.3], (50, 1))
    mean, std = inception_score(probas, n_splits=5)
    assert mean == pytest.approx(1.0, abs=1e-14)
    assert std == pytest.approx(0.0, abs=1e-14)


def test_chapter_exercise_exact_value():
    # p(y) is exactly 1/3 (the chapter rounds it to 0.3 and prints 2.25)
    probas = [[0.9, 0.05, 0.05], [0.05, 0.9, 0.05], [0.05, 0.05, 0.9]]
    exact = np.exp(0.9 * np.log(0.9 * 3) + 0.1 * np.log(0.05 * 3))
    mean, std = inception_score(probas, n_splits=1)
    assert mean == pytest.approx(exact, rel=1e-14)
    assert round(mean, 4) == 2.0223
    assert std == 0.0


def test_split_mean_and_std_closed_form():
    # split 1: one-hot over 2 classes (IS 2); split 2: identical rows (IS 1)
    probas = np.vstack([np.eye(2), np.eye(2), np.tile([0.5, 0.5], (4, 1))])
    mean, std = inception_score(probas, n_splits=2)
    assert mean == pytest.approx(1.5, rel=1e-14)
    assert std == pytest.approx(0.5, rel=1e-14)


def test_matches_original_code_with_uneven_splits():
    rng = np.random.RandomState(0)
    probas = rng.dirichlet(np.full(7, 0.3), size=103)  # 103 rows in 10 uneven parts
    probas = np.clip(probas, 1e-300, None)
    probas /= probas.sum(axis=1, keepdims=True)
    got = inception_score(probas, n_splits=10)
    np.testing.assert_allclose(got, _naive_inception_score(probas, 10), rtol=1e-12)


def test_exact_zeros_are_safe_and_equal_to_limit():
    # 0 log 0 = 0: a class no sample predicts does not poison the score
    probas = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    assert inception_score(probas, n_splits=1) == (pytest.approx(2.0), 0.0)
    tiny = np.array([[1.0, 1e-300, 0.0], [1e-300, 1.0, 0.0]])
    assert inception_score(tiny, n_splits=1)[0] == pytest.approx(2.0)


def test_float32_softmax_rounding_is_accepted():
    rng = np.random.RandomState(1)
    logits = rng.normal(size=(40, 1000)).astype(np.float32)
    probas = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    mean, _ = inception_score(probas, n_splits=2)
    assert 1.0 <= mean <= 1000.0


@pytest.mark.parametrize(
    "probas, n_splits, message",
    [
        ([[0.5, 0.6], [0.5, 0.5]], 1, "sum to 1"),
        ([[1.2, -0.2], [0.5, 0.5]], 1, "negative"),
        ([[np.nan, 1.0], [0.5, 0.5]], 1, "NaN"),
        ([0.5, 0.5], 1, "2-D"),
        ([[0.5, 0.5], [0.5, 0.5]], 3, "larger than the number of samples"),
        ([[0.5, 0.5], [0.5, 0.5]], 0, "n_splits"),
        ([["a", "b"]], 1, "numeric"),
    ],
)
def test_bad_input_raises_clear_value_error(probas, n_splits, message):
    with pytest.raises(ValueError, match=message):
        inception_score(probas, n_splits=n_splits)


@pytest.fixture(scope="module")
def blobs():
    centers = [(-6.0, 0.0), (6.0, 0.0), (0.0, 8.0)]
    X, y = make_blobs(600, centers=centers, cluster_std=1.0, random_state=0)
    return X, y, LogisticRegression().fit(X, y)


def test_scorer_on_class_conditional_generator(blobs):
    # GenerativeClassifier.sample returns (X, y): a sharp, balanced generator
    X, y, classifier = blobs
    model = GenerativeClassifier().fit(X, y)
    scorer = InceptionScorer(classifier, n_splits=5, n_samples=3000, random_state=0)
    score = scorer(model, X)
    assert 2.8 < score <= 3.0
    assert scorer(model, X) == score  # an int random_state reproduces the draws
    rng = np.random.RandomState(0)
    drawn, _ = model.sample(3000, random_state=rng)
    drawn = drawn[rng.permutation(3000)]
    expected = inception_score(classifier.predict_proba(drawn), n_splits=5)[0]
    assert score == pytest.approx(expected, rel=1e-14)


def test_scorer_on_array_sampler_and_tuple_sampler(blobs):
    X, y, classifier = blobs
    blurry = GaussianMLE().fit(X)  # one Gaussian over all blobs: many ambiguous draws
    mixture = GaussianMixture(3, random_state=0).fit(X)  # sample() returns (X, y)
    scorer = InceptionScorer(classifier, n_splits=2, random_state=0)
    assert scorer(blurry, X) < scorer(mixture, X)
    # the mixture returns draws grouped by component: the scorer shuffles them
    drawn = mixture.sample(len(X))[0]
    shuffled = drawn[np.random.RandomState(0).permutation(len(X))]
    expected = inception_score(classifier.predict_proba(shuffled), n_splits=2)[0]
    assert scorer(mixture, X) == pytest.approx(expected, rel=1e-14)
    assert scorer(mixture, X) > 2.9  # grouped splits would give about 1.9


def test_gridsearch_by_inception_score_selects_enough_components(blobs):
    X, _, classifier = blobs
    search = GridSearchCV(
        EMGaussianMixture(random_state=0),
        {"n_components": [1, 2, 3]},
        scoring=InceptionScorer(classifier, n_splits=2, n_samples=2000, random_state=0),
        cv=3,
    ).fit(X)
    assert search.best_params_ == {"n_components": 3}


def test_scorer_errors_and_pickle(blobs):
    X, y, classifier = blobs
    with pytest.raises(TypeError, match="predict_proba"):
        InceptionScorer(object())(GaussianMLE().fit(X), X)
    with pytest.raises(TypeError, match="sample"):
        InceptionScorer(classifier)(classifier, X)
    with pytest.raises(ValueError, match="n_samples"):
        InceptionScorer(classifier, n_samples=0)(GaussianMLE().fit(X), X)
    scorer = InceptionScorer(classifier, n_splits=3, random_state=0)
    restored = pickle.loads(pickle.dumps(scorer))
    model = GaussianMLE().fit(X)
    assert restored(model, X) == scorer(model, X)
    assert "InceptionScorer(LogisticRegression()" in repr(scorer)
