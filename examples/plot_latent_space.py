"""
=======================================
Latent spaces: walking between digits
=======================================

A latent variable model explains each observation :math:`x` by a hidden code
:math:`z`. In a linear-Gaussian model such as probabilistic PCA,
:math:`x = W z + \\mu + \\varepsilon`, the latent space is a low-dimensional
coordinate system in which similar images sit close together, and any point
of it can be *decoded* back into an image.

This example places the 8x8 handwritten digits in the latent space of PCA,
decodes paths between a 0 and a 1 (straight and spherical), and treats a
Gaussian mixture as a latent variable model with a *discrete* latent: its
responsibilities are the posterior over which component generated a point,
and sampling the mixture in latent space and decoding generates new digits.
"""

# %%
# The digits in a 2-D latent space
# --------------------------------
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA

from skgenfund import EMGaussianMixture, interpolate
from skgenfund.plotting import plot_gmm

X, y = load_digits(return_X_y=True)
pca2 = PCA(n_components=2, random_state=0).fit(X)
Z = pca2.transform(X)

fig, ax = plt.subplots(figsize=(7, 6))
points = ax.scatter(Z[:, 0], Z[:, 1], c=y, cmap="tab10", s=8, alpha=0.8)
for digit in range(10):
    centre = np.median(Z[y == digit], axis=0)
    ax.text(
        *centre,
        str(digit),
        fontsize=16,
        weight="bold",
        bbox=dict(facecolor="white", alpha=0.7, edgecolor="none"),
    )
ax.set_xlabel("latent $z_1$ (PC 1)")
ax.set_ylabel("latent $z_2$ (PC 2)")
ax.set_title("1797 digits in a 2-D PCA latent space")
fig.colorbar(points, ax=ax, label="digit")

# %%
# Decoding paths from a 0 to a 1
# ------------------------------
# With 2 latent dimensions the decoded images are blurry, so the walk uses a
# 20-dimensional latent space (which keeps about 90% of the pixel variance).
# A straight line from one code to another passes close to the centre of the
# latent space, the "average digit"; spherical interpolation (slerp) follows
# the great circle instead and keeps the norm of the codes, which matters in
# the high-dimensional Gaussian latent spaces of VAEs and GANs.
pca = PCA(n_components=20, random_state=0).fit(X)
print(f"variance kept by 20 components: {pca.explained_variance_ratio_.sum():.3f}")
zero, one = X[y == 0][3], X[y == 1][5]
n_steps = 9
paths = {
    "linear": interpolate(pca, zero, one, n_steps=n_steps),
    "slerp": interpolate(pca, zero, one, n_steps=n_steps, method="slerp"),
}
fig, axes = plt.subplots(2, n_steps, figsize=(12, 3.2))
for row, (name, path) in enumerate(paths.items()):
    norms = np.linalg.norm(pca.transform(path), axis=1)
    for step, (ax, image) in enumerate(zip(axes[row], path)):
        ax.imshow(image.reshape(8, 8), cmap="gray_r", vmin=0, vmax=16)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_xlabel(f"|z|={norms[step]:.0f}", fontsize=8)
    axes[row, 0].set_ylabel(name, fontsize=11)
fig.suptitle("Decoded interpolation from a 0 to a 1 (|z|: norm of the latent code)")
fig.tight_layout()

# %%
# A mixture as a latent variable model
# ------------------------------------
# A Gaussian mixture has a discrete latent :math:`z \in \{1, \dots, K\}`:
# first a component is drawn with probability :math:`\pi_k`, then
# :math:`x \sim \mathcal N(\mu_k, \Sigma_k)`. Its responsibilities
# :math:`\gamma_{ik} = P(z = k \mid x_i)` are the posterior over that latent,
# which EM computes in its E-step. Fitting the mixture in the 20-D PCA space
# and decoding its samples generates digits that were never written.
plane = EMGaussianMixture(n_components=10, random_state=0).fit(Z)
responsibilities = plane.predict_proba(Z)
certainty = responsibilities.max(axis=1)
uncertain = np.mean(certainty < 0.9)
print(f"points whose latent component is uncertain (max < 0.9): {uncertain:.1%}")

fig, axes = plt.subplots(1, 2, figsize=(12, 5))
plot_gmm(plane, ax=axes[0], annotate_weights=False)
shown = axes[0].scatter(Z[:, 0], Z[:, 1], c=certainty, cmap="viridis", s=8, zorder=0)
fig.colorbar(shown, ax=axes[0], label=r"$\max_k P(z=k \mid x)$")
axes[0].set_title(
    "A 10-component mixture in the 2-D latent space:\ncertainty of the posterior over z"
)
axes[0].set_xlabel("PC 1")
axes[0].set_ylabel("PC 2")
order = np.argsort(plane.weights_)[::-1]
axes[1].bar(np.arange(10), plane.weights_[order], color="tab:blue")
axes[1].set_xlabel("component (sorted by weight)")
axes[1].set_ylabel(r"$\pi_k = P(z = k)$")
axes[1].set_title("Mixture weights: the prior over the latent")
fig.tight_layout()

# %%
# Generating digits: sample the latent, then decode
# -------------------------------------------------
# In the 20-D PCA space a mixture separates the digits well; sampling it
# (component first, then a code) and decoding the code with PCA generates
# digits that were never written.
gmm = EMGaussianMixture(n_components=10, random_state=0).fit(pca.transform(X))
new_codes, components = gmm.sample(30, random_state=0)
new_digits = np.clip(pca.inverse_transform(new_codes), 0, 16)
fig, axes = plt.subplots(3, 10, figsize=(10, 3.3))
for ax, image, k in zip(axes.ravel(), new_digits, components):
    ax.imshow(image.reshape(8, 8), cmap="gray_r", vmin=0, vmax=16)
    ax.set_title(f"z={k}", fontsize=7)
    ax.axis("off")
fig.suptitle("New digits: sample (z, code) from the mixture, decode with PCA")
plt.show()
