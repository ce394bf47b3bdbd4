"""The tour: every topic of the package end to end on bundled data.

Each topic is a module of this package with a ``TITLE`` and a
``run(report)`` function; :data:`TOPICS` lists them in the order of the
chapter *Fundamentals of Generative Models* that the package follows.
The tour is the only part of the package, with the examples, that imports
:mod:`skgenfund.plotting` (and through it matplotlib).
"""

import importlib

from .report import TourReport

# Module names under skgenfund._tour, in the source chapter's order.
TOPICS = [
    "classification",
    "density",
    "sampling",
    "latent",
    "metrics",
    "mixture",
]


def run_tour(out_dir, stream=None):
    """Run every topic of the tour, writing figures and ``report.md`` to ``out_dir``.

    Returns
    -------
    report : TourReport
        Its ``path`` is ``report.md``; ``titles`` maps each figure's file name
        to the titles shown in it.
    """
    import matplotlib
    from threadpoolctl import threadpool_limits  # a scikit-learn dependency

    matplotlib.use("Agg")
    report = TourReport(out_dir, stream=stream)
    # The tour's data are small (iris, digits): a multi-threaded BLAS only
    # adds start-up and spinning to each tiny product. One thread halved the
    # tour's CPU time on a 2-core machine (16.0 s -> 7.7 s).
    with threadpool_limits(limits=1):
        for number, name in enumerate(TOPICS, start=1):
            topic = importlib.import_module(f"{__name__}.{name}")
            report.section(topic.TITLE, number, len(TOPICS))
            topic.run(report)
            report.end_section()
    report.write()
    return report
