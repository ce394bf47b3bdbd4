"""Package-level guarantees: public names, import hygiene, the tour."""

import subprocess
import sys

import numpy as np
import pytest

import skgenfund

# every public name of the API contract (shared/API.md) that exists so far is
# importable from the top level
CONTRACT = [
    "BernoulliMLE",  # beyond the contract: binary densities (Bernoulli naive Bayes)
    "GaussianMLE",
    "BayesianGaussian",
    "GenerativeClassifier",
    "EMGaussianMixture",
    "RejectionSampler",
    "ImportanceSampler",
    "MetropolisHastingsSampler",
    "effective_sample_size",
    "rhat",
    "autocorrelation",
    "sample_chains",  # beyond the contract: MH chains over joblib / dask workers
    "interpolate",
    "frechet_distance",
    "FIDScorer",
    "inception_score",
    "InceptionScorer",
    "kernel_distance",
    "precision_recall",
    "density_coverage",
    "frechet_distance_infinity",
    "classifier_two_sample_test",
    "SampleScorer",
    "mcse",
]


def test_public_names_are_top_level():
    exported = set(skgenfund.__all__)
    for name in exported:
        assert hasattr(skgenfund, name), name
    assert {"GaussianMLE", "BayesianGaussian", "GenerativeClassifier"} <= exported
    assert exported <= set(CONTRACT), exported - set(CONTRACT)


IMPORT_CHECK = """
import sys
import skgenfund
from numba.core.registry import CPUDispatcher
assert "matplotlib" not in sys.modules, "importing skgenfund imported matplotlib"
compiled = [
    f"{module_name}.{name}"
    for module_name, module in list(sys.modules.items())
    if module_name.startswith("skgenfund")
    for name, obj in vars(module).items()
    if isinstance(obj, CPUDispatcher) and obj.signatures
]
assert not compiled, f"compiled at import: {compiled}"
print("clean")
"""


def test_import_compiles_nothing_and_skips_matplotlib():
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_CHECK], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "clean"


def test_plot_helpers_draw_what_they_say():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from skgenfund import GaussianMLE, GenerativeClassifier
    from skgenfund.plotting import plot_decision_regions, plot_density

    rng = np.random.RandomState(0)
    x = rng.normal(size=(200, 1))
    ax = plot_density(GaussianMLE().fit(x), x)
    (line,) = ax.lines
    xs, ys = line.get_data()
    # the curve is the N(mean, var) density: its peak is 1 / sqrt(2 pi var)
    assert ys.max() == pytest.approx(1 / np.sqrt(2 * np.pi * x.var()), rel=1e-3)
    assert xs.min() < x.min() and xs.max() > x.max()
    assert len(ax.patches) > 5  # histogram bars
    assert ax.get_ylabel() == "density"
    plt.close("all")

    X = rng.normal(size=(100, 2))
    ax = plot_density(GaussianMLE().fit(X), X)
    assert len(ax.collections) >= 2  # filled contours and the points
    plt.close("all")
    with pytest.raises(ValueError, match="1-D or 2-D"):
        plot_density(GaussianMLE().fit(rng.normal(size=(50, 3))))

    y = (X[:, 0] > 0).astype(int)
    ax = plot_decision_regions(GenerativeClassifier().fit(X, y), X, y)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["0", "1"]
    plt.close("all")


def test_tour_writes_figures_and_report(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "skgenfund", "tour", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        env={**__import__("os").environ, "MPLBACKEND": "Agg"},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = (tmp_path / "report.md").read_text()
    figures = sorted(p.name for p in tmp_path.glob("*.png"))
    from skgenfund._tour import TOPICS

    assert len(figures) >= len(TOPICS)
    for figure in figures:
        assert f"]({figure})" in report
    assert "Report written to" in result.stdout
