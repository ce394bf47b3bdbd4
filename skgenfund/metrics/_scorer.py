"""SampleScorer: any two-sample metric as a scikit-learn scorer of generative models."""

import inspect

from .._core.validation import check_random_state
from ._c2st import classifier_two_sample_test
from ._fid import extract_features, resolve_feature_extractor
from ._fid_infinity import frechet_distance_infinity
from ._frechet import frechet_distance
from ._kernel_distance import kernel_distance
from ._precision_recall import density_coverage, precision_recall
from ._sampling import check_n_samples_param, draw_samples

__all__ = ["SampleScorer"]


def _fid(real, generated, **params):
    return frechet_distance(real, generated, **params)


def _fid_infinity(real, generated, **params):
    return frechet_distance_infinity(real, generated, **params)[0]


def _kid(real, generated, **params):
    return kernel_distance(real, generated, **params)[0]


def _precision(real, generated, **params):
    return precision_recall(real, generated, **params)[0]


def _recall(real, generated, **params):
    return precision_recall(real, generated, **params)[1]


def _density(real, generated, **params):
    return density_coverage(real, generated, **params)[0]


def _coverage(real, generated, **params):
    return density_coverage(real, generated, **params)[1]


def _c2st(real, generated, **params):
    params.setdefault("n_permutations", 0)
    accuracy, _ = classifier_two_sample_test(real, generated, **params)
    # 0.5 is a perfect generator; below it is noise (or a flipped classifier)
    return abs(accuracy - 0.5)


# name -> (metric, sign that makes greater better, whether it takes random_state)
_METRICS = {
    "fid": (_fid, -1.0, False),
    "fid_infinity": (_fid_infinity, -1.0, True),
    "kid": (_kid, -1.0, True),
    "precision": (_precision, 1.0, False),
    "recall": (_recall, 1.0, False),
    "density": (_density, 1.0, False),
    "coverage": (_coverage, 1.0, False),
    "c2st": (_c2st, -1.0, True),
}


class SampleScorer:
    """Score a generative model by any two-sample metric of its samples.

    ``scorer(estimator, X)`` draws ``n_samples`` rows from the fitted model's
    ``sample`` method, maps them and the held-out rows X to the feature
    space, computes ``metric(X_features, sample_features)`` and returns it
    with the sign that makes greater better, so that
    ``GridSearchCV(model, grid, scoring=SampleScorer("coverage"))`` selects a
    model by coverage (or by several metrics at once through a dict of
    scorers).

    Parameters
    ----------
    metric : str or callable, default="fid"
        "fid" (:func:`frechet_distance`), "fid_infinity"
        (:func:`frechet_distance_infinity`, its value), "kid"
        (:func:`kernel_distance`, its mean; ``kernel="rbf"`` in
        ``metric_params`` for the Gaussian-kernel MMD), "precision", "recall"
        (:func:`precision_recall`), "density", "coverage"
        (:func:`density_coverage`), "c2st"
        (:func:`classifier_two_sample_test`, scored as ``-|accuracy - 0.5|``
        since chance level is the ideal), or a callable
        ``metric(real, generated) -> float``.
    feature_extractor : transformer, callable or None, default=None
        The feature space, as :class:`FIDScorer` takes it: None (the rows
        themselves), a fitted transformer, an unfitted one (fitted on the
        held-out X at each call) or a callable.
    n_samples : int or None, default=None
        Rows drawn from the model; None draws as many as X has.
    random_state : int, RandomState instance or None, default=None
        Seeds the draws and, for the randomised metrics ("fid_infinity",
        "kid", "c2st"), the metric, unless ``metric_params`` sets its own.
    greater_is_better : bool or None, default=None
        Only for a callable metric: False negates it. Named metrics know
        their sign.
    **metric_params : dict
        Passed to the metric, e.g. ``k=5`` for "precision" or
        ``n_subsets=20`` for "kid".

    See Also
    --------
    FIDScorer : FID as an estimator that caches the reference statistics.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.model_selection import GridSearchCV
    >>> from skgenfund import EMGaussianMixture, SampleScorer
    >>> rng = np.random.RandomState(0)
    >>> X = np.vstack([rng.normal(-4, 1, (150, 2)), rng.normal(4, 1, (150, 2))])
    >>> search = GridSearchCV(EMGaussianMixture(random_state=0),
    ...                       {"n_components": [1, 2]}, cv=3,
    ...                       scoring=SampleScorer("coverage", random_state=0))
    >>> search.fit(X).best_params_
    {'n_components': 2}
    """

    def __init__(
        self,
        metric="fid",
        *,
        feature_extractor=None,
        n_samples=None,
        random_state=None,
        greater_is_better=None,
        **metric_params,
    ):
        self.metric = metric
        self.feature_extractor = feature_extractor
        self.n_samples = n_samples
        self.random_state = random_state
        self.greater_is_better = greater_is_better
        self.metric_params = metric_params

    def __repr__(self):
        params = [f"{self.metric!r}"]
        for name in (
            "feature_extractor",
            "n_samples",
            "random_state",
            "greater_is_better",
        ):
            value = getattr(self, name)
            if value is not None:
                params.append(f"{name}={value!r}")
        params += [f"{name}={value!r}" for name, value in self.metric_params.items()]
        return f"SampleScorer({', '.join(params)})"

    def _resolve_metric(self):
        if callable(self.metric):
            if self.greater_is_better not in (None, True, False):
                raise ValueError(
                    f"greater_is_better must be True, False or None; got "
                    f"{self.greater_is_better!r}."
                )
            sign = -1.0 if self.greater_is_better is False else 1.0
            return self.metric, sign, False
        if isinstance(self.metric, str) and self.metric in _METRICS:
            if self.greater_is_better is not None:
                raise ValueError(
                    f"greater_is_better applies to a callable metric only; "
                    f"{self.metric!r} already knows its sign."
                )
            return _METRICS[self.metric]
        names = ", ".join(repr(name) for name in _METRICS)
        raise ValueError(
            f"metric must be one of {names} or a callable metric(real, "
            f"generated) -> float; got {self.metric!r}."
        )

    def __call__(self, estimator, X, y=None):
        """Score a fitted generative model against held-out rows X.

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
            The metric of the model's samples against X, signed so that
            greater is better.
        """
        metric, sign, takes_random_state = self._resolve_metric()
        n_samples = check_n_samples_param(self.n_samples)
        if n_samples is None:
            n_samples = len(X)
        rng = check_random_state(self.random_state)
        extractor = resolve_feature_extractor(self.feature_extractor, X, "SampleScorer")
        real = extract_features(extractor, X, "X")
        drawn = draw_samples(estimator, n_samples, rng, "SampleScorer")
        generated = extract_features(extractor, drawn, "the model's samples")
        params = dict(self.metric_params)
        if takes_random_state:
            params.setdefault("random_state", rng)
        elif callable(self.metric) and "random_state" in _parameters(self.metric):
            params.setdefault("random_state", rng)
        return sign * float(metric(real, generated, **params))


def _parameters(function):
    try:
        return inspect.signature(function).parameters
    except (TypeError, ValueError):  # pragma: no cover - builtins
        return {}
