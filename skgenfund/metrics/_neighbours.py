"""Blocked, exact Euclidean k-nearest-neighbour machinery for the k-NN metrics.

Precision, recall, density and coverage (:mod:`._precision_recall`) are all
decided by comparisons ``d(x, y) < r`` between a Euclidean distance and a
k-nearest-neighbour radius. This module finds them for tens of thousands of
rows in high dimension without ever holding an ``(n, n)`` matrix, and with
results that are exactly those of float64 arithmetic.

*What is computed.* Every distance that decides a result is the float64
value of ``sum_k (x_k - y_k)^2`` on the original rows (:func:`exact_squared`),
so that it does not depend on how the rows are blocked, scaled or centred;
comparisons are made on squared distances (the square root is monotone).
The k-NN radius of row i of a set is the k-th smallest of those squared
distances to the *other* rows of the set (a duplicate of row i counts, at
distance 0), i.e. the (k + 1)-th smallest including row i itself: the
convention of the authors' code (``prdc``).

*How candidates are found.* Both sets are centred on a common point and scaled
by a power of two (exact), cast to float32, and their squared distances
formed block by block as ``|x|^2 + |y|^2 - 2 x.y`` with one float32 matrix
product per block (twice the speed of float64). A rigorous bound on the error
of that value relative to the exact float64 one (:func:`_error_coefficient`)
sorts each comparison into *surely true*, *surely false* or *ambiguous*; only
the ambiguous pairs (a few per row) get the exact float64 distance. A block
whose share of ambiguous pairs is large (tight clusters far from the centre)
is recomputed with a float64 product, whose bound is 2**29 times tighter, so
correctness never depends on the data and speed rarely does. Within one set
only the blocks on and above the diagonal are computed; each off-diagonal
block serves both its rows and its columns.

Memory is O(n * block + n * k): the blocks are ``_BLOCK`` rows wide.
"""

import hashlib
from collections import OrderedDict
from threading import Lock

import numpy as np

_BLOCK = 2048
_U64 = 2.0**-53
# absolute slack, in scaled units (entries are at most 1 in magnitude), for
# float32 underflow of tiny entries and products: far above 2**-149 * n_features
_ABSOLUTE_SLACK = 1e-30
# a block is recomputed in float64 when more than this share of its
# comparisons cannot be decided from the float32 distances
_MAX_AMBIGUOUS_SHARE = 0.01
_PAIR_CHUNK = 2048


# the float32 products are summed over chunks of this many features, added
# up in float32: the rounding error then grows with 256 + d / 256 terms, not d
_PRODUCT_CHUNK = 256


def _feature_chunks(n_features, dtype):
    """Column slices of the float32 products (one slice for float64)."""
    if dtype == np.float64:
        return [slice(0, n_features)]
    return [
        slice(start, min(start + _PRODUCT_CHUNK, n_features))
        for start in range(0, n_features, _PRODUCT_CHUNK)
    ]


def _summation_depth(chunks):
    """Most additions any entry of a chunked product goes through in sequence."""
    return max(chunk.stop - chunk.start for chunk in chunks) + len(chunks)


class Prepared:
    """A feature set ready for blocked distances against others.

    ``original`` holds the float64 rows as given; ``chunks`` the rows minus
    ``centre``, times ``2**-exponent``, in the candidate dtype, as contiguous
    column chunks; ``norms`` the float64 Euclidean norms of the scaled float64
    rows; ``squared_norms`` the squared norms of the rounded rows, rounded to
    the candidate dtype.
    """

    def __init__(self, original, centred, centre, exponent, dtype):
        self.original = original
        self.centre = centre
        self.exponent = exponent
        self.dtype = dtype
        self.n_features = original.shape[1]
        self.norms = np.sqrt(np.einsum("ij,ij->i", centred, centred))
        self.feature_chunks = _feature_chunks(self.n_features, dtype)
        self.chunks = [
            np.ascontiguousarray(centred[:, chunk], dtype=dtype)
            for chunk in self.feature_chunks
        ]
        squared = np.zeros(len(original))
        for chunk in self.chunks:
            wide = chunk.astype(np.float64)
            squared += np.einsum("ij,ij->i", wide, wide)
        self.squared_norms = squared.astype(dtype)

    def centred64(self, rows):
        """The scaled, centred float64 rows (recomputed: identical every time)."""
        return np.ldexp(self.original[rows] - self.centre, -self.exponent)


