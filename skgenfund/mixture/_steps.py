"""The steps of EM for Gaussian mixtures, on the Numba kernels or in NumPy.

These functions turn the estimator's parameters (scikit-learn's layout, see
:mod:`skgenfund._core.gaussian`) into the kernels' arrays, run a kernel, and
reduce its per-block partial sums in a fixed order. They hold no state.

Two paths, one mathematics
--------------------------
Compiling the kernels costs seconds the first time a process needs them (they
are then cached on disk), which a small problem never pays back. A pass over
less than :data:`KERNEL_MIN_WORK` work therefore runs vectorised NumPy on
the package's one Gaussian log-density
(:func:`skgenfund._core.gaussian.log_gaussian_prob`), its one log-sum-exp
(:func:`skgenfund._core.special.log_normalize`) and its one centred scatter
(:func:`skgenfund._core.gaussian.weighted_scatter`), in float64; larger
passes run the kernels. The choice depends on the shape of the problem only
(rows, features, components, covariance type), never on the machine, the
threads or the state of the cache, so a given input always takes the same
path and a fixed ``random_state`` gives the same fit on every run. The two
paths agree to about 1e-13 relative (tested).
"""

import numpy as np

from .._core.gaussian import (
    log_det_cholesky,
    log_gaussian_prob,
    weighted_scatter,
)
from .._core.special import log_normalize
from .._core.threads import kernel_threads
from . import _kernels

__all__ = [
    "as_kernel_input",
    "covariances_from_scatter",
    "e_step",
    "e_step_scatter_sums",
    "e_step_sums",
    "em_step",
    "estimate_from_responsibilities",
    "inference",
    "log_responsibilities",
    "m_step",
    "scatter_sums",
    "uses_kernels",
]

_TRIANGULAR = ("full", "tied")

#: Per (row, component) pair, the NumPy path spends about as much time more
#: than the kernels on its fixed costs (temporaries, the exponential and the
#: log-sum-exp, Python per component) as on this many flops of the
#: log-density (measured: about 0.1 us more per pair for a few features; its
#: flops run in BLAS, at a rate close to the kernels').
NUMPY_PAIR_COST = 1000

#: Passes over the data of less work than this (see :func:`numpy_work`) run
#: in NumPy, larger ones in the compiled kernels (see the module notes):
#: about 50,000 (row, component) pairs for a few features (10,000 rows and 5
#: components), fewer for many. At this size the NumPy path costs about 5 ms
#: per EM iteration more than the kernels would, so that even 100
#: iterations cost less than compiling them; NumPy is then still faster than
#: scikit-learn's EM for "full" covariances, and within 2x of it for "diag".
KERNEL_MIN_WORK = 50_000_000

#: Below this many flops per kernel call the kernels run on one thread: waking
#: and joining threads costs more than it saves (much more on a busy machine).
PARALLEL_MIN_FLOPS = 4_000_000


def _flops_per_pass(n_samples, n_features, n_components, covariance_type):
    """Flops of one E-step (or scatter) pass: the size of a problem."""
    per_row = n_features + 1 if covariance_type in _TRIANGULAR else 3
    return n_samples * n_components * n_features * per_row


def numpy_work(n_samples, n_features, n_components, covariance_type):
    """What one pass costs on the NumPy path beyond the kernels, in flops."""
    flops = _flops_per_pass(n_samples, n_features, n_components, covariance_type)
    return flops + NUMPY_PAIR_COST * n_samples * n_components


def uses_kernels(n_samples, n_features, n_components, covariance_type):
    """Whether a pass over data of this shape runs the compiled kernels.

    False means the NumPy path. A function of the shape only, so that the
    same input always takes the same path.
    """
    work = numpy_work(n_samples, n_features, n_components, covariance_type)
    return work >= KERNEL_MIN_WORK


def threads_for(X, n_components, covariance_type):
    """Threads for a kernel pass over X: one for small passes (see above).

    Larger passes use :func:`skgenfund._core.threads.kernel_threads`; the
    result does not depend on the choice.
    """
    flops = _flops_per_pass(*X.shape, n_components, covariance_type)
    return kernel_threads() if flops >= PARALLEL_MIN_FLOPS else 1


def as_kernel_input(X):
    """X as a C-contiguous float32 or float64 array (float32 is kept, not copied)."""
    if X.dtype not in (np.float32, np.float64):
        X = X.astype(np.float64)
    return np.ascontiguousarray(X)


