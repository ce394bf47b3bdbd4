"""Learning a probability distribution: maximum likelihood and Bayes."""

from ._bayes import BayesianGaussian
from ._bernoulli import BernoulliMLE
from ._mle import GaussianMLE

__all__ = ["BayesianGaussian", "BernoulliMLE", "GaussianMLE"]