def _scale_exponent(largest):
    """The exponent of a power of two at least ``largest`` (0 when it is 0)."""
    if not largest > 0.0:
        return 0
    _, exponent = np.frexp(largest)
    return int(exponent)


def prepare_sets(*sets):
    """Prepare feature sets on one common centre and scale.

    The centre is the mean of the first set; the scale the smallest power of
    two bounding every centred entry, so that float32 neither overflows nor
    loses relative accuracy on large features.
    """
    centre = sets[0].mean(axis=0)
    centred = [X - centre for X in sets]
    exponent = _scale_exponent(max(max(C.max(), -C.min()) for C in centred))
    dtype = candidate_dtype(sets[0].shape[1])
    prepared = []
    for X, C in zip(sets, centred):
        np.ldexp(C, -exponent, out=C)
        prepared.append(Prepared(X, C, centre, exponent, dtype))
    return prepared


def candidate_dtype(n_features):
    """float32 unless the width makes its error bound useless."""
    return np.float32 if n_features * 2.0**-24 < 1e-2 else np.float64


def _error_coefficient(n_features, dtype, depth):
    """beta such that |D - d^2| <= beta * (|x| + |y|)^2 + slack, scaled units.

    D is the blocked value ``|x~|^2 + |y~|^2 - 2 fl(x~ . y~)`` in ``dtype``,
    d^2 the float64 ``sum (x - y)^2`` of the original rows, x~ the rounded
    scaled centred rows, |x| the norms of the exact ones. Terms (u the unit
    roundoff of ``dtype``, s = |x| + |y|):

    * rounding the rows to ``dtype`` (and the float64 centring): each row moves
      by at most (u + u64) |x|, so the distance by (u + u64) s and its square
      by about 2 (u + u64) s^2;
    * the matrix product: |fl(x~ . y~) - x~ . y~| <= gamma_h |x~| |y~| <=
      gamma_h s^2 / 4 for any order of summation in which no term goes
      through more than h additions (gamma_h = h u / (1 - h u); h is the
      chunk width plus the number of chunks); twice that enters D;
    * rounding the squared norms and the two additions: 4 u s^2;
    * the float64 reference itself: (d + 3) u64 s^2.

    The sum gets a 25% margin.
    """
    u = float(np.finfo(dtype).eps) / 2.0
    d = float(n_features)
    gamma = depth * u / (1.0 - depth * u)
    cast = 2.01 * (u + _U64) * (1.0 + u) ** 2
    product = 0.5 * gamma * (1.0 + u) ** 2
    combine = 4.0 * u
    reference = (d + 3.0) * _U64 * 1.01
    return 1.25 * (cast + product + combine + reference)


def _round_down(values, dtype):
    """float64 values rounded into ``dtype`` to a value no larger."""
    rounded = np.asarray(values).astype(dtype)
    return np.nextafter(rounded, np.array(-np.inf, dtype=dtype))


def _round_up(values, dtype):
    """float64 values rounded into ``dtype`` to a value no smaller."""
    rounded = np.asarray(values).astype(dtype)
    return np.nextafter(rounded, np.array(np.inf, dtype=dtype))


class _Block:
    """Squared distances between row blocks of two prepared sets, with bounds."""

    def __init__(self, A, rows, B, cols, dtype):
        self.rows = rows
        self.cols = cols
        self.dtype = dtype
        if dtype == A.dtype:
            chunks = A.feature_chunks
            distances = A.chunks[0][rows] @ B.chunks[0][cols].T
            for left, right in zip(A.chunks[1:], B.chunks[1:]):
                distances += left[rows] @ right[cols].T
            left_sq, right_sq = A.squared_norms[rows], B.squared_norms[cols]
        else:  # float64 recomputation of a block with too many ambiguous pairs
            chunks = _feature_chunks(A.n_features, dtype)
            left, right = A.centred64(rows), B.centred64(cols)
            distances = left @ right.T
            left_sq = np.einsum("ij,ij->i", left, left)
            right_sq = np.einsum("ij,ij->i", right, right)
        distances *= -2.0
        distances += left_sq[:, None]
        distances += right_sq[None, :]
        self.distances = distances
        beta = _error_coefficient(A.n_features, dtype, _summation_depth(chunks))
        a, b = A.norms[rows], B.norms[cols]
        # per row of the block (largest column norm) and per column
        self.row_bound = beta * (a + b.max()) ** 2 + _ABSOLUTE_SLACK
        self.col_bound = beta * (b + a.max()) ** 2 + _ABSOLUTE_SLACK

    def transposed(self):
        other = object.__new__(_Block)
        other.rows, other.cols, other.dtype = self.cols, self.rows, self.dtype
        other.distances = self.distances.T
        other.row_bound, other.col_bound = self.col_bound, self.row_bound
        return other


