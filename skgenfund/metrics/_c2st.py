"""The classifier two-sample test (Lopez-Paz & Oquab 2017)."""

import time

import numpy as np
from sklearn.base import clone
from sklearn.model_selection import StratifiedKFold
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from .._core.validation import (
    FAST_FLOPS_PER_SECOND,
    MAX_WORK_FLOPS,
    check_positive_int,
    check_random_state,
)
from ._features import paired_features

__all__ = ["classifier_two_sample_test"]


#: Longest the permutations may take (about three hours), as for the
#: package's other refusals of endless work.
MAX_SECONDS = MAX_WORK_FLOPS / FAST_FLOPS_PER_SECOND


def default_classifier():
    """Standardised features, then a 5-nearest-neighbour vote: fast and non-linear."""
    return make_pipeline(StandardScaler(), KNeighborsClassifier(n_neighbors=5))


def _cross_validated_correct(classifier, data, labels, folds):
    """Number of rows whose held-out prediction equals their label."""
    n_correct = 0
    for train, test in folds.split(data, labels):
        model = clone(classifier).fit(data[train], labels[train])
        n_correct += int(np.sum(np.asarray(model.predict(data[test])) == labels[test]))
    return n_correct


def classifier_two_sample_test(
    X,
    Y,
    *,
    classifier=None,
    cv=5,
    n_permutations=100,
    random_state=None,
    feature_extractor=None,
):
    """Classifier two-sample test: can a classifier tell the rows of X from Y's?

    The rows of X (label 0) and Y (label 1) are pooled and split into ``cv``
    stratified folds; the classifier is trained on all folds but one and
    predicts the held-out one, in turn. The accuracy over all rows is about
    0.5 when the two samples come from one distribution (a perfect
    generator) and near 1 when they are easy to tell apart; a classifier
    with feature importances or a visible decision function also shows
    *where* they differ.

    Parameters
    ----------
    X : array-like of shape (n_samples_X, n_features)
        First sample (e.g. real rows).
    Y : array-like of shape (n_samples_Y, n_features)
        Second sample (e.g. generated rows), in the same space.
    classifier : classifier or None, default=None
        Any scikit-learn classifier (cloned for each fold). None means
        :class:`~sklearn.preprocessing.StandardScaler` then a 5-nearest-
        neighbour vote: cheap, non-linear, no tuning.
    cv : int, default=5
        Number of stratified folds, at least 2 and at most the smaller
        sample's size.
    n_permutations : int, default=100
        Label permutations of the test: the p-value's resolution is
        ``1 / (n_permutations + 1)``. 0 skips the test (the p-value is NaN),
        as :class:`SampleScorer` does, which needs only the accuracy. The
        permutations are refused up front (a ValueError with the estimate)
        when, at the time the unpermuted cross-validation took, they would
        run for more than about three hours.
    random_state : int, RandomState instance or None, default=None
        Seeds the fold assignment and the permutations (pass a seeded
        classifier for a randomised one).
    feature_extractor : transformer, callable or None, default=None
        The feature space, as :class:`FIDScorer` takes it.

    Returns
    -------
    accuracy : float
        Cross-validated accuracy over all ``n_samples_X + n_samples_Y`` rows.
    p_value : float
        Permutation p-value of the accuracy under the null of one
        distribution: ``(1 + #{permuted accuracies >= accuracy}) /
        (n_permutations + 1)`` (one-sided: a classifier that tells the samples
        apart scores above chance).

    Raises
    ------
    ValueError
        If X and Y have different widths, NaN or infinite values, fewer than
        ``cv`` rows, or ``cv`` is below 2.

    See Also
    --------
    precision_recall : Which part of the difference is fidelity, which diversity.

    Notes
    -----
    The p-value is a permutation test of the whole procedure: the labels are
    shuffled over the pooled rows and the cross-validated accuracy computed
    again, ``n_permutations`` times. Under the null the rows are
    exchangeable, so the p-value is exact (uniform on its grid, checked by
    simulation in the tests) for any classifier. The binomial test of a
    held-out accuracy against 0.5 used by the paper is not, once the
    accuracy is cross-validated: neighbouring rows in different folds
    predict each other's labels, which makes the folds' counts positively
    correlated (with nearest neighbours the binomial p-value falls below
    0.05 in about 7% of null cases), and for unequal sizes chance accuracy is
    not 0.5 (always predicting the larger sample beats it).

    Cost: ``cv * (n_permutations + 1)`` fits and predictions of the
    classifier on the pooled rows.

    References
    ----------
    .. [1] D. Lopez-Paz and M. Oquab, "Revisiting classifier two-sample
       tests", ICLR 2017.

    Examples
    --------
    Two samples of one distribution (accuracy is noise around 0.5), then
    a shifted one (19 permutations: the smallest p-value is 1/20):

    >>> import numpy as np
    >>> from skgenfund import classifier_two_sample_test
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(0.0, 1.0, (150, 2))
    >>> classifier_two_sample_test(X, rng.normal(0.0, 1.0, (150, 2)),
    ...                            n_permutations=19, random_state=0)
    (0.42, 1.0)
    >>> classifier_two_sample_test(X, rng.normal(1.5, 1.0, (150, 2)),
    ...                            n_permutations=19, random_state=0)
    (0.82, 0.05)
    """
    X, Y = paired_features(
        X, Y, feature_extractor, "classifier_two_sample_test", names=("X", "Y")
    )
    cv = check_positive_int("cv", cv, minimum=2)
    smaller = min(X.shape[0], Y.shape[0])
    if cv > smaller:
        raise ValueError(
            f"cv={cv} stratified folds need at least {cv} rows in each sample; the "
            f"smaller sample has {smaller}. Pass a smaller cv or more rows."
        )
    if classifier is None:
        classifier = default_classifier()
    elif not (hasattr(classifier, "fit") and hasattr(classifier, "predict")):
        raise TypeError(
            "classifier must be a scikit-learn classifier with fit and predict; "
            f"got {type(classifier).__name__}."
        )
    n_permutations = check_positive_int("n_permutations", n_permutations, minimum=0)
    rng = check_random_state(random_state)
    data = np.vstack([X, Y])
    labels = np.concatenate([np.zeros(X.shape[0], int), np.ones(Y.shape[0], int)])
    folds = StratifiedKFold(cv, shuffle=True, random_state=rng.randint(2**31 - 1))
    start = time.perf_counter()
    n_correct = _cross_validated_correct(classifier, data, labels, folds)
    seconds = time.perf_counter() - start
    accuracy = n_correct / data.shape[0]
    if n_permutations == 0:
        return accuracy, float("nan")
    if n_permutations * seconds > MAX_SECONDS:
        raise ValueError(
            f"n_permutations={n_permutations:,} would take about "
            f"{n_permutations * seconds / 3600:,.1f} hours: each permutation "
            f"repeats the {cv}-fold cross-validation, which took {seconds:.3g} s. "
            f"Ask for fewer (the p-value's resolution is 1 / (n_permutations + 1): "
            "999 resolve 0.001), or a faster classifier."
        )
    at_least = sum(
        _cross_validated_correct(classifier, data, rng.permutation(labels), folds)
        >= n_correct
        for _ in range(n_permutations)
    )
    return accuracy, (1.0 + at_least) / (n_permutations + 1.0)
