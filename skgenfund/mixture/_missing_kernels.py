"""Numba kernel of EM over missing entries, rows grouped by missingness pattern.

The rows are sorted by pattern (which entries are observed) and cut into
chunks of at most ``CHUNK`` rows of one pattern, so that every row of a chunk
uses the same conditional factors: for each component k, the upper-triangular
factor U of the observed block's precision, ``inv(S_oo) = U U^T``, its
log-determinant, the regression of the missing on the observed coordinates,
``G = S_mo inv(S_oo)``, and the conditional covariance
``C = S_mm - S_mo inv(S_oo) S_om`` (see :mod:`skgenfund.mixture._missing`,
which computes them once per pattern and iteration). As in the complete-data
kernels, a chunk is loaded transposed (features x rows) and every inner loop
runs over its rows (only as many as the chunk holds: with many small
patterns most chunks are short).

One pass over the data gives the E-step and the statistics of the M-step:
per component the responsibility total, and the first and second moments of
the completed residuals ``x_hat - mu_k`` around the E-step's means, where
``x_hat`` holds the observed entries and the conditional means
``mu_m + G (x_o - mu_o)`` of the missing ones; the conditional covariance
enters the second moments as ``(sum of the responsibilities) C`` per chunk.
The caller moves the second moments to the new means (Chan et al.'s shift).

Chunks are split into at most ``MAX_BLOCKS`` contiguous blocks, a number that
depends on the data only: each block writes its own partial sums, which the
caller adds in block order, so results do not depend on the number of threads
(groups of blocks run on Python threads, see
:func:`skgenfund._core.threads.run_blocks`). The helpers are inlined into the
one compiled kernel, so that its reassociated sums are compiled once and the
same machine code runs whether the kernel was just compiled or loaded from
Numba's cache (see :mod:`skgenfund.mixture._kernels`). Nothing is compiled
at import; the kernel is compiled on first use and cached.
"""

import math

import numpy as np
from numba import njit

from .._core._kernels import LOG_2PI
from .._core.threads import run_blocks

__all__ = ["CHUNK", "MAX_BLOCKS", "block_ranges", "chunk_layout", "missing_e_step"]

#: Most rows per chunk (a compile-time constant of the kernel).
CHUNK = 64
#: Most blocks of chunks; blocks are the unit of parallel work.
MAX_BLOCKS = 16

_FASTMATH = {"contract", "reassoc", "nsz"}


def chunk_layout(starts):
    """Chunks of at most CHUNK rows within each pattern's row range.

    Parameters
    ----------
    starts : ndarray of shape (n_patterns + 1,)
        Pattern p holds the sorted rows ``starts[p]:starts[p + 1]``.

    Returns
    -------
    chunk_pattern, chunk_start, chunk_rows : int64 ndarrays of shape (n_chunks,)
    """
    counts = np.diff(starts)
    per_pattern = (counts + CHUNK - 1) // CHUNK
    chunk_pattern = np.repeat(np.arange(len(counts), dtype=np.int64), per_pattern)
    first_chunk = np.concatenate(([0], np.cumsum(per_pattern)[:-1]))
    within = np.arange(len(chunk_pattern)) - np.repeat(first_chunk, per_pattern)
    chunk_start = starts[chunk_pattern] + CHUNK * within
    chunk_rows = np.minimum(CHUNK, starts[chunk_pattern + 1] - chunk_start)
    return (
        chunk_pattern.astype(np.int64),
        chunk_start.astype(np.int64),
        chunk_rows.astype(np.int64),
    )


def block_ranges(n_chunks):
    """(n_blocks + 1,) chunk boundaries of the blocks (thread-independent)."""
    n_blocks = max(1, min(n_chunks, MAX_BLOCKS))
    return np.arange(n_blocks + 1, dtype=np.int64) * n_chunks // n_blocks


@njit(cache=True, fastmath=_FASTMATH, inline="always")
def _residuals(xT, mean, obs, n_obs, res, n):
    """res[i, r] = x_ri - mean_i for the observed features i."""
    for ii in range(n_obs):
        i = obs[ii]
        m = mean[i]
        for r in range(n):
            res[i, r] = xT[i, r] - m


@njit(cache=True, fastmath=_FASTMATH, inline="always")
def _whitened_norms(res, factor, diagonal, obs, n_obs, y, sq, n):
    """sq[r] = ||res_o[:, r]^T U||^2 over the observed features.

    ``factor`` is the (d, d) factor U embedded at the observed rows and
    columns (upper triangular, as the observed indices are sorted), or, when
    ``diagonal``, a (1, d) row holding 1 / sigma at the observed features.
    """
    for r in range(n):
        sq[r] = 0.0
    if diagonal:
        for ii in range(n_obs):
            i = obs[ii]
            p = factor[0, i]
            for r in range(n):
                t = res[i, r] * p
                sq[r] += t * t
        return
    for jj in range(n_obs):
        j = obs[jj]
        for r in range(n):
            y[r] = 0.0
        for ii in range(jj + 1):
            i = obs[ii]
            u = factor[i, j]
            for r in range(n):
                y[r] += res[i, r] * u
        for r in range(n):
            sq[r] += y[r] * y[r]


