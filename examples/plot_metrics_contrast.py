"""
==============================================================
FID alone versus precision, recall, density and coverage
==============================================================

FID folds two different failures of a generator into one number. A generator
that *drops a mode* makes only realistic samples but never makes part of the
data; a generator that *blurs* covers all of the data but spreads its samples
off it. Here three generators of the same two-dimensional data are compared:
a faithful one (a Gaussian mixture fitted by EM), a mode-dropping one (the
same mixture with one of its four components never drawn) and a blurred one
(the faithful samples plus noise, just enough for the FID of the
mode-dropper). FID cannot tell the last two apart; precision and density
(fidelity) and recall and coverage (diversity) can, and say which failure is
which.
"""

# %%
# Data and three generators
# -------------------------
import matplotlib.pyplot as plt
import numpy as np
from scipy.optimize import brentq

from skgenfund import (
    EMGaussianMixture,
    classifier_two_sample_test,
    density_coverage,
    frechet_distance,
    precision_recall,
)

rng = np.random.RandomState(0)
centers = np.array([[-5.0, -3.0], [4.0, -4.0], [0.0, 5.0], [7.0, 4.0]])
X = np.vstack([c + rng.normal(scale=0.8, size=(500, 2)) for c in centers])
X = X[rng.permutation(len(X))]
X_train, X_test = X[:1000], X[1000:]  # fit on one half, score on the other

model = EMGaussianMixture(4, random_state=0).fit(X_train)
faithful, _ = model.sample(1000, random_state=1)
# the same mixture, but the component of the cluster at (7, 4) is never drawn
dropped = model.predict([[7.0, 4.0]])[0]
drawn, labels = model.sample(3000, random_state=2)  # grouped by component
kept = np.flatnonzero(labels != dropped)
mode_dropping = drawn[np.random.RandomState(2).choice(kept, 1000, replace=False)]
# blurred: faithful samples plus noise of the scale that matches the FIDs
noise = np.random.RandomState(3).normal(size=faithful.shape)
target = frechet_distance(X_test, mode_dropping)
scale = brentq(lambda s: frechet_distance(X_test, faithful + s * noise) - target, 0, 10)
blurred = faithful + scale * noise
generators = {"faithful": faithful, "mode-dropping": mode_dropping, "blurred": blurred}
print(f"noise scale of the blurred generator: {scale:.3f}")

# %%
# The metrics, as a table
# -----------------------
# Against the held-out half, in the data's own coordinates (the feature space
# here is the identity; every metric also takes a ``feature_extractor``). The
# classifier two-sample test adds a third view: how well 5 nearest neighbours
# tell samples from data (0.5: not at all).
scores = {}
for name, samples in generators.items():
    precision, recall = precision_recall(X_test, samples)
    density, coverage = density_coverage(X_test, samples)
    accuracy, _ = classifier_two_sample_test(
        X_test, samples, n_permutations=0, random_state=0
    )
    scores[name] = {
        "FID": frechet_distance(X_test, samples),
        "precision": precision,
        "recall": recall,
        "density": density,
        "coverage": coverage,
        "C2ST accuracy": accuracy,
    }
columns = list(scores["faithful"])
print(f"{'generator':14s}" + "".join(f"{c:>14s}" for c in columns))
for name, row in scores.items():
    print(f"{name:14s}" + "".join(f"{row[c]:14.3f}" for c in columns))

# %%
# The same, in one figure
# -----------------------
# Left: the samples of each generator over the held-out data, with their FID.
# Right: the four k-NN metrics. The mode-dropper keeps precision and density
# and loses recall and coverage (a quarter of the data is never made); the
# blurred generator keeps recall and loses precision and density (its samples
# sit between the clusters). Both have the same FID.
fig = plt.figure(figsize=(14, 4.4), layout="constrained")
grid = fig.add_gridspec(1, 4, width_ratios=[1, 1, 1, 1.25])
for i, (name, samples) in enumerate(generators.items()):
    ax = fig.add_subplot(grid[i])
    ax.scatter(*X_test.T, s=4, c="0.7", label="held-out data")
    ax.scatter(*samples.T, s=4, c="tab:red", alpha=0.5, label="samples")
    ax.set_title(f"{name}: FID {scores[name]['FID']:.3f}")
    ax.set_xlim(-9, 11)
    ax.set_ylim(-8, 9)
    ax.set_aspect("equal")
    ax.set_xlabel("x1")
    if i == 0:
        ax.set_ylabel("x2")
        ax.legend(loc="upper left", fontsize=8, markerscale=3)
ax = fig.add_subplot(grid[3])
metrics = ["precision", "recall", "density", "coverage"]
colors = ["tab:blue", "tab:cyan", "tab:red", "tab:orange"]
positions = np.arange(len(generators))
width = 0.2
for j, (metric, color) in enumerate(zip(metrics, colors)):
    ax.bar(
        positions + (j - 1.5) * width,
        [scores[name][metric] for name in generators],
        width=width,
        color=color,
        label=metric,
    )
ax.axhline(1.0, color="k", lw=0.8, ls=":")
ax.set_xticks(positions, list(generators))
ax.set_ylim(0, 1.45 * max(1.0, max(scores[n]["density"] for n in generators)))
ax.set_ylabel("value (density: about 1 when faithful)")
ax.set_title("What FID cannot say")
ax.legend(ncols=2, loc="upper center", fontsize=8)
plt.show()
