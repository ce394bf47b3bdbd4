"""Matplotlib helpers for the package's estimators.

Each function takes ``ax=None`` (a new figure is made when None) and returns
the Axes it drew on. Matplotlib is imported only when a function is called,
never when :mod:`skgenfund` is imported. These helpers are used by the tour
and the gallery examples; users call them directly.
"""

from ._classification import plot_decision_regions
from ._density import plot_density
from ._mixture import plot_gmm
from ._sampling import plot_autocorrelation, plot_samples_vs_target, plot_trace

__all__ = [
    "plot_autocorrelation",
    "plot_decision_regions",
    "plot_density",
    "plot_gmm",
    "plot_samples_vs_target",
    "plot_trace",
]
