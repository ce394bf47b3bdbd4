import pickle

import numpy as np
import pytest
from scipy import stats
from sklearn.base import BaseEstimator
from sklearn.datasets import load_iris, load_wine
from sklearn.discriminant_analysis import QuadraticDiscriminantAnalysis
from sklearn.mixture import GaussianMixture
from sklearn.model_selection import GridSearchCV
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KernelDensity
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skgenfund import BayesianGaussian, GaussianMLE, GenerativeClassifier


@pytest.fixture(scope="module")
def iris():
    return load_iris(return_X_y=True)


def test_diag_gaussian_is_gaussian_naive_bayes(iris):
    X, y = iris
    ours = GenerativeClassifier(GaussianMLE(covariance_type="diag")).fit(X, y)
    nb = GaussianNB(var_smoothing=0.0).fit(X, y)
    np.testing.assert_allclose(ours.class_prior_, nb.class_prior_, rtol=1e-14)
    np.testing.assert_allclose(
        [est.covariance_ for est in ours.estimators_], nb.var_, rtol=1e-10
    )
    np.testing.assert_allclose(
        ours.predict_log_proba(X), nb.predict_log_proba(X), rtol=1e-8, atol=1e-8
    )
    np.testing.assert_array_equal(ours.predict(X), nb.predict(X))


def test_diag_gaussian_equals_naive_bayes_with_priors_on_wine():
    X, y = load_wine(return_X_y=True)
    priors = [0.2, 0.3, 0.5]
    ours = GenerativeClassifier(GaussianMLE(covariance_type="diag"), priors=priors)
    nb = GaussianNB(var_smoothing=0.0, priors=priors).fit(X, y)
    np.testing.assert_allclose(
        ours.fit(X, y).predict_proba(X), nb.predict_proba(X), rtol=1e-7, atol=1e-12
    )


class UnbiasedGaussian(BaseEstimator):
    """Test helper: a Gaussian with QDA's 1/(N-1) covariance."""

    def fit(self, X, y=None):
        self.model_ = GaussianMLE().fit(X)
        n = X.shape[0]
        self.covariance_ = self.model_.covariance_ * n / (n - 1)
        return self

    def score_samples(self, X):
        return stats.multivariate_normal(self.model_.mean_, self.covariance_).logpdf(X)


def test_full_gaussian_is_qda(iris):
    X, y = iris
    qda = QuadraticDiscriminantAnalysis(store_covariance=True).fit(X, y)
    ours = GenerativeClassifier(GaussianMLE()).fit(X, y)
    # scikit-learn >= 1.8 estimates QDA's covariances by maximum likelihood (1/N),
    # older releases by 1/(N-1); detect the convention, then compare exactly
    n_0 = np.sum(y == 0)
    ratio = qda.covariance_[0][0, 0] / ours.estimators_[0].covariance_[0, 0]
    if np.isclose(ratio, 1.0, rtol=1e-12):
        same_convention = ours
    else:
        assert ratio == pytest.approx(n_0 / (n_0 - 1), rel=1e-12)
        same_convention = GenerativeClassifier(UnbiasedGaussian()).fit(X, y)
    scale = 1.0 if same_convention is ours else None
    for k, estimator in enumerate(ours.estimators_):
        n_k = np.sum(y == k)
        factor = scale or n_k / (n_k - 1)
        np.testing.assert_allclose(
            estimator.covariance_ * factor, qda.covariance_[k], rtol=1e-10
        )
    np.testing.assert_allclose(
        same_convention.predict_proba(X), qda.predict_proba(X), rtol=1e-7, atol=1e-10
    )
    np.testing.assert_array_equal(same_convention.predict(X), qda.predict(X))


def test_bayes_theorem_in_log_space_survives_underflow():
    X = np.array([[-1.0], [-1.2], [-0.8], [1.0], [1.2], [0.8]])
    y = np.array([0, 0, 0, 1, 1, 1])
    clf = GenerativeClassifier().fit(X, y)
    far = np.array([[60.0]])
    assert np.all(np.exp(clf.estimators_[0].score_samples(far)) == 0.0)
    log_proba = clf.predict_log_proba(far)
    # exact posterior from the two Gaussians' log densities
    log_joint = np.array([est.score_samples(far)[0] for est in clf.estimators_])
    log_joint += np.log(clf.class_prior_)
    expected = log_joint - np.logaddexp(*log_joint)
    np.testing.assert_allclose(log_proba[0], expected, rtol=1e-12)
    assert np.isfinite(log_proba).all()


@pytest.mark.parametrize(
    "estimator",
    [
        KernelDensity(bandwidth=0.5),
        BayesianGaussian(),
        GaussianMixture(n_components=2, random_state=0),
    ],
    ids=["KernelDensity", "BayesianGaussian", "sklearn-GaussianMixture"],
)
def test_any_density_estimator_works(iris, estimator):
    X, y = iris
    clf = GenerativeClassifier(estimator).fit(X, y)
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert clf.score(X, y) > 0.9
    X_new, y_new = clf.sample(30, random_state=0)
    assert X_new.shape == (30, 4) and set(y_new) <= set(clf.classes_)


