"""Tour, topic 6: a mixture of Gaussians learned by EM, and how many components."""

import time
import warnings

import numpy as np
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import adjusted_rand_score
from sklearn.mixture import GaussianMixture

from .. import EMGaussianMixture

TITLE = "Mixtures of Gaussians learned by expectation-maximisation"

COVARIANCE_TYPES = ("full", "tied", "diag", "spherical")


def _parity(X):
    """Largest relative difference to scikit-learn from the same start."""
    params = dict(n_components=3, tol=0.0, max_iter=50, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reference = GaussianMixture(**params).fit(X)
        ours = EMGaussianMixture(**params).fit(X)
    worst = 0.0
    for name in ("weights_", "means_", "covariances_"):
        a, b = getattr(ours, name), getattr(reference, name)
        worst = max(worst, float(np.max(np.abs(a - b)) / np.max(np.abs(b))))
    lower = abs(ours.lower_bound_ - reference.lower_bound_) / abs(
        reference.lower_bound_
    )
    return worst, lower, reference.n_iter_ == ours.n_iter_


def run(report):
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    from ..plotting import plot_gmm

    iris = load_iris()
    X2 = iris.data[:, 2:]  # petal length and width (cm)
    report.line(
        "Petal length and width of the 150 irises, modelled as a mixture of three "
        "Gaussians fitted by EM (k-means start, full covariances)."
    )
    start = time.perf_counter()
    gmm = EMGaussianMixture(3, tol=1e-6, random_state=0).fit(X2)
    report.value("fit time (s)", time.perf_counter() - start, fmt=".3f")
    report.value("EM iterations", gmm.n_iter_, fmt="d")
    report.value("mean log-likelihood (lower bound)", gmm.lower_bound_)
    increments = np.diff(gmm.lower_bounds_)
    report.value(
        "smallest change of the lower bound between iterations (EM never decreases it)",
        float(increments.min()),
        fmt=".2e",
    )
    report.value(
        "agreement of the components with the species (adjusted Rand index)",
        adjusted_rand_score(iris.target, gmm.predict(X2)),
    )
    worst, lower, same_iterations = _parity(iris.data)
    report.value(
        "largest relative difference to scikit-learn's GaussianMixture, same "
        "random_state, 50 iterations, all four features",
        worst,
        fmt=".1e",
    )
    report.value("relative difference of the lower bound", lower, fmt=".1e")
    report.line(f"Same number of EM iterations as scikit-learn: {same_iterations}.")

    X_new, y_new = gmm.sample(300, random_state=1)
    report.value(
        "mean log-likelihood of 300 samples drawn from the fit",
        gmm.score(X_new),
    )

    from_random = EMGaussianMixture(
        3, tol=1e-6, init_params="random", random_state=0
    ).fit(X2)
    report.value(
        "EM iterations from random responsibilities instead of k-means",
        from_random.n_iter_,
        fmt="d",
    )
    report.value("mean log-likelihood reached from there", from_random.lower_bound_)
    if from_random.lower_bound_ > gmm.lower_bound_:
        report.line(
            "EM only finds a local maximum: here the random start ends higher than "
            "the k-means start, which is why n_init > 1 restarts and keeps the best."
        )
    online = EMGaussianMixture(3, random_state=0)
    rng = np.random.RandomState(0)
    for _ in range(10):  # ten passes over ten shuffled mini-batches of 15
        for batch in np.array_split(rng.permutation(X2), 10):
            online.partial_fit(batch)
    report.value(
        "online EM (partial_fit, 100 mini-batches of 15 irises): mean "
        f"log-likelihood, against {gmm.score(X2):.4f} for batch EM",
        online.score(X2),
    )
    fig, axes = plt.subplots(1, 3, figsize=(16, 4.6), constrained_layout=True)
    plot_gmm(gmm, X2, ax=axes[0], annotate_weights=False)
    axes[0].set_title("Iris petals and the three learned components")
    plot_gmm(gmm, ax=axes[1], annotate_weights=False)
    axes[1].scatter(
        X_new[:, 0], X_new[:, 1], s=8, c=[f"C{k}" for k in y_new], alpha=0.6
    )
    axes[1].set_title("300 new irises drawn from the mixture")
    components = [
        Patch(facecolor=f"C{k}", alpha=0.4, edgecolor=f"C{k}",
              label=f"component {k + 1}, weight {weight:.2f}")  # fmt: skip
        for k, weight in enumerate(gmm.weights_)
    ]
    for ax in axes[:2]:
        ax.set_xlim(0.5, 7.5)
        ax.set_ylim(-0.3, 3.3)
        ax.set_xlabel("petal length (cm)")
        ax.set_ylabel("petal width (cm)")
        ax.legend(handles=components, loc="upper left", frameon=False)
    for model, label in ((gmm, "k-means start"), (from_random, "random start")):
        iterations = np.arange(1, model.n_iter_ + 1)
        axes[2].plot(iterations, model.lower_bounds_, "o-", ms=3, label=label)
    axes[2].legend(loc="lower right")
    axes[2].set_xlabel("EM iteration")
    axes[2].set_ylabel("mean log-likelihood")
    axes[2].set_title("EM climbs the likelihood")
    report.figure(
        fig,
        "06_gmm_em.png",
        "A Gaussian mixture learned by EM: the components as 1 and 2 standard "
        "deviation ellipses, samples drawn from the fit, the log-likelihood per "
        "EM iteration.",
    )

    report.line(
        "How many components, and which covariance structure? BIC on all four "
        "iris features (lower is better)."
    )
    ks = np.arange(1, 8)
    bic = {
        covariance_type: [
            EMGaussianMixture(k, covariance_type=covariance_type, random_state=0)
            .fit(iris.data)
            .bic(iris.data)
            for k in ks
        ]
        for covariance_type in COVARIANCE_TYPES
    }
    best_type = min(bic, key=lambda c: min(bic[c]))
    best_k = int(ks[np.argmin(bic[best_type])])
    report.line(f"Lowest BIC: {best_k} components with {best_type!r} covariances.")
    if best_k != 3:
        report.line(
            "BIC does not recover the three species: versicolor and virginica "
            "overlap so much in these four measurements that one elongated "
            "Gaussian describes both nearly as well, and BIC charges for the "
            "extra component's parameters."
        )
    fig, ax = plt.subplots(figsize=(6.5, 4.2), constrained_layout=True)
    for covariance_type in COVARIANCE_TYPES:
        ax.plot(ks, bic[covariance_type], "o-", label=covariance_type)
    ax.plot(best_k, min(bic[best_type]), "k*", ms=16, label="lowest BIC")
    ax.set_xlabel("number of components K")
    ax.set_ylabel("BIC")
    ax.set_title("Model selection on the iris measurements")
    ax.legend()
    report.figure(
        fig,
        "06_gmm_bic.png",
        "BIC of Gaussian mixtures on the four iris features, per number of "
        "components and covariance type.",
    )
