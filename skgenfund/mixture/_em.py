"""Gaussian mixture fitted by expectation-maximisation, a drop-in for scikit-learn's."""

import numpy as np
from sklearn.utils import check_array
from sklearn.utils.validation import check_is_fitted

from .._core.gaussian import (
    covariances_from_cholesky,
    log_mahalanobis,
    mixture_density,
    precision_cholesky_from_precisions,
    precisions_from_cholesky,
)
from .._core.threads import compiled_section
from .._core.validation import (
    check_random_state,
    validate_X,
)
from . import _dask, _missing
from ._base import (
    BaseGaussianMixture,
    check_non_negative_real,
    mixture_precision_cholesky,
)
from ._dask import is_dask_array
from ._moments import (
    merge_moments,
    moments_from_parameters,
    parameters_from_moments,
    scale_moments,
)
from ._source import data_source
from ._steps import (
    as_kernel_input,
    estimate_from_responsibilities,
    inference,
)

_PARAMETER_LABELS = {"weights_init": "weights", "means_init": "means"}


def _as_parameter_array(name, value, shape, label=None):
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
        label = label or _PARAMETER_LABELS[name]
        raise ValueError(
            f"The parameter '{label}' should have the shape of {shape}, but got "
            f"{array.shape}: pass {name} of shape {shape}."
        )
    return array


def _check_weights_init(weights, n_components):
    given = np.asarray(weights)
    # scikit-learn's tolerance: a float32 sum is exact to about 1e-7 only
    atol = 1e-6 if given.dtype == np.float32 else 1e-8
    weights = _as_parameter_array("weights_init", weights, (n_components,))
    if np.any(weights < 0.0) or np.any(weights > 1.0):
        raise ValueError(
            "The parameter 'weights' should be in the range [0, 1], but got min "
            f"value {weights.min():.5f}, max value {weights.max():.5f} "
            "(weights_init)."
        )
    if not np.isclose(weights.sum(), 1.0, rtol=0.0, atol=atol):
        raise ValueError(
            "The parameter 'weights' should be normalized, but got sum(weights) "
            f"= {weights.sum():.5f}: weights_init must sum to 1."
        )
    return weights


def _check_precisions_init(precisions, covariance_type, n_components, n_features):
    shapes = {
        "full": (n_components, n_features, n_features),
        "tied": (n_features, n_features),
        "diag": (n_components, n_features),
        "spherical": (n_components,),
    }
    label = f"{covariance_type} precision"
    precisions = _as_parameter_array(
        "precisions_init", precisions, shapes[covariance_type], label=label
    )
    if covariance_type in ("full", "tied"):
        matrices = precisions.reshape(-1, n_features, n_features)
        if not np.allclose(matrices, matrices.transpose(0, 2, 1)):
            raise ValueError(
                f"'{label}' should be symmetric, positive-definite: "
                "precisions_init must hold symmetric matrices."
            )
    elif np.any(precisions <= 0.0):
        raise ValueError(
            f"'{label}' should be positive; precisions_init has a minimum of "
            f"{precisions.min():.5g}."
        )
    try:
        return precision_cholesky_from_precisions(precisions, covariance_type)
    except ValueError as exc:
        raise ValueError(
            f"'{label}' should be symmetric, positive-definite: precisions_init "
            f"must be positive definite ({exc})"
        ) from exc


