"""Where a mixture's rows live, behind one interface: memory or a dask array.

A Gaussian mixture fit (EM, online EM, variational Bayes) asks its data for
four things, and nothing else:

* the rows an initialisation sees (:meth:`initial_rows`): all of them in
  memory, a random sample of whole chunks of a dask array;
* the total weight, weighted mean and scatter of the data
  (:meth:`mean_and_scatter`, the variational mixture's default priors);
* for given parameters, one E-step's weighted moments (:meth:`moments`): a
  :class:`~skgenfund.mixture._moments.Moments` (total weight,
  log-likelihood, responsibility totals, first moments, scatter around its
  own means), computed in one pass in memory, or per chunk and merged in a
  fixed tree (:mod:`skgenfund.mixture._dask`);
* the checks of the rows (:meth:`check_rows`).

The E-step's component weights are given either as ``weights`` (EM) or as
``log_weights`` (variational Bayes, whose expected log-weights can lie beyond
the range of ``exp``), both through
:func:`~skgenfund.mixture._steps.e_step_scatter_sums` (one pass over the rows
on the kernel path).
The mixtures then run one straight loop, whatever holds the data.
"""

import numpy as np
from sklearn.utils import check_array

from .._core.validation import check_sample_weight, validate_X
from . import _dask, _missing
from ._dask import is_dask_array
from ._moments import Moments, chunk_moments
from ._steps import as_kernel_input

__all__ = ["DaskRows", "InMemoryRows", "data_source", "log_weight_chunk_moments"]


def log_weight_chunk_moments(X, sample_weight, params, covariance_type):
    """:func:`~skgenfund.mixture._moments.chunk_moments` with log-weights.

    ``params`` is (log_weights, means, precisions_cholesky).
    """
    return chunk_moments(X, sample_weight, params, covariance_type, log_weights=True)


def _data_moments_of(X, sample_weight, params, covariance_type):
    """One "component" holding every row: total weight, sum, scatter at the mean."""
    X = as_kernel_input(X)
    total = float(sample_weight.sum())
    mean = (sample_weight @ X) / total if total > 0 else np.zeros(X.shape[1])
    diff = X - mean
    scatter = (sample_weight * diff.T) @ diff
    return Moments(
        total, 0.0, np.array([total]), (total * mean)[np.newaxis], scatter[np.newaxis]
    )


def _total_mean_scatter(moments):
    """Total weight, weighted mean and (d, d) scatter around it."""
    total = float(moments.nk[0])
    upper = np.triu(moments.scatter[0])
    return total, moments.sums[0] / total, upper + np.triu(upper, 1).T


class InMemoryRows:
    """Rows held in memory (validated, float32 kept, weights checked)."""

    def __init__(
        self, estimator, X, sample_weight, *, reset, min_samples, validated=False
    ):
        if not validated:
            X = validate_X(estimator, X, reset=reset, min_samples=min_samples)
        self.sample_weight = check_sample_weight(sample_weight, X)
        self.X = as_kernel_input(X)
        self.n_samples, self.n_features = self.X.shape

    def check_rows(self, estimator):
        estimator._check_enough_rows(self.sample_weight)

    def initial_rows(self, estimator, random_state):
        return self.X, self.sample_weight

    def mean_and_scatter(self):
        """Total weight, weighted mean and the (d, d) weighted scatter around it."""
        return _total_mean_scatter(
            _data_moments_of(self.X, self.sample_weight, None, "full")
        )

    def moments(self, params, covariance_type, *, log_weights=False):
        """One E-step's Moments; ``params`` = (weights, means, factors).

        With ``log_weights=True`` the first entry of ``params`` holds the
        components' log-weights.
        """
        return chunk_moments(
            self.X,
            self.sample_weight,
            params,
            covariance_type,
            log_weights=log_weights,
        )


class DaskRows:
    """Rows of a dask array chunked by rows (never gathered)."""

    def __init__(self, estimator, X, sample_weight, *, reset, min_samples):
        self.X = _dask.check_dask_X(estimator, X, reset=reset, min_samples=min_samples)
        self.sample_weight = _dask.dask_sample_weight(sample_weight, self.X)
        self.n_samples, self.n_features = self.X.shape
        self._sample = []
        self._checked = False

    def check_rows(self, estimator):
        if self.n_samples < estimator.n_components:
            raise ValueError(
                f"n_components={estimator.n_components} exceeds the number of rows "
                f"({self.n_samples}): each component needs at least one data point. "
                "Lower n_components or pass more data."
            )

    def initial_rows(self, estimator, random_state):
        """A sample of whole chunks (drawn once; the ``n_init`` starts share it)."""
        if not self._sample:
            n_rows = max(_dask.INIT_SAMPLE_ROWS, 100 * estimator.n_components)
            X_sample, weights = _dask.initial_sample(
                self.X, self.sample_weight, random_state, n_rows
            )
            X_sample = as_kernel_input(check_array(X_sample, input_name="X"))
            weights = check_sample_weight(weights, X_sample)
            estimator._check_enough_rows(weights)
            self._sample.extend([X_sample, weights])
        return tuple(self._sample)

    def _merged(self, function, params, covariance_type):
        moments = _dask.dask_moments(
            self.X,
            self.sample_weight,
            params,
            covariance_type,
            check=not self._checked,
            chunk_function=function,
        )
        self._checked = True
        if moments.weight <= 0:
            raise ValueError(
                "sample_weight is zero for every row; at least one row needs a "
                "positive weight."
            )
        return moments

    def mean_and_scatter(self):
        """As for rows in memory, merged over the chunks (Chan et al.)."""
        return _total_mean_scatter(self._merged(_data_moments_of, (), "full"))

    def moments(self, params, covariance_type, *, log_weights=False):
        """As for rows in memory, merged over the chunks in a fixed tree."""
        function = log_weight_chunk_moments if log_weights else chunk_moments
        return self._merged(function, params, covariance_type)


def data_source(estimator, X, sample_weight, *, reset=True, min_samples=2):
    """The rows of X as an :class:`InMemoryRows` or a :class:`DaskRows`.

    For an estimator with a ``nan_policy`` (EMGaussianMixture), X is validated
    by :func:`~skgenfund.mixture._missing.validate_with_nan`: NaN is an error
    that names ``nan_policy="marginalize"``, or, with that policy and NaN
    present, the rows are a :class:`~skgenfund.mixture._missing.MissingRows`
    (EM over the holes).
    """
    if is_dask_array(X):
        if hasattr(estimator, "nan_policy"):
            _missing.check_not_dask(estimator)
        return DaskRows(
            estimator, X, sample_weight, reset=reset, min_samples=min_samples
        )
    if not hasattr(estimator, "nan_policy"):
        return InMemoryRows(
            estimator, X, sample_weight, reset=reset, min_samples=min_samples
        )
    X = _missing.validate_with_nan(estimator, X, reset=reset, min_samples=min_samples)
    if _missing.has_missing(X):
        return _missing.MissingRows(X, check_sample_weight(sample_weight, X))
    return InMemoryRows(
        estimator,
        X,
        sample_weight,
        reset=reset,
        min_samples=min_samples,
        validated=True,
    )
