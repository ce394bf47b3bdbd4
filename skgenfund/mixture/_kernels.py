"""Numba kernels of the EM algorithm for Gaussian mixtures.

The data are processed in chunks of ``CHUNK`` rows. A chunk is copied
transposed (features x rows) into a small float64 buffer, so that every inner
loop runs over the rows of the chunk: contiguous, of a fixed compile-time
length, and vectorised by LLVM. Nothing of size n_samples x n_components x
n_features is ever allocated; the only n_samples-sized outputs are the
(n_samples, n_components) responsibilities.

Parallelism and reproducibility
-------------------------------
The chunks are split into at most ``MAX_BLOCKS`` contiguous blocks, a number
that depends on n_samples only (never on the number of threads). Each block is
processed serially by one thread and writes its partial sums to its own slot;
the caller reduces the slots in block order. A kernel takes the range of
blocks it processes, and :func:`skgenfund._core.threads.run_blocks` runs
groups of blocks on Python threads (the kernels release the GIL). The result
is therefore bit-for-bit identical for any number of threads.

Each kernel is one compiled function: its helpers are inlined into it
(``inline="always"``, in Numba's IR), so the sums it reassociates are
compiled once, in the kernel, and the machine code that runs is the kernel's
own, whether Numba just compiled it or loaded it from its cache. (Called as
separate functions, or outlined by ``parallel=True``, helpers exist in two
copies, compiled alone and linked into the caller, and which copy runs
depends on what the process compiled or loaded before: with reassociated
sums, results differed in the last bits between a fresh compile and a cache
load.) Only :func:`_exp_tile` stays a separate function: it allows no
reassociation, so its copies agree bit for bit.

Numerics
--------
* float32 input is read as float32 and converted to float64 on load: every
  sum, log-density and moment is accumulated in float64. The compiled kernels
  take the data as two arguments, ``X64`` (float64) and ``X32`` (float32), of
  which exactly one holds the rows and the other is empty: every kernel then
  has a single specialisation, so float32 data cost no second compilation.
  :func:`e_step`, :func:`first_moments` and :func:`scatter` take X in either
  dtype and pass it on so.
* Second moments are accumulated centred, ``sum_i r_ik (x_i - mu_k)^2``, in a
  second pass after the means are known, never as ``E[x^2] - mu^2``: diagonal
  and spherical variances cannot come out negative by cancellation.
* ``fastmath`` is limited to fused multiply-add contraction and reassociation of
  sums (so that reductions vectorise); NaN and infinity semantics are kept, so
  a zero mixture weight (log-weight -inf) is handled exactly.

The kernels import no estimator. Nothing is compiled at import; each kernel is
compiled on first use and cached on disk (``cache=True``). Small problems
never reach them (:mod:`skgenfund.mixture._steps` runs those in NumPy).
"""

import math

import numpy as np
from numba import njit

from .._core._kernels import LOG_2PI
from .._core.threads import run_blocks

__all__ = [
    "CHUNK",
    "MAX_BLOCKS",
    "block_count",
    "e_step",
    "first_moments",
    "scatter",
]

#: Rows per chunk (a compile-time constant of the kernels).
CHUNK = 64
#: Most blocks of chunks; blocks are the unit of parallel work.
MAX_BLOCKS = 16

_FASTMATH = {"contract", "reassoc", "nsz"}

# exp(x) = 2^k exp(y), k = round(x / ln 2), y = x - k ln 2 (|y| <= ln(2) / 2),
# with ln 2 split in two so that k * _LN2_HI is exact (fdlibm's constants)
_LOG2E = 1.4426950408889634
_LN2_HI = 6.93147180369123816490e-01
_LN2_LO = 1.90821492927058770002e-10
#: Below this, exp underflows to subnormals; the kernels return 0 instead.
_EXP_MIN = -708.0


@njit(cache=True)
def block_count(n_samples):
    """Number of chunks and of blocks for ``n_samples`` rows (thread-independent)."""
    n_chunks = (n_samples + CHUNK - 1) // CHUNK
    return n_chunks, min(n_chunks, MAX_BLOCKS)


@njit(cache=True, inline="always")
def _chunk_range(block, n_chunks, n_blocks):
    return block * n_chunks // n_blocks, (block + 1) * n_chunks // n_blocks


@njit(cache=True, fastmath=_FASTMATH, inline="always")
def _load_transposed(A, row0, n_rows, AT):
    """AT[:, r] = A[row0 + r] for r < n_rows, zero padding after.

    A is the data X or the responsibilities; AT is a (columns, CHUNK) tile.
    """
    n_columns = A.shape[1]
    for r in range(n_rows):
        for i in range(n_columns):
            AT[i, r] = A[row0 + r, i]
    for r in range(n_rows, CHUNK):
        for i in range(n_columns):
            AT[i, r] = 0.0


