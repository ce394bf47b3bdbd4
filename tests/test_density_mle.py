import pickle
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy import stats
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skgenfund import GaussianMLE

COVARIANCE = np.array([[2.0, 0.3, 0.1], [0.3, 1.0, -0.2], [0.1, -0.2, 0.5]])


@pytest.fixture
def X():
    rng = np.random.RandomState(0)
    return rng.multivariate_normal([1.0, -2.0, 0.5], COVARIANCE, 200)


def reference_covariance(X, covariance_type, weights=None):
    covariance = np.cov(X.T, ddof=0, aweights=weights)
    if covariance_type == "full":
        return covariance
    if covariance_type == "diag":
        return np.diag(covariance)
    return float(np.mean(np.diag(covariance)))


def as_matrix(covariance, covariance_type, n_features):
    if covariance_type == "full":
        return covariance
    if covariance_type == "diag":
        return np.diag(covariance)
    return covariance * np.eye(n_features)


@pytest.mark.parametrize("covariance_type", ["full", "diag", "spherical"])
def test_closed_form_and_scipy_logpdf(X, covariance_type):
    model = GaussianMLE(covariance_type=covariance_type).fit(X)
    np.testing.assert_allclose(model.mean_, X.mean(axis=0), rtol=1e-12)
    expected = reference_covariance(X, covariance_type)
    np.testing.assert_allclose(model.covariance_, expected, rtol=1e-12)
    assert np.shape(model.covariance_) == np.shape(expected)
    assert np.shape(model.precision_cholesky_) == np.shape(expected)
    reference = stats.multivariate_normal(
        X.mean(axis=0), as_matrix(expected, covariance_type, 3)
    )
    np.testing.assert_allclose(model.score_samples(X), reference.logpdf(X), rtol=1e-9)
    assert model.score(X) == pytest.approx(reference.logpdf(X).mean(), rel=1e-12)


def test_precision_cholesky_factorises_the_inverse_covariance(X):
    model = GaussianMLE().fit(X)
    U = model.precision_cholesky_
    assert np.allclose(U, np.triu(U))
    np.testing.assert_allclose(U @ U.T, np.linalg.inv(model.covariance_), rtol=1e-10)


@pytest.mark.parametrize("covariance_type", ["full", "diag", "spherical"])
def test_weighted_fit_equals_repeated_rows(X, covariance_type):
    weights = np.random.RandomState(1).randint(0, 4, size=X.shape[0])
    weighted = GaussianMLE(covariance_type=covariance_type).fit(
        X, sample_weight=weights
    )
    repeated = GaussianMLE(covariance_type=covariance_type).fit(
        np.repeat(X, weights, axis=0)
    )
    np.testing.assert_allclose(weighted.mean_, repeated.mean_, rtol=1e-12)
    np.testing.assert_allclose(weighted.covariance_, repeated.covariance_, rtol=1e-10)
    np.testing.assert_allclose(
        weighted.covariance_,
        reference_covariance(X, covariance_type, weights),
        rtol=1e-10,
    )


@pytest.mark.parametrize(
    "covariance_type, n_parameters",
    [("full", 3 + 6), ("diag", 3 + 3), ("spherical", 4)],
)
def test_information_criteria(X, covariance_type, n_parameters):
    model = GaussianMLE(covariance_type=covariance_type).fit(X)
    assert model.n_parameters() == n_parameters
    log_likelihood = model.score_samples(X).sum()
    n = X.shape[0]
    assert model.bic(X) == pytest.approx(-2 * log_likelihood + n_parameters * np.log(n))
    assert model.aic(X) == pytest.approx(-2 * log_likelihood + 2 * n_parameters)


def test_bic_prefers_the_true_structure():
    rng = np.random.RandomState(3)
    independent = rng.normal(size=(500, 4)) * [1.0, 2.0, 0.5, 3.0]
    bics = {
        ct: GaussianMLE(covariance_type=ct).fit(independent).bic(independent)
        for ct in ["full", "diag", "spherical"]
    }
    assert min(bics, key=bics.get) == "diag"


