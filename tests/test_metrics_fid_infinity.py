"""frechet_distance_infinity: extrapolation, coverage of its standard error, input."""

import numpy as np
import pytest
from scipy import stats

from skgenfund import frechet_distance, frechet_distance_infinity
from skgenfund.metrics._fid_infinity import _extrapolate
from skgenfund.metrics._frechet import mean_and_covariance


def test_an_exact_line_is_extrapolated_exactly():
    sizes = np.array([100, 150, 200, 300, 400])
    values = 2.5 + 40.0 / sizes
    value, standard_error = _extrapolate(sizes, values, 400)
    assert value == pytest.approx(2.5, rel=1e-12)
    assert standard_error == pytest.approx(0.0, abs=1e-12)


def test_interval_covers_the_true_value():
    # X is the fixed reference; the estimand is the Frechet distance between
    # its Gaussian fit and the generator's population Gaussian, known here.
    # Over fresh draws of Y the t-interval must cover it 95% of the time:
    # 300 draws give a binomial standard error of 1.3%, tolerance 3 of them.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(400, 2))
    mean = np.array([0.5, 0.0])
    covariance = np.array([[1.5, 0.3], [0.3, 0.8]])
    truth = frechet_distance(mean_and_covariance(X), (mean, covariance))
    t = stats.t.ppf(0.975, 15 - 2)
    hits = 0
    n_draws = 300
    for seed in range(n_draws):
        Y = np.random.RandomState(seed + 1).multivariate_normal(mean, covariance, 400)
        value, standard_error = frechet_distance_infinity(X, Y, random_state=seed)
        hits += abs(value - truth) <= t * standard_error
    tolerance = 3 * np.sqrt(0.95 * 0.05 / n_draws)
    assert abs(hits / n_draws - 0.95) < tolerance


def test_removes_the_sample_size_bias():
    # same distribution: FID at N = len(Y) is biased up by about c / N,
    # the extrapolated value is not (the reference X is large)
    rng = np.random.RandomState(1)
    X = rng.normal(size=(20000, 8))
    biased, extrapolated = [], []
    for seed in range(20):
        Y = np.random.RandomState(100 + seed).normal(size=(500, 8))
        biased.append(frechet_distance(X, Y))
        extrapolated.append(frechet_distance_infinity(X, Y, random_state=seed)[0])
    truth = frechet_distance(mean_and_covariance(X), (np.zeros(8), np.eye(8)))
    assert np.mean(biased) - truth > 0.02  # about 8 * 1.5 / 500 + ...
    assert abs(np.mean(extrapolated) - truth) < 3 * np.std(extrapolated) / np.sqrt(20)


def test_reproducible_and_feature_space():
    rng = np.random.RandomState(2)
    X, Y = rng.normal(size=(300, 3)), rng.normal(0.3, 1.0, size=(300, 3))
    first = frechet_distance_infinity(X, Y, random_state=0)
    assert frechet_distance_infinity(X, Y, random_state=0) == first
    projection = np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]])
    assert frechet_distance_infinity(
        X, Y, random_state=0, feature_extractor=lambda Z: Z @ projection
    ) == frechet_distance_infinity(X[:, :2], Y[:, :2], random_state=0)


def test_bad_input():
    rng = np.random.RandomState(3)
    X, Y = rng.normal(size=(50, 2)), rng.normal(size=(40, 2))
    with pytest.raises(ValueError, match="too few rows for n_points=15"):
        frechet_distance_infinity(X, Y)  # sizes 8 ... 40: not 15 distinct
    with pytest.raises(ValueError, match="min_samples=40 must be at least 2 and below"):
        frechet_distance_infinity(X, Y, min_samples=40)
    with pytest.raises(ValueError, match="min_samples=1 must be at least 2"):
        frechet_distance_infinity(X, Y, min_samples=1)
    with pytest.raises(ValueError, match="n_points must be an integer >= 3"):
        frechet_distance_infinity(X, Y, n_points=2)
    with pytest.raises(ValueError, match="different widths"):
        frechet_distance_infinity(X, Y[:, :1])
    Y[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        frechet_distance_infinity(X, Y)
    value, _ = frechet_distance_infinity(X, rng.normal(size=(40, 2)), n_points=5)
    assert np.isfinite(value)