@njit(cache=True, inline="always")
def _n_rows(X64, X32):
    """Rows of the data, whichever of the two arguments holds them."""
    return max(X64.shape[0], X32.shape[0]), max(X64.shape[1], X32.shape[1])


@njit(cache=True, fastmath=_FASTMATH, inline="always")
def _load_data(X64, X32, row0, n_rows, xT):
    """:func:`_load_transposed` of the rows of X64 or of X32, whichever has them."""
    if X32.shape[0] > 0:
        _load_transposed(X32, row0, n_rows, xT)
    else:
        _load_transposed(X64, row0, n_rows, xT)


@njit(cache=True, fastmath=_FASTMATH, inline="always")
def _squared_mahalanobis_triangular(xT, mean, U, dT, y, sq):
    """sq[r] = ||(x_r - mean) U||^2 for an upper-triangular U (U[i, j] = 0, i > j).

    The product's columns are formed four at a time (``y`` is a (4, CHUNK)
    tile), so that each row of the centred tile is loaded once per four
    columns. Column j + c has non-zeros in rows i <= j + c; running i up to
    j + 3 for all four adds exact zeros (the factor's lower triangle is
    zero), which changes no bit of the result.
    """
    n_features = xT.shape[0]
    for i in range(n_features):
        m = mean[i]
        for r in range(CHUNK):
            dT[i, r] = xT[i, r] - m
    for r in range(CHUNK):
        sq[r] = 0.0
    j = 0
    while j + 4 <= n_features:
        for r in range(CHUNK):
            y[0, r] = 0.0
            y[1, r] = 0.0
            y[2, r] = 0.0
            y[3, r] = 0.0
        for i in range(j + 4):
            u0 = U[i, j]
            u1 = U[i, j + 1]
            u2 = U[i, j + 2]
            u3 = U[i, j + 3]
            for r in range(CHUNK):
                d = dT[i, r]
                y[0, r] += d * u0
                y[1, r] += d * u1
                y[2, r] += d * u2
                y[3, r] += d * u3
        for r in range(CHUNK):
            sq[r] += y[0, r] * y[0, r] + y[1, r] * y[1, r]
            sq[r] += y[2, r] * y[2, r] + y[3, r] * y[3, r]
        j += 4
    while j < n_features:  # the last n_features % 4 columns, one at a time
        for r in range(CHUNK):
            y[0, r] = 0.0
        for i in range(j + 1):
            u = U[i, j]
            for r in range(CHUNK):
                y[0, r] += dT[i, r] * u
        for r in range(CHUNK):
            sq[r] += y[0, r] * y[0, r]
        j += 1


@njit(cache=True, fastmath=_FASTMATH, inline="always")
def _squared_mahalanobis_diag(xT, mean, precision_cholesky, sq):
    """sq[r] = sum_i ((x_ri - mean_i) p_i)^2 for a diagonal precision factor p."""
    n_features = xT.shape[0]
    for r in range(CHUNK):
        sq[r] = 0.0
    for i in range(n_features):
        m = mean[i]
        p = precision_cholesky[i]
        for r in range(CHUNK):
            t = (xT[i, r] - m) * p
            sq[r] += t * t


@njit(cache=True, fastmath={"contract"})
def _exp_tile(x, out, bits, scale):
    """out[r] = exp(x[r]) for the CHUNK entries of x, in vectorised loops.

    libm's exp is a scalar call (about 3 ns); this range reduction and a
    degree-13 Taylor polynomial in Horner form vectorise (about 0.6 ns) and
    agree with libm to 1 ulp for x >= -708; smaller x (and -inf) give 0
    where libm gives subnormals below 1e-307. ``bits`` (int64) and ``scale``
    (float64) are two views of one CHUNK-sized buffer, used to build 2^k.
    Only FMA contraction is allowed here: reassociation would reorder the
    Horner scheme and cost digits.
    """
    for r in range(CHUNK):
        v = max(x[r], _EXP_MIN)
        k = math.floor(v * _LOG2E + 0.5)
        y = v - k * _LN2_HI - k * _LN2_LO
        p = 1.0 / 6227020800.0
        p = 1.0 / 479001600.0 + y * p
        p = 1.0 / 39916800.0 + y * p
        p = 1.0 / 3628800.0 + y * p
        p = 1.0 / 362880.0 + y * p
        p = 1.0 / 40320.0 + y * p
        p = 1.0 / 5040.0 + y * p
        p = 1.0 / 720.0 + y * p
        p = 1.0 / 120.0 + y * p
        p = 1.0 / 24.0 + y * p
        p = 1.0 / 6.0 + y * p
        p = 0.5 + y * p
        p = 1.0 + y * p
        p = 1.0 + y * p
        out[r] = p
        bits[r] = (np.int64(k) + 1023) << 52
    for r in range(CHUNK):
        value = out[r] * scale[r]
        out[r] = value if x[r] >= _EXP_MIN else 0.0


