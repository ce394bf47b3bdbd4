"""Generative classification by Bayes' theorem over per-class density estimators."""

import inspect
import warnings

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, has_fit_parameter, validate_data

from .._core.gaussian import log_mahalanobis
from .._core.special import log_normalize
from .._core.validation import (
    check_n_draws,
    check_random_state,
    check_sample_weight,
    validate_X,
)
from ..density import GaussianMLE
from ..density._mle import SingularCovarianceWarning


class GenerativeClassifier(ClassifierMixin, BaseEstimator):
    r"""Classifier that models how each class generates its data.

    A clone of ``estimator`` is fitted to each class's rows, learning the
    class-conditional density :math:`p(x \mid y)`; the class priors
    :math:`P(y)` are the class frequencies (or ``priors``). Prediction applies
    Bayes' theorem in log space,

    .. math::

        \log P(y = k \mid x) = \log p(x \mid y = k) + \log P(y = k)
            - \log \sum_j p(x \mid y = j) P(y = j),

    with the normaliser computed by log-sum-exp, so that densities far below
    the floating-point range still give exact posteriors. Because it models
    :math:`p(x, y)`, the classifier can also generate labelled data
    (:meth:`sample`).

    With ``GaussianMLE(covariance_type="diag")`` this is Gaussian naive
    Bayes; with ``GaussianMLE(covariance_type="full")`` it is quadratic
    discriminant analysis (with the maximum-likelihood 1/N covariances; scikit-learn's
    ``QuadraticDiscriminantAnalysis`` uses 1/(N-1)). Any density estimator
    with ``fit`` and ``score_samples`` works: ``EMGaussianMixture``,
    ``BayesianGaussian``, scikit-learn's ``KernelDensity`` or
    ``GaussianMixture``.

    Parameters
    ----------
    estimator : estimator object, default=None
        Density estimator cloned and fitted once per class; it must provide
        ``score_samples`` (and ``sample`` for :meth:`sample`). None means
        ``GaussianMLE()``.
    priors : array-like of shape (n_classes,), default=None
        Prior class probabilities, in the order of ``classes_``; they must be
        non-negative and sum to 1. None uses the (weighted) class frequencies.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels.
    estimators_ : list of estimators
        The fitted class-conditional density estimators, in the order of
        ``classes_``.
    class_prior_ : ndarray of shape (n_classes,)
        Prior probability of each class.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when X has string feature names.

    Examples
    --------
    >>> import numpy as np
    >>> from skgenfund import GaussianMLE, GenerativeClassifier
    >>> X = np.array([[-2.0, 0.1], [-1.5, -0.3], [-2.5, 0.4],
    ...               [2.0, 0.0], [1.4, 0.3], [2.6, -0.2]])
    >>> y = np.array([0, 0, 0, 1, 1, 1])
    >>> clf = GenerativeClassifier(GaussianMLE(covariance_type="diag")).fit(X, y)
    >>> clf.predict([[-1.0, 0.0], [1.0, 0.0]])
    array([0, 1])
    >>> clf.class_prior_
    array([0.5, 0.5])
    >>> X_new, y_new = clf.sample(4, y=1, random_state=0)
    >>> X_new.shape, y_new
    ((4, 2), array([1, 1, 1, 1]))
    """

    def __init__(self, estimator=None, *, priors=None):
        self.estimator = estimator
        self.priors = priors

    def _make_estimator(self):
        estimator = GaussianMLE() if self.estimator is None else self.estimator
        if not hasattr(estimator, "fit") or not hasattr(estimator, "score_samples"):
            raise ValueError(
                "estimator must be a density estimator with fit and "
                "score_samples (e.g. GaussianMLE, EMGaussianMixture, "
                f"KernelDensity); got {estimator!r}."
            )
        return estimator

    def _check_priors(self, n_classes):
        try:
            priors = np.asarray(self.priors, dtype=np.float64).reshape(-1)
        except (TypeError, ValueError) as exc:
            raise ValueError(
                f"priors must be an array of {n_classes} probabilities; got "
                f"{self.priors!r}."
            ) from exc
        if priors.shape[0] != n_classes:
            raise ValueError(
                f"priors has {priors.shape[0]} entries but there are {n_classes} "
                "classes; pass one prior per class, in the order of classes_."
            )
        if np.any(priors < 0) or not np.all(np.isfinite(priors)):
            raise ValueError("priors must be finite and non-negative.")
        if not np.isclose(priors.sum(), 1.0):
            raise ValueError(f"priors must sum to 1; they sum to {priors.sum():.6g}.")
        return priors

    def fit(self, X, y, sample_weight=None):
        """Fit one density per class and the class priors.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Class labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Row weights, passed to each class's estimator (which must accept
            ``sample_weight`` then) and used for the class frequencies.

        Returns
        -------
        self : GenerativeClassifier
            The fitted classifier.
        """
        estimator = self._make_estimator()
        X, y = validate_data(self, X, y, dtype=np.float64)
        check_classification_targets(y)
        sample_weight_given = sample_weight is not None
        sample_weight = check_sample_weight(sample_weight, X)
        if sample_weight_given and not has_fit_parameter(estimator, "sample_weight"):
            raise ValueError(
                f"{type(estimator).__name__}.fit does not accept sample_weight; "
                "use an estimator that does (e.g. GaussianMLE, KernelDensity) or "
                "drop sample_weight."
            )
        # rows of weight zero take no part in the fit
        keep = sample_weight > 0
        self.classes_, y_index = np.unique(y, return_inverse=True)
        n_classes = len(self.classes_)
        class_weight = np.bincount(
            y_index[keep], weights=sample_weight[keep], minlength=n_classes
        )

        self.estimators_ = []
        singular = []
        for k, label in enumerate(self.classes_):
            rows = keep & (y_index == k)
            fit_params = (
                {"sample_weight": sample_weight[rows]} if sample_weight_given else {}
            )
            if not np.any(rows):
                raise ValueError(
                    f"Class '{label}' has no row with positive weight; remove the "
                    "class or give its rows positive weights."
                )
            try:
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always", SingularCovarianceWarning)
                    fitted = clone(estimator).fit(X[rows], **fit_params)
            except ValueError as exc:
                raise ValueError(
                    f"Fitting the density of class '{label}' ({int(rows.sum())} rows) "
                    f"failed: {exc}"
                ) from exc
            for warning in caught:
                if issubclass(warning.category, SingularCovarianceWarning):
                    singular.append(label)
                else:
                    warnings.warn_explicit(
                        warning.message, warning.category, warning.filename,
                        warning.lineno,
                    )  # fmt: skip
            self.estimators_.append(fitted)
        if singular:
            # one warning for all classes, as GaussianNB's floor is silent per class
            listed = ", ".join(str(label) for label in singular[:10])
            warnings.warn(
                f"The covariance of class(es) {listed}"
                f"{' ...' if len(singular) > 10 else ''} is singular (constant or "
                "collinear features within the class, or fewer rows than "
                "features); its diagonal was floored at 1e-9 of the features' "
                "variances, as GaussianNB's var_smoothing does. Pass an estimator "
                "with reg_covar > 0 (e.g. GaussianMLE(reg_covar=1e-3)) to choose "
                "the regularisation.",
                SingularCovarianceWarning,
                stacklevel=2,
            )

        if self.priors is None:
            self.class_prior_ = class_weight / class_weight.sum()
        else:
            self.class_prior_ = self._check_priors(n_classes)
        return self

    def _joint_log_likelihood(self, X):
        """log p(x | y = k) + log P(y = k) of validated rows X, (n, n_classes)."""
        with np.errstate(divide="ignore"):
            log_prior = np.log(self.class_prior_)
        joint = np.empty((X.shape[0], len(self.classes_)))
        for k, estimator in enumerate(self.estimators_):
            joint[:, k] = estimator.score_samples(X) + log_prior[k]
        if np.any(np.isnan(joint)):
            rows = np.flatnonzero(np.isnan(joint).any(axis=1))
            raise ValueError(
                f"A class-conditional estimator returned NaN log-densities for rows "
                f"{rows[:10].tolist()}; check the estimators_."
            )
        return joint

    def predict_log_proba(self, X):
        """Log posterior class probabilities by Bayes' theorem.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
        """
        check_is_fitted(self)
        X = validate_X(self, X, reset=False, dtype=np.float64)
        joint = self._joint_log_likelihood(X)
        log_proba, log_evidence = log_normalize(joint, axis=1)
        impossible = ~np.isfinite(log_evidence)
        if np.any(impossible):
            log_proba[impossible] = self._far_log_proba(X[impossible])
        return log_proba

    def _far_log_proba(self, X):
        """Posteriors of rows whose density underflows to 0 under every class.

        For Gaussian class densities (this package's) such a row lies so many
        standard deviations from every class that the log-densities are below
        -1e308; the class nearest in Mahalanobis distance, compared in log
        space, then has all the posterior mass (ties share it).
        """
        if not all(hasattr(e, "_mixture_density") for e in self.estimators_):
            raise ValueError(
                f"{X.shape[0]} row(s) have zero density under every class (every "
                "class-conditional density underflows to 0 there), so Bayes' "
                "theorem is undefined; use class densities with full support "
                "(e.g. GaussianMLE) or rows closer to the training data."
            )
        distance = np.column_stack(
            [
                log_mahalanobis(X, e._mixture_density()).min(axis=1)
                for e in self.estimators_
            ]
        )
        distance[:, self.class_prior_ == 0] = np.inf
        nearest = distance == np.min(distance, axis=1, keepdims=True)
        with np.errstate(divide="ignore"):
            return np.log(nearest / nearest.sum(axis=1, keepdims=True))

    def predict_proba(self, X):
        """Posterior class probabilities P(y | x).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
        """
        return np.exp(self.predict_log_proba(X))

    def predict(self, X):
        """Most probable class for each row.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
        """
        log_proba = self.predict_log_proba(X)
        return self.classes_[np.argmax(log_proba, axis=1)]

    def _class_indices(self, n_samples, y, rng):
        if y is None:
            return rng.choice(len(self.classes_), size=n_samples, p=self.class_prior_)
        labels = np.asarray(y)
        if labels.ndim == 0:
            labels = np.full(n_samples, labels.item())
        elif labels.shape != (n_samples,):
            raise ValueError(
                f"y must be a class label or an array of {n_samples} labels; got "
                f"shape {labels.shape}."
            )
        index = np.searchsorted(self.classes_, labels)
        index = np.clip(index, 0, len(self.classes_) - 1)
        unknown = self.classes_[index] != labels
        if np.any(unknown):
            raise ValueError(
                f"y contains labels {np.unique(labels[unknown]).tolist()} that are not "
                f"among classes_ {self.classes_.tolist()}."
            )
        return index

    def sample(self, n_samples=1, y=None, random_state=None):
        """Generate labelled data from the fitted joint model p(x, y).

        Parameters
        ----------
        n_samples : int, default=1
            Number of rows. When ``y`` is an array its length decides.
        y : None, label or array-like of labels, default=None
            None draws each row's class from ``class_prior_``; a single label
            makes every row of that class; an array fixes the class of each
            row.
        random_state : int, RandomState instance or None, default=None
            Seed or generator; None uses NumPy's global generator.

        Returns
        -------
        X : ndarray of shape (n_samples, n_features)
            Draws from the class-conditional densities.
        y : ndarray of shape (n_samples,)
            Their classes.
        """
        check_is_fitted(self)
        if y is not None and np.ndim(y) == 1:
            n_samples = len(y)
        n_samples = check_n_draws(n_samples, self.n_features_in_)
        rng = check_random_state(random_state)
        index = self._class_indices(n_samples, y, rng)
        X = np.empty((n_samples, self.n_features_in_))
        for k, estimator in enumerate(self.estimators_):
            rows = np.flatnonzero(index == k)
            if rows.size:
                X[rows] = _draw(estimator, rows.size, rng)
        return X, self.classes_[index]


def _draw(estimator, n_samples, rng):
    """Draw from an estimator whose ``sample`` returns an array or (X, y).

    ``rng`` is passed as ``random_state`` when the method accepts it
    (KernelDensity, GaussianMLE, EMGaussianMixture); otherwise the estimator's
    own ``random_state`` decides (scikit-learn's GaussianMixture).
    """
    if not hasattr(estimator, "sample"):
        raise ValueError(
            f"{type(estimator).__name__} has no sample method, so the classifier "
            "cannot generate data; use a density estimator that can sample."
        )
    if "random_state" in inspect.signature(estimator.sample).parameters:
        drawn = estimator.sample(n_samples, random_state=rng)
    else:
        drawn = estimator.sample(n_samples)
    if isinstance(drawn, tuple):
        drawn = drawn[0]
    return np.asarray(drawn).reshape(n_samples, -1)
