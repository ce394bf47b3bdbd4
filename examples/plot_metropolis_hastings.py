"""
==========================================
Metropolis-Hastings and its diagnostics
==========================================

A Metropolis-Hastings chain proposes :math:`x' = x + s z`, :math:`z \\sim
\\mathcal N(0, 1)`, and moves there with probability
:math:`\\min(1, p(x') / p(x))`; its states are (dependent) draws from
:math:`p` once it has forgotten where it started. Only ratios of :math:`p`
appear, so the normalising constant is never needed.

*Fundamentals of Generative Models* samples the mixture
:math:`0.3\\,\\mathcal N(-2, 0.5^2) + 0.7\\,\\mathcal N(3, 1)` with a random-walk
step of 2 and prints a mean of 1.82, a standard deviation of 2.15 and an
acceptance rate of 0.72 for 10000 draws. A mixture's moments are closed form:
the mean is :math:`0.3 \\cdot (-2) + 0.7 \\cdot 3 = 1.5` and the standard
deviation :math:`\\sqrt{\\sum_k w_k (\\sigma_k^2 + \\mu_k^2) - 1.5^2} = 2.4546`.
A correct chain of that length does not print its numbers either:
eight such chains with step 2 accept 47 to 48% of their proposals and their
means fall between 1.37 and 1.59. The diagnostics below (effective sample
size, R-hat, autocorrelation) tell how far a chain's average can be trusted.
(The isotropic random walk, ``proposal="gaussian"``, is used throughout; the
default adaptive walk and MALA are compared in
:ref:`sphx_glr_auto_examples_plot_mcmc_proposals.py`.)
"""

# %%
# Several chains, step size adapted during the warm-up
# ----------------------------------------------------
import math

import matplotlib.pyplot as plt
import numpy as np
from numba import njit

from skgenfund import MetropolisHastingsSampler, effective_sample_size
from skgenfund.plotting import plot_autocorrelation, plot_samples_vs_target, plot_trace

# sphinx_gallery_thumbnail_number = 2

LOG_W = np.log(np.array([0.3, 0.7]))


@njit
def log_p(x):
    """log of 0.3 N(-2, 0.5^2) + 0.7 N(3, 1) at one point: the chain runs compiled."""
    a = LOG_W[0] - 0.5 * ((x[0] + 2.0) / 0.5) ** 2 - math.log(0.5)
    b = LOG_W[1] - 0.5 * (x[0] - 3.0) ** 2
    top = max(a, b)
    return top + math.log(math.exp(a - top) + math.exp(b - top))


true_mean = 0.3 * -2 + 0.7 * 3
true_sd = math.sqrt(0.3 * (0.25 + 4) + 0.7 * (1 + 9) - true_mean**2)

sampler = MetropolisHastingsSampler(
    log_p, proposal="gaussian", n_chains=4, initial=np.zeros(1), random_state=0
).fit()
draws = sampler.sample(40000)
chains = sampler.chains_[..., 0]
mcse = chains.std() / math.sqrt(effective_sample_size(chains, method="mean"))
print(f"mean {draws.mean():.3f} +- {mcse:.3f} (truth {true_mean:.1f})")
print(f"sd   {draws.std():.3f} (truth {true_sd:.4f})")
print(f"step size {sampler.step_size_.round(2)}, acceptance "
      f"{sampler.acceptance_rate_.round(3)} (1-D optimum 0.44)")  # fmt: skip
print(f"R-hat {sampler.rhat_[0]:.4f}, bulk ESS {sampler.ess_[0]:.0f} of 40000")

fig, axes = plt.subplots(2, 2, figsize=(11, 8), layout="constrained")
plot_samples_vs_target(draws, log_p, ax=axes[0, 0])
axes[0, 0].set_title("40000 draws (4 chains) against the target")
plot_trace(sampler.chains_[:, :3000], ax=axes[0, 1])
# the title gives the diagnostics of all 40000 draws, as printed above
axes[0, 1].set_title(
    f"First 3000 draws (all: R-hat {sampler.rhat_[0]:.4f}, "
    f"ESS {sampler.ess_[0]:.0f})"
)
plot_autocorrelation(sampler, max_lag=60, ax=axes[1, 0])

# The running mean of each chain settles at 1.5, not at the 1.82 printed by
# Fundamentals of Generative Models.
steps = np.arange(1, chains.shape[1] + 1)
for chain in chains:
    axes[1, 1].plot(steps, np.cumsum(chain) / steps, lw=1)
axes[1, 1].axhline(true_mean, color="k", lw=2, label="true mean 1.5")
axes[1, 1].axhline(1.82, color="tab:red", ls=":", label="1.82 as printed")
axes[1, 1].set_xscale("log")
axes[1, 1].set_xlabel("draws per chain")
axes[1, 1].set_title("Running mean of each chain")
axes[1, 1].set_ylabel("running mean")
axes[1, 1].legend(frameon=False)

# %%
# Step size: too small, tuned, too large
# --------------------------------------
# A tiny step accepts almost everything but barely moves; a huge step rarely
# moves at all. Both give a small effective sample size. The warm-up's
# adaptation aims for the acceptance rate that maximises efficiency (about
# 0.44 in one dimension), and then freezes the step so the kept draws come
# from a valid Markov chain.
fig, axes = plt.subplots(2, 3, figsize=(15, 7), sharey="row")
for column, step in enumerate([0.1, "auto", 40.0]):
    chain = MetropolisHastingsSampler(
        log_p, proposal="gaussian", step_size=step, n_chains=4,
        initial=np.zeros(1), random_state=1,
    ).fit()  # fmt: skip
    chain.sample(20000)
    plot_trace(chain.chains_[:1, :2000], ax=axes[0, column])
    label = f"{chain.step_size_[0]:.2f} (adapted)" if step == "auto" else step
    axes[0, column].set_title(
        f"step {label}: acceptance {chain.acceptance_rate_.mean():.2f}, "
        f"ESS {chain.ess_[0]:.0f} of 20000"
    )
    plot_autocorrelation(chain, max_lag=100, ax=axes[1, column])
fig.tight_layout()
plt.show()
