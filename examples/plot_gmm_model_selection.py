"""
=====================================================
How many components? BIC and cross-validation
=====================================================

The training log-likelihood of a Gaussian mixture only grows with the number
of components :math:`K`, so it cannot choose :math:`K`. Two criteria can:

* the **Bayesian information criterion**
  :math:`\\mathrm{BIC} = -2 \\ell(\\hat\\theta) + p \\log N`, where :math:`p` is
  the number of free parameters (``bic(X)``, lower is better);
* the **held-out log-likelihood**: ``score(X)`` is the mean log-likelihood,
  so :class:`~sklearn.model_selection.GridSearchCV` cross-validates it with no
  ``scoring`` argument.

Both also choose the covariance structure: ``"full"``, ``"tied"``,
``"diag"`` or ``"spherical"``.
"""

# %%
# Data: four groups of different shapes
# -------------------------------------
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_wine
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skgenfund import EMGaussianMixture
from skgenfund.plotting import plot_gmm

rng = np.random.RandomState(0)
groups = [
    ([0.0, 0.0], [[3.0, 2.2], [2.2, 2.0]], 300),
    ([6.0, -1.0], [[0.4, 0.0], [0.0, 0.4]], 150),
    ([5.0, 5.0], [[2.0, -1.2], [-1.2, 1.2]], 250),
    ([-3.0, 6.0], [[0.3, 0.0], [0.0, 2.5]], 200),
]
X = np.vstack([rng.multivariate_normal(m, c, n) for m, c, n in groups])
X = X[rng.permutation(len(X))]  # shuffled, so that K-fold splits are fair
ks = np.arange(1, 9)
covariance_types = ["full", "tied", "diag", "spherical"]

# %%
# BIC over K and covariance type
# ------------------------------
bic = {
    covariance_type: np.array(
        [
            EMGaussianMixture(k, covariance_type=covariance_type, random_state=0)
            .fit(X)
            .bic(X)
            for k in ks
        ]
    )
    for covariance_type in covariance_types
}
best_type = min(bic, key=lambda c: bic[c].min())
best_k = int(ks[np.argmin(bic[best_type])])
print(f"lowest BIC: K = {best_k}, covariance_type = {best_type!r}")


def cv_curve(search, parameter, value, k_parameter):
    """Mean and standard deviation of the held-out score along K."""
    results = search.cv_results_
    rows = np.asarray(results[f"param_{parameter}"]) == value
    k = np.asarray(results[f"param_{k_parameter}"])[rows].astype(int)
    return k, results["mean_test_score"][rows], results["std_test_score"][rows]


# %%
# Cross-validated log-likelihood
# ------------------------------
# The default score of the search is the mean held-out log-likelihood. A BIC
# scorer is one line: ``scoring=lambda model, X, y=None: -model.bic(X)``.
search = GridSearchCV(
    EMGaussianMixture(random_state=0),
    {"n_components": ks, "covariance_type": covariance_types},
    cv=5,
).fit(X)
print(
    "cross-validation picks K =",
    int(search.best_params_["n_components"]),
    repr(search.best_params_["covariance_type"]),
)

by_bic = GridSearchCV(
    EMGaussianMixture(random_state=0),
    {"n_components": ks, "covariance_type": covariance_types},
    scoring=lambda model, X, y=None: -model.bic(X),
).fit(X)
print(
    "a BIC scorer picks K =",
    int(by_bic.best_params_["n_components"]),
    repr(by_bic.best_params_["covariance_type"]),
)

# %%
# The two criteria side by side, and the model they choose
# --------------------------------------------------------
fig, axes = plt.subplots(1, 3, figsize=(17, 4.8))
width = 0.2
for i, covariance_type in enumerate(covariance_types):
    axes[0].bar(
        ks + (i - 1.5) * width, bic[covariance_type], width, label=covariance_type
    )
all_bic = np.concatenate(list(bic.values()))
spread = all_bic.max() - all_bic.min()
star_x = best_k + (covariance_types.index(best_type) - 1.5) * width
axes[0].plot(star_x, bic[best_type].min() - 0.03 * spread, "k*", ms=14)
axes[0].set_ylim(all_bic.min() - 0.08 * spread, all_bic.max())
axes[0].set_xlabel("number of components K")
axes[0].set_ylabel("BIC (lower is better)")
axes[0].set_title("BIC")
axes[0].legend()

for covariance_type in covariance_types:
    k, mean, std = cv_curve(search, "covariance_type", covariance_type, "n_components")
    axes[1].errorbar(k, mean, yerr=std, marker="o", capsize=3, label=covariance_type)
axes[1].set_xlabel("number of components K")
axes[1].set_ylabel("held-out mean log-likelihood")
axes[1].set_title("5-fold cross-validation (higher is better)")
axes[1].legend()

plot_gmm(search.best_estimator_, X, ax=axes[2])
axes[2].set_title(
    f"Selected: K = {search.best_params_['n_components']}, "
    f"{search.best_params_['covariance_type']!r}"
)
axes[2].set_xlabel("$x_1$")
axes[2].set_ylabel("$x_2$")
fig.tight_layout()

# %%
# In a pipeline: the wine measurements
# ------------------------------------
# The 13 wine features have very different scales (proline is in the
# hundreds, hue below 2), so the mixture goes after a scaler; the search
# tunes the mixture inside the pipeline. The rows of the wine data are sorted
# by cultivar, so the folds must be shuffled. With 13 features a full
# covariance has 91 parameters per component, estimated here from about 140
# training rows: full mixtures overfit as K grows, diagonal ones do not.
X_wine = load_wine().data
pipeline = make_pipeline(StandardScaler(), EMGaussianMixture(random_state=0))
wine_search = GridSearchCV(
    pipeline,
    {
        "emgaussianmixture__n_components": range(1, 7),
        "emgaussianmixture__covariance_type": ["full", "diag"],
    },
    cv=KFold(5, shuffle=True, random_state=0),
).fit(X_wine)
best = wine_search.best_params_
print(
    "wine: K =",
    int(best["emgaussianmixture__n_components"]),
    repr(best["emgaussianmixture__covariance_type"]),
)
fig, ax = plt.subplots(figsize=(7, 4))
for covariance_type in ("full", "diag"):
    k, mean, std = cv_curve(
        wine_search,
        "emgaussianmixture__covariance_type",
        covariance_type,
        "emgaussianmixture__n_components",
    )
    ax.errorbar(k, mean, yerr=std, marker="o", capsize=3, label=covariance_type)
ax.set_xlabel("number of components K")
ax.set_ylabel("held-out mean log-likelihood")
ax.set_title("Wine (13 features, standardised): cross-validated likelihood")
ax.legend()
fig.tight_layout()
plt.show()