@njit(cache=True, fastmath=_FASTMATH, inline="always")
def _finish_rows(
    lp, row0, n_rows, sample_weight, fit, out, lse_out, xT, nk_row, sx_block, work
):
    """Normalise a tile lp (K, CHUNK) of weighted log-densities over its rows.

    The tile version of a row log-sum-exp
    (:func:`skgenfund._core._kernels.logsumexp_1d` does one row): the
    maximum, the sum of ``exp(lp - max)`` and the responsibilities
    ``exp(lp - max) / sum`` are loops over the rows of the chunk, with one
    exponential per entry instead of two.

    fit=True: lp[:, r] and (unless ``out`` is empty) out[row] = sample_weight *
    responsibilities, the weighted sum of the row log-likelihoods is returned
    and the first moments (nk, sum r x) are accumulated. fit=False: out[row] =
    log-responsibilities, lse_out[row] = the log-likelihood of the row.
    """
    n_components = lp.shape[0]
    write = out.shape[0] > 0  # (fit: an empty out keeps the tile only)
    top = work[0]
    total = work[1]
    shifted = work[2]
    exps = work[3]
    scale = work[4]
    bits = scale.view(np.int64)
    for r in range(CHUNK):
        top[r] = lp[0, r]
    for k in range(1, n_components):
        for r in range(CHUNK):
            top[r] = max(top[r], lp[k, r])
    for r in range(CHUNK):
        if top[r] == -np.inf:  # every component impossible: keep it impossible
            top[r] = 0.0
        total[r] = 0.0
    for k in range(n_components):
        for r in range(CHUNK):
            shifted[r] = lp[k, r] - top[r]
        _exp_tile(shifted, exps, bits, scale)
        for r in range(CHUNK):
            total[r] += exps[r]
            if fit:
                lp[k, r] = exps[r]
    log_likelihood = 0.0
    for r in range(n_rows):
        lse = top[r] + math.log(total[r])
        if fit:
            w = sample_weight[row0 + r]
            log_likelihood += w * lse
            scale = w / total[r] if total[r] > 0.0 else 0.0
            for k in range(n_components):
                resp = lp[k, r] * scale
                if write:
                    out[row0 + r, k] = resp
                lp[k, r] = resp
        else:
            lse_out[row0 + r] = lse
            for k in range(n_components):
                out[row0 + r, k] = lp[k, r] - lse
    if fit:
        for k in range(n_components):
            for r in range(n_rows, CHUNK):
                lp[k, r] = 0.0
        _accumulate_first_moments(lp, xT, nk_row, sx_block)
    return log_likelihood


@njit(cache=True, fastmath=_FASTMATH, inline="always")
def _accumulate_first_moments(respT, xT, nk_row, sx_block):
    """nk[k] += sum_r resp[k, r]; sx[k, i] += sum_r resp[k, r] x[i, r]."""
    n_components = respT.shape[0]
    n_features = xT.shape[0]
    for k in range(n_components):
        s = 0.0
        for r in range(CHUNK):
            s += respT[k, r]
        nk_row[k] += s
        for i in range(n_features):
            s = 0.0
            for r in range(CHUNK):
                s += respT[k, r] * xT[i, r]
            sx_block[k, i] += s


