import numpy as np
import pytest
from scipy import stats

from skgenfund import BayesianGaussian, GaussianMLE


@pytest.fixture
def X():
    rng = np.random.RandomState(0)
    return rng.multivariate_normal([1.0, -1.0], [[1.0, 0.6], [0.6, 2.0]], 40)


PRIORS = dict(
    mean_prior=[0.5, 0.0],
    mean_precision_prior=2.0,
    degrees_of_freedom_prior=4.0,
    covariance_prior=[[1.5, 0.2], [0.2, 0.7]],
)


def test_posterior_matches_hand_computation(X):
    model = BayesianGaussian(**PRIORS).fit(X)
    n = X.shape[0]
    xbar = X.mean(axis=0)
    scatter = (X - xbar).T @ (X - xbar)
    m0 = np.array(PRIORS["mean_prior"])
    kappa_n = 2.0 + n
    np.testing.assert_allclose(model.mean_precision_posterior_, kappa_n)
    np.testing.assert_allclose(model.mean_posterior_, (2.0 * m0 + n * xbar) / kappa_n)
    np.testing.assert_allclose(model.degrees_of_freedom_posterior_, 4.0 + n)
    psi_n = (
        np.array(PRIORS["covariance_prior"])
        + scatter
        + 2.0 * n / kappa_n * np.outer(xbar - m0, xbar - m0)
    )
    np.testing.assert_allclose(model.covariance_posterior_, psi_n, rtol=1e-12)
    np.testing.assert_allclose(model.covariance_, psi_n / (4.0 + n - 2 - 1), rtol=1e-12)


def test_sequential_updating_equals_batch(X):
    """The posterior after X1 is the prior for X2: conjugacy, exactly."""
    first = BayesianGaussian(**PRIORS).fit(X[:15])
    second = BayesianGaussian(
        mean_prior=first.mean_posterior_,
        mean_precision_prior=first.mean_precision_posterior_,
        degrees_of_freedom_prior=first.degrees_of_freedom_posterior_,
        covariance_prior=first.covariance_posterior_,
    ).fit(X[15:])
    batch = BayesianGaussian(**PRIORS).fit(X)
    np.testing.assert_allclose(second.mean_posterior_, batch.mean_posterior_)
    np.testing.assert_allclose(
        second.covariance_posterior_, batch.covariance_posterior_
    )
    assert second.degrees_of_freedom_posterior_ == batch.degrees_of_freedom_posterior_


def test_predictive_is_scipy_student_t(X):
    model = BayesianGaussian(**PRIORS).fit(X)
    d = X.shape[1]
    kappa_n = model.mean_precision_posterior_
    df = model.degrees_of_freedom_posterior_ - d + 1
    shape = model.covariance_posterior_ * (kappa_n + 1) / (kappa_n * df)
    reference = stats.multivariate_t(model.mean_posterior_, shape, df=df)
    grid = np.random.RandomState(2).normal(scale=3.0, size=(50, 2))
    np.testing.assert_allclose(
        model.score_samples(grid), reference.logpdf(grid), rtol=1e-9
    )


def test_default_priors_are_data_scaled_like_sklearn(X):
    model = BayesianGaussian().fit(X)
    np.testing.assert_allclose(model.mean_prior_, X.mean(axis=0))
    np.testing.assert_allclose(model.covariance_prior_, np.cov(X.T))
    assert model.degrees_of_freedom_prior_ == X.shape[1]


def test_predictive_approaches_mle_with_more_data():
    rng = np.random.RandomState(5)
    big = rng.multivariate_normal([0.0, 2.0], [[1.0, 0.3], [0.3, 0.5]], 20000)
    bayes = BayesianGaussian().fit(big)
    mle = GaussianMLE().fit(big)
    np.testing.assert_allclose(
        bayes.score_samples(big[:100]), mle.score_samples(big[:100]), atol=2e-3
    )
    # with few points the predictive has heavier tails than the plug-in Gaussian
    few = big[:6]
    far = np.array([[8.0, -6.0]])
    assert (
        BayesianGaussian().fit(few).score_samples(far)[0]
        > GaussianMLE().fit(few).score_samples(far)[0]
    )


