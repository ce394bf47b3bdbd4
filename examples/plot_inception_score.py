"""
==============================================================
Inception Score: sharp versus ambiguous predictions, and noise
==============================================================

The Inception Score asks a classifier about every generated sample and
rewards two things at once: each prediction :math:`p(y \\mid x)` should be
*sharp* (the classifier is sure what it sees) and the predictions together
should be *diverse* (the marginal :math:`p(y)` spreads over all classes):

.. math::

    \\mathrm{IS} = \\exp\\bigl(\\mathbb{E}_x\\,
    \\mathrm{KL}(p(y \\mid x) \\,\\Vert\\, p(y))\\bigr),
    \\qquad 1 \\le \\mathrm{IS} \\le K.

Exercise 4 of *Fundamentals of Generative Models* gives three confident
predictions, one per class, and answers 2.25 because it rounds
:math:`p(y) = 1/3` to 0.3. The exact value is
:math:`\\exp(0.9 \\ln 2.7 + 0.1 \\ln 0.15) = 2.0223`.
"""

# %%
# The closed forms
# ----------------
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skgenfund import inception_score

exercise = [[0.9, 0.05, 0.05], [0.05, 0.9, 0.05], [0.05, 0.05, 0.9]]
print(f"exercise 4: IS = {inception_score(exercise, n_splits=1)[0]:.4f}")
print(f"one-hot, 10 classes: IS = {inception_score(np.eye(10), n_splits=1)[0]:.4f}")
print(
    f"identical rows:      IS = {inception_score(np.tile(exercise[0], (3, 1)), 1)[0]}"
)

# %%
# Sharpness and diversity, one at a time
# --------------------------------------
# Blending one-hot predictions over all 10 classes with the uniform
# distribution makes them *ambiguous*: the score falls from 10 to 1. Keeping
# them one-hot but using only :math:`k` of the classes makes them *less
# diverse*: the score is exactly :math:`k`.
n_classes = 10
one_hot = np.tile(np.eye(n_classes), (10, 1))
blends = np.linspace(0, 1, 41)
sharpness_curve = [
    inception_score((1 - t) * one_hot + t / n_classes, n_splits=1)[0] for t in blends
]
ks = np.arange(1, n_classes + 1)
diversity_curve = [
    inception_score(np.tile(np.eye(n_classes)[:k], (10, 1)), n_splits=1)[0] for k in ks
]

fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), layout="constrained")
axes[0].plot(blends, sharpness_curve, lw=2)
axes[0].set_xlabel("weight t of the uniform distribution in each prediction")
axes[0].set_ylabel("Inception Score")
axes[0].set_title("Ambiguous predictions score low")
axes[1].plot(ks, diversity_curve, "o-", lw=2, label="IS")
axes[1].plot(ks, ks, "k:", label="k (closed form)")
axes[1].set_xlabel("number of classes the sharp predictions cover, k")
axes[1].set_title("Predictions of few classes score low")
axes[1].set_ylabel("Inception Score")
axes[1].legend()

# %%
# The split variance on real digits
# ---------------------------------
# A logistic regression trained on half of the 8x8 digits plays the
# Inception network; the held-out half plays "generated" images. The
# original recipe cuts the samples into 10 splits and reports the mean and
# standard deviation of the per-split scores. Smaller splits estimate the
# marginal :math:`p(y)` from fewer samples: the scores scatter more and are
# biased *downward* (a noisy marginal looks less diverse).
digits = load_digits()
X_train, X_test, y_train, y_test = train_test_split(
    digits.data, digits.target, test_size=0.5, random_state=0, stratify=digits.target
)
classifier = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
classifier.fit(X_train, y_train)
probas = classifier.predict_proba(X_test)
print(f"classifier accuracy on held-out digits: {classifier.score(X_test, y_test):.3f}")

rng = np.random.RandomState(0)
fig, ax = plt.subplots(figsize=(6.5, 4.2), layout="constrained")
split_counts = [1, 2, 5, 10, 20, 45, 90]
for n_splits in split_counts:
    scores = []
    for _ in range(20):  # reshuffle to see the spread of the reported mean
        shuffled = probas[rng.permutation(len(probas))]
        scores.append(inception_score(shuffled, n_splits=n_splits))
    scores = np.array(scores)
    size = len(probas) // n_splits
    ax.errorbar(
        size,
        scores[:, 0].mean(),
        yerr=scores[:, 1].mean(),
        fmt="o",
        capsize=4,
        color="tab:blue",
    )
    print(
        f"{n_splits:3d} splits of ~{size:3d}: IS {scores[:, 0].mean():.3f} "
        f"+- {scores[:, 1].mean():.3f} (per-split std)"
    )
ax.set_xscale("log")
ax.set_xlabel("samples per split")
ax.set_ylabel("IS: mean and per-split std")
ax.set_title("Held-out digits: smaller splits, noisier and lower")
plt.show()
