"""The one target abstraction shared by the three samplers.

A *target* (or a proposal) may be given as

* an estimator with ``score_samples`` (fitted, or unfitted and then fitted on
  ``X``); the package's own fitted densities (anything with a
  ``_mixture_density()`` method) are recognised and evaluated by compiled
  kernels;
* a :mod:`scipy.stats` frozen continuous distribution (its ``logpdf``);
* a Numba ``@njit`` function of one point (a 1-D array of length d) returning
  a float;
* a Python callable receiving an (n, d) array and returning n log-densities.

:func:`as_distribution` turns any of these into a :class:`Distribution`, which
evaluates log-densities of (n, d) arrays (checking that every value is finite
or -inf, and naming the point otherwise), knows its dimension when it can,
and draws samples when the underlying object can.
"""

import numbers
import re
import warnings

import numpy as np
from scipy import stats
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

from .._core.gaussian import (
    compute_precision_cholesky,
    estimate_gaussian_parameters,
    log_gaussian_prob,
    sample_gaussian,
)

__all__ = [
    "Distribution",
    "as_distribution",
    "check_log_density",
    "check_log_ratio_resolution",
    "target_and_proposal",
    "wide_gaussian",
]

KINDS = ("mixture", "njit", "callable", "estimator", "scipy", "gaussian")


def _is_njit(obj):
    if not callable(obj):
        return False
    try:
        from numba.extending import is_jitted
    except ImportError:  # pragma: no cover - numba is a dependency
        return False
    return is_jitted(obj)


def _is_scipy_frozen(obj):
    return hasattr(obj, "rvs") and (hasattr(obj, "logpdf") or hasattr(obj, "logpmf"))


def check_log_density(values, X, name="target"):
    """Return ``values`` as a float array of shape (n,), or raise naming the point.

    A log-density must be finite, or ``-inf`` where the density is zero; NaN
    or ``+inf`` is an error that says at which point it happened.

    Examples
    --------
    >>> import numpy as np
    >>> from skgenfund.sampling._target import check_log_density
    >>> check_log_density([0.0, -np.inf], np.zeros((2, 1)))
    array([  0., -inf])
    """
    n_samples = X.shape[0]
    values = np.asarray(values, dtype=np.float64)
    if values.size != n_samples:
        raise ValueError(
            f"The {name} must return one log-density per row: given an array of "
            f"shape {X.shape} it returned shape {values.shape}."
        )
    values = values.reshape(n_samples)
    bad = np.isnan(values) | (values == np.inf)
    if bad.any():
        index = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"The {name}'s log-density is {values[index]} at x = "
            f"{np.array2string(X[index], precision=6)} (row {index} of the batch). "
            "A log-density must be finite, or -inf where the density is zero."
        )
    return values


#: The coarsest resolution (in nats) of log-ratios log p - log q that still
#: gives ratios right to about 0.1%.
LOG_RATIO_RESOLUTION = 1e-3


def check_log_ratio_resolution(log_ratios, what):
    """Refuse log-ratios ``log p - log q`` so large that float64 cannot tell them apart.

    A log-density with a huge additive constant (1e20, 1e300) leaves the
    log-ratios spaced by ``spacing(1e20)`` = 16384 nats: every importance
    weight (or acceptance probability) is then 0 or 1 and the answer is
    silently wrong. The constant cannot be recovered after the fact, so the
    error says to drop it.

    Examples
    --------
    >>> import numpy as np
    >>> from skgenfund.sampling._target import check_log_ratio_resolution
    >>> check_log_ratio_resolution(np.array([1e3, -np.inf]), "log-weights")
    """
    finite = np.asarray(log_ratios)[np.isfinite(log_ratios)]
    if finite.size == 0:
        return
    largest = float(np.max(np.abs(finite)))
    step = float(np.spacing(largest))
    if step > LOG_RATIO_RESOLUTION:
        raise ValueError(
            f"The {what} log p(x) - log q(x) reach {largest:.3g} in size, where "
            f"float64 resolves only steps of {step:.3g} nats, so the ratios p / q "
            "would be meaningless. Either the target's log-density carries a huge "
            "constant (subtract it: an unnormalised log-density needs no "
            "constant), or the proposal is far narrower than the target (use a "
            "wider one)."
        )


