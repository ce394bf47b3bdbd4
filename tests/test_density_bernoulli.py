import numpy as np
import pytest
from scipy import stats
from sklearn.naive_bayes import BernoulliNB

from skgenfund import BernoulliMLE, GenerativeClassifier


def test_mle_is_the_sample_mean_and_scipy_logpmf():
    rng = np.random.RandomState(0)
    X = (rng.uniform(size=(500, 3)) < [0.2, 0.5, 0.9]).astype(float)
    model = BernoulliMLE().fit(X)
    np.testing.assert_allclose(model.probability_, X.mean(axis=0), rtol=1e-14)
    expected = stats.bernoulli(model.probability_).logpmf(X).sum(axis=1)
    np.testing.assert_allclose(model.score_samples(X), expected, rtol=1e-12)
    assert model.n_parameters() == 3
    # the MLE maximises the likelihood: any other p scores lower
    other = BernoulliMLE().fit(X)
    other.probability_ = np.clip(model.probability_ + 0.02, 0, 1)
    assert other.score(X) < model.score(X)


def test_spam_exercise_bayes_theorem():
    """P(spam)=0.3, P(word|spam)=0.8, P(word|ham)=0.1 give P(spam|word)=24/31."""
    X = np.array([[1]] * 8 + [[0]] * 2 + [[1]] * 1 + [[0]] * 9, dtype=float)
    y = np.array(["spam"] * 10 + ["ham"] * 10)
    clf = GenerativeClassifier(BernoulliMLE(), priors=[0.7, 0.3]).fit(X, y)
    assert list(clf.classes_) == ["ham", "spam"]
    p_spam = clf.predict_proba([[1.0]])[0, 1]
    assert p_spam == pytest.approx(0.24 / 0.31, rel=1e-12)
    assert round(p_spam, 4) == 0.7742


def test_generative_classifier_with_bernoulli_is_bernoulli_naive_bayes():
    rng = np.random.RandomState(1)
    X = (rng.uniform(size=(300, 6)) < 0.4).astype(float)
    y = rng.randint(0, 3, 300)
    X[y == 1, :2] = 1.0 - X[y == 1, :2] * 0.5  # make classes differ
    ours = GenerativeClassifier(BernoulliMLE(alpha=1.0)).fit(X, y)
    nb = BernoulliNB(alpha=1.0).fit(X, y)
    np.testing.assert_allclose(
        ours.predict_log_proba(X), nb.predict_log_proba(X), atol=1e-10
    )


def test_smoothing_weights_binarize_and_sampling():
    X = np.array([[0.0, 3.0], [0.0, -1.0], [0.0, 2.0]])
    model = BernoulliMLE().fit(X)  # binarize=0.0: values > 0 are ones
    np.testing.assert_allclose(model.probability_, [0.0, 2 / 3])
    assert model.score_samples([[1.0, 1.0]])[0] == -np.inf  # never seen
    smooth = BernoulliMLE(alpha=1.0).fit(X)
    np.testing.assert_allclose(smooth.probability_, [1 / 5, 3 / 5])
    weighted = BernoulliMLE().fit(X, sample_weight=[1, 3, 0])
    np.testing.assert_allclose(weighted.probability_, [0.0, 0.25])
    draws = smooth.sample(20000, random_state=0)
    assert set(np.unique(draws)) == {0.0, 1.0}
    standard_error = np.sqrt(smooth.probability_ * (1 - smooth.probability_) / 20000)
    assert np.all(
        np.abs(draws.mean(axis=0) - smooth.probability_) < 4.5 * standard_error
    )
    with pytest.raises(ValueError, match="only 0 and 1"):
        BernoulliMLE(binarize=None).fit(X)
    with pytest.raises(ValueError, match="alpha"):
        BernoulliMLE(alpha=-1).fit(X)