def test_class_conditional_sampling_recovers_classes(iris):
    X, y = iris
    labels = np.array(["setosa", "versicolor", "virginica"])[y]
    clf = GenerativeClassifier(GaussianMLE()).fit(X, labels)
    X_new, y_new = clf.sample(3000, random_state=0)
    # classes drawn from the prior: each count is Binomial(3000, 1/3)
    counts = np.array([np.sum(y_new == c) for c in clf.classes_])
    assert np.all(np.abs(counts - 1000) < 4.5 * np.sqrt(3000 * (1 / 3) * (2 / 3)))
    for k, label in enumerate(clf.classes_):
        rows = X_new[y_new == label]
        standard_error = np.sqrt(np.diag(clf.estimators_[k].covariance_) / len(rows))
        assert np.all(
            np.abs(rows.mean(axis=0) - clf.estimators_[k].mean_) < 4.5 * standard_error
        )
    # the classifier recognises its own generated data
    assert clf.score(X_new, y_new) > 0.95
    # a fixed class, and a per-row array of classes in order
    X_one, y_one = clf.sample(5, y="virginica", random_state=1)
    assert list(y_one) == ["virginica"] * 5
    wanted = np.array(["setosa", "virginica", "setosa"])
    X_rows, y_rows = clf.sample(y=wanted, random_state=1)
    np.testing.assert_array_equal(y_rows, wanted)
    assert clf.predict(X_rows)[0] == "setosa"
    np.testing.assert_array_equal(X_rows, clf.sample(y=wanted, random_state=1)[0])
    with pytest.raises(ValueError, match="not among classes_"):
        clf.sample(2, y="daisy")


def test_sample_weight_equals_repeated_rows(iris):
    X, y = iris
    weights = np.random.RandomState(0).randint(0, 3, size=len(y))
    weighted = GenerativeClassifier().fit(X, y, sample_weight=weights)
    repeated = GenerativeClassifier().fit(
        np.repeat(X, weights, axis=0), np.repeat(y, weights)
    )
    np.testing.assert_allclose(weighted.class_prior_, repeated.class_prior_)
    np.testing.assert_allclose(
        weighted.predict_proba(X), repeated.predict_proba(X), rtol=1e-8
    )


def test_priors_shift_the_decision(iris):
    X, y = iris
    flat = GenerativeClassifier().fit(X, y)
    skewed = GenerativeClassifier(priors=[0.0, 0.999, 0.001]).fit(X, y)
    assert np.all(skewed.predict(X) != 0)
    np.testing.assert_allclose(skewed.class_prior_, [0.0, 0.999, 0.001])
    assert flat.score(X, y) > 0.97


@pytest.mark.parametrize(
    "priors, match",
    [
        ([0.5, 0.5], "2 entries but there are 3"),
        ([0.5, 0.6, -0.1], "non-negative"),
        ([0.2, 0.2, 0.2], "sum to 1"),
    ],
)
def test_bad_priors(iris, priors, match):
    X, y = iris
    with pytest.raises(ValueError, match=match):
        GenerativeClassifier(priors=priors).fit(X, y)


def test_clear_errors(iris):
    X, y = iris
    with pytest.raises(ValueError, match="score_samples"):
        GenerativeClassifier(StandardScaler()).fit(X, y)
    with pytest.raises(ValueError, match="Unknown label type"):
        GenerativeClassifier().fit(X, np.linspace(0, 1, len(y)))
    with pytest.raises(ValueError, match="class '0'.*Every value of X is 0"):
        X_bad = X.copy()
        X_bad[y == 0] = 0.0
        GenerativeClassifier().fit(X_bad, y)
    with pytest.raises(ValueError, match="does not accept sample_weight"):
        GenerativeClassifier(GaussianMixture()).fit(X, y, sample_weight=np.ones(len(y)))


def test_pipeline_grid_search_and_pickle(iris):
    X, y = iris
    pipe = make_pipeline(StandardScaler(), GenerativeClassifier())
    search = GridSearchCV(
        pipe,
        {
            "generativeclassifier__estimator": [
                GaussianMLE(covariance_type=c) for c in ("full", "diag", "spherical")
            ]
        },
        cv=5,
    ).fit(X, y)
    assert search.best_score_ > 0.95
    restored = pickle.loads(pickle.dumps(search.best_estimator_))
    np.testing.assert_array_equal(restored.predict_proba(X), search.predict_proba(X))


def test_default_copes_with_constant_features_within_a_class():
    from sklearn.datasets import load_digits
    from sklearn.naive_bayes import GaussianNB

    X, y = load_digits(return_X_y=True)
    train, test = slice(0, 1200), slice(1200, None)
    # one warning for all ten classes, each has constant pixels
    with pytest.warns(UserWarning, match="class\\(es\\) 0, 1, 2, 3, 4, 5, 6, 7, 8, 9"):
        clf = GenerativeClassifier().fit(X[train], y[train])
    proba = clf.predict_proba(X[test])
    assert np.all(np.isfinite(proba))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    # a full-covariance Gaussian per class beats naive Bayes here
    nb = GaussianNB().fit(X[train], y[train]).score(X[test], y[test])
    assert clf.score(X[test], y[test]) > nb + 0.05


def test_far_rows_get_finite_posteriors(iris):
    X, y = iris
    clf = GenerativeClassifier().fit(X, y)
    far = np.array([[1e10, 0, 0, 0], [1e200, 1e200, 0, 0], [-1e300, 1e300, 0, 0]])
    proba = clf.predict_proba(far)
    assert np.all(np.isfinite(proba))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    # where the densities underflow, the nearest class (Mahalanobis) takes it all
    log_density = np.column_stack(
        [np.log10(np.sum(((far[1:] - e.mean_) @ (e.precision_cholesky_ / 1e200)) ** 2,
                         1)) for e in clf.estimators_]
    )  # fmt: skip
    np.testing.assert_array_equal(
        np.argmax(proba[1:], axis=1), np.argmin(log_density, axis=1)
    )
    assert set(np.unique(proba[1:])) == {0.0, 1.0}
    np.testing.assert_array_equal(clf.predict(far), clf.classes_[proba.argmax(1)])
