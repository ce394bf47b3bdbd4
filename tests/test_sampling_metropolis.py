"""MetropolisHastingsSampler: correct stationary law, adaptation, paths, errors."""

import math

import numpy as np
import pytest
from numba import njit
from scipy import linalg, stats
from sklearn.exceptions import ConvergenceWarning

from skgenfund import (
    EMGaussianMixture,
    GaussianMLE,
    MetropolisHastingsSampler,
    autocorrelation,
    effective_sample_size,
    rhat,
)
from skgenfund.sampling import _metropolis
from skgenfund.sampling._metropolis import optimal_acceptance

# The chapter's mixture 0.3 N(-2, 0.5^2) + 0.7 N(3, 1): mean 1.5 and standard
# deviation sqrt(0.3 (0.25 + 4) + 0.7 (1 + 9) - 1.5^2) = 2.4546 (the chapter
# prints 1.82 and 2.15 from a too-short chain).
MIX_MEAN = 0.3 * -2 + 0.7 * 3
MIX_SD = math.sqrt(0.3 * (0.25 + 4) + 0.7 * (1 + 9) - MIX_MEAN**2)
LOG_WEIGHTS = np.log(np.array([0.3, 0.7]))


@njit
def mixture_log_density(x):
    """log of 0.3 N(-2, 0.5^2) + 0.7 N(3, 1) at one point (a 1-D array)."""
    a = LOG_WEIGHTS[0] - 0.5 * ((x[0] + 2.0) / 0.5) ** 2 - math.log(0.5)
    b = LOG_WEIGHTS[1] - 0.5 * (x[0] - 3.0) ** 2
    top = max(a, b)
    return (
        top
        + math.log(math.exp(a - top) + math.exp(b - top))
        - 0.5 * math.log(2 * math.pi)
    )


def mixture_log_density_rows(X):
    x = X[:, 0]
    return np.logaddexp(
        LOG_WEIGHTS[0] + stats.norm.logpdf(x, -2, 0.5),
        LOG_WEIGHTS[1] + stats.norm.logpdf(x, 3, 1),
    )


def mixture_cdf(x):
    return 0.3 * stats.norm.cdf(x, -2, 0.5) + 0.7 * stats.norm.cdf(x, 3, 1)


def exact_mixture_draws(n, rng):
    first = rng.random(n) < 0.3
    return np.where(first, rng.normal(-2, 0.5, n), rng.normal(3, 1, n))[:, None]


def mcse_of_mean(chains):
    """Monte Carlo standard error of the mean of (n_chains, n_draws) draws."""
    return chains.std() / math.sqrt(effective_sample_size(chains, method="mean"))


def mcse_of_sd(chains):
    """Delta-method MCSE of the standard deviation, from the ESS of (x - mean)^2."""
    centred2 = (chains - chains.mean()) ** 2
    sd = math.sqrt(centred2.mean())
    ess = effective_sample_size(centred2, method="mean")
    return centred2.std() / math.sqrt(ess) / (2 * sd)


@pytest.mark.parametrize("proposal", ["gaussian", "adaptive"])
@pytest.mark.parametrize("target", [mixture_log_density, mixture_log_density_rows])
def test_chapter_mixture_mean_and_sd_within_monte_carlo_error(target, proposal):
    sampler = MetropolisHastingsSampler(
        target, proposal=proposal, n_chains=8, initial=np.zeros(1), random_state=0
    ).fit()
    draws = sampler.sample(80000)
    assert draws.shape == (80000, 1)
    chains = sampler.chains_[..., 0]
    assert abs(chains.mean() - MIX_MEAN) < 4 * mcse_of_mean(chains)
    assert abs(chains.std() - MIX_SD) < 4 * mcse_of_sd(chains)
    assert abs(chains.mean() - 1.82) > 6 * mcse_of_mean(chains)  # not the chapter's
    assert np.all(sampler.rhat_ < 1.01)
    assert sampler.ess_[0] > 1000
    if proposal == "gaussian":
        # the adapted step size gives about the 1-D optimal acceptance rate
        # (adaptive chains learn the variance of the modes they warmed up in,
        # so their rates spread more on this bimodal target)
        assert np.all(np.abs(sampler.acceptance_rate_ - 0.44) < 0.08)


