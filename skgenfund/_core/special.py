"""The one log-sum-exp of the package (and the normalisation built on it)."""

import numpy as np
from scipy.special import logsumexp as _scipy_logsumexp

__all__ = ["log_normalize", "logsumexp"]


def logsumexp(a, axis=None, b=None):
    """Stable ``log(sum(b * exp(a)))`` along ``axis``.

    Rows that are entirely ``-inf`` give ``-inf`` (not NaN), so an impossible
    point stays impossible rather than poisoning later arithmetic.

    Examples
    --------
    >>> import numpy as np
    >>> from skgenfund._core.special import logsumexp
    >>> float(logsumexp(np.log([1.0, 3.0])))
    1.38629
    """
    if (
        b is None
        and axis is not None
        and isinstance(a, np.ndarray)
        and a.dtype.kind == "f"
        and a.size
    ):
        # scipy's array-API dispatch costs ~50 us a call; this is its
        # algorithm (shift by the finite maximum) in plain NumPy
        top = np.max(a, axis=axis, keepdims=True)
        top = np.where(np.isfinite(top), top, 0.0)
        with np.errstate(divide="ignore"):
            total = np.log(np.sum(np.exp(a - top), axis=axis))
        return total + np.squeeze(top, axis=axis)
    return _scipy_logsumexp(a, axis=axis, b=b)


def log_normalize(log_values, axis=-1):
    """Normalise log-values along ``axis`` so their exponentials sum to one.

    Returns
    -------
    log_normalized : ndarray
        ``log_values - logsumexp(log_values, axis)``.
    log_norm : ndarray
        The subtracted normaliser.

    Examples
    --------
    >>> import numpy as np
    >>> from skgenfund._core.special import log_normalize
    >>> log_p, log_z = log_normalize(np.log([[1.0, 3.0]]), axis=1)
    >>> np.exp(log_p)
    array([[0.25, 0.75]])
    """
    log_norm = logsumexp(log_values, axis=axis)
    with np.errstate(under="ignore", invalid="ignore"):
        log_normalized = log_values - np.expand_dims(log_norm, axis)
    return log_normalized, log_norm
