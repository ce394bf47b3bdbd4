"""Missing values: EM over NaN entries, marginal densities and imputation.

A missing entry is one more latent variable of a Gaussian mixture (and of a
single Gaussian, a mixture of one component). For a row with observed
coordinates o and missing coordinates m, and a component with mean mu and
covariance S (Ghahramani and Jordan, 1994):

* E-step: the row's density is the marginal ``N(x_o | mu_o, S_oo)``, which
  gives the responsibilities and the observed-data log-likelihood;
* the missing block given the observed one and the component is Gaussian,
  with mean ``mu_m + G (x_o - mu_o)``, ``G = S_mo inv(S_oo)``, and
  covariance ``C = S_mm - G S_om``;
* M-step: the weighted moments of the completed rows (observed entries and
  conditional means), with ``C`` added to the second moments of the
  missing block.

Rows are grouped by missingness pattern, so that the factors (the Cholesky
factor of ``inv(S_oo)``, G and C) are computed once per pattern, component and
iteration, for all patterns of one size in batched LAPACK calls. The pass over
the rows runs in a Numba kernel (:mod:`._missing_kernels`) for large problems
and in NumPy, pattern by pattern, for small ones (no compilation); which one
depends on the sizes of the data only. Both return the M-step's statistics
as :class:`~._moments.Moments`, so the M-step is the complete-data one.
"""

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from .._core.gaussian import (
    compute_precision_cholesky,
    covariances_from_cholesky,
    estimate_gaussian_parameters,
    log_gaussian_prob,
    sample_gaussian,
)
from .._core.special import log_normalize
from .._core.validation import (
    check_option,
    check_random_state,
    constant_features,
    validate_X,
)
from . import _missing_kernels
from ._moments import Moments
from ._steps import covariances_from_scatter, threads_for

__all__ = [
    "NAN_POLICIES",
    "MissingPatterns",
    "MissingRows",
    "check_nan_policy",
    "check_not_dask",
    "fit_gaussian",
    "has_missing",
    "impute",
    "missing_inference",
    "missing_moments",
    "validate_with_nan",
]

NAN_POLICIES = ("raise", "marginalize")
IMPUTE_METHODS = ("mean", "sample")

#: The Numba kernel runs when n_samples * K * d * (d + 1) reaches this, or
#: when there are many patterns (the NumPy path costs per pattern).
KERNEL_MIN_WORK = 2_000_000
KERNEL_MIN_PATTERNS = 100
#: Memory of the per-pattern factors held at once (patterns are batched).
FACTOR_BYTES = 32 * 2**20
#: A single Gaussian's EM stops when no parameter moves by more than this,
#: relative to the scale of the covariance (EM converges linearly: the error
#: left is this times rate / (1 - rate), the rate the fraction of missing
#: information).
GAUSSIAN_TOL = 1e-12
GAUSSIAN_MAX_ITER = 1000


def check_nan_policy(nan_policy):
    """``nan_policy`` if it is "raise" or "marginalize", else a ValueError."""
    return check_option("nan_policy", nan_policy, NAN_POLICIES)


def check_not_dask(estimator):
    """A clear error for nan_policy="marginalize" with a dask array."""
    if estimator.nan_policy == "marginalize":
        raise ValueError(
            'nan_policy="marginalize" works on in-memory data only, not on dask '
            "arrays: compute X first (X.compute()), or fit in-memory pieces with "
            'partial_fit, or use nan_policy="raise".'
        )


def validate_with_nan(estimator, X, *, reset, **kwargs):
    """validate_X, accepting NaN entries when ``nan_policy="marginalize"``."""
    allow_nan = estimator.nan_policy == "marginalize"
    try:
        return validate_X(estimator, X, reset=reset, allow_nan=allow_nan, **kwargs)
    except ValueError as exc:
        if allow_nan or "NaN" not in str(exc):
            raise
        raise ValueError(
            f"{exc} To treat NaN as values missing at random, pass "
            f'nan_policy="marginalize" to {type(estimator).__name__}.'
        ) from exc


def has_missing(X):
    """Whether the validated array X holds a NaN."""
    return bool(np.isnan(X).any())


