"""EM on dask arrays: a map over the row chunks and a fixed tree of merges.

Dask is an optional dependency (``pip install "skgenfund[dask]"``): nothing
here imports it at module import, and :func:`is_dask_array` recognises a dask
array by looking for ``dask.array`` among the modules already imported, so
that without dask (or before the user imports it) no import is attempted.

One EM iteration on a dask array X
----------------------------------
* map: every row chunk of X runs the E-step kernel and the scatter kernel on
  its rows (:func:`skgenfund.mixture._moments.chunk_moments`); it returns its
  sample weight, log-likelihood, responsibility totals, first moments and
  the scatter centred at its own means: O(K d^2) numbers, never its rows;
* reduce: these are merged with Chan et al.'s formula
  (:func:`skgenfund.mixture._moments.merge_moments`) in a tree of fan-in
  ``SPLIT_EVERY`` built over the chunk indices, so the order of every sum
  is fixed by the chunking alone, never by the scheduler or the number of
  workers: the same chunks give the same fit on any cluster, bit for bit
  (tested between 1 and 2 workers, and against the threaded scheduler);
* the M-step turns the merged statistics into the new parameters on the
  client.

The data stay where they are (persist X on the cluster first when it fits in
the workers' memory: otherwise every iteration recomputes X's graph, reading
it again from its source). Each chunk task runs the kernels on one
thread; the parallelism comes from dask's workers and threads.
"""

import sys
from contextlib import contextmanager

import numba
import numpy as np
from sklearn.utils.validation import _check_feature_names, _check_n_features

from .._core.validation import check_sample_weight
from ._moments import chunk_moments, reduce_moments
from ._steps import as_kernel_input, inference

__all__ = [
    "INIT_SAMPLE_ROWS",
    "SPLIT_EVERY",
    "check_dask_X",
    "dask_moments",
    "dask_sample_weight",
    "initial_sample",
    "is_dask_array",
    "lazy_inference",
]

#: Fan-in of the reduction tree.
SPLIT_EVERY = 8
#: Fewest rows of the initialisation sample (with 100 per component at least).
INIT_SAMPLE_ROWS = 10_000

def is_dask_array(X):
    """Whether X is a dask array, without importing dask.

    Examples
    --------
    >>> import numpy as np
    >>> from skgenfund.mixture._dask import is_dask_array
    >>> is_dask_array(np.zeros((2, 2)))
    False
    """
    module = sys.modules.get("dask.array")
    return module is not None and isinstance(X, module.Array)


@contextmanager
def task_threads():
    """Run a dask task's kernels on one thread (dask's workers use the cores)."""
    previous = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        yield
    finally:
        numba.set_num_threads(previous)


# ----------------------------------------------------------------- validation
def check_dask_X(estimator, X, *, reset, min_samples=1):
    """Validate a dask array as :func:`skgenfund._core.validation.validate_X` does.

    The checks that need only the shape, chunks and dtype are made here
    (2-D, known chunk sizes, numeric, enough rows, the number of features);
    NaN and infinity are found by the chunk tasks, when the data are read.
    Integer data are converted to float64 lazily; the columns are gathered
    into one chunk, so that every chunk holds whole rows.
    """
    if X.ndim != 2:
        raise ValueError(
            f"Expected a 2D dask array, got a {X.ndim}D array instead. Reshape "
            "your data to (n_samples, n_features)."
        )
    if any(np.isnan(size) for size in X.chunks[0]):
        raise ValueError(
            "X has unknown chunk sizes (e.g. after boolean indexing); call "
            "X.compute_chunk_sizes() first."
        )
    if X.dtype.kind not in "biuf":
        raise ValueError(
            f"X must be numeric, but it holds values of dtype {X.dtype}. Encode "
            "categorical features as numbers first."
        )
    if X.dtype not in (np.float32, np.float64):
        X = X.astype(np.float64)
    n_samples, n_features = X.shape
    if n_features == 0:
        raise ValueError(
            f"Found array with 0 feature(s) (shape={X.shape}) while a minimum of "
            "1 is required."
        )
    if n_samples < min_samples:
        raise ValueError(
            f"Found array with {n_samples} sample(s) (shape={X.shape}) while a "
            f"minimum of {min_samples} is required."
        )
    _check_n_features(estimator, X, reset=reset)
    _check_feature_names(estimator, X, reset=reset)
    if len(X.chunks[1]) > 1:
        X = X.rechunk({1: -1})
    return X


def dask_sample_weight(sample_weight, X):
    """Sample weights as a 1-D dask array chunked as the rows of X, or None.

    A numpy array (or list) is checked at once; a dask array is checked by
    the chunk tasks (finite, non-negative) when it is read.
    """
    if sample_weight is None:
        return None
    import dask.array as da

    if not is_dask_array(sample_weight):
        sample_weight = check_sample_weight(sample_weight, X)
        return da.from_array(sample_weight, chunks=(X.chunks[0],))
    if sample_weight.shape != (X.shape[0],):
        raise ValueError(
            f"sample_weight has shape {sample_weight.shape} but X has "
            f"{X.shape[0]} rows; pass one weight per row."
        )
    if sample_weight.dtype.kind not in "biuf":
        raise ValueError(
            f"sample_weight must be numeric; got an array of dtype "
            f"{sample_weight.dtype}."
        )
    return sample_weight.astype(np.float64).rechunk((X.chunks[0],))


