"""Latent variable models and latent spaces."""

from ._interpolate import interpolate, latent_path

__all__ = ["interpolate", "latent_path"]