@njit(cache=True, fastmath=_FASTMATH, inline="always")
def _complete(res, regression, obs, n_obs, mis, n_mis, n):
    """res[b, r] = sum_o G[b, o] res[o, r] for the missing features b."""
    for bb in range(n_mis):
        b = mis[bb]
        for r in range(n):
            res[b, r] = 0.0
        for ii in range(n_obs):
            i = obs[ii]
            g = regression[b, i]
            for r in range(n):
                res[b, r] += g * res[i, r]


@njit(cache=True, fastmath=_FASTMATH, inline="always")
def _normalise(lp, n_rows, weight, row0, fit, out, lse_out, work):
    """Row log-sum-exp of a (K, CHUNK) tile of weighted log-densities.

    Only the first ``n_rows`` columns are read and written. fit=True: lp
    becomes the weighted responsibilities and the weighted sum of the rows'
    log-likelihoods is returned. fit=False: out[row] = log-responsibilities
    and lse_out[row] = log-likelihood.
    """
    n_components = lp.shape[0]
    top = work[0]
    total = work[1]
    for r in range(n_rows):
        top[r] = lp[0, r]
    for k in range(1, n_components):
        for r in range(n_rows):
            top[r] = max(top[r], lp[k, r])
    for r in range(n_rows):
        if top[r] == -np.inf:  # every component impossible: keep it impossible
            top[r] = 0.0
        total[r] = 0.0
    for k in range(n_components):
        for r in range(n_rows):
            e = math.exp(lp[k, r] - top[r])
            total[r] += e
            if fit:
                lp[k, r] = e
    log_likelihood = 0.0
    for r in range(n_rows):
        lse = top[r] + math.log(total[r])
        if fit:
            w = weight[row0 + r]
            log_likelihood += w * lse
            scale = w / total[r] if total[r] > 0.0 else 0.0
            for k in range(n_components):
                lp[k, r] *= scale
        else:
            lse_out[row0 + r] = lse
            for k in range(n_components):
                out[row0 + r, k] = lp[k, r] - lse
    return log_likelihood


@njit(cache=True, fastmath=_FASTMATH, inline="always")
def _accumulate(resp, res, diagonal, conditional, mis, n_mis, nk, s1, S, wd, n):
    """Moments of the completed residuals res (d, CHUNK) of one component.

    nk += sum_r resp_r; s1 += sum_r resp_r res_r; S += sum_r resp_r res_r
    res_r^T (upper triangle, or the diagonal in a (1, d) row when
    ``diagonal``) plus (sum_r resp_r) times the conditional covariance of
    the missing block.
    """
    n_features = res.shape[0]
    total = 0.0
    for r in range(n):
        total += resp[r]
    nk[0] += total
    for i in range(n_features):
        s = 0.0
        for r in range(n):
            s += resp[r] * res[i, r]
        s1[i] += s
    if diagonal:
        for i in range(n_features):
            s = 0.0
            for r in range(n):
                v = res[i, r]
                s += resp[r] * v * v
            S[0, i] += s
        for bb in range(n_mis):
            b = mis[bb]
            S[0, b] += total * conditional[0, b]
        return
    for a in range(n_features):
        for r in range(n):
            wd[a, r] = resp[r] * res[a, r]
    for a in range(n_features):
        for c in range(a, n_features):
            s = 0.0
            for r in range(n):
                s += wd[a, r] * res[c, r]
            S[a, c] += s
    for aa in range(n_mis):
        a = mis[aa]
        for cc in range(aa, n_mis):
            c = mis[cc]
            S[a, c] += total * conditional[a, c]


