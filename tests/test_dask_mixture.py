"""EMGaussianMixture on dask arrays (dask's threaded scheduler; see
test_dask_cluster.py for a dask.distributed cluster).

The chunked EM must give the in-memory fit, to 1e-10 relative, from the same
initial parameters; its initialisation must be the documented one (a random
sample of whole chunks); inference on a dask array must stay lazy.
"""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from skgenfund import EMGaussianMixture
from skgenfund.mixture import _dask

dask = pytest.importorskip("dask")
da = pytest.importorskip("dask.array")

COVARIANCE_TYPES = ["full", "tied", "diag", "spherical"]
# row chunks of unequal sizes, none a multiple of the kernels' 64-row tiles
CHUNKS = (1000, 1337, 700, 2500, 1, 1462)
RTOL = 1e-10


def four_blobs(seed=0, dtype=np.float64):
    rng = np.random.RandomState(seed)
    n = sum(CHUNKS)
    centres = 2.0 * np.array([[0, 0, 0], [4, 1, -1], [1, 5, 2], [-3, 2, 4]])
    labels = rng.randint(0, 4, size=n)
    scales = np.array([1.0, 0.5, 1.5, 0.8])[labels, None]
    X = centres[labels] + scales * rng.standard_normal((n, 3)) @ [
        [1.0, 0.3, 0.0],
        [0.0, 1.0, -0.2],
        [0.0, 0.0, 1.0],
    ]
    return X.astype(dtype)


