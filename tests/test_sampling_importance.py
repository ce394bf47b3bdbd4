"""ImportanceSampler: expectations with standard errors, log Z, ESS and k-hat."""

import math
import warnings

import numpy as np
import pytest
from scipy import stats

from skgenfund import GaussianMLE, ImportanceSampler

# E[x^2 | x > 2] for x ~ N(0, 1): 1 + 2 phi(2) / (1 - Phi(2)). The chapter
# prints 6.72; the truth is 5.7464.
TRUNCATED_SECOND_MOMENT = 1 + 2 * stats.norm.pdf(2) / stats.norm.sf(2)
TRUNCATED_LOG_Z = math.log(math.sqrt(2 * math.pi) * stats.norm.sf(2))


def truncated_normal(X):
    """Unnormalised log-density of N(0, 1) restricted to x > 2."""
    x = X[:, 0]
    return np.where(x > 2, -0.5 * x**2, -np.inf)


@pytest.fixture
def truncated_sampler():
    return ImportanceSampler(
        truncated_normal,
        proposal=stats.expon(loc=2, scale=0.5),
        n_samples=20000,
        random_state=0,
    ).fit()


def test_truncated_second_moment_is_the_truth_not_the_chapters(truncated_sampler):
    assert TRUNCATED_SECOND_MOMENT == pytest.approx(5.7464, abs=1e-4)
    estimate, se = truncated_sampler.expectation(lambda X: X[:, 0] ** 2)
    assert abs(estimate - TRUNCATED_SECOND_MOMENT) < 4 * se
    assert abs(estimate - 6.72) > 50 * se  # the chapter's number is excluded
    assert truncated_sampler.pareto_k_ < 0.5
    assert truncated_sampler.ess_ > 0.5 * 20000


def test_log_normalizer_estimates_log_z(truncated_sampler):
    w = np.exp(truncated_sampler.log_weights_)
    # delta method: sd(log Z_hat) = sd(w) / (mean(w) sqrt(S))
    se = w.std(ddof=1) / (w.mean() * math.sqrt(len(w)))
    assert abs(truncated_sampler.log_normalizer_ - TRUNCATED_LOG_Z) < 4 * se


def test_attributes(truncated_sampler):
    s = truncated_sampler
    assert s.samples_.shape == (20000, 1) and s.n_features_in_ == 1
    assert s.weights_.sum() == pytest.approx(1.0)
    assert s.ess_ == pytest.approx(1 / np.sum(s.weights_**2))
    np.testing.assert_allclose(
        s.log_weights_,
        truncated_normal(s.samples_)
        - stats.expon(loc=2, scale=0.5).logpdf(s.samples_[:, 0]),
    )


def test_standard_error_matches_the_spread_over_seeds():
    # the delta-method SE should describe the seed-to-seed spread
    estimates, errors = [], []
    for seed in range(30):
        sampler = ImportanceSampler(
            stats.norm(),
            proposal=stats.norm(0.5, 1.5),
            n_samples=2000,
            random_state=seed,
        ).fit()
        estimate, se = sampler.expectation(lambda X: X[:, 0])
        estimates.append(estimate)
        errors.append(se)
    spread = np.std(estimates, ddof=1)
    # the sd of a 30-draw sd is about spread / sqrt(2 * 29)
    assert abs(np.mean(errors) / spread - 1) < 4 / math.sqrt(58)
    assert abs(np.mean(estimates)) < 4 * spread / math.sqrt(30)


def test_too_narrow_proposal_gives_khat_above_07_and_warns():
    with pytest.warns(UserWarning, match=r"Pareto k-hat = 0\.\d\d > 0\.7"):
        sampler = ImportanceSampler(
            stats.norm(), proposal=stats.norm(0, 0.3), n_samples=20000, random_state=0
        ).fit()
    # the weights' tail has Pareto shape 1 - 0.3^2 = 0.91
    assert 0.7 < sampler.pareto_k_ < 1.1