def exact_squared(X, Y, rows, cols, exponent):
    """float64 ``sum ((X[i] - Y[j]) * 2**-exponent)^2`` for each pair (i, j).

    For features of ordinary magnitude (``|exponent| <= 300``) this is
    exactly ``2**(-2 exponent) * sum (X[i] - Y[j])^2`` (scaling by a power of
    two commutes with rounding), computed so; only features beyond about
    1e90 or below 1e-90 are scaled first, so that squares neither overflow
    nor underflow.
    """
    out = np.empty(len(rows))
    scale_rows = abs(exponent) > 300
    for start in range(0, len(rows), _PAIR_CHUNK):
        stop = start + _PAIR_CHUNK
        diff = X[rows[start:stop]]
        diff -= Y[cols[start:stop]]
        if scale_rows:
            np.ldexp(diff, -exponent, out=diff)
        out[start:stop] = np.einsum("ij,ij->i", diff, diff)
    if not scale_rows:
        np.ldexp(out, -2 * exponent, out=out)
    return out


def _blocks(n):
    return [slice(start, min(start + _BLOCK, n)) for start in range(0, n, _BLOCK)]


def _ranges(block):
    return np.arange(block.start, block.stop)


# ---------------------------------------------------------------------------
# k-NN radii within one set


def _self_block_candidates(block, k, top, diagonal):
    """Update the running k smallest upper bounds of the block's rows.

    Returns the candidate pairs (rows, cols, lower bounds) whose lower bound
    is within the updated running threshold, or None (and no update) when a
    float32 block leaves too many to be worth checking exactly: the caller
    then recomputes the block in float64.
    """
    D = block.distances
    if diagonal:
        np.fill_diagonal(D, np.inf)
    rows = _ranges(block.rows)
    n_cols = D.shape[1]
    if n_cols > k:
        smallest = np.partition(D, k - 1, axis=1)[:, :k]
    else:
        smallest = D
    upper = smallest.astype(np.float64) + block.row_bound[:, None]
    merged = np.concatenate([top[rows], upper], axis=1)
    new_top = np.partition(merged, k - 1, axis=1)[:, :k]
    threshold = new_top.max(axis=1)
    limit = _round_up(threshold + block.row_bound, D.dtype)
    hit_rows, hit_cols = np.nonzero(D <= limit[:, None])
    too_many = max(4 * (k + 8) * len(rows), _MAX_AMBIGUOUS_SHARE * D.size)
    if block.dtype != np.float64 and hit_rows.size > too_many:
        return None
    top[rows] = new_top
    bound = block.row_bound[hit_rows]
    lower = D[hit_rows, hit_cols].astype(np.float64) - bound
    return rows[hit_rows], hit_cols + block.cols.start, lower, lower + 2.0 * bound


def _knn_radii_squared_uncached(prepared, k):
    n = prepared.original.shape[0]
    top = np.full((n, k), np.inf)
    found = []
    blocks = _blocks(n)
    for i, rows in enumerate(blocks):
        for cols in blocks[i:]:
            diagonal = rows == cols
            dtype = prepared.dtype
            while True:
                block = _Block(prepared, rows, prepared, cols, dtype)
                views = [block] if diagonal else [block, block.transposed()]
                saved = [top[_ranges(view.rows)].copy() for view in views]
                results = [
                    _self_block_candidates(view, k, top, diagonal) for view in views
                ]
                if all(r is not None for r in results) or dtype == np.float64:
                    break
                for view, old in zip(views, saved):  # undo, redo in float64
                    top[_ranges(view.rows)] = old
                dtype = np.float64
            found.extend(results)
    rows, cols, lower, upper = (np.concatenate(parts) for parts in zip(*found))
    return _kth_exact(prepared, k, rows, cols, lower, upper, top.max(axis=1))


