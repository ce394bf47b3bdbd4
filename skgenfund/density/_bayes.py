"""Bayesian Gaussian density estimation: the conjugate Normal-Inverse-Wishart model."""

import numpy as np
from scipy import stats
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from .._core.base import MeanLogLikelihoodMixin
from .._core.gaussian import (
    compute_precision_cholesky,
    estimate_gaussian_parameters,
    floor_singular_covariance,
    log_student_t_prob,
)
from .._core.validation import (
    check_n_draws,
    check_n_samples,
    check_random_state,
    check_real,
    check_sample_weight,
    validate_X,
)

#: Relative floor of a singular default covariance_prior's diagonal: the size
#: of scikit-learn's reg_covar default, relative to each feature's variance.
PRIOR_SMOOTHING = 1e-6


class BayesianGaussian(MeanLogLikelihoodMixin, BaseEstimator):
    r"""Multivariate Gaussian with a conjugate Normal-Inverse-Wishart posterior.

    The unknown mean and covariance get the conjugate prior

    .. math::

        \Sigma \sim \mathcal{W}^{-1}(\Psi_0, \nu_0), \qquad
        \mu \mid \Sigma \sim \mathcal{N}(m_0, \Sigma / \kappa_0),

    and ``fit`` computes the exact posterior, of the same family, from the
    weighted sufficient statistics (:math:`N = \sum_i w_i`, weighted mean
    :math:`\bar x`, scatter :math:`S = \sum_i w_i (x_i - \bar x)(x_i - \bar x)^T`):

    .. math::

        \kappa_N = \kappa_0 + N, \quad
        m_N = \frac{\kappa_0 m_0 + N \bar x}{\kappa_N}, \quad
        \nu_N = \nu_0 + N, \quad
        \Psi_N = \Psi_0 + S + \frac{\kappa_0 N}{\kappa_N}
                 (\bar x - m_0)(\bar x - m_0)^T.

    Where maximum likelihood returns one mean and one covariance, the
    posterior keeps the uncertainty about them: :meth:`sample_parameters`
    draws plausible (mean, covariance) pairs, and :meth:`score_samples`
    evaluates the posterior predictive density, a multivariate Student t
    with :math:`\nu_N - d + 1` degrees of freedom, location :math:`m_N` and
    shape :math:`\Psi_N (\kappa_N + 1) / (\kappa_N (\nu_N - d + 1))`, which
    has heavier tails than the plug-in Gaussian when N is small.

    Parameters
    ----------
    mean_prior : array-like of shape (n_features,), default=None
        Prior mean :math:`m_0`. None uses the (weighted) mean of X, as
        scikit-learn's ``BayesianGaussianMixture`` does.
    mean_precision_prior : float, default=1.0
        :math:`\kappa_0 > 0`: how many pseudo-observations the prior mean is
        worth.
    degrees_of_freedom_prior : float, default=None
        :math:`\nu_0 > d - 1`. None uses ``n_features``, the weakest proper
        choice, as scikit-learn does.
    covariance_prior : array-like of shape (n_features, n_features), default=None
        Inverse-Wishart scale :math:`\Psi_0` (symmetric positive definite).
        None uses the empirical covariance of X (``ddof=1``), as
        scikit-learn does; when that is singular (no more rows than
        features, a constant or collinear feature) its diagonal is floored at
        1e-6 of each feature's variance (scikit-learn's ``reg_covar``
        default, made relative), so that the default prior, and with it the
        posterior, is always proper. Data-scaled defaults look at the data twice
        (empirical Bayes); pass explicit priors for a strictly Bayesian
        analysis.

    Attributes
    ----------
    mean_prior_ : ndarray of shape (n_features,)
        The prior mean used.
    degrees_of_freedom_prior_ : float
        The prior degrees of freedom used.
    covariance_prior_ : ndarray of shape (n_features, n_features)
        The prior scale matrix used.
    mean_posterior_ : ndarray of shape (n_features,)
        Posterior location :math:`m_N` of the mean.
    mean_precision_posterior_ : float
        :math:`\kappa_N`.
    degrees_of_freedom_posterior_ : float
        :math:`\nu_N`.
    covariance_posterior_ : ndarray of shape (n_features, n_features)
        Posterior Inverse-Wishart scale matrix :math:`\Psi_N`.
    mean_ : ndarray of shape (n_features,)
        Posterior mean of :math:`\mu` (equal to :math:`m_N`).
    covariance_ : ndarray of shape (n_features, n_features)
        Posterior mean of :math:`\Sigma`, :math:`\Psi_N / (\nu_N - d - 1)`
        when :math:`\nu_N > d + 1`, else the posterior mode
        :math:`\Psi_N / (\nu_N + d + 1)`.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when X has string feature names.

    See Also
    --------
    GaussianMLE : The maximum-likelihood point estimate.

    Examples
    --------
    >>> import numpy as np
    >>> from skgenfund import BayesianGaussian
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0]])
    >>> model = BayesianGaussian(mean_prior=[0.0], mean_precision_prior=1.0,
    ...                          degrees_of_freedom_prior=1.0,
    ...                          covariance_prior=[[1.0]]).fit(X)
    >>> model.mean_posterior_, model.mean_precision_posterior_
    (array([1.2]), 5.0)
    >>> model.covariance_posterior_
    array([[7.8]])
    >>> means, covariances = model.sample_parameters(3, random_state=0)
    >>> means.shape, covariances.shape
    ((3, 1), (3, 1, 1))
    """

    def __init__(
        self,
        *,
        mean_prior=None,
        mean_precision_prior=1.0,
        degrees_of_freedom_prior=None,
        covariance_prior=None,
    ):
        self.mean_prior = mean_prior
        self.mean_precision_prior = mean_precision_prior
        self.degrees_of_freedom_prior = degrees_of_freedom_prior
        self.covariance_prior = covariance_prior

    def _resolve_priors(self, X, sample_weight):
        n_features = X.shape[1]
        total = sample_weight.sum()
        data_mean = sample_weight @ X / total

        check_real("mean_precision_prior", self.mean_precision_prior, low=0.0,
                   include_low=False)  # fmt: skip

        if self.mean_prior is None:
            mean_prior = data_mean
        else:
            mean_prior = np.asarray(self.mean_prior, dtype=np.float64).reshape(-1)
            if mean_prior.shape != (n_features,) or not np.all(np.isfinite(mean_prior)):
                raise ValueError(
                    f"mean_prior must be a finite array of shape ({n_features},); "
                    f"got shape {np.shape(self.mean_prior)}."
                )

        if self.degrees_of_freedom_prior is None:
            dof_prior = float(n_features)
        else:
            dof_prior = check_real(
                "degrees_of_freedom_prior", self.degrees_of_freedom_prior
            )
            if not dof_prior > n_features - 1:
                raise ValueError(
                    "degrees_of_freedom_prior must be greater than n_features - 1 "
                    f"= {n_features - 1} for a proper Inverse-Wishart prior; got "
                    f"{self.degrees_of_freedom_prior!r}."
                )

        if self.covariance_prior is None:
            check_n_samples(
                int(np.count_nonzero(sample_weight)),
                2,
                what="the default data-scaled covariance_prior",
            )
            if total <= 1:
                raise ValueError(
                    "The default covariance_prior is the empirical covariance "
                    "(ddof=1), which needs a total sample weight above 1; got "
                    f"{total:g}. Pass covariance_prior explicitly."
                )
            diff = X - data_mean
            covariance_prior = (sample_weight * diff.T) @ diff / (total - 1)
            # proper whatever the data: a singular empirical covariance (n <= d,
            # constant or collinear features) gets its diagonal floored
            covariance_prior, _ = floor_singular_covariance(
                covariance_prior,
                "full",
                X,
                sample_weight,
                smoothing=PRIOR_SMOOTHING,
                fix="Pass covariance_prior explicitly",
            )
            what = "the empirical covariance of X used as the default covariance_prior"
        else:
            covariance_prior = np.atleast_2d(
                np.asarray(self.covariance_prior, dtype=np.float64)
            )
            if covariance_prior.shape != (n_features, n_features):
                raise ValueError(
                    f"covariance_prior must have shape ({n_features}, {n_features}); "
                    f"got {covariance_prior.shape}."
                )
            if not np.allclose(covariance_prior, covariance_prior.T):
                raise ValueError("covariance_prior must be symmetric.")
            what = "covariance_prior"
        try:
            compute_precision_cholesky(covariance_prior, "tied")
        except ValueError as exc:
            raise ValueError(
                f"{what} is not positive definite (a constant or collinear "
                "feature?). Drop such features or pass a positive-definite "
                "covariance_prior."
            ) from exc
        return mean_prior, dof_prior, covariance_prior

    def fit(self, X, y=None, sample_weight=None):
        """Compute the Normal-Inverse-Wishart posterior given X.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : None
            Ignored; present for API consistency.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights; an integer weight is equivalent to repeating
            the row.

        Returns
        -------
        self : BayesianGaussian
            The fitted estimator.
        """
        X = validate_X(self, X, reset=True, dtype=np.float64)
        sample_weight = check_sample_weight(sample_weight, X)
        mean_prior, dof_prior, covariance_prior = self._resolve_priors(X, sample_weight)
        n_features = X.shape[1]
        # weighted sufficient statistics through the shared M-step
        total, means, covariances = estimate_gaussian_parameters(
            X,
            np.ones((X.shape[0], 1)),
            0.0,
            "full",
            sample_weight=sample_weight,
            empty_guard=False,
        )
        total, data_mean, scatter = total[0], means[0], covariances[0] * total[0]

        kappa_0 = float(self.mean_precision_prior)
        kappa_n = kappa_0 + total
        shift = data_mean - mean_prior
        self.mean_prior_ = mean_prior
        self.degrees_of_freedom_prior_ = dof_prior
        self.covariance_prior_ = covariance_prior
        self.mean_precision_posterior_ = float(kappa_n)
        self.mean_posterior_ = (kappa_0 * mean_prior + total * data_mean) / kappa_n
        self.degrees_of_freedom_posterior_ = float(dof_prior + total)
        self.covariance_posterior_ = (
            covariance_prior
            + scatter
            + (kappa_0 * total / kappa_n) * np.outer(shift, shift)
        )
        self.mean_ = self.mean_posterior_
        nu_n = self.degrees_of_freedom_posterior_
        if nu_n > n_features + 1:
            self.covariance_ = self.covariance_posterior_ / (nu_n - n_features - 1)
        else:
            self.covariance_ = self.covariance_posterior_ / (nu_n + n_features + 1)

        _, shape = self._predictive_parameters()
        self._predictive_precision_cholesky = compute_precision_cholesky(shape, "tied")
        return self

    def _predictive_parameters(self):
        """Degrees of freedom and shape matrix of the Student-t predictive."""
        n_features = self.mean_posterior_.shape[0]
        kappa_n = self.mean_precision_posterior_
        df = self.degrees_of_freedom_posterior_ - n_features + 1
        shape = self.covariance_posterior_ * (kappa_n + 1) / (kappa_n * df)
        return df, shape

    def score_samples(self, X):
        """Log posterior-predictive density of each row of X.

        The predictive integrates the Gaussian likelihood over the posterior
        of (mean, covariance): a multivariate Student t.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        log_density : ndarray of shape (n_samples,)
        """
        check_is_fitted(self)
        X = validate_X(self, X, reset=False, dtype=np.float64)
        df, _ = self._predictive_parameters()
        return log_student_t_prob(
            X, self.mean_posterior_, self._predictive_precision_cholesky, df
        )

    def sample(self, n_samples=1, random_state=None):
        """Draw samples from the posterior predictive (multivariate Student t).

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
        df, shape = self._predictive_parameters()
        n_features = shape.shape[0]
        gaussian = rng.multivariate_normal(np.zeros(n_features), shape, n_samples)
        scale = np.sqrt(df / rng.chisquare(df, size=n_samples))
        return self.mean_posterior_ + gaussian * scale[:, np.newaxis]

    def sample_parameters(self, n_samples=1, random_state=None):
        """Draw (mean, covariance) pairs from the posterior.

        ``covariance ~ InvWishart(Psi_N, nu_N)``, then
        ``mean | covariance ~ N(m_N, covariance / kappa_N)``.

        Parameters
        ----------
        n_samples : int, default=1
            Number of parameter draws.
        random_state : int, RandomState instance or None, default=None
            Seed or generator; None uses NumPy's global generator.

        Returns
        -------
        means : ndarray of shape (n_samples, n_features)
        covariances : ndarray of shape (n_samples, n_features, n_features)
        """
        check_is_fitted(self)
        n_samples = check_n_draws(
            n_samples, self.n_features_in_, copies=self.n_features_in_ + 1
        )
        rng = check_random_state(random_state)
        n_features = self.mean_posterior_.shape[0]
        covariances = stats.invwishart(
            df=self.degrees_of_freedom_posterior_, scale=self.covariance_posterior_
        ).rvs(size=n_samples, random_state=rng)
        covariances = np.reshape(covariances, (n_samples, n_features, n_features))
        means = np.empty((n_samples, n_features))
        for i, covariance in enumerate(covariances):
            means[i] = rng.multivariate_normal(
                self.mean_posterior_, covariance / self.mean_precision_posterior_
            )
        return means, covariances
