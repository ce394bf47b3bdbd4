"""MCMC diagnostics: FFT autocorrelation, effective sample size, split R-hat.

The estimators follow Vehtari, Gelman, Simpson, Carpenter and Bürkner (2021),
"Rank-normalization, folding, and localization: an improved R-hat for
assessing convergence of MCMC", as ArviZ implements them, but vectorised over
the dimensions (no Python loop over lags or parameters):

* chains are split in halves, so a trend within a chain shows up as
  disagreement between chains;
* the *bulk* ESS and R-hat work on rank-normalised draws (ranks mapped through
  the normal quantile function), which makes them defined and robust for
  heavy tails;
* the *tail* ESS is the smaller ESS of the indicators of the 5% and 95%
  quantiles; the tail R-hat uses the folded draws ``|x - median|``;
* the autocorrelation sum is truncated by Geyer's initial positive sequence
  and made monotone (Geyer's initial monotone sequence).

Chains are arrays of shape (n_draws,) (one chain), (n_chains, n_draws), or
(n_chains, n_draws, n_features); the first two give a float, the last an
array of shape (n_features,).
"""

import numpy as np
from scipy import fft, special

__all__ = ["autocorrelation", "effective_sample_size", "rhat"]

ESS_METHODS = ("bulk", "tail", "mean")


def _as_chains(chains, name="chains"):
    """(n_chains, n_draws, n_features) float array and whether to squeeze."""
    array = np.asarray(chains, dtype=np.float64)
    if array.ndim == 1:
        return array[np.newaxis, :, np.newaxis], True
    if array.ndim == 2:
        return array[:, :, np.newaxis], True
    if array.ndim == 3:
        return array, False
    raise ValueError(
        f"{name} must have shape (n_draws,), (n_chains, n_draws) or "
        f"(n_chains, n_draws, n_features); got an array of shape {array.shape}."
    )


def _by_dimension(array):
    """(n_chains, n_draws, d) -> (d, n_chains, n_draws), contiguous."""
    return np.ascontiguousarray(np.moveaxis(array, 2, 0))


def _check_draws(array, minimum, what):
    if array.shape[1] < minimum:
        raise ValueError(
            f"{what} needs at least {minimum} draws per chain; got {array.shape[1]}."
        )
    if not np.all(np.isfinite(array)):
        raise ValueError(f"The chains contain NaN or infinity; {what} is undefined.")


def _autocovariance(a):
    """Biased autocovariance at every lag along the last axis, by FFT."""
    n_draws = a.shape[-1]
    centred = a - a.mean(axis=-1, keepdims=True)
    n_fft = fft.next_fast_len(2 * n_draws, real=True)
    spectrum = fft.rfft(centred, n=n_fft, axis=-1)
    power = spectrum.real**2 + spectrum.imag**2
    return fft.irfft(power, n=n_fft, axis=-1)[..., :n_draws] / n_draws


def _split(a):
    """Split each chain in two halves: (..., n_chains, n) -> (..., 2 n_chains, n//2)."""
    half = a.shape[-1] // 2
    return np.concatenate([a[..., :half], a[..., a.shape[-1] - half :]], axis=-2)


def _average_ranks(values):
    """Ranks 1..n of a 1-D array, ties sharing their average rank.

    Equal to ``scipy.stats.rankdata(values, method="average")``, several times
    faster (an unstable argsort is enough since tied values share a rank).
    """
    order = np.argsort(values)
    ordered = values[order]
    new_group = np.empty(ordered.shape[0], dtype=bool)
    new_group[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=new_group[1:])
    starts = np.flatnonzero(new_group)
    ends = np.append(starts[1:], ordered.shape[0])
    group_rank = 0.5 * (starts + ends + 1)
    ranks = np.empty(ordered.shape[0])
    ranks[order] = group_rank[np.cumsum(new_group) - 1]
    return ranks


def _z_scale(a):
    """Rank-normalise along the last two axes (all draws of a dimension together)."""
    d = a.shape[0]
    flat = a.reshape(d, -1)
    ranks = np.stack([_average_ranks(row) for row in flat])
    return special.ndtri((ranks - 0.375) / (flat.shape[1] + 0.25)).reshape(a.shape)


