"""Sphinx-gallery helpers of the skgenfund docs: topic order and complete figures.

``TopicOrder`` sorts the examples in the user guide's topic order (the
scale-out example last). ``CompleteFigureScraper`` wraps sphinx-gallery's
matplotlib scraper and fails the build when a figure is captured with an
empty panel, or when a cell draws into a figure that an earlier cell already
captured (the reader never sees that drawing). Both are plain importable
classes so that Sphinx can pickle the configuration.
"""

import re
import weakref
from pathlib import Path

# The user guide's topics in order, each with its examples in reading order
# and the words that place an unlisted example file in the topic. To add an
# example, list its file under its topic; an unlisted file still lands in the
# right topic when its name holds one of the topic's words, after the listed
# ones (by file name), and before the scale-out topic otherwise.
TOPICS = [
    (
        "classification",
        ["plot_discriminative_vs_generative.py"],
        ("classif", "discriminative", "bayes_theorem"),
    ),
    ("density", ["plot_mle_and_bayes.py"], ("mle", "density", "bayes")),
    (
        "sampling",
        [
            "plot_rejection_sampling.py",
            "plot_importance_sampling.py",
            "plot_metropolis_hastings.py",
            "plot_mcmc_proposals.py",
        ],
        ("sampl", "mcmc", "metropolis", "mala", "hastings", "chain"),
    ),
    ("latent", ["plot_latent_space.py"], ("latent", "interpol")),
    (
        "metrics",
        [
            "plot_inception_score.py",
            "plot_fid.py",
            "plot_model_selection_by_fid.py",
        ],
        ("fid", "inception", "kid", "metric", "precision", "recall", "coverage"),
    ),
    (
        "mixture",
        ["plot_gmm_em.py", "plot_gmm_model_selection.py"],
        ("gmm", "mixture", "em_", "missing", "variational"),
    ),
    ("scaling", ["plot_dask_scaling.py"], ("dask", "scal", "online", "cluster")),
]


def topic_rank(filename):
    """(topic index, position within the topic, file name) of an example file."""
    name = Path(filename).name
    for index, (_, listed, _) in enumerate(TOPICS):
        if name in listed:
            return (index, listed.index(name), name)
    stem = name.lower()
    for index, (_, listed, words) in enumerate(TOPICS):
        if any(word in stem for word in words):
            return (index, len(listed), name)
    return (len(TOPICS) - 1, -1, name)  # unknown topic: just before scale-out


class TopicOrder:
    """``within_subsection_order`` key: the user guide's topic order."""

    def __init__(self, src_dir):
        self.src_dir = src_dir

    def __call__(self, filename):
        return topic_rank(filename)

    def __repr__(self):
        return f"<{type(self).__name__}>"


# Text sizes of the gallery's figures. A page shows a 15-inch figure about
# 1000 pixels wide, two thirds of its size: 10-point ticks and labels would be
# 9 pixels high there. Titles keep matplotlib's 12 points.
FIGURE_STYLE = {
    "font.size": 12.0,
    "axes.titlesize": 12.0,
    "figure.titlesize": 13.0,
    "legend.fontsize": 11.0,
}


def reset_matplotlib(gallery_conf, fname):
    """``reset_modules`` entry: matplotlib's defaults, then :data:`FIGURE_STYLE`."""
    import matplotlib

    matplotlib.rcdefaults()
    matplotlib.rcParams.update(FIGURE_STYLE)


def _is_blank(ax):
    """True when an Axes shows nothing: no line, patch, image, collection, text."""
    if not ax.get_visible():
        return False
    content = (
        ax.lines,
        ax.collections,
        ax.patches,
        ax.images,
        ax.texts,
        ax.tables,
        ax.artists,
    )
    if any(len(group) for group in content):
        return False
    return all(_is_blank(child) for child in ax.child_axes)


def _fingerprint(fig):
    """Number of artists in each Axes of a figure: changes when one is drawn."""
    return tuple(
        sum(
            len(group)
            for group in (ax.lines, ax.collections, ax.patches, ax.images, ax.texts)
        )
        for ax in fig.get_axes()
    )