class Distribution:
    """A log-density (and, when possible, a sampler) behind one interface.

    Build it with :func:`as_distribution`; the attributes say which path the
    samplers may take:

    Attributes
    ----------
    kind : str
        ``"mixture"`` (the package's own fitted densities: compiled kernels),
        ``"njit"`` (a Numba function of one point: compiled kernels),
        ``"callable"``, ``"estimator"``, ``"scipy"`` or ``"gaussian"`` (the
        default wide Gaussian proposal).
    n_features : int or None
        Dimension, when the object tells it; None for bare callables.
    source : object
        The (fitted) object behind the distribution.
    mixture : MixtureDensity or None
        The canonical mixture form, for ``kind == "mixture"``.
    func : numba dispatcher or None
        The compiled point log-density, for ``kind == "njit"``.
    """

    def __init__(self, kind, source, n_features=None, name="target"):
        self.kind = kind
        self.source = source
        self.n_features = n_features
        self.name = name
        self.mixture = source._mixture_density() if kind == "mixture" else None
        self.func = source if kind == "njit" else None
        self._univariate = kind == "scipy" and isinstance(
            getattr(source, "dist", None), stats.rv_continuous
        )
        self._quiet = kind in ("mixture", "estimator") and hasattr(
            source, "feature_names_in_"
        )
        self._checked = kind != "njit"

    def _check_njit(self, X):
        """Call the @njit function once from Python: one float for one point.

        A Numba function that returns an array, or cannot be compiled for a
        1-D float64 array, would otherwise fail deep inside a compiled kernel
        with a Numba typing dump; here it is a TypeError that says what the
        function must be.
        """
        if self._checked or X.shape[0] == 0:
            return
        from numba.core.errors import NumbaError

        point = np.ascontiguousarray(X[0], dtype=np.float64)
        what = (
            f"The {self.name} is a Numba @njit function, so it must take one point "
            f"(a 1-D float64 array of length {point.shape[0]}) and return one float "
            "(its log-density)"
        )
        try:
            value = self.func(point)
        except NumbaError as exc:
            lines = [
                re.sub(r"\x1b\[[0-9;]*m", "", line).strip()
                for line in str(exc).splitlines()
            ]
            useful = [
                line for line in lines if line and not line.startswith("Failed in")
            ]
            raise TypeError(
                f"{what}; Numba cannot compile it for such a point: "
                f"{useful[0] if useful else type(exc).__name__}"
            ) from None
        if np.ndim(value) != 0 or not isinstance(
            value, numbers.Real | np.floating | np.integer
        ):
            shape = np.shape(value)
            raise TypeError(
                f"{what}; it returned {type(value).__name__}"
                f"{f' of shape {shape}' if shape else ''}. Reduce it to one value "
                "(e.g. return the sum of the per-coordinate terms)."
            )
        self._checked = True

    @property
    def compiled(self):
        """True when a whole Markov chain can run in compiled code."""
        return self.kind in ("mixture", "njit")

    @property
    def can_sample(self):
        """True when the distribution can draw samples."""
        if self.kind in ("scipy", "gaussian"):
            return True
        return self.kind in ("mixture", "estimator") and hasattr(self.source, "sample")

    def _raw_log_prob(self, X):
        if self.kind == "mixture":
            from ._kernels import mixture_log_density_rows

            mixture = self.mixture
            return mixture_log_density_rows(
                X,
                mixture.log_weights,
                mixture.means,
                mixture.precisions_cholesky,
                mixture.log_dets,
            )
        if self.kind == "njit":
            from ._kernels import function_log_density_rows

            self._check_njit(X)
            return function_log_density_rows(self.func, X)
        if self.kind == "scipy":
            return self.source.logpdf(X[:, 0] if self._univariate else X)
        if self.kind in ("estimator", "gaussian"):
            if self._quiet:
                with warnings.catch_warnings():
                    warnings.filterwarnings(
                        "ignore", message="X does not have valid feature names"
                    )
                    return self.source.score_samples(X)
            return self.source.score_samples(X)
        return self.source(X)

    def log_prob(self, X):
        """Log-density of every row of ``X`` (n, d), checked.

        Raises
        ------
        ValueError
            If a value is NaN or +inf (the message names the point), or if the
            number of values is not one per row.
        """
        X = np.ascontiguousarray(X, dtype=np.float64)
        return check_log_density(self._raw_log_prob(X), X, self.name)

    def rejection_test(self, X, log_q, e, log_envelope):
        """Rejection test of proposals X: keep where ``-e < log p - log q - log M``.

        For compiled targets the evaluation and the test run in one kernel.

        Returns
        -------
        accepted : ndarray of shape (n_accepted, d)
            The accepted rows of X, in order.
        excess : float
            Largest ``log p - log q - log M`` (positive: the envelope is too
            small there).
        worst : ndarray of shape (d,)
            The row where it occurred.
        """
        X = np.ascontiguousarray(X, dtype=np.float64)
        if self.compiled:
            from . import _kernels

            if self.kind == "njit":
                self._check_njit(X)
            if self.kind == "mixture":
                accepted, excess, where, bad = _kernels.rejection_test_mixture(
                    X, log_q, e, log_envelope, *self.mixture
                )
            else:
                accepted, excess, where, bad = _kernels.rejection_test_function(
                    self.func, X, log_q, e, log_envelope
                )
            if bad >= 0:  # reports the NaN or +inf value and its point
                check_log_density(
                    self._raw_log_prob(X[bad : bad + 1]), X[bad : bad + 1], self.name
                )
            return accepted, excess, X[where]
        log_ratio = self.log_prob(X) - log_q - log_envelope
        where = int(np.argmax(log_ratio))
        return X[-e < log_ratio], float(log_ratio[where]), X[where]

    def sample(self, n_samples, rng):
        """Draw ``n_samples`` rows with the numpy Generator ``rng``.

        Returns
        -------
        X : ndarray of shape (n_samples, n_features)
        """
        if not self.can_sample:
            raise TypeError(f"The {self.name} cannot draw samples.")
        if self.kind == "scipy":
            draws = self.source.rvs(size=n_samples, random_state=rng)
        else:
            seed = int(rng.integers(2**32 - 1))
            draws = self.source.sample(n_samples, random_state=seed)
            if isinstance(draws, tuple):  # mixtures return (X, labels)
                draws = draws[0]
        draws = np.ascontiguousarray(draws, dtype=np.float64).reshape(n_samples, -1)
        if not np.all(np.isfinite(draws)):
            row = int(np.flatnonzero(~np.all(np.isfinite(draws), axis=1))[0])
            raise ValueError(
                f"The {self.name} drew a non-finite value: x = "
                f"{np.array2string(draws[row], precision=6)} (draw {row}). Check "
                f"the {self.name}'s parameters (a NaN or infinite location or "
                "scale?)."
            )
        return draws

    def sample_with_log_prob(self, n_samples, rng):
        """Draws and their own log-densities (as a proposal needs both).

        Raises
        ------
        ValueError
            If the log-density is -inf at one of the distribution's own draws
            (its sampler and its density disagree).
        """
        X = self.sample(n_samples, rng)
        log_density = self.log_prob(X)
        if not np.all(np.isfinite(log_density)):
            bad = int(np.flatnonzero(~np.isfinite(log_density))[0])
            raise ValueError(
                f"The {self.name}'s log-density is -inf at its own draw x = "
                f"{np.array2string(X[bad])}: its sampler and its density disagree."
            )
        return X, log_density


