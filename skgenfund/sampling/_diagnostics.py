"""MCMC diagnostics: autocorrelation, effective sample size, split R-hat, MCSE.

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
  and made monotone (Geyer's initial monotone sequence);
* the Monte Carlo standard errors of the mean, sd and quantiles use the ESS
  of the raw draws, of the squared deviations and of the quantile's
  indicator.

Each dimension is first scaled by a power of two (exact), so draws at 1e-300
or 1e300 give the diagnostics of draws at 1. Long chains rank their draws with
a compiled radix sort and find Geyer's truncation lag by lag
(:mod:`._diagnostics_kernels`); short ones use numpy's sort and one FFT.

Chains are arrays of shape (n_draws,) (one chain), (n_chains, n_draws), or
(n_chains, n_draws, n_features), or a sampler after ``sample()``; the first
two give a float, the last an array of shape (n_features,). A 2-D array with
more rows than columns is refused: it is far more likely pooled draws
(n_samples, n_features) than more chains than draws.
"""

import numbers
import warnings

import numpy as np
from scipy import fft, special, stats
from sklearn.base import BaseEstimator

from ._diagnostics_kernels import (
    average_ranks,
    mean_autocovariance,
    ranks_and_folded_ranks,
)

__all__ = ["autocorrelation", "effective_sample_size", "mcse", "rhat"]

ESS_METHODS = ("bulk", "tail", "mean")
MCSE_KINDS = ("mean", "sd", "quantile")
# P(|Z| <= 1) interval of a standard normal: the quantile MCSE is half its width
ONE_SIGMA = special.ndtr(np.array([-1.0, 1.0]))
# Draws per dimension from which ranks come from the compiled radix sort
# (several times faster than numpy's argsort from there on; the same ranks)
COMPILED_RANKS_FROM = 2**15
# Draws per dimension from which the ESS computes autocovariances lag by lag
# (in blocks of DIRECT_LAGS_BLOCK, doubling), the FFT beyond DIRECT_LAGS_MAX
DIRECT_LAGS_FROM = 2**15
DIRECT_LAGS_BLOCK = 32
DIRECT_LAGS_MAX = 128


AMBIGUOUS_SHAPE = (
    "chains of shape {shape} would be read as {rows} chains of {cols} draws each, "
    "more chains than draws: these look like pooled draws of shape (n_samples, "
    "n_features), as sample() returns, whose diagnostics would be meaningless. "
    "Pass the draws chain by chain: the sampler itself or its chains_ attribute "
    "(n_chains, n_draws, n_features). If you really have more chains than draws "
    "per chain, pass a 3-D array chains[:, :, np.newaxis]."
)


