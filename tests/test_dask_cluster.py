"""skgenfund on a real dask.distributed cluster: a LocalCluster on 127.0.0.1.

One module-scoped cluster of two worker processes (a cluster takes about a
second to start) serves most tests; the test of worker-count independence
starts a second, one-worker cluster and checks that it shuts down cleanly.
"""

import os
import pickle
import warnings

import numpy as np
import pytest
from joblib import parallel_backend
from numba import njit
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV

from skgenfund import EMGaussianMixture, MetropolisHastingsSampler, sample_chains

dask = pytest.importorskip("dask")
da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")
psutil = pytest.importorskip("psutil")

TIMEOUT = 60  # seconds: every start, wait and result is bounded
CHUNKS = (4000, 3000, 2500, 4000, 1500)


def local_cluster(n_workers):
    """Worker processes on the loopback interface only, no dashboard."""
    with warnings.catch_warnings():
        # the scheduler's small HTTP server (health checks; no dashboard)
        # moves to a free port when another cluster holds 8787
        warnings.filterwarnings("ignore", "Port .* already in use", UserWarning)
        return distributed.LocalCluster(
            n_workers=n_workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            timeout=TIMEOUT,
        )


def three_blobs(seed=0):
    rng = np.random.RandomState(seed)
    n = sum(CHUNKS)
    centres = np.array([[0.0, 0.0], [6.0, 1.0], [2.0, 7.0]])
    labels = rng.randint(0, 3, size=n)
    return centres[labels] + rng.standard_normal((n, 2)) * [[1.0, 0.7]]


@pytest.fixture(scope="module")
def client():
    # compile the kernels here first: the worker processes then load them
    # from Numba's on-disk cache instead of compiling them twice over
    X = three_blobs()
    for covariance_type in ("full", "tied", "diag", "spherical"):
        EMGaussianMixture(3, covariance_type=covariance_type, random_state=0).fit(
            da.from_array(X, chunks=(CHUNKS, 2))
        )
    with (
        local_cluster(2) as cluster,
        distributed.Client(cluster, timeout=TIMEOUT) as client,
    ):
        client.wait_for_workers(2, timeout=TIMEOUT)
        yield client


def listening_addresses(pid):
    return {
        connection.laddr.ip
        for connection in psutil.Process(pid).net_connections(kind="inet")
        if connection.status == psutil.CONN_LISTEN
    }


def test_cluster_listens_on_the_loopback_interface_only(client):
    info = client.scheduler_info()
    assert info["address"].startswith("tcp://127.0.0.1:")
    assert all(address.startswith("tcp://127.0.0.1:") for address in info["workers"])
    worker_pids = client.run(os.getpid)
    addresses = set().union(
        listening_addresses(os.getpid()),
        *map(listening_addresses, worker_pids.values()),
    )
    assert addresses == {"127.0.0.1"}, addresses


