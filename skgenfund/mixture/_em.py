"""Gaussian mixture fitted by expectation-maximisation, a drop-in for scikit-learn's."""

import numbers
import warnings
from time import time

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.cluster import KMeans, kmeans_plusplus
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_array
from sklearn.utils.validation import check_is_fitted

from .._core.base import LikelihoodScoreMixin
from .._core.gaussian import (
    COVARIANCE_TYPES,
    compute_precision_cholesky,
    covariances_from_cholesky,
    log_mahalanobis,
    mixture_density,
    n_gaussian_parameters,
    precision_cholesky_from_precisions,
    precisions_from_cholesky,
    sample_gaussian,
)
from .._core.threads import compiled_section
from .._core.validation import (
    check_n_draws,
    check_n_samples,
    check_option,
    check_positive_int,
    check_random_state,
    check_sample_weight,
    validate_X,
)
from . import _dask
from ._dask import is_dask_array
from ._moments import (
    chunk_moments,
    merge_moments,
    moments_from_parameters,
    parameters_from_moments,
    scale_moments,
)
from ._steps import (
    as_kernel_input,
    em_step,
    estimate_from_responsibilities,
    inference,
)

INIT_PARAMS = ("kmeans", "k-means++", "random", "random_from_data")


def _check_non_negative_real(name, value):
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Real)
        or not np.isfinite(value)
        or value < 0
    ):
        raise ValueError(f"{name} must be a finite float >= 0; got {value!r}.")
    return float(value)


def _as_parameter_array(name, value, shape):
    """A user-given initial parameter as a finite float64 array of ``shape``."""
    if isinstance(value, str) or np.asarray(value).dtype.kind not in "biuf":
        raise ValueError(
            f"{name} must be a numeric array of shape {shape}; got {value!r}."
        )
    array = check_array(
        value,
        dtype=np.float64,
        ensure_2d=False,
        allow_nd=True,
        ensure_min_samples=0,
        ensure_min_features=0,
        input_name=name,
    )
    if array.shape != shape:
        raise ValueError(f"{name} must have shape {shape}; got {array.shape}.")
    return array


def _check_weights_init(weights, n_components):
    weights = _as_parameter_array("weights_init", weights, (n_components,))
    if np.any(weights < 0.0) or np.any(weights > 1.0):
        raise ValueError(
            "weights_init must lie in [0, 1]; got values from "
            f"{weights.min():.5g} to {weights.max():.5g}."
        )
    if not np.isclose(weights.sum(), 1.0, rtol=0.0, atol=1e-8):
        raise ValueError(
            f"weights_init must sum to 1; got sum(weights_init) = {weights.sum():.8g}."
        )
    return weights


def _check_precisions_init(precisions, covariance_type, n_components, n_features):
    shapes = {
        "full": (n_components, n_features, n_features),
        "tied": (n_features, n_features),
        "diag": (n_components, n_features),
        "spherical": (n_components,),
    }
    precisions = _as_parameter_array(
        "precisions_init", precisions, shapes[covariance_type]
    )
    if covariance_type in ("full", "tied"):
        matrices = precisions.reshape(-1, n_features, n_features)
        if not np.allclose(matrices, matrices.transpose(0, 2, 1)):
            raise ValueError(
                f"precisions_init ({covariance_type!r}) must hold symmetric matrices."
            )
    elif np.any(precisions <= 0.0):
        raise ValueError(
            f"precisions_init ({covariance_type!r}) must be positive; got a "
            f"minimum of {precisions.min():.5g}."
        )
    try:
        return precision_cholesky_from_precisions(precisions, covariance_type)
    except ValueError as exc:
        raise ValueError(
            f"precisions_init ({covariance_type!r}) must be positive definite: {exc}"
        ) from exc