def test_correlated_gaussian_with_covariance_adaptation():
    d = 10
    rng = np.random.default_rng(0)
    A = rng.standard_normal((d, d))
    covariance = A @ A.T / d + 0.1 * np.eye(d)
    data = rng.multivariate_normal(np.arange(d, dtype=float), covariance, 2000)
    target = GaussianMLE().fit(data)  # compiled path
    results = {}
    for proposal in ("gaussian", "adaptive"):
        sampler = MetropolisHastingsSampler(
            target, proposal=proposal, n_chains=4, n_warmup=2000, random_state=1
        ).fit(data)
        if proposal == "gaussian":  # mixes too slowly here, and says so
            with pytest.warns(ConvergenceWarning, match="smallest bulk ESS"):
                sampler.sample(4 * 12500)
        else:
            sampler.sample(4 * 12500)
        results[proposal] = sampler
    adaptive = results["adaptive"]
    chains = adaptive.chains_
    for j in range(d):
        assert abs(chains[..., j].mean() - target.mean_[j]) < 4 * mcse_of_mean(
            chains[..., j]
        )
    # adapting the covariance is worth it on a correlated target
    assert adaptive.ess_.min() > 3 * results["gaussian"].ess_.min()
    assert np.all(adaptive.rhat_ < 1.01)
    # the learned proposal covariance is close to the target's (generalised
    # eigenvalues near 1; the identity proposal's span a factor of 30)
    learned = adaptive.proposal_covariance_[0] / adaptive.step_size_[0] ** 2
    ratio = linalg.eigh(learned, target.covariance_, eigvals_only=True)
    assert ratio.min() > 0.25 and ratio.max() < 2.5
    assert np.all(np.abs(adaptive.acceptance_rate_ - optimal_acceptance(d)) < 0.08)


def run_from_exact_draws(proposal, n_chains=4000, n_steps=3, seed=0):
    """Chains started at exact draws x0 ~ p; returns (x0, chains_)."""
    x0 = exact_mixture_draws(n_chains, np.random.default_rng(100 + seed))
    sampler = MetropolisHastingsSampler(
        mixture_log_density,
        proposal=proposal,
        step_size=2.0,
        n_chains=n_chains,
        n_warmup=0,
        initial=x0,
        random_state=seed,
    ).fit()
    with pytest.warns(ConvergenceWarning, match="too few to check convergence"):
        sampler.sample(n_chains * n_steps)  # independent chains: not for R-hat
    return x0[:, 0], sampler.chains_[..., 0]


class FlatClaimingProposal:
    """Draws N(0, 3^2) but claims a flat log-density: a planted missing Hastings
    correction (the chain then targets p q instead of p)."""

    def rvs(self, size=None, random_state=None):
        return stats.norm(0, 3).rvs(size=size, random_state=random_state)

    def logpdf(self, x):
        return np.zeros(np.shape(x)[0])


class HonestProposal(FlatClaimingProposal):
    def logpdf(self, x):
        return stats.norm(0, 3).logpdf(np.asarray(x)[:, 0])


@pytest.mark.parametrize("proposal", ["gaussian", HonestProposal()])
def test_geweke_stationarity_and_reversibility(proposal):
    """Started at exact draws, the chains must stay exactly distributed as p.

    A Geweke-style check on the kernel: the law of x_t after t steps from
    x_0 ~ p is p (KS test over 4000 independent chains), and the pair
    (x_0, x_1) is exchangeable under detailed balance, so
    E[x_0 x_1^2 - x_0^2 x_1] = 0 (z-test).
    """
    x0, chains = run_from_exact_draws(proposal)
    for step in range(chains.shape[1]):
        assert stats.kstest(chains[:, step], mixture_cdf).pvalue > 1e-3
    antisymmetric = x0 * chains[:, 0] ** 2 - x0**2 * chains[:, 0]
    z = antisymmetric.mean() / (antisymmetric.std() / math.sqrt(len(x0)))
    assert abs(z) < 4


