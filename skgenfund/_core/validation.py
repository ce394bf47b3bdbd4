"""Input validation shared by every estimator of the package.

All checks are thin layers over scikit-learn's own helpers
(:func:`~sklearn.utils.validation.validate_data`,
:func:`~sklearn.utils.check_random_state`, sample-weight checks), adding the
messages that say *what* is wrong and *how* to fix it for generative models:
too few samples for a covariance, zero-variance features, unknown options.
"""

import numbers

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils.validation import _check_sample_weight, check_array, validate_data

__all__ = [
    "check_matrix",
    "check_option",
    "check_positive_int",
    "check_random_state",
    "check_sample_weight",
    "check_n_samples",
    "check_nonzero_variance",
    "validate_X",
]

FLOAT_DTYPES = (np.float64, np.float32)


def check_option(name, value, options):
    """Raise a ValueError unless ``value`` is one of ``options``.

    Parameters
    ----------
    name : str
        Name of the parameter, used in the message.
    value : object
        The value given by the user.
    options : sequence of str
        The accepted values.

    Returns
    -------
    value : object
        ``value`` itself, when it is accepted.

    Examples
    --------
    >>> from skgenfund._core.validation import check_option
    >>> check_option("covariance_type", "full", ("full", "diag"))
    'full'
    """
    if not isinstance(value, str) or value not in options:
        choices = ", ".join(repr(option) for option in options)
        raise ValueError(f"{name} must be one of {choices}; got {value!r}.")
    return value


def check_positive_int(name, value, *, minimum=1):
    """Return ``value`` as an int, raising a ValueError if it is below ``minimum``.

    Examples
    --------
    >>> from skgenfund._core.validation import check_positive_int
    >>> check_positive_int("n_samples", 3)
    3
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(
            f"{name} must be an integer >= {minimum}; got {value!r} "
            f"of type {type(value).__name__}."
        )
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}; got {value}.")
    return int(value)


def validate_X(
    estimator, X, *, reset, min_samples=1, dtype=FLOAT_DTYPES, allow_nan=False
):
    """Validate a data matrix with scikit-learn's ``validate_data``.

    NaN or infinite values, 1-D input, empty input and non-numeric data are
    rejected with scikit-learn's messages; ``reset=False`` also checks that the
    number of features matches the one seen in ``fit``.

    Parameters
    ----------
    estimator : BaseEstimator
        The estimator whose ``n_features_in_`` is set (``reset=True``) or
        checked (``reset=False``).
    X : array-like of shape (n_samples, n_features)
        The data.
    reset : bool
        True in ``fit``, False in methods that use a fitted estimator.
    min_samples : int, default=1
        The fewest rows accepted.
    dtype : dtype or tuple of dtypes, default=(float64, float32)
        Accepted dtypes; other input is converted to the first one.
    allow_nan : bool, default=False
        Accept NaN entries (missing values); infinity is still rejected.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
    """
    try:
        return validate_data(
            estimator,
            X,
            reset=reset,
            dtype=dtype,
            ensure_min_samples=min_samples,
            ensure_all_finite="allow-nan" if allow_nan else True,
        )
    except ValueError as exc:
        if "could not convert" not in str(exc):
            raise
        raise ValueError(
            f"X must be numeric, but it holds non-numeric values ({exc}). "
            "Encode categorical features as numbers first (e.g. with "
            "sklearn.preprocessing.OneHotEncoder)."
        ) from exc


def check_sample_weight(sample_weight, X):
    """Validate sample weights: finite, non-negative, not all zero.

    Parameters
    ----------
    sample_weight : array-like of shape (n_samples,) or None
        Weights; None means equal weights of 1.
    X : ndarray of shape (n_samples, n_features)
        The (validated) data the weights go with.

    Returns
    -------
    sample_weight : ndarray of shape (n_samples,), float64

    Examples
    --------
    >>> import numpy as np
    >>> from skgenfund._core.validation import check_sample_weight
    >>> check_sample_weight([1, 2], np.zeros((2, 3)))
    array([1., 2.])
    """
    if sample_weight is None:
        return np.ones(X.shape[0], dtype=np.float64)
    sample_weight = np.asarray(sample_weight)
    if sample_weight.dtype.kind not in "biuf":
        raise ValueError(
            "sample_weight must be numeric; got an array of dtype "
            f"{sample_weight.dtype}."
        )
    if sample_weight.ndim == 1 and sample_weight.shape[0] != X.shape[0]:
        raise ValueError(
            f"sample_weight has {sample_weight.shape[0]} entries but X has "
            f"{X.shape[0]} rows; pass one weight per row."
        )
    sample_weight = _check_sample_weight(
        sample_weight, X, dtype=np.float64, allow_all_zero_weights=True
    )
    if not np.all(np.isfinite(sample_weight)):
        raise ValueError(
            "sample_weight contains NaN or infinity; weights must be finite."
        )
    if np.any(sample_weight < 0):
        raise ValueError(
            "sample_weight contains negative values; weights must be >= 0 "
            "(drop a row by giving it weight 0)."
        )
    if not np.any(sample_weight > 0):
        raise ValueError(
            "sample_weight is zero for every row; at least one row needs a "
            "positive weight."
        )
    return sample_weight


def check_n_samples(n_samples, needed, *, what):
    """Raise a ValueError when there are fewer than ``needed`` samples.

    Parameters
    ----------
    n_samples : int
        The number of (positively weighted) samples available.
    needed : int
        The number required.
    what : str
        What the samples are needed for, e.g. ``"a covariance"``.
    """
    if n_samples < needed:
        raise ValueError(
            f"Found {n_samples} sample(s) but {what} needs at least {needed}. "
            "Pass more data."
        )


def check_nonzero_variance(variances, reg_covar, *, name="X"):
    """Raise a ValueError when a feature has zero variance and no regularisation.

    Parameters
    ----------
    variances : ndarray of shape (n_features,)
        Per-feature (weighted) variances of the data.
    reg_covar : float
        The regularisation added to the variances; a positive value makes the
        covariance well defined and disables the check.
    name : str, default="X"
        How the data is called in the message.
    """
    if reg_covar > 0:
        return
    scale = max(float(np.max(np.abs(variances))), 1.0)
    degenerate = np.flatnonzero(variances <= 1e-12 * scale)
    if degenerate.size:
        features = ", ".join(str(i) for i in degenerate[:10])
        more = "" if degenerate.size <= 10 else f" (and {degenerate.size - 10} more)"
        raise ValueError(
            f"Feature(s) {features}{more} of {name} have zero variance, so the "
            "Gaussian covariance is singular. Drop constant features or set "
            "reg_covar > 0 (e.g. reg_covar=1e-6)."
        )


def check_matrix(X, *, name="X", min_samples=1):
    """Validate a plain 2-D numeric array that does not belong to an estimator.

    The counterpart of :func:`validate_X` for functions (metrics, statistics):
    the data is converted to float64 (so that sums accumulate in double
    precision whatever the input dtype), must be 2-D, finite, numeric, and
    have at least ``min_samples`` rows; the messages are scikit-learn's and
    name the argument.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        The data.
    name : str, default="X"
        How the argument is called in error messages.
    min_samples : int, default=1
        The fewest rows accepted.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features), float64

    Examples
    --------
    >>> import numpy as np
    >>> from skgenfund._core.validation import check_matrix
    >>> check_matrix(np.ones((2, 3), dtype=np.float32)).dtype
    dtype('float64')
    """
    return check_array(
        X,
        dtype=np.float64,
        ensure_2d=True,
        ensure_min_samples=min_samples,
        ensure_all_finite=True,
        input_name=name,
    )
