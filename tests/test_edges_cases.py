"""The edges listed in issue 10, one test each (values, not only "no crash")."""

import warnings

import numpy as np
import pytest
from numba import njit
from scipy import stats
from sklearn.base import BaseEstimator

from skgenfund import (
    EMGaussianMixture,
    FIDScorer,
    GaussianMLE,
    ImportanceSampler,
    MetropolisHastingsSampler,
    RejectionSampler,
    autocorrelation,
    classifier_two_sample_test,
    frechet_distance,
    interpolate,
    kernel_distance,
)
from skgenfund._core.validation import check_n_draws, check_real
from skgenfund.sampling._psis import pareto_khat

RNG = np.random.RandomState(0)
X = RNG.normal(size=(80, 3))


@njit
def _vector_log_density(x):
    return -0.5 * x * x  # an array, not a float


@njit
def _bad_attribute(x):
    return x.nonexistent


@pytest.mark.parametrize("func", [_vector_log_density, _bad_attribute])
def test_njit_target_returning_an_array_is_a_clear_type_error(func):
    q = stats.norm(0, 2)
    makers = [
        lambda: RejectionSampler(func, proposal=q).fit().sample(3),
        lambda: ImportanceSampler(func, proposal=q, n_samples=50).fit(),
        lambda: MetropolisHastingsSampler(func, initial=np.zeros(1)).fit().sample(8),
    ]
    for make in makers:
        with pytest.raises(TypeError, match="must take one point.*return one float"):
            make()


def test_envelope_warning_formats_factors_beyond_float_range():
    sampler = RejectionSampler(
        stats.norm(), proposal=stats.norm(0, 1.5), log_envelope=-1000.0
    ).fit()
    with pytest.warns(UserWarning, match=r"by a factor of 10\^4\d\d\.\d"):
        sampler.sample(5, random_state=0)


def test_psis_tied_bounded_weights_are_not_heavy_tailed():
    # weights 0 or c (a uniform target inside a uniform proposal): bounded
    flat = lambda x: np.where(x[:, 0] < 0.5, 0.0, -np.inf)  # noqa: E731
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sampler = ImportanceSampler(
            flat, proposal=stats.uniform(), n_samples=1000, random_state=0
        ).fit()
    assert sampler.pareto_k_ == -np.inf
    assert pareto_khat(np.zeros(100)) == -np.inf
    # too few draws is still inf, with its warning
    with pytest.warns(UserWarning, match="too few"):
        ImportanceSampler(flat, proposal=stats.uniform(), n_samples=10).fit()


@pytest.mark.parametrize("constant", [1e300, 1e20])
def test_huge_constant_in_the_log_target_is_a_clear_error(constant):
    target = lambda x: stats.norm.logpdf(x[:, 0]) + constant  # noqa: E731
    with pytest.raises(ValueError, match="huge constant"):
        ImportanceSampler(target, proposal=stats.norm(0, 2), n_samples=100).fit()
    with pytest.raises(ValueError, match="huge constant"):
        RejectionSampler(target, proposal=stats.norm(0, 2)).fit()
    # a large but resolvable constant keeps the right answer
    shifted = lambda x: stats.norm.logpdf(x[:, 0]) + 1e9  # noqa: E731
    sampler = ImportanceSampler(
        shifted, proposal=stats.norm(0, 2), n_samples=4000, random_state=0
    ).fit()
    estimate, se = sampler.expectation(lambda x: x[:, 0] ** 2)
    assert abs(estimate - 1.0) < 4 * se
    assert sampler.log_normalizer_ == pytest.approx(1e9, abs=0.05)


def test_nan_proposal_is_blamed_on_the_proposal():
    class NanProposal(BaseEstimator):
        def score_samples(self, X):
            return np.zeros(len(X))

        def sample(self, n_samples, random_state=None):
            return np.full((n_samples, 1), np.nan)

        def fit(self, X):
            return self

        def __sklearn_is_fitted__(self):
            return True

    with pytest.raises(ValueError, match="The proposal drew a non-finite value"):
        ImportanceSampler(stats.norm(), proposal=NanProposal(), n_samples=10).fit()


def test_huge_requests_are_refused_up_front_saying_what_they_need():
    fitted = [
        GaussianMLE().fit(X),
        EMGaussianMixture(2, random_state=0).fit(X),
        RejectionSampler(random_state=0).fit(X),
        ImportanceSampler(n_samples=100, random_state=0).fit(X),
    ]
    for model in fitted:
        with pytest.raises(ValueError, match=r"would need .* TiB of memory"):
            model.sample(10**12)
    with pytest.raises(ValueError, match=r"n_samples=1000000000000 rows .* TiB"):
        ImportanceSampler(n_samples=10**12).fit(X)
    with pytest.raises(ValueError, match="n_steps"):
        from sklearn.decomposition import PCA

        interpolate(PCA(2).fit(X), X[0], X[1], n_steps=10**12)
    assert check_n_draws(5, 3) == 5


