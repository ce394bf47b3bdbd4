"""Maximum-likelihood independent Bernoulli density (binary features)."""

import numpy as np
from scipy.special import xlogy
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from .._core.base import LikelihoodScoreMixin
from .._core.validation import (
    check_n_draws,
    check_random_state,
    check_real,
    check_sample_weight,
    validate_X,
)


class BernoulliMLE(LikelihoodScoreMixin, BaseEstimator):
    r"""Independent Bernoulli variables fitted by maximum likelihood.

    Each binary feature :math:`x_j \in \{0, 1\}` has its own probability
    :math:`p_j = P(x_j = 1)`; the maximum-likelihood estimate is the (weighted)
    fraction of ones, that is the sample mean. With ``alpha > 0`` it is the
    additive (Laplace) smoothed estimate
    :math:`(\sum_i w_i x_{ij} + \alpha) / (\sum_i w_i + 2\alpha)`: the
    posterior mean under a Beta(alpha, alpha) prior (equivalently the
    posterior mode under Beta(alpha + 1, alpha + 1)), which keeps values never
    seen in training possible.

    As a class-conditional density inside :class:`GenerativeClassifier` it
    gives Bernoulli naive Bayes.

    Parameters
    ----------
    alpha : float, default=0.0
        Additive smoothing; 0 is the exact maximum-likelihood estimate.
    binarize : float or None, default=0.0
        Threshold: values above it count as 1, others as 0. None requires X to
        hold only 0 and 1 (True/False) already.

    Attributes
    ----------
    probability_ : ndarray of shape (n_features,)
        Estimated :math:`P(x_j = 1)` for each feature.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when X has string feature names.

    Examples
    --------
    >>> import numpy as np
    >>> from skgenfund import BernoulliMLE
    >>> coin = np.array([[1], [0], [1], [1], [0], [1], [1], [0], [1], [1]])
    >>> BernoulliMLE().fit(coin).probability_  # the sample mean
    array([0.7])
    """

    def __init__(self, *, alpha=0.0, binarize=0.0):
        self.alpha = alpha
        self.binarize = binarize

    def _binary(self, X):
        if self.binarize is not None:
            return (X > self.binarize).astype(np.float64)
        if not np.all((X == 0) | (X == 1)):
            raise ValueError(
                "X must hold only 0 and 1 when binarize=None; set a binarize "
                "threshold (e.g. binarize=0.0) to convert other values."
            )
        return X

    def fit(self, X, y=None, sample_weight=None):
        """Estimate each feature's probability of being 1.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Binary data (or data to binarize).
        y : None
            Ignored; present for API consistency.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights; an integer weight repeats the row.

        Returns
        -------
        self : BernoulliMLE
            The fitted estimator.
        """
        check_real("alpha", self.alpha, low=0.0)
        if self.binarize is not None:
            check_real("binarize (or None)", self.binarize)
        X = self._binary(validate_X(self, X, reset=True, dtype=np.float64))
        sample_weight = check_sample_weight(sample_weight, X)
        ones = sample_weight @ X
        self.probability_ = (ones + self.alpha) / (sample_weight.sum() + 2 * self.alpha)
        return self

    def score_samples(self, X):
        """Log-probability of each binary row under the fitted model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        log_probability : ndarray of shape (n_samples,)
            ``-inf`` for a row with a value the fit never saw (a feature whose
            probability is exactly 0 or 1); use ``alpha > 0`` to avoid that.
        """
        check_is_fitted(self)
        X = self._binary(validate_X(self, X, reset=False, dtype=np.float64))
        p = self.probability_
        with np.errstate(divide="ignore"):
            return xlogy(X, p).sum(axis=1) + xlogy(1.0 - X, 1.0 - p).sum(axis=1)

    def sample(self, n_samples=1, random_state=None):
        """Draw binary rows from the fitted model.

        Parameters
        ----------
        n_samples : int, default=1
        random_state : int, RandomState instance or None, default=None

        Returns
        -------
        X : ndarray of shape (n_samples, n_features)
            Zeros and ones (float).
        """
        check_is_fitted(self)
        n_samples = check_n_draws(n_samples, self.n_features_in_)
        rng = check_random_state(random_state)
        uniform = rng.uniform(size=(n_samples, self.probability_.shape[0]))
        return (uniform < self.probability_).astype(np.float64)

    def n_parameters(self):
        """Number of free parameters: one probability per feature.

        Returns
        -------
        n_parameters : int
        """
        check_is_fitted(self)
        return int(self.n_features_in_)