def em_fits(X, **params):
    """The same EM from the same start, in memory and on the cluster's X."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return (
            EMGaussianMixture(**params).fit(X.compute()),
            EMGaussianMixture(**params).fit(X),
        )


FITTED = ["weights_", "means_", "covariances_", "precisions_cholesky_"]


def start(X, covariance_type):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        rough = EMGaussianMixture(
            3,
            covariance_type=covariance_type,
            max_iter=1,
            init_params="random_from_data",
            random_state=2,
        ).fit(X)
    return dict(
        n_components=3,
        covariance_type=covariance_type,
        tol=0.0,
        max_iter=25,
        weights_init=rough.weights_,
        means_init=rough.means_,
        precisions_init=rough.precisions_,
    )


@pytest.mark.parametrize("covariance_type", ["full", "spherical"])
def test_em_on_the_cluster_is_the_in_memory_fit(client, covariance_type):
    X_memory = three_blobs(seed=1)
    X_lazy = da.from_array(X_memory, chunks=(CHUNKS, 2))
    X = client.persist(X_lazy)  # the chunks live in the workers' memory
    params = start(X_memory, covariance_type)
    in_memory, on_cluster = em_fits(X, **params)
    for name in FITTED:
        np.testing.assert_allclose(
            getattr(on_cluster, name), getattr(in_memory, name), rtol=1e-10
        )
    np.testing.assert_allclose(
        on_cluster.lower_bounds_, in_memory.lower_bounds_, rtol=1e-10
    )
    # the cluster's fit is the threaded scheduler's: the same sums in the same
    # order, bit for bit, whether the workers compiled the kernels or loaded
    # them from the cache (tests/test_determinism.py)
    with dask.config.set(scheduler="threads"):
        _, threaded = em_fits(X_lazy, **params)
    for name in FITTED:
        np.testing.assert_array_equal(
            getattr(on_cluster, name), getattr(threaded, name)
        )
    # inference runs lazily on the workers
    labels = on_cluster.predict(X)
    assert isinstance(labels, da.Array)
    np.testing.assert_array_equal(labels.compute(), on_cluster.predict(X_memory))


def test_grid_search_with_the_dask_joblib_backend(client):
    X = three_blobs(seed=3)[:3000]
    grid = {"n_components": [1, 2, 3, 4], "covariance_type": ["full", "diag"]}
    search = GridSearchCV(EMGaussianMixture(random_state=0), grid, cv=3)
    with distributed.get_task_stream(client) as stream:
        with parallel_backend("dask"):
            search.fit(X)
    workers = {task["worker"] for task in stream.data}
    assert workers == set(client.scheduler_info()["workers"])  # both worked
    sequential = GridSearchCV(EMGaussianMixture(random_state=0), grid, cv=3).fit(X)
    np.testing.assert_array_equal(
        search.cv_results_["mean_test_score"],
        sequential.cv_results_["mean_test_score"],
    )
    assert search.best_params_["n_components"] == 3


@njit
def bimodal_log_density(x):
    """0.3 N(-2, 0.5^2) + 0.7 N(3, 1), unnormalised."""
    a = -0.5 * ((x[0] + 2.0) / 0.5) ** 2 + np.log(0.3 / 0.5)
    b = -0.5 * (x[0] - 3.0) ** 2 + np.log(0.7)
    top = max(a, b)
    return top + np.log(np.exp(a - top) + np.exp(b - top))


def chain_sampler(n_chains=8):
    return MetropolisHastingsSampler(
        bimodal_log_density,
        n_chains=n_chains,
        n_warmup=500,
        initial=np.zeros(1),
        random_state=5,
    ).fit()


def test_chains_on_the_cluster_sample_the_target(client):
    sampler = chain_sampler()
    with parallel_backend("dask"):
        draws = sample_chains(sampler, 40_000)
    local = chain_sampler()
    np.testing.assert_array_equal(draws, sample_chains(local, 40_000))
    np.testing.assert_array_equal(sampler.chains_, local.chains_)
    assert draws.mean() == pytest.approx(1.5, abs=0.1)  # the chapter's values
    assert draws.std() == pytest.approx(2.4546, abs=0.1)
    assert np.all(sampler.rhat_ < 1.01)


def test_estimators_and_samplers_pickle_with_usable_kernels(client):
    X = three_blobs(seed=4)
    gmm = EMGaussianMixture(3, random_state=0).fit(X)
    sampler = chain_sampler(n_chains=2)
    for obj in (gmm, sampler):
        clone = pickle.loads(pickle.dumps(obj))
        assert type(clone) is type(obj)
    # on a worker process: the fitted mixture's kernels, the njit target
    remote_scores = client.submit(gmm.score_samples, X).result(timeout=TIMEOUT)
    np.testing.assert_array_equal(remote_scores, gmm.score_samples(X))

    def draw(sampler):
        kind = type(sampler.target_).__name__
        return kind, sampler.sample(2000, random_state=0)

    kind, remote_draws = client.submit(draw, sampler).result(timeout=TIMEOUT)
    assert kind == "CPUDispatcher"  # still a compiled function there
    np.testing.assert_array_equal(remote_draws, sampler.sample(2000, random_state=0))
    # a sampler whose target is the fitted mixture runs it compiled there too
    mixture_sampler = MetropolisHastingsSampler(gmm, random_state=0).fit(X)
    remote = client.submit(lambda s: s.sample(1000), mixture_sampler)
    np.testing.assert_array_equal(
        remote.result(timeout=TIMEOUT), mixture_sampler.sample(1000)
    )


def test_results_do_not_depend_on_the_number_of_workers(client):
    X_memory = three_blobs(seed=6)
    X = da.from_array(X_memory, chunks=(CHUNKS, 2))
    params = start(X_memory, "full")
    two_workers = em_fits(X, **params)[1]
    chains_two = chain_sampler()
    with parallel_backend("dask"):
        sample_chains(chains_two, 8000)

    with (
        local_cluster(1) as cluster,
        distributed.Client(cluster, timeout=TIMEOUT) as one,
    ):
        one.wait_for_workers(1, timeout=TIMEOUT)
        assert len(one.scheduler_info()["workers"]) == 1
        pids = list(one.run(os.getpid).values())
        one_worker = em_fits(X, **params)[1]
        chains_one = chain_sampler()
        with parallel_backend("dask"):
            sample_chains(chains_one, 8000)
    for name in FITTED:
        np.testing.assert_array_equal(
            getattr(one_worker, name), getattr(two_workers, name)
        )
    np.testing.assert_array_equal(chains_one.chains_, chains_two.chains_)
    # the one-worker cluster has shut down: closed, its worker process gone
    assert cluster.status.name == "closed" and one.status == "closed"
    gone, alive = psutil.wait_procs(
        [p for p in map(_process, pids) if p is not None], timeout=TIMEOUT
    )
    assert not alive
    # and the module's cluster is the default client again, still working
    assert distributed.default_client() is client
    assert client.submit(sum, [1, 2]).result(timeout=TIMEOUT) == 3


def _process(pid):
    try:
        return psutil.Process(pid)
    except psutil.NoSuchProcess:
        return None