def _check_chunk(X, sample_weight, index):
    """The checks of validate_X and check_sample_weight, on one chunk of rows."""
    if not np.all(np.isfinite(X)):
        raise ValueError(
            f"Input X contains NaN or infinity (in row chunk {index} of the dask "
            "array)."
        )
    if not np.all(np.isfinite(sample_weight)):
        raise ValueError(
            "sample_weight contains NaN or infinity; weights must be finite "
            f"(row chunk {index})."
        )
    if np.any(sample_weight < 0):
        raise ValueError(
            "sample_weight contains negative values; weights must be >= 0 "
            f"(row chunk {index})."
        )


# ------------------------------------------------------------------- fitting
def _chunk_task(X, sample_weight, params, covariance_type, check, index, function):
    X = np.asarray(X)
    if sample_weight is None:
        sample_weight = np.ones(X.shape[0])
    sample_weight = np.asarray(sample_weight, dtype=np.float64)
    if check:
        _check_chunk(X, sample_weight, index)
    with task_threads():
        return function(X, sample_weight, params, covariance_type)


def dask_moments(
    X, sample_weight, params, covariance_type, *, check=False, chunk_function=None
):
    """E-step statistics of a whole dask array, merged in a fixed tree.

    Parameters
    ----------
    X : dask array of shape (n_samples, n_features), one chunk of columns
    sample_weight : 1-D dask array chunked as the rows of X, or None
    params : tuple (weights, means, precisions_cholesky)
    covariance_type : str
    check : bool, default=False
        Check every chunk for NaN, infinity and negative weights (the first
        pass over the data does).
    chunk_function : callable, default=None
        ``chunk_function(X, sample_weight, params, covariance_type)`` -> the
        Moments of one chunk; None is
        :func:`~skgenfund.mixture._moments.chunk_moments`.

    Returns
    -------
    moments : skgenfund.mixture._moments.Moments
        Computed with the current dask scheduler (a ``distributed.Client``
        when one is active).
    """
    import dask

    function = chunk_moments if chunk_function is None else chunk_function
    blocks = X.to_delayed().ravel()
    weights = (
        [None] * len(blocks)
        if sample_weight is None
        else sample_weight.to_delayed().ravel()
    )
    shared = dask.delayed(tuple(params), pure=True)
    task = dask.delayed(_chunk_task, pure=True)
    pieces = [
        task(block, weight, shared, covariance_type, check, index, function)
        for index, (block, weight) in enumerate(zip(blocks, weights))
    ]
    merge = dask.delayed(reduce_moments, pure=True)
    while len(pieces) > 1:
        pieces = [
            merge(covariance_type, *pieces[start : start + SPLIT_EVERY])
            for start in range(0, len(pieces), SPLIT_EVERY)
        ]
    (moments,) = dask.compute(pieces[0])
    return moments


def initial_sample(X, sample_weight, random_state, n_rows):
    """The rows an initialisation sees: whole chunks of X drawn at random.

    A permutation of the row chunks is drawn from ``random_state``; chunks are
    taken in that order until they hold at least ``n_rows`` rows (all of X
    when it is smaller), and the chosen chunks, in their order in X, are
    computed and concatenated.

    Returns
    -------
    X_sample : ndarray of shape (n_sample, n_features)
    sample_weight : ndarray of shape (n_sample,) or None
    """
    import dask

    sizes = np.asarray(X.chunks[0])
    order = random_state.permutation(len(sizes))
    n_chunks = int(np.searchsorted(np.cumsum(sizes[order]), n_rows)) + 1
    chosen = np.sort(order[:n_chunks])
    blocks = [X.blocks[i] for i in chosen]
    weights = [] if sample_weight is None else [sample_weight.blocks[i] for i in chosen]
    blocks, weights = dask.compute(blocks, weights)
    X_sample = np.concatenate(blocks)
    return X_sample, (np.concatenate(weights) if weights else None)


# ----------------------------------------------------------------- inference
def _block_inference(X, params, covariance_type, method, function):
    X = as_kernel_input(np.asarray(X))
    if not np.all(np.isfinite(X)):
        raise ValueError("Input X contains NaN or infinity.")
    with task_threads():
        return function(X, *params, covariance_type, method)


def lazy_inference(X, params, covariance_type, output, inference_function=None):
    """``score_samples``, ``predict`` or ``predict_proba`` of X as a lazy dask array.

    Parameters
    ----------
    X : dask array of shape (n_samples, n_features), one chunk of columns
    params : tuple (weights, means, precisions_cholesky)
    covariance_type : str
    output : {"score_samples", "predict", "predict_proba"}
    inference_function : callable, default=None
        ``inference_function(X, *params, covariance_type, output)`` for one
        block; None is :func:`skgenfund.mixture._steps.inference`.

    Returns
    -------
    result : dask array, chunked as the rows of X
    """
    # (not "output": blockwise has an argument of that name)
    function = inference if inference_function is None else inference_function
    kwargs = dict(
        params=params, covariance_type=covariance_type, method=output, function=function
    )
    if output == "predict_proba":
        n_components = len(params[0])
        return X.map_blocks(
            _block_inference,
            chunks=(X.chunks[0], (n_components,)),
            dtype=np.float64,
            meta=np.empty((0, 0)),
            **kwargs,
        )
    dtype = np.int64 if output == "predict" else np.float64
    return X.map_blocks(
        _block_inference,
        drop_axis=1,
        dtype=dtype,
        meta=np.empty(0, dtype=dtype),
        **kwargs,
    )