@njit(cache=True, nogil=True, fastmath=_FASTMATH)
def _missing_e_step(
    first_block,
    last_block,
    X,
    sample_weight,
    chunk_pattern,
    chunk_start,
    chunk_rows,
    blocks,
    obs_index,
    n_observed,
    mis_index,
    log_weights,
    means,
    factors,
    log_dets,
    regressions,
    conditionals,
    fit,
    out,
    lse_out,
    nk_part,
    s1_part,
    S_part,
    ll_part,
):
    """:func:`missing_e_step` over the blocks ``[first_block, last_block)``."""
    n_features = X.shape[1]
    n_components = means.shape[0]
    shared = factors.shape[1] == 1 and n_components > 1
    diagonal = factors.shape[2] == 1 and n_features > 1
    for block in range(first_block, last_block):
        xT = np.empty((n_features, CHUNK))
        res = np.empty((n_components, n_features, CHUNK))
        wd = np.empty((n_features, CHUNK))
        y = np.empty(CHUNK)
        sq = np.empty(CHUNK)
        lp = np.empty((n_components, CHUNK))
        work = np.empty((2, CHUNK))
        for chunk in range(blocks[block], blocks[block + 1]):
            p = chunk_pattern[chunk]
            row0 = chunk_start[chunk]
            n_rows = chunk_rows[chunk]
            n_obs = n_observed[p]
            n_mis = n_features - n_obs
            obs = obs_index[p]
            mis = mis_index[p]
            for ii in range(n_obs):
                i = obs[ii]
                for r in range(n_rows):
                    xT[i, r] = X[row0 + r, i]
            for k in range(n_components):
                slot = 0 if shared else k
                _residuals(xT, means[k], obs, n_obs, res[k], n_rows)
                _whitened_norms(
                    res[k], factors[p, slot], diagonal, obs, n_obs, y, sq, n_rows
                )
                offset = log_weights[k] + log_dets[p, slot] - 0.5 * n_obs * LOG_2PI
                for r in range(n_rows):
                    lp[k, r] = offset - 0.5 * sq[r]
                if fit:
                    if diagonal:
                        for bb in range(n_mis):
                            for r in range(n_rows):
                                res[k, mis[bb], r] = 0.0
                    else:
                        _complete(
                            res[k], regressions[p, slot], obs, n_obs, mis, n_mis, n_rows
                        )
            ll_part[block] += _normalise(
                lp, n_rows, sample_weight, row0, fit, out, lse_out, work
            )
            if not fit:
                continue
            for k in range(n_components):
                slot = 0 if shared else k
                _accumulate(
                    lp[k],
                    res[k],
                    diagonal,
                    conditionals[p, slot],
                    mis,
                    n_mis,
                    nk_part[block, k : k + 1],
                    s1_part[block, k],
                    S_part[block, k],
                    wd,
                    n_rows,
                )


def missing_e_step(
    X,
    sample_weight,
    chunk_pattern,
    chunk_start,
    chunk_rows,
    blocks,
    obs_index,
    n_observed,
    mis_index,
    log_weights,
    means,
    factors,
    log_dets,
    regressions,
    conditionals,
    fit,
    out,
    lse_out,
    nk_part,
    s1_part,
    S_part,
    ll_part,
    n_threads=1,
):
    """E-step over rows with missing entries, and the M-step's moments.

    Parameters
    ----------
    X : (n, d) float64, C-contiguous
        Rows sorted by pattern, missing entries set to 0 (never read).
    sample_weight : (n,) float64, in the same order (used when fit)
    chunk_pattern, chunk_start, chunk_rows : (n_chunks,) int64
        Pattern, first row and number of rows of each chunk.
    blocks : (n_blocks + 1,) int64
        Chunk boundaries of the blocks.
    obs_index, mis_index : (P, d) int64
        Sorted observed / missing features of each pattern (the first
        ``n_observed[p]`` / ``d - n_observed[p]`` entries are used).
    n_observed : (P,) int64
    log_weights : (K,) float64
    means : (K, d) float64
    factors : (P, K or 1, d, d) or (P, K, 1, d) float64
        Per pattern and component (one shared for "tied"), the factor U of
        the observed block's precision embedded in a (d, d) matrix; with a
        middle axis of length 1 (diagonal covariances), 1 / sigma at the
        observed features.
    log_dets : (P, K or 1) float64
        log det U: half the log-determinant of the observed block's precision.
    regressions : (P, K or 1, d, d) float64
        G = S_mo inv(S_oo) embedded at the missing rows and observed columns
        (unused when diagonal).
    conditionals : like ``factors``
        The conditional covariance of the missing block, embedded (upper
        triangle used), or its diagonal.
    fit : bool
        True: accumulate the moments and the weighted log-likelihood per
        block. False: write log-responsibilities to ``out`` and per-row
        log-likelihoods to ``lse_out`` (sorted order).
    out : (n, K) float64, lse_out : (n,) float64 (used when not fit)
    nk_part : (n_blocks, K), s1_part : (n_blocks, K, d),
    S_part : (n_blocks, K, d, d) or (n_blocks, K, 1, d), ll_part : (n_blocks,)
        Zero-initialised partial sums (used when fit).
    n_threads : int, default=1
        Threads to run the blocks on (the result does not depend on it).
    """
    run_blocks(
        _missing_e_step,
        len(blocks) - 1,
        n_threads,
        X,
        sample_weight,
        chunk_pattern,
        chunk_start,
        chunk_rows,
        blocks,
        obs_index,
        n_observed,
        mis_index,
        log_weights,
        means,
        factors,
        log_dets,
        regressions,
        conditionals,
        fit,
        out,
        lse_out,
        nk_part,
        s1_part,
        S_part,
        ll_part,
    )
