"""RejectionSampler: exactness, the envelope, warnings and errors."""

import math
import warnings

import numpy as np
import pytest
from numba import njit
from scipy import stats

from skgenfund import EMGaussianMixture, GaussianMLE, RejectionSampler

BETA_LOG_M = math.log(30 * 0.2 * 0.8**4)  # max of the Beta(2, 5) density, at 1/5
MARGIN = math.log(1.01)


@njit
def beta25_log_density(x):
    """log Beta(2, 5) density of one point (a 1-D array), -inf outside (0, 1)."""
    v = x[0]
    if v <= 0.0 or v >= 1.0:
        return -np.inf
    return math.log(30.0) + math.log(v) + 4.0 * math.log(1.0 - v)


def binomial_se(p, n):
    return math.sqrt(p * (1 - p) / n)


@pytest.mark.parametrize("target", [stats.beta(2, 5), beta25_log_density])
def test_beta25_is_exact_and_accepts_one_over_m(target):
    sampler = RejectionSampler(target, proposal=stats.uniform(), random_state=0).fit()
    assert sampler.log_envelope_ == pytest.approx(BETA_LOG_M + MARGIN, abs=1e-6)
    X = sampler.sample(20000)
    assert X.shape == (20000, 1)
    assert stats.kstest(X[:, 0], stats.beta(2, 5).cdf).pvalue > 1e-3
    mean_se = stats.beta(2, 5).std() / math.sqrt(len(X))
    assert abs(X.mean() - 2 / 7) < 4 * mean_se
    # acceptance 1 / M (M includes the 1% margin), within binomial error
    expected = math.exp(-sampler.log_envelope_)
    assert abs(sampler.acceptance_rate_ - expected) < 4 * binomial_se(
        expected, sampler.n_trials_
    )
    assert sampler.n_trials_ >= 20000


def test_truncated_normal_in_two_dimensions():
    def log_p(X):  # N(0, I) restricted to x1 > 1, unnormalised
        return np.where(X[:, 0] > 1, -0.5 * np.sum(X**2, axis=1), -np.inf)

    proposal = stats.multivariate_normal([1.5, 0.0], 2.0 * np.eye(2))
    sampler = RejectionSampler(log_p, proposal=proposal, random_state=1).fit()
    X = sampler.sample(5000)
    truncated = stats.truncnorm(1, np.inf)
    assert stats.kstest(X[:, 0], truncated.cdf).pvalue > 1e-3
    assert stats.kstest(X[:, 1], stats.norm.cdf).pvalue > 1e-3
    assert abs(X[:, 0].mean() - truncated.mean()) < 4 * truncated.std() / math.sqrt(
        5000
    )


def test_default_target_and_proposal_from_data():
    X = np.random.default_rng(0).multivariate_normal([1, -1], [[2, 0.5], [0.5, 1]], 400)
    sampler = RejectionSampler(random_state=0).fit(X)
    assert isinstance(sampler.target_, GaussianMLE)
    # Gaussian target under the same Gaussian with standard deviations x 1.5:
    # M = 1.5^d, so the acceptance rate is 1 / (1.5^2 * 1.01)
    assert sampler.log_envelope_ == pytest.approx(2 * math.log(1.5) + MARGIN, abs=1e-5)
    draws = sampler.sample(4000)
    expected = 1 / (2.25 * 1.01)
    assert abs(sampler.acceptance_rate_ - expected) < 4 * binomial_se(
        expected, sampler.n_trials_
    )
    fitted = sampler.target_
    z = (draws - fitted.mean_) @ fitted.precision_cholesky_
    for j in range(2):  # whitened draws are standard normal
        assert stats.kstest(z[:, j], stats.norm.cdf).pvalue > 1e-3


def test_package_density_takes_the_compiled_path_with_the_same_draws():
    data = np.random.default_rng(0).normal(size=(300, 2))
    data[:150] += 4
    mixture = EMGaussianMixture(2, random_state=0).fit(data)
    proposal = stats.multivariate_normal(data.mean(axis=0), 9 * np.cov(data.T))
    compiled = RejectionSampler(mixture, proposal=proposal, random_state=3).fit()
    python = RejectionSampler(
        lambda X: mixture.score_samples(X), proposal=proposal, random_state=3
    ).fit()
    assert compiled.log_envelope_ == pytest.approx(python.log_envelope_, abs=1e-6)
    # with the batch sizes fixed, both paths see the same proposals and tests
    settings = {"log_envelope": compiled.log_envelope_, "batch_size": 1000}
    compiled.set_params(**settings).fit()
    python.set_params(**settings).fit()
    np.testing.assert_array_equal(compiled.sample(500), python.sample(500))


