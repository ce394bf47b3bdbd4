"""Independence sampler: x' ~ q whatever x, with the Hastings term q(x) / q(x').

The proposal's draws and both log-densities of a chunk of steps are computed
in one vectorised call for all chains (from one extra random stream), then
the shared accept/reject runs through them. A density fitted near the target
makes a good q; its tails must be at least as heavy as the target's.
"""

from ._base import Proposal
from ._compiled import LOG_Q


class Independence(Proposal):
    """x' ~ q independently of x.

    Parameters
    ----------
    n_features : int
    distribution : Distribution
        The proposal q (it draws samples and evaluates its log-density).
    """

    name = "independence"
    uses_normals = False

    def __init__(self, n_features, distribution):
        super().__init__(n_features, adapt_scale=False, adapt_covariance=False)
        self.distribution = distribution

    def initialise(self, run, spread, step_size):
        run.state[:, LOG_Q] = self.distribution.log_prob(run.x)

    def begin_chunk(self, run, evaluation, length, rng):
        n_chains, d = run.x.shape
        x_prop, lq_prop = self.distribution.sample_with_log_prob(n_chains * length, rng)
        lp_prop, _ = evaluation.numpy(x_prop, False)
        self._chunk = (
            x_prop.reshape(n_chains, length, d),
            lp_prop.reshape(n_chains, length),
            lq_prop.reshape(n_chains, length),
        )

    def step(self, run, evaluation, z, b):
        x_prop, lp_prop, lq_prop = (values[:, b] for values in self._chunk)
        return x_prop, lp_prop, None, run.state[:, LOG_Q] - lq_prop

    def accepted(self, run, moved, b):
        run.state[moved, LOG_Q] = self._chunk[2][moved, b]
