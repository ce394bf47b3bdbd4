"""EMGaussianMixture.partial_fit: stepwise online EM (Cappé and Moulines 2009)."""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from skgenfund import EMGaussianMixture

COVARIANCE_TYPES = ["full", "tied", "diag", "spherical"]


def three_blobs(n_samples, seed=0):
    """Shuffled rows of a three-component 2-D mixture with unequal weights."""
    rng = np.random.RandomState(seed)
    counts = rng.multinomial(n_samples, [0.5, 0.3, 0.2])
    parts = [
        rng.multivariate_normal([0, 0], [[1.0, 0.6], [0.6, 1.0]], counts[0]),
        rng.multivariate_normal([5, 1], [[0.5, 0.0], [0.0, 2.0]], counts[1]),
        rng.multivariate_normal([2, 6], [[1.5, -0.4], [-0.4, 0.6]], counts[2]),
    ]
    return rng.permutation(np.vstack(parts))


def start(X, covariance_type):
    """Initial parameters of a rough fit (two EM iterations from k-means)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        rough = EMGaussianMixture(
            3, covariance_type=covariance_type, max_iter=2, random_state=0
        ).fit(X)
    return dict(
        weights_init=rough.weights_,
        means_init=rough.means_,
        precisions_init=rough.precisions_,
    )


def parameters(model):
    return [model.weights_, model.means_, model.covariances_]


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_first_step_with_unit_step_size_is_one_batch_em_iteration(covariance_type):
    # learning_offset=0: gamma_1 = 1, the first mini-batch's statistics
    # replace the initial ones, which is one EM iteration on that mini-batch
    X = three_blobs(600)
    init = start(X, covariance_type)
    online = EMGaussianMixture(
        3, covariance_type=covariance_type, learning_offset=0.0, **init
    ).partial_fit(X[:300])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        batch = EMGaussianMixture(
            3, covariance_type=covariance_type, max_iter=1, **init
        ).fit(X[:300])
    for a, b in zip(parameters(online), parameters(batch)):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)
    assert online.lower_bound_ == pytest.approx(batch.lower_bound_, rel=1e-13)
    assert online.n_steps_ == online.n_iter_ == 1 and not online.converged_


def weighted_statistics(X, resp):
    """Per-row averages of the responsibilities, first moments and scatters."""
    n = len(X)
    nk = resp.sum(axis=0) / n
    sums = resp.T @ X / n
    means = sums / nk[:, None]
    scatter = np.stack(
        [(resp[:, k, None] * (X - means[k])).T @ (X - means[k]) / n for k in range(3)]
    )
    return nk, sums, scatter


def test_second_step_averages_the_statistics_of_both_batches():
    # learning_decay=1, learning_offset=0: gamma_t = 1/t, so after two equal
    # mini-batches the statistics are the plain average of the two E-steps'
    # (each under the parameters of its time); computed here with numpy
    X = three_blobs(800, seed=1)
    first, second = X[:400], X[400:]
    init = start(X, "full")
    online = EMGaussianMixture(
        3, learning_decay=1.0, learning_offset=0.0, reg_covar=1e-4, **init
    )
    resp_first = (
        EMGaussianMixture(3, max_iter=0, **init).fit(first).predict_proba(first)
    )
    online.partial_fit(first)
    resp_second = online.predict_proba(second)
    online.partial_fit(second)

    nk1, s1, scatter1 = weighted_statistics(first, resp_first)
    nk2, s2, scatter2 = weighted_statistics(second, resp_second)
    nk = (nk1 + nk2) / 2
    means = (s1 + s2) / 2 / nk[:, None]
    m1, m2 = s1 / nk1[:, None], s2 / nk2[:, None]
    covariances = np.stack(
        [
            (
                scatter1[k]
                + nk1[k] * np.outer(m1[k] - means[k], m1[k] - means[k])
                + scatter2[k]
                + nk2[k] * np.outer(m2[k] - means[k], m2[k] - means[k])
            )
            / 2
            / nk[k]
            + 1e-4 * np.eye(2)
            for k in range(3)
        ]
    )
    np.testing.assert_allclose(online.weights_, nk / nk.sum(), rtol=1e-12)
    np.testing.assert_allclose(online.means_, means, rtol=1e-12)
    np.testing.assert_allclose(online.covariances_, covariances, rtol=1e-11)
    assert online.n_steps_ == 2 and len(online.lower_bounds_) == 2


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_shuffled_mini_batches_reach_the_batch_log_likelihood(covariance_type):
    # the stated tolerance: within 5e-5 nats per row of the batch EM fit
    # after five passes of 40 shuffled mini-batches of 500 rows
    X = three_blobs(20_000, seed=2)
    batch = EMGaussianMixture(
        3, covariance_type=covariance_type, tol=1e-8, random_state=0
    ).fit(X)
    online = EMGaussianMixture(3, covariance_type=covariance_type, random_state=0)
    rng = np.random.RandomState(3)
    gaps = []
    for _ in range(5):
        for rows in np.array_split(rng.permutation(len(X)), 40):
            online.partial_fit(X[rows])
        gaps.append(batch.score(X) - online.score(X))
    assert online.n_steps_ == 200 and len(online.lower_bounds_) == 200
    assert -1e-9 < gaps[-1] < 5e-5, gaps  # measured: 1.0e-5 to 1.6e-5
    assert gaps[0] > gaps[-1]  # it did approach the batch fit
    # and the components are the batch fit's (matched by their means)
    order = [np.argmin(np.linalg.norm(batch.means_ - m, axis=1)) for m in online.means_]
    assert sorted(order) == [0, 1, 2]
    np.testing.assert_allclose(online.means_, batch.means_[order], atol=0.05)
    np.testing.assert_allclose(online.weights_, batch.weights_[order], atol=0.01)


def test_converged_fit_is_a_fixed_point_of_partial_fit():
    # the statistics partial_fit rebuilds from the fitted parameters are the
    # E-step's at convergence, so a step on the training data stays put
    X = three_blobs(3000, seed=4)
    gmm = EMGaussianMixture(3, tol=1e-12, max_iter=1000, random_state=0).fit(X)
    before = [p.copy() for p in parameters(gmm)]
    assert gmm.n_steps_ == 0
    gmm.partial_fit(X)
    assert gmm.n_steps_ == 1 and gmm.lower_bounds_ == [gmm.lower_bound_]
    for a, b in zip(parameters(gmm), before):
        np.testing.assert_allclose(a, b, rtol=1e-7, atol=1e-7)
    # a step on other data does move it, by gamma_1 = 11^-0.7 of the way
    gmm.partial_fit(X[X[:, 0] > 3])
    assert np.abs(gmm.weights_ - before[0]).max() > 0.05


def test_integer_weights_equal_repeated_rows():
    X = three_blobs(400, seed=5)
    weights = np.random.RandomState(0).randint(0, 3, size=len(X))
    init = start(X, "diag")
    kw = dict(covariance_type="diag", **init)
    weighted = EMGaussianMixture(3, **kw).partial_fit(X, sample_weight=weights)
    repeated = EMGaussianMixture(3, **kw).partial_fit(np.repeat(X, weights, axis=0))
    for a, b in zip(parameters(weighted), parameters(repeated)):
        np.testing.assert_allclose(a, b, rtol=1e-12)
    plain = EMGaussianMixture(3, **kw).partial_fit(X)
    assert np.abs(plain.means_ - weighted.means_).max() > 1e-3


def test_fit_resets_and_partial_fit_continues():
    X = three_blobs(2000, seed=6)
    gmm = EMGaussianMixture(3, random_state=0)
    for rows in np.array_split(np.arange(len(X)), 4):
        gmm.partial_fit(X[rows])
    assert gmm.n_steps_ == 4
    online_means = gmm.means_.copy()
    # warm_start=True: fit continues from the online parameters
    gmm.set_params(warm_start=True, max_iter=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        gmm.fit(X)
    assert gmm.n_steps_ == 0 and gmm.n_iter_ == 1
    assert np.abs(gmm.means_ - online_means).max() < 0.5
    # the step counter restarts after fit: gamma_1 again
    gmm.partial_fit(X[:100])
    assert gmm.n_steps_ == 1
    # the same stream gives the same model (random_state fixes the init)
    a = EMGaussianMixture(3, random_state=1)
    b = EMGaussianMixture(3, random_state=1)
    for rows in np.array_split(np.arange(len(X)), 3):
        a.partial_fit(X[rows])
        b.partial_fit(X[rows])
    for p, q in zip(parameters(a), parameters(b)):
        np.testing.assert_array_equal(p, q)


@pytest.mark.parametrize(
    "params, match",
    [
        (dict(learning_decay=0.5), r"\(0.5, 1\]"),
        (dict(learning_decay=1.5), r"\(0.5, 1\]"),
        (dict(learning_decay="fast"), "learning_decay"),
        (dict(learning_offset=-1.0), "learning_offset"),
    ],
)
def test_bad_step_sizes_raise_clear_errors(params, match):
    with pytest.raises(ValueError, match=match):
        EMGaussianMixture(2, **params).partial_fit(three_blobs(50))


def test_bad_mini_batches():
    X = three_blobs(300)
    gmm = EMGaussianMixture(3, random_state=0)
    with pytest.raises(ValueError, match="n_components=3 exceeds"):
        gmm.partial_fit(X[:2])
    gmm.partial_fit(X)
    with pytest.raises(ValueError, match="features"):
        gmm.partial_fit(np.c_[X, X])
    with pytest.raises(ValueError, match="zero for every row"):
        gmm.partial_fit(X, sample_weight=np.zeros(len(X)))
    with pytest.raises(ValueError, match="NaN"):
        gmm.partial_fit(np.where(X > 4, np.nan, X))
    # a later mini-batch may be a single row
    gmm.partial_fit(X[:1])
    assert gmm.n_steps_ == 2


@pytest.mark.parametrize("init_params", ["random_from_data", "k-means++"])
def test_seed_initialisations_count_as_a_whole_mixture(init_params):
    # these initialisations give weights summing to K / n, not 1 (as in
    # scikit-learn); partial_fit treats them as the normalised weights, so
    # the first step is the one from the same start given explicitly
    X = three_blobs(2000, seed=7)
    seeded = EMGaussianMixture(3, init_params=init_params, random_state=0)
    start = EMGaussianMixture(3, init_params=init_params, max_iter=0, random_state=0)
    start.fit(X[:500])
    assert start.weights_.sum() < 0.1
    explicit = EMGaussianMixture(
        3,
        weights_init=start.weights_ / start.weights_.sum(),
        means_init=start.means_,
        precisions_init=start.precisions_,
    )
    for model in (seeded, explicit):
        model.partial_fit(X[:500])
    for a, b in zip(parameters(seeded), parameters(explicit)):
        np.testing.assert_allclose(a, b, rtol=1e-9)
