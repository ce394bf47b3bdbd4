"""Behaviour shared by the package's density estimators.

A density estimator here provides ``score_samples(X)`` (log-density per row)
and ``n_parameters()``; this mixin derives ``score`` (mean log-likelihood,
the default criterion of ``GridSearchCV``), ``bic`` and ``aic`` from them, with
scikit-learn's sign conventions (lower is better).
"""

import numpy as np
from sklearn.base import DensityMixin

from .validation import check_sample_weight


class MeanLogLikelihoodMixin(DensityMixin):
    """``score`` as the mean log-likelihood from ``score_samples``."""

    def score(self, X, y=None, sample_weight=None):
        """Mean log-likelihood of the rows of X under the fitted model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data to score.
        y : None
            Ignored; present for API consistency.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of a weighted mean; None gives every row weight 1.

        Returns
        -------
        log_likelihood : float
            Mean of ``score_samples(X)`` (weighted if ``sample_weight`` is given).
        """
        log_density = self.score_samples(X)
        if sample_weight is None:
            return float(np.mean(log_density))
        sample_weight = check_sample_weight(sample_weight, log_density[:, None])
        return float(np.average(log_density, weights=sample_weight))


class LikelihoodScoreMixin(MeanLogLikelihoodMixin):
    """Mean log-likelihood ``score`` plus ``bic`` and ``aic`` from ``score_samples``."""

    def _criterion_log_likelihood(self, X):
        """(log L, n_samples): the likelihood that bic and aic penalise.

        ``score_samples``' by default; a model whose ``score_samples`` is not
        the density of its point estimates overrides it.
        """
        n_samples = np.shape(X)[0]
        return self.score(X) * n_samples, n_samples

    def bic(self, X):
        """Bayesian information criterion of the fit on X (lower is better).

        ``-2 log L + n_parameters * log(n_samples)``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        bic : float
        """
        log_likelihood, n_samples = self._criterion_log_likelihood(X)
        return -2.0 * log_likelihood + self.n_parameters() * np.log(n_samples)

    def aic(self, X):
        """Akaike information criterion of the fit on X (lower is better).

        ``-2 log L + 2 n_parameters``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        aic : float
        """
        log_likelihood, _ = self._criterion_log_likelihood(X)
        return -2.0 * log_likelihood + 2.0 * self.n_parameters()