class EMGaussianMixture(LikelihoodScoreMixin, BaseEstimator):
    """Gaussian mixture model fitted by the EM algorithm, with Numba kernels.

    A drop-in replacement for :class:`sklearn.mixture.GaussianMixture`: the
    same parameters, defaults, fitted attributes, methods and warnings. Given
    the same initial parameters it takes the same EM iterations and reaches
    the same estimates to floating-point accuracy. The E-step (log-densities
    through the precisions' Cholesky factors and a row log-sum-exp) and the
    M-step (centred, weighted sufficient statistics) run in parallel Numba
    kernels over chunks of rows, with results independent of the number of
    threads.

    Beyond scikit-learn: ``fit`` accepts ``sample_weight`` (weighted EM, where
    an integer weight is the same as repeating the row), ``sample`` accepts a
    ``random_state``, float32 data are not copied to float64 (see Notes),
    ``fit`` and the inference methods accept dask arrays (data larger than
    memory, on a cluster), and ``partial_fit`` runs online EM on a stream of
    mini-batches.

    Parameters
    ----------
    n_components : int, default=1
        Number of mixture components K.
    covariance_type : {"full", "tied", "diag", "spherical"}, default="full"
        Each component has its own full covariance ("full"), all share one
        full covariance ("tied"), each has its own diagonal covariance
        ("diag") or its own single variance ("spherical").
    tol : float, default=1e-3
        EM stops when the mean log-likelihood (the lower bound) changes by
        less than ``tol`` between two iterations.
    reg_covar : float, default=1e-6
        Non-negative value added to the diagonal of every covariance, so that
        covariances stay positive definite.
    max_iter : int, default=100
        Most EM iterations per initialisation; 0 keeps the initial parameters.
    n_init : int, default=1
        Number of initialisations; the one with the largest final lower
        bound is kept.
    init_params : {"kmeans", "k-means++", "random", "random_from_data"}, \
            default="kmeans"
        How the initial responsibilities are drawn: from a k-means
        clustering, from k-means++ seeds, uniformly at random, or from random
        data points.
    weights_init : array-like of shape (n_components,), default=None
        Initial mixture weights; None uses ``init_params``.
    means_init : array-like of shape (n_components, n_features), default=None
        Initial means; None uses ``init_params``.
    precisions_init : array-like, default=None
        Initial precisions (inverse covariances), shaped (K, d, d) for "full",
        (d, d) for "tied", (K, d) for "diag" and (K,) for "spherical"; None
        uses ``init_params``.
    random_state : int, RandomState instance or None, default=None
        Seed of the initialisation (and the default of ``sample``). The same
        int gives the same fit on every run and for every number of threads.
    warm_start : bool, default=False
        If True, each ``fit`` continues from the previous solution (and
        ``n_init`` is ignored after the first fit).
    verbose : int, default=0
        1 prints the initialisation and iteration count, 2 also the time and
        the change of the lower bound.
    verbose_interval : int, default=10
        Iterations between two printed lines.
    learning_decay : float, default=0.7
        Exponent kappa of the step sizes of :meth:`partial_fit`,
        ``gamma_t = (t + learning_offset) ** -kappa``; in (0.5, 1], where
        online EM converges (Cappé and Moulines, 2009). Larger values forget
        old mini-batches faster at first and average more later. Used by
        ``partial_fit`` only; the names are those of scikit-learn's
        ``LatentDirichletAllocation``.
    learning_offset : float, default=10.0
        Offset t0 >= 0 of the step sizes: it damps the first steps (0 lets
        the first mini-batch replace the initialisation). Used by
        ``partial_fit`` only.

    Attributes
    ----------
    weights_ : ndarray of shape (n_components,)
        Mixture weights.
    means_ : ndarray of shape (n_components, n_features)
        Component means.
    covariances_ : ndarray
        Component covariances: (K, d, d) "full", (d, d) "tied", (K, d) "diag",
        (K,) "spherical".
    precisions_ : ndarray
        Inverses of the covariances, shaped as ``covariances_``.
    precisions_cholesky_ : ndarray
        Cholesky factors U of the precisions (``precision = U U^T``, U upper
        triangular), shaped as ``covariances_``.
    converged_ : bool
        Whether the best initialisation converged.
    n_iter_ : int
        EM iterations of the best initialisation.
    lower_bound_ : float
        Mean log-likelihood of the training data at the last E-step of the
        best initialisation.
    lower_bounds_ : list of float
        ``lower_bound_`` at every iteration of the best initialisation.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape ``(n_features_in_,)``
        Names of features seen during fit, when X has string feature names.
    n_steps_ : int
        Mini-batches seen by ``partial_fit`` since the last ``fit`` (the t of
        the step sizes); 0 after ``fit``.

    See Also
    --------
    sklearn.mixture.GaussianMixture : The scikit-learn estimator this one
        reproduces.
    GaussianMLE : A single Gaussian, fitted in closed form.

    Notes
    -----
    EM alternates between the E-step, the responsibilities
    ``r_ik = w_k N(x_i | mu_k, S_k) / sum_j w_j N(x_i | mu_j, S_j)``, and the
    M-step, the weighted maximum-likelihood parameters given them. Each
    iteration cannot decrease the likelihood; ``lower_bound_`` is the mean
    log-likelihood of the training data.

    Numerics. Second moments are accumulated centred, in float64, so variances
    cannot come out negative (scikit-learn's diagonal and spherical M-steps
    compute ``E[x^2] - mu^2``, which can in float32). float32 data are read as
    they are, without a float64 copy of X; all sums, log-densities and fitted
    parameters are float64, which is the safe choice for log-likelihoods
    summed over many rows. Outputs (``predict_proba``, ``score_samples``,
    ``sample``) are float64.

    Dask arrays (``pip install "skgenfund[dask]"``). With X a dask array
    chunked by rows, each EM iteration maps the E-step and scatter kernels
    over the chunks, each chunk returning its statistics (totals, first
    moments, scatter around its own means: O(K d^2) numbers), merges them
    with Chan et al.'s parallel-variance formula in a tree fixed by the
    chunking, and runs the M-step on the client: the data never move. Given
    the same initial parameters the fit equals the in-memory fit to rounding
    (1e-10 relative is tested), on any number of workers. The
    initialisation (``init_params``) runs in memory on a sample of whole
    chunks: a permutation of the row chunks is drawn from ``random_state``
    and chunks are taken in that order until they hold at least
    ``max(10000, 100 * n_components)`` rows; the chosen chunks, in their
    order in X, are the sample, and the ``n_init`` initialisations run on it
    with ``random_state`` as an in-memory fit on those rows would. If X is
    sorted (by class, by time), shuffle it or pass ``means_init``.
    ``predict``, ``predict_proba`` and ``score_samples`` of a dask array
    return lazy dask arrays; ``score`` returns a float. Persist X on the
    cluster (``X = X.persist()``) when it fits in the workers' memory:
    otherwise every iteration recomputes X's graph. Dask's active scheduler
    runs the computations (a ``dask.distributed.Client`` when one exists).

    Online EM. :meth:`partial_fit` is stepwise EM (Cappé and Moulines 2009;
    Liang and Klein 2009): the sufficient statistics are averaged over the
    mini-batches with step sizes ``gamma_t`` and the parameters are their
    M-step. On shuffled mini-batches it approaches the batch fit's
    log-likelihood: within 5e-5 nats per row after five passes of 40
    mini-batches of 500 rows over a three-component mixture (tested).

    Examples
    --------
    >>> import numpy as np
    >>> from skgenfund import EMGaussianMixture
    >>> rng = np.random.RandomState(0)
    >>> X = np.vstack([rng.normal(-3, 1, (100, 2)), rng.normal(3, 1, (100, 2))])
    >>> gmm = EMGaussianMixture(n_components=2, random_state=0).fit(X)
    >>> np.round(gmm.means_[np.argsort(gmm.means_[:, 0])], 1)
    array([[-3. , -2.9],
           [ 2.9,  2.9]])
    >>> gmm.predict([[-3.0, -3.0], [3.0, 3.0]]).tolist() == np.argsort(
    ...     gmm.means_[:, 0]).tolist()
    True
    >>> gmm.n_parameters()
    11
    >>> X_new, y_new = gmm.sample(5, random_state=0)
    >>> X_new.shape, y_new.shape
    ((5, 2), (5,))

    Online EM on a stream of mini-batches:

    >>> online = EMGaussianMixture(n_components=2, random_state=0)
    >>> for epoch in range(3):
    ...     for batch in np.array_split(rng.permutation(X), 10):
    ...         online = online.partial_fit(batch)
    >>> online.n_steps_
    30
    >>> bool(abs(online.score(X) - gmm.score(X)) < 0.01)
    True
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
        weights_init=None,
        means_init=None,
        precisions_init=None,
        random_state=None,
        warm_start=False,
        verbose=0,
        verbose_interval=10,
        learning_decay=0.7,
        learning_offset=10.0,
    ):
        self.n_components = n_components
        self.covariance_type = covariance_type
        self.tol = tol
        self.reg_covar = reg_covar
        self.max_iter = max_iter
        self.n_init = n_init
        self.init_params = init_params
        self.weights_init = weights_init
        self.means_init = means_init
        self.precisions_init = precisions_init
        self.random_state = random_state
        self.warm_start = warm_start
        self.verbose = verbose
        self.verbose_interval = verbose_interval
        self.learning_decay = learning_decay
        self.learning_offset = learning_offset

    # ------------------------------------------------------------------ checks
    def _check_parameters(self):
        check_positive_int("n_components", self.n_components)
        check_option("covariance_type", self.covariance_type, COVARIANCE_TYPES)
        _check_non_negative_real("tol", self.tol)
        _check_non_negative_real("reg_covar", self.reg_covar)
        check_positive_int("max_iter", self.max_iter, minimum=0)
        check_positive_int("n_init", self.n_init)
        check_option("init_params", self.init_params, INIT_PARAMS)
        if not isinstance(self.verbose, bool | np.bool_):
            check_positive_int("verbose", self.verbose, minimum=0)
        check_positive_int("verbose_interval", self.verbose_interval)
        if not isinstance(self.warm_start, bool | np.bool_):
            raise ValueError(
                f"warm_start must be True or False; got {self.warm_start!r}."
            )
        decay = _check_non_negative_real("learning_decay", self.learning_decay)
        if not 0.5 < decay <= 1.0:
            raise ValueError(
                "learning_decay must lie in (0.5, 1] (the step sizes of online EM "
                f"must sum to infinity and their squares must not); got {decay!r}."
            )
        _check_non_negative_real("learning_offset", self.learning_offset)

    def _check_initial_parameters(self, n_features):
        """Validated weights_init, means_init and precision factors (or None)."""
        K = self.n_components
        weights = means = precisions_cholesky = None
        if self.weights_init is not None:
            weights = _check_weights_init(self.weights_init, K)
        if self.means_init is not None:
            means = _as_parameter_array("means_init", self.means_init, (K, n_features))
        if self.precisions_init is not None:
            precisions_cholesky = _check_precisions_init(
                self.precisions_init, self.covariance_type, K, n_features
            )
        return weights, means, precisions_cholesky

    # ----------------------------------------------------------------- fitting
    def fit(self, X, y=None, sample_weight=None):
        """Estimate the mixture's parameters with the EM algorithm.

        EM runs ``n_init`` times (once with ``warm_start`` after the first
        fit) and keeps the run with the largest final lower bound. Each run
        iterates until the lower bound changes by less than ``tol`` or
        ``max_iter`` is reached, in which case a ``ConvergenceWarning`` is
        raised.

        Parameters
        ----------
        X : array-like or dask array of shape (n_samples, n_features)
            Training data. A dask array is fitted chunk by chunk, without
            gathering its rows (see the Notes of the class).
        y : None
            Ignored; present for API consistency.
        sample_weight : array-like or dask array of shape (n_samples,), \
