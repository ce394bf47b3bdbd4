"""ESS, R-hat, autocorrelation and Pareto k-hat: closed forms and ArviZ."""

import warnings

import numpy as np
import pytest
from scipy import stats

from skgenfund import autocorrelation, effective_sample_size, rhat
from skgenfund.sampling._diagnostics import _average_ranks
from skgenfund.sampling._psis import pareto_khat


def ar1(rho, n_chains, n_draws, n_features=1, seed=0):
    """Stationary AR(1) chains x_t = rho x_{t-1} + N(0, 1)."""
    rng = np.random.default_rng(seed)
    x = np.empty((n_chains, n_draws, n_features))
    x[:, 0] = rng.standard_normal((n_chains, n_features)) / np.sqrt(1 - rho**2)
    noise = rng.standard_normal((n_chains, n_draws, n_features))
    for t in range(1, n_draws):
        x[:, t] = rho * x[:, t - 1] + noise[:, t]
    return x


def sokal_relative_sd(tau, n_total, window_factor=5):
    """Relative sd of an integrated-autocorrelation estimate (Sokal 1997).

    Var(tau_hat) / tau^2 ~ 2 (2 M + 1) / N for a window of M lags; Geyer's
    truncation stops after a few tau, so M = window_factor * tau is generous.
    """
    window = window_factor * tau
    return np.sqrt(2 * (2 * window + 1) / n_total)


@pytest.mark.parametrize("rho", [0.5, -0.3])
def test_ess_of_ar1_matches_closed_form(rho):
    n_chains, n_draws = 4, 5000
    chains = ar1(rho, n_chains, n_draws)
    total = n_chains * n_draws
    truth = total * (1 - rho) / (1 + rho)
    tau = (1 + rho) / (1 - rho)
    tolerance = 4 * sokal_relative_sd(max(tau, 1.0), total)
    for method in ("mean", "bulk"):
        ess = effective_sample_size(chains[..., 0], method=method)
        assert abs(ess / truth - 1) < tolerance, (method, ess, truth)


def test_ess_of_independent_draws_is_n():
    chains = np.random.default_rng(1).standard_normal((4, 2500))
    ess = effective_sample_size(chains, method="mean")
    assert abs(ess / 10000 - 1) < 4 * sokal_relative_sd(1.0, 10000)


def test_autocorrelation_of_ar1_is_geometric():
    rho, n_chains, n_draws = 0.8, 4, 5000
    chains = ar1(rho, n_chains, n_draws, n_features=2, seed=3)
    acf = autocorrelation(chains, max_lag=5)
    assert acf.shape == (6, 2)
    lags = np.arange(6)
    # Bartlett: sd of rho_hat_k ~ sqrt((1 + rho^2) / (1 - rho^2) / N) for AR(1)
    se = np.sqrt((1 + rho**2) / (1 - rho**2) / (n_chains * n_draws))
    np.testing.assert_allclose(acf, np.tile(rho**lags, (2, 1)).T, atol=4 * se)
    single = autocorrelation(chains[0, :, 0], max_lag=3)
    assert single.shape == (4,) and single[0] == 1.0


def test_rhat_separates_mixed_from_stuck_chains():
    rng = np.random.default_rng(0)
    mixed = rng.standard_normal((4, 1000, 2))
    assert np.all(rhat(mixed) < 1.01)
    shifted = mixed.copy()
    shifted[0, :, 1] += 1.5  # one chain 1.5 sd away, in the second feature
    values = rhat(shifted)
    assert values[0] < 1.01 and values[1] > 1.1
    # a trend within a single chain is caught by splitting it
    trend = rng.standard_normal(2000) + np.linspace(0, 3, 2000)
    assert rhat(trend) > 1.1
    # a chain with a different spread (same centre) is caught by the tail R-hat
    wide = mixed[..., 0].copy()
    wide[0] *= 3.0
    assert rhat(wide) > 1.05


