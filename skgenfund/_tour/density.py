"""Tour, topic 2: learning a distribution by maximum likelihood and by Bayes."""

import numpy as np
from sklearn.datasets import load_iris

from .. import BayesianGaussian, GaussianMLE

TITLE = "Learning a probability distribution: maximum likelihood and Bayes"


def run(report):
    import matplotlib.pyplot as plt

    from ..plotting import plot_density

    iris = load_iris()
    x = iris.data[iris.target == 0, 1:2]  # sepal width of the 50 setosa flowers
    report.line("Sepal width (cm) of the 50 setosa irises, modelled as a Gaussian.")
    mle = GaussianMLE().fit(x)
    report.value("MLE mean (the sample mean)", mle.mean_[0])
    report.value("MLE variance (1/N sample variance, biased)", mle.covariance_[0, 0])
    sigma_hat = report.value(
        "MLE standard deviation", float(np.sqrt(mle.covariance_[0, 0]))
    )
    report.value("unbiased variance 1/(N-1), for comparison", float(np.var(x, ddof=1)))
    report.value("mean log-likelihood at the MLE", mle.score(x))

    bayes = BayesianGaussian().fit(x)
    report.value("Bayesian posterior mean of mu", bayes.mean_posterior_[0])

    fig, axes = plt.subplots(1, 3, figsize=(15, 4.2), constrained_layout=True)
    plot_density(mle, x, ax=axes[0], label="MLE Gaussian")
    plot_density(
        bayes, x, ax=axes[0], label="Bayesian predictive (Student t)", show_data=False
    )
    axes[0].set_ylim(0, 1.35 * axes[0].get_ylim()[1])  # room for the legend
    axes[0].legend(loc="upper left", frameon=False, fontsize=9)
    axes[0].set_title("Data, MLE density and Bayesian predictive")
    axes[0].set_xlabel("sepal width (cm)")

    mus = np.linspace(mle.mean_[0] - 0.3, mle.mean_[0] + 0.3, 200)
    sigmas = np.linspace(0.25, 0.6, 200)
    mu_grid, sigma_grid = np.meshgrid(mus, sigmas)
    n = len(x)
    sq = ((x[:, 0][None, None, :] - mu_grid[..., None]) ** 2).sum(axis=-1)
    loglik = -0.5 * n * np.log(2 * np.pi * sigma_grid**2) - sq / (2 * sigma_grid**2)
    contours = axes[1].contourf(mu_grid, sigma_grid, loglik, levels=30, cmap="magma")
    fig.colorbar(contours, ax=axes[1], label="log-likelihood")
    axes[1].plot(mle.mean_[0], sigma_hat, "c*", ms=14)
    axes[1].annotate(
        f"MLE ({mle.mean_[0]:.4f}, {sigma_hat:.4f})",
        (mle.mean_[0], sigma_hat),
        xytext=(8, 8),
        textcoords="offset points",
        color="k",
    )
    axes[1].set_xlabel(r"$\mu$ (cm)")
    axes[1].set_ylabel(r"$\sigma$ (cm)")
    axes[1].set_title("Log-likelihood surface, maximal at the MLE")

    report.line(
        "The posterior of mu narrows as the data grow (first N flowers; the sd "
        "is over 3000 posterior draws):"
    )
    for size in (5, 15, 50):
        posterior = BayesianGaussian().fit(x[:size])
        means, _ = posterior.sample_parameters(3000, random_state=1)
        sd = report.value(f"posterior sd of mu with N = {size}", float(means.std()))
        axes[2].hist(
            means[:, 0],
            bins=60,
            density=True,
            histtype="step",
            lw=2,
            label=f"N = {size}: sd {sd:.4f}",
        )
    axes[2].set_xlabel(r"$\mu$ (cm)")
    axes[2].set_ylabel("posterior density")
    axes[2].set_title("Posterior of the mean narrows as N grows")
    axes[2].legend(loc="upper left", frameon=False)
    report.figure(
        fig,
        "02_mle_and_bayes.png",
        "MLE fit, the log-likelihood surface with its maximum, and the "
        "Bayesian posterior of the mean for growing N.",
    )
