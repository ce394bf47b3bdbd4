"""Evaluation metrics for generative models: FID, Inception Score and KID.

Each metric is exact (closed-form maths, float64 accumulation) and usable in
scikit-learn model selection: :class:`FIDScorer` and :class:`InceptionScorer`
are ``scoring`` callables for :class:`~sklearn.model_selection.GridSearchCV`.
"""

from ._fid import FIDScorer
from ._frechet import frechet_distance
from ._inception import InceptionScorer, inception_score
from ._kernel_distance import kernel_distance

__all__ = [
    "FIDScorer",
    "InceptionScorer",
    "frechet_distance",
    "inception_score",
    "kernel_distance",
]