class _WideGaussian:
    """A Gaussian N(mean, covariance) evaluated and sampled by the shared core."""

    def __init__(self, mean, covariance):
        self.mean = np.asarray(mean, dtype=np.float64)
        self.covariance = np.asarray(covariance, dtype=np.float64)
        self.precision_cholesky = compute_precision_cholesky(
            self.covariance[np.newaxis], "full"
        )

    def score_samples(self, X):
        return log_gaussian_prob(
            X, self.mean[np.newaxis], self.precision_cholesky, "full"
        )[:, 0]

    def sample(self, n_samples, random_state=None):
        rng = np.random.RandomState(random_state)
        return sample_gaussian(rng, self.mean, self.covariance, "full", n_samples)


def wide_gaussian(X, scale=1.5):
    """The default proposal: the Gaussian fit of X with standard deviations x ``scale``.

    A tiny ridge (1e-9 of the average variance) keeps the covariance positive
    definite when a feature of X is constant.

    Examples
    --------
    >>> import numpy as np
    >>> from skgenfund.sampling._target import wide_gaussian
    >>> q = wide_gaussian(np.array([[0.0], [2.0]]))
    >>> q.source.mean, q.source.covariance
    (array([1.]), array([[2.25]]))
    """
    _, means, covariances = estimate_gaussian_parameters(
        X, np.ones((X.shape[0], 1)), 0.0, "full", empty_guard=False
    )
    covariance = covariances[0] * scale**2
    n_features = X.shape[1]
    ridge = 1e-9 * max(np.trace(covariance) / n_features, np.finfo(float).tiny)
    covariance.flat[:: n_features + 1] += ridge
    gaussian = _WideGaussian(means[0], covariance)
    return Distribution("gaussian", gaussian, n_features, name="proposal")


