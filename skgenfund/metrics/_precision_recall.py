"""Precision and recall (Kynkaanniemi 2019), density and coverage (Naeem 2020).

All four come from k-nearest-neighbour balls in feature space: each real row
gets the ball of radius its distance to its k-th nearest other real row (and
likewise for generated rows, for recall). The distances and the comparisons are
made by :mod:`._neighbours`: blocked, float64-exact, never an (n, n) matrix.
"""

import warnings

from .._core.validation import check_positive_int
from ._features import paired_features
from ._neighbours import neighbour_counts

__all__ = ["density_coverage", "precision_recall"]

_CONVENTIONS = """
    The k-NN conventions are those of the authors' code (the ``prdc``
    package), whose results these equal: the radius of a row is its Euclidean
    distance to its k-th nearest *other* row of the same set (an exact
    duplicate of it counts, at distance 0), and a point is inside a ball when
    its distance is *strictly* smaller than the radius, so a row with k or
    more exact duplicates has an empty ball (a warning says so). Every
    deciding distance is the float64 value of ``sqrt(sum((x - y)**2))`` on
    the given features, whatever the blocking (comparisons are made on
    squares)."""


def _warn_empty_balls(counts, k, with_generated):
    """Warn when duplicated rows give k-NN radii of 0: balls that hold nothing."""
    empty = [(counts.empty_real_balls, "real")]
    if with_generated:
        empty.append((counts.empty_generated_balls, "generated"))
    for n_empty, name in empty:
        if n_empty:
            warnings.warn(
                f"{n_empty} {name} row(s) have at least k={k} exact duplicates, so "
                "their k-NN radius is 0 and their ball holds nothing (a point is "
                "inside only when strictly closer than the radius). Drop "
                "duplicate rows or use a larger k.",
                UserWarning,
                stacklevel=3,
            )


def _check_k(k, n_rows, name):
    k = check_positive_int("k", k)
    if k >= n_rows:
        raise ValueError(
            f"k={k} nearest neighbours need more than k rows of {name}, which has "
            f"{n_rows}; pass a smaller k (k <= {n_rows - 1}) or more rows."
        )
    return k


def precision_recall(real, generated, *, k=3, feature_extractor=None):
    """Improved precision and recall of generated samples (Kynkaanniemi et al. 2019).

    *Precision* is the share of generated rows that fall inside the k-NN ball
    of at least one real row: how much of what the model makes looks real
    (fidelity). *Recall* is the share of real rows inside the k-NN ball of at
    least one generated row: how much of the real data the model can make
    (diversity). A generator that drops modes keeps its precision and loses
    recall; one that blurs keeps recall and loses precision; FID mixes both.
    {conventions}

    Parameters
    ----------
    real : array-like of shape (n_real, n_features)
        Real rows (or anything ``feature_extractor`` accepts).
    generated : array-like of shape (n_generated, n_features)
        Generated rows, in the same space.
    k : int, default=3
        Neighbour rank of the ball radii (the paper's default); at most
        ``n_real - 1`` and ``n_generated - 1``.
    feature_extractor : transformer, callable or None, default=None
        The feature space, as :class:`FIDScorer` takes it: None (the rows
        themselves), a fitted transformer, an unfitted one (fitted on
        ``real``) or a callable returning an (n, n_features) array.

    Returns
    -------
    precision : float
        Share of generated rows inside some real row's ball, in [0, 1].
    recall : float
        Share of real rows inside some generated row's ball, in [0, 1].

    Raises
    ------
    ValueError
        If the two sets have different widths, NaN or infinite values, fewer
        than 2 rows, or k is not below the number of rows of each set.

    See Also
    --------
    density_coverage : Robust counterparts of precision and recall.
    SampleScorer : Either as a GridSearchCV scorer.

    Notes
    -----
    Cost: the k-NN radii of both sets and one pass over all real x generated
    distances, O((n_real + n_generated)^2 n_features) flops in float32 matrix
    products plus exact float64 checks of the few undecided pairs; memory
    O((n_real + n_generated) * 2048), plus the pairs of exact duplicates when
    the data have many (each is a k-NN candidate). Results are cached by the content of
    the features (a SHA-256 of their bytes) and k: a real set scored against
    several generators has its radii computed once, and the same pass counts
    the real balls that density and coverage are made of, so
    :func:`density_coverage` on the same rows and k right after costs only
    the hashing.

    References
    ----------
    .. [1] T. Kynkaanniemi, T. Karras, S. Laine, J. Lehtinen and T. Aila,
       "Improved precision and recall metric for assessing generative models",
       NeurIPS 2019.

    Examples
    --------
    Generated rows covering only one of two real clusters: nearly all of them
    look real (precision about 1) but half the real data is missed (recall
    about 0.5).

    >>> import numpy as np
    >>> from skgenfund import precision_recall
    >>> rng = np.random.RandomState(0)
    >>> real = np.vstack([rng.normal(-5, 1, (200, 2)), rng.normal(5, 1, (200, 2))])
    >>> generated = rng.normal(-5, 1, (400, 2))
    >>> precision, recall = precision_recall(real, generated)
    >>> round(precision, 2), round(recall, 2)
    (0.99, 0.49)
    """
    real, generated = paired_features(
        real, generated, feature_extractor, "precision_recall"
    )
    k_real = _check_k(k, real.shape[0], "real")
    _check_k(k, generated.shape[0], "generated")
    counts = neighbour_counts(real, generated, k_real, with_generated_balls=True)
    _warn_empty_balls(counts, k_real, with_generated=True)
    precision = float((counts.inside_real_ball > 0).mean())
    recall = float(counts.inside_generated_ball.mean())
    return precision, recall


