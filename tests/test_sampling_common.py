"""scikit-learn citizenship of the samplers: estimator checks, clone, pickle."""

import contextlib
import math
import pickle

import numpy as np
import pytest
from numba import njit
from scipy import stats
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.estimator_checks import parametrize_with_checks

from skgenfund import (
    GaussianMLE,
    ImportanceSampler,
    MetropolisHastingsSampler,
    RejectionSampler,
)
from skgenfund.sampling._target import as_distribution

SAMPLERS = [RejectionSampler(), ImportanceSampler(), MetropolisHastingsSampler()]


@parametrize_with_checks(SAMPLERS)
def test_sklearn_compatible(estimator, check):
    check(estimator)


@njit
def standard_normal_log_density(x):
    return -0.5 * (x[0] * x[0] + x[1] * x[1]) - math.log(2 * math.pi)


def normal_rows(X):
    return -0.5 * np.sum(X**2, axis=1)


@pytest.mark.parametrize(
    "make",
    [
        lambda: RejectionSampler(
            standard_normal_log_density,
            proposal=stats.multivariate_normal(np.zeros(2), 4 * np.eye(2)),
            random_state=0,
        ),
        lambda: ImportanceSampler(
            normal_rows,
            proposal=stats.multivariate_normal(np.zeros(2), 4 * np.eye(2)),
            n_samples=500,
            random_state=0,
        ),
        lambda: MetropolisHastingsSampler(
            standard_normal_log_density, initial=np.zeros(2), random_state=0
        ),
        lambda: MetropolisHastingsSampler(GaussianMLE(), random_state=0),
    ],
)
def test_clone_and_pickle_keep_the_draws(make):
    X = np.random.default_rng(0).normal(size=(50, 2))
    sampler = make().fit(X)
    # 50 draws a chain cannot reach an ESS of 100 a chain: MCMC says so
    short = isinstance(sampler, MetropolisHastingsSampler)
    with pytest.warns(ConvergenceWarning) if short else contextlib.nullcontext():
        expected = sampler.sample(200)
        np.testing.assert_array_equal(clone(sampler).fit(X).sample(200), expected)
        restored = pickle.loads(pickle.dumps(sampler))
        np.testing.assert_array_equal(restored.sample(200), expected)


def test_unfitted_target_is_cloned_not_modified():
    target = GaussianMLE()
    X = np.random.default_rng(0).normal(size=(50, 2))
    sampler = MetropolisHastingsSampler(target).fit(X)
    assert not hasattr(target, "mean_")
    np.testing.assert_allclose(sampler.target_.mean_, X.mean(axis=0))


def test_target_kinds():
    X = np.random.default_rng(0).normal(size=(30, 2))
    fitted = GaussianMLE().fit(X)
    reference = fitted.score_samples(X)
    kinds = {
        "mixture": fitted,
        "scipy": stats.multivariate_normal(fitted.mean_, fitted.covariance_),
        "callable": fitted.score_samples,
    }
    for kind, target in kinds.items():
        distribution = as_distribution(target)
        assert distribution.kind == kind
        np.testing.assert_allclose(distribution.log_prob(X), reference, rtol=1e-10)
    from sklearn.neighbors import KernelDensity

    kde = as_distribution(KernelDensity(), X)
    assert kde.kind == "estimator" and kde.n_features == 2 and kde.can_sample
    univariate = as_distribution(stats.norm(1, 2))
    assert univariate.n_features == 1
    np.testing.assert_allclose(
        univariate.log_prob(X[:, :1]), stats.norm(1, 2).logpdf(X[:, 0])
    )
    with pytest.raises(ValueError, match="one log-density per row"):
        as_distribution(lambda Z: np.zeros(3)).log_prob(X)
