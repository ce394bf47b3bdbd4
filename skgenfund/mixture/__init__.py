"""Gaussian mixtures fitted by EM and by variational Bayes, on shared Numba kernels."""

from ._em import EMGaussianMixture
from ._variational import VariationalGaussianMixture

__all__ = ["EMGaussianMixture", "VariationalGaussianMixture"]
