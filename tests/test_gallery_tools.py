"""The documentation's gallery helpers: topic order and the complete-figure check."""

import sys
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[1] / "doc"
sys.path.insert(0, str(DOC / "sphinxext"))

gallery_tools = pytest.importorskip("gallery_tools")
plt = pytest.importorskip("matplotlib.pyplot")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_every_example_in_topic_order_scale_out_last():
    examples = sorted(p.name for p in (DOC.parent / "examples").glob("plot_*.py"))
    ordered = sorted(examples, key=gallery_tools.topic_rank)
    assert ordered[-1] == "plot_dask_scaling.py"
    listed = [name for _, files, _ in gallery_tools.TOPICS for name in files]
    assert [name for name in ordered if name in listed] == [
        name for name in listed if name in examples
    ]
    assert ordered.index("plot_mle_and_bayes.py") < ordered.index("plot_gmm_em.py")


def test_unlisted_examples_land_in_their_topic():
    rank = gallery_tools.topic_rank
    topics = [name for name, _, _ in gallery_tools.TOPICS]
    assert rank("plot_variational_mixture.py")[0] == topics.index("mixture")
    assert rank("plot_hmc_chains.py")[0] == topics.index("sampling")
    assert rank("plot_precision_recall.py")[0] == topics.index("metrics")
    # after the listed examples of the topic
    assert rank("plot_variational_mixture.py") > rank("plot_gmm_model_selection.py")
    # a file whose name names no topic goes just before the scale-out example
    assert rank("plot_something_else.py") < rank("plot_dask_scaling.py")
    assert rank("plot_something_else.py") > rank("plot_gmm_model_selection.py")


def test_blank_panel_is_found():
    fig, axes = plt.subplots(1, 3)
    axes[0].plot([0, 1])
    axes[1].set_title("drawn later")
    axes[2].imshow([[0, 1]])
    assert gallery_tools.blank_panels(fig) == ["drawn later"]
    axes[1].hist([1, 2, 2])
    assert gallery_tools.blank_panels(fig) == []


def test_text_off_the_canvas_is_found():
    fig, axes = plt.subplots(1, 2, figsize=(4, 2))
    axes[0].plot([0, 1])
    axes[1].plot([0, 1])
    axes[1].set_title("a title far too long for the right-hand panel of this figure")
    assert gallery_tools.clipped_texts(fig) == [axes[1].get_title()]
    axes[1].set_title("short")
    assert gallery_tools.clipped_texts(fig) == []


def _block_vars(name):
    return {"src_file": str(DOC / name), "image_path_iterator": None}


def test_scraper_refuses_blank_and_late_drawing(monkeypatch):
    import sphinx_gallery.scrapers

    saved = []
    monkeypatch.setattr(
        sphinx_gallery.scrapers,
        "matplotlib_scraper",
        lambda block, block_vars, conf: saved.append(plt.get_fignums())
        or plt.close("all")
        or "",
    )
    scraper = gallery_tools.CompleteFigureScraper()
    fig, axes = plt.subplots(1, 2)
    axes[0].plot([0, 1])
    with pytest.raises(gallery_tools.IncompleteFigureError, match="empty panels"):
        scraper(None, _block_vars("blank.py"), {})

    plt.close("all")
    fig, ax = plt.subplots()
    ax.plot([0, 1])
    scraper(None, _block_vars("late.py"), {})  # complete: captured
    assert saved
    ax.plot([1, 0])  # a later cell draws into the captured figure
    with pytest.raises(gallery_tools.IncompleteFigureError, match="after it was"):
        scraper(None, _block_vars("late.py"), {})
    assert "Complete" in repr(scraper)