@njit(cache=True, nogil=True, fastmath=_FASTMATH)
def _e_step(
    first_block,
    last_block,
    X64,
    X32,
    sample_weight,
    means,
    precisions_cholesky,
    log_weights,
    log_dets,
    fit,
    out,
    lse_out,
    nk_part,
    sx_part,
    ll_part,
    centres,
    scatter_part,
):
    """E-step of every covariance type: :func:`e_step` on the data pair.

    ``X64, X32``: (n, d) float64 and (0, 0) float32, C-contiguous, or the
    other way round; the other arguments are :func:`e_step`'s.
    """
    n_samples, n_features = _n_rows(X64, X32)
    n_components = means.shape[0]
    shared = precisions_cholesky.shape[0] == 1
    diagonal = precisions_cholesky.shape[1] == 1
    n_chunks, n_blocks = block_count(n_samples)
    constant = n_features * LOG_2PI
    with_scatter = fit and scatter_part.shape[0] > 0
    for block in range(first_block, last_block):
        xT = np.empty((n_features, CHUNK))
        dT = np.empty((n_features, CHUNK))
        wdT = np.empty((n_features, CHUNK))
        y = np.empty((4, CHUNK))
        sq = np.empty(CHUNK)
        lp = np.empty((n_components, CHUNK))
        work = np.empty((5, CHUNK))
        first, last = _chunk_range(block, n_chunks, n_blocks)
        for chunk in range(first, last):
            row0 = chunk * CHUNK
            n_rows = min(CHUNK, n_samples - row0)
            _load_data(X64, X32, row0, n_rows, xT)
            for k in range(n_components):
                factor = precisions_cholesky[0 if shared else k]
                if diagonal:
                    _squared_mahalanobis_diag(xT, means[k], factor[0], sq)
                else:
                    _squared_mahalanobis_triangular(xT, means[k], factor, dT, y, sq)
                offset = log_weights[k] + log_dets[k]
                for r in range(CHUNK):
                    lp[k, r] = offset - 0.5 * (constant + sq[r])
            ll_part[block] += _finish_rows(
                lp,
                row0,
                n_rows,
                sample_weight,
                fit,
                out,
                lse_out,
                xT,
                nk_part[block],
                sx_part[block],
                work,
            )
            if with_scatter:  # lp now holds the tile's weighted responsibilities
                _accumulate_scatter(lp, xT, centres, dT, wdT, scatter_part[block])


@njit(cache=True, nogil=True, fastmath=_FASTMATH)
def _first_moments(first_block, last_block, X64, X32, resp, nk_part, sx_part):
    """:func:`first_moments` on the data pair (see :func:`_e_step`)."""
    n_samples, n_features = _n_rows(X64, X32)
    n_components = resp.shape[1]
    n_chunks, n_blocks = block_count(n_samples)
    for block in range(first_block, last_block):
        xT = np.empty((n_features, CHUNK))
        respT = np.empty((n_components, CHUNK))
        first, last = _chunk_range(block, n_chunks, n_blocks)
        for chunk in range(first, last):
            row0 = chunk * CHUNK
            n_rows = min(CHUNK, n_samples - row0)
            _load_data(X64, X32, row0, n_rows, xT)
            _load_transposed(resp, row0, n_rows, respT)
            _accumulate_first_moments(respT, xT, nk_part[block], sx_part[block])


@njit(cache=True, fastmath=_FASTMATH, inline="always")
def _accumulate_scatter(respT, xT, means, dT, wdT, S_block):
    """Add one tile's centred weighted second moments to one block's slots.

    ``S_block`` is (K or 1, d, d) for the scatter matrices
    ``S[a, c] += sum_r resp[k, r] (x_ra - mu_ka) (x_rc - mu_kc)`` (upper
    triangle only, c >= a; with one slot, "tied", every component's scatter
    is added to it), or (K, 1, d) for the sums of squares
    ``S[0, a] += sum_r resp[k, r] (x_ra - mu_ka)^2`` ("diag", "spherical").
    With one feature the two agree. Padding rows have zero responsibility.
    """
    n_components = respT.shape[0]
    n_features = xT.shape[0]
    shared = S_block.shape[0] == 1
    diagonal = S_block.shape[1] == 1
    for k in range(n_components):
        S = S_block[0 if shared else k]
        if diagonal:
            for i in range(n_features):
                m = means[k, i]
                s = 0.0
                for r in range(CHUNK):
                    v = xT[i, r] - m
                    s += respT[k, r] * v * v
                S[0, i] += s
            continue
        for i in range(n_features):
            m = means[k, i]
            for r in range(CHUNK):
                v = xT[i, r] - m
                dT[i, r] = v
                wdT[i, r] = v * respT[k, r]
        for a in range(n_features):
            for c in range(a, n_features):
                s = 0.0
                for r in range(CHUNK):
                    s += wdT[a, r] * dT[c, r]
                S[a, c] += s


