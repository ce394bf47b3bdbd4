"""
==========================================
A Gaussian mixture learned by EM
==========================================

A mixture of :math:`K` Gaussians,
:math:`p(x) = \\sum_k \\pi_k \\mathcal N(x \\mid \\mu_k, \\Sigma_k)`, is fitted by
expectation-maximisation: the E-step computes each point's responsibilities
:math:`r_{ik} = p(z = k \\mid x_i)` by Bayes' theorem, the M-step refits every
component as a Gaussian weighted by them. Each iteration can only increase
the likelihood.

This example draws data from a known three-component mixture, watches EM
recover it from a poor start, then generates new data from the fit.
"""

# %%
# Data from a known mixture
# -------------------------
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning

from skgenfund import EMGaussianMixture
from skgenfund.plotting import plot_gmm

rng = np.random.RandomState(0)
true_weights = np.array([0.5, 0.3, 0.2])
true_means = np.array([[0.0, 0.0], [5.0, 3.0], [-1.0, 6.0]])
true_covariances = np.array(
    [
        [[2.0, 1.2], [1.2, 1.5]],
        [[0.6, -0.3], [-0.3, 0.8]],
        [[1.5, 0.0], [0.0, 0.3]],
    ]
)
counts = rng.multinomial(600, true_weights)
X = np.vstack(
    [
        rng.multivariate_normal(mean, covariance, count)
        for mean, covariance, count in zip(true_means, true_covariances, counts)
    ]
)

# The true mixture as a model: with ``max_iter=0`` the fit keeps the given
# initial parameters, which lets us draw it and score the data under it.
truth = EMGaussianMixture(
    3,
    weights_init=true_weights,
    means_init=true_means,
    precisions_init=np.linalg.inv(true_covariances),
    max_iter=0,
).fit(X)
print(f"mean log-likelihood under the true mixture: {truth.score(X):.4f}")


# %%
# EM at work
# ----------
# The start is deliberately poor: three random data points with tiny
# covariances. With ``tol=0`` and a fixed ``random_state``, ``max_iter=t``
# stops after exactly ``t`` iterations from the same start, so we can watch the
# components move.
def em_after(n_iter):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return EMGaussianMixture(
            3, init_params="random_from_data", tol=0, max_iter=n_iter, random_state=2
        ).fit(X)


fig, axes = plt.subplots(1, 4, figsize=(16, 4), sharex=True, sharey=True)
for ax, n_iter in zip(axes, (1, 3, 8, 40)):
    ax.scatter(X[:, 0], X[:, 1], s=5, c="0.6")
    plot_gmm(em_after(n_iter), ax=ax, annotate_weights=False)
    ax.set_title(f"after {n_iter} EM iteration{'s' if n_iter > 1 else ''}")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
fig.tight_layout()

# %%
# The fitted mixture, its responsibilities and new data
# -----------------------------------------------------
# A default fit (k-means start) converges in a few iterations. The points are
# coloured by their responsibilities (red, green and blue mixed in proportion
# to :math:`r_{ik}`), so the points EM is unsure about show mixed colours.
gmm = EMGaussianMixture(3, tol=1e-6, random_state=0).fit(X)
print(f"EM iterations: {gmm.n_iter_}, converged: {gmm.converged_}")
print(f"mean log-likelihood of the fit: {gmm.lower_bound_:.4f}")
order = np.argsort(gmm.means_[:, 0])
print("learned weights:", np.round(gmm.weights_[order], 3))

X_new, z_new = gmm.sample(600, random_state=1)

fig, axes = plt.subplots(1, 3, figsize=(16, 4.8))
plot_gmm(truth, ax=axes[0], annotate_weights=False)
axes[0].scatter(X[:, 0], X[:, 1], s=6, c="0.3")
axes[0].set_title("Data and the true mixture")

responsibilities = gmm.predict_proba(X)
colors = np.zeros((len(X), 3))
colors[:, : gmm.n_components] = responsibilities[:, order]
plot_gmm(gmm, ax=axes[1])
axes[1].scatter(X[:, 0], X[:, 1], s=8, c=colors)
axes[1].set_title("Learned components; colour = responsibilities")

plot_gmm(gmm, X_new, ax=axes[2], annotate_weights=False)
axes[2].set_title("600 new points drawn from the fit")
for ax in axes:
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
fig.tight_layout()

# %%
# EM climbs the log-likelihood
# ----------------------------
# ``lower_bounds_`` records the mean log-likelihood at every iteration. It
# never decreases. It ends slightly *above* the value under the true
# parameters: the maximum-likelihood fit is tuned to this sample.
fig, ax = plt.subplots(figsize=(7, 4))
poor = em_after(40)
ax.plot(np.arange(1, 41), poor.lower_bounds_, "o-", ms=3, label="poor start")
ax.plot(
    np.arange(1, gmm.n_iter_ + 1),
    gmm.lower_bounds_,
    "s-",
    ms=4,
    label="k-means start",
)
ax.axhline(truth.score(X), color="k", ls="--", label="true parameters")
ax.set_ylim(truth.score(X) - 1.5, gmm.lower_bound_ + 0.2)
ax.set_xlabel("EM iteration")
ax.set_ylabel("mean log-likelihood")
ax.set_title("EM never decreases the log-likelihood")
ax.legend(loc="lower right")
fig.tight_layout()
plt.show()
