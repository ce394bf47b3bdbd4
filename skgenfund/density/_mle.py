"""Maximum-likelihood Gaussian density estimation."""

import warnings

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from .._core.base import LikelihoodScoreMixin
from .._core.gaussian import (
    compute_precision_cholesky,
    estimate_gaussian_parameters,
    floor_singular_covariance,
    log_gaussian_prob,
    mixture_density,
    n_gaussian_parameters,
    sample_gaussian,
)
from .._core.validation import (
    check_n_draws,
    check_option,
    check_random_state,
    check_real,
    check_sample_weight,
    constant_features,
    validate_X,
)
from ..mixture import _missing


class SingularCovarianceWarning(UserWarning):
    """The exact MLE covariance was singular and its diagonal was floored."""


COVARIANCE_TYPES = ("full", "diag", "spherical")


class GaussianMLE(LikelihoodScoreMixin, BaseEstimator):
    """Multivariate Gaussian fitted by maximum likelihood.

    The maximum-likelihood estimate is closed form: the (weighted) sample mean
    and the (weighted) average of centred outer products, normalised by the
    total weight (``ddof=0``, the 1/N estimator, not the unbiased 1/(N-1)).

    Parameters
    ----------
    covariance_type : {"full", "diag", "spherical"}, default="full"
        Structure of the covariance: a full matrix, a diagonal (independent
        features, as in Gaussian naive Bayes), or one variance shared by all
        features.
    reg_covar : float, default=0.0
        Non-negative value added to the diagonal of the covariance. The
        default 0 gives the exact MLE when it is non-singular. When it is
        singular at float64 precision (a constant feature, no more rows than
        features, collinear features), its diagonal is floored at 1e-9 of
        each feature's variance, as scikit-learn's ``GaussianNB`` floors its
        variances (``var_smoothing``), and a warning says so; a positive
        ``reg_covar`` sets the regularisation yourself instead.
    nan_policy : {"raise", "marginalize"}, default="raise"
        What NaN entries of X mean. "raise": they are an error.
        "marginalize": they are values missing at random; ``fit`` finds the
        maximum-likelihood Gaussian of the observed entries by EM (Ghahramani
        and Jordan, 1994; no closed form exists), ``score_samples`` is the
        marginal density of each row's observed entries, and :meth:`impute`
        fills them in. Without NaN in X the fit is exactly the closed form.

    Attributes
    ----------
    mean_ : ndarray of shape (n_features,)
        Maximum-likelihood mean.
    covariance_ : ndarray or float
        Maximum-likelihood covariance: (n_features, n_features) for "full",
        (n_features,) for "diag", a float for "spherical".
    precision_cholesky_ : ndarray or float
        Cholesky factor U of the precision (``inv(covariance_) = U U^T``),
        shaped as ``covariance_``; U is upper triangular for "full".
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when X has string feature names.

    See Also
    --------
    BayesianGaussian : The conjugate Bayesian counterpart, which keeps the
        uncertainty about the mean and covariance.
    EMGaussianMixture : A mixture of Gaussians fitted by EM.

    Examples
    --------
    >>> import numpy as np
    >>> from skgenfund import GaussianMLE
    >>> X = np.array([[0.0, 1.0], [2.0, 1.0], [1.0, 4.0]])
    >>> model = GaussianMLE().fit(X)
    >>> model.mean_
    array([1., 2.])
    >>> model.covariance_
    array([[0.66666667, 0.        ],
           [0.        , 2.        ]])
    >>> round(model.score(X), 4)
    -2.9817
    """

    def __init__(self, *, covariance_type="full", reg_covar=0.0, nan_policy="raise"):
        self.covariance_type = covariance_type
        self.reg_covar = reg_covar
        self.nan_policy = nan_policy

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = self.nan_policy == "marginalize"
        return tags

    def _check_parameters(self):
        check_option("covariance_type", self.covariance_type, COVARIANCE_TYPES)
        check_real("reg_covar", self.reg_covar, low=0.0)
        _missing.check_nan_policy(self.nan_policy)

    def fit(self, X, y=None, sample_weight=None):
        """Estimate the mean and covariance by maximum likelihood.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : None
            Ignored; present for API consistency.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights; an integer weight is equivalent to repeating
            the row that many times.

        Returns
        -------
        self : GaussianMLE
            The fitted estimator.
        """
        self._check_parameters()
        X = _missing.validate_with_nan(self, X, reset=True, dtype=np.float64)
        sample_weight = check_sample_weight(sample_weight, X)
        if _missing.has_missing(X):
            means, covariances, _ = _missing.fit_gaussian(
                X, sample_weight, self.covariance_type, self.reg_covar
            )
            self._set_fit(means, covariances)
            return self
        with np.errstate(over="ignore", invalid="ignore"):  # range checked below
            _, means, covariances = estimate_gaussian_parameters(
                X,
                np.ones((X.shape[0], 1)),
                0.0,
                self.covariance_type,
                sample_weight=sample_weight,
                empty_guard=False,
            )
        covariances = covariances[0]
        if self.reg_covar == 0:
            covariances, reason = floor_singular_covariance(
                covariances, self.covariance_type, X, sample_weight
            )
            if reason is not None:
                warnings.warn(
                    f"The maximum-likelihood covariance of X is singular ({reason}); "
                    "its diagonal was floored at 1e-9 of the features' variances, "
                    "as GaussianNB's var_smoothing does. Pass reg_covar > 0 to "
                    "choose the regularisation, or drop constant features.",
                    SingularCovarianceWarning,
                    stacklevel=2,
                )
        else:
            variances = (
                np.diagonal(covariances)
                if self.covariance_type == "full"
                else np.atleast_1d(covariances)
            )
            constant_features(X, variances, sample_weight)  # range check
            if self.covariance_type == "full":
                covariances = covariances.copy()
                covariances.flat[:: X.shape[1] + 1] += self.reg_covar
            else:
                covariances = covariances + self.reg_covar
        covariances = np.asarray(covariances)[np.newaxis]
        self._set_fit(means, covariances)
        return self

    def _set_fit(self, means, covariances):
        precisions_cholesky = compute_precision_cholesky(
            covariances, self.covariance_type
        )
        self.mean_ = means[0]
        self.covariance_ = self._unstack(covariances)
        self.precision_cholesky_ = self._unstack(precisions_cholesky)

    def _unstack(self, stacked):
        if self.covariance_type == "spherical":
            return float(stacked[0])
        return stacked[0]

    def _stacked(self):
        """Parameters with a leading component axis, as the shared core uses."""
        means = self.mean_[np.newaxis]
        precisions_cholesky = np.asarray(self.precision_cholesky_)[np.newaxis]
        return means, precisions_cholesky

    def score_samples(self, X):
        """Log-density of each row of X under the fitted Gaussian.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        log_density : ndarray of shape (n_samples,)
        """
        check_is_fitted(self)
        X = _missing.validate_with_nan(self, X, reset=False, dtype=np.float64)
        if _missing.has_missing(X):
            return _missing.missing_inference(
                X, *self._stacked_moments(), self.covariance_type, "score_samples"
            )
        means, precisions_cholesky = self._stacked()
        return log_gaussian_prob(X, means, precisions_cholesky, self.covariance_type)[
            :, 0
        ]

    def _stacked_moments(self):
        """Weights, means and covariances as a one-component mixture's."""
        covariances = np.asarray(self.covariance_)[np.newaxis]
        return np.ones(1), self.mean_[np.newaxis], covariances

    def impute(self, X, *, method="mean", random_state=None):
        """Fill in the NaN entries of X from the fitted Gaussian.

        With observed entries x_o and missing ones x_m of a row, the
        conditional distribution is Gaussian,
        ``N(mu_m + S_mo inv(S_oo) (x_o - mu_o), S_mm - S_mo inv(S_oo) S_om)``:
        "mean" returns its mean (the best guess in squared error), "sample"
        one draw from it (for multiple imputation: repeat with different
        seeds and combine the analyses). Works for either ``nan_policy``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data with NaN marking missing entries; every row needs an
            observed entry.
        method : {"mean", "sample"}, default="mean"
        random_state : int, RandomState instance or None, default=None
            Seed of the draws of "sample" (None: NumPy's global generator).

        Returns
        -------
        X_imputed : ndarray of shape (n_samples, n_features), float64
            X with its NaN entries replaced; observed entries unchanged.

        Examples
        --------
        >>> import numpy as np
        >>> from skgenfund import GaussianMLE
        >>> X = np.array([[0.0, 0.0], [1.0, 2.0], [2.0, 4.0], [3.0, 5.0]])
        >>> model = GaussianMLE(reg_covar=1e-9).fit(X)
        >>> model.impute([[1.5, np.nan]]).round(2)
        array([[1.5 , 2.75]])
        """
        check_is_fitted(self)
        X = validate_X(self, X, reset=False, dtype=np.float64, allow_nan=True)
        return _missing.impute(
            X, *self._stacked_moments(), self.covariance_type, method, random_state
        )

    def sample(self, n_samples=1, random_state=None):
        """Draw samples from the fitted Gaussian.

        Parameters
        ----------
        n_samples : int, default=1
            Number of samples.
        random_state : int, RandomState instance or None, default=None
            Seed or generator; None uses NumPy's global generator.

        Returns
        -------
        X : ndarray of shape (n_samples, n_features)
        """
        check_is_fitted(self)
        n_samples = check_n_draws(n_samples, self.n_features_in_)
        rng = check_random_state(random_state)
        return sample_gaussian(
            rng, self.mean_, self.covariance_, self.covariance_type, n_samples
        )

    def n_parameters(self):
        """Number of free parameters: the mean plus the covariance's.

        Returns
        -------
        n_parameters : int
        """
        check_is_fitted(self)
        # a one-component mixture has no free weight
        return n_gaussian_parameters(1, self.n_features_in_, self.covariance_type)

    def _mixture_density(self):
        """The fit as a one-component ``MixtureDensity`` for compiled kernels."""
        check_is_fitted(self)
        means, precisions_cholesky = self._stacked()
        return mixture_density(
            np.ones(1), means, precisions_cholesky, self.covariance_type
        )
