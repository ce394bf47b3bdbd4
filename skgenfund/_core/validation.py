"""Input validation shared by every estimator of the package.

All checks are thin layers over scikit-learn's own helpers
(:func:`~sklearn.utils.validation.validate_data`,
:func:`~sklearn.utils.check_random_state`, sample-weight checks), adding the
messages that say *what* is wrong and *how* to fix it for generative models:
too few samples for a covariance, zero-variance features, unknown options.
"""

import math
import numbers
import os

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils.validation import _check_sample_weight, check_array, validate_data

__all__ = [
    "check_matrix",
    "check_n_draws",
    "check_real",
    "check_option",
    "check_positive_int",
    "check_random_state",
    "check_sample_weight",
    "check_n_samples",
    "constant_features",
    "validate_X",
]

FLOAT_DTYPES = (np.float64, np.float32)


def _quiet_finiteness_check():
    """Where scikit-learn's checks run: no numpy warning before their errors.

    Its finiteness check sums the array first: inf and -inf in it make numpy
    warn "invalid value encountered in reduce" just before the clear
    ValueError is raised.
    """
    return np.errstate(invalid="ignore", over="ignore")


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
        got = (
            repr(value)
            if isinstance(value, str)
            else (f"{value!r} of type {type(value).__name__}")
        )
        raise ValueError(f"{name} must be one of {choices}; got {got}.")
    return value


def check_real(name, value, *, low=None, include_low=True, high=None, finite=True):
    """Return ``value`` as a float, raising a ValueError naming ``name`` otherwise.

    Strings, None, arrays and booleans are refused with a message that says
    what was expected (never a raw ``TypeError`` from a comparison).

    Parameters
    ----------
    name : str
        Name of the parameter, used in the message.
    value : object
        The value given by the user.
    low : float or None, default=None
        Lower bound.
    include_low : bool, default=True
        Whether ``low`` itself is accepted.
    high : float or None, default=None
        Inclusive upper bound.
    finite : bool, default=True
        Refuse infinity (NaN is always refused).

    Examples
    --------
    >>> from skgenfund._core.validation import check_real
    >>> check_real("reg_covar", 0, low=0.0)
    0.0
    """
    if low is None:
        wanted = "a real number"
    else:
        wanted = f"a real number {'>=' if include_low else '>'} {low:g}"
    if high is not None:
        wanted += f" and <= {high:g}"
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        raise ValueError(
            f"{name} must be {wanted}; got {value!r} of type {type(value).__name__}."
        )
    value = float(value)
    bad = math.isnan(value) or (finite and not np.isfinite(value))
    if low is not None:
        bad = bad or value < low or (not include_low and value == low)
    if high is not None:
        bad = bad or value > high
    if bad:
        raise ValueError(f"{name} must be {wanted}; got {value!r}.")
    return value


def _physical_memory():
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):  # pragma: no cover - not POSIX
        return None


def _bytes(n_bytes):
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if n_bytes < 1024 or unit == "PiB":
            return f"{n_bytes:.3g} {unit}"
        n_bytes /= 1024


def check_n_draws(n_samples, n_features, *, name="n_samples", copies=1):
    """Validate a number of draws and refuse up front what memory cannot hold.

    The draws come back as a float64 array of shape (n_samples, n_features);
    when that array (times ``copies``, the working arrays the method needs
    alongside) would exceed the machine's physical memory, a ValueError says
    how much it would need, instead of the call running until memory runs out.

    Parameters
    ----------
    n_samples : int
        The number requested (an integer >= 1).
    n_features : int
        Columns per draw.
    name : str, default="n_samples"
        The parameter's name, for the message.
    copies : float, default=1
        How many arrays of that size the method holds at once.

    Returns
    -------
    n_samples : int

    Examples
    --------
    >>> from skgenfund._core.validation import check_n_draws
    >>> check_n_draws(10, 3)
    10
    """
    n_samples = check_positive_int(name, n_samples)
    needed = float(n_samples) * max(int(n_features), 1) * 8 * copies
    available = _physical_memory()
    if available is not None and needed > available:
        raise ValueError(
            f"{name}={n_samples} rows of {n_features} feature(s) would need "
            f"{_bytes(needed)} of memory, more than this machine's "
            f"{_bytes(available)}. Ask for fewer (call again in batches of at "
            f"most {max(1, int(available // (needed / n_samples)) // 4)})."
        )
    return n_samples


#: Most floating-point operations one call may cost before it is refused up
#: front (about three hours even at 100 GFLOP/s).
MAX_WORK_FLOPS = 10**15
#: Arithmetic rate assumed in the time a refused call would take.
FAST_FLOPS_PER_SECOND = 1e11