def _ess(a):
    """ESS of each dimension of a (d, n_chains, n_draws) array (ArviZ's ``_ess``)."""
    d, n_chains, n_draws = a.shape
    total = n_chains * n_draws
    result = np.empty(d)
    spread = a.max(axis=(1, 2)) - a.min(axis=(1, 2))
    constant = spread < np.finfo(float).resolution
    acov = _autocovariance(a)
    chain_mean = a.mean(axis=2)
    mean_var = acov[:, :, 0].mean(axis=1) * n_draws / (n_draws - 1.0)
    var_plus = mean_var * (n_draws - 1.0) / n_draws
    if n_chains > 1:
        var_plus = var_plus + chain_mean.var(axis=1, ddof=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        rho = 1.0 - (mean_var[:, None] - acov.mean(axis=1)) / var_plus[:, None]
    rho[:, 0] = 1.0
    # Geyer's pairs Gamma_k = rho_2k + rho_2k+1; ArviZ examines pairs 1..L
    n_pairs = n_draws // 2
    pairs = rho[:, 0 : 2 * n_pairs : 2] + rho[:, 1 : 2 * n_pairs : 2]
    last_pair = max(0, -(-(n_draws - 4) // 2))  # ceil((n - 4) / 2)
    for i in range(d):
        if constant[i]:
            result[i] = total
            continue
        if np.isnan(rho[i]).any():
            result[i] = np.nan
            continue
        if n_draws > 4 and pairs[i, 0] > 0:
            candidates = pairs[i, 1 : last_pair + 1]
            stops = np.flatnonzero(candidates <= 0.0)
            k_stop = 1 + int(stops[0]) if stops.size else last_pair
        else:
            k_stop = 0
        kept = np.minimum.accumulate(pairs[i, :k_stop])
        even = rho[i, 2 * k_stop]
        stop_pair_kept = k_stop > 0 and pairs[i, k_stop] >= 0.0
        tail = even if (even > 0.0 or stop_pair_kept) else 0.0
        tau = -1.0 + 2.0 * kept.sum() + tail
        tau = max(tau, 1.0 / np.log10(total))
        result[i] = total / tau
    return result


def _finish(values, squeeze):
    return float(values[0]) if squeeze else values


def effective_sample_size(chains, *, method="bulk"):
    """Effective sample size of MCMC draws.

    The number of independent draws that would estimate the same quantity as
    precisely: ``N / tau`` with ``tau = 1 + 2 sum_t rho_t`` the integrated
    autocorrelation time, estimated over split chains and truncated by
    Geyer's initial monotone sequence (Vehtari et al. 2021).

    Parameters
    ----------
    chains : array-like of shape (n_draws,), (n_chains, n_draws) or \
(n_chains, n_draws, n_features)
        The draws, chain by chain.
    method : {"bulk", "tail", "mean"}, default="bulk"
        ``"bulk"``: ESS of the rank-normalised draws (location of the
        distribution). ``"tail"``: the smaller ESS of the 5% and 95% quantile
        indicators (interval ends). ``"mean"``: ESS of the raw draws, which
        sets the Monte Carlo standard error of the mean,
        ``sd / sqrt(ess)``.

    Returns
    -------
    ess : float or ndarray of shape (n_features,)

    See Also
    --------
    rhat : Convergence diagnostic over several chains.
    autocorrelation : The autocorrelation function the ESS sums.

    Examples
    --------
    An AR(1) chain with coefficient 0.5 has ESS = n (1 - 0.5) / (1 + 0.5):

    >>> import numpy as np
    >>> from skgenfund import effective_sample_size
    >>> rng = np.random.default_rng(0)
    >>> x = np.zeros((4, 5000))
    >>> for t in range(1, 5000):
    ...     x[:, t] = 0.5 * x[:, t - 1] + rng.standard_normal(4)
    >>> ess = effective_sample_size(x, method="mean")
    >>> bool(abs(ess / (20000 / 3) - 1) < 0.1)
    True
    """
    if method not in ESS_METHODS:
        raise ValueError(f"method must be one of {ESS_METHODS}; got {method!r}.")
    array, squeeze = _as_chains(chains)
    _check_draws(array, 4, "The effective sample size")
    a = _by_dimension(array)
    if method == "mean":
        return _finish(_ess(_split(a)), squeeze)
    if method == "bulk":
        return _finish(_ess(_z_scale(_split(a))), squeeze)
    quantiles = np.quantile(a.reshape(a.shape[0], -1), [0.05, 0.95], axis=1)
    low = _ess(_split((a <= quantiles[0][:, None, None]).astype(np.float64)))
    high = _ess(_split((a <= quantiles[1][:, None, None]).astype(np.float64)))
    return _finish(np.minimum(low, high), squeeze)


def _rhat_core(z):
    """Gelman-Rubin R-hat of each dimension of (d, n_chains, n_draws)."""
    n_draws = z.shape[2]
    chain_mean = z.mean(axis=2)
    between = n_draws * chain_mean.var(axis=1, ddof=1)
    within = z.var(axis=2, ddof=1).mean(axis=1)
    return np.sqrt((between / within + n_draws - 1) / n_draws)


def rhat(chains):
    """Rank-normalised split R-hat: do the chains agree?

    The larger of the bulk R-hat (rank-normalised split chains) and the tail
    R-hat (the same on the folded draws ``|x - median|``), as in Vehtari et
    al. (2021). Values close to 1 mean the chains explore the same
    distribution; above about 1.01 the draws should not be trusted yet.

    Parameters
    ----------
    chains : array-like of shape (n_draws,), (n_chains, n_draws) or \
(n_chains, n_draws, n_features)
        The draws, chain by chain. A single chain is split in two halves
        (ArviZ returns NaN for one chain; splitting still detects a trend).

    Returns
    -------
    rhat : float or ndarray of shape (n_features,)

    See Also
    --------
    effective_sample_size : How many independent draws the chains are worth.

    Examples
    --------
    >>> import numpy as np
    >>> from skgenfund import rhat
    >>> rng = np.random.default_rng(0)
    >>> mixed = rng.standard_normal((4, 1000))
    >>> bool(rhat(mixed) < 1.01)
    True
    >>> stuck = mixed + np.arange(4)[:, None]  # chains in different places
    >>> bool(rhat(stuck) > 1.5)
    True
    """
    array, squeeze = _as_chains(chains)
    _check_draws(array, 4, "R-hat")
    split = _split(_by_dimension(array))
    bulk = _rhat_core(_z_scale(split))
    median = np.median(split.reshape(split.shape[0], -1), axis=1)
    tail = _rhat_core(_z_scale(np.abs(split - median[:, None, None])))
    return _finish(np.maximum(bulk, tail), squeeze)


def autocorrelation(x, max_lag=100):
    """Autocorrelation function of MCMC draws, by FFT.

    Parameters
    ----------
    x : array-like of shape (n_draws,), (n_chains, n_draws) or \
(n_chains, n_draws, n_features)
        The draws. With several chains, the chains' autocorrelations are
        averaged.
    max_lag : int, default=100
        Largest lag returned (clipped to n_draws - 1).

    Returns
    -------
    rho : ndarray of shape (max_lag + 1,) or (max_lag + 1, n_features)
        ``rho[0] == 1``.

    Examples
    --------
    >>> import numpy as np
    >>> from skgenfund import autocorrelation
    >>> rng = np.random.default_rng(0)
    >>> x = np.zeros(20000)
    >>> for t in range(1, 20000):
    ...     x[t] = 0.9 * x[t - 1] + rng.standard_normal()
    >>> rho = autocorrelation(x, max_lag=2)  # 0.9 ** lag: 1, 0.9, 0.81
    >>> rho.shape, bool(np.allclose(rho, [1.0, 0.9, 0.81], atol=0.02))
    ((3,), True)
    """
    array, squeeze = _as_chains(x, name="x")
    if isinstance(max_lag, bool) or not isinstance(max_lag, int | np.integer):
        raise ValueError(f"max_lag must be a non-negative integer; got {max_lag!r}.")
    if max_lag < 0:
        raise ValueError(f"max_lag must be a non-negative integer; got {max_lag}.")
    _check_draws(array, 2, "The autocorrelation")
    a = _by_dimension(array)
    max_lag = min(int(max_lag), a.shape[2] - 1)
    acov = _autocovariance(a)[:, :, : max_lag + 1]
    with np.errstate(invalid="ignore", divide="ignore"):
        rho = (acov / acov[:, :, :1]).mean(axis=1)
    rho = np.where(np.isnan(rho), 0.0, rho)  # constant chains: no correlation
    rho[:, 0] = 1.0
    return rho[0] if squeeze else rho.T
