"""skgenfund: the fundamentals of generative models as scikit-learn estimators.

Every public name is importable from the top level. Importing the package
compiles no Numba kernel and does not import matplotlib.
"""

from .classification import GenerativeClassifier
from .density import BayesianGaussian, BernoulliMLE, GaussianMLE
from .latent import interpolate
from .metrics import (
    FIDScorer,
    InceptionScorer,
    SampleScorer,
    classifier_two_sample_test,
    density_coverage,
    frechet_distance,
    frechet_distance_infinity,
    inception_score,
    kernel_distance,
    precision_recall,
)
from .mixture import EMGaussianMixture
from .sampling import (
    ImportanceSampler,
    MetropolisHastingsSampler,
    RejectionSampler,
    autocorrelation,
    effective_sample_size,
    mcse,
    rhat,
    sample_chains,
)

__version__ = "0.1.0"

__all__ = [
    "BayesianGaussian",
    "BernoulliMLE",
    "EMGaussianMixture",
    "GaussianMLE",
    "GenerativeClassifier",
    "interpolate",
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
    "ImportanceSampler",
    "MetropolisHastingsSampler",
    "RejectionSampler",
    "autocorrelation",
    "effective_sample_size",
    "rhat",
    "sample_chains",
    "mcse",
]
