"""Tour, topic 3: drawing samples from a density known up to a constant."""

import math

import numpy as np
from scipy import stats
from sklearn.datasets import load_iris

from .. import (
    EMGaussianMixture,
    GaussianMLE,
    ImportanceSampler,
    MetropolisHastingsSampler,
    RejectionSampler,
    effective_sample_size,
)

TITLE = "Sampling: rejection, importance sampling and Metropolis-Hastings"

MIX_WEIGHTS = np.array([0.3, 0.7])
MIX_MEANS = np.array([-2.0, 3.0])
MIX_SDS = np.array([0.5, 1.0])


def chapter_mixture(X):
    """log density of the chapter's 0.3 N(-2, 0.5^2) + 0.7 N(3, 1), per row."""
    terms = np.log(MIX_WEIGHTS) + stats.norm.logpdf(X[:, :1], MIX_MEANS, MIX_SDS)
    return np.logaddexp(terms[:, 0], terms[:, 1])


def truncated_normal(X):
    """N(0, 1) restricted to x > 2, unnormalised."""
    return np.where(X[:, 0] > 2, -0.5 * X[:, 0] ** 2, -np.inf)


def mixture_moments(weights, means, variances):
    mean = float(np.sum(weights * means))
    second = float(np.sum(weights * (variances + means**2)))
    return mean, math.sqrt(second - mean**2)


