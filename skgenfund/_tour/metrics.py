"""Tour, topic 5: telling a good generator from a bad one (IS, FID, KID)."""

import numpy as np
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.kernel_approximation import RBFSampler
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from .. import (
    FIDScorer,
    GaussianMLE,
    GenerativeClassifier,
    InceptionScorer,
    frechet_distance,
    inception_score,
    kernel_distance,
)

TITLE = "Evaluating generative models: Inception Score, FID and KID"


def _generators(X_train, y_train):
    """Three generators of 8x8 digits, from class-aware to pixel-independent."""
    return {
        "class-conditional Gaussians": GenerativeClassifier(
            GaussianMLE(reg_covar=0.1)
        ).fit(X_train, y_train),
        "one Gaussian for all digits": GaussianMLE(reg_covar=0.1).fit(X_train),
        "independent pixels": GaussianMLE(covariance_type="diag", reg_covar=0.1).fit(
            X_train
        ),
    }


def _rows(drawn):
    return drawn[0] if isinstance(drawn, tuple) else drawn


def run(report):
    import matplotlib.pyplot as plt

    digits = load_digits()
    X_train, X_test, y_train, y_test = train_test_split(
        digits.data,
        digits.target,
        test_size=0.5,
        random_state=0,
        stratify=digits.target,
    )
    report.line(
        "8x8 digits (load_digits), split in half. A logistic regression trained on "
        "one half plays the Inception network (Inception Score). FID is computed in "
        "two feature spaces fitted on that half: a whitened PCA to 20 components "
        "(linear) and random Fourier features of it (non-linear). The values are "
        "'Fréchet distances in these feature spaces', not comparable with "
        "published image FID."
    )
    network = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
    network.fit(X_train, y_train)
    report.value("'Inception' classifier test accuracy", network.score(X_test, y_test))

    # the closed forms first: what the scores must give
    probas = [[0.9, 0.05, 0.05], [0.05, 0.9, 0.05], [0.05, 0.05, 0.9]]
    report.value(
        "IS of the three predictions of exercise 4 of *Fundamentals of "
        "Generative Models* (it prints 2.25: it rounds p(y) = 1/3 to 0.3)",
        inception_score(probas, n_splits=1)[0],
        truth=float(np.exp(0.9 * np.log(2.7) + 0.1 * np.log(0.15))),
    )
    report.value(
        "IS of one-hot predictions spread over 10 classes",
        inception_score(np.eye(10), n_splits=1)[0],
        truth=10.0,
    )
    report.value(
        "FID between N(0, I) and N(1, 4I) in 20 dimensions",
        frechet_distance((np.zeros(20), np.eye(20)), (np.ones(20), 4 * np.eye(20))),
        truth=40.0,
    )

    generators = _generators(X_train, y_train)
    rng = np.random.RandomState(0)
    samples = {"real digits (other half)": X_train}
    for name, model in generators.items():
        samples[name] = _rows(model.sample(len(X_test), random_state=rng))

    pca = PCA(20, whiten=True, random_state=0).fit(X_train)
    fourier = make_pipeline(
        PCA(20, whiten=True, random_state=0),
        RBFSampler(gamma=0.02, n_components=300, random_state=0),
    ).fit(X_train)
    # the reference is the held-out half: the generators never saw it
    fid_linear = FIDScorer(pca).fit(X_test)
    fid_fourier = FIDScorer(fourier).fit(X_test)
    report.line(
        "Scores of each set against the held-out half (FID: lower is better; "
        "IS: higher is better):"
    )
    table = {}
    for name, X in samples.items():
        is_mean, is_std = inception_score(network.predict_proba(X), n_splits=10)
        kid, kid_std = kernel_distance(
            pca.transform(X_test),
            pca.transform(X),
            n_subsets=20,
            subset_size=500,
            random_state=0,
        )
        table[name] = (is_mean, fid_linear.distance(X), fid_fourier.distance(X), kid)
        report.line(
            f"{name}: IS {is_mean:.2f} +- {is_std:.2f}; FID in PCA features "
            f"{table[name][1]:.3f}; FID in Fourier features "
            f"{1000 * table[name][2]:.2f} (x 1e-3); KID {kid:.4f} +- {kid_std:.4f}"
        )
    report.line(
        "In the linear PCA space one Gaussian fitted to all digits has exactly the "
        "data's mean and covariance, so FID cannot tell it from the class-aware "
        "generator; the non-linear features (and the classifier's IS) can."
    )
    report.value(
        "InceptionScorer on the class-conditional generator (a GridSearchCV scorer)",
        InceptionScorer(network, random_state=0)(
            generators["class-conditional Gaussians"], X_test
        ),
    )

    # FID's bias: two samples of the same model, growing n
    model = generators["class-conditional Gaussians"]
    sizes = np.array([50, 100, 200, 400, 800, 1600])
    reference = pca.transform(_rows(model.sample(sizes[-1], random_state=1)))
    drawn = pca.transform(_rows(model.sample(sizes[-1], random_state=2)))
    fid_by_n = [frechet_distance(reference[:n], drawn[:n]) for n in sizes]
    kid_by_n = [
        kernel_distance(
            reference[:n], drawn[:n], n_subsets=10, subset_size=int(n), random_state=0
        )[0]
        for n in sizes
    ]
    for n, value in zip(sizes[[0, -1]], np.array(fid_by_n)[[0, -1]]):
        report.value(
            f"FID between two samples of the same model, n = {n}", value, truth=0.0
        )
    report.value(
        "KID between two samples of the same model, n = 50", kid_by_n[0], truth=0.0
    )

    fig = plt.figure(figsize=(15, 4.6))
    grid = fig.add_gridspec(1, 3, width_ratios=[1.3, 1.2, 1.2], wspace=0.35)
    images = grid[0].subgridspec(len(samples), 8, hspace=0.05, wspace=0.05)
    for row, (name, X) in enumerate(samples.items()):
        for col in range(8):
            ax = fig.add_subplot(images[row, col])
            ax.imshow(
                np.clip(X[col], 0, 16).reshape(8, 8), cmap="gray_r", vmin=0, vmax=16
            )
            ax.set_xticks([])
            ax.set_yticks([])
            if col == 0:
                ax.set_ylabel(
                    name.split(" (")[0], rotation=0, ha="right", va="center", fontsize=8
                )
    ax = fig.add_subplot(grid[1])
    names = list(table)
    positions = np.arange(len(names))
    ax.barh(positions, [1000 * table[k][2] for k in names], color="tab:blue")
    for position, name in zip(positions, names):
        ax.text(
            1000 * table[name][2],
            position,
            f"  IS {table[name][0]:.2f}",
            va="center",
            fontsize=8,
        )
    ax.set_yticks(
        positions, ["real", "class-cond.", "one Gaussian", "indep. pixels"], fontsize=8
    )
    ax.invert_yaxis()
    ax.set_xlabel("FID to held-out digits, Fourier features (x 1e-3)")
    ax.set_title("FID (bars) and Inception Score (labels)")
    ax = fig.add_subplot(grid[2])
    ax.loglog(sizes, fid_by_n, "o-", label="FID")
    ax.loglog(sizes, fid_by_n[-1] * sizes[-1] / sizes, "k:", label="slope 1/n")
    ax.plot(sizes, np.abs(kid_by_n), "s--", label="|KID| (noise around 0)")
    ax.set_xlabel("samples per set, n")
    ax.set_ylabel("distance between two samples of one model")
    ax.set_title("FID's bias shrinks like 1/n; KID has none")
    ax.legend()
    report.figure(
        fig,
        "05_metrics.png",
        "Samples of three digit generators next to real digits; their FID and "
        "Inception Score; and FID's sample-size bias between two samples of the "
        "same model, against KID.",
    )
