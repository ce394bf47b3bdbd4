"""
=====================================================
Learning a distribution: maximum likelihood and Bayes
=====================================================

Maximum likelihood picks the single parameter value that makes the data most
probable. For a Gaussian the answer is closed form: the sample mean and the
**1/N** sample variance (not the unbiased 1/(N-1) one, a common slip in
textbook code). Bayesian estimation keeps a whole posterior distribution over
the parameters instead; with the conjugate Normal-Inverse-Wishart prior it is
also closed form, and it narrows as the data grow.
"""

# %%
# Data and the maximum-likelihood fit
# -----------------------------------
import matplotlib.pyplot as plt
import numpy as np

from skgenfund import BayesianGaussian, GaussianMLE
from skgenfund.plotting import plot_density

# sphinx_gallery_thumbnail_number = 1
true_mu, true_sigma = 2.0, 0.7
rng = np.random.RandomState(42)
X = rng.normal(true_mu, true_sigma, size=(40, 1))

mle = GaussianMLE().fit(X)
print(f"MLE mean     {mle.mean_[0]:.4f}  (sample mean {X.mean():.4f})")
print(
    f"MLE variance {mle.covariance_[0, 0]:.4f}  (1/N: {X.var():.4f}; "
    f"1/(N-1) would be {X.var(ddof=1):.4f})"
)

# %%
# The log-likelihood surface
# --------------------------
# The log-likelihood of N i.i.d. Gaussian points as a function of
# :math:`(\mu, \sigma)` is
# :math:`\ell(\mu, \sigma) = -\frac{N}{2}\log(2\pi\sigma^2)
# - \sum_i \frac{(x_i - \mu)^2}{2\sigma^2}`; the MLE sits at its maximum.
# Left, the data and the fitted density; right, the surface it maximises.
fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), layout="constrained")
plot_density(mle, X, ax=axes[0], label="MLE Gaussian")
axes[0].set_title("Histogram and MLE density")

mus = np.linspace(1.5, 2.5, 250)
sigmas = np.linspace(0.4, 1.1, 250)
mu_grid, sigma_grid = np.meshgrid(mus, sigmas)
squares = ((X[:, 0] - mu_grid[..., None]) ** 2).sum(axis=-1)
n = len(X)
loglik = -0.5 * n * np.log(2 * np.pi * sigma_grid**2) - squares / (2 * sigma_grid**2)
filled = axes[1].contourf(mu_grid, sigma_grid, loglik, levels=40, cmap="magma")
axes[1].contour(mu_grid, sigma_grid, loglik, levels=[loglik.max() - 2], colors="w")
fig.colorbar(filled, ax=axes[1], label=r"$\ell(\mu, \sigma)$")
axes[1].plot(mle.mean_[0], np.sqrt(mle.covariance_[0, 0]), "c*", ms=15, label="MLE")
axes[1].plot(true_mu, true_sigma, "wx", ms=10, label="true value")
axes[1].set_xlabel(r"$\mu$")
axes[1].set_ylabel(r"$\sigma$")
axes[1].set_title("Log-likelihood surface (white: 2 below the max)")
axes[1].legend(loc="upper right")

# %%
# The Bayesian posterior narrows with N
# -------------------------------------
# :meth:`~skgenfund.BayesianGaussian.sample_parameters` draws (mean, covariance)
# pairs from the posterior. With 5 points the plausible means spread widely;
# with 1000 they concentrate around the truth at rate :math:`1/\sqrt{N}`. The
# MLE keeps only the point and drops this uncertainty.
prior = dict(
    mean_prior=[0.0],
    mean_precision_prior=0.01,
    degrees_of_freedom_prior=1.0,
    covariance_prior=[[1.0]],
)
data = rng.normal(true_mu, true_sigma, size=(1000, 1))
fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), layout="constrained")
for size in (5, 20, 100, 1000):
    posterior = BayesianGaussian(**prior).fit(data[:size])
    means, covariances = posterior.sample_parameters(4000, random_state=0)
    axes[0].hist(
        means[:, 0],
        bins=80,
        density=True,
        histtype="step",
        lw=2,
        label=f"N={size}: sd {means[:, 0].std():.3f}",
    )
    axes[1].scatter(
        means[:800, 0],
        np.sqrt(covariances[:800, 0, 0]),
        s=3,
        alpha=0.4,
        label=f"N={size}",
    )
axes[0].axvline(true_mu, color="k", ls="--", label="true mean")
axes[0].set_xlim(0.5, 3.5)
axes[0].set_xlabel(r"$\mu$")
axes[0].set_ylabel("posterior density")
axes[0].set_title("Posterior of the mean")
axes[0].legend(loc="upper left", frameon=False)
axes[1].plot(true_mu, true_sigma, "k*", ms=12)
axes[1].annotate("truth", (true_mu, true_sigma), xytext=(10, 25),
                 textcoords="offset points", arrowprops=dict(arrowstyle="-"))
axes[1].set_xlim(0.5, 3.5)
axes[1].set_ylim(0, 2.0)
axes[1].set_xlabel(r"$\mu$")
axes[1].set_ylabel(r"$\sigma$")
axes[1].set_title("Joint posterior draws of (mean, sd)")
axes[1].legend(loc="upper left", bbox_to_anchor=(1.01, 1), markerscale=4,
               frameon=False, title="posterior draws")

# %%
# The posterior predictive has heavier tails
# ------------------------------------------
# Integrating the Gaussian over the posterior gives a Student t. With few
# points it is visibly wider than the plug-in MLE Gaussian, which is
# overconfident; the two agree as N grows.
few = data[:6]
plug_in = GaussianMLE().fit(few)
predictive = BayesianGaussian(**prior).fit(few)
grid = np.linspace(-1, 5, 400)[:, np.newaxis]
fig, axes = plt.subplots(1, 2, figsize=(11, 4), layout="constrained")
for ax, scale in zip(axes, ("linear", "log")):
    ax.plot(few[:, 0], np.zeros(len(few)), "k|", ms=20, mew=2, label="the 6 points")
    ax.plot(grid, np.exp(plug_in.score_samples(grid)), lw=2, label="MLE plug-in")
    ax.plot(
        grid, np.exp(predictive.score_samples(grid)), lw=2, label="Bayesian predictive"
    )
    ax.set_yscale(scale)
    ax.set_xlabel("x")
    ax.set_ylabel("density")
axes[0].set_title("Posterior predictive vs plug-in MLE, N = 6")
axes[0].legend(loc="upper left", frameon=False)
axes[1].set_ylim(1e-6, 2)
axes[1].set_title("Log scale: the Student t keeps heavier tails")
plt.show()