def _scipy_dimension(obj):
    if isinstance(getattr(obj, "dist", None), stats.rv_continuous):
        return 1
    dim = getattr(obj, "dim", None)
    if dim is not None:
        return int(dim)
    draws = np.asarray(obj.rvs(size=2, random_state=0))
    return 1 if draws.ndim < 2 else int(draws.shape[-1])


def _is_fitted(estimator):
    try:
        check_is_fitted(estimator)
    except NotFittedError:
        return False
    return True


def as_distribution(obj, X=None, *, name="target", default=None):
    """Wrap a target or proposal as a :class:`Distribution`.

    Parameters
    ----------
    obj : estimator, scipy.stats frozen distribution, callable or None
        What the user passed; see the module notes.
    X : ndarray of shape (n_samples, n_features) or None
        Validated data: unfitted estimators (and ``default``) are fitted on it
        (a clone is fitted; the user's object is left untouched).
    name : str, default="target"
        How the object is called in error messages.
    default : estimator or None
        Used when ``obj`` is None.

    Returns
    -------
    distribution : Distribution
    """
    if obj is None:
        if default is None:
            raise ValueError(f"A {name} is required.")
        if X is None:
            raise ValueError(
                f"{name}=None fits {type(default).__name__} on X, but fit was "
                f"called without X. Pass X to fit, or pass a {name}."
            )
        if X.shape[0] < 2:
            raise ValueError(
                f"{name}=None fits {type(default).__name__} on X, which needs at "
                f"least 2 rows to have a spread; X has {X.shape[0]} sample(s). "
                f"Pass more data, or pass a {name}."
            )
        obj = default
    if isinstance(obj, _WideGaussian):
        return Distribution("gaussian", obj, obj.mean.shape[0], name=name)
    if hasattr(obj, "score_samples"):
        if not _is_fitted(obj):
            if X is None:
                raise ValueError(
                    f"The {name} {type(obj).__name__} is not fitted and fit was "
                    f"called without X to fit it on. Pass X to fit, or pass a "
                    f"fitted {name}."
                )
            obj = clone(obj).fit(X)
        n_features = getattr(obj, "n_features_in_", None)
        kind = "mixture" if hasattr(obj, "_mixture_density") else "estimator"
        return Distribution(kind, obj, n_features, name=name)
    if _is_scipy_frozen(obj):
        if not hasattr(obj, "logpdf"):
            raise ValueError(
                f"The {name} is a discrete scipy.stats distribution; the samplers "
                "need a continuous one (a log-density, logpdf)."
            )
        return Distribution("scipy", obj, _scipy_dimension(obj), name=name)
    if _is_njit(obj):
        return Distribution("njit", obj, None, name=name)
    if callable(obj):
        return Distribution("callable", obj, None, name=name)
    raise TypeError(
        f"Cannot use an object of type {type(obj).__name__} as a {name}: pass an "
        "estimator with score_samples, a scipy.stats frozen distribution, a Numba "
        "@njit function of one point or a callable returning one log-density per "
        "row of an (n, d) array."
    )


def target_and_proposal(target, proposal, X):
    """The target and a proposal that can sample, for rejection and importance.

    ``target=None`` is :class:`~skgenfund.GaussianMLE` fitted on X and
    ``proposal=None`` the wide Gaussian around X.

    Returns
    -------
    target, proposal : Distribution
    n_features : int
    """
    from ..density import GaussianMLE

    target = as_distribution(target, X, default=GaussianMLE())
    if proposal is None:
        if X is None or X.shape[0] < 2:
            raise ValueError(
                "proposal=None uses a wide Gaussian around X, but fit was called "
                + ("without X" if X is None else f"with {X.shape[0]} sample(s) in X")
                + ". Pass X (at least 2 rows) to fit, or pass a proposal."
            )
        proposal = wide_gaussian(X)
    else:
        proposal = as_distribution(proposal, X, name="proposal")
    if not proposal.can_sample:
        raise ValueError(
            "The proposal must draw samples: pass an estimator with sample() or a "
            "scipy.stats frozen distribution."
        )
    return target, proposal, resolve_n_features([target, proposal], X)


def resolve_n_features(distributions, X=None, initial=None):
    """The dimension of the problem, checked for consistency, or None if unknown."""
    known = {}
    if X is not None:
        known["X"] = X.shape[1]
    if initial is not None:
        known["initial"] = initial.shape[-1]
    for distribution in distributions:
        if distribution is not None and distribution.n_features is not None:
            known[f"the {distribution.name}"] = distribution.n_features
    if len(set(known.values())) > 1:
        described = ", ".join(f"{who} has {d}" for who, d in known.items())
        raise ValueError(f"Inconsistent numbers of features: {described}.")
    return next(iter(known.values()), None)
