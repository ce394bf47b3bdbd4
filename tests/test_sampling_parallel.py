"""sample_chains: Metropolis-Hastings chains as joblib tasks, one seed each."""

import numpy as np
import pytest
from joblib import parallel_backend
from numba import njit
from sklearn.exceptions import ConvergenceWarning, NotFittedError

from skgenfund import (
    EMGaussianMixture,
    GaussianMLE,
    MetropolisHastingsSampler,
    effective_sample_size,
    sample_chains,
)
from skgenfund.sampling._parallel import CHAIN_ATTRIBUTES


@njit
def banana_log_density(x):
    """A curved 2-D target (Haario et al.'s banana with b = 0.1)."""
    y = x[1] + 0.1 * x[0] ** 2 - 10.0
    return -0.5 * (x[0] ** 2 / 100.0 + y**2)


def mixture_target():
    X = np.r_[
        np.random.RandomState(0).normal(-2.0, 0.5, (300, 1)),
        np.random.RandomState(1).normal(3.0, 1.0, (700, 1)),
    ]
    return EMGaussianMixture(2, random_state=0).fit(X), X


def short_run(sampler, n_samples, **kwargs):
    """sample_chains on a run too short to mix, which it says (once)."""
    with pytest.warns(ConvergenceWarning) as record:
        draws = sample_chains(sampler, n_samples, **kwargs)
    assert len(record) == 1  # judged over all the chains, not chain by chain
    return draws


def run_attributes(sampler):
    return [getattr(sampler, name).copy() for name in CHAIN_ATTRIBUTES]


def test_draws_do_not_depend_on_the_backend_or_the_number_of_workers():
    target = MetropolisHastingsSampler(
        banana_log_density,
        n_chains=6,
        n_warmup=300,
        initial=np.zeros(2),
        random_state=3,
    ).fit()
    runs = []
    for backend, n_jobs in [("sequential", 1), ("threading", 2), ("threading", 4)]:
        with parallel_backend(backend, n_jobs=n_jobs):
            draws = short_run(target, 3000)
        runs.append([draws, *run_attributes(target)])
    for other in runs[1:]:
        for a, b in zip(runs[0], other):
            np.testing.assert_array_equal(a, b)
    # a process pool (the sampler and its njit target pickled to it) agrees
    draws = short_run(target, 3000, n_jobs=2)
    np.testing.assert_array_equal(draws, runs[0][0])
    # a different seed gives different chains
    assert not np.array_equal(short_run(target, 3000, random_state=4), draws)


def test_chains_are_seeded_one_by_one():
    target, X = mixture_target()
    eight = MetropolisHastingsSampler(target, n_chains=8, random_state=0).fit(X)
    three = MetropolisHastingsSampler(target, n_chains=3, random_state=0).fit(X)
    short_run(eight, 800)
    short_run(three, 300)
    # the first chains of a run with more chains are the same chains
    for name in CHAIN_ATTRIBUTES:
        np.testing.assert_array_equal(
            getattr(eight, name)[:3], getattr(three, name), err_msg=name
        )
    # and the chains differ from each other
    assert not np.array_equal(eight.chains_[0], eight.chains_[1])


def test_pooled_draws_sample_the_target():
    # the fitted mixture 0.3 N(-2, 0.5^2) + 0.7 N(3, 1), compiled on workers
    target, X = mixture_target()
    sampler = MetropolisHastingsSampler(target, n_chains=8, random_state=1).fit(X)
    draws = sample_chains(sampler, 40_000, n_jobs=2)
    mean = float(target.weights_ @ target.means_[:, 0])
    second = float(
        target.weights_ @ (target.covariances_[:, 0, 0] + target.means_[:, 0] ** 2)
    )
    assert draws.shape == (40_000, 1)
    assert sampler.chains_.shape == (8, 5000, 1)
    # within 4 Monte Carlo standard errors (MCSE of the mean from its ESS)
    mcse = draws.std() / np.sqrt(
        effective_sample_size(sampler.chains_[..., 0], method="mean")
    )
    assert draws.mean() == pytest.approx(mean, abs=4 * mcse)
    centred2 = (sampler.chains_[..., 0] - draws.mean()) ** 2
    mcse_sd = centred2.std() / np.sqrt(
        effective_sample_size(centred2, method="mean")
    ) / (2 * draws.std())  # delta method  # fmt: skip
    assert draws.std() == pytest.approx(np.sqrt(second - mean**2), abs=4 * mcse_sd)
    assert np.all(sampler.rhat_ < 1.01) and np.all(sampler.ess_ > 1000)
    # the pooled draws are the chains taken round-robin, as sample() returns
    np.testing.assert_array_equal(draws[:8, 0], sampler.chains_[:, 0, 0])
    assert np.all((sampler.acceptance_rate_ > 0.2) & (sampler.acceptance_rate_ < 0.8))


def test_initial_points_go_to_their_chains():
    start = np.array([[-50.0], [0.0], [50.0]])
    sampler = MetropolisHastingsSampler(
        GaussianMLE(),
        n_chains=3,
        n_warmup=0,
        step_size=0.01,
        initial=start,
        random_state=0,
    ).fit(np.random.RandomState(0).normal(size=(100, 1)))
    short_run(sampler, 30)
    np.testing.assert_allclose(sampler.chains_[:, 0, 0], start[:, 0], atol=0.1)


def test_bad_arguments():
    with pytest.raises(TypeError, match="MetropolisHastingsSampler"):
        sample_chains(GaussianMLE(), 10)
    with pytest.raises(NotFittedError):
        sample_chains(MetropolisHastingsSampler(), 10)
    fitted = MetropolisHastingsSampler(n_chains=2).fit(np.arange(5.0)[:, None])
    with pytest.raises(ValueError, match="n_samples"):
        sample_chains(fitted, 0)
