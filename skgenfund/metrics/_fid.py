"""FIDScorer: the Fréchet distance as an estimator and as a model-selection scorer."""

import numpy as np
from sklearn.base import BaseEstimator, clone
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import _num_samples, check_is_fitted

from .._core.validation import check_matrix, validate_X
from ._frechet import (
    covariance_of,
    frechet_between,
    gaussian_from_data,
    gaussian_from_statistics,
)
from ._sampling import check_n_samples_param, draw_samples


def resolve_feature_extractor(feature_extractor, X, owner):
    """The extractor to use on X: None, a fitted transformer, or a callable.

    An unfitted transformer (e.g. the clone of a fitted one that
    :func:`sklearn.base.clone` makes) is fitted on X, the reference data.
    """
    if feature_extractor is None:
        return None
    if hasattr(feature_extractor, "transform"):
        if hasattr(feature_extractor, "fit"):
            try:
                check_is_fitted(feature_extractor)
            except NotFittedError:
                return clone(feature_extractor).fit(X)
        return feature_extractor
    if callable(feature_extractor):
        return feature_extractor
    raise TypeError(
        f"{owner}'s feature_extractor must be None (the identity), a fitted "
        "transformer with a transform method, or a callable mapping an array of "
        f"samples to an (n_samples, n_features) array; got "
        f"{type(feature_extractor).__name__}."
    )


def extract_features(extractor, X, name):
    """Apply the extractor and validate the (n_samples, n_features) result."""
    if extractor is None:
        features = X
    elif hasattr(extractor, "transform"):
        features = extractor.transform(X)
    else:
        features = extractor(X)
    return check_matrix(features, name=name, min_samples=2)


