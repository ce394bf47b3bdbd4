"""Evaluation metrics for generative models: FID, Inception Score and KID.

Each metric is exact (closed-form maths, float64 accumulation) and usable in
scikit-learn model selection: :class:`FIDScorer` and :class:`InceptionScorer`
are ``scoring`` callables for :class:`~sklearn.model_selection.GridSearchCV`.
Beyond FID: precision and recall, density and coverage (k-NN balls), FID
extrapolated to infinitely many samples, the classifier two-sample test and
the Gaussian-kernel MMD, all selectable by name through :class:`SampleScorer`.
"""

from ._c2st import classifier_two_sample_test
from ._fid import FIDScorer
from ._fid_infinity import frechet_distance_infinity
from ._frechet import frechet_distance
from ._inception import InceptionScorer, inception_score
from ._kernel_distance import kernel_distance
from ._precision_recall import density_coverage, precision_recall
from ._scorer import SampleScorer

__all__ = [
    "FIDScorer",
    "InceptionScorer",
    "frechet_distance",
    "inception_score",
    "kernel_distance",
    "SampleScorer",
    "classifier_two_sample_test",
    "density_coverage",
    "frechet_distance_infinity",
    "precision_recall",
]
