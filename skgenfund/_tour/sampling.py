"""Tour, topic 3: drawing samples from a density known up to a constant."""

import math
import warnings

import numpy as np
from scipy import stats
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning

from .. import (
    EMGaussianMixture,
    GaussianMLE,
    ImportanceSampler,
    MetropolisHastingsSampler,
    RejectionSampler,
    autocorrelation,
    mcse,
)
from .report import CHAPTER_NAME

TITLE = "Sampling: rejection, importance sampling and Metropolis-Hastings"

MIX_WEIGHTS = np.array([0.3, 0.7])
MIX_MEANS = np.array([-2.0, 3.0])
MIX_SDS = np.array([0.5, 1.0])
LOG_2PI = math.log(2 * math.pi)


def chapter_mixture(X):
    """log density of 0.3 N(-2, 0.5^2) + 0.7 N(3, 1) (the MH example of the
    source chapter), per row."""
    # written out rather than scipy.stats.norm.logpdf: the chain calls it once
    # per step, and scipy's per-call overhead would dominate the tour's time
    z = (X[:, :1] - MIX_MEANS) / MIX_SDS
    terms = np.log(MIX_WEIGHTS / MIX_SDS) - 0.5 * (z * z + LOG_2PI)
    return np.logaddexp(terms[:, 0], terms[:, 1])


def truncated_normal(X):
    """N(0, 1) restricted to x > 2, unnormalised."""
    return np.where(X[:, 0] > 2, -0.5 * X[:, 0] ** 2, -np.inf)


def mcse_of_mean(chains):
    """Monte Carlo standard error of the pooled mean of (n_chains, n_draws) draws."""
    return float(np.ravel(mcse(chains, kind="mean"))[0])


def mixture_moments(weights, means, variances):
    mean = float(np.sum(weights * means))
    second = float(np.sum(weights * (variances + means**2)))
    return mean, math.sqrt(second - mean**2)