def run(report):
    import matplotlib.pyplot as plt

    from ..plotting import plot_autocorrelation, plot_samples_vs_target, plot_trace

    fig, axes = plt.subplots(2, 3, figsize=(16, 8.5))

    # --- rejection sampling: Beta(2, 5) under a uniform proposal
    report.line("Rejection sampling of Beta(2, 5) under a uniform proposal on [0, 1].")
    rejection = RejectionSampler(
        stats.beta(2, 5), proposal=stats.uniform(), random_state=0
    ).fit()
    big_m = 30 * 0.2 * 0.8**4  # max of the density, at its mode 1/5
    report.value("envelope M (1% safety margin)", math.exp(rejection.log_envelope_),
                 truth=big_m, truth_label="max p/q")  # fmt: skip
    draws = rejection.sample(50000)
    report.value("acceptance rate", rejection.acceptance_rate_,
                 truth=math.exp(-rejection.log_envelope_),
                 truth_label="1/M for the envelope used")  # fmt: skip
    report.value("sample mean", float(draws.mean()), truth=2 / 7)
    plot_samples_vs_target(draws, stats.beta(2, 5), ax=axes[0, 0])
    axes[0, 0].set_title("Rejection sampling: Beta(2, 5)")

    # --- importance sampling: E[x^2 | x > 2] for a standard normal
    report.line(
        "Importance sampling of E[x^2 | x > 2] for x ~ N(0, 1) with an exponential "
        "proposal on (2, inf); the chapter prints 6.72."
    )
    importance = ImportanceSampler(
        truncated_normal,
        proposal=stats.expon(loc=2, scale=0.5),
        n_samples=20000,
        random_state=0,
    ).fit()
    estimate, se = importance.expectation(lambda X: X[:, 0] ** 2)
    truth = 1 + 2 * stats.norm.pdf(2) / stats.norm.sf(2)
    report.value("E[x^2 | x > 2]", estimate, truth=truth)
    report.value("its standard error", se)
    report.value("Kish ESS", importance.ess_, fmt=".0f")
    report.value("Pareto k-hat (< 0.5: finite-variance weights)", importance.pareto_k_)
    report.value("log Z", importance.log_normalizer_,
                 truth=math.log(math.sqrt(2 * math.pi) * stats.norm.sf(2)))  # fmt: skip
    axes[0, 1].hist(importance.samples_[:, 0], bins=80, weights=importance.weights_,
                    density=True, alpha=0.5, label="weighted draws")  # fmt: skip
    grid = np.linspace(2, 5, 200)
    axes[0, 1].plot(grid, stats.norm.pdf(grid) / stats.norm.sf(2), "k", label="target")
    axes[0, 1].plot(grid, stats.expon(loc=2, scale=0.5).pdf(grid), "--",
                    label="proposal")  # fmt: skip
    axes[0, 1].set_title(f"Importance sampling: ESS {importance.ess_:.0f}, "
                         f"k-hat {importance.pareto_k_:.2f}")  # fmt: skip
    axes[0, 1].set_xlim(2, 5)
    axes[0, 1].set_xlabel("x")
    axes[0, 1].legend(frameon=False)

    # --- Metropolis-Hastings on the chapter's mixture
    report.line(
        "Metropolis-Hastings on 0.3 N(-2, 0.5^2) + 0.7 N(3, 1) (the chapter prints "
        "mean 1.82 and sd 2.15 from a too-short chain), 8 chains, step size adapted "
        "during the warm-up."
    )
    mh = MetropolisHastingsSampler(
        chapter_mixture, proposal="gaussian", n_chains=8, initial=np.zeros(1),
        random_state=0,
    ).fit()  # fmt: skip
    draws = mh.sample(80000)
    mean_true, sd_true = mixture_moments(MIX_WEIGHTS, MIX_MEANS, MIX_SDS**2)
    report.value("mean", float(draws.mean()), truth=mean_true)
    report.value("standard deviation", float(draws.std()), truth=sd_true)
    report.value("R-hat (< 1.01)", float(mh.rhat_[0]))
    report.value("bulk ESS", float(mh.ess_[0]), fmt=".0f")
    report.value("acceptance rate", float(mh.acceptance_rate_.mean()),
                 truth=0.44, truth_label="1-D optimum")  # fmt: skip
    plot_samples_vs_target(draws, chapter_mixture, ax=axes[0, 2])
    axes[0, 2].set_title("Metropolis-Hastings: the chapter's mixture")
    plot_trace(mh.chains_[:4, :2000], ax=axes[1, 0])
    plot_autocorrelation(mh, max_lag=60, ax=axes[1, 1])

    # --- a mixture fitted by EM to iris petal lengths: random walk vs independence
    petal = load_iris().data[:, 2:3]
    gmm = EMGaussianMixture(2, random_state=0).fit(petal)
    mean_fit, sd_fit = mixture_moments(gmm.weights_, gmm.means_[:, 0],
                                       gmm.covariances_[:, 0, 0])  # fmt: skip
    report.line(
        "A 2-component EMGaussianMixture fitted to the iris petal lengths (modes at "
        "1.5 and 4.9 cm), sampled in compiled code by a random walk, then by an "
        "independence sampler whose proposal is a Gaussian fitted to the data."
    )
    for label, proposal in [("random walk", "gaussian"),
                            ("independence", GaussianMLE())]:  # fmt: skip
        sampler = MetropolisHastingsSampler(
            gmm, proposal=proposal, n_chains=4, random_state=0
        ).fit(petal)
        draws = sampler.sample(100000)
        chains = sampler.chains_[..., 0]
        mcse = chains.std() / math.sqrt(effective_sample_size(chains, method="mean"))
        report.value(f"{label}: sample mean (cm)", float(draws.mean()),
                     truth=mean_fit, truth_label="mixture's mean")  # fmt: skip
        report.value(f"{label}: its Monte Carlo standard error", mcse)
        report.value(f"{label}: bulk ESS of 100000 draws", float(sampler.ess_[0]),
                     fmt=".0f")  # fmt: skip
        report.value(f"{label}: R-hat", float(sampler.rhat_[0]))
    report.value("sample sd (cm), independence", float(draws.std()), truth=sd_fit,
                 truth_label="mixture's sd")  # fmt: skip
    report.line(
        "The random walk rarely crosses the gap between the modes: its ESS is small "
        "and its error bar wide, as the diagnostics say; the independence sampler "
        "jumps between them at every accepted step."
    )
    plot_samples_vs_target(draws, gmm, ax=axes[1, 2])
    axes[1, 2].hist(petal[:, 0], bins=30, density=True, histtype="step", color="r",
                    label="iris data")  # fmt: skip
    axes[1, 2].legend(frameon=False)
    axes[1, 2].set_title("Independence MH from a mixture fitted to iris")
    fig.tight_layout()
    report.figure(
        fig,
        "03_sampling.png",
        "Rejection, importance and Metropolis-Hastings sampling against the truth; "
        "trace and autocorrelation of the chains.",
    )
