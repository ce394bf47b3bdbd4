"""Proposals: MALA's stationary law and Hastings term, gradients, defaults."""

import math

import numpy as np
import pytest
from numba import njit
from scipy import stats
from sklearn.base import BaseEstimator
from sklearn.datasets import load_iris

from skgenfund import (
    EMGaussianMixture,
    GaussianMLE,
    MetropolisHastingsSampler,
    effective_sample_size,
)
from skgenfund._core._kernels import mixture_logpdf_gradient_point
from skgenfund._core.gaussian import mixture_log_prob_and_gradient
from skgenfund.sampling import _metropolis
from skgenfund.sampling.proposals import Langevin

# The chapter's mixture 0.3 N(-2, 0.5^2) + 0.7 N(3, 1), with its gradient.
WEIGHTS, MEANS, SDS = np.array([0.3, 0.7]), np.array([-2.0, 3.0]), np.array([0.5, 1])


def mixture_log_density(X):
    z = (X[:, :1] - MEANS) / SDS
    return np.logaddexp.reduce(np.log(WEIGHTS / SDS) - 0.5 * z**2, axis=1)


def mixture_gradient(X):
    z = (X[:, :1] - MEANS) / SDS
    log_terms = np.log(WEIGHTS / SDS) - 0.5 * z**2
    resp = np.exp(log_terms - np.logaddexp.reduce(log_terms, axis=1)[:, None])
    return np.sum(resp * -z / SDS, axis=1, keepdims=True)


def mixture_cdf(x):
    return np.sum(WEIGHTS * stats.norm.cdf((x[:, None] - MEANS) / SDS), axis=1)


class LangevinWithoutHastings(Langevin):
    """A planted bug: MALA's move with the symmetric random walk's acceptance."""

    def log_q_ratio(self, run, x_prop, g_prop, z):
        return 0.0


def geweke_run(monkeypatch, proposal_class, n_chains=20000, n_steps=4):
    """MALA chains started at exact draws x0 ~ p, step size fixed, NumPy engine."""
    rng = np.random.default_rng(7)
    first = rng.random(n_chains) < WEIGHTS[0]
    x0 = np.where(first, rng.normal(-2, 0.5, n_chains), rng.normal(3, 1, n_chains))
    sampler = MetropolisHastingsSampler(
        mixture_log_density, proposal="mala", gradient=mixture_gradient,
        step_size=1.0, n_chains=n_chains, n_warmup=0, initial=x0[:, None],
        random_state=0,
    ).fit()  # fmt: skip
    make = _metropolis.make_proposal

    def planted(kind, n_features, **kwargs):
        proposal = make(kind, n_features, **kwargs)
        proposal.__class__ = proposal_class
        return proposal

    monkeypatch.setattr(_metropolis, "make_proposal", planted)
    monkeypatch.setattr(_metropolis, "NUMPY_MAX_CHAIN_STEPS", 10**9)
    sampler.sample(n_chains * n_steps)
    return sampler


def test_mala_leaves_the_target_invariant(monkeypatch):
    """Started at exact draws, the law after every step is still p (KS tests over
    20000 independent chains); the same test catches a dropped Hastings term."""
    sampler = geweke_run(monkeypatch, Langevin)
    assert 0.3 < sampler.acceptance_rate_.mean() < 0.9
    for step in range(sampler.chains_.shape[1]):
        draws = sampler.chains_[:, step, 0]
        assert stats.kstest(draws, mixture_cdf).pvalue > 1e-3
    buggy = geweke_run(monkeypatch, LangevinWithoutHastings)
    assert stats.kstest(buggy.chains_[:, -1, 0], mixture_cdf).pvalue < 1e-8


def mcse_of_mean(chains):
    return chains.std() / math.sqrt(effective_sample_size(chains, method="mean"))


def mcse_of_sd(chains):
    centred2 = (chains - chains.mean()) ** 2
    ess = effective_sample_size(centred2, method="mean")
    return centred2.std() / math.sqrt(ess) / (2 * math.sqrt(centred2.mean()))


@pytest.fixture(scope="module")
def iris_gaussian():
    return GaussianMLE().fit(load_iris().data)


def test_mala_moments_on_the_iris_gaussian(iris_gaussian):
    """Adapted MALA (compiled, analytic gradient): means and standard deviations
    within 4 Monte Carlo standard errors of the truth, acceptance near 0.574."""
    target = iris_gaussian
    sampler = MetropolisHastingsSampler(target, proposal="mala", random_state=0).fit()
    sampler.sample(4 * 20000)
    truth_sd = np.sqrt(np.diag(target.covariance_))
    for j in range(4):
        chains = sampler.chains_[..., j]
        assert abs(chains.mean() - target.mean_[j]) < 4 * mcse_of_mean(chains)
        assert abs(chains.std() - truth_sd[j]) < 4 * mcse_of_sd(chains)
        assert (
            stats.kstest(
                chains[:, ::20].ravel(), stats.norm(target.mean_[j], truth_sd[j]).cdf
            ).pvalue
            > 1e-3
        )
    assert np.all(np.abs(sampler.acceptance_rate_ - 0.574) < 0.08)
    assert np.all(sampler.rhat_ < 1.01)


def test_the_default_is_adaptive_and_mixes_on_iris(iris_gaussian):
    """The call with no options: iris is correlated (condition number ~175), so
    the isotropic walk gives a bulk ESS near 11 of 8000 draws; the adaptive
    default gives hundreds."""
    assert MetropolisHastingsSampler().proposal == "adaptive"
    default = MetropolisHastingsSampler(iris_gaussian, random_state=0).fit()
    default.sample(8000)
    isotropic = MetropolisHastingsSampler(
        iris_gaussian, proposal="gaussian", random_state=0
    ).fit()
    isotropic.sample(8000)
    assert isotropic.ess_.min() < 40
    assert default.ess_.min() > 200
    assert np.all(default.rhat_ < 1.02)


