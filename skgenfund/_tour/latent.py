"""Tour, topic 4: latent spaces and the mixture as a latent variable model."""

import numpy as np
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA

from .. import EMGaussianMixture, interpolate

TITLE = "Latent variable models and latent spaces"


def run(report):
    import matplotlib.pyplot as plt

    from ..plotting import plot_gmm

    X, y = load_digits(return_X_y=True)
    report.line("8x8 handwritten digits (1797 images) encoded by PCA.")
    pca = PCA(n_components=20, random_state=0).fit(X)
    report.value(
        "pixel variance kept by 20 latent dimensions",
        float(pca.explained_variance_ratio_.sum()),
    )
    zero, one = X[y == 0][3], X[y == 1][5]
    linear = interpolate(pca, zero, one, n_steps=9)
    slerp = interpolate(pca, zero, one, n_steps=9, method="slerp")
    norms_linear = np.linalg.norm(pca.transform(linear), axis=1)
    norms_slerp = np.linalg.norm(pca.transform(slerp), axis=1)
    report.value("latent norm at the middle of the straight path", norms_linear[4])
    report.value("latent norm at the middle of the slerp path", norms_slerp[4])

    Z = PCA(n_components=2, random_state=0).fit_transform(X)
    plane = EMGaussianMixture(n_components=10, random_state=0).fit(Z)
    certainty = plane.predict_proba(Z).max(axis=1)
    report.value(
        "share of digits whose mixture component is uncertain in 2-D "
        "(max_k P(z=k|x) < 0.9)",
        float(np.mean(certainty < 0.9)),
    )
    gmm = EMGaussianMixture(n_components=10, random_state=0).fit(pca.transform(X))
    new_codes, _ = gmm.sample(10, random_state=0)
    new_digits = np.clip(pca.inverse_transform(new_codes), 0, 16)

    fig = plt.figure(figsize=(14, 7.6), constrained_layout=True)
    top, bottom = fig.subfigures(2, 1, height_ratios=[4, 2.3])
    ax, right = top.subplots(1, 2)
    ax.scatter(Z[:, 0], Z[:, 1], c=y, cmap="tab10", s=6)
    for digit in range(10):
        ax.text(
            *np.median(Z[y == digit], axis=0),
            str(digit),
            fontsize=13,
            weight="bold",
            bbox=dict(facecolor="white", alpha=0.7, lw=0),
        )
    ax.set_title("Digits in a 2-D PCA latent space (labels: digit medians)")
    ax.set_xlabel("latent coordinate 1 (PC 1)")
    ax.set_ylabel("latent coordinate 2 (PC 2)")
    ax = right
    plot_gmm(plane, ax=ax, annotate_weights=False)
    sc = ax.scatter(Z[:, 0], Z[:, 1], c=certainty, s=6, zorder=0)
    top.colorbar(sc, ax=ax, label="max_k P(z=k|x)")
    ax.set_title("10-component mixture = a discrete latent z: certainty of z")
    ax.set_xlabel("latent coordinate 1 (PC 1)")
    ax.set_ylabel("latent coordinate 2 (PC 2)")
    bottom.suptitle(
        "Decoded from 9 points on the path from a 0 to a 1 in the 20-D latent "
        "space (right: new digits drawn from a mixture fitted in it)",
        fontsize=11,
    )
    cells = bottom.subplots(2, 10)
    for row, (name, path) in enumerate([("linear", linear), ("slerp", slerp)]):
        for step in range(9):
            ax = cells[row, step]
            ax.imshow(path[step].reshape(8, 8), cmap="gray_r", vmin=0, vmax=16)
            ax.set_xticks([])
            ax.set_yticks([])
            if step == 0:
                ax.set_ylabel(name)
        ax = cells[row, 9]
        ax.imshow(new_digits[row].reshape(8, 8), cmap="gray_r", vmin=0, vmax=16)
        ax.axis("off")
    report.figure(
        fig,
        "04_latent_space.png",
        "PCA latent space of the digits, the mixture's posterior over its "
        "discrete latent, and decoded 0-to-1 interpolations.",
    )
