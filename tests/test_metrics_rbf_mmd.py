"""kernel_distance(kernel="rbf"): the unbiased Gaussian-kernel MMD^2, its bandwidth."""

import numpy as np
import pytest
from scipy.spatial.distance import pdist
from sklearn.decomposition import PCA

from skgenfund import kernel_distance


def _naive_rbf_mmd2(X, Y, gamma):
    m = len(X)

    def k(a, b):
        return np.exp(-gamma * np.sum((a - b) ** 2))

    xx = sum(k(X[i], X[j]) for i in range(m) for j in range(m) if i != j)
    yy = sum(k(Y[i], Y[j]) for i in range(m) for j in range(m) if i != j)
    xy = sum(k(X[i], Y[j]) for i in range(m) for j in range(m))
    return (xx + yy) / (m * (m - 1)) - 2 * xy / m**2


def test_one_full_subset_equals_the_definition():
    rng = np.random.RandomState(0)
    X, Y = rng.normal(size=(15, 3)), rng.normal(0.5, 1.0, size=(15, 3))
    mean, std = kernel_distance(
        X, Y, kernel="rbf", gamma=0.3, n_subsets=1, subset_size=15
    )
    assert mean == pytest.approx(_naive_rbf_mmd2(X, Y, 0.3), rel=1e-10)
    assert std == 0.0


def test_median_heuristic_on_pooled_rows():
    rng = np.random.RandomState(1)
    X, Y = rng.normal(size=(40, 2)), rng.normal(1.0, 2.0, size=(30, 2))
    gamma = 1.0 / (2.0 * np.median(pdist(np.vstack([X, Y]), "sqeuclidean")))
    args = dict(kernel="rbf", n_subsets=3, subset_size=20, random_state=0)
    assert kernel_distance(X, Y, **args) == pytest.approx(
        kernel_distance(X, Y, gamma=gamma, **args), rel=1e-12
    )


def test_population_value_in_one_dimension():
    # X ~ N(0, 1), Y ~ N(delta, 1), k = exp(-g (x - y)^2), c = 1 + 4 g:
    # MMD^2 = 2 / sqrt(c) * (1 - exp(-g delta^2 / c)); the unbiased estimate
    # from 3000 rows each has a standard deviation near 0.003 here
    rng = np.random.RandomState(2)
    delta, gamma = 1.0, 0.5
    X, Y = rng.normal(size=(3000, 1)), rng.normal(delta, 1.0, size=(3000, 1))
    c = 1.0 + 4.0 * gamma
    truth = 2.0 / np.sqrt(c) * (1.0 - np.exp(-gamma * delta**2 / c))
    mean, _ = kernel_distance(
        X, Y, kernel="rbf", gamma=gamma, n_subsets=1, subset_size=3000
    )
    assert mean == pytest.approx(truth, abs=0.012)
    null, null_std = kernel_distance(
        X,
        rng.normal(size=(3000, 1)),
        kernel="rbf",
        gamma=gamma,
        n_subsets=10,
        random_state=0,
    )
    assert abs(null) < 3 * null_std


def test_feature_space_and_bad_input():
    rng = np.random.RandomState(3)
    X, Y = rng.normal(size=(60, 4)), rng.normal(size=(50, 4))
    pca = PCA(2).fit(X)
    args = dict(kernel="rbf", n_subsets=2, subset_size=30, random_state=0)
    assert kernel_distance(X, Y, feature_extractor=pca, **args) == kernel_distance(
        pca.transform(X), pca.transform(Y), **args
    )
    with pytest.raises(ValueError, match="kernel must be one of"):
        kernel_distance(X, Y, kernel="laplacian")
    with pytest.raises(ValueError, match="median distance .* is 0"):
        kernel_distance(np.zeros((10, 2)), np.zeros((10, 2)), kernel="rbf")
    with pytest.raises(ValueError, match="gamma must be positive"):
        kernel_distance(X, Y, kernel="rbf", gamma=-1.0)
    with pytest.raises(ValueError, match="different widths"):
        kernel_distance(X, Y[:, :3], kernel="rbf")
