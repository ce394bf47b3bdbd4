"""What the package's two Gaussian mixtures share: checks, initialisation, the loop.

:class:`~skgenfund.EMGaussianMixture` (maximum likelihood by EM) and
:class:`~skgenfund.VariationalGaussianMixture` (variational Bayes) differ in
their two steps only. Everything around the steps is here, once: the checks of
the parameters they share, the initial responsibilities of ``init_params``,
the ``n_init`` loop with its stopping rule, warm starts, verbose messages and
the convergence warning (all as scikit-learn's ``BaseMixture``), sampling from
the point estimates and the information criteria built on them.
"""

import numbers
import warnings
from time import time

import numpy as np
from scipy.special import entr
from sklearn.base import BaseEstimator
from sklearn.cluster import KMeans, kmeans_plusplus
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.validation import check_is_fitted

from .._core.base import LikelihoodScoreMixin
from .._core.gaussian import (
    COVARIANCE_TYPES,
    compute_precision_cholesky,
    n_gaussian_parameters,
    sample_gaussian,
)
from .._core.validation import (
    check_n_draws,
    check_n_samples,
    check_option,
    check_positive_int,
    check_random_state,
)

__all__ = [
    "INIT_PARAMS",
    "BaseGaussianMixture",
    "check_non_negative_real",
    "mixture_precision_cholesky",
]

INIT_PARAMS = ("kmeans", "k-means++", "random", "random_from_data")

def mixture_precision_cholesky(covariances, covariance_type):
    """:func:`compute_precision_cholesky` with scikit-learn's message for a mixture.

    A covariance that is not positive definite during a mixture fit means a
    component collapsed; the message is scikit-learn's, word for word.
    """
    if not np.all(np.isfinite(covariances)):
        return compute_precision_cholesky(covariances, covariance_type)  # raises
    try:
        return compute_precision_cholesky(covariances, covariance_type)
    except ValueError as exc:
        raise ValueError(
            "Fitting the mixture model failed because some components have "
            "ill-defined empirical covariance (for instance caused by singleton "
            "or collapsed samples). Try to decrease the number of components, "
            "increase reg_covar, or scale the input data."
        ) from exc


def check_non_negative_real(name, value):
    """``value`` as a float, or a ValueError unless it is a finite real >= 0."""
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Real)
        or not np.isfinite(value)
        or value < 0
    ):
        raise ValueError(f"{name} must be a finite float >= 0; got {value!r}.")
    return float(value)


class BaseGaussianMixture(LikelihoodScoreMixin, BaseEstimator):
    """The machinery shared by the EM and the variational Gaussian mixtures.

    A subclass provides ``_initialize(X, sample_weight, random_state,
    initial)`` and ``_iterate(params)`` through its data source (see
    :meth:`_fit_loop`), ``_get_parameters`` and ``_set_parameters``.
    """

    # ------------------------------------------------------------------ checks
    def _check_common_parameters(self):
        check_positive_int("n_components", self.n_components)
        check_option("covariance_type", self.covariance_type, COVARIANCE_TYPES)
        check_non_negative_real("tol", self.tol)
        check_non_negative_real("reg_covar", self.reg_covar)
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

    def _check_enough_rows(self, sample_weight):
        """Every component needs a row of positive weight, and a fit two rows."""
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

    # ---------------------------------------------------------- initialisation
    def _initial_responsibilities(self, X, sample_weight, random_state):
        """The (n_samples, K) responsibilities ``init_params`` starts from.

        Unweighted data draw exactly as scikit-learn's ``BaseMixture`` does, so
        that the same ``random_state`` gives the same start.
        """
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

    # -------------------------------------------------------------- the loop
    def _fit_loop(self, n_features, initialize, iterate):
        """Run the ``n_init`` fits and keep the best, as scikit-learn does.

        Parameters
        ----------
        n_features : int
            Number of features of X (a warm start must have the same).
        initialize : callable
            ``initialize(random_state)`` -> the initial parameters.
        iterate : callable
            ``iterate(params)`` -> (lower bound, parameters): one E-step and
            M-step.

        Sets ``converged_``, ``n_iter_``, ``lower_bound_``, ``lower_bounds_``
        and the best parameters (``_set_parameters``); warns when the best
        initialisation did not converge.
        """
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
            params = initialize(random_state) if do_init else self._get_parameters()
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
                stacklevel=4,
            )
        self._set_parameters(best_params)
        self.n_iter_ = best_n_iter
        self.lower_bound_ = max_lower_bound
        self.lower_bounds_ = best_lower_bounds

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

    # ------------------------------------------------- the fitted point estimate
    def __sklearn_is_fitted__(self):
        # not n_features_in_, which a fit that failed on bad input has set
        return hasattr(self, "precisions_cholesky_")

    def sample(self, n_samples=1, random_state=None):
        """Draw samples from the fitted mixture.

        The number of draws per component is multinomial with the mixture
        weights ``weights_``; each component draws from its Gaussian
        (``means_``, ``covariances_``); rows are grouped by component, as in
        scikit-learn.

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
        if isinstance(n_samples, numbers.Integral) and n_samples < 1:
            raise ValueError(
                f"Invalid value for 'n_samples': {n_samples} . The sampling "
                "requires at least one sample."
            )
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

    def _n_parameters(self):
        # scikit-learn's private name, which user code calls
        return self.n_parameters()

    def icl(self, X):
        """Integrated completed likelihood of the fit on X (lower is better).

        ``bic(X) + 2 * sum_i H(predict_proba(X)[i])``, with H the entropy of
        a row's responsibilities in nats (Biernacki, Celeux and Govaert,
        2000): BIC penalised by how unsure the assignment of the rows to the
        components is, so that it prefers well-separated components.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        icl : float
        """
        entropy = float(np.sum(entr(np.asarray(self.predict_proba(X)))))
        return self.bic(X) + 2.0 * entropy
