"""
=====================================================
Beyond one machine: EM on a dask array, on a cluster
=====================================================

When the data outgrow one machine's memory, :class:`~skgenfund.EMGaussianMixture`
fits a **dask array** chunk by chunk: every EM iteration maps the compiled
E-step and scatter kernels over the row chunks, each chunk returns its
statistics (O(K d^2) numbers, never its rows), and a fixed tree merges them.
From the same initial parameters it reaches the in-memory fit to rounding.

This example fits a mixture on a dask array of 16 chunks, compares it with
the in-memory fit iteration by iteration, and then selects the number of
components with :class:`~sklearn.model_selection.GridSearchCV` on a
``dask.distributed`` cluster (a ``LocalCluster`` here; the user guide says
how to deploy on a real one). It needs ``pip install "skgenfund[dask]"``.
"""

# %%
# Data in chunks
# --------------
# 400,000 rows from four Gaussians, in 16 chunks of 25,000 rows. Here the
# array is built from memory so that both fits can see the same rows; for
# real data ``dask.array.from_zarr``, ``from_npy_stack`` or ``map_blocks``
# over files build X without ever loading it whole.
import warnings

import dask.array as da
import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning

from skgenfund import EMGaussianMixture

rng = np.random.RandomState(0)
centres = np.array([[0.0, 0.0, 0.0], [5.0, 1.0, -2.0], [1.0, 6.0, 2.0], [-4, 3, 4]])
labels = rng.randint(0, 4, size=400_000)
X_memory = centres[labels] + rng.standard_normal((400_000, 3)) @ np.array(
    [[1.0, 0.4, 0.0], [0.0, 1.0, -0.3], [0.0, 0.0, 0.8]]
)
X = da.from_array(X_memory, chunks=(25_000, 3))
print(X)

# %%
# The same EM, in memory and chunk by chunk
# -----------------------------------------
# Both fits start from the same parameters, passed as ``weights_init``,
# ``means_init`` and ``precisions_init``: a deliberately poor start (random
# responsibilities on a sample of the chunks: ``max_iter=0`` keeps the
# initialisation), so that EM has 80 iterations of work, with ``tol=0``.
start = EMGaussianMixture(4, max_iter=0, init_params="random", random_state=0).fit(X)
params = dict(
    n_components=4,
    tol=0.0,
    max_iter=80,
    weights_init=start.weights_,
    means_init=start.means_,
    precisions_init=start.precisions_,
)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    in_memory = EMGaussianMixture(**params).fit(X_memory)
    chunked = EMGaussianMixture(**params).fit(X)

bounds_memory = np.array(in_memory.lower_bounds_)
bounds_chunked = np.array(chunked.lower_bounds_)
difference = np.abs(bounds_chunked / bounds_memory - 1)
print(f"final mean log-likelihood, in memory: {bounds_memory[-1]:.12f}")
print(f"final mean log-likelihood, chunked:   {bounds_chunked[-1]:.12f}")
for name in ("weights_", "means_", "covariances_"):
    a, b = getattr(chunked, name), getattr(in_memory, name)
    largest = np.max(np.abs(a - b) / np.abs(b))
    print(f"largest relative difference of {name}: {largest:.1e}")

# %%
# Inference on a dask array stays lazy: ``predict`` returns a dask array with
# X's chunks, computed only when asked.
labels_lazy = chunked.predict(X)
print(type(labels_lazy).__name__, labels_lazy.chunks[0][:3], "...")
print("rows per component:", np.bincount(labels_lazy.compute()))

# %%
# Model selection on a cluster
# ----------------------------
# ``GridSearchCV`` fits one model per candidate and fold; inside
# ``joblib.parallel_backend("dask")`` those fits run on the workers of the
# active ``dask.distributed`` client. Each fit here is in memory (a 20,000-row
# sample): the cluster spreads the *fits*. The cluster below is two worker
# threads in this process (``processes=False`` keeps the example quick),
# talking TCP on 127.0.0.1 only, without a dashboard; the tests run the same
# on worker processes, and a real cluster has machines.
from distributed import Client, LocalCluster
from joblib import parallel_backend
from sklearn.model_selection import GridSearchCV

sample = X_memory[rng.choice(len(X_memory), 20_000, replace=False)]
grid = {"n_components": [1, 2, 3, 4, 5, 6], "covariance_type": ["full", "spherical"]}
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", "Port .* already in use", UserWarning)
    cluster = LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=False,
        protocol="tcp",
        host="127.0.0.1",
        dashboard_address=None,
    )
with cluster, Client(cluster) as client:
    search = GridSearchCV(EMGaussianMixture(random_state=0), grid, cv=3)
    with parallel_backend("dask"):
        search.fit(sample)
    n_workers = len(client.scheduler_info()["workers"])
print(f"{len(search.cv_results_['params']) * 3} fits on {n_workers} workers")
print("best:", search.best_params_)

# %%
# The figure: left, the two fits' mean log-likelihood per iteration (on top
# of each other) and their relative difference, at the level of rounding
# (exact agreement drawn at 1e-17); right, the held-out log-likelihood of
# every candidate of the search.
fig, (ax_fit, ax_grid) = plt.subplots(1, 2, figsize=(10, 4))
iterations = np.arange(1, len(bounds_memory) + 1)
ax_fit.plot(iterations, bounds_memory, lw=3, alpha=0.5, label="in memory")
ax_fit.plot(iterations, bounds_chunked, "k--", lw=1, label="dask array, 16 chunks")
ax_fit.set_xlabel("EM iteration")
ax_fit.set_ylabel("mean log-likelihood")
ax_fit.legend(loc="lower right")
inset = ax_fit.inset_axes([0.1, 0.6, 0.4, 0.3])
inset.semilogy(iterations, np.maximum(difference, 1e-17), ".-", color="C3")
inset.set_title("relative difference", fontsize=8)
inset.tick_params(labelsize=7)

scores = search.cv_results_["mean_test_score"].reshape(2, -1)
for covariance_type, row in zip(grid["covariance_type"], scores):
    ax_grid.plot(grid["n_components"], row, "o-", label=covariance_type)
ax_grid.set_xlabel("n_components")
ax_grid.set_ylabel("held-out mean log-likelihood")
ax_grid.legend(title="covariance_type")
ax_grid.set_title("GridSearchCV on a dask cluster")
fig.tight_layout()
plt.show()
