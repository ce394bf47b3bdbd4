"""The tour's report: progress on the terminal, figures and ``report.md`` on disk."""

import sys
import time
from pathlib import Path

# The source the topics follow, named once in the report's opening and by
# this name afterwards.
CHAPTER_NAME = "*Fundamentals of Generative Models*"
INTRODUCTION = (
    "The tour walks the topics of the chapter " + CHAPTER_NAME + " (discriminative "
    "vs generative models, learning a distribution by maximum likelihood and "
    "Bayes, rejection, importance and Metropolis-Hastings sampling, latent "
    "spaces, evaluation by Inception Score and FID, Gaussian mixtures by EM) in "
    "its order, on scikit-learn's bundled data sets. Where " + CHAPTER_NAME
    + " prints a wrong number, the report gives the right value and why."
)


class TourReport:
    """Collects the tour's sections, numbers and figures.

    Each topic's ``run(report)`` calls :meth:`section` once, then
    :meth:`line`, :meth:`value` and :meth:`figure`; everything is echoed to the
    terminal as it happens and written to ``report.md`` by :meth:`write`.

    Parameters
    ----------
    out_dir : str or Path
        Folder for the figures and ``report.md`` (created if missing).
    stream : file-like, default=sys.stdout
        Where progress is printed.
    """

    def __init__(self, out_dir, stream=None):
        self.out_dir = Path(out_dir)
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.stream = sys.stdout if stream is None else stream
        self._markdown = ["# skgenfund tour", "", INTRODUCTION, ""]
        self._started = time.perf_counter()
        self._echo(INTRODUCTION)
        self._section_started = None
        self.figures = []
        self.titles = {}  # figure file name -> its suptitles and axes titles

    def _echo(self, text):
        print(text, file=self.stream, flush=True)

    def section(self, title, number=None, total=None):
        """Start a topic."""
        self._section_started = time.perf_counter()
        counter = f"[{number}/{total}] " if number is not None else ""
        self._echo(f"\n{counter}{title}")
        self._echo("-" * (len(counter) + len(title)))
        self._markdown += [f"## {title}", ""]

    def line(self, text):
        """A sentence of the report."""
        self._echo(f"  {text}")
        self._markdown += ["", text, ""]

    def value(self, name, value, truth=None, fmt=".4f", truth_label="true value"):
        """A key number, with its true value when the mathematics knows it."""
        text = f"{name}: {value:{fmt}}"
        if truth is not None:
            text += f" ({truth_label} {truth:{fmt}})"
        self._echo(f"  {text}")
        self._markdown += [f"- {text}"]
        return value

    def figure(self, fig, filename, caption):
        """Save a matplotlib figure as PNG and link it from the report."""
        import matplotlib.pyplot as plt

        path = self.out_dir / filename
        self.titles[filename] = _titles_of(fig)
        # a figure with a layout engine already fills its canvas; "tight" would
        # draw it a second time only to measure it
        tight = None if fig.get_layout_engine() is not None else "tight"
        fig.savefig(path, dpi=110, bbox_inches=tight)
        plt.close(fig)
        self.figures.append(path)
        self._echo(f"  figure: {path}")
        self._markdown += ["", f"![{caption}]({filename})", "", f"*{caption}*", ""]
        return path

    def end_section(self):
        """Close a topic, reporting how long it took."""
        seconds = time.perf_counter() - self._section_started
        self._echo(f"  ({seconds:.1f} s)")
        self._markdown += ["", f"_Section time: {seconds:.1f} s._", ""]

    def write(self):
        """Write ``report.md`` and return its path."""
        total = time.perf_counter() - self._started
        self._markdown += [f"Total time: {total:.1f} s.", ""]
        path = self.out_dir / "report.md"
        path.write_text("\n".join(self._markdown), encoding="utf-8")
        self.path = path
        self._echo(f"\nReport written to {path} ({total:.1f} s in all).")
        return path


def _titles_of(fig):
    """Every title shown in a figure: suptitles (of subfigures too) and axes titles."""
    texts = []
    for figure in [fig, *fig.subfigs]:
        if getattr(figure, "_suptitle", None) is not None:
            texts.append(figure._suptitle.get_text())
    for ax in fig.get_axes():
        texts += [ax.get_title(loc) for loc in ("left", "center", "right")]
    return [text for text in texts if text]
