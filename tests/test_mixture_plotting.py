"""plot_gmm: covariance ellipses of any fitted Gaussian mixture."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from sklearn.datasets import load_iris  # noqa: E402
from sklearn.mixture import BayesianGaussianMixture, GaussianMixture  # noqa: E402

from skgenfund import EMGaussianMixture, VariationalGaussianMixture  # noqa: E402
from skgenfund.plotting import plot_gmm  # noqa: E402

X = load_iris().data


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.mark.parametrize("covariance_type", ["full", "tied", "diag", "spherical"])
@pytest.mark.parametrize("model", [EMGaussianMixture, GaussianMixture])
def test_ellipses_have_the_marginal_covariance_axes(model, covariance_type):
    gmm = model(3, covariance_type=covariance_type, random_state=0).fit(X)
    fig, ax = plt.subplots()
    assert plot_gmm(gmm, X, ax=ax, features=(1, 3), n_std=(1.0, 2.5)) is ax
    ellipses = ax.patches
    assert len(ellipses) == 2 * 3
    full = {
        "full": lambda: gmm.covariances_,
        "tied": lambda: np.repeat(gmm.covariances_[None], 3, axis=0),
        "diag": lambda: np.array([np.diag(v) for v in gmm.covariances_]),
        "spherical": lambda: np.array([v * np.eye(4) for v in gmm.covariances_]),
    }[covariance_type]()
    for k in range(3):
        marginal = full[k][np.ix_([1, 3], [1, 3])]
        axes_lengths = np.sqrt(np.linalg.eigvalsh(marginal))[::-1]
        for radius, ellipse in zip((2.5, 1.0), ellipses[2 * k : 2 * k + 2]):
            np.testing.assert_allclose(ellipse.center, gmm.means_[k, [1, 3]])
            np.testing.assert_allclose(
                [ellipse.width, ellipse.height], 2 * radius * axes_lengths, rtol=1e-10
            )
    assert len(ax.collections) == 1  # the scattered data


@pytest.mark.parametrize("model", [BayesianGaussianMixture, VariationalGaussianMixture])
def test_without_data_and_with_switched_off_components(model):
    gmm = model(n_components=6, weight_concentration_prior=1e-3, random_state=0).fit(
        X[:, 2:]
    )
    ax = plot_gmm(gmm)
    drawn = int(np.sum(gmm.weights_ >= 1e-3))
    switched_off = 6 - drawn
    assert 0 < drawn and switched_off > 0
    assert len(ax.patches) == 2 * drawn + switched_off
    faint = [patch for patch in ax.patches if not patch.get_fill()]
    assert len(faint) == switched_off
    assert all(patch.get_linestyle() == "--" for patch in faint)
    assert all(patch.get_edgecolor()[3] < 0.5 for patch in faint)
    assert len(ax.lines) == drawn  # means marked for live components only
    assert len(ax.collections) == 0
    hidden = plot_gmm(gmm, show_switched_off=False, ax=plt.subplots()[1])
    assert len(hidden.patches) == 2 * drawn
    low, high = ax.get_xlim()
    assert low < gmm.means_[:, 0].min() and high > gmm.means_[:, 0].max()


def test_bad_arguments():
    gmm = EMGaussianMixture(2, random_state=0).fit(X)
    with pytest.raises(ValueError, match="features"):
        plot_gmm(gmm, features=(0, 4))
    with pytest.raises(ValueError, match="X must have shape"):
        plot_gmm(gmm, X[:, :2])