def test_missing_mode_fools_the_ess_but_not_khat():
    def bimodal(X):
        x = X[:, 0]
        return np.logaddexp(
            np.log(0.5) + stats.norm.logpdf(x, -3, 1),
            np.log(0.5) + stats.norm.logpdf(x, 3, 1),
        )

    with pytest.warns(UserWarning, match="k-hat"):
        sampler = ImportanceSampler(
            bimodal, proposal=stats.norm(-3, 1), n_samples=10000, random_state=0
        ).fit()
    estimate, se = sampler.expectation(lambda X: X[:, 0])
    assert sampler.ess_ > 0.5 * 10000  # looks healthy...
    assert abs(estimate - 0.0) > 50 * se  # ...but the mean (0) is far off
    assert sampler.pareto_k_ > 0.7  # and k-hat says so


def test_good_proposal_does_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sampler = ImportanceSampler(
            stats.norm(1, 1), proposal=stats.t(df=3, loc=1, scale=1.5), random_state=0
        ).fit()
    assert sampler.pareto_k_ < 0.5


def test_unnormalised_estimate_for_a_normalised_target():
    sampler = ImportanceSampler(
        stats.norm(1, 1),
        proposal=stats.norm(0, 2),
        self_normalize=False,
        n_samples=20000,
        random_state=0,
    ).fit()
    estimate, se = sampler.expectation(lambda X: X[:, 0])
    assert abs(estimate - 1.0) < 4 * se
    total, total_se = sampler.expectation(lambda X: np.ones(len(X)))
    assert abs(total - 1.0) < 4 * total_se  # E_q[p / q] = 1


def test_vector_expectation_and_default_proposal():
    X = np.random.default_rng(0).multivariate_normal([1, 2], [[1, 0.6], [0.6, 2]], 500)
    sampler = ImportanceSampler(random_state=0).fit(X)
    assert isinstance(sampler.target_, GaussianMLE)
    mean, se = sampler.expectation(lambda Z: Z)
    assert mean.shape == se.shape == (2,)
    assert np.all(np.abs(mean - sampler.target_.mean_) < 4 * se)
    # a Gaussian target under a wider Gaussian: normalised, so log Z = 0
    w = np.exp(sampler.log_weights_)
    assert abs(sampler.log_normalizer_) < 4 * w.std() / (w.mean() * math.sqrt(len(w)))
    assert sampler.pareto_k_ < 0.5


def test_sampling_importance_resampling():
    sampler = ImportanceSampler(
        stats.norm(1, 0.5), proposal=stats.norm(0, 2), n_samples=50000, random_state=0
    ).fit()
    draws = sampler.sample(2000, random_state=1)
    assert draws.shape == (2000, 1)
    assert stats.kstest(draws[:, 0], stats.norm(1, 0.5).cdf).pvalue > 1e-3
    np.testing.assert_array_equal(draws, sampler.sample(2000, random_state=1))
    assert np.isin(draws[:, 0], sampler.samples_[:, 0]).all()


def test_errors():
    sampler = ImportanceSampler(stats.norm(), proposal=stats.norm(), n_samples=10)
    with pytest.warns(UserWarning, match="too few to diagnose"):
        sampler.fit()
    with pytest.raises(ValueError, match="one value"):
        sampler.expectation(lambda X: np.ones(3))
    with pytest.raises(ValueError, match="without X"):
        ImportanceSampler(stats.norm()).fit()
    with pytest.raises(ValueError, match="n_samples"):
        ImportanceSampler(stats.norm(), proposal=stats.norm(), n_samples=1).fit()
    with pytest.raises(ValueError, match="does not cover"):
        ImportanceSampler(
            stats.uniform(10, 1), proposal=stats.norm(), n_samples=100
        ).fit()
    with pytest.raises(ValueError, match="log-density is nan at x"):
        with np.errstate(invalid="ignore"):
            ImportanceSampler(
                lambda X: np.log(X[:, 0]), proposal=stats.norm(), n_samples=100
            ).fit()