def _pattern_keys(missing):
    """One integer (or byte-string) key per row identifying its pattern."""
    packed = np.packbits(missing, axis=1)
    if packed.shape[1] <= 8:
        keys = np.zeros(len(packed), dtype=np.uint64)
        for column in packed.T:
            keys = (keys << np.uint64(8)) | column.astype(np.uint64)
        return keys
    return np.ascontiguousarray(packed).view(f"V{packed.shape[1]}").ravel()


class MissingPatterns:
    """The rows of X sorted and grouped by missingness pattern.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Validated data; NaN marks a missing entry, every row has an
        observed entry.
    sample_weight : ndarray of shape (n_samples,), default=None

    Attributes
    ----------
    X : ndarray of shape (n_samples, n_features), float64
        The rows in pattern order, missing entries set to 0.
    weights : ndarray of shape (n_samples,)
        The sample weights in the same order (ones when not given).
    order : ndarray of shape (n_samples,)
        ``X_sorted = X[order]``.
    starts : ndarray of shape (n_patterns + 1,)
        Pattern p holds the sorted rows ``starts[p]:starts[p + 1]``.
    observed : ndarray of shape (n_patterns, n_features), bool
    obs_index, mis_index : ndarray of shape (n_patterns, n_features), int64
        The sorted observed (missing) features of each pattern, padded.
    n_observed : ndarray of shape (n_patterns,), int64
    """

    def __init__(self, X, sample_weight=None):
        missing = np.isnan(X)
        empty = np.flatnonzero(missing.all(axis=1))
        if empty.size:
            rows = ", ".join(str(i) for i in empty[:10])
            more = "" if empty.size <= 10 else f" (and {empty.size - 10} more)"
            raise ValueError(
                f"Row(s) {rows}{more} of X have every entry missing (NaN), so "
                "they carry no information about the model. Drop them first, "
                "e.g. X[~np.isnan(X).all(axis=1)]."
            )
        keys = _pattern_keys(missing)
        self.order = np.argsort(keys, kind="stable")
        keys = keys[self.order]
        changes = np.flatnonzero(keys[1:] != keys[:-1]) + 1
        self.starts = np.concatenate(([0], changes, [len(keys)])).astype(np.int64)
        self.observed = ~missing[self.order[self.starts[:-1]]]
        self.n_observed = self.observed.sum(axis=1).astype(np.int64)
        n_features = X.shape[1]
        # stable argsort puts a pattern's observed features first, in order
        features = np.argsort(~self.observed, axis=1, kind="stable")
        self.obs_index = np.ascontiguousarray(features, dtype=np.int64)
        self.mis_index = np.zeros_like(self.obs_index)
        for p, n_obs in enumerate(self.n_observed):
            self.mis_index[p, : n_features - n_obs] = features[p, n_obs:]
        X_sorted = X[self.order]
        X_sorted[np.isnan(X_sorted)] = 0.0
        self.X = np.ascontiguousarray(X_sorted, dtype=np.float64)
        self.weights = (
            np.ones(len(X))
            if sample_weight is None
            else np.ascontiguousarray(sample_weight[self.order], dtype=np.float64)
        )
        self._chunks = None

    def check_features_observed(self):
        """A ValueError naming the features that no row observes."""
        empty = np.flatnonzero(~self.observed.any(axis=0))
        if empty.size:
            _raise_unobserved(empty)

    @property
    def n_patterns(self):
        return len(self.observed)

    def chunks(self):
        """The kernel's chunk layout (computed once)."""
        if self._chunks is None:
            self._chunks = _missing_kernels.chunk_layout(self.starts)
        return self._chunks

    def unsort(self, values):
        """Values computed for the sorted rows, back in the order of X."""
        out = np.empty_like(values)
        out[self.order] = values
        return out

    def batches(self, n_slots):
        """Pattern ranges whose factors fit in ``FACTOR_BYTES``."""
        n_features = self.X.shape[1]
        per_pattern = 3 * 8 * n_slots * n_features * n_features
        size = max(1, FACTOR_BYTES // per_pattern)
        for first in range(0, self.n_patterns, size):
            yield first, min(first + size, self.n_patterns)


def conditional_factors(observed, means, covariances, covariance_type):
    """Per pattern and component: the factors of the observed block.

    Parameters
    ----------
    observed : ndarray of shape (n_patterns, n_features), bool
    means : ndarray of shape (n_components, n_features)
    covariances : ndarray shaped for ``covariance_type``
    covariance_type : {"full", "tied", "diag", "spherical"}

    Returns
    -------
    factors : ndarray of shape (P, K or 1, d, d), or (P, K, 1, d) diagonal
        U with ``inv(S_oo) = U U^T`` (upper triangular) embedded at the
        observed rows and columns; for diagonal covariances ``1 / sigma`` at
        the observed features.
    log_dets : ndarray of shape (P, K or 1)
        ``log det U = -log det(S_oo) / 2``.
    regressions : ndarray of shape (P, K or 1, d, d)
        ``G = S_mo inv(S_oo)`` at the missing rows and observed columns (a
        (1, 1, 1, 1) zero for diagonal covariances, where G = 0).
    conditionals : ndarray shaped as ``factors``
        The conditional covariance ``S_mm - G S_om`` at the missing rows and
        columns, or its diagonal.
    """
    n_patterns, n_features = observed.shape
    n_components = means.shape[0]
    if covariance_type in ("diag", "spherical"):
        variances = np.broadcast_to(
            np.reshape(covariances, (n_components, -1)), (n_components, n_features)
        )
        seen = observed[:, np.newaxis, :]
        factors = np.where(seen, 1.0 / np.sqrt(variances), 0.0)
        log_dets = -0.5 * np.where(seen, np.log(variances), 0.0).sum(axis=2)
        conditionals = np.where(seen, 0.0, variances)
        return (
            np.ascontiguousarray(factors[:, :, np.newaxis, :]),
            np.ascontiguousarray(log_dets),
            np.zeros((1, 1, 1, 1)),
            np.ascontiguousarray(conditionals[:, :, np.newaxis, :]),
        )
    stack = covariances[np.newaxis] if covariance_type == "tied" else covariances
    n_slots = len(stack)
    shape = (n_patterns, n_slots, n_features, n_features)
    factors, regressions, conditionals = (
        np.zeros(shape),
        np.zeros(shape),
        np.zeros(shape),
    )
    log_dets = np.zeros((n_patterns, n_slots))
    n_observed = observed.sum(axis=1)
    slots = np.arange(n_slots)[np.newaxis, :, np.newaxis, np.newaxis]
    for n_obs in np.unique(n_observed):
        selected = np.flatnonzero(n_observed == n_obs)
        rows = selected[:, np.newaxis, np.newaxis, np.newaxis]
        obs = np.nonzero(observed[selected])[1].reshape(len(selected), n_obs)
        mis = np.nonzero(~observed[selected])[1].reshape(len(selected), -1)
        o_rows, o_cols = obs[:, None, :, None], obs[:, None, None, :]
        S_oo = np.swapaxes(stack[:, obs[:, :, None], obs[:, None, :]], 0, 1)
        try:
            lower = np.linalg.cholesky(S_oo)
        except np.linalg.LinAlgError as exc:
            raise ValueError(
                "A covariance's observed block is not positive definite; "
                "increase reg_covar."
            ) from exc
        U = np.swapaxes(np.linalg.inv(lower), -1, -2)
        factors[rows, slots, o_rows, o_cols] = U
        log_dets[selected] = -np.log(np.diagonal(lower, axis1=-2, axis2=-1)).sum(-1)
        if n_obs == n_features:
            continue
        S_mo = np.swapaxes(stack[:, mis[:, :, None], obs[:, None, :]], 0, 1)
        S_mm = np.swapaxes(stack[:, mis[:, :, None], mis[:, None, :]], 0, 1)
        A = S_mo @ U
        m_rows, m_cols = mis[:, None, :, None], mis[:, None, None, :]
        regressions[rows, slots, m_rows, o_cols] = A @ np.swapaxes(U, -1, -2)
        conditionals[rows, slots, m_rows, m_cols] = S_mm - A @ np.swapaxes(A, -1, -2)
    return factors, log_dets, regressions, conditionals


def _log_weights(weights):
    with np.errstate(divide="ignore"):
        return np.log(np.asarray(weights, dtype=np.float64))


def _use_kernel(data, n_components):
    n_samples, n_features = data.X.shape
    work = n_samples * n_components * n_features * (n_features + 1)
    return (
        work >= KERNEL_MIN_WORK or data.n_patterns * n_components >= KERNEL_MIN_PATTERNS
    )


class _Pattern:
    """One pattern's rows and factors, for the NumPy path."""

    def __init__(self, data, p, first, factors, log_dets, regressions, conditionals):
        n_features = data.X.shape[1]
        n_obs = data.n_observed[p]
        self.obs = data.obs_index[p, :n_obs]
        self.mis = data.mis_index[p, : n_features - n_obs]
        self.rows = slice(data.starts[p], data.starts[p + 1])
        self.X_obs = data.X[self.rows][:, self.obs]
        self.diagonal = factors.shape[2] == 1 and n_features > 1
        local = p - first
        self.factors = factors[local]
        self.regressions = regressions[min(local, len(regressions) - 1)]
        self.conditionals = conditionals[local]

    def slot(self, k):
        return 0 if len(self.factors) == 1 else k

    def residuals(self, k, means):
        return self.X_obs - means[k, self.obs]

    def log_resp(self, log_weights, means):
        """Per-row log-likelihood, log-responsibilities and residuals.

        The marginal densities ``N(x_o | mu_o, S_oo)`` come from the core's
        Gaussian log-density, given the observed blocks' precision factors.
        """
        if self.diagonal:
            factors, covariance_type = self.factors[:, 0][:, self.obs], "diag"
        else:
            factors = self.factors[:, self.obs][:, :, self.obs]
            covariance_type = "full"
            if len(factors) == 1:
                factors, covariance_type = factors[0], "tied"
        log_prob = log_gaussian_prob(
            self.X_obs, means[:, self.obs], factors, covariance_type
        )
        log_resp, log_norm = log_normalize(log_prob + log_weights, axis=1)
        residuals = [self.residuals(k, means) for k in range(len(means))]
        return log_norm, log_resp, residuals

    def conditional_mean(self, k, residual):
        """E[x_m - mu_m | x_o, component k] of each row."""
        if self.diagonal or not len(self.mis):
            return np.zeros((len(residual), len(self.mis)))
        G = self.regressions[self.slot(k)][np.ix_(self.mis, self.obs)]
        return residual @ G.T

    def conditional_covariance(self, k):
        slot = self.slot(k)
        if self.diagonal:
            return np.diag(self.conditionals[slot, 0, self.mis])
        return self.conditionals[slot][np.ix_(self.mis, self.mis)]


def _patterns(data, first, last, params, covariance_type):
    """The NumPy path's patterns of one batch (factors computed once)."""
    _, means, covariances = params
    factors = conditional_factors(
        data.observed[first:last], means, covariances, covariance_type
    )
    for p in range(first, last):
        yield _Pattern(data, p, first, *factors)


def _n_slots(covariance_type, n_components):
    return 1 if covariance_type == "tied" else n_components


def _moments_numpy(data, params, covariance_type, nk, s1, S):
    """The kernel's statistics (about the E-step's means), pattern by pattern."""
    weights, means, _ = params
    log_weights = _log_weights(weights)
    diagonal = S.shape[1] == 1
    log_likelihood = 0.0
    n_features = data.X.shape[1]
    for first, last in data.batches(_n_slots(covariance_type, len(means))):
        for pattern in _patterns(data, first, last, params, covariance_type):
            w = data.weights[pattern.rows]
            log_norm, log_resp, residuals = pattern.log_resp(log_weights, means)
            log_likelihood += float(w @ log_norm)
            resp = np.exp(log_resp) * w[:, np.newaxis]
            for k, residual in enumerate(residuals):
                completed = np.empty((len(residual), n_features))
                completed[:, pattern.obs] = residual
                completed[:, pattern.mis] = pattern.conditional_mean(k, residual)
                total = resp[:, k].sum()
                nk[k] += total
                s1[k] += resp[:, k] @ completed
                mis = pattern.mis
                if diagonal:
                    S[k, 0] += resp[:, k] @ completed**2
                    S[k, 0, mis] += total * np.diag(pattern.conditional_covariance(k))
                else:
                    S[k] += (completed * resp[:, k, np.newaxis]).T @ completed
                    S[k][np.ix_(mis, mis)] += total * pattern.conditional_covariance(k)
    return log_likelihood


def _run_kernel(data, params, covariance_type, S_shape, out=None, lse_out=None):
    """Run the Numba kernel batch by batch of patterns.

    With ``out`` None (fit), return the statistics summed over blocks and
    batches in a fixed order: nk (K,), s1 (K, d), S (``S_shape``) and the
    weighted log-likelihood. Otherwise write the log-responsibilities and
    log-likelihoods of the sorted rows to ``out`` and ``lse_out``.
    """
    weights, means, covariances = params
    n_components, n_features = np.shape(means)
    log_weights = _log_weights(weights)
    means = np.ascontiguousarray(means, dtype=np.float64)
    fit = out is None
    if fit:
        out, lse_out = np.empty((0, n_components)), np.empty(0)
    shapes = ((n_components,), (n_components, n_features), S_shape, ())
    totals = [np.zeros(shape) for shape in shapes]
    chunk_pattern, chunk_start, chunk_rows = data.chunks()
    chunk_bounds = np.searchsorted(chunk_pattern, np.arange(data.n_patterns + 1))
    for first, last in data.batches(_n_slots(covariance_type, n_components)):
        factors = conditional_factors(
            data.observed[first:last], means, covariances, covariance_type
        )
        c0, c1 = chunk_bounds[first], chunk_bounds[last]
        blocks = _missing_kernels.block_ranges(c1 - c0)
        # one slot per block in both modes: the kernel adds each block's
        # log-likelihood to its slot (predicting too)
        parts = [np.zeros((len(blocks) - 1, *shape)) for shape in shapes]
        _missing_kernels.missing_e_step(
            data.X,
            data.weights,
            chunk_pattern[c0:c1] - first,
            chunk_start[c0:c1],
            chunk_rows[c0:c1],
            blocks,
            data.obs_index[first:last],
            data.n_observed[first:last],
            data.mis_index[first:last],
            log_weights,
            means,
            *factors,
            fit,
            out,
            lse_out,
            *parts,
            n_threads=threads_for(data.X, n_components, covariance_type),
        )
        for total, part in zip(totals, parts):
            total += part.sum(axis=0)
    return totals


def _moments_kernel(data, params, covariance_type, nk, s1, S):
    """The NumPy path's statistics from the Numba kernel."""
    nk_sum, s1_sum, S_sum, log_likelihood = _run_kernel(
        data, params, covariance_type, S.shape
    )
    nk += nk_sum
    s1 += s1_sum
    S += S_sum
    return float(log_likelihood)


def missing_moments(data, params, covariance_type):
    """One E-step over rows with missing entries, as M-step statistics.

    Parameters
    ----------
    data : MissingPatterns
    params : tuple (weights, means, covariances)
    covariance_type : {"full", "tied", "diag", "spherical"}

    Returns
    -------
    moments : Moments
        Totals, first moments of the completed rows, and their scatter
        (conditional covariances included) around the components' own
        means, in the layout of :mod:`._moments`: the M-step is the
        complete-data one.
    """
    _, means, _ = params
    n_components, n_features = means.shape
    diagonal = covariance_type in ("diag", "spherical") and n_features > 1
    nk = np.zeros(n_components)
    s1 = np.zeros((n_components, n_features))
    S = np.zeros((n_components, 1 if diagonal else n_features, n_features))
    path = _moments_kernel if _use_kernel(data, n_components) else _moments_numpy
    log_likelihood = path(data, params, covariance_type, nk, s1, S)
    # move the second moments from the E-step's means to the own means
    delta = np.zeros_like(s1)
    np.divide(s1, nk[:, np.newaxis], out=delta, where=nk[:, np.newaxis] > 0)
    if diagonal:
        S -= (nk[:, np.newaxis] * delta**2)[:, np.newaxis, :]
    else:
        S -= nk[:, np.newaxis, np.newaxis] * delta[:, :, np.newaxis] * delta[:, None]
    if covariance_type == "tied":
        S = S.sum(axis=0, keepdims=True)
    sums = nk[:, np.newaxis] * means + s1
    return Moments(float(data.weights.sum()), log_likelihood, nk, sums, S)


def missing_inference(X, weights, means, covariances, covariance_type, output):
    """score_samples, predict or predict_proba on rows with missing entries.

    Each row's density is the mixture of the marginal densities of its
    observed coordinates.
    """
    data = MissingPatterns(X)
    log_weights = _log_weights(weights)
    n_components = len(means)
    log_norm = np.empty(len(X))
    log_resp = np.empty((len(X), n_components))
    params = (weights, means, covariances)
    if _use_kernel(data, n_components):
        _run_kernel(data, params, covariance_type, (1, 1, 1), log_resp, log_norm)
    else:
        for first, last in data.batches(_n_slots(covariance_type, n_components)):
            for pattern in _patterns(data, first, last, params, covariance_type):
                rows = pattern.rows
                log_norm[rows], log_resp[rows], _ = pattern.log_resp(log_weights, means)
    if output == "score_samples":
        return data.unsort(log_norm)
    log_resp = data.unsort(log_resp)
    if output == "predict":
        return log_resp.argmax(axis=1)
    return np.exp(log_resp)


def impute(X, weights, means, covariances, covariance_type, method, random_state):
    """X with each NaN replaced by E[x_miss | x_obs] or a draw of p(x_miss | x_obs).

    Under a mixture, ``p(x_m | x_o) = sum_k r_k(x_o) N(x_m | m_k, C_k)`` with
    the responsibilities ``r_k`` of the observed block: "mean" returns
    ``sum_k r_k m_k``; "sample" draws a component from ``r`` and then
    ``x_m`` from that component's conditional Gaussian. Observed entries are
    copied unchanged.
    """
    check_option("method", method, IMPUTE_METHODS)
    rng = check_random_state(random_state) if method == "sample" else None
    X = np.array(X, dtype=np.float64)
    if not has_missing(X):
        return X
    data = MissingPatterns(X)
    log_weights = _log_weights(weights)
    n_components = len(means)
    completed = data.X.copy()
    params = (weights, means, covariances)
    for first, last in data.batches(_n_slots(covariance_type, n_components)):
        for pattern in _patterns(data, first, last, params, covariance_type):
            if not len(pattern.mis):
                continue
            _, log_resp, residuals = pattern.log_resp(log_weights, means)
            resp = np.exp(log_resp)
            conditional = np.stack(
                [
                    means[k, pattern.mis] + pattern.conditional_mean(k, residual)
                    for k, residual in enumerate(residuals)
                ],
                axis=1,
            )  # (n_rows, K, n_missing)
            if method == "mean":
                values = np.einsum("ik,ikj->ij", resp, conditional)
            else:
                cumulative = np.cumsum(resp, axis=1)
                draws = rng.uniform(size=(len(resp), 1)) * cumulative[:, -1:]
                labels = np.minimum((draws > cumulative).sum(axis=1), n_components - 1)
                values = conditional[np.arange(len(resp)), labels]
                for k in range(n_components):
                    chosen = np.flatnonzero(labels == k)
                    if chosen.size:
                        values[chosen] += sample_gaussian(
                            rng,
                            np.zeros(len(pattern.mis)),
                            pattern.conditional_covariance(k),
                            "full",
                            chosen.size,
                        )
            block = completed[pattern.rows]
            block[:, pattern.mis] = values
            completed[pattern.rows] = block
    return data.unsort(completed)


def column_means(X, sample_weight):
    """Weighted mean of the observed entries of each column of X.

    Raises a ValueError naming the features that have no observed entry
    (of positive weight).
    """
    observed = ~np.isnan(X)
    weight = sample_weight[:, np.newaxis] * observed
    totals = weight.sum(axis=0)
    empty = np.flatnonzero(totals <= 0)
    if empty.size:
        _raise_unobserved(empty)
    return np.where(observed, X, 0.0).T @ sample_weight / totals


def _raise_unobserved(features):
    names = ", ".join(str(i) for i in features[:10])
    raise ValueError(
        f"Feature(s) {names} of X have no observed value (every entry is NaN or "
        "has zero weight), so nothing can be learned about them; drop those "
        "columns."
    )


def mean_imputed(X, sample_weight):
    """X with each NaN replaced by its column's observed mean (the EM start)."""
    X = np.asarray(X, dtype=np.float64)
    return np.where(np.isnan(X), column_means(X, sample_weight), X)


class MissingRows:
    """Rows with NaN entries, in memory: a mixture's data source for EM over them.

    The interface of the mixtures' other data sources: the rows the
    initialisation sees (:meth:`initial_rows`, mean-imputed), the checks of
    the rows (:meth:`check_rows`), and one E-step's
    :class:`~._moments.Moments` for given parameters (:meth:`moments`), so
    that the M-step and the EM loop are the complete-data ones.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Validated, with NaN marking the missing entries.
    sample_weight : ndarray of shape (n_samples,)
        Validated weights.
    """

    def __init__(self, X, sample_weight):
        self.patterns = MissingPatterns(X, sample_weight)
        self.X = X
        self.sample_weight = sample_weight
        self.n_samples, self.n_features = X.shape
        self._filled = None

    def check_rows(self, estimator):
        """Enough rows for the components, and every feature observed."""
        estimator._check_enough_rows(self.sample_weight)
        self.patterns.check_features_observed()

    def initial_rows(self, estimator=None, random_state=None):
        """X with each NaN replaced by its column's observed mean, and the weights.

        EM starts from there (``init_params`` runs on these rows) and then
        corrects what mean imputation distorts.
        """
        if self._filled is None:  # once for the n_init initialisations
            self._filled = mean_imputed(self.X, self.sample_weight)
        return self._filled, self.sample_weight

    def moments(self, params, covariance_type, *, log_weights=False):
        """One E-step over the holes; ``params`` = (weights, means, factors)."""
        if log_weights:
            raise ValueError(
                'nan_policy="marginalize" is available for EMGaussianMixture and '
                "GaussianMLE, not for the variational mixture."
            )
        weights, means, precisions_cholesky = params
        covariances = covariances_from_cholesky(precisions_cholesky, covariance_type)
        return missing_moments(
            self.patterns, (weights, means, covariances), covariance_type
        )


def fit_gaussian(X, sample_weight, covariance_type, reg_covar):
    """Maximum-likelihood Gaussian of data with missing entries, by EM.

    EM (a mixture of one component) starts from the mean-imputed data's
    estimate and stops when no mean or covariance entry moves by more than
    ``GAUSSIAN_TOL`` relative to the largest variance (``GAUSSIAN_MAX_ITER``
    iterations at most, with a ConvergenceWarning).

    Returns
    -------
    mean : ndarray of shape (1, n_features)
    covariance : ndarray of shape (1, d, d), (1, d) or (1,) (with reg_covar)
    n_iter : int
    """
    filled = mean_imputed(X, sample_weight)
    data = MissingPatterns(X, sample_weight)
    _, means, covariances = estimate_gaussian_parameters(
        filled,
        np.ones((len(X), 1)),
        reg_covar,
        covariance_type,
        sample_weight=sample_weight,
        empty_guard=False,
    )
    variances = (
        np.diagonal(covariances[0])
        if covariance_type == "full"
        else np.atleast_2d(covariances)[0]
    )
    constant = constant_features(filled, variances, sample_weight)  # range check
    if reg_covar == 0 and np.any(constant):
        features = ", ".join(str(i) for i in np.flatnonzero(constant)[:10])
        raise ValueError(
            f"Feature(s) {features} of X are constant over their observed "
            "entries, so the Gaussian covariance is singular. Drop them or set "
            "reg_covar > 0."
        )
    for n_iter in range(1, GAUSSIAN_MAX_ITER + 1):
        compute_precision_cholesky(covariances, covariance_type)  # clear error
        previous_means, previous_covariances = means, covariances
        moments = missing_moments(
            data, (np.ones(1), means, covariances), covariance_type
        )
        means = moments.sums / moments.nk[:, np.newaxis]
        covariances = covariances_from_scatter(
            moments.scatter, moments.nk, reg_covar, covariance_type
        )
        change = max(
            np.max(np.abs(means - previous_means)) / np.sqrt(np.max(covariances)),
            np.max(np.abs(covariances - previous_covariances)) / np.max(covariances),
        )
        if change < GAUSSIAN_TOL:
            return means, covariances, n_iter
    warnings.warn(
        f"EM over the missing entries did not converge in {GAUSSIAN_MAX_ITER} "
        "iterations; the estimate may be off. With this much missing data the "
        "likelihood may be flat: check that every feature is observed often.",
        ConvergenceWarning,
        stacklevel=3,
    )
    return means, covariances, GAUSSIAN_MAX_ITER