def test_shapes_and_errors():
    chains = np.random.default_rng(0).standard_normal((3, 50, 2))
    assert effective_sample_size(chains).shape == (2,)
    assert isinstance(effective_sample_size(chains[..., 0]), float)
    assert isinstance(rhat(chains[0, :, 0]), float)
    with pytest.raises(ValueError, match="method"):
        effective_sample_size(chains, method="median")
    with pytest.raises(ValueError, match="at least 4 draws"):
        effective_sample_size(chains[:, :3])
    with pytest.raises(ValueError, match="NaN"):
        rhat(np.full((2, 10), np.nan))
    with pytest.raises(ValueError, match="shape"):
        rhat(np.zeros((2, 3, 4, 5)))
    with pytest.raises(ValueError, match="max_lag"):
        autocorrelation(chains, max_lag=-1)
    # a constant chain is worth all its draws and has no autocorrelation
    assert effective_sample_size(np.ones((2, 10))) == 20
    np.testing.assert_array_equal(autocorrelation(np.ones(10), 3), [1, 0, 0, 0])


def test_average_ranks_match_scipy():
    rng = np.random.default_rng(0)
    for values in (rng.standard_normal(1000), np.round(rng.standard_normal(1000))):
        np.testing.assert_array_equal(_average_ranks(values), stats.rankdata(values))


def arviz():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pytest.importorskip("arviz")


@pytest.mark.parametrize(
    "n_chains, n_draws, rho",
    [(4, 1000, 0.9), (1, 501, 0.5), (3, 57, 0.99), (8, 200, -0.5)],
)
def test_agrees_with_arviz(n_chains, n_draws, rho):
    az = arviz()
    chains = ar1(rho, n_chains, n_draws, n_features=3, seed=n_draws)
    chains[..., 2] = np.round(chains[..., 2])  # many ties
    if n_chains > 1:
        chains[1:, :, 1] += 0.5  # disagreeing chains
    for method in ("bulk", "tail", "mean"):
        ours = effective_sample_size(chains, method=method)
        ref = [az.ess(chains[..., j], method=method) for j in range(3)]
        np.testing.assert_allclose(ours, ref, rtol=1e-10)
    if n_chains > 1:  # ArviZ gives NaN for one chain; we split it
        # arviz.summary folds the draws about the median of them all (as
        # Vehtari et al.'s reference code), arviz.rhat about the median of
        # the split chains: the two agree unless n_draws is odd
        table = az.summary(az.from_dict({"x": chains}), round_to="none")
        np.testing.assert_allclose(rhat(chains), table["r_hat"], rtol=1e-12)
        if n_draws % 2 == 0:
            ref = [az.rhat(chains[..., j]) for j in range(3)]
            np.testing.assert_allclose(rhat(chains), ref, rtol=1e-12)
    acf = autocorrelation(chains, max_lag=10)
    ref = az.autocorr(chains, axis=1)[:, :11].mean(axis=0)
    np.testing.assert_allclose(acf, ref, atol=1e-12)


def test_pareto_khat_agrees_with_arviz():
    az = arviz()
    rng = np.random.default_rng(0)
    for scale in (1.5, 0.8, 0.3):
        x = rng.normal(0, scale, 4000)
        log_w = stats.norm.logpdf(x) - stats.norm.logpdf(x, 0, scale)
        _, k_ref = az.psislw(log_w.copy())
        assert pareto_khat(log_w) == pytest.approx(float(k_ref), rel=1e-10)


def test_pareto_khat_recovers_known_tail_shapes():
    # p = N(0, 1), q = N(0, s^2) with s < 1: the weights have a Pareto tail
    # of shape 1 - s^2 (P(w > t) ~ t^(-1 / (1 - s^2))).
    rng = np.random.default_rng(1)
    for scale in (0.3, 0.6):
        x = rng.normal(0, scale, 20000)
        k = pareto_khat(stats.norm.logpdf(x) - stats.norm.logpdf(x, 0, scale))
        assert abs(k - (1 - scale**2)) < 0.15
    # bounded weights (q wider than p) give k < 0
    x = rng.normal(0, 2.0, 20000)
    assert pareto_khat(stats.norm.logpdf(x) - stats.norm.logpdf(x, 0, 2.0)) < 0
    assert pareto_khat(np.zeros(3)) == np.inf  # too few draws for a tail
