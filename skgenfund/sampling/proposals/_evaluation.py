"""The target as the engines evaluate it: log p, and grad log p when a move needs it.

:class:`Evaluation` wraps a :class:`~skgenfund.sampling._target.Distribution`
and an optional user gradient. It offers

* ``numpy(X, gradient)``: log-densities (and gradients) of an (n, d) array,
  checked (NaN or +inf is an error naming the point), for the NumPy engine;
* ``compiled(gradient)``: the argument a compiled chain kernel takes for the
  target (the package's own densities as a tuple of arrays, a user's
  ``@njit`` functions as themselves), or None when the chain cannot run
  compiled.

Gradients come analytically from the package's own densities (anything with
``_mixture_density()``: one formula for GaussianMLE, EMGaussianMixture and
any other Gaussian mixture in canonical form), or from ``gradient=``: a
callable (n, d) -> (n, d) or an ``@njit`` function of one point returning a
(d,) array.
"""

import numpy as np

from ..._core.gaussian import mixture_log_prob_and_gradient
from .._target import _is_njit, check_log_density
from ._compiled import value_and_gradient

NO_GRADIENT = (
    "proposal='mala' needs the gradient of the log-density, and the target {what} "
    "has none that skgenfund can compute. Pass gradient=<a callable returning an "
    "(n, d) array of gradients for an (n, d) array of points>, or an @njit "
    "function of one point returning a (d,) array; or use proposal='adaptive', "
    "which needs no gradient."
)


def _describe(distribution):
    return f"({type(distribution.source).__name__})"


class Evaluation:
    """log p (and grad log p) of a target for the engines.

    Parameters
    ----------
    distribution : Distribution
        The target.
    gradient : callable, @njit function or None
        The user's gradient, if any.
    needs_gradient : bool
        The proposal uses gradients: without an analytic or given gradient
        this raises a ValueError saying how to provide one.
    """

    def __init__(self, distribution, gradient=None, needs_gradient=False):
        self.distribution = distribution
        self.gradient = gradient
        self._gradient_njit = gradient is not None and _is_njit(gradient)
        self._mixture = distribution.mixture if distribution.kind == "mixture" else None
        if gradient is not None and not callable(gradient):
            raise TypeError(
                "gradient must be a callable (n, d) -> (n, d) or an @njit "
                f"function of one point returning a (d,) array; got "
                f"{type(gradient).__name__}."
            )
        if needs_gradient and gradient is None and self._mixture is None:
            raise ValueError(NO_GRADIENT.format(what=_describe(distribution)))

    # ------------------------------------------------------------ NumPy
    def numpy(self, X, gradient=False):
        """(log p (n,), grad log p (n, d) or None) at the rows of X, checked."""
        X = np.ascontiguousarray(X, dtype=np.float64)
        d = self.distribution
        if self._mixture is not None and (self.gradient is None or not gradient):
            lp, grad = mixture_log_prob_and_gradient(X, self._mixture, gradient)
            lp = check_log_density(lp, X, d.name)
        elif d.kind == "njit":
            d._check_njit(X)  # one float for one point, or a clear TypeError
            func = d.func
            lp = check_log_density(np.array([func(x) for x in X]), X, d.name)
            grad = self._user_gradient(X) if gradient else None
        else:
            lp = d.log_prob(X)
            grad = self._user_gradient(X) if gradient else None
        if gradient:
            self._check_gradient(grad, X, lp)
        return lp, grad

    def _user_gradient(self, X):
        if self._gradient_njit:
            return np.array([self.gradient(x) for x in X], dtype=np.float64)
        grad = np.asarray(self.gradient(X), dtype=np.float64)
        if grad.shape != X.shape:
            raise ValueError(
                f"gradient must return an array shaped as its input: given shape "
                f"{X.shape} it returned shape {grad.shape}."
            )
        return grad

    @staticmethod
    def _check_gradient(grad, X, lp):
        bad = ~np.all(np.isfinite(grad), axis=1) & (lp > -np.inf)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise ValueError(
                f"The gradient of the log-density is not finite at x = "
                f"{np.array2string(X[i], precision=6)}: "
                f"{np.array2string(grad[i], precision=6)}. A gradient must be "
                "finite wherever the density is positive."
            )

    # --------------------------------------------------------- compiled
    def compiled(self, gradient=False):
        """The target argument of a compiled chain kernel, or None."""
        d = self.distribution
        if self._mixture is not None and (self.gradient is None or not gradient):
            return tuple(self._mixture)
        if d.kind == "njit":
            if not gradient:
                return d.func
            if self._gradient_njit:
                return value_and_gradient(d.func, self.gradient)
        return None

    @staticmethod
    def failure_message(code, point, chain):
        """The error of a compiled kernel's failure code at ``point``."""
        where = np.array2string(point, precision=6)
        if code <= -2:
            return (
                f"The gradient of the log-density is not finite at x = {where} "
                f"(chain {chain}, step {-2 - code}). A gradient must be finite "
                "wherever the density is positive."
            )
        return (
            f"The target's log-density is NaN or +inf at x = {where} (chain "
            f"{chain}, step {code}). "
            "A log-density must be finite, or -inf where the density is zero."
        )
