"""The Pareto k-hat diagnostic of importance weights (Vehtari et al., PSIS).

Pareto smoothed importance sampling fits a generalized Pareto distribution to
the largest importance weights; its shape k says how heavy the weights' tail
is. The variance of the weights is finite for k < 1/2; Vehtari, Simpson,
Gelman, Yao and Gabry (2024, "Pareto smoothed importance sampling") show that
estimates can be trusted up to k < 0.7 (and ``1 - 1/log10(S)`` for S draws),
and not above. The fit is Zhang and Stephens' (2009) empirical Bayes estimate
with the weakly informative prior of the PSIS paper, as ArviZ computes it.
"""

import numpy as np

__all__ = ["pareto_khat", "KHAT_THRESHOLD"]

KHAT_THRESHOLD = 0.7


def _gpd_fit(exceedances):
    """Zhang-Stephens estimate (k, sigma) of a generalized Pareto, sorted data."""
    prior_bs, prior_k = 3, 10
    n = exceedances.shape[0]
    m_est = 30 + int(n**0.5)
    b = 1.0 - np.sqrt(m_est / (np.arange(1, m_est + 1, dtype=float) - 0.5))
    b /= prior_bs * exceedances[int(n / 4 + 0.5) - 1]
    b += 1.0 / exceedances[-1]
    k = np.log1p(-b[:, None] * exceedances).mean(axis=1)
    profile = n * (np.log(-(b / k)) - k - 1.0)
    with np.errstate(over="ignore"):  # exp overflow -> weight 0, as intended
        weights = 1.0 / np.exp(profile - profile[:, None]).sum(axis=1)
    keep = weights >= 10 * np.finfo(float).eps
    weights, b = weights[keep], b[keep]
    weights /= weights.sum()
    b_post = np.sum(b * weights)
    k_post = np.log1p(-b_post * exceedances).mean()
    sigma = -k_post / b_post
    k_post = (n * k_post + prior_k * 0.5) / (n + prior_k)
    return k_post, sigma


def pareto_khat(log_weights):
    """Pareto shape k-hat of the right tail of importance weights.

    The largest ``M = ceil(min(S / 5, 3 sqrt(S)))`` of S weights, minus the
    (M+1)-th largest, are fitted by a generalized Pareto distribution.

    Parameters
    ----------
    log_weights : array-like of shape (n_samples,)
        Unnormalised log importance weights, log p(x) - log q(x).

    Returns
    -------
    k : float
        Below 0.5: finite-variance weights. Up to 0.7: usable. Above 0.7: the
        estimate cannot be trusted. ``-inf`` when the largest weights are tied
        (bounded weights, the lightest tail there is: constant weights, or a
        target flat where it is positive); ``inf`` if there are too few draws
        for a tail of more than 4.

    Examples
    --------
    Weights p/q for p = N(0, 1) and a too-narrow proposal q = N(0, 0.3^2)
    have a Pareto tail of shape 1 - 0.3^2 = 0.91:

    >>> import numpy as np
    >>> from scipy import stats
    >>> from skgenfund.sampling._psis import pareto_khat
    >>> x = np.random.default_rng(0).normal(0, 0.3, 20000)
    >>> k = pareto_khat(stats.norm.logpdf(x) - stats.norm.logpdf(x, 0, 0.3))
    >>> bool(0.75 < k < 1.1)
    True
    """
    x = np.array(log_weights, dtype=np.float64).ravel()
    n_samples = x.shape[0]
    finite = x[np.isfinite(x)]
    if finite.size == 0:
        return np.inf
    x = np.where(np.isnan(x), -np.inf, x) - finite.max()
    cutoff_index = -int(np.ceil(min(n_samples / 5.0, 3 * n_samples**0.5))) - 1
    if n_samples + cutoff_index < 0:
        return np.inf
    ordered = np.sort(x)
    cutoff = max(ordered[cutoff_index], np.log(np.finfo(float).tiny))
    tail = np.sort(x[x > cutoff])
    if tail.shape[0] <= 4:
        # the draws sufficed for a tail of M > 4, so the tail is short because
        # the largest weights tie: they are bounded, not heavy-tailed
        top = ordered[cutoff_index + 1 :]
        if top.shape[0] > 4 and np.sum(top == top[-1]) > top.shape[0] - 5:
            return -np.inf
        return np.inf
    k, _ = _gpd_fit(np.exp(tail) - np.exp(cutoff))
    return float(k)
