"""
==========================================================
Missing values: EM that marginalises the holes
==========================================================

A missing entry is one more latent variable, and EM is the algorithm for
latent variables (Ghahramani and Jordan, 1994). With
``nan_policy="marginalize"``, :class:`~skgenfund.EMGaussianMixture` treats NaN
entries as values missing at random: the E-step weighs each row by the
marginal density of its *observed* coordinates,
:math:`\\mathcal N(x_o \\mid \\mu_o, \\Sigma_{oo})`, and the M-step fills the
sufficient statistics with the conditional means
:math:`\\mu_m + \\Sigma_{mo} \\Sigma_{oo}^{-1} (x_o - \\mu_o)` plus the
conditional covariance :math:`\\Sigma_{mm} - \\Sigma_{mo} \\Sigma_{oo}^{-1}
\\Sigma_{om}`, the uncertainty that a filled-in value hides.

The two usual shortcuts are worse. *Complete-case analysis* drops every row
with a hole: with 30% of the entries missing from four features, only
:math:`0.7^4`, about a quarter, of the rows are expected to survive. *Mean
imputation* fills each hole with its column's mean, which piles points on the
means and shrinks every variance and correlation. This example removes 30% of
the iris measurements at random and compares the three fits with the fit on
the full data.
"""

# %%
# Remove 30% of the entries
# -------------------------
# Entries are removed completely at random; a row left with no observed
# entry gets one back (such a row says nothing about the model, and the
# estimator refuses it).
import copy

import matplotlib.pyplot as plt
import numpy as np
from scipy.optimize import linear_sum_assignment
from sklearn.datasets import load_iris

from skgenfund import EMGaussianMixture
from skgenfund.plotting import plot_gmm

iris = load_iris()
X = iris.data
rng = np.random.RandomState(0)
holes = rng.uniform(size=X.shape) < 0.3
empty = np.flatnonzero(holes.all(axis=1))
holes[empty, rng.randint(X.shape[1], size=empty.size)] = False
X_missing = np.where(holes, np.nan, X)
complete_rows = ~holes.any(axis=1)
print(f"{holes.mean():.1%} of the entries are missing")
print(f"{complete_rows.sum()} of {len(X)} rows are complete")

# %%
# Four fits of a three-component mixture
# --------------------------------------
# The same estimator settings for all four; only the data differ.
settings = dict(n_components=3, n_init=5, random_state=0)
column_means = np.nanmean(X_missing, axis=0)
fits = {
    "full data (the reference)": EMGaussianMixture(**settings).fit(X),
    "marginalising EM": EMGaussianMixture(**settings, nan_policy="marginalize").fit(
        X_missing
    ),
    "complete cases only": EMGaussianMixture(**settings).fit(X_missing[complete_rows]),
    "mean imputation": EMGaussianMixture(**settings).fit(
        np.where(holes, column_means, X)
    ),
}

# %%
# How well does each fit describe the full data? The mean log-likelihood of
# the 150 complete rows (the reference was fitted on them, so it is an upper
# reference rather than a fair competitor):
scores = {name: gmm.score(X) for name, gmm in fits.items()}
for name, score in scores.items():
    print(f"{name:>26}: {score:8.3f}")

# %%
# The ellipses
# ------------
# The components' marginals on the petal measurements, one and two standard
# deviations. Components are matched to the reference's by their means, so
# that a colour means the same species-like cluster in every panel. Points
# are the rows whose two petal measurements were both observed (all rows for
# the reference; the imputed rows for mean imputation, where the piles on the
# column means show).
reference = fits["full data (the reference)"]


def matched(gmm):
    """A copy of gmm with its components in the reference's order."""
    cost = np.linalg.norm(reference.means_[:, None] - gmm.means_[None], axis=2)
    order = linear_sum_assignment(cost)[1]
    aligned = copy.deepcopy(gmm)
    for name in ("weights_", "means_", "covariances_"):
        setattr(aligned, name, getattr(gmm, name)[order])
    return aligned


petals = [2, 3]
shown = {
    "full data (the reference)": X,
    "marginalising EM": X_missing,
    "complete cases only": X_missing[complete_rows],
    "mean imputation": np.where(holes, column_means, X),
}
fig, axes = plt.subplots(1, 4, figsize=(17, 4.6), sharex=True, sharey=True)
for ax, (name, gmm) in zip(axes, fits.items()):
    points = shown[name][:, petals]
    ax.scatter(*points.T, s=9, color="0.45", alpha=0.6)
    plot_gmm(matched(gmm), ax=ax, features=petals, annotate_weights=False)
    ax.set_title(f"{name}\nmean log-likelihood {scores[name]:.2f}")
    ax.set_xlabel("petal length (cm)")
    ax.set_ylabel("")
axes[0].set_ylabel("petal width (cm)")
fig.tight_layout()
plt.show()

# %%
# The marginalising fit keeps the elongated, correlated components of the
# reference. Complete-case analysis fits the few complete rows, and its
# components are too wide or too narrow where those rows are few. Mean
# imputation drags points onto the lines of the column means, and the fit
# spends its components and correlations on those artificial piles.
#
# Filling in the holes
# --------------------
# :meth:`~skgenfund.EMGaussianMixture.impute` replaces each NaN by its
# conditional mean under the fit, ``E[x_miss | x_obs]`` (weighted over the
# components by the responsibilities of the observed entries), or by a draw
# from ``p(x_miss | x_obs)`` for multiple imputation. Compared with the true
# values that were removed:
marginal = fits["marginalising EM"]
imputed = marginal.impute(X_missing)
drawn = marginal.impute(X_missing, method="sample", random_state=0)
errors = {
    "column means": np.where(holes, column_means, X)[holes] - X[holes],
    "conditional means (impute)": imputed[holes] - X[holes],
    "one draw (impute, method='sample')": drawn[holes] - X[holes],
}
for name, error in errors.items():
    print(f"{name:>36}: RMSE {np.sqrt(np.mean(error**2)):.3f} cm")

# %%
# Conditional means are the best guesses in squared error, but a table of
# best guesses is too smooth: its variances are too small. Draws have larger
# errors one by one and the right spread, which is what an analysis repeated
# over several imputations (Rubin's rules) needs.
