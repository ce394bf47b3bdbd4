"""frechet_distance against closed forms, exact identities and bad input."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import linalg

from skgenfund import frechet_distance


def _random_spd(rng, d, jitter=0.1):
    A = rng.normal(size=(d, d))
    return A @ A.T / d + jitter * np.eye(d)


def _symmetric_route(mean_1, cov_1, mean_2, cov_2):
    """Independent reference: eigh root of S1, eigenvalues of S1^1/2 S2 S1^1/2."""
    w, V = linalg.eigh(cov_1)
    root_1 = (V * np.sqrt(np.clip(w, 0, None))) @ V.T
    inner = linalg.eigvalsh(root_1 @ cov_2 @ root_1)
    trace_term = np.sum(np.sqrt(np.clip(inner, 0, None)))
    diff = mean_1 - mean_2
    return diff @ diff + np.trace(cov_1) + np.trace(cov_2) - 2 * trace_term


def test_commuting_covariances_closed_form():
    # diagonal covariances commute: FID = ||dm||^2 + sum (sqrt(a) - sqrt(b))^2
    rng = np.random.RandomState(0)
    a, b = rng.uniform(0.5, 3.0, 6), rng.uniform(0.5, 3.0, 6)
    m1, m2 = rng.normal(size=6), rng.normal(size=6)
    expected = np.sum((m1 - m2) ** 2) + np.sum((np.sqrt(a) - np.sqrt(b)) ** 2)
    got = frechet_distance((m1, np.diag(a)), (m2, np.diag(b)))
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_one_dimensional_closed_form():
    # N(m1, s1^2), N(m2, s2^2): (m1 - m2)^2 + (s1 - s2)^2
    got = frechet_distance((np.array([1.0]), [[4.0]]), (np.array([-2.0]), [[0.25]]))
    np.testing.assert_allclose(got, 9.0 + (2.0 - 0.5) ** 2, rtol=1e-14)


def test_non_commuting_two_dimensional_closed_form():
    # for 2x2 PSD P: Tr sqrt(P) = sqrt(Tr P + 2 sqrt(det P)), P = S1^1/2 S2 S1^1/2
    S1 = np.array([[2.0, 0.8], [0.8, 1.0]])
    S2 = np.array([[1.0, -0.6], [-0.6, 3.0]])
    assert not np.allclose(S1 @ S2, S2 @ S1)
    m1, m2 = np.array([0.5, -1.0]), np.array([2.0, 1.0])
    trace_sqrt = np.sqrt(
        np.trace(S1 @ S2) + 2 * np.sqrt(np.linalg.det(S1) * np.linalg.det(S2))
    )
    expected = np.sum((m1 - m2) ** 2) + np.trace(S1) + np.trace(S2) - 2 * trace_sqrt
    np.testing.assert_allclose(
        frechet_distance((m1, S1), (m2, S2)), expected, rtol=1e-13
    )


def test_identity_against_any_covariance_closed_form():
    # S1 = I: (S1 S2)^1/2 = S2^1/2, FID = sum_i (1 - sqrt(lambda_i(S2)))^2
    rng = np.random.RandomState(1)
    S2 = _random_spd(rng, 30)
    expected = np.sum((1.0 - np.sqrt(linalg.eigvalsh(S2))) ** 2)
    got = frechet_distance((np.zeros(30), np.eye(30)), (np.zeros(30), S2))
    np.testing.assert_allclose(got, expected, rtol=1e-11)


def test_scaled_covariance_closed_form():
    # S2 = c^2 S1: FID = (1 - c)^2 Tr S1
    rng = np.random.RandomState(2)
    S1 = _random_spd(rng, 40)
    got = frechet_distance((np.zeros(40), S1), (np.zeros(40), 9.0 * S1))
    np.testing.assert_allclose(got, 4.0 * np.trace(S1), rtol=1e-11)


def test_general_case_matches_independent_symmetric_route():
    rng = np.random.RandomState(3)
    d = 50
    S1, S2 = _random_spd(rng, d), _random_spd(rng, d)
    m1, m2 = rng.normal(size=d), rng.normal(size=d)
    got = frechet_distance((m1, S1), (m2, S2))
    np.testing.assert_allclose(got, _symmetric_route(m1, S1, m2, S2), rtol=1e-10)


def test_rank_one_covariances_closed_form_in_high_dimension():
    # S1 = u u^T, S2 = v v^T: Tr (S1 S2)^1/2 = |u . v|; sqrtm(S1 @ S2) is hopeless here
    rng = np.random.RandomState(4)
    d = 300
    u, v = rng.normal(size=d), rng.normal(size=d)
    expected = u @ u + v @ v - 2 * abs(u @ v)
    got = frechet_distance((np.zeros(d), np.outer(u, u)), (np.zeros(d), np.outer(v, v)))
    np.testing.assert_allclose(got, expected, rtol=1e-11)
    # the same from data: two rows m +- a have ddof=1 covariance 2 a a^T
    X = np.stack([u / np.sqrt(2), -u / np.sqrt(2)]) + 5.0
    Y = np.stack([v / np.sqrt(2), -v / np.sqrt(2)]) + 5.0
    np.testing.assert_allclose(frechet_distance(X, Y), expected, rtol=1e-11)


@pytest.mark.parametrize("n_samples", [5, 40, 400])
def test_identical_inputs_give_zero(n_samples):
    # n < d (singular covariance), n ~ d and n > d
    rng = np.random.RandomState(5)
    X = rng.normal(size=(n_samples, 40)) * rng.uniform(0.1, 10, 40) + 3.0
    scale = np.trace(np.cov(X, rowvar=False))
    stats = (X.mean(axis=0), np.cov(X, rowvar=False))
    assert frechet_distance(X, X) <= 1e-12 * scale
    assert frechet_distance(X, stats) <= 1e-12 * scale
    assert frechet_distance(stats, stats) <= 1e-12 * scale


def test_data_route_equals_statistics_route_with_unbiased_covariance():
    rng = np.random.RandomState(6)
    X = rng.normal(size=(200, 8))
    Y = rng.normal(1.0, 2.0, size=(150, 8))
    stats_x = (X.mean(axis=0), np.cov(X, rowvar=False))
    stats_y = (Y.mean(axis=0), np.cov(Y, rowvar=False))
    expected = frechet_distance(stats_x, stats_y)
    np.testing.assert_allclose(frechet_distance(X, Y), expected, rtol=1e-12)
    np.testing.assert_allclose(frechet_distance(X, stats_y), expected, rtol=1e-12)
    np.testing.assert_allclose(frechet_distance(Y, X), expected, rtol=1e-12)


def test_singular_covariances_finite_non_negative_and_correct():
    # n < d on both sides: rank-deficient covariances
    rng = np.random.RandomState(7)
    d = 120
    X = rng.normal(size=(30, d))
    Y = rng.normal(0.3, 1.5, size=(50, d))
    got = frechet_distance(X, Y)
    m1, S1 = X.mean(axis=0), np.cov(X, rowvar=False)
    m2, S2 = Y.mean(axis=0), np.cov(Y, rowvar=False)
    assert np.isfinite(got) and got >= 0
    # the reference loses about half the digits of tiny eigenvalues (sqrt)
    np.testing.assert_allclose(got, _symmetric_route(m1, S1, m2, S2), rtol=1e-6)
    np.testing.assert_allclose(frechet_distance((m1, S1), (m2, S2)), got, rtol=1e-9)


def test_float32_input_accumulates_in_float64():
    rng = np.random.RandomState(8)
    X = (rng.normal(size=(3000, 4)) + 1e4).astype(np.float32)
    Y = (rng.normal(0.5, 1.0, size=(3000, 4)) + 1e4).astype(np.float32)
    expected = frechet_distance(X.astype(np.float64), Y.astype(np.float64))
    np.testing.assert_allclose(frechet_distance(X, Y), expected, rtol=1e-12)


def test_matches_population_value_for_large_samples():
    # equal means (no mean noise); the standard deviations' noise gives the
    # estimate a standard error of about 0.02 here, so 0.08 is four of them
    rng = np.random.RandomState(9)
    a, b = np.array([1.0, 2.0, 0.5]), np.array([2.0, 0.5, 4.0])
    X = rng.normal(size=(50_000, 3)) * np.sqrt(a)
    Y = rng.normal(size=(50_000, 3)) * np.sqrt(b)
    expected = np.sum((np.sqrt(a) - np.sqrt(b)) ** 2)
    np.testing.assert_allclose(frechet_distance(X, Y), expected, atol=0.08)


def test_list_of_two_rows_is_data_not_statistics():
    # a tuple of two 1-D rows is a 2-sample data set; (1-D, 2-D) is statistics
    X = ([0.0, 0.0], [2.0, 0.0])
    assert frechet_distance(X, X) == pytest.approx(0.0, abs=1e-12)
    assert frechet_distance(X, ([1.0, 3.0], [3.0, 3.0])) == pytest.approx(10.0)


@pytest.mark.parametrize(
    "X, Y, message",
    [
        (np.zeros((5, 3)), np.zeros((5, 4)), "different widths"),
        (np.ones((1, 3)), np.zeros((5, 3)), "1 sample"),
        (np.array([[np.nan, 1.0], [0.0, 1.0]]), np.zeros((3, 2)), "NaN"),
        (np.array([[np.inf, 1.0], [0.0, 1.0]]), np.zeros((3, 2)), "infinity"),
        (np.zeros(5), np.zeros((5, 1)), "2D array"),
        ((np.zeros(2), np.eye(3)), np.zeros((5, 2)), "do not match"),
        ((np.zeros(2), [[1.0, 2.0], [2.0, 1.0]]), np.zeros((5, 2)), "semi-definite"),
        ((np.zeros(2), [[1.0, 0.5], [0.0, 1.0]]), np.zeros((5, 2)), "not symmetric"),
        ((np.zeros(2), [[np.nan, 0.0], [0.0, 1.0]]), np.zeros((5, 2)), "NaN"),
        ((np.zeros(2), [[0.0, 1.0], [1.0, 0.0]]), np.zeros((5, 2)), "semi-definite"),
    ],
)
def test_bad_input_raises_clear_value_error(X, Y, message):
    with pytest.raises(ValueError, match=message):
        frechet_distance(X, Y)


def test_nearly_psd_float32_statistics_are_accepted():
    # covariances stored in float32 are PSD only up to ~1e-7 relative
    rng = np.random.RandomState(10)
    Z = rng.normal(size=(20, 60))
    cov = np.cov(Z, rowvar=False).astype(np.float32)  # rank 19 of 60
    got = frechet_distance((np.zeros(60), cov), (np.zeros(60), cov))
    assert 0.0 <= got <= 1e-5 * np.trace(cov)


def test_wide_factors_take_the_single_thread_svd_path():
    # d >= 256: the singular values run under a one-thread BLAS limit
    rng = np.random.RandomState(11)
    d = 300
    S2 = _random_spd(rng, d)
    expected = np.sum((1.0 - np.sqrt(linalg.eigvalsh(S2))) ** 2)
    got = frechet_distance((np.zeros(d), np.eye(d)), (np.zeros(d), S2))
    np.testing.assert_allclose(got, expected, rtol=1e-10)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(
    n_x=st.integers(2, 25),
    n_y=st.integers(2, 25),
    d=st.integers(1, 12),
    seed=st.integers(0, 2**31 - 1),
    scale=st.floats(1e-3, 1e3),
)
def test_properties_on_random_data(n_x, n_y, d, seed, scale):
    rng = np.random.RandomState(seed)
    X = scale * rng.normal(size=(n_x, d)) @ rng.normal(size=(d, d))
    Y = scale * (rng.normal(size=(n_y, d)) + rng.normal(size=d))
    got = frechet_distance(X, Y)
    cov_x = np.cov(X, rowvar=False).reshape(d, d)
    cov_y = np.cov(Y, rowvar=False).reshape(d, d)
    diff = X.mean(axis=0) - Y.mean(axis=0)
    size = np.trace(cov_x) + np.trace(cov_y) + diff @ diff  # the terms' magnitude
    assert np.isfinite(got) and got >= 0.0
    assert frechet_distance(Y, X) == pytest.approx(got, rel=1e-9, abs=1e-12 * size)
    assert frechet_distance(X, X) <= 1e-12 * size
    reference = _symmetric_route(X.mean(axis=0), cov_x, Y.mean(axis=0), cov_y)
    # the reference loses half the digits of tiny eigenvalues (square roots)
    assert got == pytest.approx(reference, rel=1e-6, abs=1e-6 * size)
