"""Inception Score: how confident and how diverse a classifier finds the samples."""

import numpy as np
from scipy.special import rel_entr
from sklearn.utils.validation import _num_samples

from .._core.validation import check_positive_int, check_random_state
from ._sampling import check_n_samples_param, draw_samples

__all__ = ["InceptionScorer", "inception_score"]


def _check_probas(probas):
    probas = np.asarray(probas)
    if probas.dtype.kind not in "biuf":
        raise ValueError(
            f"probas must be a numeric array; got an array of dtype {probas.dtype}."
        )
    tolerance = (
        max(1e-6, 100 * np.finfo(probas.dtype).eps)
        if (probas.dtype.kind == "f")
        else 1e-6
    )
    probas = probas.astype(np.float64)
    if probas.ndim != 2:
        raise ValueError(
            "probas must be 2-D, of shape (n_samples, n_classes): one row of "
            f"class probabilities p(y|x) per sample; got shape {probas.shape}."
        )
    if probas.shape[0] == 0 or probas.shape[1] == 0:
        raise ValueError(f"probas is empty (shape {probas.shape}).")
    if not np.all(np.isfinite(probas)):
        raise ValueError("probas contains NaN or infinity.")
    if np.any(probas < 0):
        raise ValueError(
            "probas contains negative values; pass probabilities (predict_proba "
            "output), not log-probabilities or decision scores."
        )
    row_sums = probas.sum(axis=1)
    worst = float(np.max(np.abs(row_sums - 1.0)))
    if worst > tolerance:
        raise ValueError(
            "Each row of probas must sum to 1 (the largest deviation is "
            f"{worst:.3g}); pass predict_proba output, or apply a softmax to "
            "logits first."
        )
    # exact normalisation: removes the rounding that the tolerance allowed
    return probas / row_sums[:, np.newaxis]