@njit
def gaussian_point(x):
    return -0.5 * (x[0] ** 2 + (x[1] - 1.0) ** 2 / 4.0)


@njit
def gaussian_point_gradient(x):
    return np.array([-x[0], -(x[1] - 1.0) / 4.0])


def gaussian_rows(X):
    return -0.5 * (X[:, 0] ** 2 + (X[:, 1] - 1.0) ** 2 / 4.0)


def gaussian_rows_gradient(X):
    return np.column_stack([-X[:, 0], -(X[:, 1] - 1.0) / 4.0])


# 4 x (1000 + 11000) chain steps: just above the NumPy engine's limit
@pytest.mark.parametrize("n_samples", [4000, 44000])  # NumPy, compiled engine
def test_user_gradients_njit_and_callable_agree(n_samples):
    common = {
        "proposal": "mala", "n_chains": 4, "initial": np.zeros(2), "random_state": 3
    }  # fmt: skip
    compiled = MetropolisHastingsSampler(
        gaussian_point, gradient=gaussian_point_gradient, **common
    ).fit()
    python = MetropolisHastingsSampler(
        gaussian_rows, gradient=gaussian_rows_gradient, **common
    ).fit()
    draws = compiled.sample(n_samples)
    np.testing.assert_allclose(draws, python.sample(n_samples), rtol=0, atol=1e-6)
    mixed = MetropolisHastingsSampler(
        gaussian_rows, gradient=gaussian_point_gradient, **common
    ).fit()
    np.testing.assert_allclose(draws, mixed.sample(n_samples), rtol=0, atol=1e-6)
    if n_samples > 10000:
        chains = compiled.chains_
        for j, (mean, sd) in enumerate([(0.0, 1.0), (1.0, 2.0)]):
            assert abs(chains[..., j].mean() - mean) < 4 * mcse_of_mean(chains[..., j])
            assert abs(chains[..., j].std() - sd) < 4 * mcse_of_sd(chains[..., j])


@pytest.mark.parametrize("covariance_type", ["full", "tied", "diag", "spherical"])
def test_mixture_gradient_matches_finite_differences(covariance_type):
    X = load_iris().data
    gmm = EMGaussianMixture(3, covariance_type=covariance_type, random_state=0).fit(X)
    density = gmm._mixture_density()
    points = X[::15] + 0.1
    log_prob, grad = mixture_log_prob_and_gradient(points, density)
    np.testing.assert_allclose(log_prob, gmm.score_samples(points), rtol=1e-12)
    h = 1e-6
    for j in range(4):
        step = np.zeros(4)
        step[j] = h
        numeric = gmm.score_samples(points + step) - gmm.score_samples(points - step)
        np.testing.assert_allclose(grad[:, j], numeric / (2 * h), rtol=1e-5, atol=1e-6)
    g, work = np.empty(4), np.empty(4)
    for point, expected_lp, expected_grad in zip(points, log_prob, grad):
        lp = mixture_logpdf_gradient_point(point, *density, g, work)
        assert lp == pytest.approx(expected_lp, rel=1e-12)
        np.testing.assert_allclose(g, expected_grad, rtol=1e-10, atol=1e-12)


def test_clear_errors_without_a_gradient():
    with pytest.raises(ValueError, match="needs the gradient.*gradient="):
        MetropolisHastingsSampler(
            gaussian_rows, proposal="mala", initial=np.zeros(2)
        ).fit()
    with pytest.raises(ValueError, match="needs the gradient"):
        MetropolisHastingsSampler(stats.norm(), proposal="mala").fit()
    with pytest.raises(TypeError, match="gradient must be a callable"):
        MetropolisHastingsSampler(
            gaussian_rows, proposal="mala", gradient=3, initial=np.zeros(2)
        ).fit()
    wrong_shape = MetropolisHastingsSampler(
        gaussian_rows, proposal="mala", initial=np.zeros(2),
        gradient=lambda X: X[:, 0],
    ).fit()  # fmt: skip
    with pytest.raises(ValueError, match="shaped as its input"):
        wrong_shape.sample(10)
    not_finite = MetropolisHastingsSampler(
        gaussian_rows, proposal="mala", initial=np.zeros(2),
        gradient=lambda X: np.where(X > 0.5, np.nan, -X),
    ).fit()  # fmt: skip
    with pytest.raises(ValueError, match="gradient of the log-density is not finite"):
        not_finite.sample(4000)
    with pytest.raises(TypeError, match="gradient must be a callable"):
        MetropolisHastingsSampler(stats.norm(), gradient=3).fit()


class CanonicalMixture(BaseEstimator):
    """Any density that exposes its fit as a MixtureDensity (as the package's
    mixtures do) gets MALA's analytic gradient and the compiled kernels."""

    def __init__(self, fitted=None):
        self.fitted = fitted

    def fit(self, X, y=None):
        self.fitted_ = self.fitted
        self.n_features_in_ = self.fitted.n_features_in_
        return self

    def score_samples(self, X):
        return self.fitted_.score_samples(X)

    def _mixture_density(self):
        return self.fitted_._mixture_density()


def test_the_gradient_hook_is_generic_over_mixture_densities():
    X = load_iris().data
    gmm = EMGaussianMixture(2, random_state=0).fit(X)
    common = {"proposal": "mala", "random_state": 0}
    own = MetropolisHastingsSampler(gmm, **common).fit(X).sample(80000)
    duck = MetropolisHastingsSampler(CanonicalMixture(gmm).fit(X), **common).fit(X)
    np.testing.assert_array_equal(duck.sample(80000), own)