def _kth_exact(prepared, k, rows, cols, lower, upper, threshold):
    """The exact k-th smallest squared distance per row, from bounded candidates.

    Every pair that can be among a row's k nearest is a candidate, with
    lower <= exact <= upper. The k-th smallest exact value lies between the
    k-th smallest lower bound and the k-th smallest upper bound; candidates
    entirely below that interval are surely nearer, those entirely above
    surely farther, so only the ones overlapping it (usually one per row)
    get their exact distance.
    """
    n = prepared.original.shape[0]
    keep = lower <= threshold[rows]
    rows, cols, lower, upper = rows[keep], cols[keep], lower[keep], upper[keep]
    kth_lower = _kth_per_row(rows, lower, k, n)
    kth_upper = _kth_per_row(rows, upper, k, n)
    below = upper < kth_lower[rows]
    overlap = ~below & (lower <= kth_upper[rows])
    n_below = np.bincount(rows[below], minlength=n)
    rows, cols = rows[overlap], cols[overlap]
    exact = exact_squared(
        prepared.original, prepared.original, rows, cols, prepared.exponent
    )
    return _kth_per_row(rows, exact, k - n_below, n)


def _kth_per_row(rows, values, rank, n):
    """The rank-th smallest (1-based; an int or one per row) value in each row."""
    order = np.lexsort((values, rows))
    rows, values = rows[order], values[order]
    starts = np.searchsorted(rows, np.arange(n))
    return values[starts + np.asarray(rank) - 1]


class _LRUCache:
    """A small thread-safe least-recently-used cache of results by content key."""

    def __init__(self, size):
        self.size = size
        self._entries = OrderedDict()
        self._lock = Lock()

    def get(self, key):
        with self._lock:
            if key not in self._entries:
                return None
            self._entries.move_to_end(key)
            return self._entries[key]

    def put(self, key, value):
        with self._lock:
            self._entries[key] = value
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self):
        with self._lock:
            self._entries.clear()


# results are small (O(n) numbers) and keyed by a hash of the features'
# bytes, so a stale entry is impossible: changed data has another key
_cache = _LRUCache(16)


def fingerprint(X):
    """A key for the content of a float64 matrix (SHA-256 of its bytes and shape)."""
    digest = hashlib.sha256(memoryview(np.ascontiguousarray(X)).cast("B"))
    digest.update(repr(X.shape).encode())
    return digest.hexdigest()


def knn_radii_squared(X, k, key=None):
    """Exact float64 squared k-NN radii of the rows of X within X (self excluded).

    Returns ``(radii, exponent)``: the squared radii in units of
    ``2**exponent`` (so that features of 1e300 do not overflow), i.e. the
    radii of X are ``sqrt(radii) * 2**exponent``.

    Cached by the content of X (``key``, its :func:`fingerprint`) and k: a
    reference set scored against several generated sets has its radii
    computed once.
    """
    key = ("radii", fingerprint(X) if key is None else key, k)
    radii = _cache.get(key)
    if radii is None:
        (prepared,) = prepare_sets(X)
        values = _knn_radii_squared_uncached(prepared, k)
        values.setflags(write=False)
        radii = (values, prepared.exponent)
        _cache.put(key, radii)
    return radii


def neighbour_counts(real, generated, k, *, with_generated_balls):
    """:class:`CrossCounts` of real and generated rows with k-NN balls.

    The real balls are always counted (they give precision, density and
    coverage); the generated balls (recall) when ``with_generated_balls``.
    Cached by content and k: ``density_coverage`` after ``precision_recall``
    on the same rows and k reuses the counts of that pass, which are the
    same comparisons.
    """
    real_key, generated_key = fingerprint(real), fingerprint(generated)
    key = ("counts", real_key, generated_key, k)
    counts = _cache.get(key)
    if counts is not None and (
        counts.inside_generated_ball is not None or not with_generated_balls
    ):
        return counts
    real_radii = knn_radii_squared(real, k, real_key)
    generated_radii = (
        knn_radii_squared(generated, k, generated_key) if with_generated_balls else None
    )
    counts = cross_counts(real, generated, real_radii, generated_radii)
    counts.empty_real_balls = int(np.count_nonzero(real_radii[0] == 0))
    counts.empty_generated_balls = (
        int(np.count_nonzero(generated_radii[0] == 0)) if with_generated_balls else 0
    )
    _cache.put(key, counts)
    return counts


# ---------------------------------------------------------------------------
# comparisons between two sets


