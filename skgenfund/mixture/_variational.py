"""Gaussian mixture fitted by variational Bayes, a drop-in for scikit-learn's."""

import numbers

import numpy as np
from sklearn.utils import check_array
from sklearn.utils.validation import check_is_fitted

from .._core.gaussian import mixture_density, precisions_from_cholesky
from .._core.threads import compiled_section
from .._core.validation import check_option, validate_X
from . import _dask
from ._base import BaseGaussianMixture
from ._dask import is_dask_array
from ._moments import parameters_from_moments
from ._source import data_source
from ._steps import as_kernel_input, estimate_from_responsibilities, own_means
from ._steps import inference as point_inference
from ._variational_steps import (
    PRIOR_TYPES,
    component_log_offsets,
    inference,
    lower_bound,
    posterior,
    responsibility_entropy,
    weights_from_concentration,
)

_GUARD = 10 * np.finfo(np.float64).eps


def _check_positive_real(name, value):
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Real)
        or not np.isfinite(value)
        or value <= 0
    ):
        raise ValueError(f"{name} must be a finite float > 0; got {value!r}.")
    return float(value)


def _prior_array(name, value, shape):
    array = check_array(
        value,
        dtype=np.float64,
        ensure_2d=False,
        ensure_min_samples=0,
        ensure_min_features=0,
        input_name=name,
    )
    if array.shape != shape:
        raise ValueError(
            f"The parameter '{name}' should have the shape of {shape}, but got "
            f"{array.shape}."
        )
    return array


