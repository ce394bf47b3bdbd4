"""What the metric scorers share: drawing samples from a generative model."""

import inspect

import numpy as np

from .._core.validation import check_positive_int, check_random_state


def check_n_samples_param(n_samples):
    """``None`` or a positive int (the scorers' ``n_samples`` parameter)."""
    if n_samples is None:
        return None
    return check_positive_int("n_samples", n_samples)


def draw_samples(estimator, n_samples, random_state, scorer_name):
    """Draw ``n_samples`` rows from ``estimator.sample``.

    ``sample`` may return an array (as :class:`~skgenfund.GaussianMLE` and the
    samplers do) or an ``(X, y)`` tuple (as scikit-learn's mixtures and
    :class:`~skgenfund.GenerativeClassifier` do); the rows are returned either
    way. When ``sample`` takes a ``random_state`` argument it gets a generator
    built from ``random_state``; otherwise the estimator's own
    ``random_state`` parameter decides (scikit-learn's ``GaussianMixture``).
    A ``RandomState`` passed as ``random_state`` is used (and advanced) as is.
    """
    sample = getattr(estimator, "sample", None)
    if not callable(sample):
        raise TypeError(
            f"{scorer_name} scores generative models: the estimator must have a "
            f"sample(n_samples) method, and {type(estimator).__name__} has none."
        )
    try:
        takes_random_state = "random_state" in inspect.signature(sample).parameters
    except (TypeError, ValueError):  # pragma: no cover - builtins without signature
        takes_random_state = False
    if takes_random_state:
        drawn = sample(n_samples, random_state=check_random_state(random_state))
    else:
        drawn = sample(n_samples)
    if isinstance(drawn, tuple):
        drawn = drawn[0]
    return np.asarray(drawn)