@pytest.mark.parametrize("covariance_type", ["full", "diag", "spherical"])
def test_sample_moments_within_monte_carlo_error(X, covariance_type):
    model = GaussianMLE(covariance_type=covariance_type).fit(X)
    n = 20000
    draws = model.sample(n, random_state=0)
    assert draws.shape == (n, 3)
    covariance = as_matrix(model.covariance_, covariance_type, 3)
    standard_error = np.sqrt(np.diag(covariance) / n)
    assert np.all(np.abs(draws.mean(axis=0) - model.mean_) < 4.5 * standard_error)
    np.testing.assert_array_equal(draws, model.sample(n, random_state=0))
    # each whitened coordinate is N(0, 1): KS test at a fixed seed
    whitened = (draws - model.mean_) @ np.atleast_2d(
        np.linalg.cholesky(np.linalg.inv(covariance))
    )
    for column in whitened.T:
        assert stats.kstest(column, "norm").pvalue > 1e-3


def test_float32_input_and_pickle(X):
    model = GaussianMLE().fit(X.astype(np.float32))
    assert model.mean_.dtype == np.float64  # moments accumulate in float64
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(restored.score_samples(X), model.score_samples(X))
    assert clone(model).get_params() == model.get_params()


def test_pipeline_and_grid_search(X):
    search = GridSearchCV(
        make_pipeline(StandardScaler(), GaussianMLE()),
        {"gaussianmle__covariance_type": ["full", "diag", "spherical"]},
        cv=3,
    ).fit(X)
    # X has correlated features, so the full covariance generalises best
    assert search.best_params_ == {"gaussianmle__covariance_type": "full"}


@pytest.mark.parametrize(
    "X_bad, match",
    [
        (np.array([[1.0, np.nan], [2.0, 3.0]]), "NaN"),
        (np.array([[1.0, np.inf], [2.0, 3.0]]), "infinity"),
        (np.array([1.0, 2.0, 3.0]), "Expected 2D array"),
        (np.empty((0, 2)), "0 sample"),
        (np.array([["a", "b"], ["c", "d"]]), "must be numeric"),
    ],
)
def test_bad_input_is_a_clear_error(X_bad, match):
    with pytest.raises(ValueError, match=match):
        GaussianMLE().fit(X_bad)


def test_constant_feature_is_floored_as_gaussian_nb_with_a_warning():
    X = np.column_stack([np.arange(10.0), np.ones(10)])
    for covariance_type in ("full", "diag"):
        with pytest.warns(UserWarning, match=r"singular \(feature\(s\) 1 constant"):
            model = GaussianMLE(covariance_type=covariance_type).fit(X)
        variances = (
            np.diagonal(np.atleast_2d(model.covariance_))
            if (covariance_type == "full")
            else model.covariance_
        )
        # the other feature's variance 8.25 times GaussianNB's var_smoothing
        assert variances[0] == 8.25
        assert variances[1] == pytest.approx(8.25e-9, rel=1e-15)
        assert np.all(np.isfinite(model.score_samples(X)))
    model = GaussianMLE(reg_covar=1e-6).fit(X)
    assert model.covariance_[1, 1] == pytest.approx(1e-6)


def test_zero_variance_is_relative_to_each_feature_and_float_precision():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 3))
    for data in (X * 1e-7, X * [1.0, 1e6, 1e-6], X * 1e-150, X * 1e150):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            model = GaussianMLE().fit(data)
        np.testing.assert_allclose(
            model.covariance_, np.cov(data.T, ddof=0), rtol=1e-12, atol=0
        )
        assert np.all(np.isfinite(model.score_samples(data)))
    # equal values of any size are constant; 1 ulp apart too
    for value in (1e-100, 3.0, 1e100):
        column = np.full(40, value)
        column[::2] = np.nextafter(value, np.inf)
        with pytest.warns(UserWarning, match="constant"):
            GaussianMLE().fit(np.column_stack([X[:, 0], column]))