def _kernel_parameters(weights, means, precisions_cholesky, covariance_type):
    """Arrays of the kernels: log-weights, means, precision factors, log-dets."""
    means = np.ascontiguousarray(means, dtype=np.float64)
    n_components, n_features = means.shape
    precisions_cholesky = np.asarray(precisions_cholesky, dtype=np.float64)
    log_dets = np.broadcast_to(
        log_det_cholesky(precisions_cholesky, covariance_type, n_features),
        (n_components,),
    )
    # the kernel's layout: (K or 1, d, d) triangular factors, (K, 1, d) diagonals
    if covariance_type == "full":
        factors = precisions_cholesky
    elif covariance_type == "tied":
        factors = precisions_cholesky[np.newaxis]
    elif covariance_type == "diag":
        factors = precisions_cholesky[:, np.newaxis, :]
    else:
        factors = np.repeat(precisions_cholesky[:, np.newaxis], n_features, axis=1)
        factors = factors[:, np.newaxis, :]
    with np.errstate(divide="ignore"):
        log_weights = np.log(np.asarray(weights, dtype=np.float64))
    # fresh writable copies (a few numbers): a read-only or broadcast array
    # would be another type to Numba, hence another compilation
    return tuple(
        np.array(value, dtype=np.float64, order="C")
        for value in (log_weights, means, factors, log_dets)
    )


def _partials(n_samples, n_components, n_features):
    # the plain-Python twin of the kernels' block count: nothing to compile
    _, n_blocks = _kernels.block_count.py_func(n_samples)
    return (
        np.zeros((n_blocks, n_components)),
        np.zeros((n_blocks, n_components, n_features)),
        np.zeros(n_blocks),
    )


def _as_float64(X):
    return np.asarray(X, dtype=np.float64)


def _log_weights(weights, log_weights):
    """The per-component constants of the E-step: ``log_weights`` or log(weights)."""
    if log_weights is not None:
        return np.array(log_weights, dtype=np.float64)
    with np.errstate(divide="ignore"):
        return np.log(_as_float64(weights))


def _kernel_arguments(weights, log_weights, means, precisions_cholesky, ct):
    """:func:`_kernel_parameters` with the E-step's constants (see e_step_sums)."""
    n_components = len(means)
    _, means, factors, log_dets = _kernel_parameters(
        np.ones(n_components), means, precisions_cholesky, ct
    )
    return _log_weights(weights, log_weights), means, factors, log_dets


def _numpy_log_responsibilities(X, log_weights, means, precisions_cholesky, ct):
    """The NumPy path of the E-step: log-responsibilities and row log-likelihoods."""
    log_prob = log_gaussian_prob(
        _as_float64(X), _as_float64(means), _as_float64(precisions_cholesky), ct
    )
    log_prob += log_weights
    return log_normalize(log_prob, axis=1)


def _numpy_first_moments(X, resp):
    return resp.sum(axis=0), resp.T @ _as_float64(X)


def e_step_sums(
    X,
    sample_weight,
    weights,
    means,
    precisions_cholesky,
    covariance_type,
    out,
    *,
    log_weights=None,
):
    """One E-step: responsibilities, their first moments and the log-likelihood.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), C-contiguous float32/float64
    sample_weight : ndarray of shape (n_samples,), float64
    weights, means, precisions_cholesky : the current parameters
    covariance_type : {"full", "tied", "diag", "spherical"}
    out : ndarray of shape (n_samples, n_components), float64
        Overwritten with the responsibilities times the sample weights.
    log_weights : ndarray of shape (n_components,), default=None
        Constants added to each component's log-density in place of
        ``log(weights)`` (``weights`` is then ignored and may be None): a
        variational E-step's expected log-weights and corrections.

    Returns
    -------
    log_likelihood : float
        Weighted sum over the rows of log p(x) under the current parameters
        (of the log-normaliser of the responsibilities, with ``log_weights``).
    nk : ndarray of shape (n_components,)
        Weighted responsibility totals.
    sums : ndarray of shape (n_components, n_features)
        Weighted responsibility sums of the rows.
    """
    n_samples, n_features = X.shape
    n_components = len(means)
    kernel_args = _kernel_arguments(
        weights, log_weights, means, precisions_cholesky, covariance_type
    )
    if not uses_kernels(*X.shape, n_components, covariance_type):
        log_resp, log_prob_norm = _numpy_log_responsibilities(
            X, kernel_args[0], means, precisions_cholesky, covariance_type
        )
        with np.errstate(under="ignore"):
            np.exp(log_resp, out=out)
        # a row that every component finds impossible gets no weight (as in
        # the kernels) rather than NaN responsibilities
        out[log_prob_norm == -np.inf] = 0.0
        out *= sample_weight[:, np.newaxis]
        with np.errstate(invalid="ignore"):
            log_likelihood = float(np.sum(sample_weight * log_prob_norm))
        return (log_likelihood, *_numpy_first_moments(X, out))
    nk_part, sx_part, ll_part = _partials(n_samples, n_components, n_features)
    _kernels.e_step(
        X,
        sample_weight,
        kernel_args[1],
        kernel_args[2],
        kernel_args[0],
        kernel_args[3],
        True,
        out,
        np.empty(0),
        nk_part,
        sx_part,
        ll_part,
        n_threads=threads_for(X, n_components, covariance_type),
    )
    return float(ll_part.sum()), nk_part.sum(axis=0), sx_part.sum(axis=0)