def density_coverage(real, generated, *, k=5, feature_extractor=None):
    """Density and coverage of generated samples (Naeem et al. 2020).

    *Density* counts, for each generated row, how many real k-NN balls
    contain it, divided by k, averaged over generated rows: about 1 when the
    generated rows are distributed like the real ones, above 1 when they crowd
    into dense real regions, below when they stray. Unlike precision it is not
    fooled by a few real outliers with huge balls. *Coverage* is the share of
    real rows whose ball contains at least one generated row: recall measured
    with the real balls only, so that outlying generated rows cannot inflate
    it.
    {conventions}

    Parameters
    ----------
    real : array-like of shape (n_real, n_features)
        Real rows (or anything ``feature_extractor`` accepts).
    generated : array-like of shape (n_generated, n_features)
        Generated rows, in the same space.
    k : int, default=5
        Neighbour rank of the real balls' radii (the paper's default); at most
        ``n_real - 1``.
    feature_extractor : transformer, callable or None, default=None
        The feature space, as :class:`FIDScorer` takes it.

    Returns
    -------
    density : float
        Mean number of real balls holding a generated row, over k; >= 0.
    coverage : float
        Share of real rows whose ball holds a generated row, in [0, 1].

    Raises
    ------
    ValueError
        If the two sets have different widths, NaN or infinite values, fewer
        than 2 rows, or k is not below the number of real rows.

    See Also
    --------
    precision_recall : The metrics density and coverage refine.

    Notes
    -----
    Cost: the k-NN radii of the real set and one pass over all real x
    generated distances (the generated set's own neighbours are not needed);
    nothing more after :func:`precision_recall` on the same rows and k,
    whose pass made the same comparisons (results are cached by content).

    References
    ----------
    .. [1] M. F. Naeem, S. J. Oh, Y. Uh, Y. Choi and J. Yoo, "Reliable fidelity
       and diversity metrics for generative models", ICML 2020.

    Examples
    --------
    Generated rows crowded into the middle of the real data: about as many
    real balls hold each of them as hold a real row (density near 1), yet
    they cover only a third of the real rows.

    >>> import numpy as np
    >>> from skgenfund import density_coverage
    >>> rng = np.random.RandomState(0)
    >>> real = rng.normal(0, 1, (500, 2))
    >>> generated = rng.normal(0, 0.3, (500, 2))
    >>> density, coverage = density_coverage(real, generated)
    >>> round(density, 2), round(coverage, 2)
    (0.99, 0.35)
    """
    real, generated = paired_features(
        real, generated, feature_extractor, "density_coverage"
    )
    k = _check_k(k, real.shape[0], "real")
    counts = neighbour_counts(real, generated, k, with_generated_balls=False)
    _warn_empty_balls(counts, k, with_generated=False)
    density = float(counts.inside_real_ball.mean() / k)
    coverage = float(counts.covered.mean())
    return density, coverage


for _function in (precision_recall, density_coverage):
    _function.__doc__ = _function.__doc__.replace("{conventions}", _CONVENTIONS.strip())