class EMGaussianMixture(BaseGaussianMixture):
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
    memory, on a cluster), ``partial_fit`` runs online EM on a stream of
    mini-batches, and :meth:`icl` is BIC plus the responsibilities' entropy.

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
    nan_policy : {"raise", "marginalize"}, default="raise"
        What NaN entries of X mean. "raise": they are an error.
        "marginalize": they are values missing at random; ``fit`` and
        ``partial_fit`` run EM over them (Ghahramani and Jordan, 1994) and the
        inference methods use the marginal density of each row's observed
        entries; :meth:`impute` fills them in. Without NaN in X the fit is
        exactly the default one. Not available for dask arrays.

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

    Missing values: EM over the NaN entries, then fill them in:

    >>> X_holes = X.copy()
    >>> X_holes[::4, 1] = np.nan
    >>> holes = EMGaussianMixture(2, random_state=0, nan_policy="marginalize")
    >>> holes = holes.fit(X_holes)
    >>> np.round(holes.impute([[-3.0, np.nan], [3.0, np.nan]]), 1)
    array([[-3. , -2.8],
           [ 3. ,  2.9]])
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
        nan_policy="raise",
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
        self.nan_policy = nan_policy

    # ------------------------------------------------------------------ checks
    def _check_parameters(self):
        self._check_common_parameters()
        decay = check_non_negative_real("learning_decay", self.learning_decay)
        if not 0.5 < decay <= 1.0:
            raise ValueError(
                "learning_decay must lie in (0.5, 1] (the step sizes of online EM "
                f"must sum to infinity and their squares must not); got {decay!r}."
            )
        check_non_negative_real("learning_offset", self.learning_offset)
        _missing.check_nan_policy(self.nan_policy)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = self.nan_policy == "marginalize"
        return tags

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
        with compiled_section():
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
        with compiled_section():
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
        with compiled_section():
            self._partial_fit(X, sample_weight)
        return self

    def _partial_fit(self, X, sample_weight):
        self._check_parameters()
        first = not self.__sklearn_is_fitted__()
        source = data_source(self, X, sample_weight, reset=first, min_samples=1)
        if first:
            source.check_rows(self)
            initial = self._check_initial_parameters(source.n_features)
            random_state = check_random_state(self.random_state)
            self._set_parameters(self._initialize(source, random_state, initial))
            self.n_steps_ = 0
        step = getattr(self, "n_steps_", 0) + 1
        gamma = (step + self.learning_offset) ** -self.learning_decay
        batch = source.moments(
            (self.weights_, self.means_, self.precisions_cholesky_),
            self.covariance_type,
        )
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
        """EM on the rows of X, in memory or in a dask array: one loop for both."""
        self._check_parameters()
        source = data_source(self, X, sample_weight)
        source.check_rows(self)
        initial = self._check_initial_parameters(source.n_features)

        def initialize(random_state):
            return self._initialize(source, random_state, initial)

        def iterate(params):
            weights, means, _, precisions_cholesky = params
            moments = source.moments(
                (weights, means, precisions_cholesky), self.covariance_type
            )
            return moments.log_likelihood / moments.weight, self._m_step(moments)

        self._fit_loop(source.n_features, initialize, iterate)
        self.n_steps_ = 0
        return source.X

    def _m_step(self, moments):
        """Parameters (weights, means, covariances, precision factors) from moments."""
        weights, means, covariances = parameters_from_moments(
            moments, self.reg_covar, self.covariance_type
        )
        precisions_cholesky = mixture_precision_cholesky(
            covariances, self.covariance_type
        )
        return weights, means, covariances, precisions_cholesky

    def _initialize(self, source, random_state, initial):
        """Initial (weights, means, covariances, precisions_cholesky).

        The rows ``init_params`` sees come from the data source (all rows in
        memory, a sample of chunks of a dask array), and only when some
        initial parameter is not given.
        """
        weights, means, precisions_cholesky = initial
        covariances = None
        if weights is None or means is None or precisions_cholesky is None:
            X, sample_weight = source.initial_rows(self, random_state)
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
            precisions_cholesky = mixture_precision_cholesky(
                covariances, self.covariance_type
            )
        else:
            covariances = covariances_from_cholesky(
                precisions_cholesky, self.covariance_type
            )
        return weights, means, covariances, precisions_cholesky

    def _get_parameters(self):
        return (
            self.weights_,
            self.means_,
            self.covariances_,
            self.precisions_cholesky_,
        )

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

    # -------------------------------------------------------------- inference
    def _inference(self, X, output):
        """score_samples, predict or predict_proba (lazy for a dask array)."""
        check_is_fitted(self)
        params = (self.weights_, self.means_, self.precisions_cholesky_)
        if is_dask_array(X):
            _missing.check_not_dask(self)
            X = _dask.check_dask_X(self, X, reset=False)
            return _dask.lazy_inference(X, params, self.covariance_type, output)
        X = as_kernel_input(_missing.validate_with_nan(self, X, reset=False))
        if _missing.has_missing(X):
            return _missing.missing_inference(
                X,
                self.weights_,
                self.means_,
                self.covariances_,
                self.covariance_type,
                output,
            )
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

    def impute(self, X, *, method="mean", random_state=None):
        """Fill in the NaN entries of X from the fitted mixture.

        Works for either ``nan_policy`` (a mixture fitted on complete data
        imputes too). With the responsibilities
        ``r_k(x_o)`` of a row's observed entries x_o and each component's
        conditional Gaussian ``N(x_m | mu_m + S_mo inv(S_oo) (x_o - mu_o),
        S_mm - S_mo inv(S_oo) S_om)`` of the missing ones x_m:

        * "mean": ``E[x_m | x_o] = sum_k r_k(x_o) E_k[x_m | x_o]``, the
          best guess in squared error;
        * "sample": one draw from ``p(x_m | x_o)`` (a component from r, then
          its conditional Gaussian), for multiple imputation: repeat with
          different seeds and combine the analyses (Rubin's rules).

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
        """
        check_is_fitted(self)
        X = validate_X(self, X, reset=False, allow_nan=True)
        return _missing.impute(
            X,
            self.weights_,
            self.means_,
            self.covariances_,
            self.covariance_type,
            method,
            random_state,
        )

    def _mixture_density(self):
        """The fit as a ``MixtureDensity`` for the compiled samplers."""
        check_is_fitted(self)
        return mixture_density(
            self.weights_, self.means_, self.precisions_cholesky_, self.covariance_type
        )