def e_step(X, sample_weight, weights, means, precisions_cholesky, covariance_type, out):
    """:func:`e_step_sums` with the log-likelihood as a weighted mean.

    Returns
    -------
    mean_log_likelihood : float
        Weighted mean over the rows of log p(x) under the current parameters
        (the EM lower bound, scikit-learn's ``lower_bound_``).
    nk, sums : as :func:`e_step_sums`.
    """
    log_likelihood, nk, sums = e_step_sums(
        X, sample_weight, weights, means, precisions_cholesky, covariance_type, out
    )
    return float(log_likelihood / sample_weight.sum()), nk, sums


def log_responsibilities(
    X, weights, means, precisions_cholesky, covariance_type, *, log_weights=None
):
    """Per-row log-likelihood and log-responsibilities (no sample weights).

    ``log_weights``: as for :func:`e_step_sums`.

    Returns
    -------
    log_prob_norm : ndarray of shape (n_samples,)
    log_resp : ndarray of shape (n_samples, n_components)
    """
    n_samples, n_features = X.shape
    n_components = len(means)
    kernel_args = _kernel_arguments(
        weights, log_weights, means, precisions_cholesky, covariance_type
    )
    if not uses_kernels(*X.shape, n_components, covariance_type):
        log_resp, log_prob_norm = _numpy_log_responsibilities(
            X, kernel_args[0], means, precisions_cholesky, covariance_type
        )
        return log_prob_norm, log_resp
    log_resp = np.empty((n_samples, n_components))
    log_prob_norm = np.empty(n_samples)
    nk_part, sx_part, ll_part = _partials(n_samples, n_components, n_features)
    _kernels.e_step(
        X,
        np.empty(0),
        kernel_args[1],
        kernel_args[2],
        kernel_args[0],
        kernel_args[3],
        False,
        log_resp,
        log_prob_norm,
        nk_part,
        sx_part,
        ll_part,
        n_threads=threads_for(X, n_components, covariance_type),
    )
    return log_prob_norm, log_resp


def inference(
    X, weights, means, precisions_cholesky, covariance_type, output, *, log_weights=None
):
    """What the estimator's inference methods return, for validated X.

    ``output`` is "score_samples" (per-row log-likelihood), "predict" (most
    probable component) or "predict_proba" (responsibilities);
    ``log_weights`` as for :func:`e_step_sums`.
    """
    log_prob_norm, log_resp = log_responsibilities(
        X,
        weights,
        means,
        precisions_cholesky,
        covariance_type,
        log_weights=log_weights,
    )
    if output == "score_samples":
        return log_prob_norm
    if output == "predict":
        return log_resp.argmax(axis=1)
    return np.exp(log_resp)


