"""The feature space of a two-sample metric: one validation path for all of them."""

from .._core.validation import check_matrix
from ._fid import extract_features, resolve_feature_extractor


def paired_features(
    real,
    generated,
    feature_extractor,
    owner,
    *,
    names=("real", "generated"),
    min_samples=2,
):
    """Map both sets to the metric's feature space and validate them.

    ``feature_extractor`` is None (the identity), a fitted transformer, an
    unfitted one (then fitted on ``real``, the reference) or a callable, as
    :class:`~skgenfund.FIDScorer` takes. Returns two float64 matrices of the
    same width, finite, with at least ``min_samples`` rows each.
    """
    extractor = resolve_feature_extractor(feature_extractor, real, owner)
    if extractor is None:
        first = check_matrix(real, name=names[0], min_samples=min_samples)
        second = check_matrix(generated, name=names[1], min_samples=min_samples)
    else:
        first = extract_features(extractor, real, f"the features of {names[0]}")
        second = extract_features(extractor, generated, f"the features of {names[1]}")
        for name, features in zip(names, (first, second)):
            if features.shape[0] < min_samples:
                raise ValueError(
                    f"{owner} needs at least {min_samples} rows of {name}; got "
                    f"{features.shape[0]}."
                )
    if first.shape[1] != second.shape[1]:
        raise ValueError(
            f"{names[0]} and {names[1]} have different widths ({first.shape[1]} and "
            f"{second.shape[1]} features); {owner} compares rows of one feature "
            "space, so extract both with the same feature extractor."
        )
    return first, second