def test_geweke_check_catches_a_missing_hastings_correction():
    _, chains = run_from_exact_draws(FlatClaimingProposal())
    assert stats.kstest(chains[:, -1], mixture_cdf).pvalue < 1e-10


def test_independence_sampler_with_a_fitted_proposal():
    data = exact_mixture_draws(500, np.random.default_rng(0))
    sampler = MetropolisHastingsSampler(
        mixture_log_density_rows,
        proposal=GaussianMLE(),  # fitted on X: covers both modes, wider tails
        random_state=0,
    ).fit(data)
    assert isinstance(sampler.proposal_, GaussianMLE)
    sampler.sample(20000)
    chains = sampler.chains_[..., 0]
    assert abs(chains.mean() - MIX_MEAN) < 4 * mcse_of_mean(chains)
    assert abs(chains.std() - MIX_SD) < 4 * mcse_of_sd(chains)
    assert np.all(np.isnan(sampler.step_size_))
    assert np.all((sampler.acceptance_rate_ > 0.3) & (sampler.acceptance_rate_ < 0.9))


def test_step_size_is_adapted_from_a_bad_start():
    # start 1000x too small; the warm-up must find the 1-D optimum
    sampler = MetropolisHastingsSampler(
        stats.norm(), proposal="gaussian", n_chains=4, initial=np.zeros(1),
        random_state=0,
    ).fit()  # fmt: skip
    with pytest.warns(ConvergenceWarning, match="ESS"):  # it barely moves
        sampler.set_params(step_size=0.001).fit().sample(4000)
    assert np.all(sampler.acceptance_rate_ > 0.99)  # frozen at 0.001: no adaptation
    sampler.set_params(step_size="auto").fit().sample(20000)
    assert np.all(np.abs(sampler.acceptance_rate_ - 0.44) < 0.05)
    # the optimal random-walk scale for N(0, 1) in 1-D is about 2.4
    assert np.all((sampler.step_size_ > 1.8) & (sampler.step_size_ < 3.2))
    np.testing.assert_allclose(
        sampler.proposal_covariance_[:, 0, 0], sampler.step_size_**2
    )


# The adaptive proposal's covariance, estimated from a short window in which a
# chain barely moved, amplifies rounding (1e-16 in log p) to about 1e-9.
PATH_TOLERANCE = {"gaussian": 1e-9, "adaptive": 1e-6, "mala": 1e-6}


@pytest.mark.parametrize("proposal", ["gaussian", "adaptive"])
def test_paths_give_the_same_chains(proposal):
    """Compiled (@njit, package density) and Python targets: same draws."""
    common = {
        "n_chains": 3, "initial": np.zeros(1), "random_state": 5,
        "proposal": proposal,
    }  # fmt: skip
    atol = PATH_TOLERANCE[proposal]
    njit_chains = MetropolisHastingsSampler(mixture_log_density, **common).fit()
    python = MetropolisHastingsSampler(mixture_log_density_rows, **common).fit()
    # same proposals and tests; the adapted step sizes differ by rounding only
    np.testing.assert_allclose(
        njit_chains.sample(30000), python.sample(30000), rtol=0, atol=atol
    )

    data = np.random.default_rng(0).normal(size=(200, 2)) @ [[1, 0.5], [0, 1]]
    for density in (GaussianMLE().fit(data), EMGaussianMixture(2, random_state=0)):
        compiled = MetropolisHastingsSampler(
            density, proposal=proposal, random_state=2
        ).fit(data)
        wrapped = MetropolisHastingsSampler(
            compiled.target_.score_samples, proposal=proposal, random_state=2
        ).fit(data)
        np.testing.assert_allclose(
            compiled.sample(20000), wrapped.sample(20000), rtol=0, atol=atol
        )