def blank_panels(fig):
    """Titles (or positions) of the empty Axes of a matplotlib figure."""
    blank = []
    for index, ax in enumerate(fig.get_axes()):
        if _is_blank(ax):
            blank.append(ax.get_title() or f"panel {index + 1}")
    return blank


# example file -> [(weak reference to a captured figure, its fingerprint)]; kept
# out of the scraper object, which Sphinx pickles with the configuration
_CAPTURED = {}


def clipped_texts(fig, tolerance=1.0):
    """Titles, axis labels and legends that reach beyond the figure's canvas.

    sphinx-gallery saves the canvas as it is, so such text is cut off in the
    page. Draws the figure once (without rendering) to lay it out.
    """
    fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()
    canvas = fig.bbox
    texts = []
    for sub in [fig, *fig.subfigs]:
        if getattr(sub, "_suptitle", None) is not None:
            texts.append(sub._suptitle)
        texts += list(getattr(sub, "legends", []))
    for ax in fig.get_axes():
        texts += [ax.title, ax._left_title, ax._right_title]
        texts += [ax.xaxis.label, ax.yaxis.label]
        if ax.get_legend() is not None:
            texts.append(ax.get_legend())
    clipped = []
    for artist in texts:
        if not artist.get_visible():
            continue
        if hasattr(artist, "get_text") and not artist.get_text():
            continue
        box = artist.get_window_extent(renderer)
        if (
            box.x0 < canvas.x0 - tolerance
            or box.y0 < canvas.y0 - tolerance
            or box.x1 > canvas.x1 + tolerance
            or box.y1 > canvas.y1 + tolerance
        ):
            name = artist.get_text() if hasattr(artist, "get_text") else "legend"
            clipped.append(name)
    return clipped


class IncompleteFigureError(RuntimeError):
    """A gallery figure was captured unfinished."""


class CompleteFigureScraper:
    """sphinx-gallery's matplotlib scraper that refuses unfinished figures.

    At the end of every code cell sphinx-gallery saves each open figure and
    closes it. This scraper first checks that (1) no Axes of those figures is
    empty, (2) no title, axis label or legend runs off the canvas, and (3) no
    figure captured at the end of an earlier cell has been drawn into since
    (that drawing would never be shown). Any of them raises
    :class:`IncompleteFigureError`, which stops the documentation build.
    """

    def __call__(self, block, block_vars, gallery_conf):
        import matplotlib.pyplot as plt
        from sphinx_gallery.scrapers import matplotlib_scraper

        example = str(block_vars.get("src_file", "?"))
        captured = _CAPTURED.setdefault(example, [])
        for ref, fingerprint in captured:
            fig = ref()
            if fig is not None and _fingerprint(fig) != fingerprint:
                raise IncompleteFigureError(
                    f"{Path(example).name}: a cell drew into the figure "
                    f"{_describe(fig)!r} after it was shown (sphinx-gallery "
                    "captures a figure at the end of the cell that made it). "
                    "Finish each figure in the cell that creates it."
                )
        for number in plt.get_fignums():
            fig = plt.figure(number)
            blank = blank_panels(fig)
            if blank:
                raise IncompleteFigureError(
                    f"{Path(example).name}: the figure {_describe(fig)!r} is "
                    f"captured with empty panels {blank} (sphinx-gallery captures "
                    "a figure at the end of the cell that made it). Draw every "
                    "panel in the cell that creates the figure."
                )
            clipped = clipped_texts(fig)
            if clipped:
                raise IncompleteFigureError(
                    f"{Path(example).name}: in the figure {_describe(fig)!r} "
                    f"these texts run off the canvas and would be cut: {clipped}. "
                    "Shorten them, or give the figure a layout engine "
                    '(layout="constrained") or more room.'
                )
            captured.append((weakref.ref(fig), _fingerprint(fig)))
        return matplotlib_scraper(block, block_vars, gallery_conf)

    def __repr__(self):
        return f"<{type(self).__name__}>"


def _describe(fig):
    suptitle = getattr(fig, "_suptitle", None)
    if suptitle is not None and suptitle.get_text():
        return suptitle.get_text()
    titles = [ax.get_title() for ax in fig.get_axes() if ax.get_title()]
    return re.sub(r"\s+", " ", " / ".join(titles)) or f"figure {fig.number}"