def _as_chains(chains, name="chains"):
    """(n_chains, n_draws, n_features) float array and whether to squeeze.

    A sampler is read through its ``chains_``. A 2-D array is (n_chains,
    n_draws); one with more rows than columns is refused as ambiguous (it is
    far more likely pooled draws (n_samples, n_features)).
    """
    if isinstance(chains, BaseEstimator):
        if not hasattr(chains, "chains_"):
            raise ValueError(
                f"The {type(chains).__name__} has no chains yet: call its sample() "
                "method first."
            )
        chains = chains.chains_
    if np.iscomplexobj(chains):
        raise TypeError(f"{name} must be real numbers; got complex values.")
    try:
        array = np.asarray(chains, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be an array of real numbers: {exc}") from exc
    if array.ndim == 1:
        array = array[np.newaxis, :, np.newaxis]
        squeeze = True
    elif array.ndim == 2:
        if array.shape[0] > array.shape[1]:
            rows, cols = array.shape
            raise ValueError(
                AMBIGUOUS_SHAPE.format(shape=array.shape, rows=rows, cols=cols)
            )
        array = array[:, :, np.newaxis]
        squeeze = True
    elif array.ndim == 3:
        squeeze = False
    else:
        raise ValueError(
            f"{name} must have shape (n_draws,), (n_chains, n_draws) or "
            f"(n_chains, n_draws, n_features); got an array of shape {array.shape}."
        )
    if array.shape[0] == 0:
        raise ValueError(
            f"{name} hold no chain (shape {array.shape}): pass at least one."
        )
    if array.shape[2] == 0:
        raise ValueError(f"{name} have no feature (shape {array.shape}).")
    return array, squeeze


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


def _prepare(chains, minimum, what, name="chains"):
    """Validated chains as (d, n_chains, n_draws) and whether to squeeze."""
    array, squeeze = _as_chains(chains, name)
    _check_draws(array, minimum, what)
    return _by_dimension(array), squeeze


def _power_of_two_scale(a):
    """Powers of two bringing each dimension's largest |value| into [0.5, 1).

    Dividing by a power of two is exact, so statistics computed on the scaled
    draws and scaled back equal those of the raw draws to the last bit, while
    squares and fourth powers of draws near 1e300 (or 1e-300) neither
    overflow nor underflow.
    """
    flat = a.reshape(a.shape[0], -1)
    largest = np.maximum(flat.max(axis=1), -flat.min(axis=1))
    _, exponent = np.frexp(largest)
    return np.ldexp(1.0, exponent)


def _scaled(a):
    """(a / scale, scale), scale a power of two per dimension (first axis)."""
    scale = _power_of_two_scale(a)
    return a / scale.reshape((-1,) + (1,) * (a.ndim - 1)), scale


def _autocovariance(a, mean_over_chains=False):
    """Biased autocovariance at every lag along the last axis, by FFT.

    With ``mean_over_chains`` the autocovariances of the chains (axis -2)
    are averaged, by one inverse transform of their mean power spectrum (the
    transform is linear), n_chains times fewer than one per chain.
    """
    n_draws = a.shape[-1]
    centred = a - a.mean(axis=-1, keepdims=True)
    # the mean of equal values can differ from them in the last bit
    centred[a.max(axis=-1) == a.min(axis=-1)] = 0.0
    n_fft = fft.next_fast_len(2 * n_draws, real=True)
    spectrum = fft.rfft(centred, n=n_fft, axis=-1)
    power = spectrum.real**2 + spectrum.imag**2
    if mean_over_chains:
        power = power.mean(axis=-2)
    return fft.irfft(power, n=n_fft, axis=-1)[..., :n_draws] / n_draws


def _split(a):
    """Split each chain in two halves: (..., n_chains, n) -> (..., 2 n_chains, n//2)."""
    half = a.shape[-1] // 2
    return np.concatenate([a[..., :half], a[..., a.shape[-1] - half :]], axis=-2)


def _tie_groups(values):
    """Sorting permutation of a 1-D array and where its tie groups start.

    An unstable argsort is enough since tied values share a rank.
    """
    order = np.argsort(values)
    ordered = values[order]
    new_group = np.empty(ordered.shape[0], dtype=bool)
    new_group[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=new_group[1:])
    return order, new_group


def _sorted_ranks(new_group):
    """Average rank (1..n) of each sorted position, given the tie-group starts."""
    n = new_group.shape[0]
    starts = np.flatnonzero(new_group)
    ends = np.append(starts[1:], n)
    return (0.5 * (starts + ends + 1))[np.cumsum(new_group) - 1]


def _average_ranks(values):
    """Ranks 1..n of a 1-D array, ties sharing their average rank.

    Equal to ``scipy.stats.rankdata(values, method="average")``, several times
    faster.
    """
    order, new_group = _tie_groups(values)
    ranks = np.empty(order.shape[0])
    ranks[order] = _sorted_ranks(new_group)
    return ranks


def _z_scale(a):
    """Rank-normalise along the last two axes (all draws of a dimension together).

    The normal scores ``ndtri((rank - 3/8) / (n + 1/4))`` (Blom 1958) of
    untied ranks are one table shared by every dimension.
    """
    d = a.shape[0]
    flat = a.reshape(d, -1)
    n = flat.shape[1]
    table = special.ndtri((np.arange(1.0, n + 1.0) - 0.375) / (n + 0.25))
    z = np.empty_like(flat)
    for i, row in enumerate(flat):
        order, new_group = _tie_groups(row)
        if new_group.all():  # no ties (continuous draws)
            z[i, order] = table
        else:
            z[i, order] = special.ndtri((_sorted_ranks(new_group) - 0.375) / (n + 0.25))
    return z.reshape(a.shape)


def _normal_scores(ranks, table):
    """Blom's normal scores of average ranks, from the table of whole ranks."""
    whole = np.floor(ranks)
    scores = table[whole.astype(np.intp) - 1]
    tied = whole != ranks  # half-integer average ranks of even-sized ties
    if tied.any():
        n = table.shape[0]
        scores[tied] = special.ndtri((ranks[tied] - 0.375) / (n + 0.25))
    return scores


def split_scores(a, folded=False):
    """Normal scores of the split chains of (d, n_chains, n_draws) draws.

    Returns the rank-normalised split chains and, with ``folded``, the same
    for the draws folded about the median of all of them, ``|x - median|``,
    as Vehtari et al.'s reference code (the R package posterior) and
    ``arviz.summary`` fold them (``arviz.rhat`` folds the split chains
    instead, which differs when n_draws is odd). From
    ``COMPILED_RANKS_FROM`` draws per dimension on, one compiled sort gives
    both rankings (:mod:`._diagnostics_kernels`); the ranks are the same.
    """
    x, _ = _scaled(a)  # ranks do not change; |x - median| cannot overflow
    split = _split(x)
    d = split.shape[0]
    flat = split.reshape(d, -1)
    n = flat.shape[1]
    medians = np.median(x.reshape(d, -1), axis=1) if folded else None
    if n < COMPILED_RANKS_FROM:
        z = _z_scale(split)
        if not folded:
            return z, None
        return z, _z_scale(np.abs(split - medians[:, None, None]))
    table = special.ndtri((np.arange(1.0, n + 1.0) - 0.375) / (n + 0.25))
    z = np.empty_like(flat)
    z_folded = np.empty_like(flat) if folded else None
    for i in range(d):
        if folded:
            ranks, folded_ranks = ranks_and_folded_ranks(flat[i], medians[i])
            z_folded[i] = _normal_scores(folded_ranks, table)
        else:
            ranks = average_ranks(flat[i])
        z[i] = _normal_scores(ranks, table)
    if folded:
        z_folded = z_folded.reshape(split.shape)
    return z.reshape(split.shape), z_folded


def _ess(a):
    """ESS of each dimension of a (d, n_chains, n_draws) array (ArviZ's ``_ess``).

    The autocovariances come from one FFT per dimension, or, for long chains
    (``DIRECT_LAGS_FROM`` draws per dimension on), lag by lag in compiled
    code until Geyer's truncation is found (a few dozen lags for a mixing
    chain), the FFT taking over beyond ``DIRECT_LAGS_MAX`` lags.
    """
    d, n_chains, n_draws = a.shape
    total = n_chains * n_draws
    result = np.empty(d)
    # the ESS does not change with the scale: work at unit scale (exactly, by
    # a power of two), so 1e300 draws do not overflow the autocovariance and a
    # dimension is constant when its spread is rounding error of its values
    a, _ = _scaled(a)
    spread = a.max(axis=(1, 2)) - a.min(axis=(1, 2))
    constant = spread < np.finfo(float).resolution
    chain_mean = a.mean(axis=2)
    between = chain_mean.var(axis=1, ddof=1) if n_chains > 1 else np.zeros(d)
    direct = total >= DIRECT_LAGS_FROM
    if direct:
        centred = a - chain_mean[:, :, None]
        # the mean of equal values can differ from them in the last bit
        centred[a.max(axis=2) == a.min(axis=2)] = 0.0
    else:
        acov = _autocovariance(a, mean_over_chains=True)  # (d, n_draws)
    for i in range(d):
        if constant[i]:
            result[i] = total
            continue
        if direct:
            acov_i = mean_autocovariance(centred[i], 0, min(DIRECT_LAGS_BLOCK, n_draws))
        else:
            acov_i = acov[i]
        while True:
            mean_var = acov_i[0] * n_draws / (n_draws - 1.0)
            var_plus = mean_var * (n_draws - 1.0) / n_draws + between[i]
            with np.errstate(invalid="ignore", divide="ignore"):
                rho = 1.0 - (mean_var - acov_i) / var_plus
            rho[0] = 1.0
            tau = _geyer_tau(rho, n_draws)
            if tau is not None or acov_i.shape[0] == n_draws:
                break
            lags = acov_i.shape[0]
            if lags >= DIRECT_LAGS_MAX:  # a slow chain: every lag, by FFT
                acov_i = _autocovariance(a[i : i + 1], mean_over_chains=True)[0]
            else:
                more = mean_autocovariance(centred[i], lags, min(2 * lags, n_draws))
                acov_i = np.concatenate([acov_i, more])
        if tau is None or np.isnan(rho).any():
            result[i] = np.nan
            continue
        result[i] = total / max(tau, 1.0 / np.log10(total))
    return result


def _geyer_tau(rho, n_draws):
    """Integrated autocorrelation time from rho_0..rho_{L-1} (ArviZ's rules).

    Geyer's initial positive sequence: pairs Gamma_k = rho_2k + rho_2k+1,
    k = 1..ceil((n - 4) / 2), up to the first that is not positive, made
    monotone; None when ``rho`` stops before that pair is found.
    """
    complete = rho.shape[0] == n_draws
    n_pairs = rho.shape[0] // 2
    pairs = rho[0 : 2 * n_pairs : 2] + rho[1 : 2 * n_pairs : 2]
    last_pair = max(0, -(-(n_draws - 4) // 2))  # ceil((n - 4) / 2)
    if n_draws > 4 and pairs[0] > 0:
        stops = np.flatnonzero(pairs[1 : last_pair + 1] <= 0.0)
        if stops.size:
            k_stop = 1 + int(stops[0])
        elif complete or n_pairs > last_pair:
            k_stop = last_pair
        else:
            return None
    else:
        k_stop = 0
    if 2 * k_stop + 1 >= rho.shape[0] and not complete:
        return None
    kept = np.minimum.accumulate(pairs[:k_stop])
    even = rho[2 * k_stop]
    stop_pair_kept = k_stop > 0 and pairs[k_stop] >= 0.0
    tail = even if (even > 0.0 or stop_pair_kept) else 0.0
    return -1.0 + 2.0 * kept.sum() + tail


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
    a, squeeze = _prepare(chains, 4, "The effective sample size")
    compute = {"bulk": ess_bulk, "tail": ess_tail, "mean": ess_mean}[method]
    return _finish(compute(a), squeeze)


# The estimators on validated (d, n_chains, n_draws) arrays, shared with the
# summary and the standard errors.
def ess_mean(a):
    """ESS of the raw draws: it sets the Monte Carlo standard error of the mean."""
    return _ess(_split(a))


def ess_bulk(a):
    """ESS of the rank-normalised draws."""
    return _ess(split_scores(a)[0])


def ess_quantile(a, prob):
    """ESS of the indicator ``x <= q_prob``: it sets the MCSE of that quantile."""
    quantile = np.quantile(a.reshape(a.shape[0], -1), prob, axis=1)
    return _ess(_split((a <= quantile[:, None, None]).astype(np.float64)))


def ess_tail(a):
    """The smaller ESS of the 5% and 95% quantiles."""
    return np.minimum(ess_quantile(a, 0.05), ess_quantile(a, 0.95))


def mcse(chains, *, kind="mean", prob=None):
    """Monte Carlo standard error of a posterior mean, sd or quantile.

    How far the estimate from these draws is likely to be from the exact
    value, as Vehtari et al. (2021) and ArviZ define it:

    * ``"mean"``: ``sd / sqrt(ess)`` with the ESS of the raw draws
      (``effective_sample_size(chains, method="mean")``), not the bulk ESS;
    * ``"sd"``: the delta method on the variance, with the ESS of the squared
      deviations ``(x - mean)^2``;
    * ``"quantile"``: half the width of the draws' interval covering the
      ``prob`` quantile with probability 68% (one sigma), from the Beta law
      of a quantile with the ESS of the indicator ``x <= q``.

    Parameters
    ----------
    chains : array-like of shape (n_draws,), (n_chains, n_draws) or \
(n_chains, n_draws, n_features), or a sampler after ``sample()``
        The draws, chain by chain.
    kind : {"mean", "sd", "quantile"}, default="mean"
        The estimate whose error is wanted.
    prob : float in (0, 1), default=None
        The quantile's probability; needed for (and only for)
        ``kind="quantile"``.

    Returns
    -------
    mcse : float or ndarray of shape (n_features,)
        In the units of the draws. A constant dimension has error 0.

    See Also
    --------
    effective_sample_size : The ESS the errors divide by.

    Examples
    --------
    For independent draws the MCSE of the mean is close to sd / sqrt(n):

    >>> import numpy as np
    >>> from skgenfund import mcse
    >>> draws = np.random.default_rng(0).standard_normal((4, 2500))
    >>> round(float(mcse(draws)), 4), 1 / 10000**0.5
    (0.0102, 0.01)
    >>> float(mcse(draws, kind="quantile", prob=0.5)) > 0
    True
    """
    if kind not in MCSE_KINDS:
        raise ValueError(f"kind must be one of {MCSE_KINDS}; got {kind!r}.")
    if kind == "quantile":
        if prob is None:
            raise ValueError("kind='quantile' needs prob=<the quantile's probability>.")
        if isinstance(prob, bool) or not isinstance(prob, numbers.Real):
            raise ValueError(f"prob must be a float in (0, 1); got {prob!r}.")
        if not 0.0 < prob < 1.0:
            raise ValueError(f"prob must be a float in (0, 1); got {prob!r}.")
    elif prob is not None:
        raise ValueError(
            f"prob is only used with kind='quantile'; got prob={prob!r} with "
            f"kind={kind!r}."
        )
    a, squeeze = _prepare(chains, 4, "The Monte Carlo standard error")
    if kind == "mean":
        return _finish(mcse_mean(a), squeeze)
    if kind == "sd":
        return _finish(mcse_sd(a), squeeze)
    return _finish(mcse_quantile(a, float(prob)), squeeze)


def _constant(a):
    flat = a.reshape(a.shape[0], -1)
    return flat.max(axis=1) == flat.min(axis=1)


def mcse_mean(a):
    """MCSE of the mean of each dimension of (d, n_chains, n_draws)."""
    x, scale = _scaled(a)
    sd = x.reshape(x.shape[0], -1).std(axis=1, ddof=1)
    sd[_constant(x)] = 0.0
    return scale * sd / np.sqrt(ess_mean(x))


def mcse_sd(a):
    """MCSE of the standard deviation of each dimension of (d, n_chains, n_draws)."""
    x, scale = _scaled(a)
    deviation2 = (x - x.mean(axis=(1, 2), keepdims=True)) ** 2
    constant = _constant(x)
    deviation2[constant] = 0.0
    variance = deviation2.mean(axis=(1, 2))
    variance_of_variance = (
        (deviation2**2).mean(axis=(1, 2)) - variance**2
    ) / ess_mean(deviation2)
    with np.errstate(divide="ignore", invalid="ignore"):
        result = scale * np.sqrt(np.maximum(variance_of_variance, 0.0) / variance / 4)
    result[constant] = 0.0
    return result


def mcse_quantile(a, prob):
    """MCSE of the ``prob`` quantile of each dimension of (d, n_chains, n_draws)."""
    x, scale = _scaled(a)
    ess = ess_quantile(x, prob)
    bounds = stats.beta.ppf(ONE_SIGMA[:, None], ess * prob + 1, ess * (1 - prob) + 1)
    ordered = np.sort(x.reshape(x.shape[0], -1), axis=1)
    size = ordered.shape[1]
    low = np.floor(np.fmax(bounds[0] * size - 1, 0)).astype(np.intp)
    high = np.ceil(np.fmin(bounds[1] * size - 1, size - 1)).astype(np.intp)
    rows = np.arange(x.shape[0])
    return scale * ((ordered[rows, high] - ordered[rows, low]) / 2)


def _rhat_core(z):
    """Gelman-Rubin R-hat of each dimension of (d, n_chains, n_draws).

    Chains that each keep one value (they never moved) have no within-chain
    variance: R-hat is then infinite if they sit at different values and 1
    if they all sit at the same one (a constant dimension, where every chain
    agrees), instead of the 0/0 or x/0 of the formula.
    """
    n_draws = z.shape[2]
    chain_mean = z.mean(axis=2)
    between = n_draws * chain_mean.var(axis=1, ddof=1)
    chain_var = z.var(axis=2, ddof=1)
    # a mean of equal values can differ from them in the last bit: zero exactly
    chain_var[z.max(axis=2) == z.min(axis=2)] = 0.0
    within = chain_var.mean(axis=1)
    stuck = within == 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.sqrt((between / within + n_draws - 1) / n_draws)
    value[stuck] = np.where(_constant(z)[stuck], 1.0, np.inf)
    return value


def rhat_of_scores(z_split, z_folded):
    """R-hat from :func:`split_scores`: the larger of the bulk and tail R-hat."""
    return np.maximum(_rhat_core(z_split), _rhat_core(z_folded))


def rhat(chains):
    """Rank-normalised split R-hat: do the chains agree?

    The larger of the bulk R-hat (rank-normalised split chains) and the tail
    R-hat (the same on the folded draws ``|x - median|``), as in Vehtari et
    al. (2021) and ``arviz.summary``. Values close to 1 mean the chains explore the same
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
    a, squeeze = _prepare(chains, 4, "R-hat")
    return _finish(rhat_of_scores(*split_scores(a, folded=True)), squeeze)


def autocorrelation(x, max_lag=100):
    """Autocorrelation function of MCMC draws, by FFT.

    Parameters
    ----------
    x : array-like of shape (n_draws,), (n_chains, n_draws) or \
(n_chains, n_draws, n_features)
        The draws. With several chains, the chains' autocorrelations are
        averaged.
    max_lag : int, default=100
        Largest lag returned. A chain of n_draws draws has lags up to
        n_draws - 1 only: a larger max_lag is clipped to it, with a warning.

    Returns
    -------
    rho : ndarray of shape (L + 1,) or (L + 1, n_features)
        ``L = min(max_lag, n_draws - 1)``; ``rho[0] == 1``.

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
    return autocorrelation_function(x, max_lag, stacklevel=3)


def autocorrelation_function(x, max_lag, *, stacklevel):
    """:func:`autocorrelation`; ``stacklevel`` points its warning at the user's call."""
    if isinstance(max_lag, bool) or not isinstance(max_lag, int | np.integer):
        raise ValueError(f"max_lag must be a non-negative integer; got {max_lag!r}.")
    if max_lag < 0:
        raise ValueError(f"max_lag must be a non-negative integer; got {max_lag}.")
    a, squeeze = _prepare(x, 2, "The autocorrelation", name="x")
    a, _ = _scaled(a)  # exact: 1e300 draws would overflow the autocovariance
    if max_lag > a.shape[2] - 1:
        warnings.warn(
            f"max_lag={max_lag} is beyond the last lag of chains of {a.shape[2]} "
            f"draws; returning lags 0 to {a.shape[2] - 1} only. Pass "
            f"max_lag <= {a.shape[2] - 1}, or draw longer chains.",
            UserWarning,
            stacklevel=stacklevel,
        )
        max_lag = a.shape[2] - 1
    acov = _autocovariance(a)[:, :, : max_lag + 1]
    with np.errstate(invalid="ignore", divide="ignore"):
        rho = (acov / acov[:, :, :1]).mean(axis=1)
    rho = np.where(np.isnan(rho), 0.0, rho)  # constant chains: no correlation
    rho[:, 0] = 1.0
    return rho[0] if squeeze else rho.T