def start(X, covariance_type):
    """A poor start (one EM iteration from random rows): EM has work to do."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        rough = EMGaussianMixture(
            4,
            covariance_type=covariance_type,
            max_iter=1,
            init_params="random_from_data",
            random_state=1,
        ).fit(X)
    return dict(
        weights_init=rough.weights_,
        means_init=rough.means_,
        precisions_init=rough.precisions_,
    )


FITTED = ["weights_", "means_", "covariances_", "precisions_", "precisions_cholesky_"]


def assert_same_fit(ours, reference, rtol=RTOL):
    assert ours.n_iter_ == reference.n_iter_
    assert ours.converged_ == reference.converged_
    for name in FITTED:
        np.testing.assert_allclose(
            getattr(ours, name), getattr(reference, name), rtol=rtol, err_msg=name
        )
    np.testing.assert_allclose(ours.lower_bounds_, reference.lower_bounds_, rtol=rtol)


def fit_quietly(model, X, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(X, **kwargs)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_same_initial_parameters_give_the_in_memory_fit(covariance_type):
    X = four_blobs()
    params = dict(
        n_components=4,
        covariance_type=covariance_type,
        tol=0.0,
        max_iter=40,
        **start(X, covariance_type),
    )
    reference = fit_quietly(EMGaussianMixture(**params), X)
    ours = fit_quietly(
        EMGaussianMixture(**params), da.from_array(X, chunks=(CHUNKS, 3))
    )
    assert_same_fit(ours, reference)
    # with a tolerance both stop at the same iteration, converged
    params.update(tol=1e-5, max_iter=300)
    reference = EMGaussianMixture(**params).fit(X)
    ours = EMGaussianMixture(**params).fit(da.from_array(X, chunks=(CHUNKS, 3)))
    assert reference.converged_ and reference.n_iter_ > 8
    assert_same_fit(ours, reference)


@pytest.mark.parametrize("covariance_type", ["full", "diag"])
def test_weights_float32_and_column_chunks(covariance_type):
    X = four_blobs(seed=1, dtype=np.float32)
    weights = np.random.RandomState(0).randint(0, 4, size=len(X)).astype(float)
    params = dict(
        n_components=4,
        covariance_type=covariance_type,
        tol=0.0,
        max_iter=25,
        **start(X, covariance_type),
    )
    reference = fit_quietly(EMGaussianMixture(**params), X, sample_weight=weights)
    X_dask = da.from_array(X, chunks=(CHUNKS, 2))  # two column chunks
    assert X_dask.dtype == np.float32
    for sample_weight in (weights, da.from_array(weights, chunks=2000)):
        ours = fit_quietly(
            EMGaussianMixture(**params), X_dask, sample_weight=sample_weight
        )
        assert_same_fit(ours, reference)
    # the weights matter: an unweighted fit differs (a test, not a no-op)
    unweighted = fit_quietly(EMGaussianMixture(**params), X_dask)
    assert np.abs(unweighted.means_ - reference.means_).max() > 1e-3


def test_chunking_changes_only_rounding():
    X = four_blobs(seed=2)
    params = dict(n_components=4, tol=0.0, max_iter=30, **start(X, "full"))
    fits = [
        fit_quietly(EMGaussianMixture(**params), da.from_array(X, chunks=(chunks, 3)))
        for chunks in (CHUNKS, 500, len(X))
    ]
    for other in fits[1:]:
        assert_same_fit(other, fits[0], rtol=1e-11)
    # the same chunks give the same fit, to the last bit
    again = fit_quietly(
        EMGaussianMixture(**params), da.from_array(X, chunks=(CHUNKS, 3))
    )
    for name in FITTED:
        np.testing.assert_array_equal(getattr(again, name), getattr(fits[0], name))


def test_initialisation_is_on_a_random_sample_of_whole_chunks(monkeypatch):
    # the documented rule: a permutation of the chunks drawn from
    # random_state, chunks taken in that order until they hold enough rows,
    # then init_params on them (in X's order) with the same random_state
    monkeypatch.setattr(_dask, "INIT_SAMPLE_ROWS", 3000)
    X = four_blobs(seed=3)
    X_dask = da.from_array(X, chunks=(CHUNKS, 3))
    for init_params in ("kmeans", "random_from_data"):
        params = dict(n_components=4, init_params=init_params, max_iter=0)
        ours = EMGaussianMixture(random_state=7, **params).fit(X_dask)

        rng = np.random.RandomState(7)
        order = rng.permutation(len(CHUNKS))
        sizes = np.asarray(CHUNKS)[order]
        n_taken = np.flatnonzero(np.cumsum(sizes) >= 3000)[0] + 1
        bounds = np.r_[0, np.cumsum(CHUNKS)]
        rows = np.concatenate(
            [np.arange(bounds[i], bounds[i + 1]) for i in np.sort(order[:n_taken])]
        )
        assert 3000 <= len(rows) < len(X)
        reference = EMGaussianMixture(random_state=rng, **params).fit(X[rows])
        for name in FITTED:
            np.testing.assert_array_equal(getattr(ours, name), getattr(reference, name))
        again = EMGaussianMixture(random_state=7, **params).fit(X_dask)
        np.testing.assert_array_equal(again.means_, ours.means_)
    # and a full fit from that start converges to the blobs
    gmm = EMGaussianMixture(4, random_state=0, n_init=2).fit(X_dask)
    assert gmm.converged_
    assert gmm.score(X) == pytest.approx(
        EMGaussianMixture(4, random_state=0, n_init=2).fit(X).score(X), abs=1e-6
    )


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_inference_is_lazy_and_equals_the_in_memory_results(covariance_type):
    X = four_blobs(seed=4)
    gmm = EMGaussianMixture(4, covariance_type=covariance_type, random_state=0).fit(X)
    X_dask = da.from_array(X, chunks=(CHUNKS, 3))
    score_samples = gmm.score_samples(X_dask)
    labels = gmm.predict(X_dask)
    proba = gmm.predict_proba(X_dask)
    for lazy in (score_samples, labels, proba):
        assert isinstance(lazy, da.Array)
        assert lazy.chunks[0] == CHUNKS
    assert proba.chunks[1] == (4,) and labels.dtype == np.int64
    np.testing.assert_allclose(
        score_samples.compute(), gmm.score_samples(X), rtol=1e-13
    )
    np.testing.assert_array_equal(labels.compute(), gmm.predict(X))
    np.testing.assert_allclose(proba.compute(), gmm.predict_proba(X), atol=1e-14)
    assert gmm.score(X_dask) == pytest.approx(gmm.score(X), rel=1e-14)
    assert gmm.bic(X_dask) == pytest.approx(gmm.bic(X), rel=1e-14)
    # fit_predict on a dask array is lazy too
    fitted = EMGaussianMixture(4, covariance_type=covariance_type, random_state=0)
    lazy_labels = fitted.fit_predict(X_dask)
    assert isinstance(lazy_labels, da.Array)
    np.testing.assert_array_equal(lazy_labels.compute(), fitted.predict(X))


def test_warm_start_and_partial_fit_on_dask_arrays():
    X = four_blobs(seed=5)
    X_dask = da.from_array(X, chunks=(CHUNKS, 3))
    init = start(X, "tied")
    params = dict(n_components=4, covariance_type="tied", tol=0.0, **init)
    # warm start: 10 + 10 iterations are 20 iterations, on both
    warm = EMGaussianMixture(max_iter=10, warm_start=True, **params)
    fit_quietly(warm, X_dask)
    fit_quietly(warm, X_dask)
    reference = fit_quietly(EMGaussianMixture(max_iter=20, **params), X)
    for name in FITTED:
        np.testing.assert_allclose(
            getattr(warm, name), getattr(reference, name), rtol=RTOL
        )
    # partial_fit on a dask mini-batch is partial_fit on its rows
    ours = EMGaussianMixture(**params)
    theirs = EMGaussianMixture(**params)
    for rows in (slice(0, 4000), slice(4000, None)):
        ours.partial_fit(X_dask[rows])
        theirs.partial_fit(X[rows])
    for name in FITTED:
        np.testing.assert_allclose(
            getattr(ours, name), getattr(theirs, name), rtol=RTOL
        )
    assert ours.n_steps_ == 2
    # a first partial_fit on a dask array initialises on a sample of its chunks
    fresh = EMGaussianMixture(4, random_state=0).partial_fit(X_dask)
    assert fresh.n_steps_ == 1 and np.isfinite(fresh.lower_bound_)


def test_bad_dask_input_raises_clear_errors():
    X = four_blobs(seed=6)
    X_dask = da.from_array(X, chunks=(CHUNKS, 3))
    gmm = EMGaussianMixture(2, random_state=0)
    nan = X.copy()
    nan[4000, 1] = np.nan
    nan = da.from_array(nan, chunks=(CHUNKS, 3))
    with pytest.raises(ValueError, match="NaN"):  # in the initialisation sample
        gmm.fit(nan)
    given = EMGaussianMixture(4, **start(X, "full"))  # no sample: the chunks check
    with pytest.raises(ValueError, match=r"NaN or infinity \(in row chunk 3"):
        given.fit(nan)
    with pytest.raises(ValueError, match="2D"):
        gmm.fit(X_dask[:, 0])
    with pytest.raises(ValueError, match="compute_chunk_sizes"):
        gmm.fit(X_dask[X_dask[:, 0] > 0])
    with pytest.raises(ValueError, match="numeric"):
        gmm.fit(da.from_array(np.full((10, 2), "a"), chunks=5))
    with pytest.raises(ValueError, match="negative"):
        weights = da.from_array(-np.ones(len(X)), chunks=3000)
        gmm.fit(X_dask, sample_weight=weights)
    with pytest.raises(ValueError, match="one weight per row"):
        gmm.fit(X_dask, sample_weight=da.ones(10, chunks=5))
    with pytest.raises(ValueError, match="n_components=3 exceeds"):
        EMGaussianMixture(3).fit(X_dask[:2])
    gmm.fit(
        da.from_array(np.rint(X).astype(int), chunks=(CHUNKS, 3))
    )  # ints: as floats
    assert gmm.means_.dtype == np.float64
    with pytest.raises(ValueError, match="features"):
        gmm.predict(da.concatenate([X_dask, X_dask], axis=1))
    nan_rows = da.from_array(np.full((5, 3), np.nan), chunks=5)
    with pytest.raises(ValueError, match="NaN"):
        gmm.score_samples(nan_rows).compute()


def test_detects_dask_arrays_only():
    X = four_blobs()
    assert _dask.is_dask_array(da.from_array(X))
    assert not _dask.is_dask_array(X)
    assert not _dask.is_dask_array(X.tolist())


def test_chunk_tasks_in_dask_threads_give_the_synchronous_fit():
    # the chunk tasks run their kernels concurrently in dask's threads (the
    # kernels take no lock, whatever Numba's threading layer); the fit is
    # that of the synchronous scheduler, bit for bit
    X = da.from_array(four_blobs(seed=7), chunks=(CHUNKS, 3))
    init = start(X.compute(), "diag")
    params = dict(n_components=4, covariance_type="diag", tol=0.0, max_iter=5, **init)
    with dask.config.set(scheduler="synchronous"):
        serial = fit_quietly(EMGaussianMixture(**params), X)
    with dask.config.set(scheduler="threads", num_workers=4):
        threaded = fit_quietly(EMGaussianMixture(**params), X)
    for name in FITTED:
        np.testing.assert_array_equal(getattr(threaded, name), getattr(serial, name))