class FIDScorer(BaseEstimator):
    """Fréchet distance (FID) as an estimator and as a GridSearchCV scorer.

    As an **estimator**, :meth:`fit` computes and caches the reference
    statistics (mean and covariance of ``feature_extractor(X)``);
    :meth:`distance` returns the Fréchet distance of new data to them and
    :meth:`score` its negative (greater is better).

    As a **scorer**, ``scorer(estimator, X)`` draws ``n_samples`` rows from
    the fitted generative model ``estimator.sample`` (an array, or an
    ``(X, y)`` tuple as scikit-learn's mixtures return) and returns minus the
    Fréchet distance between their features and those of X. So
    ``GridSearchCV(model, grid, scoring=FIDScorer())`` selects a generative
    model by FID on held-out folds.

    Parameters
    ----------
    feature_extractor : transformer, callable or None, default=None
        Maps samples to the feature space in which the Gaussians are fitted:
        a fitted transformer (its ``transform`` is used, e.g. a fitted
        :class:`~sklearn.decomposition.PCA`), any callable returning an
        ``(n_samples, n_features)`` array (e.g. a wrapped Inception network),
        or None for the identity. An *unfitted* transformer is fitted on the
        reference data (fit's X, or the held-out X when used as a scorer);
        this is also what :func:`~sklearn.base.clone` turns a fitted one into.
        Wrap a fitted transformer in :class:`~sklearn.frozen.FrozenEstimator`
        to keep it fitted through ``clone``.
    n_samples : int or None, default=None
        Number of samples drawn from the model when used as a scorer; None
        draws as many as X has rows (FID is biased by the sample size, so the
        default compares equal sizes).
    random_state : int, RandomState instance or None, default=None
        Seeds the draws when the model's ``sample`` accepts a
        ``random_state``; an int gives the same draws on every call. Models
        whose ``sample`` has no such argument (scikit-learn's
        ``GaussianMixture``) use their own ``random_state`` parameter.

    Attributes
    ----------
    mean_ : ndarray of shape (n_features_out,)
        Mean of the reference features.
    covariance_ : ndarray of shape (n_features_out, n_features_out)
        Unbiased (ddof=1) covariance of the reference features.
    feature_extractor_ : transformer, callable or None
        The extractor used: ``feature_extractor`` itself, or a fitted clone of
        it when it was an unfitted transformer.
    n_features_in_ : int
        Number of features of X seen during fit (identity extractor only; a
        callable extractor may take inputs of any shape).
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when X has string feature names
        (identity extractor only).

    See Also
    --------
    frechet_distance : The distance as a function, with precomputed statistics.
    InceptionScorer : Inception Score of a model's samples.

    Notes
    -----
    The value is the Fréchet distance *in the feature space you chose*: with
    the identity or a PCA it is not comparable with published image-FID
    numbers, which use a specific Inception network's pool features. FID
    compares only the first two moments of the features: two models whose
    samples have the same mean and covariance (a Gaussian and a Gaussian
    mixture fitted by maximum likelihood to the same data, for instance) are
    indistinguishable in the raw data space, so model selection needs a
    non-linear feature map.

    Examples
    --------
    >>> import numpy as np
    >>> from skgenfund import FIDScorer, GaussianMLE
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(500, 2))
    >>> scorer = FIDScorer().fit(X)
    >>> round(scorer.distance(X), 6)
    0.0
    >>> round(scorer.distance(X + [2.0, 0.0]), 6)
    4.0

    As a scorer, with a fitted generative model:

    >>> model = GaussianMLE().fit(X)
    >>> fid_scorer = FIDScorer(random_state=0)
    >>> bool(-fid_scorer(model, X) < 0.05)
    True
    """

    def __init__(self, feature_extractor=None, *, n_samples=None, random_state=None):
        self.feature_extractor = feature_extractor
        self.n_samples = n_samples
        self.random_state = random_state

    def _features(self, extractor, X, *, reset):
        if extractor is None:
            return validate_X(self, X, reset=reset, min_samples=2, dtype=np.float64)
        return extract_features(extractor, X, "features")

    def fit(self, X, y=None):
        """Cache the mean and covariance of the reference features.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Reference (real) data, at least 2 rows; any input the
            ``feature_extractor`` accepts.
        y : None
            Ignored; present for API consistency.

        Returns
        -------
        self : FIDScorer
            The fitted scorer.
        """
        check_n_samples_param(self.n_samples)
        extractor = resolve_feature_extractor(self.feature_extractor, X, "FIDScorer")
        features = self._features(extractor, X, reset=True)
        self.feature_extractor_ = extractor
        # float64 statistics, computed at a scale where they cannot overflow
        self._reference = gaussian_from_data(features, "the reference")
        self.mean_, self.covariance_ = covariance_of(self._reference)
        return self

    def distance(self, X):
        """Fréchet distance between the features of X and the reference.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data to compare (e.g. generated samples), at least 2 rows.

        Returns
        -------
        distance : float
            The squared Fréchet distance, >= 0.
        """
        check_is_fitted(self)
        features = self._features(self.feature_extractor_, X, reset=False)
        if features.shape[1] != self.mean_.shape[0]:
            raise ValueError(
                f"The features of X have {features.shape[1]} columns but the "
                f"reference features have {self.mean_.shape[0]}."
            )
        reference = getattr(self, "_reference", None)
        if reference is None:  # pragma: no cover - an unpickled older scorer
            reference = gaussian_from_statistics(
                self.mean_, self.covariance_, "the reference"
            )
        return frechet_between(gaussian_from_data(features, "X"), reference)

    def score(self, X, y=None):
        """Minus the Fréchet distance to the reference (greater is better).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data to compare, at least 2 rows.
        y : None
            Ignored; present for API consistency.

        Returns
        -------
        score : float
            ``-self.distance(X)``.
        """
        return -self.distance(X)

    def __call__(self, estimator, X, y=None):
        """Score a fitted generative model by minus the FID of its samples to X.

        Parameters
        ----------
        estimator : estimator with a ``sample`` method
            Fitted generative model; ``sample(n)`` returns an array or an
            ``(X, y)`` tuple.
        X : array-like of shape (n_samples, n_features)
            Held-out real data.
        y : None
            Ignored; present for the scorer protocol.

        Returns
        -------
        score : float
            Minus the Fréchet distance between the features of
            ``n_samples`` model samples and those of X.
        """
        n_samples = check_n_samples_param(self.n_samples)
        if n_samples is None:
            n_samples = _num_samples(X)
        extractor = resolve_feature_extractor(self.feature_extractor, X, "FIDScorer")
        real = extract_features(extractor, X, "X")
        drawn = draw_samples(estimator, n_samples, self.random_state, "FIDScorer")
        generated = extract_features(extractor, drawn, "the model's samples")
        return -frechet_between(
            gaussian_from_data(generated, "the model's samples"),
            gaussian_from_data(real, "X"),
        )