def scatter_sums(X, resp, means, covariance_type):
    """Weighted scatter of the rows around ``means``, in the kernel's layout.

    Returns
    -------
    scatter : ndarray
        (K, d, d) for "full" and (1, d, d) for "tied" (every component's
        scatter added up), of which only the upper triangle is set;
        (K, 1, d), the weighted sums of squares per feature, for "diag" and
        "spherical".
    """
    n_samples, n_features = X.shape
    n_components = resp.shape[1]
    if not uses_kernels(*X.shape, n_components, covariance_type):
        scatter = weighted_scatter(
            _as_float64(X), resp, _as_float64(means), covariance_type
        )
        if covariance_type == "full":
            return np.triu(scatter)
        if covariance_type == "tied":
            return np.triu(scatter.sum(axis=0, keepdims=True))
        return scatter[:, np.newaxis, :]
    part = _scatter_layout(n_samples, n_components, n_features, covariance_type)
    n_threads = threads_for(X, n_components, covariance_type)
    _kernels.scatter(X, resp, means, part, n_threads)
    return part.sum(axis=0)


def covariances_from_scatter(scatter, nk, reg_covar, covariance_type):
    """Covariances from a centred scatter (:func:`scatter_sums`'s layout).

    ``nk`` are the component totals including the ``10 * eps`` guard; the
    lower triangle of a "full" or "tied" scatter is ignored.
    """
    n_features = scatter.shape[-1]
    if covariance_type in ("diag", "spherical"):
        covariances = scatter[:, 0, :] / nk[:, np.newaxis] + reg_covar
        if covariance_type == "spherical":
            covariances = covariances.mean(axis=1)
        return covariances
    upper = np.triu(scatter)
    scatter = upper + np.triu(upper, 1).transpose(0, 2, 1)
    if covariance_type == "tied":
        covariances = scatter[0] / nk.sum()
        covariances.flat[:: n_features + 1] += reg_covar
    else:
        covariances = scatter / nk[:, np.newaxis, np.newaxis]
        for covariance in covariances:
            covariance.flat[:: n_features + 1] += reg_covar
    return covariances


def m_step(X, resp, nk, sums, reg_covar, covariance_type):
    """Gaussian parameters from responsibilities and their first moments.

    Follows scikit-learn's M-step conventions: ``10 * eps`` is added to each
    component's total so that an emptied component gives a zero mean and a
    ``reg_covar`` covariance instead of a division by zero; covariances are
    the centred, 1/N_k-normalised weighted scatter plus ``reg_covar``.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), C-contiguous float32/float64
    resp : ndarray of shape (n_samples, n_components)
        Responsibilities times sample weights.
    nk, sums : the first moments of ``resp`` (see :func:`e_step`).
    reg_covar : float
    covariance_type : {"full", "tied", "diag", "spherical"}

    Returns
    -------
    nk : ndarray of shape (n_components,)
        Totals including the ``10 * eps`` guard.
    means : ndarray of shape (n_components, n_features)
    covariances : ndarray shaped for ``covariance_type``
    """
    nk = nk + 10 * np.finfo(np.float64).eps
    means = sums / nk[:, np.newaxis]
    scatter = scatter_sums(X, resp, means, covariance_type)
    return nk, means, covariances_from_scatter(scatter, nk, reg_covar, covariance_type)


#: The one-pass EM iteration (:func:`em_step`) moves the scatter from the old
#: means to the new ones; it keeps the result when, feature by feature, the
#: move ``n_k (m_k - c_k)^2`` is at most this many times the scatter that
#: remains (the rounding error is then a few ulps of the scatter), and
#: otherwise takes a second, centred pass over the data.
MAX_SCATTER_SHIFT = 64.0


def _scatter_layout(n_samples, n_components, n_features, covariance_type):
    """Zero per-block scatter slots in the kernels' layout (see scatter_sums)."""
    _, n_blocks = _kernels.block_count.py_func(n_samples)
    n_slots = 1 if covariance_type == "tied" else n_components
    rows = n_features if covariance_type in _TRIANGULAR else 1
    return np.zeros((n_blocks, n_slots, rows, n_features))


