"""Proposals of :class:`~skgenfund.MetropolisHastingsSampler`, one move per file.

* :mod:`.random_walk`: the Gaussian random walk: isotropic (``"gaussian"``),
  with a given covariance, or learning its covariance during the warm-up
  (``"adaptive"``, the default);
* :mod:`.langevin`: Metropolis-adjusted Langevin (``"mala"``), gradient-driven
  and Hastings-corrected;
* :mod:`.independence`: the independence sampler (a distribution as
  proposal).

What they share (chain state, the accept/reject test, the step-size and
covariance adaptation, the NumPy engine) is in :mod:`._base`, with its
compiled counterpart in :mod:`._compiled`; :mod:`._evaluation` evaluates the
target (and its gradient). A new proposal is a new small file: a
:class:`~._base.Proposal` subclass with its move, its Hastings term and, to
run compiled, a chain kernel built from :mod:`._compiled`.
"""

import numpy as np

from ._base import ChainState, Proposal, covariance_windows, optimal_acceptance
from ._evaluation import Evaluation
from .independence import Independence
from .langevin import Langevin
from .random_walk import RandomWalk

#: The proposals MetropolisHastingsSampler names.
PROPOSALS = ("adaptive", "gaussian", "mala")

__all__ = [
    "PROPOSALS",
    "ChainState",
    "Evaluation",
    "Independence",
    "Langevin",
    "Proposal",
    "RandomWalk",
    "covariance_windows",
    "make_proposal",
    "optimal_acceptance",
]


def make_proposal(kind, n_features, *, auto_step, n_warmup, covariance=None,
                  distribution=None):  # fmt: skip
    """The :class:`Proposal` for ``MetropolisHastingsSampler(proposal=...)``.

    Parameters
    ----------
    kind : {"adaptive", "gaussian", "mala", "covariance", "independence"}
    n_features : int
    auto_step : bool
        ``step_size="auto"``: adapt the step size (and, for "adaptive" and
        "mala" with a warm-up of at least 100 steps, the covariance).
    n_warmup : int
    covariance : ndarray of shape (d, d), optional
        For ``kind="covariance"``.
    distribution : Distribution, optional
        For ``kind="independence"``.
    """
    learn = auto_step and n_warmup >= 100
    if kind == "independence":
        return Independence(n_features, distribution)
    if kind == "mala":
        return Langevin(n_features, adapt_scale=auto_step, adapt_covariance=learn)
    if kind == "covariance":
        factor = np.linalg.cholesky(covariance)
        return RandomWalk(n_features, factor, adapt_scale=auto_step)
    if kind == "adaptive":
        return RandomWalk(
            n_features, "adaptive", adapt_scale=auto_step, adapt_covariance=learn
        )
    return RandomWalk(n_features, "identity", adapt_scale=auto_step)
