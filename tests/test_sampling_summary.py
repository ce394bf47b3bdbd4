"""summary(), mcse() and to_inference_data() against ArviZ; the convergence
warning at its thresholds; the diagnostics' errors and edges."""

import math
import sys
import warnings

import numpy as np
import pytest
from scipy import stats
from sklearn.exceptions import ConvergenceWarning

from skgenfund import (
    GaussianMLE,
    MetropolisHastingsSampler,
    autocorrelation,
    effective_sample_size,
    mcse,
    rhat,
)
from skgenfund.sampling._summary import (
    convergence_problems,
    summarize,
    to_inference_data,
)

ESS_METHODS = ("bulk", "tail", "mean")
STATISTICS = ("mean", "sd", "mcse_mean", "mcse_sd", "ess_bulk", "ess_tail", "r_hat")


@pytest.fixture(scope="module")
def az():
    """ArviZ on its NumPy path (its Numba path fails on 1-D mcse(method="sd"))."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        arviz = pytest.importorskip("arviz")
    was_on = arviz.Numba.numba_flag
    arviz.Numba.disable_numba()
    yield arviz
    if was_on:
        arviz.Numba.enable_numba()


def ar1(rho, n_chains, n_draws, n_features=1, seed=0):
    """Stationary AR(1) chains x_t = rho x_{t-1} + N(0, 1)."""
    rng = np.random.default_rng(seed)
    x = np.empty((n_chains, n_draws, n_features))
    x[:, 0] = rng.standard_normal((n_chains, n_features)) / np.sqrt(1 - rho**2)
    noise = rng.standard_normal((n_chains, n_draws, n_features))
    for t in range(1, n_draws):
        x[:, t] = rho * x[:, t - 1] + noise[:, t]
    return x


CASES = [(4, 1000, 0.9), (2, 57, 0.99), (8, 200, -0.5), (3, 501, 0.5)]


def case_chains(n_chains, n_draws, rho):
    """AR(1) chains: plain, rounded (many ties), one chain shifted, skewed."""
    chains = ar1(rho, n_chains, n_draws, n_features=4, seed=n_draws)
    chains[..., 1] = np.round(chains[..., 1])
    chains[1:, :, 2] += 0.5
    chains[..., 3] = np.exp(chains[..., 3])
    return chains


@pytest.mark.parametrize("n_chains, n_draws, rho", CASES)
def test_summary_equals_arviz_summary(az, n_chains, n_draws, rho):
    chains = case_chains(n_chains, n_draws, rho)
    ours = summarize(chains)
    idata = to_inference_data(chains)
    reference = az.summary(idata, round_to="none")
    for name in STATISTICS:
        np.testing.assert_allclose(
            ours[name], reference[name].to_numpy(), rtol=1e-12, err_msg=name
        )
    # the quantiles are ArviZ's equal-tailed interval and median
    eti = az.summary(
        idata, round_to="none", kind="stats", stat_focus="median", hdi_prob=0.9
    )
    for ours_name, name in [("q5", "eti_5%"), ("q50", "median"), ("q95", "eti_95%")]:
        np.testing.assert_allclose(
            ours[ours_name], eti[name].to_numpy(), rtol=1e-12, atol=1e-15
        )


@pytest.mark.parametrize("n_chains, n_draws, rho", CASES)
def test_mcse_equals_arviz_mcse(az, n_chains, n_draws, rho):
    chains = case_chains(n_chains, n_draws, rho)
    for kind, prob in [("mean", None), ("sd", None)] + [
        ("quantile", p) for p in (0.05, 0.25, 0.5, 0.9)
    ]:
        ours = mcse(chains, kind=kind, prob=prob)
        kwargs = {} if prob is None else {"prob": prob}
        reference = [
            np.ravel(az.mcse(chains[..., j], method=kind, **kwargs))[0]
            for j in range(chains.shape[2])
        ]
        np.testing.assert_allclose(ours, reference, rtol=1e-12, err_msg=kind)


def sokal_relative_sd(tau, n_total, window_factor=5):
    """Relative sd of an integrated-autocorrelation estimate (Sokal 1997)."""
    return np.sqrt(2 * (2 * window_factor * tau + 1) / n_total)


def test_mcse_matches_closed_forms():
    # AR(1), unit innovations: Var(mean) = (1 / (1 - rho^2)) tau / N with
    # tau = (1 + rho) / (1 - rho); an MCSE is sqrt(Var), so its relative
    # error is half that of the ESS
    rho, n_chains, n_draws = 0.6, 4, 20000
    chains = ar1(rho, n_chains, n_draws, seed=1)[..., 0]
    n_total = n_chains * n_draws
    tau = (1 + rho) / (1 - rho)
    truth = math.sqrt(tau / (1 - rho**2) / n_total)
    tolerance = 4 * sokal_relative_sd(tau, n_total) / 2
    assert abs(mcse(chains) / truth - 1) < tolerance
    # independent N(0, 1): sd(sd_hat) = 1 / sqrt(2 N); sd of the p quantile
    # sqrt(p (1 - p) / N) / phi(z_p) (asymptotic order statistics)
    iid = np.random.default_rng(2).standard_normal((4, 10000))
    n_total = iid.size
    tolerance = 4 * sokal_relative_sd(1.0, n_total) / 2
    assert abs(mcse(iid, kind="sd") * math.sqrt(2 * n_total) - 1) < tolerance
    for p in (0.1, 0.5, 0.95):
        z = stats.norm.ppf(p)
        truth = math.sqrt(p * (1 - p) / n_total) / stats.norm.pdf(z)
        # the interval ends are order statistics: one draw's spacing more
        spacing = 1 / (n_total * stats.norm.pdf(z))
        assert abs(mcse(iid, kind="quantile", prob=p) - truth) < (
            tolerance * truth + spacing
        )


@pytest.fixture(scope="module")
def sampler():
    X = np.random.default_rng(0).multivariate_normal([0, 5], [[1, 0.6], [0.6, 2]], 500)
    mh = MetropolisHastingsSampler(
        GaussianMLE(), proposal="adaptive", random_state=0
    ).fit(X)
    mh.sample(40000)
    return mh


def test_sampler_summary_is_arviz_summary_table(az, sampler):
    pd = pytest.importorskip("pandas")
    table = pd.DataFrame(sampler.summary())
    reference = az.summary(sampler.to_inference_data(), round_to="none")
    assert list(table.columns) == [
        "mean", "sd", "q5", "q50", "q95", *STATISTICS[2:]
    ]  # fmt: skip
    for name in STATISTICS:
        np.testing.assert_allclose(table[name], reference[name], rtol=1e-12)
    # the attributes are the same statistics, equal to the functions
    np.testing.assert_array_equal(sampler.ess_, table["ess_bulk"])
    np.testing.assert_array_equal(sampler.rhat_, table["r_hat"])
    np.testing.assert_array_equal(sampler.ess_, effective_sample_size(sampler))
    np.testing.assert_array_equal(sampler.rhat_, rhat(sampler.chains_))
    np.testing.assert_array_equal(table["mcse_mean"], mcse(sampler.chains_))
    custom = sampler.summary(quantiles=(0.025, 0.975))
    assert [k for k in custom if k.startswith("q")] == ["q2.5", "q97.5"]
    np.testing.assert_allclose(
        custom["q97.5"], np.quantile(sampler.chains_, 0.975, axis=(0, 1))
    )
    # the table is the caller's to change
    sampler.summary()["mean"][:] = np.nan
    assert np.all(np.isfinite(sampler.summary()["mean"]))


@pytest.mark.filterwarnings("ignore::matplotlib.MatplotlibDeprecationWarning")
def test_to_inference_data(az, sampler):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    idata = sampler.to_inference_data()
    posterior = idata.posterior["x"]
    assert posterior.dims == ("chain", "draw", "dim")
    np.testing.assert_array_equal(posterior.to_numpy(), sampler.chains_)
    np.testing.assert_array_equal(idata.sample_stats["lp"], sampler.log_prob_)
    axes = az.plot_trace(idata)
    assert axes.shape == (1, 2)
    plt.close("all")
    # feature names of a DataFrame the sampler was fitted on name the dims
    pd = pytest.importorskip("pandas")
    data = np.random.default_rng(0).normal(size=(100, 2))
    frame = pd.DataFrame(data, columns=["a", "b"])
    named = MetropolisHastingsSampler(n_chains=2, random_state=0).fit(frame)
    with pytest.warns(ConvergenceWarning):
        named.sample(40)
    assert list(named.to_inference_data().posterior["dim"].to_numpy()) == ["a", "b"]
    with pytest.raises(ValueError, match="shape"):
        to_inference_data(np.zeros((2, 10)))


def test_to_inference_data_without_arviz_says_how_to_install(monkeypatch, sampler):
    monkeypatch.setitem(sys.modules, "arviz", None)  # import arviz -> ImportError
    with pytest.raises(ImportError, match=r"skgenfund\[arviz\]"):
        sampler.to_inference_data()


# ------------------------------------------------------------ the warning
def problems(r_hat=1.0, bulk=1e4, tail=1e4, acceptance=(0.3,) * 4, n_draws=1000):
    summary = {
        "r_hat": np.array([1.0, r_hat]),
        "ess_bulk": np.array([1e4, bulk]),
        "ess_tail": np.array([1e4, tail]),
    }
    return convergence_problems(summary, np.array(acceptance), n_draws)


def test_warning_thresholds():
    assert problems() == []
    # R-hat 1.01 is fine; anything above is not
    assert problems(r_hat=1.01) == []
    [message] = problems(r_hat=np.nextafter(1.01, 2))
    assert "R-hat" in message and "dimension 1" in message and "n_warmup" in message
    # 100 per chain: 400 for 4 chains, 800 for 8
    assert problems(bulk=400.0, tail=400.0) == []
    [message] = problems(bulk=399.9)
    assert "bulk ESS is 400" in message and "400 for 4 chains" in message
    [message] = problems(tail=799.0, acceptance=(0.3,) * 8)
    assert "tail ESS" in message and "800 for 8 chains" in message
    # a chain that accepted nothing is named
    [message] = problems(acceptance=(0.3, 0.0, 0.3, 0.3))
    assert "(chain 1)" in message and "initial=" in message
    [message] = convergence_problems(None, np.full(4, 0.3), 3)
    assert "only 3 draw(s) per chain" in message
    # the advice names a better proposal than the one used
    summary = {"r_hat": np.array([1.5]), "ess_bulk": np.array([1e4]),
               "ess_tail": np.array([1e4])}  # fmt: skip
    for proposal, advice in [("gaussian", "proposal='adaptive'"),
                             ("adaptive", "proposal='mala'"),
                             ("mala", "n_warmup")]:  # fmt: skip
        [message] = convergence_problems(summary, np.full(4, 0.3), 100, proposal)
        assert advice in message


def bimodal(X):
    return np.logaddexp(stats.norm.logpdf(X[:, 0], -20), stats.norm.logpdf(X[:, 0], 20))


RUNS = {
    # name: (sampler, n_samples, whether the run is designed to be doubtful)
    "mixing": (
        MetropolisHastingsSampler(stats.norm(), initial=np.zeros(1), random_state=0),
        20000,
        False,
    ),
    "short": (
        MetropolisHastingsSampler(stats.norm(), initial=np.zeros(1), random_state=0),
        400,
        True,
    ),
    "stuck": (
        MetropolisHastingsSampler(
            stats.norm(),
            proposal="gaussian",
            step_size=1e8,
            initial=np.zeros(1),
            random_state=0,
        ),
        4000,
        True,
    ),
    "modes apart": (
        MetropolisHastingsSampler(
            bimodal,
            proposal="gaussian",
            step_size=1.0,
            initial=np.array([[-20.0], [-20.0], [20.0], [20.0]]),
            random_state=0,
        ),
        8000,
        True,
    ),
    "too few": (
        MetropolisHastingsSampler(stats.norm(), initial=np.zeros(1), random_state=0),
        8,
        True,
    ),
}


@pytest.mark.parametrize("name", list(RUNS))
def test_warning_fires_exactly_when_the_diagnostics_say_so(name):
    sampler, n_samples, doubtful = RUNS[name]
    sampler.fit()
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        sampler.sample(n_samples)
    fired = [w for w in record if issubclass(w.category, ConvergenceWarning)]
    assert all(w.filename == __file__ for w in fired)  # points at the caller
    n_chains, n_draws = sampler.chains_.shape[:2]
    if n_draws < 4:
        expected = True
    else:
        table = sampler.summary()
        expected = bool(
            table["r_hat"].max() > 1.01
            or min(table["ess_bulk"].min(), table["ess_tail"].min()) < 100 * n_chains
            or np.any(sampler.acceptance_rate_ == 0)
        )
    assert expected == doubtful  # the run is what it was designed to be
    assert len(fired) == int(expected)
    if name == "stuck":
        assert "accepted no proposal" in str(fired[0].message)
    if name == "modes apart":
        assert "R-hat" in str(fired[0].message)
    # no other warning (divide by zero, invalid value) on the way
    assert len(record) == len(fired)


# ------------------------------------------------------- errors and edges
def test_pooled_draws_are_refused_and_the_sampler_is_accepted(sampler):
    pooled = np.swapaxes(sampler.chains_, 0, 1).reshape(-1, 2)  # as sample() gives
    for function in (effective_sample_size, rhat, mcse, autocorrelation):
        with pytest.raises(ValueError, match=r"chains_.*\(n_chains, n_draws"):
            function(pooled)
    np.testing.assert_array_equal(
        effective_sample_size(sampler), effective_sample_size(sampler.chains_)
    )
    # more chains than draws is possible, said with a 3-D array
    many = np.random.default_rng(0).standard_normal((50, 10))
    assert np.isfinite(effective_sample_size(many[:, :, None])[0])
    with pytest.raises(ValueError, match="call its sample"):
        effective_sample_size(MetropolisHastingsSampler())


@pytest.mark.parametrize(
    "chains, match",
    [
        (np.zeros((0, 100)), "no chain"),
        (np.zeros((0, 100, 2)), "no chain"),
        (np.zeros((4, 100, 0)), "no feature"),
        (np.zeros((2, 3)), "at least 4 draws"),
        (np.zeros((5, 4)), "more chains than draws"),
        (np.full((2, 10), np.nan), "NaN"),
        (np.full((2, 10), np.inf), "NaN or infinity"),
        (np.zeros((2, 3, 4, 5)), "shape"),
    ],
)
def test_bad_chains_get_clear_errors(chains, match):
    for function in (effective_sample_size, rhat, mcse, summarize):
        with pytest.raises(ValueError, match=match):
            function(chains)


def test_non_numeric_chains_and_bad_options():
    with pytest.raises(TypeError, match="real numbers"):
        rhat(np.ones((2, 10)) * 1j)
    with pytest.raises(TypeError, match="real numbers"):
        rhat([["a"] * 10] * 2)
    chains = np.random.default_rng(0).standard_normal((2, 50))
    with pytest.raises(ValueError, match="kind must be one of"):
        mcse(chains, kind="median")
    with pytest.raises(ValueError, match="needs prob"):
        mcse(chains, kind="quantile")
    for prob in (0.0, 1.0, 1.5, "half", True):
        with pytest.raises(ValueError, match="prob must be"):
            mcse(chains, kind="quantile", prob=prob)
    with pytest.raises(ValueError, match="only used with kind='quantile'"):
        mcse(chains, prob=0.5)
    for quantiles, match in [((0.5, 0.5), "distinct"), ((1.5,), r"\[0, 1\]"),
                             (("a",), "probabilities")]:  # fmt: skip
        with pytest.raises(ValueError, match=match):
            summarize(chains[:, :, None], quantiles)


def test_constant_and_stuck_chains_are_defined_without_warnings():
    rng = np.random.default_rng(0)
    chains = rng.standard_normal((4, 200, 3))
    chains[..., 1] = 0.1  # constant (0.1 is not exact: its mean is off by an ulp)
    chains[..., 2] = np.arange(4.0)[:, None] * 0.1  # chains that never moved
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        table = summarize(chains)
        ess = [effective_sample_size(chains, method=m) for m in ESS_METHODS]
        rho = autocorrelation(chains, 5)
    # a constant dimension: ArviZ's ESS (every draw), R-hat 1 (all chains agree),
    # no error in its mean, sd or quantiles
    for values in ess:
        assert values[1] == 800
    assert table["r_hat"][1] == 1.0
    for name in ("sd", "mcse_mean", "mcse_sd"):
        assert table[name][1] == 0.0
    assert mcse(chains, kind="quantile", prob=0.3)[1] == 0.0
    np.testing.assert_array_equal(rho[1:, 1], 0.0)
    # stuck chains at different places: they disagree without bound
    assert table["r_hat"][2] == np.inf
    assert np.all(np.isfinite(table["ess_bulk"])) and table["ess_bulk"][2] < 10


def test_scale_equivariance_down_to_1e_300_and_up_to_1e300():
    chains = case_chains(4, 300, 0.8)
    base = summarize(chains)
    base_quantile = mcse(chains, kind="quantile", prob=0.2)
    for exponent in (-1000, 1000):  # powers of two: exactly equal
        scaled = chains * 2.0**exponent
        table = summarize(scaled)
        for name in ("ess_bulk", "ess_tail", "r_hat"):
            np.testing.assert_array_equal(table[name], base[name])
        for name in ("mean", "sd", "q5", "q50", "q95", "mcse_mean", "mcse_sd"):
            np.testing.assert_array_equal(table[name], base[name] * 2.0**exponent)
        np.testing.assert_array_equal(
            effective_sample_size(scaled, method="mean"),
            effective_sample_size(chains, method="mean"),
        )
        np.testing.assert_array_equal(
            autocorrelation(scaled, 20), autocorrelation(chains, 20)
        )
        np.testing.assert_array_equal(
            mcse(scaled, kind="quantile", prob=0.2), base_quantile * 2.0**exponent
        )
    for factor in (1e-300, 1e300):  # rounding of x * factor only
        table = summarize(chains * factor)
        for name in ("ess_bulk", "ess_tail", "r_hat"):
            np.testing.assert_allclose(table[name], base[name], rtol=1e-12)
        for name in ("mean", "sd", "mcse_mean", "mcse_sd"):
            np.testing.assert_allclose(table[name] / factor, base[name], rtol=1e-12)
        np.testing.assert_allclose(
            autocorrelation(chains * factor, 20), autocorrelation(chains, 20),
            rtol=1e-12, atol=1e-14,
        )  # fmt: skip


def test_float16_pandas_and_many_chains(az):
    pd = pytest.importorskip("pandas")
    chains = ar1(0.5, 4, 400, seed=3)[..., 0]
    half = chains.astype(np.float16)
    assert np.isfinite(rhat(half))
    np.testing.assert_array_equal(rhat(half), rhat(half.astype(np.float64)))
    frame = pd.DataFrame(chains)  # rows are chains
    assert effective_sample_size(frame) == effective_sample_size(chains)
    assert mcse(pd.Series(chains[0])) == mcse(chains[0])
    # 20000 chains of 10 draws, as an ensemble gives: ArviZ's values
    many = np.random.default_rng(4).standard_normal((20000, 10, 1))
    np.testing.assert_allclose(
        effective_sample_size(many)[0], az.ess(many[..., 0]), rtol=1e-12
    )
    np.testing.assert_allclose(rhat(many)[0], az.rhat(many[..., 0]), rtol=1e-12)


def test_unbounded_runs_are_refused_up_front():
    with pytest.raises(ValueError, match=r"1,000,000,000,000 steps per chain"):
        MetropolisHastingsSampler(stats.norm(), n_warmup=10**12).fit()
    with pytest.raises(ValueError, match="GiB of memory"):  # 10**11 x 168 bytes
        MetropolisHastingsSampler(stats.norm(), n_chains=10**11).fit()
    fitted = MetropolisHastingsSampler(stats.norm(), random_state=0).fit()
    with pytest.raises(ValueError, match="GiB of memory"):
        fitted.sample(10**12)
    with pytest.raises(ValueError, match="steps per chain"):
        fitted.set_params(thin=10**7).sample(10**4)


def test_long_chains_compiled_paths_equal_scipy_arviz_and_numpy(az, monkeypatch):
    from skgenfund.sampling import _diagnostics
    from skgenfund.sampling._diagnostics_kernels import ranks_and_folded_ranks

    rng = np.random.default_rng(0)
    for values in (
        rng.standard_normal(1001),
        np.round(rng.standard_normal(5000)),  # ties, folded ties across the centre
        np.array([0.0, -0.0, 1.0, -1.0, 5e-324, -5e-324, 0.5, -0.5]),
        np.exp(3 * rng.standard_normal(3000)),
        np.ones(7),
    ):
        for centre in (np.median(values), 0.3, values.min(), values.max()):
            ranks, folded = ranks_and_folded_ranks(values, centre)
            np.testing.assert_array_equal(ranks, stats.rankdata(values))
            np.testing.assert_array_equal(
                folded, stats.rankdata(np.abs(values - centre))
            )
    # long chains take the compiled path: the same statistics to the last bit
    chains = case_chains(4, 20001, 0.7)
    assert chains.shape[0] * (chains.shape[1] // 2) * 2 >= (
        _diagnostics.COMPILED_RANKS_FROM
    )
    chains[..., 0] = ar1(0.995, 4, 20001, seed=9)[..., 0]  # tau ~ 400 lags: FFT
    compiled = summarize(chains)
    reference = az.summary(to_inference_data(chains), round_to="none")
    for name in STATISTICS:
        np.testing.assert_allclose(compiled[name], reference[name], rtol=1e-12)
    # ... and equal to the numpy ranks and the FFT autocovariances
    monkeypatch.setattr(_diagnostics, "COMPILED_RANKS_FROM", 10**12)
    numpy_ranks = summarize(chains)
    for name in ("ess_bulk", "r_hat"):
        np.testing.assert_array_equal(compiled[name], numpy_ranks[name])
    monkeypatch.setattr(_diagnostics, "DIRECT_LAGS_FROM", 10**12)
    fft = summarize(chains)
    for name in STATISTICS:
        np.testing.assert_allclose(compiled[name], fft[name], rtol=1e-13)


def test_sample_chains_judges_all_chains_once():
    from skgenfund import sample_chains

    def run(n_samples):
        sampler = MetropolisHastingsSampler(
            stats.norm(), proposal="gaussian", initial=np.zeros(1), random_state=0
        ).fit()
        with warnings.catch_warnings(record=True) as record:
            warnings.simplefilter("always")
            sample_chains(sampler, n_samples)
        table = sampler.summary()
        doubtful = bool(
            table["r_hat"].max() > 1.01
            or min(table["ess_bulk"].min(), table["ess_tail"].min()) < 400
        )
        return doubtful, [w for w in record if w.category is ConvergenceWarning]

    doubtful, fired = run(20000)  # 5000 draws a chain of N(0, 1): mixes
    assert not doubtful and fired == []
    doubtful, fired = run(400)  # 100 a chain: an ESS of 100 a chain is out of reach
    assert doubtful and len(fired) == 1
