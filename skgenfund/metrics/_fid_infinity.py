"""FID extrapolated to infinitely many generated samples (Chong & Forsyth 2020)."""

import numpy as np

from .._core.validation import check_positive_int, check_random_state
from ._features import paired_features
from ._frechet import frechet_between, gaussian_from_data

__all__ = ["frechet_distance_infinity"]


def frechet_distance_infinity(
    X, Y, *, n_points=15, min_samples=None, random_state=None, feature_extractor=None
):
    r"""FID extrapolated to infinitely many generated rows (FID-infinity).

    FID is biased upward by about ``c / N`` for N generated rows, with a
    ``c`` that differs between models, so two models compared at one N can
    be ranked by their bias. Chong & Forsyth (2020) remove it: compute the
    Fréchet distance between X and random subsets of Y at ``n_points`` sizes
    N from ``min_samples`` to ``len(Y)``, fit a line in 1/N and take its
    intercept, the value at N = infinity. X plays the fixed reference (its
    statistics are computed once, from all its rows).

    Parameters
    ----------
    X : array-like of shape (n_samples_X, n_features)
        Reference (real) rows, at least 2.
    Y : array-like of shape (n_samples_Y, n_features)
        Generated rows, in the same space.
    n_points : int, default=15
        Number of subset sizes, spread evenly in 1/N; at least 3 (a line and
        its residual scatter).
    min_samples : int or None, default=None
        Smallest subset size; None means ``len(Y) // 5``. At least 2 and
        below ``len(Y)``, with room for ``n_points`` distinct sizes.
    random_state : int, RandomState instance or None, default=None
        Seeds the subsets; an int gives the same result on every run.
    feature_extractor : transformer, callable or None, default=None
        The feature space, as :class:`FIDScorer` takes it.

    Returns
    -------
    value : float
        The intercept of the line: FID at infinitely many generated rows.
        It can be slightly negative when the true value is near 0.
    standard_error : float
        Its standard error over draws of Y (see Notes).

    Raises
    ------
    ValueError
        If X and Y have different widths, NaN or infinite values, or Y has
        too few rows for ``n_points`` distinct sizes from ``min_samples``.

    See Also
    --------
    frechet_distance : FID at the given sample sizes.

    Notes
    -----
    The subsets of size N are drawn without replacement from the same Y, so
    the points scatter around the line with variance close to
    ``sigma^2 (1/N - 1/M)`` (M = ``len(Y)``; first-order delta method) and
    share one further error: that of Y itself, with variance ``sigma^2 / M``,
    which no scatter around the line can show. The line is therefore fitted
    by weighted least squares (weights ``1 / (1/N - 1/M)``, the full set
    itself entering as the line's anchor at N = M), ``sigma^2`` is estimated
    from the weighted residuals, and the standard error adds both parts:
    ``sigma^2 (Var_wls(intercept) / sigma^2 + 1/M)``. The plain least-squares
    standard error would leave out the second part and cover the true value
    far less often than it claims. Since ``sigma^2`` is estimated from
    ``n_points - 2`` residual degrees of freedom, a 95% interval is
    ``value +- t * standard_error`` with ``t = scipy.stats.t.ppf(0.975,
    n_points - 2)`` (2.16 for the default 15 points); the tests check by
    simulation that it covers the true value 95% of the time. Near
    a true value of 0 the distribution of FID is skewed and a normal interval
    is only rough.

    Cost: ``n_points`` Fréchet distances at up to ``len(Y)`` rows.

    References
    ----------
    .. [1] M. J. Chong and D. Forsyth, "Effectively unbiased FID and Inception
       Score and where to find them", CVPR 2020.

    Examples
    --------
    Two samples of N(0, I) and N(1, I) in 5 dimensions: their population FID
    is 5; the extrapolated value is close to it, with its standard error.

    >>> import numpy as np
    >>> from skgenfund import frechet_distance, frechet_distance_infinity
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(0.0, 1.0, (5000, 5))
    >>> Y = rng.normal(1.0, 1.0, (2000, 5))
    >>> value, se = frechet_distance_infinity(X, Y, random_state=0)
    >>> bool(abs(value - 5.0) < 3 * se + 0.05)
    True
    """
    X, Y = paired_features(
        X, Y, feature_extractor, "frechet_distance_infinity", names=("X", "Y")
    )
    n_points = check_positive_int("n_points", n_points, minimum=3)
    n_rows = Y.shape[0]
    if min_samples is None:
        min_samples = n_rows // 5
    else:
        min_samples = check_positive_int("min_samples", min_samples)
    if min_samples < 2 or min_samples >= n_rows:
        raise ValueError(
            f"min_samples={min_samples} must be at least 2 and below the {n_rows} "
            "rows of Y; pass more rows of Y or a different min_samples."
        )
    # sizes evenly spaced in 1/N, from 1/min_samples to 1/n_rows
    sizes = np.unique(
        np.round(1.0 / np.linspace(1.0 / min_samples, 1.0 / n_rows, n_points)).astype(
            int
        )
    )
    if sizes.size < n_points:
        raise ValueError(
            f"Y has too few rows for n_points={n_points} distinct subset sizes "
            f"between min_samples={min_samples} and {n_rows}; pass more rows of Y, "
            "a smaller min_samples or a smaller n_points."
        )
    rng = check_random_state(random_state)
    reference = gaussian_from_data(X, "X")
    values = np.empty(n_points)
    for i, size in enumerate(sizes):
        subset = Y if size == n_rows else Y[rng.choice(n_rows, size, replace=False)]
        values[i] = frechet_between(reference, gaussian_from_data(subset, "Y"))
    return _extrapolate(sizes, values, n_rows)


def _extrapolate(sizes, values, n_rows):
    """Weighted line through the anchor (1/M, FID(M)); intercept and honest SE."""
    inverse = 1.0 / sizes
    anchor_x, anchor_y = 1.0 / n_rows, values[-1]
    # the point at N = M has no subset noise: the line passes through it, and
    # the other points scatter with variance sigma^2 (1/N - 1/M)
    dx = inverse[:-1] - anchor_x
    dy = values[:-1] - anchor_y
    weights = 1.0 / dx
    slope = np.sum(weights * dx * dy) / np.sum(weights * dx * dx)
    intercept = anchor_y - slope * anchor_x
    residuals = dy - slope * dx
    n_free = dx.size - 1
    sigma2 = np.sum(weights * residuals**2) / n_free
    # Var(slope) = sigma^2 / sum(w dx^2); intercept = anchor_y - slope / M, where
    # the anchor carries Y's own error (variance sigma^2 / M) shared by all points
    variance = sigma2 * (anchor_x**2 / np.sum(weights * dx * dx) + anchor_x)
    return float(intercept), float(np.sqrt(variance))