default=None
            Non-negative weights of the rows (weighted EM); an integer weight
            is equivalent to repeating the row. None gives every row weight 1.

        Returns
        -------
        self : EMGaussianMixture
            The fitted mixture.
        """
        with compiled_section(lock=not is_dask_array(X)):
            self._fit(X, sample_weight)
        return self

    def fit_predict(self, X, y=None, sample_weight=None):
        """Fit the mixture on X and return the most probable component of each row.

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
            Component labels, the same as ``fit(X).predict(X)`` (a lazy dask
            array when X is a dask array).
        """
        with compiled_section(lock=not is_dask_array(X)):
            X = self._fit(X, sample_weight)
        return self._inference(X, "predict")

    def partial_fit(self, X, y=None, sample_weight=None):
        """One step of stepwise online EM on a mini-batch of rows.

        For data that arrive as a stream, or never fit in memory at once.
        The first call on an unfitted mixture initialises it on its
        mini-batch (``init_params``, or ``weights_init`` / ``means_init`` /
        ``precisions_init``, with ``random_state``; ``n_init`` does not
        apply). Every call, the first included, then runs one E-step on the
        mini-batch and moves the sufficient statistics toward the
        mini-batch's by a step ``gamma_t`` (Cappé and Moulines, 2009)::

            s_t = (1 - gamma_t) s_(t-1) + gamma_t s(batch_t; theta_(t-1))
            gamma_t = (t + learning_offset) ** (-learning_decay)

        where s holds each component's weight, mean and centred scatter and
        theta_t are the parameters they give (the M-step). A call after
        :meth:`fit` continues from the fitted parameters with t = 1; ``fit``
        (unless ``warm_start``) starts afresh and resets t.

        Parameters
        ----------
        X : array-like or dask array of shape (n_samples, n_features)
            A mini-batch of rows (shuffled data make the steps unbiased).
        y : None
            Ignored; present for API consistency.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the rows; None gives every row weight 1.

        Returns
        -------
        self : EMGaussianMixture
            The updated mixture: ``n_steps_`` (= ``n_iter_``) counts the
            mini-batches since the last ``fit``, ``lower_bound_`` is the
            mean log-likelihood of this mini-batch under the parameters it
            was given, ``lower_bounds_`` holds one per mini-batch, and
            ``converged_`` is False (online EM has no stopping rule).
        """
        with compiled_section(lock=not is_dask_array(X)):
            self._partial_fit(X, sample_weight)
        return self

    def _partial_fit(self, X, sample_weight):
        self._check_parameters()
        first = not self.__sklearn_is_fitted__()
        if is_dask_array(X):
            X = _dask.check_dask_X(self, X, reset=first, min_samples=1)
            dask_weight = _dask.dask_sample_weight(sample_weight, X)

            def batch_moments(params):
                return _dask.dask_moments(
                    X, dask_weight, params, self.covariance_type, check=True
                )

            def initialize(random_state, initial):
                return self._initialize_on_chunks(
                    X, dask_weight, random_state, initial, []
                )

        else:
            X = as_kernel_input(validate_X(self, X, reset=first))
            weights = check_sample_weight(sample_weight, X)

            def batch_moments(params):
                return chunk_moments(X, weights, params, self.covariance_type)

            def initialize(random_state, initial):
                self._check_enough_rows(weights)
                return self._initialize(X, weights, random_state, initial)

        if first:
            initial = self._check_initial_parameters(X.shape[1])
            random_state = check_random_state(self.random_state)
            self._set_parameters(initialize(random_state, initial))
            self.n_steps_ = 0
        step = getattr(self, "n_steps_", 0) + 1
        gamma = (step + self.learning_offset) ** -self.learning_decay
        batch = batch_moments((self.weights_, self.means_, self.precisions_cholesky_))
        if batch.weight <= 0:
            raise ValueError(
                "sample_weight is zero for every row of the mini-batch; at least "
                "one row needs a positive weight."
            )
        previous = moments_from_parameters(
            self.weights_,
            self.means_,
            self.covariances_,
            self.reg_covar,
            self.covariance_type,
        )
        moments = merge_moments(
            scale_moments(previous, 1.0 - gamma),
            scale_moments(batch, gamma / batch.weight),
            self.covariance_type,
        )
        self._set_parameters(self._m_step(moments))
        lower_bound = batch.log_likelihood / batch.weight
        if step == 1:
            self.lower_bounds_ = []
        self.lower_bounds_.append(lower_bound)
        self.lower_bound_ = lower_bound
        self.n_steps_ = self.n_iter_ = step
        self.converged_ = False

    def _fit(self, X, sample_weight):
        self._check_parameters()
        if is_dask_array(X):
            X, initialize, iterate = self._dask_source(X, sample_weight)
        else:
            X, initialize, iterate = self._in_memory_source(X, sample_weight)
        n_features = X.shape[1]
        initial = self._check_initial_parameters(n_features)

        do_init = not (self.warm_start and hasattr(self, "converged_"))
        if not do_init and self.means_.shape[1] != n_features:
            raise ValueError(
                f"warm_start continues a fit on {self.means_.shape[1]} features but "
                f"X has {n_features}; refit with warm_start=False."
            )
        n_init = self.n_init if do_init else 1
        random_state = check_random_state(self.random_state)

        max_lower_bound = -np.inf
        best_params, best_n_iter, best_lower_bounds = None, 0, []
        converged_best = False
        for init in range(n_init):
            self._print_verbose_msg_init_beg(init)
            if do_init:
                params = initialize(random_state, initial)
            else:
                params = (
                    self.weights_,
                    self.means_,
                    self.covariances_,
                    self.precisions_cholesky_,
                )
            lower_bound = -np.inf if do_init else self.lower_bound_
            current_lower_bounds = []
            if self.max_iter == 0:
                best_params, best_n_iter = params, 0
                continue
            converged = False
            for n_iter in range(1, self.max_iter + 1):
                previous = lower_bound
                lower_bound, params = iterate(params)
                current_lower_bounds.append(lower_bound)
                change = lower_bound - previous
                self._print_verbose_msg_iter_end(n_iter, change)
                if abs(change) < self.tol:
                    converged = True
                    break
            self._print_verbose_msg_init_end(lower_bound, converged)
            if lower_bound > max_lower_bound or max_lower_bound == -np.inf:
                max_lower_bound = lower_bound
                best_params, best_n_iter = params, n_iter
                best_lower_bounds = current_lower_bounds
                converged_best = converged

        self.converged_ = converged_best
        if not self.converged_ and self.max_iter > 0:
            warnings.warn(
                "Best performing initialization did not converge. Try different "
                "init parameters, or increase max_iter, tol, or check for "
                "degenerate data.",
                ConvergenceWarning,
                stacklevel=3,
            )
        self._set_parameters(best_params)
        self.n_iter_ = best_n_iter
        self.lower_bound_ = max_lower_bound
        self.lower_bounds_ = best_lower_bounds
        self.n_steps_ = 0
        return X

    def _check_enough_rows(self, sample_weight):
        """Every component needs a row of positive weight, and EM two rows."""
        n_samples = len(sample_weight)
        n_weighted = int(np.count_nonzero(sample_weight))
        if n_weighted < self.n_components:
            rows = "rows" if n_weighted == n_samples else "rows of positive weight"
            raise ValueError(
                f"n_components={self.n_components} exceeds the number of {rows} "
                f"({n_weighted}): each component needs at least one data point. "
                "Lower n_components or pass more data."
            )
        check_n_samples(n_weighted, 2, what="fitting a mixture")

    def _in_memory_source(self, X, sample_weight):
        """Validated X and the ``initialize`` and ``iterate`` steps of EM on it."""
        X = validate_X(self, X, reset=True, min_samples=2)
        sample_weight = check_sample_weight(sample_weight, X)
        self._check_enough_rows(sample_weight)
        X = as_kernel_input(X)
        resp = np.empty((X.shape[0], self.n_components))

        def initialize(random_state, initial):
            return self._initialize(X, sample_weight, random_state, initial)

        def iterate(params):
            return self._em_iteration(X, sample_weight, params, resp)

        return X, initialize, iterate

    def _dask_source(self, X, sample_weight):
        """The same for a dask array: chunk-wise EM, initialised on a sample."""
        X = _dask.check_dask_X(self, X, reset=True, min_samples=2)
        if X.shape[0] < self.n_components:
            raise ValueError(
                f"n_components={self.n_components} exceeds the number of rows "
                f"({X.shape[0]}): each component needs at least one data point. "
                "Lower n_components or pass more data."
            )
        sample_weight = _dask.dask_sample_weight(sample_weight, X)
        sample = []
        passes = []

        def initialize(random_state, initial):
            return self._initialize_on_chunks(
                X, sample_weight, random_state, initial, sample
            )

        def iterate(params):
            weights, means, _, precisions_cholesky = params
            moments = _dask.dask_moments(
                X,
                sample_weight,
                (weights, means, precisions_cholesky),
                self.covariance_type,
                check=not passes,
            )
            passes.append(1)
            if moments.weight <= 0:
                raise ValueError(
                    "sample_weight is zero for every row; at least one row needs "
                    "a positive weight."
                )
            return moments.log_likelihood / moments.weight, self._m_step(moments)

        return X, initialize, iterate

    def _initialize_on_chunks(self, X, sample_weight, random_state, initial, sample):
        """:meth:`_initialize` on a random sample of the chunks of a dask array.

        The sample is drawn into the list ``sample`` when it is empty (so
        that the ``n_init`` initialisations of a fit share it), and not at
        all when every initial parameter is given.
        """
        if all(value is not None for value in initial):
            return self._initialize(None, None, random_state, initial)
        if not sample:
            n_rows = max(_dask.INIT_SAMPLE_ROWS, 100 * self.n_components)
            X_sample, weights = _dask.initial_sample(
                X, sample_weight, random_state, n_rows
            )
            X_sample = as_kernel_input(check_array(X_sample, input_name="X"))
            weights = check_sample_weight(weights, X_sample)
            self._check_enough_rows(weights)
            sample.extend([X_sample, weights])
        return self._initialize(*sample, random_state, initial)

    def _m_step(self, moments):
        """Parameters (weights, means, covariances, precision factors) from moments."""
        weights, means, covariances = parameters_from_moments(
            moments, self.reg_covar, self.covariance_type
        )
        precisions_cholesky = compute_precision_cholesky(
            covariances, self.covariance_type
        )
        return weights, means, covariances, precisions_cholesky

    def _initial_responsibilities(self, X, sample_weight, random_state):
        """The (n_samples, K) responsibilities ``init_params`` starts EM from."""
        n_samples = X.shape[0]
        K = self.n_components
        weighted = not np.all(sample_weight == 1.0)
        fit_weight = sample_weight if weighted else None
        if self.init_params == "kmeans":
            labels = (
                KMeans(n_clusters=K, n_init=1, random_state=random_state)
                .fit(X, sample_weight=fit_weight)
                .labels_
            )
            resp = np.zeros((n_samples, K))
            resp[np.arange(n_samples), labels] = 1.0
        elif self.init_params == "random":
            resp = random_state.uniform(size=(n_samples, K))
            resp /= resp.sum(axis=1)[:, np.newaxis]
        elif self.init_params == "random_from_data":
            probabilities = sample_weight / sample_weight.sum() if weighted else None
            indices = random_state.choice(
                n_samples, size=K, replace=False, p=probabilities
            )
            resp = np.zeros((n_samples, K))
            resp[indices, np.arange(K)] = 1.0
        else:
            _, indices = kmeans_plusplus(
                X, K, random_state=random_state, sample_weight=fit_weight
            )
            resp = np.zeros((n_samples, K))
            resp[indices, np.arange(K)] = 1.0
        return resp

    def _initialize(self, X, sample_weight, random_state, initial):
        """Initial (weights, means, covariances, precisions_cholesky)."""
        weights, means, precisions_cholesky = initial
        covariances = None
        if weights is None or means is None or precisions_cholesky is None:
            resp = self._initial_responsibilities(X, sample_weight, random_state)
            nk, est_means, covariances = estimate_from_responsibilities(
                X,
                resp * sample_weight[:, np.newaxis],
                self.reg_covar,
                self.covariance_type,
            )
            if weights is None:
                weights = nk / sample_weight.sum()
            if means is None:
                means = est_means
        if precisions_cholesky is None:
            precisions_cholesky = compute_precision_cholesky(
                covariances, self.covariance_type
            )
        else:
            covariances = covariances_from_cholesky(
                precisions_cholesky, self.covariance_type
            )
        return weights, means, covariances, precisions_cholesky

    def _em_iteration(self, X, sample_weight, params, resp):
        """One E-step and M-step: the E-step's lower bound and the new parameters."""
        weights, means, _, precisions_cholesky = params
        lower_bound, nk, means, covariances = em_step(
            X,
            sample_weight,
            weights,
            means,
            precisions_cholesky,
            self.covariance_type,
            resp,
            self.reg_covar,
        )
        weights = nk / nk.sum()
        precisions_cholesky = compute_precision_cholesky(
            covariances, self.covariance_type
        )
        return lower_bound, (weights, means, covariances, precisions_cholesky)

    def _set_parameters(self, params):
        (
            self.weights_,
            self.means_,
            self.covariances_,
            self.precisions_cholesky_,
        ) = params
        self.precisions_ = precisions_from_cholesky(
            self.precisions_cholesky_, self.covariance_type
        )

    # -------------------------------------------------------------- verbosity
    def _print_verbose_msg_init_beg(self, n_init):
        if self.verbose >= 1:
            print(f"Initialization {n_init}")
        if self.verbose >= 2:
            self._init_prev_time = time()
            self._iter_prev_time = self._init_prev_time

    def _print_verbose_msg_iter_end(self, n_iter, diff_ll):
        if n_iter % self.verbose_interval == 0:
            if self.verbose == 1:
                print(f"  Iteration {n_iter}")
            elif self.verbose >= 2:
                cur_time = time()
                print(
                    f"  Iteration {n_iter}\t time lapse "
                    f"{cur_time - self._iter_prev_time:.5f}s\t ll change "
                    f"{diff_ll:.5f}"
                )
                self._iter_prev_time = cur_time

    def _print_verbose_msg_init_end(self, lower_bound, converged):
        message = "converged" if converged else "did not converge"
        if self.verbose == 1:
            print(f"Initialization {message}.")
        elif self.verbose >= 2:
            elapsed = time() - self._init_prev_time
            print(
                f"Initialization {message}. time lapse {elapsed:.5f}s\t lower "
                f"bound {lower_bound:.5f}."
            )

    # -------------------------------------------------------------- inference
    def __sklearn_is_fitted__(self):
        # not n_features_in_, which a fit that failed on bad input has set
        return hasattr(self, "precisions_cholesky_")

    def _inference(self, X, output):
        """score_samples, predict or predict_proba (lazy for a dask array)."""
        check_is_fitted(self)
        params = (self.weights_, self.means_, self.precisions_cholesky_)
        if is_dask_array(X):
            X = _dask.check_dask_X(self, X, reset=False)
            return _dask.lazy_inference(X, params, self.covariance_type, output)
        X = as_kernel_input(validate_X(self, X, reset=False))
        if output == "score_samples":
            with compiled_section():
                return inference(X, *params, self.covariance_type, output)
        with compiled_section():
            proba = inference(X, *params, self.covariance_type, "predict_proba")
        proba = self._far_rows(X, proba)
        return proba.argmax(axis=1) if output == "predict" else proba

    def _far_rows(self, X, proba):
        """Rows whose density underflows under every component (far away).

        There the log-responsibilities are -inf - (-inf); the component
        nearest in Mahalanobis distance, compared in log space, takes all
        the responsibility (ties share it) instead of NaN.
        """
        far = np.isnan(proba).any(axis=1)
        if not np.any(far):
            return proba
        rows = np.asarray(X[far], dtype=np.float64)
        distance = log_mahalanobis(rows, self._mixture_density())
        distance[:, self.weights_ == 0] = np.inf
        nearest = distance == np.min(distance, axis=1, keepdims=True)
        proba[far] = nearest / nearest.sum(axis=1, keepdims=True)
        return proba

    def score_samples(self, X):
        """Log-likelihood of each row of X under the mixture.

        Parameters
        ----------
        X : array-like or dask array of shape (n_samples, n_features)

        Returns
        -------
        log_prob : ndarray of shape (n_samples,)
            ``log sum_k w_k N(x | mu_k, S_k)`` per row; a lazy dask array,
            chunked as the rows of X, when X is a dask array.
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
            A lazy dask array when X is a dask array.
        """
        return self._inference(X, "predict")

    def predict_proba(self, X):
        """Posterior probability of each component for each row of X.

        Parameters
        ----------
        X : array-like or dask array of shape (n_samples, n_features)

        Returns
        -------
        resp : ndarray of shape (n_samples, n_components)
            The responsibilities; each row sums to one. A lazy dask array
            when X is a dask array.
        """
        return self._inference(X, "predict_proba")

    def sample(self, n_samples=1, random_state=None):
        """Draw samples from the fitted mixture.

        The number of draws per component is multinomial with the mixture
        weights; rows are grouped by component, as in scikit-learn.

        Parameters
        ----------
        n_samples : int, default=1
            Number of samples.
        random_state : int, RandomState instance or None, default=None
            Seed or generator of the draws; None uses the estimator's
            ``random_state`` (scikit-learn's behaviour, so that the same
            settings give the same samples).

        Returns
        -------
        X : ndarray of shape (n_samples, n_features)
            The samples.
        y : ndarray of shape (n_samples,)
            The component each sample was drawn from.
        """
        check_is_fitted(self)
        n_samples = check_n_draws(n_samples, self.means_.shape[1])
        rng = check_random_state(
            self.random_state if random_state is None else random_state
        )
        counts = rng.multinomial(n_samples, self.weights_)
        covariances = (
            [self.covariances_] * self.n_components
            if self.covariance_type == "tied"
            else self.covariances_
        )
        X = np.vstack(
            [
                sample_gaussian(rng, mean, covariance, self.covariance_type, count)
                for mean, covariance, count in zip(self.means_, covariances, counts)
            ]
        )
        y = np.repeat(np.arange(self.n_components, dtype=np.int64), counts)
        return X.astype(np.float64, copy=False), y

    def n_parameters(self):
        """Number of free parameters: weights (K - 1), means and covariances.

        Returns
        -------
        n_parameters : int
            ``K (2 d + 1) - 1`` for "diag", for example.
        """
        check_is_fitted(self)
        n_features = self.means_.shape[1]
        return n_gaussian_parameters(
            self.n_components, n_features, self.covariance_type
        )

    def _mixture_density(self):
        """The fit as a ``MixtureDensity`` for the compiled samplers."""
        check_is_fitted(self)
        return mixture_density(
            self.weights_, self.means_, self.precisions_cholesky_, self.covariance_type
        )
