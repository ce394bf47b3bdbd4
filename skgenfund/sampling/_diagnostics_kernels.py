"""Numba kernels of the MCMC diagnostics: average ranks of long chains.

R-hat ranks every dimension's draws twice, as they are and folded about
their median; for millions of draws numpy's comparison sorts cost more than
the compiled sampler that made the draws. :func:`ranks_and_folded_ranks`
sorts once, by keys (an LSD radix sort of the float64 bit patterns, 11 bits
per pass, passes whose digit all keys share skipped), and gets the order of
the folded draws ``|x - m|`` by merging the two sorted halves on either side
of m, in O(n); tied values share their average rank, as in
``scipy.stats.rankdata``. Every kernel is ``@njit(cache=True)``, compiled
the first time it is called.
"""

import numpy as np
from numba import njit

RADIX_BITS = 11
N_BUCKETS = 1 << RADIX_BITS


@njit(cache=True)
def _sortable_keys(values):
    """uint64 keys ordered as the (finite) float64 values; -0.0 keyed as 0.0."""
    n = values.shape[0]
    keys = np.empty(n, dtype=np.uint64)
    sign = np.uint64(1) << np.uint64(63)
    for i in range(n):
        value = values[i] + 0.0  # -0.0 + 0.0 is +0.0: equal values, equal keys
        bits = np.float64(value).view(np.uint64)
        keys[i] = ~bits if bits & sign else bits | sign
    return keys


@njit(cache=True)
def radix_argsort(values):
    """Indices sorting a 1-D finite float64 array (ties in any order)."""
    n = values.shape[0]
    keys = _sortable_keys(values)
    order = np.empty(n, dtype=np.int64)
    for i in range(n):
        order[i] = i
    keys_out = np.empty(n, dtype=np.uint64)
    order_out = np.empty(n, dtype=np.int64)
    counts = np.empty(N_BUCKETS, dtype=np.int64)
    mask = np.uint64(N_BUCKETS - 1)
    for shift in range(0, 64, RADIX_BITS):
        s = np.uint64(shift)
        for b in range(N_BUCKETS):
            counts[b] = 0
        for i in range(n):
            counts[(keys[i] >> s) & mask] += 1
        shared = False  # every key has this digit: nothing to move
        total = 0
        for b in range(N_BUCKETS):
            c = counts[b]
            shared = shared or c == n
            counts[b] = total
            total += c
        if shared:
            continue
        for i in range(n):
            b = (keys[i] >> s) & mask
            j = counts[b]
            counts[b] = j + 1
            keys_out[j] = keys[i]
            order_out[j] = order[i]
        keys, keys_out = keys_out, keys
        order, order_out = order_out, order
    return order


@njit(cache=True)
def _ranks_in_order(order, sorted_values):
    """Average ranks given a sorting order and the values in that order."""
    n = order.shape[0]
    ranks = np.empty(n)
    start = 0
    while start < n:
        end = start + 1
        while end < n and sorted_values[end] == sorted_values[start]:
            end += 1
        rank = 0.5 * (start + end + 1)
        for i in range(start, end):
            ranks[order[i]] = rank
        start = end
    return ranks


@njit(cache=True)
def average_ranks(values):
    """Ranks 1..n of a 1-D finite float64 array, ties sharing their average rank."""
    order = radix_argsort(values)
    return _ranks_in_order(order, _take(values, order))


@njit(cache=True)
def _take(values, order):
    """``values[order]``, as a loop (numpy's take costs a second to compile)."""
    out = np.empty(order.shape[0])
    for i in range(order.shape[0]):
        out[i] = values[order[i]]
    return out


@njit(cache=True)
def _count_below(ordered, centre):
    """Number of entries of the sorted array below centre (a binary search)."""
    low, high = 0, ordered.shape[0]
    while low < high:
        middle = (low + high) // 2
        if ordered[middle] < centre:
            low = middle + 1
        else:
            high = middle
    return low


@njit(cache=True)
def ranks_and_folded_ranks(values, centre):
    """Average ranks of ``values`` and of ``|values - centre|``, from one sort.

    Above the centre the folded values grow with the values, below it they
    shrink (floating-point subtraction is monotone), so their order is a
    merge of the two runs of the sorted values.
    """
    n = values.shape[0]
    order = radix_argsort(values)
    ordered = _take(values, order)
    ranks = _ranks_in_order(order, ordered)
    split = _count_below(ordered, centre)  # ordered[:split] < centre
    folded_order = np.empty(n, dtype=np.int64)
    folded = np.empty(n)
    low, high = split - 1, split
    for k in range(n):
        take_high = low < 0 or (
            high < n and ordered[high] - centre <= centre - ordered[low]
        )
        if take_high:
            folded[k] = ordered[high] - centre
            folded_order[k] = order[high]
            high += 1
        else:
            folded[k] = centre - ordered[low]
            folded_order[k] = order[low]
            low -= 1
    return ranks, _ranks_in_order(folded_order, folded)


@njit(cache=True, fastmath=True)
def mean_autocovariance(centred, start, stop):
    """Biased autocovariance at lags [start, stop), averaged over the chains.

    ``centred`` is (n_chains, n_draws), each chain centred on its mean:
    ``mean_c sum_i x_c[i] x_c[i + t] / n_draws``, the FFT's value to rounding,
    at a cost of n_chains n_draws per lag (the Geyer truncation of a mixing
    chain needs a few dozen lags, far fewer than the FFT's log-factor costs).
    """
    n_chains, n_draws = centred.shape
    out = np.zeros(stop - start)
    for c in range(n_chains):
        row = centred[c]
        for k in range(stop - start):
            t = start + k
            head = row[: n_draws - t]  # two views: the loop vectorises
            tail = row[t:]
            total = 0.0
            for i in range(head.shape[0]):
                total += head[i] * tail[i]
            out[k] += total
    for k in range(stop - start):
        out[k] /= n_draws * n_chains
    return out
