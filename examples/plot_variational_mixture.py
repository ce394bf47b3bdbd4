"""
=================================================================
A Dirichlet process switches off the components it does not need
=================================================================

Maximum likelihood cannot choose the number of components :math:`K` of a
Gaussian mixture: EM with too large a :math:`K` splits the groups of the data
and uses every component. The Bayesian mixture puts a prior on the mixture
weights. :class:`~skgenfund.VariationalGaussianMixture` fits its posterior
by variational inference; with a Dirichlet-process (stick-breaking) prior of
small concentration :math:`\\gamma`, the posterior gives almost no weight to
the components the data do not need, so :math:`K` is only an upper bound.

Here the data come from four Gaussians, and both mixtures get
:math:`K = 10`. Beside each fit, the bars are its mixture weights: EM spreads
them over all ten components, the Dirichlet process keeps four and switches
the other six off (drawn as faint dashed outlines).
"""

# %%
# Data: four groups, and two mixtures with ten components each
# ------------------------------------------------------------
import matplotlib.pyplot as plt
import numpy as np

from skgenfund import EMGaussianMixture, VariationalGaussianMixture
from skgenfund.plotting import plot_gmm

rng = np.random.RandomState(2)
groups = [
    ([0.0, 0.0], [[2.0, 1.2], [1.2, 1.5]], 300),
    ([7.0, 0.5], [[0.5, 0.0], [0.0, 0.5]], 150),
    ([4.0, 6.0], [[1.8, -0.9], [-0.9, 1.0]], 250),
    ([-4.0, 5.0], [[0.3, 0.0], [0.0, 2.0]], 200),
]
X = np.vstack([rng.multivariate_normal(m, c, n) for m, c, n in groups])
n_components = 10

em = EMGaussianMixture(n_components, random_state=0).fit(X)
dp = VariationalGaussianMixture(
    n_components,
    weight_concentration_prior_type="dirichlet_process",
    weight_concentration_prior=1e-2,
    max_iter=500,
    random_state=0,
).fit(X)

for name, model in (("EM", em), ("Dirichlet process", dp)):
    print(
        f"{name:>17}: {np.sum(model.weights_ > 0.01)} components with weight > 0.01, "
        f"BIC {model.bic(X):.1f}, ICL {model.icl(X):.1f}"
    )

# %%
# The fits and their weights
# --------------------------
# The ellipses are each component's 1- and 2-standard-deviation contours,
# shaded by weight; the bars on the right are the weights themselves. The
# six switched-off components keep their prior (the data's mean and
# covariance), so their faint outlines coincide.
fig, axes = plt.subplots(
    2, 2, figsize=(10, 8), gridspec_kw={"width_ratios": [2.2, 1]}, layout="constrained"
)
titles = {
    "EM": "EM (maximum likelihood)",
    "Dirichlet process": (
        "Variational Bayes, Dirichlet process\n"
        rf"($\gamma$ = {dp.weight_concentration_prior_:g})"
    ),
}
for row, (name, model) in enumerate((("EM", em), ("Dirichlet process", dp))):
    ax_fit, ax_weights = axes[row]
    plot_gmm(model, X, ax=ax_fit, annotate_weights=False, min_weight=0.01)
    live = int(np.sum(model.weights_ > 0.01))
    ax_fit.set_title(f"{titles[name]}: {live} of {n_components} components used")
    ax_fit.set_xlabel("$x_1$")
    ax_fit.set_ylabel("$x_2$")
    ax_weights.bar(
        np.arange(n_components),
        model.weights_,
        color=[f"C{k % 10}" for k in range(n_components)],
        edgecolor="black",
        linewidth=0.6,
    )
    ax_weights.axhline(0.01, color="0.5", linestyle=":", linewidth=1)
    ax_weights.set_xticks(np.arange(n_components))
    ax_weights.set_ylim(0, 0.45)
    ax_weights.set_xlabel("component")
    ax_weights.set_ylabel("weight")
    ax_weights.set_title("mixture weights")
for ax in axes[:, 0]:
    ax.set_xlim(axes[0, 0].get_xlim())
    ax.set_ylim(axes[0, 0].get_ylim())
plt.show()

# %%
# The prior's concentration
# -------------------------
# The concentration :math:`\gamma` is the prior's expected number of new
# components per data point: larger values keep more components alive. The
# number of components with a weight above 1% as :math:`\gamma` grows, for
# the Dirichlet process and for the (finite) Dirichlet distribution prior:
concentrations = [1e-3, 1e-2, 1e-1, 1.0, 10.0, 100.0, 1000.0]
for prior_type in ("dirichlet_process", "dirichlet_distribution"):
    counts = [
        int(
            np.sum(
                VariationalGaussianMixture(
                    n_components,
                    weight_concentration_prior_type=prior_type,
                    weight_concentration_prior=gamma,
                    max_iter=500,
                    random_state=0,
                )
                .fit(X)
                .weights_
                > 0.01
            )
        )
        for gamma in concentrations
    ]
    print(f"{prior_type:>22}: " + ", ".join(map(str, counts)))