@pytest.mark.parametrize("proposal", ["gaussian", "adaptive", "mala"])
def test_numpy_and_compiled_engines_give_the_same_chains(proposal, monkeypatch):
    """A short run takes the NumPy engine, a long one the compiled kernels:
    forced either way, the same seed gives the same chains."""
    data = np.random.default_rng(0).normal(size=(200, 2)) @ [[1, 0.5], [0, 1]]
    targets = [GaussianMLE().fit(data), EMGaussianMixture(2, random_state=0)]
    if proposal != "mala":
        targets.append(mixture_log_density)
    for target in targets:
        X = None if target is mixture_log_density else data
        sampler = MetropolisHastingsSampler(
            target, proposal=proposal, n_chains=3, random_state=2,
            initial=np.zeros(1) if X is None else None,
        ).fit(X)  # fmt: skip
        monkeypatch.setattr(_metropolis, "NUMPY_MAX_CHAIN_STEPS", 10**9)
        numpy_draws = sampler.sample(3000)
        numpy_steps = sampler.step_size_
        monkeypatch.setattr(_metropolis, "NUMPY_MAX_CHAIN_STEPS", 0)
        compiled_draws = sampler.sample(3000)
        np.testing.assert_allclose(
            compiled_draws, numpy_draws, rtol=0, atol=PATH_TOLERANCE[proposal]
        )
        np.testing.assert_allclose(sampler.step_size_, numpy_steps, rtol=1e-6)


def test_reproducible_with_any_threads_chunks_and_progress(capsys):
    def draws(**kwargs):
        params = {"n_chains": 5, "proposal": "adaptive", "random_state": 3}
        params.update(kwargs)
        return (
            MetropolisHastingsSampler(GaussianMLE(), **params)
            .fit(np.random.default_rng(0).normal(size=(100, 2)))
            .sample(100000)
        )

    reference = draws()
    np.testing.assert_array_equal(draws(n_jobs=2), reference)
    np.testing.assert_array_equal(draws(progress=True), reference)
    assert "Metropolis-Hastings" in capsys.readouterr().err
    assert not np.array_equal(draws(random_state=4), reference)
    rng = np.random.RandomState(0)
    sampler = MetropolisHastingsSampler(stats.norm(), random_state=rng).fit()
    with pytest.warns(ConvergenceWarning, match="too few"):  # 3 draws a chain
        assert not np.array_equal(sampler.sample(10), sampler.sample(10))  # advanced


def test_thinning_and_pooling():
    sampler = MetropolisHastingsSampler(
        stats.norm(), n_chains=3, thin=5, n_warmup=200, random_state=0
    ).fit()
    draws = sampler.sample(1000)
    assert draws.shape == (1000, 1)
    assert sampler.chains_.shape == (3, 334, 1)
    assert sampler.log_prob_.shape == (3, 334)
    np.testing.assert_allclose(
        sampler.log_prob_, stats.norm.logpdf(sampler.chains_[..., 0])
    )
    # pooled round-robin over the chains
    np.testing.assert_array_equal(draws[:3, 0], sampler.chains_[:, 0, 0])
    unthinned = MetropolisHastingsSampler(
        stats.norm(), n_chains=3, n_warmup=200, random_state=0
    ).fit()
    unthinned.sample(5 * 1002)
    # thinning by 5 turns the lag-5 autocorrelation into the lag-1 one
    lag5 = autocorrelation(unthinned.chains_, 5)[5, 0]
    lag1_thinned = sampler.autocorrelation(1)[1, 0]
    assert abs(lag1_thinned - lag5) < 0.1
    assert lag1_thinned < autocorrelation(unthinned.chains_, 1)[1, 0]