def run(report):
    import matplotlib.pyplot as plt

    from ..plotting import plot_autocorrelation, plot_samples_vs_target, plot_trace

    fig = plt.figure(figsize=(16, 8.5), constrained_layout=True)
    grid = fig.add_gridspec(2, 3)
    top = [fig.add_subplot(grid[0, column]) for column in range(3)]
    trace_ax, acf_ax = fig.add_subplot(grid[1, :2]), fig.add_subplot(grid[1, 2])

    # --- rejection sampling: Beta(2, 5) under a uniform proposal
    report.line("Rejection sampling of Beta(2, 5) under a uniform proposal on [0, 1].")
    rejection = RejectionSampler(
        stats.beta(2, 5), proposal=stats.uniform(), random_state=0
    ).fit()
    big_m = 30 * 0.2 * 0.8**4  # max of the density, at its mode 1/5
    report.value("envelope M (1% safety margin)", math.exp(rejection.log_envelope_),
                 truth=big_m, truth_label="max p/q")  # fmt: skip
    draws = rejection.sample(50000)
    rate = report.value("acceptance rate", rejection.acceptance_rate_,
                        truth=math.exp(-rejection.log_envelope_),
                        truth_label="1/M for the envelope used")  # fmt: skip
    report.value("sample mean", float(draws.mean()), truth=2 / 7,
                 truth_label="exact 2/7")  # fmt: skip
    plot_samples_vs_target(draws, stats.beta(2, 5), ax=top[0])
    top[0].set_title(f"Rejection sampling of Beta(2, 5): acceptance {rate:.4f}")

    # --- importance sampling: E[x^2 | x > 2] for a standard normal
    truth = 1 + 2 * stats.norm.pdf(2) / stats.norm.sf(2)
    report.line(
        "Importance sampling of E[x^2 | x > 2] for x ~ N(0, 1) with an exponential "
        "proposal on (2, inf). "
        + CHAPTER_NAME
        + f" prints 6.72 (and 6.80 as its reference); the exact value is "
        f"1 + 2 phi(2) / (1 - Phi(2)) = {truth:.4f}, and its own recipe "
        "(self-normalised, N(3, 2^2) proposal, 10000 draws) gives 5.74 when run."
    )
    importance = ImportanceSampler(
        truncated_normal,
        proposal=stats.expon(loc=2, scale=0.5),
        n_samples=20000,
        random_state=0,
    ).fit()
    estimate, se = importance.expectation(lambda X: X[:, 0] ** 2)
    report.value("E[x^2 | x > 2]", estimate, truth=truth, truth_label="exact")
    report.value("its standard error", se)
    ess = report.value("Kish ESS", importance.ess_, fmt=".0f")
    khat = report.value(
        "Pareto k-hat (< 0.5: finite-variance weights)", importance.pareto_k_,
        fmt=".2f",
    )
    report.value(
        "log Z, the log normalising constant of the unnormalised target "
        "exp(-x^2/2) 1{x > 2}",
        importance.log_normalizer_,
        truth=math.log(math.sqrt(2 * math.pi) * stats.norm.sf(2)),
        truth_label="exact log(sqrt(2 pi) (1 - Phi(2)))",
    )
    top[1].hist(importance.samples_[:, 0], bins=80, weights=importance.weights_,
                density=True, alpha=0.5, label="weighted draws")  # fmt: skip
    x_grid = np.linspace(2, 5, 200)
    top[1].plot(x_grid, stats.norm.pdf(x_grid) / stats.norm.sf(2), "k",
                label="target N(0, 1) | x > 2")  # fmt: skip
    top[1].plot(x_grid, stats.expon(loc=2, scale=0.5).pdf(x_grid), "--",
                label="proposal 2 + Exp(2)")  # fmt: skip
    top[1].set_title(f"Importance sampling: ESS {ess:.0f}, k-hat {khat:.2f}")
    top[1].set_xlim(2, 5)
    top[1].set_xlabel("x")
    top[1].set_ylabel("density")
    top[1].legend(frameon=False)

    # --- Metropolis-Hastings on the source chapter's mixture
    mean_true, sd_true = mixture_moments(MIX_WEIGHTS, MIX_MEANS, MIX_SDS**2)
    report.line(
        "Metropolis-Hastings on 0.3 N(-2, 0.5^2) + 0.7 N(3, 1), 16 chains, proposal "
        "adapted during the warm-up. "
        + CHAPTER_NAME
        + " prints mean 1.82, sd 2.15 and acceptance 0.72 for 10000 draws with "
        "step 2; a mixture's moments are closed form: mean 0.3 (-2) + 0.7 (3) = "
        f"{mean_true:.4f}, sd sqrt(sum w (s^2 + m^2) - mean^2) = {sd_true:.4f}, and "
        "correct chains of its length and step accept about 48% and average "
        "between 1.37 and 1.59, so the printed numbers are not what its chain "
        "gives."
    )
    # a Python target runs one vectorised step for all chains at once: many
    # short chains cost less than a few long ones for the same number of draws
    mh = MetropolisHastingsSampler(
        chapter_mixture, n_chains=16, initial=np.zeros(1), random_state=0
    ).fit()
    draws = mh.sample(48000)
    report.value("mean", float(draws.mean()), truth=mean_true, truth_label="exact")
    report.value("its Monte Carlo standard error", mcse_of_mean(mh.chains_[..., 0]))
    report.value("standard deviation", float(draws.std()), truth=sd_true,
                 truth_label="exact")  # fmt: skip
    r_hat = report.value("R-hat, all 16 chains (< 1.01)", float(mh.rhat_[0]))
    bulk = report.value("bulk ESS, all 48000 draws", float(mh.ess_[0]), fmt=".0f")
    report.value("acceptance rate", float(mh.acceptance_rate_.mean()),
                 truth=0.44, truth_label="1-D optimum")  # fmt: skip
    plot_samples_vs_target(draws, chapter_mixture, ax=top[2])
    top[2].set_title("Metropolis-Hastings: 0.3 N(-2, 0.5²) + 0.7 N(3, 1)")
    shown = 1500
    plot_trace(mh.chains_[:4, :shown], ax=trace_ax)
    trace_ax.set_title(
        f"Trace of 4 of the 16 chains, first {shown} draws "
        f"(all draws: R-hat {r_hat:.4f}, bulk ESS {bulk:.0f})"
    )
    trace_ax.set_xlim(0, shown)
    plot_autocorrelation(mh, max_lag=60, ax=acf_ax)
    acf_ax.set_title("Autocorrelation, averaged over the 16 chains")
    report.figure(
        fig,
        "03_sampling.png",
        "Rejection, importance and Metropolis-Hastings sampling against the exact "
        f"densities; trace of the first {shown} draws of 4 of the 16 "
        "Metropolis-Hastings chains, and their autocorrelation.",
    )
    _random_walk_vs_independence(report)


