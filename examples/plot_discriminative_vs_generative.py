"""
=============================================
Discriminative vs generative classification
=============================================

A *discriminative* classifier such as logistic regression learns the posterior
:math:`P(y \\mid x)` directly. A *generative* classifier learns how each class
generates its data, :math:`p(x \\mid y)`, together with the class priors
:math:`P(y)`, and obtains the posterior by Bayes' theorem:

.. math::

    P(y = k \\mid x) = \\frac{p(x \\mid y = k)\\, P(y = k)}
                          {\\sum_j p(x \\mid y = j)\\, P(y = j)}.

On two Gaussian blobs both draw nearly the same boundary, but only the
generative model knows what the data look like: it can score how typical a
point is and generate new labelled points.
"""

# %%
# Two blobs of different shapes
# -----------------------------
import matplotlib.pyplot as plt
import numpy as np
from sklearn.linear_model import LogisticRegression

from skgenfund import GaussianMLE, GenerativeClassifier
from skgenfund.plotting import plot_decision_regions

# sphinx_gallery_thumbnail_number = 1
rng = np.random.RandomState(0)
X0 = rng.multivariate_normal([-1.5, 0.0], [[1.0, 0.6], [0.6, 1.0]], 150)
X1 = rng.multivariate_normal([1.5, 0.5], [[0.5, -0.2], [-0.2, 1.5]], 150)
X = np.vstack([X0, X1])
y = np.repeat([0, 1], 150)

logistic = LogisticRegression().fit(X, y)
generative = GenerativeClassifier(GaussianMLE(covariance_type="full")).fit(X, y)
print(f"logistic regression accuracy: {logistic.score(X, y):.3f}")
print(f"generative classifier accuracy: {generative.score(X, y):.3f}")

# %%
# Decision boundaries and posterior probabilities
# -----------------------------------------------
# Logistic regression's boundary is a line; the generative model with one full
# Gaussian per class (quadratic discriminant analysis) draws a conic, because
# the two classes have different covariances. The contours show where the
# largest posterior probability reaches 0.6, 0.8 and 0.95.
fig, axes = plt.subplots(1, 2, figsize=(11, 4.5), sharey=True, layout="constrained")
plot_decision_regions(logistic, X, y, ax=axes[0])
axes[0].get_legend().remove()  # one legend, right of the second panel
axes[0].set_title("Logistic regression: models P(y|x)")
plot_decision_regions(generative, X, y, ax=axes[1])
axes[1].set_title("Generative classifier: p(x|y) P(y), then Bayes")
for ax in axes:
    ax.set_xlabel("$x_1$")
axes[0].set_ylabel("$x_2$")

# %%
# What only the generative model can do
# -------------------------------------
# Far from both classes each model is certain, and here they even disagree:
# a posterior compares the classes with each other, never with "neither". Only
# the generative model can tell that the point is unlike anything it has seen:
# its class-conditional log-densities there are around -50 and -80, far below
# those of real data (about -3). It can also generate new labelled data.
far = np.array([[8.0, 8.0]])
p_logistic = logistic.predict_proba(far)[0, 1]
p_generative = generative.predict_proba(far)[0, 1]
print(f"P(y=1 | far point): logistic {p_logistic:.3f}, generative {p_generative:.3f}")
print(
    "log p(far point | y) per class:",
    np.round([est.score_samples(far)[0] for est in generative.estimators_], 1),
)

X_new, y_new = generative.sample(300, random_state=1)
fig, ax = plt.subplots(figsize=(7.5, 4.5), layout="constrained")
for k, marker in zip((0, 1), ("o", "^")):
    ax.scatter(*X[y == k].T, s=12, color=f"C{k}", alpha=0.4, label=f"real class {k}")
    ax.scatter(
        *X_new[y_new == k].T,
        s=14,
        color=f"C{k}",
        marker=marker,
        edgecolors="k",
        linewidths=0.3,
        label=f"generated class {k}",
    )
ax.set_title("Sampling from the generative classifier")
ax.set_xlabel("$x_1$")
ax.set_ylabel("$x_2$")
ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
plt.show()