def test_diagnostics_properties_match_the_functions():
    sampler = MetropolisHastingsSampler(
        stats.multivariate_normal([0, 0], [[1, 0.8], [0.8, 1]]), random_state=0
    ).fit()
    sampler.sample(40000)
    np.testing.assert_array_equal(sampler.ess_, effective_sample_size(sampler.chains_))
    np.testing.assert_array_equal(sampler.rhat_, rhat(sampler.chains_))
    assert sampler.autocorrelation(max_lag=10).shape == (11, 2)
    fresh = MetropolisHastingsSampler(stats.norm()).fit()
    assert not hasattr(fresh, "ess_")  # nothing sampled yet


def test_initial_points():
    data = np.random.default_rng(0).normal(5, 1, size=(50, 1))
    sampler = MetropolisHastingsSampler(
        lambda X: -0.5 * (X[:, 0] - 5) ** 2, n_warmup=0, step_size=1e-9, random_state=0
    ).fit(data)
    with pytest.warns(ConvergenceWarning, match="only 1 draw"):
        sampler.sample(4)
    # with a vanishing step the chains stay at their starts: rows of X
    distance = np.abs(sampler.chains_[:, 0, 0][:, None] - data[:, 0][None, :])
    assert np.all(distance.min(axis=1) < 1e-6)
    starts = np.array([[1.0], [2.0], [3.0], [4.0]])
    sampler = MetropolisHastingsSampler(
        stats.norm(), n_warmup=0, step_size=1e-9, initial=starts
    ).fit()
    with pytest.warns(ConvergenceWarning, match="only 1 draw"):
        sampler.sample(4)
    np.testing.assert_allclose(sampler.chains_[:, 0], starts, atol=1e-6)


def test_clear_errors():
    with pytest.raises(ValueError, match="initial="):
        MetropolisHastingsSampler(lambda X: -0.5 * X[:, 0] ** 2).fit()
    with pytest.raises(ValueError, match="initial has 2 rows but n_chains=4"):
        MetropolisHastingsSampler(stats.norm(), initial=np.zeros((2, 1))).fit()

    @njit
    def bad(x):
        return np.nan if x[0] > 1.0 else -0.5 * x[0] ** 2

    sampler = MetropolisHastingsSampler(bad, initial=np.zeros(1), random_state=0)
    for n_samples in (1000, 100000):  # the NumPy and the compiled engine
        with pytest.raises(
            ValueError, match=r"log-density is (nan|NaN or \+inf) at x = \["
        ) as error:
            sampler.fit().sample(n_samples)
        assert float(str(error.value).split("[")[1].split("]")[0]) > 1.0
    sampler = MetropolisHastingsSampler(
        lambda X: np.where(X[:, 0] > 1, np.nan, 0.0), initial=np.zeros(1)
    )
    with pytest.raises(ValueError, match=r"log-density is nan at x = \[") as error:
        sampler.fit().sample(1000)
    assert float(str(error.value).split("[")[1].split("]")[0]) > 1.0
    sampler = MetropolisHastingsSampler(stats.uniform(), initial=np.full(1, 2.0))
    with pytest.raises(ValueError, match="density is zero"):
        sampler.fit().sample(10)
    with pytest.raises(ValueError, match="shape"):
        MetropolisHastingsSampler(stats.norm(), proposal=np.eye(2)).fit()
    with pytest.raises(ValueError, match="positive definite"):
        MetropolisHastingsSampler(stats.norm(), proposal=[[-1.0]]).fit()
    with pytest.raises(ValueError, match="proposal must be"):
        MetropolisHastingsSampler(stats.norm(), proposal="langevin").fit()
    with pytest.raises(ValueError, match="step_size"):
        MetropolisHastingsSampler(stats.norm(), step_size=-1).fit()
    with pytest.raises(ValueError, match="must draw samples"):
        MetropolisHastingsSampler(stats.norm(), proposal=lambda X: X[:, 0]).fit()