def test_out_of_range_variances_are_a_clear_error():
    X = np.random.RandomState(0).normal(size=(20, 2))
    with pytest.raises(ValueError, match="variance underflows float64.*Rescale"):
        GaussianMLE().fit(X * 1e-300)
    with pytest.raises(ValueError, match="overflows float64.*Rescale"):
        GaussianMLE().fit(X * 1e300)
    with pytest.raises(ValueError, match="Every value of X is 0"):
        GaussianMLE().fit(np.zeros((5, 2)))


def test_singular_full_covariance_is_floored_relative_to_each_feature():
    X = np.column_stack([np.arange(10.0), 2e6 * np.arange(10.0)])
    with pytest.warns(UserWarning, match="collinear features"):
        model = GaussianMLE().fit(X)
    exact = np.cov(X.T, ddof=0)
    np.testing.assert_allclose(
        model.covariance_, exact + 1e-9 * np.diag(np.diag(exact)), rtol=1e-12
    )
    with pytest.warns(UserWarning, match="3 rows in 5 dimensions"):
        model = GaussianMLE().fit(np.random.RandomState(1).normal(size=(3, 5)))
    assert np.all(np.isfinite(model.score_samples(np.zeros((2, 5)))))
    # a single row: a spike at it, scaled by its values, with the warning
    with pytest.warns(UserWarning, match="constant"):
        model = GaussianMLE(covariance_type="diag").fit([[1.0, 2.0]])
    np.testing.assert_allclose(model.covariance_, [4e-9, 4e-9])


def test_scalar_sample_weight_is_equal_weights():
    X = np.random.RandomState(0).normal(size=(5, 2))
    model = GaussianMLE().fit(X, sample_weight=3.0)
    np.testing.assert_allclose(model.covariance_, GaussianMLE().fit(X).covariance_)


@pytest.mark.parametrize(
    "sample_weight, match",
    [
        (-np.ones(5), "negative"),
        (np.zeros(5), "zero for every row"),
        (np.ones(4), "4 entries but X has 5 rows"),
        ("heavy", "must be a number or an array"),
    ],
)
def test_bad_sample_weight(sample_weight, match):
    X = np.random.RandomState(0).normal(size=(5, 2))
    with pytest.raises(ValueError, match=match):
        GaussianMLE().fit(X, sample_weight=sample_weight)


def test_bad_parameters():
    X = np.random.RandomState(0).normal(size=(5, 2))
    with pytest.raises(ValueError, match="covariance_type must be one of"):
        GaussianMLE(covariance_type="tied").fit(X)
    with pytest.raises(ValueError, match="reg_covar"):
        GaussianMLE(reg_covar=-1.0).fit(X)
    model = GaussianMLE().fit(X)
    with pytest.raises(ValueError, match="n_samples"):
        model.sample(0)
    with pytest.raises(ValueError, match="features"):
        model.score_samples(np.zeros((2, 3)))


finite_rows = arrays(
    np.float64,
    st.tuples(st.integers(5, 30), st.integers(1, 4)),
    elements=st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False),
)


@settings(max_examples=40, deadline=None)
@given(X=finite_rows, shift=st.floats(-1e3, 1e3))
def test_mle_is_translation_equivariant(X, shift):
    spread = X.std(axis=0)
    if np.any(spread < 1e-3 * (1.0 + np.abs(X).max())):
        return  # a (near-)constant feature is rejected, tested above
    model = GaussianMLE(covariance_type="diag").fit(X)
    moved = GaussianMLE(covariance_type="diag").fit(X + shift)
    scale = 1.0 + np.abs(X).max() + abs(shift)
    np.testing.assert_allclose(moved.mean_, model.mean_ + shift, atol=1e-9 * scale)
    np.testing.assert_allclose(
        moved.covariance_, model.covariance_, rtol=1e-6, atol=1e-9 * scale**2
    )
    scores = moved.score_samples(X + shift)
    assert scores.shape == (X.shape[0],)
    assert np.all(np.isfinite(scores))
    np.testing.assert_allclose(scores, model.score_samples(X), rtol=1e-6, atol=1e-6)
