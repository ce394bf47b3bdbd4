"""classifier_two_sample_test: a calibrated p-value under the null, power, input."""

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression

from skgenfund import classifier_two_sample_test


class _NearestMean(ClassifierMixin, BaseEstimator):
    """The nearest class mean, in plain NumPy (the null test fits it 20,000 times)."""

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        self.means_ = np.array([X[y == c].mean(axis=0) for c in self.classes_])
        return self

    def predict(self, X):
        distances = ((X[:, None, :] - self.means_[None]) ** 2).sum(axis=2)
        return self.classes_[distances.argmin(axis=1)]


@pytest.mark.parametrize("n_x, n_y", [(40, 40), (25, 55)])
def test_p_value_is_calibrated_under_the_null(n_x, n_y):
    # 200 null data sets, 9 permutations: a valid permutation p-value takes
    # the values 0.1, 0.2, ..., 1 with P(p <= 0.1 j) <= 0.1 j (equality up to
    # ties of the discrete accuracy). Tolerance: 3 binomial standard errors.
    n_sets = 200
    p_values = np.array(
        [
            classifier_two_sample_test(
                np.random.RandomState(seed).normal(size=(n_x, 2)),
                np.random.RandomState(1000 + seed).normal(size=(n_y, 2)),
                classifier=_NearestMean(),
                n_permutations=9,
                random_state=seed,
            )[1]
            for seed in range(n_sets)
        ]
    )
    for level in (0.1, 0.3, 0.5):
        share = np.mean(p_values <= level + 1e-12)
        assert share <= level + 3 * np.sqrt(level * (1 - level) / n_sets)
        assert share >= level - 3 * np.sqrt(level * (1 - level) / n_sets) - 0.05


def test_default_classifier_null_accuracy_and_power():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(150, 2))
    accuracy, p_value = classifier_two_sample_test(
        X, rng.normal(size=(150, 2)), n_permutations=19, random_state=0
    )
    assert abs(accuracy - 0.5) < 0.1 and p_value > 0.05
    # same mean and covariance, different shape: a linear classifier cannot
    # see it, the default nearest-neighbour one can
    ring = rng.normal(size=(150, 2))
    ring = 1.0 * ring / np.linalg.norm(ring, axis=1, keepdims=True)
    ring *= np.sqrt(2.0)  # E|x|^2 = 2 as for N(0, I)
    accuracy, p_value = classifier_two_sample_test(
        X, ring, n_permutations=19, random_state=0
    )
    assert accuracy > 0.7 and p_value == pytest.approx(1 / 20)
    linear, _ = classifier_two_sample_test(
        X, ring, classifier=LogisticRegression(), n_permutations=0, random_state=0
    )
    assert abs(linear - 0.5) < 0.1


def test_reproducible_and_no_permutations():
    rng = np.random.RandomState(1)
    X, Y = rng.normal(size=(60, 3)), rng.normal(0.5, 1.0, size=(60, 3))
    first = classifier_two_sample_test(X, Y, n_permutations=5, random_state=3)
    assert classifier_two_sample_test(X, Y, n_permutations=5, random_state=3) == first
    accuracy, p_value = classifier_two_sample_test(
        X, Y, n_permutations=0, random_state=3
    )
    assert accuracy == first[0] and np.isnan(p_value)


def test_bad_input():
    rng = np.random.RandomState(2)
    X, Y = rng.normal(size=(10, 2)), rng.normal(size=(4, 2))
    with pytest.raises(ValueError, match="cv=5 stratified folds need at least 5"):
        classifier_two_sample_test(X, Y)
    with pytest.raises(ValueError, match="cv must be an integer >= 2"):
        classifier_two_sample_test(X, X, cv=1)
    with pytest.raises(ValueError, match="different widths"):
        classifier_two_sample_test(X, X[:, :1])
    with pytest.raises(TypeError, match="scikit-learn classifier"):
        classifier_two_sample_test(X, X, classifier="knn")
    with pytest.raises(ValueError, match="n_permutations must be an integer >= 0"):
        classifier_two_sample_test(X, X, n_permutations=-1)