class VariationalGaussianMixture(BaseGaussianMixture):
    """Variational Bayesian Gaussian mixture, with the EM mixture's Numba kernels.

    A drop-in replacement for :class:`sklearn.mixture.BayesianGaussianMixture`:
    the same parameters, defaults, fitted attributes, methods and warnings.
    With the same ``random_state`` and ``init_params`` it takes the same
    iterations and reaches the same fit to floating-point accuracy. Its
    E-step is the EM E-step kernel with digamma-adjusted constants per
    component, its M-step the EM M-step's weighted moments combined with the
    priors.

    The mixture weights get a Dirichlet-process (stick-breaking) or a
    Dirichlet prior, each component's mean and precision a Gaussian-Wishart
    prior. With a small ``weight_concentration_prior`` the posterior puts
    almost no weight on the components the data do not need, so
    ``n_components`` can be an upper bound on the number of clusters.

    Beyond scikit-learn: ``fit`` accepts ``sample_weight`` (an integer weight
    is the same as repeating the row, the data-derived default priors
    included), ``sample`` accepts a ``random_state``, float32 data are read
    without a float64 copy, ``fit`` and the inference methods accept dask
    arrays (as :class:`EMGaussianMixture`'s: each iteration maps the E-step
    over the row chunks and merges their moments, the initialisation runs on
    a sample of whole chunks, predictions stay lazy), and :meth:`bic`,
    :meth:`aic`, :meth:`icl` and :meth:`n_parameters` are defined on the
    point estimates (``weights_``, ``means_``, ``covariances_``) as for
    :class:`EMGaussianMixture`.

    Parameters
    ----------
    n_components : int, default=1
        Number of components K: an upper bound, the prior can switch some off.
    covariance_type : {"full", "tied", "diag", "spherical"}, default="full"
        As for :class:`EMGaussianMixture`.
    tol : float, default=1e-3
        The iterations stop when the lower bound changes by less than ``tol``.
    reg_covar : float, default=1e-6
        Non-negative value added to the diagonal of the moments' covariances.
    max_iter : int, default=100
        Most iterations per initialisation; 0 keeps the initial posterior.
    n_init : int, default=1
        Number of initialisations; the one with the largest lower bound is kept.
    init_params : {"kmeans", "k-means++", "random", "random_from_data"}, \
            default="kmeans"
        How the initial responsibilities are drawn.
    weight_concentration_prior_type : {"dirichlet_process", \
"dirichlet_distribution"}, default="dirichlet_process"
        Stick-breaking Dirichlet process (truncated at K) or Dirichlet
        distribution prior on the weights.
    weight_concentration_prior : float > 0, default=None
        The Dirichlet process's concentration (gamma) or the Dirichlet's
        (alpha); smaller values switch more components off. None is
        ``1 / n_components``.
    mean_precision_prior : float > 0, default=None
        Precision (beta_0) of the prior on the means, in units of the
        components' precisions. None is 1.
    mean_prior : array-like of shape (n_features,), default=None
        Prior mean (m_0). None is the (weighted) mean of X.
    degrees_of_freedom_prior : float > n_features - 1, default=None
        Degrees of freedom (nu_0) of the Wishart prior. None is n_features.
    covariance_prior : float or array-like, default=None
        Prior on the covariances (the inverse of the Wishart scale W_0):
        (d, d) for "full" and "tied", (d,) for "diag", a float for
        "spherical". None is the (frequency-weighted, ddof=1) covariance of
        X, its diagonal, or the mean of its diagonal.
    random_state : int, RandomState instance or None, default=None
        Seed of the initialisation (and the default of ``sample``).
    warm_start : bool, default=False
        If True, each ``fit`` continues from the previous posterior.
    verbose : int, default=0
        1 prints the initialisation and iteration count, 2 also the time and
        the change of the lower bound.
    verbose_interval : int, default=10
        Iterations between two printed lines.

    Attributes
    ----------
    weights_ : ndarray of shape (n_components,)
        Posterior-mean mixture weights.
    means_ : ndarray of shape (n_components, n_features)
        Posterior means of the component means (m_k).
    covariances_ : ndarray
        The components' covariances ``(nu_k W_k)^-1``, shaped as for
        :class:`EMGaussianMixture`.
    precisions_ : ndarray
        Their inverses.
    precisions_cholesky_ : ndarray
        Cholesky factors of the precisions.
    weight_concentration_prior_ : float
        The prior's concentration used.
    weight_concentration_ : ndarray of shape (n_components,) or tuple
        Posterior Dirichlet parameters, or for the Dirichlet process the two
        arrays of the stick-breaking Beta parameters.
    mean_precision_prior_ : float
    mean_precision_ : ndarray of shape (n_components,)
        Posterior precisions of the means (beta_k).
    mean_prior_ : ndarray of shape (n_features,)
    degrees_of_freedom_prior_ : float
    degrees_of_freedom_ : ndarray of shape (n_components,) or float
        Posterior degrees of freedom (nu_k; one for "tied").
    covariance_prior_ : float or ndarray
    converged_ : bool
        Whether the best initialisation converged.
    n_iter_ : int
        Iterations of the best initialisation.
    lower_bound_ : float
        The evidence lower bound (up to constants) of the best initialisation.
    lower_bounds_ : list of float
        ``lower_bound_`` at every iteration of the best initialisation.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape ``(n_features_in_,)``
        Names of features seen during fit, when X has string feature names.

    See Also
    --------
    sklearn.mixture.BayesianGaussianMixture : The scikit-learn estimator this
        one reproduces.
    EMGaussianMixture : The maximum-likelihood mixture, fitted by EM.
    BayesianGaussian : The conjugate Bayesian single Gaussian.

    Notes
    -----
    The model, the updates and the lower bound are scikit-learn's, term for
    term (including its conventions: "tied" lets the shared Wishart see
    ``N / K`` rows, "diag" and "spherical" use the Wishart's expected
    log-determinant), so that fits agree. ``score_samples`` is, as there,
    the log-normaliser of the variational responsibilities (the expected
    log-weights and precisions in place of point estimates), not the density
    of the point estimates; :meth:`bic`, :meth:`aic` and :meth:`icl` use the
    point estimates' density.

    The iteration's cost is the EM iteration's: one pass of the E-step
    kernel, one of the scatter kernel, then O(K d^3) work on the moments; the
    entropy in the lower bound comes from the moments, without a pass over
    the responsibilities.

    Examples
    --------
    >>> import numpy as np
    >>> from skgenfund import VariationalGaussianMixture
    >>> rng = np.random.RandomState(0)
    >>> X = np.vstack([rng.normal(-3, 1, (200, 2)), rng.normal(3, 1, (200, 2))])
    >>> vgm = VariationalGaussianMixture(
    ...     n_components=6, weight_concentration_prior=0.01, random_state=0
    ... ).fit(X)
    >>> int(np.sum(vgm.weights_ > 0.05))
    2
    >>> bool(vgm.predict([[-3.0, -3.0]])[0] != vgm.predict([[3.0, 3.0]])[0])
    True
    >>> X_new, y_new = vgm.sample(5, random_state=0)
    >>> X_new.shape
    (5, 2)
    """

    def __init__(
        self,
        n_components=1,
        *,
        covariance_type="full",
        tol=1e-3,
        reg_covar=1e-6,
        max_iter=100,
        n_init=1,
        init_params="kmeans",
        weight_concentration_prior_type="dirichlet_process",
        weight_concentration_prior=None,
        mean_precision_prior=None,
        mean_prior=None,
        degrees_of_freedom_prior=None,
        covariance_prior=None,
        random_state=None,
        warm_start=False,
        verbose=0,
        verbose_interval=10,
    ):
        self.n_components = n_components
        self.covariance_type = covariance_type
        self.tol = tol
        self.reg_covar = reg_covar
        self.max_iter = max_iter
        self.n_init = n_init
        self.init_params = init_params
        self.weight_concentration_prior_type = weight_concentration_prior_type
        self.weight_concentration_prior = weight_concentration_prior
        self.mean_precision_prior = mean_precision_prior
        self.mean_prior = mean_prior
        self.degrees_of_freedom_prior = degrees_of_freedom_prior
        self.covariance_prior = covariance_prior
        self.random_state = random_state
        self.warm_start = warm_start
        self.verbose = verbose
        self.verbose_interval = verbose_interval

    # ------------------------------------------------------------------ priors
    def _check_priors(self, source):
        """Set and return the ``*_prior_`` attributes (data-derived if None)."""
        n_features = source.n_features
        data = None
        if self.mean_prior is None or self.covariance_prior is None:
            data = source.mean_and_scatter()  # (total weight, mean, scatter)
        self.weight_concentration_prior_ = (
            1.0 / self.n_components
            if self.weight_concentration_prior is None
            else _check_positive_real(
                "weight_concentration_prior", self.weight_concentration_prior
            )
        )
        self.mean_precision_prior_ = (
            1.0
            if self.mean_precision_prior is None
            else _check_positive_real("mean_precision_prior", self.mean_precision_prior)
        )
        if self.mean_prior is None:
            self.mean_prior_ = data[1]
        else:
            self.mean_prior_ = _prior_array("means", self.mean_prior, (n_features,))
        if self.degrees_of_freedom_prior is None:
            self.degrees_of_freedom_prior_ = n_features
        else:
            dof = _check_positive_real(
                "degrees_of_freedom_prior", self.degrees_of_freedom_prior
            )
            if not dof > n_features - 1.0:
                raise ValueError(
                    "The parameter 'degrees_of_freedom_prior' should be greater "
                    f"than {n_features - 1}, but got {dof:.3f}."
                )
            self.degrees_of_freedom_prior_ = self.degrees_of_freedom_prior
        self.covariance_prior_ = self._covariance_prior(n_features, data)
        return (
            self.weight_concentration_prior_,
            self.mean_precision_prior_,
            self.mean_prior_,
            self.degrees_of_freedom_prior_,
            self.covariance_prior_,
        )

    def _covariance_prior(self, n_features, data):
        kind = self.covariance_type
        if self.covariance_prior is None:
            total, _, scatter = data
            if total <= 1.0:
                raise ValueError(
                    "The default covariance_prior is the covariance of X "
                    "(ddof=1, frequency weights), which needs a total sample "
                    f"weight above 1; got {total:g}. Pass covariance_prior."
                )
            if kind in ("full", "tied"):
                return scatter / (total - 1.0)
            variances = np.diag(scatter) / (total - 1.0)
            return variances if kind == "diag" else float(variances.mean())
        if kind == "spherical":
            return _check_positive_real("covariance_prior", self.covariance_prior)
        if kind == "diag":
            prior = _prior_array(
                f"{kind} covariance_prior", self.covariance_prior, (n_features,)
            )
            if np.any(prior <= 0.0):
                raise ValueError(
                    f"'{kind} covariance_prior' should be positive; got a minimum "
                    f"of {prior.min():.5g}."
                )
            return prior
        prior = _prior_array(
            f"{kind} covariance_prior", self.covariance_prior, (n_features, n_features)
        )
        if not np.allclose(prior, prior.T) or np.any(np.linalg.eigvalsh(prior) <= 0.0):
            raise ValueError(
                f"'{kind} covariance_prior' should be symmetric, positive-definite."
            )
        return prior

    def _check_parameters(self):
        self._check_common_parameters()
        check_option(
            "weight_concentration_prior_type",
            self.weight_concentration_prior_type,
            PRIOR_TYPES,
        )

    # ----------------------------------------------------------------- fitting
    def fit(self, X, y=None, sample_weight=None):
        """Fit the variational posterior by coordinate ascent on its lower bound.

        The iterations run ``n_init`` times (once with ``warm_start`` after
        the first fit) and the run with the largest final lower bound is
        kept; each stops when the lower bound changes by less than ``tol`` or
        after ``max_iter`` iterations, with a ``ConvergenceWarning``.

        Parameters
        ----------
        X : array-like or dask array of shape (n_samples, n_features)
            Training data; a dask array is fitted chunk by chunk.
        y : None
            Ignored; present for API consistency.
        sample_weight : array-like or dask array of shape (n_samples,), \
default=None
            Non-negative weights of the rows; an integer weight is equivalent
            to repeating the row. None gives every row weight 1.

        Returns
        -------
        self : VariationalGaussianMixture
            The fitted mixture.
        """
        with compiled_section():
            self._fit(X, sample_weight)
        return self

    def fit_predict(self, X, y=None, sample_weight=None):
        """Fit on X and return the most probable component of each row.

        Parameters
        ----------
        X : array-like or dask array of shape (n_samples, n_features)
            Training data.
        y : None
            Ignored; present for API consistency.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the rows.

        Returns
        -------
        labels : ndarray of shape (n_samples,)
            The same as ``fit(X).predict(X)`` (lazy for a dask array).
        """
        with compiled_section():
            X = self._fit(X, sample_weight)
        return self._inference(X, "predict")

    def _fit(self, X, sample_weight):
        self._check_parameters()
        source = data_source(self, X, sample_weight)
        source.check_rows(self)
        priors = self._check_priors(source)
        kind, prior_type = self.covariance_type, self.weight_concentration_prior_type

        def initialize(random_state):
            X, sample_weight = source.initial_rows(self, random_state)
            resp = self._initial_responsibilities(X, sample_weight, random_state)
            nk, xk, sk = estimate_from_responsibilities(
                X, resp * sample_weight[:, np.newaxis], self.reg_covar, kind
            )
            return posterior(nk, xk, sk, priors, kind, prior_type)

        def iterate(params):
            """One E-step and M-step: the lower bound and the new posterior."""
            means, precisions_cholesky = params[2], params[5]
            log_offsets = component_log_offsets(params, prior_type, source.n_features)
            moments = source.moments(
                (log_offsets, means, precisions_cholesky), kind, log_weights=True
            )
            entropy = responsibility_entropy(
                moments.log_likelihood,
                moments.nk,
                moments.sums,
                moments.scatter,
                own_means(moments.nk, moments.sums),
                log_offsets,
                means,
                precisions_cholesky,
                kind,
            )
            _, xk, sk = parameters_from_moments(moments, self.reg_covar, kind)
            new = posterior(moments.nk + _GUARD, xk, sk, priors, kind, prior_type)
            return lower_bound(entropy, new, kind, prior_type, source.n_features), new

        self._fit_loop(source.n_features, initialize, iterate)
        return source.X

    def _get_parameters(self):
        return (
            self.weight_concentration_,
            self.mean_precision_,
            self.means_,
            self.degrees_of_freedom_,
            self.covariances_,
            self.precisions_cholesky_,
        )

    def _set_parameters(self, params):
        (
            self.weight_concentration_,
            self.mean_precision_,
            self.means_,
            self.degrees_of_freedom_,
            self.covariances_,
            self.precisions_cholesky_,
        ) = params
        self.weights_ = weights_from_concentration(
            self.weight_concentration_, self.weight_concentration_prior_type
        )
        self.precisions_ = precisions_from_cholesky(
            self.precisions_cholesky_, self.covariance_type
        )

    # -------------------------------------------------------------- inference
    def _log_offsets(self):
        return component_log_offsets(
            self._get_parameters(),
            self.weight_concentration_prior_type,
            self.means_.shape[1],
        )

    def _inference(self, X, output):
        """score_samples, predict or predict_proba (lazy for a dask array)."""
        check_is_fitted(self)
        params = (self._log_offsets(), self.means_, self.precisions_cholesky_)
        if is_dask_array(X):
            X = _dask.check_dask_X(self, X, reset=False)
            return _dask.lazy_inference(
                X, params, self.covariance_type, output, inference_function=inference
            )
        X = as_kernel_input(validate_X(self, X, reset=False))
        with compiled_section():
            return inference(X, *params, self.covariance_type, output)

    def score_samples(self, X):
        """Log-normaliser of each row's variational responsibilities.

        As scikit-learn's: ``log sum_k exp(E[log pi_k] + E[log N(x | mu_k,
        Lambda_k)])`` up to the same constants, with the expectations under
        the variational posterior.

        Parameters
        ----------
        X : array-like or dask array of shape (n_samples, n_features)

        Returns
        -------
        log_prob : ndarray of shape (n_samples,)
            A lazy dask array when X is one.
        """
        return self._inference(X, "score_samples")

    def predict(self, X):
        """Most probable component of each row of X.

        Parameters
        ----------
        X : array-like or dask array of shape (n_samples, n_features)

        Returns
        -------
        labels : ndarray of shape (n_samples,)
            A lazy dask array when X is one.
        """
        return self._inference(X, "predict")

    def predict_proba(self, X):
        """Variational responsibilities of the components for each row of X.

        Parameters
        ----------
        X : array-like or dask array of shape (n_samples, n_features)

        Returns
        -------
        resp : ndarray of shape (n_samples, n_components)
            Each row sums to one; a lazy dask array when X is one.
        """
        return self._inference(X, "predict_proba")

    def _criterion_log_likelihood(self, X):
        """log L of the point estimates (weights_, means_, ...) for bic, aic, icl.

        ``score_samples`` is the variational log-normaliser, not a density of
        the fitted parameters; the criteria use the mixture of ``weights_``,
        ``means_`` and ``covariances_``, as :class:`EMGaussianMixture`'s do.
        """
        check_is_fitted(self)
        params = (self.weights_, self.means_, self.precisions_cholesky_)
        if is_dask_array(X):
            X = _dask.check_dask_X(self, X, reset=False)
            log_prob = _dask.lazy_inference(
                X, params, self.covariance_type, "score_samples"
            )
            return float(log_prob.sum().compute()), X.shape[0]
        X = as_kernel_input(validate_X(self, X, reset=False))
        log_prob = point_inference(X, *params, self.covariance_type, "score_samples")
        return float(np.sum(log_prob)), X.shape[0]

    def _mixture_density(self):
        """The density ``score_samples`` evaluates, for the compiled samplers."""
        check_is_fitted(self)
        density = mixture_density(
            np.ones(self.n_components),
            self.means_,
            self.precisions_cholesky_,
            self.covariance_type,
        )
        return density._replace(log_weights=self._log_offsets())