def inception_score(probas, n_splits=10):
    r"""Inception Score of class probabilities, as originally defined.

    The samples are cut into ``n_splits`` consecutive, nearly equal parts;
    for each part,

    .. math::

        \mathrm{IS} = \exp\Bigl(\frac{1}{n} \sum_{i} \mathrm{KL}\bigl(
        p(y \mid x_i) \,\Vert\, p(y)\bigr)\Bigr),
        \qquad p(y) = \frac{1}{n} \sum_i p(y \mid x_i),

    with :math:`p(y)` the part's marginal, and the mean and standard deviation
    of the parts' scores are returned. It is high when every prediction is
    confident (low entropy) and the predictions are diverse (high-entropy
    marginal); it lies between 1 and the number of classes. Zero
    probabilities are safe: :math:`0 \log 0 = 0`.

    Parameters
    ----------
    probas : array-like of shape (n_samples, n_classes)
        Class probabilities p(y|x) of the samples, each row summing to 1,
        e.g. ``classifier.predict_proba(samples)``.
    n_splits : int, default=10
        Number of parts; at most ``n_samples``. The original used 10 parts of
        5,000 images.

    Returns
    -------
    mean : float
        Mean of the per-part scores.
    std : float
        Their standard deviation (``ddof=0``, as in the original code); 0 for
        ``n_splits=1``.

    Raises
    ------
    ValueError
        If probas is not 2-D, contains NaN, infinity or negative values, has
        a row that does not sum to 1, or has fewer rows than ``n_splits``.

    See Also
    --------
    InceptionScorer : The score of a generative model's samples, as a scorer.

    References
    ----------
    .. [1] T. Salimans et al., "Improved techniques for training GANs",
       NeurIPS 2016.

    Examples
    --------
    Three confident predictions, one per class (the chapter's exercise; it
    rounds p(y) to 0.3 and so prints 2.25, the exact value is 2.0223):

    >>> from skgenfund import inception_score
    >>> probas = [[0.9, 0.05, 0.05], [0.05, 0.9, 0.05], [0.05, 0.05, 0.9]]
    >>> mean, std = inception_score(probas, n_splits=1)
    >>> round(mean, 4), std
    (2.0223, 0.0)

    One-hot predictions spread evenly over 4 classes score exactly 4:

    >>> import numpy as np
    >>> round(inception_score(np.eye(4), n_splits=1)[0], 10)
    4.0
    """
    probas = _check_probas(probas)
    n_samples = probas.shape[0]
    n_splits = check_positive_int("n_splits", n_splits)
    if n_splits > n_samples:
        raise ValueError(
            f"n_splits={n_splits} is larger than the number of samples "
            f"({n_samples}); every split needs at least one sample. Pass "
            "n_splits <= n_samples (or more samples)."
        )
    scores = np.empty(n_splits)
    for k in range(n_splits):
        part = probas[k * n_samples // n_splits : (k + 1) * n_samples // n_splits]
        marginal = part.mean(axis=0)
        mean_kl = rel_entr(part, marginal).sum(axis=1).mean()
        scores[k] = np.exp(mean_kl)
    return float(scores.mean()), float(scores.std())


class InceptionScorer:
    """Inception Score of a generative model's samples, as a scorer.

    ``scorer(estimator, X)`` draws samples from ``estimator.sample`` (an
    array, or an ``(X, y)`` tuple as scikit-learn's mixtures return), asks
    ``classifier.predict_proba`` for their class probabilities, and returns
    their :func:`inception_score` (its mean over splits). Any fitted
    classifier with ``predict_proba`` plays the role of the Inception
    network: on 8x8 digits, a classifier trained on
    :func:`~sklearn.datasets.load_digits`. Greater is better, so it can be
    passed as ``scoring`` to :class:`~sklearn.model_selection.GridSearchCV`.

    The score uses X only for its number of rows (the default sample size):
    it judges the samples alone, not their closeness to the data. The draws
    are shuffled before they are split, because some models return them
    grouped by component (scikit-learn's ``GaussianMixture`` does), and a
    split holding one component's draws would see a collapsed marginal.

    Parameters
    ----------
    classifier : fitted classifier with ``predict_proba``
        Plays the role of the Inception network. It is used as it is, never
        refitted or cloned.
    n_splits : int, default=10
        Number of splits of the samples (see :func:`inception_score`).
    n_samples : int or None, default=None
        Number of samples drawn; None draws as many as X has rows.
    random_state : int, RandomState instance or None, default=None
        Seeds the shuffle, and the draws when the model's ``sample`` accepts a
        ``random_state``; an int gives the same result on every call. Models
        whose ``sample`` has no such argument use their own ``random_state``.

    See Also
    --------
    inception_score : The score of given class probabilities.
    FIDScorer : Fréchet distance between the model's samples and the data.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skgenfund import GaussianMLE, InceptionScorer
    >>> rng = np.random.RandomState(0)
    >>> X = np.vstack([rng.normal(-5, 1, (100, 1)), rng.normal(5, 1, (100, 1))])
    >>> y = np.repeat([0, 1], 100)
    >>> classifier = LogisticRegression().fit(X, y)
    >>> scorer = InceptionScorer(classifier, n_splits=2, random_state=0)
    >>> model = GaussianMLE().fit(X)  # one wide Gaussian over both classes
    >>> 1.0 <= scorer(model, X) <= 2.0
    True
    """

    def __init__(self, classifier, *, n_splits=10, n_samples=None, random_state=None):
        self.classifier = classifier
        self.n_splits = n_splits
        self.n_samples = n_samples
        self.random_state = random_state

    def __repr__(self):
        return (
            f"InceptionScorer({self.classifier!r}, n_splits={self.n_splits!r}, "
            f"n_samples={self.n_samples!r}, random_state={self.random_state!r})"
        )

    def __call__(self, estimator, X, y=None):
        """Inception Score of the samples of a fitted generative model.

        Parameters
        ----------
        estimator : estimator with a ``sample`` method
            Fitted generative model.
        X : array-like of shape (n_samples, n_features)
            Held-out data; only its number of rows is used (the default
            number of draws).
        y : None
            Ignored; present for the scorer protocol.

        Returns
        -------
        score : float
            Mean Inception Score over ``n_splits`` splits of the samples.
        """
        predict_proba = getattr(self.classifier, "predict_proba", None)
        if not callable(predict_proba):
            raise TypeError(
                "InceptionScorer needs a fitted classifier with predict_proba; "
                f"{type(self.classifier).__name__} has no predict_proba."
            )
        n_samples = check_n_samples_param(self.n_samples)
        if n_samples is None:
            n_samples = _num_samples(X)
        rng = check_random_state(self.random_state)
        drawn = draw_samples(estimator, n_samples, rng, "InceptionScorer")
        # some models return their draws grouped by component (scikit-learn's
        # mixtures do); the splits must each see an i.i.d. sample
        drawn = drawn[rng.permutation(drawn.shape[0])]
        return inception_score(predict_proba(drawn), n_splits=self.n_splits)[0]
