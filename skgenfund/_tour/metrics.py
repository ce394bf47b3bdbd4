"""Tour, topic 5: telling a good generator from a bad one (IS, FID, KID and beyond)."""

import numpy as np
from scipy.optimize import brentq
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from .. import (
    GaussianMLE,
    GenerativeClassifier,
    density_coverage,
    frechet_distance,
    inception_score,
    kernel_distance,
    precision_recall,
)

TITLE = "Evaluating generative models: Inception Score, FID, KID and beyond"

_SHORT = {
    "real digits (other half)": "real",
    "faithful": "faithful",
    "one Gaussian": "one Gaussian",
    "mode-dropping": "mode-dropping",
    "blurred": "blurred",
}


def _rows(drawn):
    return drawn[0] if isinstance(drawn, tuple) else drawn


def _generators(X_train, y_train, n_samples, rng):
    """Samples of four generators of 8x8 digits, and how each was made."""
    faithful = GenerativeClassifier(GaussianMLE(reg_covar=0.1)).fit(X_train, y_train)
    one_gaussian = GaussianMLE(reg_covar=0.1).fit(X_train)
    samples = {
        "faithful": _rows(faithful.sample(n_samples, random_state=rng)),
        "one Gaussian": one_gaussian.sample(n_samples, random_state=rng),
        # the same class-conditional Gaussians, but only digits 0-4 are ever drawn
        "mode-dropping": _rows(
            faithful.sample(n_samples, y=np.arange(n_samples) % 5, random_state=rng)
        ),
    }
    return samples, faithful


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
        "one half plays the Inception network (Inception Score). All other metrics "
        "are computed in the features of a whitened PCA to 20 components fitted on "
        "that half, against the held-out half: they are values in this feature "
        "space, not comparable with published image FID."
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
        truth_label="closed form",
    )
    report.value(
        "IS of one-hot predictions spread over 10 classes",
        inception_score(np.eye(10), n_splits=1)[0],
        truth=10.0,
        truth_label="closed form",
    )
    report.value(
        "FID between N(0, I) and N(1, 4I) in 20 dimensions",
        frechet_distance((np.zeros(20), np.eye(20)), (np.ones(20), 4 * np.eye(20))),
        truth=40.0,
        truth_label="closed form 20 * (1 + 1)",
    )

    rng = np.random.RandomState(0)
    pca = PCA(20, whiten=True, random_state=0).fit(X_train)
    reference = pca.transform(X_test)  # the generators never saw these rows
    samples, faithful = _generators(X_train, y_train, len(X_test), rng)

    def fid(X):
        return frechet_distance(reference, pca.transform(X))

    # blurred: the faithful samples plus pixel noise, just enough for the FID of
    # the mode-dropping generator, so that FID alone cannot tell the two apart
    noise = rng.normal(size=samples["faithful"].shape)
    target = fid(samples["mode-dropping"])
    scale = brentq(lambda s: fid(samples["faithful"] + s * noise) - target, 0.0, 64.0)
    samples["blurred"] = samples["faithful"] + scale * noise
    report.line(
        "Four generators: *faithful* (one Gaussian per digit class, Bayes' rule), "
        "*one Gaussian* for all digits (exactly the data's mean and covariance), "
        "*mode-dropping* (the faithful model, but only digits 0-4 are drawn) and "
        f"*blurred* (faithful samples plus pixel noise of standard deviation "
        f"{scale:.2f}, the amount at which its FID equals the mode-dropper's)."
    )

    table = {}
    every = {"real digits (other half)": X_train, **samples}
    for name, X in every.items():
        features = pca.transform(X)
        precision, recall = precision_recall(reference, features)
        density, coverage = density_coverage(reference, features)
        kid, kid_std = kernel_distance(
            reference, features, n_subsets=10, subset_size=300, random_state=0
        )
        table[name] = {
            "FID": fid(X),
            "KID": kid,
            "KID std": kid_std,
            "precision": precision,
            "recall": recall,
            "density": density,
            "coverage": coverage,
            "IS": inception_score(network.predict_proba(X), n_splits=10)[0],
        }
    columns = list(table["faithful"])
    header = "| generator | " + " | ".join(columns) + " |"
    lines = [header, "|" + "---|" * (len(columns) + 1)]
    for name, row in table.items():
        cells = [
            f"{row[c]:.4f}" if c.startswith("KID") else f"{row[c]:.2f}" for c in columns
        ]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    report.line(
        "Scores against the held-out half (FID, KID: lower is better; the others "
        "higher, density about 1 for a faithful generator; k = 3 for precision "
        "and recall, 5 for density and coverage):\n\n" + "\n".join(lines)
    )
    fid_pair = (table["faithful"]["FID"], table["one Gaussian"]["FID"])
    report.line(
        f"FID cannot tell *faithful* ({fid_pair[0]:.2f}) from *one Gaussian* "
        f"({fid_pair[1]:.2f}): in a linear feature space one Gaussian fitted to "
        "all digits has exactly the data's mean and covariance, all that FID "
        "compares. Its samples are blends of digits, off the data: precision "
        f"{table['one Gaussian']['precision']:.2f} and density "
        f"{table['one Gaussian']['density']:.2f} against "
        f"{table['faithful']['precision']:.2f} and "
        f"{table['faithful']['density']:.2f}. *Mode-dropping* and *blurred* have "
        f"one FID ({table['mode-dropping']['FID']:.2f}) by construction, for "
        "opposite failures: the mode-dropper's samples are real-looking "
        f"(precision {table['mode-dropping']['precision']:.2f}) but half the "
        f"digits are never made (recall {table['mode-dropping']['recall']:.2f}, "
        f"coverage {table['mode-dropping']['coverage']:.2f}); the blurred "
        f"samples cover the data (recall {table['blurred']['recall']:.2f}) but "
        f"sit off it (precision {table['blurred']['precision']:.2f})."
    )
    # FID's bias: two samples of the same model, growing n
    sizes = np.array([50, 100, 200, 400, 800, 1600])
    first = pca.transform(_rows(faithful.sample(sizes[-1], random_state=1)))
    second = pca.transform(_rows(faithful.sample(sizes[-1], random_state=2)))
    fid_by_n = [frechet_distance(first[:n], second[:n]) for n in sizes]
    kid_by_n = [
        kernel_distance(
            first[:n], second[:n], n_subsets=3, subset_size=int(n), random_state=0
        )[0]
        for n in sizes
    ]
    for n, value in zip(sizes[[0, -1]], np.array(fid_by_n)[[0, -1]]):
        report.value(
            f"FID between two samples of the faithful model, n = {n}",
            value,
            truth=0.0,
            truth_label="population value",
        )
    report.value(
        "KID between two samples of the faithful model, n = 50",
        kid_by_n[0],
        truth=0.0,
        truth_label="population value",
    )
    negative = [(n, k) for n, k in zip(sizes, kid_by_n) if k < 0]
    example = (
        f" Here KID between two samples of one model is {negative[0][1]:.4f} at "
        f"n = {negative[0][0]}."
        if negative
        else ""
    )
    report.line(
        "KID is an *unbiased* estimate of the squared MMD: its expectation is the "
        "population value, which is >= 0, so single estimates scatter around it "
        "and fall below 0 about half the time when the two distributions are "
        "equal." + example + " A negative KID says 'no difference detected at "
        "this sample size' (compare it with its standard deviation over subsets), "
        "never 'better than real'."
    )

    fig = plt.figure(figsize=(16, 4.6), layout="constrained")
    grid = fig.add_gridspec(1, 4, width_ratios=[1.6, 0.9, 1.25, 1.05])
    ax = fig.add_subplot(grid[0])
    gap = np.full((8, 1), np.nan)
    strip = [
        np.hstack(
            [np.hstack([np.clip(X[i], 0, 16).reshape(8, 8), gap]) for i in range(8)]
        )
        for X in every.values()
    ]
    rows = np.vstack(
        [np.vstack([row, np.full((1, row.shape[1]), np.nan)]) for row in strip]
    )
    ax.imshow(rows[:-1], cmap="gray_r", vmin=0, vmax=16)
    ax.set_yticks(4 + 9 * np.arange(len(every)), [_SHORT[n] for n in every])
    ax.set_xticks([])
    ax.set_title("Eight samples of each")
    names = list(samples)
    positions = np.arange(len(names))
    ax = fig.add_subplot(grid[1])
    ax.barh(positions, [table[n]["FID"] for n in names], color="0.55")
    for position, name in zip(positions, names):
        ax.text(table[name]["FID"], position, f" {table[name]['FID']:.2f}", va="center")
    ax.set_yticks(positions, [_SHORT[n] for n in names])
    ax.invert_yaxis()
    ax.set_xlim(0, 1.3 * max(table[n]["FID"] for n in names))
    ax.set_xlabel("FID to held-out digits (PCA features)")
    ax.set_title("FID: two pairs look alike")
    ax = fig.add_subplot(grid[2])
    metrics = ["precision", "recall", "density", "coverage"]
    width = 0.8 / len(metrics)
    colors = ["tab:blue", "tab:cyan", "tab:red", "tab:orange"]
    for i, (metric, color) in enumerate(zip(metrics, colors)):
        ax.barh(
            positions + (i - 1.5) * width,
            [table[n][metric] for n in names],
            height=width,
            color=color,
            label=metric,
        )
    ax.set_yticks(positions, [_SHORT[n] for n in names])
    ax.invert_yaxis()
    ax.axvline(1.0, color="k", lw=0.8, ls=":")
    ax.set_xlabel("value (density: about 1 when faithful)")
    ax.set_title("Precision, recall, density, coverage")
    top = max(max(table[n][m] for n in names for m in metrics), 1.0)
    ax.set_xlim(0, 1.45 * top)  # room on the right for the legend, off the bars
    ax.legend(loc="center right", fontsize=8)
    ax = fig.add_subplot(grid[3])
    ax.loglog(sizes, fid_by_n, "o-", label="FID")
    ax.loglog(sizes, fid_by_n[-1] * sizes[-1] / sizes, "k:", label="slope 1/n")
    ax.plot(sizes, np.abs(kid_by_n), "s--", label="|KID| (noise around 0)")
    ax.set_xlabel("samples per set, n")
    ax.set_ylabel("distance, two samples of one model")
    ax.set_title("Bias: FID ~ 1/n, KID none")
    ax.legend(loc="upper right", fontsize=8)
    report.figure(
        fig,
        "05_metrics.png",
        "Samples of four digit generators next to real digits; FID, which cannot "
        "tell faithful from one Gaussian, nor mode-dropping from blurred; "
        "precision, recall, density and coverage, which can; FID's sample-size "
        "bias between two samples of one model, against KID.",
    )
