"""Learning a probability distribution: maximum likelihood and Bayes."""

from ._mle import GaussianMLE

__all__ = ["GaussianMLE"]