def test_frechet_distance_is_scale_equivariant_over_the_float_range():
    Y = X + [1.0, 0.0, -2.0]
    reference = frechet_distance(X, Y)
    for scale in (1e-150, 1e-7, 1e7, 1e150):
        assert frechet_distance(X * scale, Y * scale) / scale**2 == pytest.approx(
            reference, rel=1e-12
        )
        scorer = FIDScorer().fit(X * scale)
        assert scorer.distance(Y * scale) / scale**2 == pytest.approx(
            reference, rel=1e-12
        )
    with pytest.raises(ValueError, match="beyond the float64 range"):
        frechet_distance(X * 1e300, Y * 1e300)
    # a distance below the float range rounds to 0, never NaN
    assert frechet_distance(X * 1e-300, Y * 1e-300) == 0.0


def test_fid_scorer_keeps_float64_statistics_of_float32_features():
    scorer = FIDScorer().fit(X.astype(np.float32))
    assert scorer.mean_.dtype == np.float64 and scorer.covariance_.dtype == np.float64
    np.testing.assert_allclose(
        scorer.covariance_, np.cov(X.astype(np.float32).astype(np.float64).T)
    )


def test_kernel_distance_overflow_is_a_clear_error():
    with pytest.raises(ValueError, match="overflows float64.*Rescale"):
        kernel_distance(X * 1e120, X * 1e120 + 1, subset_size=10, n_subsets=2)


@pytest.mark.parametrize("kernel", ["polynomial", "rbf"])
def test_kernel_distance_refuses_endless_work_up_front(kernel):
    # 10**9 subsets would run for hours: refused before the first one, with
    # the estimate; a large but feasible request is not refused
    with pytest.raises(ValueError, match=r"n_subsets=1,000,000,000 .* hours"):
        kernel_distance(X, X + 1, n_subsets=10**9, kernel=kernel, random_state=0)
    mean, _ = kernel_distance(X, X + 1, n_subsets=3, kernel=kernel, random_state=0)
    assert np.isfinite(mean) and mean > 0


def test_two_sample_test_refuses_endless_permutations_up_front():
    Y = RNG.normal(0.5, 1.0, size=(80, 3))
    with pytest.raises(ValueError, match=r"n_permutations=1,000,000,000 .* hours"):
        classifier_two_sample_test(X, Y, n_permutations=10**9, random_state=0)
    accuracy, p_value = classifier_two_sample_test(
        X, Y, n_permutations=9, random_state=0
    )
    assert 0.0 <= accuracy <= 1.0 and 0.1 <= p_value <= 1.0


def test_autocorrelation_beyond_the_chain_warns_and_says_what_it_returns():
    chain = np.sin(np.arange(40.0))
    with pytest.warns(UserWarning, match="max_lag=100 is beyond the last lag"):
        rho = autocorrelation(chain)
    assert rho.shape == (40,)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_array_equal(autocorrelation(chain, 39), rho)


def test_string_parameters_get_messages_naming_the_parameter():
    with pytest.raises(ValueError, match="reg_covar must be a real number >= 0"):
        GaussianMLE(reg_covar="small").fit(X)
    with pytest.raises(ValueError, match="means_init must be a numeric array"):
        EMGaussianMixture(2, means_init="a").fit(X)
    with pytest.raises(TypeError, match="func must be a callable"):
        ImportanceSampler(n_samples=50).fit(X).expectation("mean")
    with pytest.raises(ValueError, match="got nan"):
        check_real("gamma", float("nan"))


def test_far_rows_of_a_mixture_get_finite_responsibilities():
    Z = np.vstack([X[:40], X[40:] + 6.0])
    gmm = EMGaussianMixture(2, random_state=0).fit(Z)
    far = np.array([[1e200, 1e200, 1e200], [-1e300, 0, 0]])
    proba = gmm.predict_proba(far)
    assert np.all(np.isfinite(proba)) and set(np.unique(proba)) <= {0.0, 1.0}
    np.testing.assert_array_equal(gmm.predict(far), proba.argmax(axis=1))
    # the same winner as where the densities are still finite (1e100 away)
    near = gmm.predict_proba(far / np.array([[1e100], [1e200]]))
    np.testing.assert_array_equal(proba, near.round())


def test_metropolis_refuses_a_non_boolean_progress_and_huge_runs():
    with pytest.raises(ValueError, match="progress must be True or False"):
        MetropolisHastingsSampler(GaussianMLE(), progress="yes").fit(X)
    sampler = MetropolisHastingsSampler(GaussianMLE(), n_warmup=10).fit(X)
    with pytest.raises(ValueError, match="GiB of memory"):
        sampler.sample(10**13)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_infinities_get_the_clear_error_and_no_numpy_warning(dtype):
    # scikit-learn's finiteness check sums the array: inf + -inf would make
    # numpy warn "invalid value" before the error
    bad = np.array([[np.inf, 1.0], [-np.inf, 2.0]], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match="infinity"):
            GaussianMLE().fit(bad)
        with pytest.raises(ValueError, match="infinity"):
            frechet_distance(bad, bad)
        with pytest.raises(ValueError, match="sample_weight|infinit"):
            GaussianMLE().fit(X[:2, :2], sample_weight=np.array([np.inf, -np.inf]))