def test_sample_parameters_moments(X):
    model = BayesianGaussian(**PRIORS).fit(X)
    n = 4000
    means, covariances = model.sample_parameters(n, random_state=0)
    assert means.shape == (n, 2) and covariances.shape == (n, 2, 2)
    # E[mean] = m_N; Var[mean] = E[Sigma] / kappa_N
    expected_cov = model.covariance_
    standard_error = np.sqrt(
        np.diag(expected_cov) / model.mean_precision_posterior_ / n
    )
    assert np.all(
        np.abs(means.mean(axis=0) - model.mean_posterior_) < 4.5 * standard_error
    )
    # E[Sigma] = Psi_N / (nu_N - d - 1): check within Monte Carlo error
    sd = covariances.std(axis=0) / np.sqrt(n)
    assert np.all(np.abs(covariances.mean(axis=0) - expected_cov) < 4.5 * sd)
    assert np.all(np.linalg.eigvalsh(covariances) > 0)
    again, _ = model.sample_parameters(n, random_state=0)
    np.testing.assert_array_equal(means, again)


def test_posterior_spread_shrinks_with_n():
    rng = np.random.RandomState(1)
    data = rng.normal(size=(2000, 1))
    spreads = [
        BayesianGaussian().fit(data[:n]).sample_parameters(500, random_state=0)[0].std()
        for n in (10, 100, 1000)
    ]
    assert spreads[0] > spreads[1] > spreads[2]
    # sd of the mean's posterior ~ sigma / sqrt(N)
    assert spreads[2] == pytest.approx(1 / np.sqrt(1000), rel=0.2)


def test_predictive_sample_is_student_t(X):
    model = BayesianGaussian(
        mean_prior=[0.0], degrees_of_freedom_prior=2.0, covariance_prior=[[1.0]]
    ).fit(X[:8, :1])
    df = model.degrees_of_freedom_posterior_
    kappa_n = model.mean_precision_posterior_
    scale = np.sqrt(model.covariance_posterior_[0, 0] * (kappa_n + 1) / (kappa_n * df))
    draws = model.sample(5000, random_state=0)
    assert draws.shape == (5000, 1)
    p_value = stats.kstest(
        draws[:, 0], stats.t(df, model.mean_posterior_[0], scale).cdf
    ).pvalue
    assert p_value > 1e-3


@pytest.mark.parametrize(
    "params, match",
    [
        ({"mean_precision_prior": 0.0}, "mean_precision_prior"),
        ({"degrees_of_freedom_prior": 0.5}, "greater than n_features - 1"),
        ({"covariance_prior": [[1.0, 2.0], [2.0, 1.0]]}, "not positive definite"),
        ({"covariance_prior": np.eye(3)}, "shape"),
        ({"mean_prior": [1.0, 2.0, 3.0]}, "mean_prior"),
    ],
)
def test_bad_priors(X, params, match):
    with pytest.raises(ValueError, match=match):
        BayesianGaussian(**params).fit(X)


def test_degenerate_data_with_default_prior():
    X = np.column_stack([np.arange(6.0), np.ones(6)])
    # the default prior is floored (1e-6 of the other variance), so proper
    model = BayesianGaussian().fit(X)
    assert model.covariance_prior_[1, 1] == pytest.approx(3.5e-6, rel=1e-12)
    assert model.covariance_prior_[0, 0] == 3.5
    assert np.all(np.isfinite(model.score_samples(X)))
    # fewer rows than features: a proper posterior with the default prior
    wide = np.random.RandomState(0).normal(size=(4, 9))
    model = BayesianGaussian().fit(wide)
    np.testing.assert_allclose(
        np.diag(model.covariance_prior_), np.var(wide, 0, ddof=1) * (1 + 1e-6)
    )
    assert np.all(np.isfinite(model.score_samples(wide * 3)))
    with pytest.raises(ValueError, match="Every value of X is 0.*covariance_prior"):
        BayesianGaussian().fit(np.zeros((4, 2)))
    # an explicit prior makes the posterior proper even for a constant feature
    model = BayesianGaussian(covariance_prior=np.eye(2)).fit(X)
    assert np.all(np.isfinite(model.score_samples(X)))
    with pytest.raises(ValueError, match="at least 2"):
        BayesianGaussian().fit(X[:1])
    assert np.isfinite(BayesianGaussian(covariance_prior=np.eye(2)).fit(X[:1]).score(X))