def _random_walk_vs_independence(report):
    """MH on a bimodal mixture fitted to iris: random walk against independence."""
    import matplotlib.pyplot as plt

    from ..plotting import plot_samples_vs_target

    petal = load_iris().data[:, 2:3]
    gmm = EMGaussianMixture(2, random_state=0).fit(petal)
    mean_fit, sd_fit = mixture_moments(gmm.weights_, gmm.means_[:, 0],
                                       gmm.covariances_[:, 0, 0])  # fmt: skip
    report.line(
        "A 2-component EMGaussianMixture fitted to the iris petal lengths (modes at "
        "1.5 and 4.9 cm), sampled in compiled code by an isotropic random walk, "
        "then by an independence sampler whose proposal is one Gaussian fitted to "
        "the data."
    )
    fig = plt.figure(figsize=(16, 8), constrained_layout=True)
    grid = fig.add_gridspec(2, 6)
    traces = [fig.add_subplot(grid[0, :3])]
    traces.append(fig.add_subplot(grid[0, 3:], sharey=traces[0]))
    histograms = [fig.add_subplot(grid[1, :2])]
    histograms.append(fig.add_subplot(grid[1, 2:4], sharey=histograms[0]))
    acf_ax = fig.add_subplot(grid[1, 4:])
    shown = 600
    rho = {}
    for column, (label, proposal) in enumerate(
        [("random walk", "gaussian"), ("independence", GaussianMLE())]
    ):
        sampler = MetropolisHastingsSampler(
            gmm, proposal=proposal, n_chains=4, random_state=0
        ).fit(petal)
        with warnings.catch_warnings():
            # the random walk's poor mixing is the point: it is reported below
            warnings.simplefilter("ignore", ConvergenceWarning)
            draws = sampler.sample(40000)
        chains = sampler.chains_[..., 0]
        error = mcse_of_mean(chains)
        report.value(f"{label}: sample mean (cm)", float(draws.mean()),
                     truth=mean_fit, truth_label="mixture's mean")  # fmt: skip
        report.value(f"{label}: its Monte Carlo standard error", error)
        bulk = report.value(f"{label}: bulk ESS of 40000 draws",
                            float(sampler.ess_[0]), fmt=".0f")  # fmt: skip
        r_hat = report.value(f"{label}: R-hat", float(sampler.rhat_[0]))
        report.value(f"{label}: sample sd (cm)", float(draws.std()), truth=sd_fit,
                     truth_label="mixture's sd")  # fmt: skip
        ax = traces[column]
        ax.plot(chains[0, :shown], lw=0.6, color=f"C{column}")
        for mode in gmm.means_[:, 0]:
            ax.axhline(mode, color="k", lw=0.6, ls=":")
        ax.set_title(f"{label}: first {shown} draws of chain 0 "
                     f"(bulk ESS {bulk:.0f}, R-hat {r_hat:.4f})")  # fmt: skip
        ax.set_xlabel("iteration (after warm-up)")
        ax.set_ylabel("petal length (cm)")
        ax.set_xlim(0, shown)
        rho[label] = autocorrelation(chains, 100)
        ax = histograms[column]
        plot_samples_vs_target(draws, gmm, ax=ax, bins=60)
        ax.hist(petal[:, 0], bins=30, density=True, histtype="step", color="r",
                label="iris data")  # fmt: skip
        ax.set_xlabel("petal length (cm)")
        ax.set_ylim(0, 1.3)
        ax.legend(loc="upper right", frameon=False)
        ax.set_title(f"{label}: 40000 draws vs the fitted mixture")
    report.line(
        "The random walk needs many steps to cross the gap between the modes, so "
        "its draws are strongly correlated: its ESS is small, its chains disagree "
        "(R-hat above 1.01) and its error bar is wide, as the diagnostics say. The "
        "independence sampler proposes anywhere under one wide Gaussian and jumps "
        "between the modes at every accepted step."
    )
    for column, (label, values) in enumerate(rho.items()):
        acf_ax.plot(values, color=f"C{column}", lw=1.5, label=label)
    acf_ax.axhline(0.0, color="k", lw=0.6)
    acf_ax.set_xlabel("lag")
    acf_ax.set_ylabel("autocorrelation")
    acf_ax.set_title("Autocorrelation, averaged over the 4 chains")
    acf_ax.legend(loc="upper right", frameon=False)
    report.figure(
        fig,
        "03_random_walk_vs_independence.png",
        f"The same bimodal target sampled by a random walk (first {shown} draws: "
        "long stays in one mode) and by an independence sampler (jumping between "
        "the modes, marked by dotted lines); their histograms and autocorrelation.",
    )