class CrossCounts:
    """What one pass over the cross distances of real and generated rows gives.

    For real rows i with squared radii R_i and generated rows j with squared
    radii S_j (either may be None when not needed):

    * ``inside_real_ball`` (j): number of real i with d(i, j)^2 < R_i;
    * ``covered`` (i): whether some generated j has d(i, j)^2 < R_i;
    * ``inside_generated_ball`` (i): whether some generated j has
      d(i, j)^2 < S_j.
    """

    def __init__(self, n_real, n_generated, need_real, need_generated):
        self.inside_real_ball = (
            np.zeros(n_generated, dtype=np.int64) if need_real else None
        )
        self.covered = np.zeros(n_real, dtype=bool) if need_real else None
        self.inside_generated_ball = (
            np.zeros(n_real, dtype=bool) if need_generated else None
        )


def _classify(D, low, high, axis):
    """(surely below, ambiguous pair indices) for thresholds along one axis."""
    shape = (-1, 1) if axis == 0 else (1, -1)
    surely = D < low.reshape(shape)
    ambiguous = D < high.reshape(shape)
    ambiguous ^= surely
    with_any = np.flatnonzero(ambiguous.any(axis=1))
    pair_rows, pair_cols = np.nonzero(ambiguous[with_any])
    return surely, (with_any[pair_rows], pair_cols)


def _cross_block(block, real_radii, generated_radii):
    """Sure counts and ambiguous pairs of one block, or None if too ambiguous."""
    D = block.distances
    out = {}
    n_ambiguous = 0
    if real_radii is not None:
        R = real_radii[block.rows]
        low = _round_down(R - block.row_bound, D.dtype)
        high = _round_up(R + block.row_bound, D.dtype)
        surely, pairs = _classify(D, low, high, axis=0)
        out["real"] = (surely.sum(axis=0), surely.any(axis=1), pairs)
        n_ambiguous += pairs[0].size
    if generated_radii is not None:
        S = generated_radii[block.cols]
        low = _round_down(S - block.col_bound, D.dtype)
        high = _round_up(S + block.col_bound, D.dtype)
        surely, pairs = _classify(D, low, high, axis=1)
        out["generated"] = (surely.any(axis=1), pairs)
        n_ambiguous += pairs[0].size
    if block.dtype != np.float64 and n_ambiguous > _MAX_AMBIGUOUS_SHARE * D.size:
        return None
    return out


def cross_counts(real, generated, real_radii=None, generated_radii=None):
    """One blocked pass over real x generated distances (see :class:`CrossCounts`).

    ``real_radii`` and ``generated_radii`` are ``(squared radii, exponent)``
    pairs from :func:`knn_radii_squared`, or None when not needed.
    """
    A, B = prepare_sets(real, generated)

    def rescaled(radii):
        if radii is None:
            return None
        values, exponent = radii
        return np.ldexp(values, 2 * (exponent - A.exponent))

    R, S = rescaled(real_radii), rescaled(generated_radii)
    counts = CrossCounts(len(real), len(generated), R is not None, S is not None)
    check_real_rows, check_real_cols = [], []
    check_gen_rows, check_gen_cols = [], []
    for rows in _blocks(len(real)):
        for cols in _blocks(len(generated)):
            result = _cross_block(_Block(A, rows, B, cols, A.dtype), R, S)
            if result is None:
                result = _cross_block(_Block(A, rows, B, cols, np.float64), R, S)
            if "real" in result:
                inside, covered, (pair_rows, pair_cols) = result["real"]
                counts.inside_real_ball[cols] += inside
                counts.covered[rows] |= covered
                check_real_rows.append(pair_rows + rows.start)
                check_real_cols.append(pair_cols + cols.start)
            if "generated" in result:
                inside, (pair_rows, pair_cols) = result["generated"]
                counts.inside_generated_ball[rows] |= inside
                check_gen_rows.append(pair_rows + rows.start)
                check_gen_cols.append(pair_cols + cols.start)
    if R is not None:
        i, j = np.concatenate(check_real_rows), np.concatenate(check_real_cols)
        below = exact_squared(real, generated, i, j, A.exponent) < R[i]
        np.add.at(counts.inside_real_ball, j[below], 1)
        counts.covered[i[below]] = True
    if S is not None:
        i, j = np.concatenate(check_gen_rows), np.concatenate(check_gen_cols)
        below = exact_squared(real, generated, i, j, A.exponent) < S[j]
        counts.inside_generated_ball[i[below]] = True
    return counts
