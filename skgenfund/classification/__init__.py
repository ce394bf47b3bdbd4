"""Discriminative vs generative: classification by Bayes' theorem."""

from ._generative import GenerativeClassifier

__all__ = ["GenerativeClassifier"]
