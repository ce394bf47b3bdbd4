"""Drawing samples from a distribution known up to a constant.

Rejection sampling (exact, independent draws under an envelope), importance
sampling (weighted draws, expectations and the normaliser, with the Kish ESS
and the PSIS Pareto-k diagnostic) and Metropolis-Hastings MCMC (dependent
draws from several chains), plus the diagnostics without which an MCMC result
cannot be trusted: effective sample size, split R-hat, autocorrelation
and Monte Carlo standard errors.
:func:`sample_chains` spreads many chains over joblib workers or a dask
cluster.
"""

from ._diagnostics import autocorrelation, effective_sample_size, mcse, rhat
from ._importance import ImportanceSampler
from ._metropolis import MetropolisHastingsSampler
from ._parallel import sample_chains
from ._rejection import RejectionSampler

__all__ = [
    "ImportanceSampler",
    "MetropolisHastingsSampler",
    "RejectionSampler",
    "autocorrelation",
    "effective_sample_size",
    "mcse",
    "rhat",
    "sample_chains",
]