@njit(cache=True, nogil=True, fastmath=_FASTMATH)
def _scatter(first_block, last_block, X64, X32, resp, means, scatter_part):
    """:func:`scatter` on the data pair (see :func:`_e_step`)."""
    n_samples, n_features = _n_rows(X64, X32)
    n_components = resp.shape[1]
    n_chunks, n_blocks = block_count(n_samples)
    for block in range(first_block, last_block):
        xT = np.empty((n_features, CHUNK))
        dT = np.empty((n_features, CHUNK))
        wdT = np.empty((n_features, CHUNK))
        respT = np.empty((n_components, CHUNK))
        first, last = _chunk_range(block, n_chunks, n_blocks)
        for chunk in range(first, last):
            row0 = chunk * CHUNK
            n_rows = min(CHUNK, n_samples - row0)
            _load_data(X64, X32, row0, n_rows, xT)
            _load_transposed(resp, row0, n_rows, respT)
            _accumulate_scatter(respT, xT, means, dT, wdT, scatter_part[block])


_NO_ROWS = {
    np.dtype(np.float64): np.empty((0, 0)),
    np.dtype(np.float32): np.empty((0, 0), np.float32),
}


_NO_CENTRES = np.empty((0, 0))
_NO_SCATTER = np.empty((0, 0, 0, 0))


def _n_blocks(X):
    """The kernels' number of blocks for the rows of X (its plain-Python twin)."""
    return block_count.py_func(X.shape[0])[1]


def _data_pair(X):
    """X as the compiled kernels' (X64, X32) pair: X and an empty array."""
    if X.dtype == np.float32:
        return _NO_ROWS[np.dtype(np.float64)], X
    return X, _NO_ROWS[np.dtype(np.float32)]


def e_step(
    X,
    sample_weight,
    means,
    precisions_cholesky,
    log_weights,
    log_dets,
    fit,
    out,
    lse_out,
    nk_part,
    sx_part,
    ll_part,
    centres=None,
    scatter_part=None,
    n_threads=1,
):
    """E-step of every covariance type (and, optionally, the M-step's scatter).

    Parameters
    ----------
    X : (n, d) float32 or float64, C-contiguous
    sample_weight : (n,) float64 (used when fit)
    means : (K, d) float64
    precisions_cholesky : float64 array of shape (K, d, d), (1, d, d),
        (K, 1, d) or (1, 1, d)
        The precisions' Cholesky factors: upper triangular, one per component
        ("full") or one shared by all ("tied"); or, with a middle axis of
        length 1, their diagonals ("diag", and "spherical" with the factor
        repeated over the features). With one feature the two forms agree.
    log_weights, log_dets : (K,) float64
        Per-component constants added to the log-densities: the log mixture
        weights (or any other constants, e.g. a variational E-step's) and
        the log-determinants of the precision factors.
    fit : bool
        True during EM: write weighted responsibilities to ``out`` and
        accumulate the per-block first moments and weighted log-likelihood.
        False for prediction: write log-responsibilities to ``out`` and the
        per-row log-likelihood to ``lse_out``.
    out : (n, K) float64
    lse_out : (n,) float64 (used when not fit)
    nk_part : (n_blocks, K), sx_part : (n_blocks, K, d), ll_part : (n_blocks,)
        Zero-initialised per-block partial sums (used when fit).
    centres : (K, d) float64, optional
    scatter_part : zero-initialised, in :func:`scatter`'s layout, optional
        When fit and given: also accumulate the weighted scatter of the rows
        around ``centres`` (one pass over X for the whole EM iteration). An
        empty ``out`` (shape (0, K)) then skips writing the responsibilities.
    n_threads : int, default=1
        Threads to run the blocks on (the result does not depend on it).
    """
    if scatter_part is None:
        centres, scatter_part = _NO_CENTRES, _NO_SCATTER
    run_blocks(
        _e_step,
        _n_blocks(X),
        n_threads,
        *_data_pair(X),
        sample_weight,
        means,
        precisions_cholesky,
        log_weights,
        log_dets,
        fit,
        out,
        lse_out,
        nk_part,
        sx_part,
        ll_part,
        centres,
        scatter_part,
    )


def first_moments(X, resp, nk_part, sx_part, n_threads=1):
    """Per-block sums of the responsibilities and of resp-weighted rows.

    ``resp`` (n, K) already includes the sample weights. Used for the
    initialisation; during EM the E-step accumulates these itself.
    """
    run_blocks(
        _first_moments, _n_blocks(X), n_threads, *_data_pair(X), resp, nk_part, sx_part
    )


def scatter(X, resp, means, scatter_part, n_threads=1):
    """Centred weighted second moments, per block.

    ``scatter_part`` has shape (n_blocks, K or 1, d, d) or (n_blocks, K, 1,
    d), zero-initialised; see :func:`_accumulate_scatter` for what each
    block's slots receive.
    """
    run_blocks(
        _scatter,
        _n_blocks(X),
        n_threads,
        *_data_pair(X),
        resp,
        means,
        scatter_part,
    )
