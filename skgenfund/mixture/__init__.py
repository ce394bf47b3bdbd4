"""Gaussian mixtures fitted by the EM algorithm, with Numba E- and M-step kernels."""

from ._em import EMGaussianMixture

__all__ = ["EMGaussianMixture"]