def check_work(flops, what, fix):
    """Refuse up front a call whose arithmetic could not finish in a session.

    Parameters
    ----------
    flops : float
        An estimate of the floating-point operations the call would do.
    what : str
        The call, for the message ("kernel_distance with n_subsets=...").
    fix : str
        How to ask for less, for the message.

    Examples
    --------
    >>> from skgenfund._core.validation import check_work
    >>> check_work(1e9, "a small call", "")
    >>> check_work(1e18, "A huge call", "Ask for less.")
    Traceback (most recent call last):
    ...
    ValueError: A huge call would cost about 1e+18 floating-point operations, 2,778
    hours even at 100 GFLOP/s; calls of more than 1e+15 are refused. Ask for less.
    """
    flops = float(flops)
    if flops > MAX_WORK_FLOPS:
        hours = flops / FAST_FLOPS_PER_SECOND / 3600.0
        raise ValueError(
            f"{what} would cost about {flops:.0e} floating-point operations, "
            f"{hours:,.0f} hours even at {FAST_FLOPS_PER_SECOND / 1e9:.0f} GFLOP/s; "
            f"calls of more than {MAX_WORK_FLOPS:.0e} are refused. {fix}"
        )


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
        with _quiet_finiteness_check():
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
    if isinstance(sample_weight, str):
        raise ValueError(
            f"sample_weight must be a number or an array of numbers; got "
            f"{sample_weight!r}."
        )
    sample_weight = np.asarray(sample_weight)
    if sample_weight.ndim == 0 and sample_weight.dtype.kind in "biuf":
        # a scalar weighs every row the same, as scikit-learn accepts
        sample_weight = np.full(X.shape[0], float(sample_weight))
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
    with _quiet_finiteness_check():
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


#: A feature whose values agree to within this fraction of their magnitude
#: (about 12.6 significant digits) is constant as far as float64 can tell.
RESOLUTION = 1e3 * np.finfo(np.float64).eps


def constant_features(X, variances, sample_weight=None, *, name="X"):
    """Which features are constant at float64 precision, checking the range.

    The test is relative to each feature's own magnitude, as floating-point
    precision is: a feature is constant when its values (over the rows of
    positive weight) agree to within :data:`RESOLUTION` of their largest
    absolute value. Data scaled by 1e-7, or features differing 1e6-fold in
    scale, are therefore not constant; a column of equal values is, whatever
    their size.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        The (validated, finite) data.
    variances : ndarray of shape (n_features,)
        Their (weighted) variances, as the estimator computed them.
    sample_weight : ndarray of shape (n_samples,) or None
        Rows of weight zero take no part.
    name : str, default="X"
        How the data is called in messages.

    Returns
    -------
    constant : ndarray of bool, shape (n_features,)

    Raises
    ------
    ValueError
        If a variance overflows float64 (values near 1e154 and beyond) or a
        non-constant feature's variance underflows it (values near 1e-154
        and below): the message names the features and says to rescale.

    Examples
    --------
    >>> import numpy as np
    >>> from skgenfund._core.validation import constant_features
    >>> X = np.array([[1e-7, 5.0], [3e-7, 5.0]])
    >>> constant_features(X, X.var(axis=0))
    array([False,  True])
    """
    rows = X if sample_weight is None else X[sample_weight > 0]
    magnitude = np.max(np.abs(rows), axis=0)
    spread = np.max(rows, axis=0) - np.min(rows, axis=0)
    variances = np.asarray(variances, dtype=np.float64)
    overflow = ~np.isfinite(variances) | ~np.isfinite(spread)
    if np.any(overflow):
        raise ValueError(
            f"The variance of feature(s) {_list(overflow)} of {name} overflows "
            f"float64 (values up to {np.max(magnitude[overflow]):.3g}). Rescale "
            "the data (e.g. with sklearn.preprocessing.StandardScaler) first."
        )
    constant = spread <= RESOLUTION * magnitude
    underflow = ~constant & (variances < np.finfo(np.float64).tiny)
    if np.any(underflow):
        raise ValueError(
            f"Feature(s) {_list(underflow)} of {name} vary on a scale of "
            f"{np.min(spread[underflow]):.3g}, whose variance underflows "
            "float64. Rescale the data (e.g. with "
            "sklearn.preprocessing.StandardScaler) first."
        )
    return constant


def _list(mask):
    """The indices where ``mask`` holds, as text (the first ten)."""
    indices = np.flatnonzero(mask)
    text = ", ".join(str(i) for i in indices[:10])
    return text if indices.size <= 10 else f"{text} (and {indices.size - 10} more)"


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
    with _quiet_finiteness_check():
        return check_array(
            X,
            dtype=np.float64,
            ensure_2d=True,
            ensure_min_samples=min_samples,
            ensure_all_finite=True,
            input_name=name,
        )
