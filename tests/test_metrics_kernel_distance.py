"""kernel_distance (KID) against exact identities, population values and bad input."""

import numpy as np
import pytest

from skgenfund import kernel_distance


def _naive_unbiased_mmd2(X, Y, degree, gamma, coef0):
    """Double loops over the definition of the unbiased estimator."""
    m = len(X)

    def k(a, b):
        return (gamma * a @ b + coef0) ** degree

    xx = sum(k(X[i], X[j]) for i in range(m) for j in range(m) if i != j)
    yy = sum(k(Y[i], Y[j]) for i in range(m) for j in range(m) if i != j)
    xy = sum(k(X[i], Y[j]) for i in range(m) for j in range(m))
    return (xx + yy) / (m * (m - 1)) - 2 * xy / m**2


@pytest.mark.parametrize(
    "degree, gamma, coef0", [(3, None, 1), (2, 0.5, 0.0), (1, 1.0, 2.0)]
)
def test_one_full_subset_equals_the_definition(degree, gamma, coef0):
    # one subset holding every row is a permutation of the data: the estimator itself
    rng = np.random.RandomState(0)
    X, Y = rng.normal(size=(15, 4)), rng.normal(0.5, 1.0, size=(15, 4))
    mean, std = kernel_distance(
        X, Y, degree=degree, gamma=gamma, coef0=coef0, n_subsets=1, subset_size=15
    )
    g = 1.0 / 4 if gamma is None else gamma
    assert mean == pytest.approx(
        _naive_unbiased_mmd2(X, Y, degree, g, coef0), rel=1e-12
    )
    assert std == 0.0


def test_linear_kernel_closed_form():
    # k(x, y) = x y: unbiased MMD^2 = ((sum x)^2 - sum x^2) / (m (m-1)) + same for y
    #                                 - 2 mean(x) mean(y)
    rng = np.random.RandomState(1)
    x, y = rng.normal(size=500), rng.normal(1.0, 2.0, size=500)
    m = 500
    expected = (
        (x.sum() ** 2 - (x**2).sum()) / (m * (m - 1))
        + (y.sum() ** 2 - (y**2).sum()) / (m * (m - 1))
        - 2 * x.mean() * y.mean()
    )
    mean, _ = kernel_distance(
        x[:, None],
        y[:, None],
        degree=1,
        gamma=1.0,
        coef0=0.0,
        n_subsets=1,
        subset_size=m,
    )
    assert mean == pytest.approx(expected, rel=1e-12)


def test_unbiased_for_the_population_value_at_tiny_subsets():
    # k(x, y) = (x y + 1)^2 in 1-D, x ~ N(a, s2), y ~ N(b, t2):
    # MMD^2 = (E x^2 - E y^2)^2 + 2 (a - b)^2, here (1 - 1.75)^2 + 2 * 0.25 = 1.0625
    rng = np.random.RandomState(2)
    m, repeats = 10, 4000
    estimates = np.empty(repeats)
    biased = np.empty(repeats)
    for r in range(repeats):
        x = rng.normal(0.0, 1.0, size=(m, 1))
        y = rng.normal(0.5, np.sqrt(1.5), size=(m, 1))
        estimates[r] = kernel_distance(
            x, y, degree=2, gamma=1.0, coef0=1.0, n_subsets=1, subset_size=m
        )[0]
        kxx, kyy, kxy = (x @ x.T + 1) ** 2, (y @ y.T + 1) ** 2, (x @ y.T + 1) ** 2
        biased[r] = kxx.mean() + kyy.mean() - 2 * kxy.mean()
    standard_error = estimates.std() / np.sqrt(repeats)
    assert abs(estimates.mean() - 1.0625) < 4 * standard_error
    # the test has power: the biased V-statistic misses by many standard errors
    assert abs(biased.mean() - 1.0625) > 10 * standard_error


def test_same_distribution_near_zero_shifted_clearly_positive():
    rng = np.random.RandomState(3)
    X = rng.normal(size=(2000, 8))
    Y = rng.normal(size=(2000, 8))
    same_mean, same_std = kernel_distance(
        X, Y, n_subsets=20, subset_size=500, random_state=0
    )
    shifted_mean, shifted_std = kernel_distance(
        X, Y + 0.5, n_subsets=20, subset_size=500, random_state=0
    )
    assert abs(same_mean) < 3 * same_std
    assert shifted_mean > 10 * shifted_std
    assert shifted_mean > 100 * abs(same_mean)


def test_reproducible_and_subset_size_capped():
    rng = np.random.RandomState(4)
    X, Y = rng.normal(size=(60, 3)), rng.normal(size=(40, 3))
    first = kernel_distance(X, Y, n_subsets=5, random_state=7)
    assert kernel_distance(X, Y, n_subsets=5, random_state=7) == first
    # subset_size=1000 is capped at the smaller set's 40 rows
    assert first == kernel_distance(X, Y, n_subsets=5, subset_size=40, random_state=7)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"Y": np.zeros((5, 3))}, "different widths"),
        ({"X": np.ones((1, 2))}, "1 sample"),
        ({"X": np.array([[np.nan, 0.0], [1.0, 1.0]])}, "NaN"),
        ({"degree": 0}, "degree"),
        ({"gamma": -1.0}, "gamma"),
        ({"coef0": np.inf}, "coef0"),
        ({"n_subsets": 0}, "n_subsets"),
        ({"subset_size": 1}, "subset_size"),
    ],
)
def test_bad_input_raises_clear_value_error(kwargs, message):
    rng = np.random.RandomState(5)
    arguments = {"X": rng.normal(size=(5, 2)), "Y": rng.normal(size=(5, 2))}
    arguments.update(kwargs)
    with pytest.raises(ValueError, match=message):
        kernel_distance(arguments.pop("X"), arguments.pop("Y"), **arguments)
