"""
==========================================================
Fréchet distance: good versus bad generation, and its bias
==========================================================

FID fits a Gaussian to the features of real samples and one to the features
of generated samples, and measures the Fréchet (2-Wasserstein) distance
between them:

.. math::

    \\mathrm{FID} = \\lVert \\mu_r - \\mu_g \\rVert^2
    + \\operatorname{Tr}\\bigl(\\Sigma_r + \\Sigma_g
    - 2 (\\Sigma_r^{1/2} \\Sigma_g \\Sigma_r^{1/2})^{1/2}\\bigr).

Here the "images" are scikit-learn's 8x8 digits and the features a PCA of
them, so the numbers are Fréchet distances *in this feature space*, not the
published image FID of Inception features. Two generators are compared: a
good one (one Gaussian per digit class, sampled through Bayes' rule) and a
bad one (every pixel independent).
"""

# %%
# Good and bad generation
# -----------------------
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Ellipse
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.model_selection import train_test_split

from skgenfund import FIDScorer, GaussianMLE, GenerativeClassifier, frechet_distance

digits = load_digits()
X_train, X_test, y_train, y_test = train_test_split(
    digits.data, digits.target, test_size=0.5, random_state=0, stratify=digits.target
)
good = GenerativeClassifier(GaussianMLE(reg_covar=0.1)).fit(X_train, y_train)
bad = GaussianMLE(covariance_type="diag", reg_covar=0.1).fit(X_train)
n = len(X_test)
good_samples, _ = good.sample(n, random_state=0)
bad_samples = bad.sample(n, random_state=0)

# FID in a 20-component PCA fitted on the training half, against the
# held-out half (which neither generator has seen)
pca = PCA(20, random_state=0).fit(X_train)
scorer = FIDScorer(pca).fit(X_test)
sets = {"real (training half)": X_train, "good": good_samples, "bad": bad_samples}
for name, X in sets.items():
    print(f"FID of {name:21s} to held-out digits: {scorer.distance(X):8.2f}")

fig = plt.figure(figsize=(14, 5))
grid = fig.add_gridspec(1, 2, width_ratios=[1, 1.3])
images = grid[0].subgridspec(3, 6, hspace=0.08, wspace=0.05)
for row, (name, X) in enumerate(sets.items()):
    for col in range(6):
        ax = fig.add_subplot(images[row, col])
        ax.imshow(np.clip(X[col], 0, 16).reshape(8, 8), cmap="gray_r", vmin=0, vmax=16)
        ax.set_xticks([])
        ax.set_yticks([])
        if col == 0:
            ax.set_ylabel(f"{name}\nFID {scorer.distance(X):.0f}", fontsize=9)

# What FID sees: two Gaussians in feature space. Projected on the first two
# principal components, each set is summarised by a mean and a covariance
# ellipse (two standard deviations). FID compares only these two moments, in
# all 20 components.
ax = fig.add_subplot(grid[1])
colors = {"real (training half)": "k", "good": "tab:green", "bad": "tab:red"}
reference = pca.transform(X_test)[:, :2]
ax.scatter(*reference.T, s=4, c="0.7", label="held-out digits")
for name, X in sets.items():
    projected = pca.transform(X)[:, :2]
    mean, cov = projected.mean(axis=0), np.cov(projected, rowvar=False)
    values, vectors = np.linalg.eigh(cov)
    angle = np.degrees(np.arctan2(vectors[1, 1], vectors[0, 1]))
    ellipse = Ellipse(
        mean,
        *(4 * np.sqrt(values[::-1])),
        angle=angle,
        fill=False,
        lw=2,
        color=colors[name],
        label=f"{name}: Gaussian fit",
    )
    ax.add_patch(ellipse)
    ax.plot(*mean, "+", color=colors[name], ms=12, mew=2)
ax.set_xlabel("principal component 1")
ax.set_ylabel("principal component 2")
ax.set_title("Gaussian fits of each set's features (2 sd)")
ax.legend(loc="upper right", fontsize=8)
fig.tight_layout()

# %%
# FID's bias: it depends on the sample size
# -----------------------------------------
# The plug-in estimate is biased upward: even two samples of the *same*
# distribution have a positive FID, which shrinks roughly like :math:`1/n`.
# Two fixed 20-dimensional Gaussians are compared at growing sample sizes:
# the same distribution (true FID 0), and :math:`N(0, I)` against
# :math:`N(0.1 \cdot \mathbf{1}, 1.2^2 I)` (true FID
# :math:`20 \cdot 0.1^2 + 20 \cdot (1 - 1.2)^2 = 1`). Only FIDs computed from
# equal sample sizes can be compared.
d = 20
true_fid = frechet_distance(
    (np.zeros(d), np.eye(d)), (np.full(d, 0.1), 1.44 * np.eye(d))
)
print(f"population FID of the shifted pair: {true_fid:.4f}")
sizes = np.array([50, 100, 200, 500, 1000, 2000, 5000])
rng = np.random.RandomState(0)
curves = {
    "same distribution": (0.0, 1.0, 0.0),
    "shifted and scaled": (0.1, 1.2, true_fid),
}
fig, axes = plt.subplots(1, 2, figsize=(13, 4.5))
for (label, (shift, scale, truth)), color in zip(
    curves.items(), ("tab:blue", "tab:orange")
):
    estimates = np.array(
        [
            [
                frechet_distance(
                    rng.normal(size=(size, d)),
                    shift + scale * rng.normal(size=(size, d)),
                )
                for _ in range(20)
            ]
            for size in sizes
        ]
    )
    mean, sd = estimates.mean(axis=1), estimates.std(axis=1)
    axes[0].errorbar(
        sizes,
        mean,
        yerr=sd,
        fmt="o-",
        capsize=3,
        color=color,
        label=f"{label} (true FID {truth:.0f})",
    )
    axes[0].axhline(truth, color=color, ls=":")
    axes[1].loglog(sizes, mean - truth, "o-", color=color, label=label)
    print(
        f"{label}: FID at n = 50: {mean[0]:.3f}, at n = 5000: {mean[-1]:.4f} "
        f"(true {truth:.0f})"
    )
axes[1].loglog(sizes, 200 / sizes, "k:", label="slope 1/n")
axes[0].set_xscale("log")
axes[0].set_xlabel("samples per set, n")
axes[0].set_ylabel("FID (mean and sd of 20 repeats)")
axes[0].set_title("FID estimates against the true values (dotted)")
axes[0].legend()
axes[1].set_xlabel("samples per set, n")
axes[1].set_ylabel("bias: mean estimate - true FID")
axes[1].set_title("The bias shrinks like 1/n")
axes[1].legend()
fig.tight_layout()
plt.show()