def test_too_small_envelope_warns_by_how_much():
    sampler = RejectionSampler(
        stats.beta(2, 5), proposal=stats.uniform(), log_envelope=0.5, random_state=0
    ).fit()
    with pytest.warns(UserWarning, match="envelope is too small") as record:
        sampler.sample(2000)
    message = str(record[0].message)
    factor = float(message.split("by a factor of ")[1].split(" ")[0])
    # the true shortfall is exp(log M_true - 0.5); the worst draw seen is close
    assert factor == pytest.approx(math.exp(BETA_LOG_M - 0.5), rel=0.01)
    assert "biased" in message


def test_correct_envelope_does_not_warn():
    sampler = RejectionSampler(
        stats.beta(2, 5), proposal=stats.uniform(), random_state=0
    ).fit()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sampler.sample(50000)


def test_hopeless_run_stops_at_max_trials():
    sampler = RejectionSampler(
        stats.beta(2, 5),
        proposal=stats.uniform(),
        log_envelope=30.0,
        max_trials=20000,
        random_state=0,
    ).fit()
    with pytest.raises(RuntimeError, match="max_trials=20000"):
        sampler.sample(10)
    assert RejectionSampler().get_params()["max_trials"] is None


def test_unbounded_ratio_warns_at_fit():
    # a Cauchy target has heavier tails than a normal proposal: p / q -> inf;
    # the optimiser runs to log p/q ~ 1e245, an envelope that accepts nothing
    with pytest.raises(ValueError, match="unbounded.*heavier tails"):
        RejectionSampler(stats.cauchy(), proposal=stats.norm(), random_state=0).fit()
    # so does any normal target wider than the normal proposal
    with pytest.raises(ValueError, match="unbounded"):
        RejectionSampler(stats.norm(0, 1.05), proposal=stats.norm()).fit()


def test_reproducible_and_thread_independent():
    def make(**kwargs):
        return RejectionSampler(
            beta25_log_density, proposal=stats.uniform(), random_state=7, **kwargs
        ).fit()

    one = make().sample(300000)  # large enough for several lanes
    np.testing.assert_array_equal(make(n_jobs=2).sample(300000), one)
    np.testing.assert_array_equal(make().sample(300000), one)
    assert not np.array_equal(make().sample(300000, random_state=8), one)
    fixed = make(batch_size=100)
    assert fixed.sample(1000).shape == (1000, 1)
    assert fixed.n_trials_ % 100 == 0


def test_nan_target_names_the_point():
    def log_p(X):
        return np.where(X[:, 0] > 0.5, np.nan, 0.0)

    sampler = RejectionSampler(log_p, proposal=stats.uniform(), log_envelope=0.0)
    with pytest.raises(ValueError, match=r"log-density is nan at x = \[0\.[5-9]"):
        sampler.fit().sample(100)

    @njit
    def log_p_njit(x):
        return np.nan if x[0] > 0.5 else 0.0

    sampler = RejectionSampler(log_p_njit, proposal=stats.uniform(), log_envelope=0.0)
    with pytest.raises(ValueError, match=r"log-density is nan at x = \[0\.[5-9]"):
        sampler.fit().sample(100)


def test_clear_errors():
    with pytest.raises(ValueError, match="without X"):
        RejectionSampler(stats.norm()).fit()
    with pytest.raises(ValueError, match="without X"):
        RejectionSampler(GaussianMLE(), proposal=stats.norm()).fit()
    with pytest.raises(ValueError, match="discrete"):
        RejectionSampler(stats.poisson(3), proposal=stats.norm()).fit()
    with pytest.raises(ValueError, match="log_envelope"):
        RejectionSampler(stats.norm(), proposal=stats.norm(), log_envelope="big").fit()
    with pytest.raises(ValueError, match="Inconsistent numbers of features"):
        RejectionSampler(stats.norm(), proposal=stats.norm()).fit(np.zeros((5, 2)))
    with pytest.raises(ValueError, match="draw samples"):
        RejectionSampler(stats.norm(), proposal=lambda X: X[:, 0]).fit()
    with pytest.raises(TypeError, match="Cannot use"):
        RejectionSampler("beta", proposal=stats.norm()).fit()