def _recentre_scatter(scatter, nk, sums, centres, means, covariance_type):
    """The scatter around ``means`` from the scatter around ``centres``.

    ``sum_i r_i (x_i - m)(x_i - m)^T = S(c) - d a^T - a d^T + n d d^T`` with
    ``d = m - c`` and ``a = sum_i r_i (x_i - c) = sums - n c``: exact for any
    m, in the kernels' layout (upper triangles). Returns the scatter and the
    largest ratio of the move ``sum_k n_k d_ki^2`` to the remaining scatter's
    diagonal, which bounds the cancellation.
    """
    delta = means - centres
    offset = sums - nk[:, np.newaxis] * centres
    if covariance_type in ("diag", "spherical"):
        move = nk[:, np.newaxis] * delta**2
        scatter = scatter + (move - 2.0 * delta * offset)[:, np.newaxis, :]
        diagonal = scatter[:, 0, :]
    else:
        cross = delta[:, :, np.newaxis] * offset[:, np.newaxis, :]
        spread = nk[:, np.newaxis, np.newaxis] * (
            delta[:, :, np.newaxis] * delta[:, np.newaxis, :]
        )
        change = spread - cross - cross.transpose(0, 2, 1)
        move = nk[:, np.newaxis] * delta**2
        if covariance_type == "tied":
            change = change.sum(axis=0, keepdims=True)
            move = move.sum(axis=0, keepdims=True)
        scatter = scatter + np.triu(change)
        diagonal = np.diagonal(scatter, axis1=1, axis2=2)
    ratio = np.zeros_like(move)
    np.divide(move, diagonal, out=ratio, where=diagonal > 0.0)
    ratio[(diagonal <= 0.0) & (move > 0.0)] = np.inf
    return scatter, float(ratio.max(initial=0.0))


def em_step(
    X,
    sample_weight,
    weights,
    means,
    precisions_cholesky,
    covariance_type,
    resp,
    reg_covar,
):
    """One EM iteration: :func:`e_step`, then :func:`m_step`.

    On the kernel path the iteration makes one pass over X: the E-step also
    accumulates the weighted scatter around the current means, which is then
    moved to the new means (:func:`_recentre_scatter`); the responsibilities
    are not stored. When the means moved too far for that to be exact to a
    few ulps (:data:`MAX_SCATTER_SHIFT`, typically in the first iterations
    from a poor start) the iteration is redone as E-step and centred M-step.

    Parameters
    ----------
    X, sample_weight, weights, means, precisions_cholesky, covariance_type :
        as :func:`e_step_sums`.
    resp : ndarray of shape (n_samples, n_components), float64
        Work space for the responsibilities (overwritten, unless the one-pass
        iteration suffices).
    reg_covar : float

    Returns
    -------
    mean_log_likelihood : float
        The E-step's lower bound (see :func:`e_step`).
    nk, means, covariances :
        The M-step's (see :func:`m_step`).
    """
    n_samples, n_features = X.shape
    n_components = len(means)

    def two_passes():
        lower_bound, nk, sums = e_step(
            X, sample_weight, weights, means, precisions_cholesky, covariance_type, resp
        )
        return (lower_bound, *m_step(X, resp, nk, sums, reg_covar, covariance_type))

    if not uses_kernels(*X.shape, n_components, covariance_type):
        return two_passes()
    log_likelihood, nk, sums, scatter, centres = _one_pass(
        X, sample_weight, weights, None, means, precisions_cholesky, covariance_type
    )
    guarded = nk + 10 * np.finfo(np.float64).eps
    new_means = sums / guarded[:, np.newaxis]
    scatter, shift = _recentre_scatter(
        scatter, nk, sums, centres, new_means, covariance_type
    )
    if not shift <= MAX_SCATTER_SHIFT:
        return two_passes()
    lower_bound = log_likelihood / sample_weight.sum()
    covariances = covariances_from_scatter(scatter, guarded, reg_covar, covariance_type)
    return lower_bound, guarded, new_means, covariances


def _one_pass(X, sample_weight, weights, log_weights, means, precisions_cholesky, ct):
    """The kernels' E-step with the scatter around the current means, one pass.

    Returns the weighted log-likelihood sum, nk, the first moments, the
    scatter around ``centres`` (kernel layout) and ``centres`` (the current
    means as float64).
    """
    n_samples, n_features = X.shape
    n_components = len(means)
    log_weights, centres, factors, log_dets = _kernel_arguments(
        weights, log_weights, means, precisions_cholesky, ct
    )
    nk_part, sx_part, ll_part = _partials(n_samples, n_components, n_features)
    scatter_part = _scatter_layout(n_samples, n_components, n_features, ct)
    _kernels.e_step(
        X,
        sample_weight,
        centres,
        factors,
        log_weights,
        log_dets,
        True,
        np.empty((0, n_components)),
        np.empty(0),
        nk_part,
        sx_part,
        ll_part,
        centres=centres,
        scatter_part=scatter_part,
        n_threads=threads_for(X, n_components, ct),
    )
    return (
        float(ll_part.sum()),
        nk_part.sum(axis=0),
        sx_part.sum(axis=0),
        scatter_part.sum(axis=0),
        centres,
    )


