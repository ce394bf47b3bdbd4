"""plot_trace, plot_autocorrelation, plot_samples_vs_target: what is drawn."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from scipy import stats  # noqa: E402

from skgenfund import (  # noqa: E402
    MetropolisHastingsSampler,
    autocorrelation,
    effective_sample_size,
    rhat,
)
from skgenfund.plotting import (  # noqa: E402
    plot_autocorrelation,
    plot_samples_vs_target,
    plot_trace,
)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def sampler():
    target = stats.multivariate_normal([0.0, 3.0], [[1.0, 0.5], [0.5, 2.0]])
    mh = MetropolisHastingsSampler(target, n_chains=3, random_state=0).fit()
    mh.sample(30000)
    return mh


def test_trace_draws_one_line_per_chain(sampler):
    fig, ax = plt.subplots()
    assert plot_trace(sampler, ax=ax, dimension=1) is ax
    assert len(ax.lines) == 3
    for line, chain in zip(ax.lines, sampler.chains_[:, :, 1]):
        np.testing.assert_array_equal(line.get_ydata(), chain)
    title = ax.get_title()
    assert f"R-hat {rhat(sampler.chains_[:, :, 1]):.3f}" in title
    assert f"ESS {effective_sample_size(sampler.chains_[:, :, 1]):.0f}" in title
    # an array of chains works too
    ax = plot_trace(sampler.chains_[:, :, 0])
    assert len(ax.lines) == 3


def test_autocorrelation_plot(sampler):
    ax = plot_autocorrelation(sampler, max_lag=30)
    np.testing.assert_allclose(
        ax.lines[0].get_ydata(), autocorrelation(sampler.chains_[:, :, 0], 30)
    )
    assert ax.lines[0].get_ydata()[0] == 1.0
    assert ax.get_xlabel() == "lag"


def test_samples_vs_target_1d_normalises_the_target():
    samples = stats.norm(2, 0.5).rvs(size=(4000, 1), random_state=0)
    ax = plot_samples_vs_target(samples, lambda X: -2.0 * (X[:, 0] - 2) ** 2 + 7.0)
    x, y = ax.lines[0].get_xdata(), ax.lines[0].get_ydata()
    # the unnormalised target is drawn as the N(2, 0.5^2) density
    np.testing.assert_allclose(y, stats.norm(2, 0.5).pdf(x), rtol=1e-3)
    heights = np.array([patch.get_height() for patch in ax.patches])
    widths = np.array([patch.get_width() for patch in ax.patches])
    assert np.sum(heights * widths) == pytest.approx(1.0)


def test_samples_vs_target_2d(sampler):
    target = stats.multivariate_normal([0.0, 3.0], [[1.0, 0.5], [0.5, 2.0]])
    draws = sampler.chains_[:, :167].reshape(-1, 2)[:500]  # the fixture's run
    ax = plot_samples_vs_target(draws, target)
    assert len(ax.collections) >= 2  # the scatter and the contour lines
    offsets = ax.collections[0].get_offsets()
    assert offsets.shape == (500, 2)


def test_errors(sampler):
    with pytest.raises(ValueError, match="call its sample"):
        plot_trace(MetropolisHastingsSampler(stats.norm()).fit())
    with pytest.raises(ValueError, match="dimension"):
        plot_trace(sampler, dimension=2)
    with pytest.raises(ValueError, match="1-D or 2-D"):
        plot_samples_vs_target(np.zeros((10, 3)), stats.norm())