def own_means(nk, sums):
    """sums / nk per component, 0 for a component with no weight."""
    means = np.zeros_like(sums)
    np.divide(sums, nk[:, np.newaxis], out=means, where=nk[:, np.newaxis] > 0)
    return means


def e_step_scatter_sums(
    X,
    sample_weight,
    weights,
    means,
    precisions_cholesky,
    covariance_type,
    *,
    log_weights=None,
):
    """:func:`e_step_sums` and the scatter around the components' own means.

    What a piece of data contributes to EM's sufficient statistics (see
    :mod:`skgenfund.mixture._moments`): the weighted log-likelihood, nk, the
    first moments and the weighted scatter around ``own_means(nk, sums)``,
    in :func:`scatter_sums`'s layout. On the kernel path in one pass over X
    (as :func:`em_step`), with the same fallback to a centred second pass.

    Returns
    -------
    log_likelihood, nk, sums, scatter
    """
    n_components = len(means)

    def two_passes():
        resp = np.empty((X.shape[0], n_components))
        log_likelihood, nk, sums = e_step_sums(
            X,
            sample_weight,
            weights,
            means,
            precisions_cholesky,
            covariance_type,
            resp,
            log_weights=log_weights,
        )
        scatter = scatter_sums(X, resp, own_means(nk, sums), covariance_type)
        return log_likelihood, nk, sums, scatter

    if not uses_kernels(*X.shape, n_components, covariance_type):
        return two_passes()
    log_likelihood, nk, sums, scatter, centres = _one_pass(
        X,
        sample_weight,
        weights,
        log_weights,
        means,
        precisions_cholesky,
        covariance_type,
    )
    scatter, shift = _recentre_scatter(
        scatter, nk, sums, centres, own_means(nk, sums), covariance_type
    )
    if not shift <= MAX_SCATTER_SHIFT:
        return two_passes()
    return log_likelihood, nk, sums, scatter


def estimate_from_responsibilities(X, resp, reg_covar, covariance_type):
    """M-step from responsibilities alone (the initialisation's)."""
    n_samples, n_features = X.shape
    n_components = resp.shape[1]
    resp = np.ascontiguousarray(resp, dtype=np.float64)
    if not uses_kernels(*X.shape, n_components, covariance_type):
        nk, sums = _numpy_first_moments(X, resp)
    else:
        nk_part, sx_part, _ = _partials(n_samples, n_components, n_features)
        n_threads = threads_for(X, n_components, "diag")
        _kernels.first_moments(X, resp, nk_part, sx_part, n_threads)
        nk, sums = nk_part.sum(axis=0), sx_part.sum(axis=0)
    return m_step(X, resp, nk, sums, reg_covar, covariance_type)


def warm_kernels():
    """Compile every EM kernel now (or load it from Numba's disk cache).

    The kernels have one specialisation for all covariance types and both
    dtypes, so one tiny problem of each kind of call covers every later fit.
    Returns the names of the kernels it ran.
    """
    n_samples, n_features, n_components = 2 * _kernels.CHUNK + 1, 2, 2
    X = np.linspace(-1.0, 1.0, n_samples * n_features).reshape(n_samples, -1)
    resp = np.full((n_samples, n_components), 0.5)
    nk_part, sx_part, ll_part = _partials(n_samples, n_components, 2)
    _kernels.first_moments(X, resp, nk_part, sx_part)
    means = np.zeros((n_components, n_features))
    part = np.zeros((len(ll_part), n_components, n_features, n_features))
    _kernels.scatter(X, resp, means, part)
    log_weights, means, factors, log_dets = _kernel_parameters(
        np.full(n_components, 0.5), means, np.ones(n_components), "spherical"
    )
    for fit in (True, False):
        _kernels.e_step(
            X,
            np.ones(n_samples),
            means,
            factors,
            log_weights,
            log_dets,
            fit,
            np.empty((n_samples, n_components)),
            np.empty(n_samples),
            nk_part,
            sx_part,
            ll_part,
        )
    return ["first_moments", "scatter", "e_step"]
