"""
==========================================
Rejection sampling under an envelope
==========================================

To draw from a density :math:`p` that we can evaluate but not sample, draw
:math:`x` from a proposal :math:`q` we *can* sample, and keep it with
probability :math:`p(x) / (M q(x))`, where the envelope :math:`M q` lies above
:math:`p` everywhere. The kept points are exact, independent draws from
:math:`p`, and the fraction kept is :math:`1/M` (for normalised densities).

This example samples Beta(2, 5) under a uniform proposal, as
*Fundamentals of Generative Models* does in its rejection-sampling section and
exercise 3, and shows what goes wrong when the envelope is too small.
"""

# %%
# The envelope and the accepted points
# ------------------------------------
# :class:`~skgenfund.RejectionSampler` finds :math:`\log M = \max_x \log p(x) -
# \log q(x)` numerically (plus a 1% margin). For Beta(2, 5),
# :math:`p(x) = 30 x (1 - x)^4` peaks at :math:`x = 1/5`, so :math:`M = 2.4576`
# and the acceptance rate is :math:`1/M = 0.407`.
import math
import warnings

import matplotlib.pyplot as plt
import numpy as np
from scipy import stats

from skgenfund import RejectionSampler
from skgenfund.plotting import plot_samples_vs_target

target, proposal = stats.beta(2, 5), stats.uniform()
sampler = RejectionSampler(target, proposal=proposal, random_state=0).fit()
M = math.exp(sampler.log_envelope_)
print(f"M found: {M:.4f} (max of p: {30 * 0.2 * 0.8**4:.4f}, plus 1%)")

X = sampler.sample(20000)
print(f"acceptance rate: {sampler.acceptance_rate_:.4f} (1/M = {1 / M:.4f})")
print(f"sample mean: {X.mean():.4f} (true 2/7 = {2 / 7:.4f})")

# The picture of the method: proposals x ~ q, heights u M q(x) with u uniform;
# the points under p are the accepted ones.
rng = np.random.default_rng(1)
x = rng.random(600)
height = rng.random(600) * M
kept = height < target.pdf(x)
grid = np.linspace(0, 1, 300)

fig, axes = plt.subplots(1, 2, figsize=(11, 4), layout="constrained")
axes[0].plot(grid, target.pdf(grid), "k", lw=2, label="target p")
axes[0].plot(grid, np.full_like(grid, M), "--", color="tab:orange", label="M q")
axes[0].scatter(x[kept], height[kept], s=6, color="tab:green", label="accepted")
axes[0].scatter(x[~kept], height[~kept], s=6, color="tab:red", label="rejected")
axes[0].set_xlabel("x")
axes[0].set_title(f"{kept.mean():.0%} of the proposals under p (1/M = {1 / M:.1%})")
axes[0].legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
plot_samples_vs_target(X, target, ax=axes[1])
axes[1].set_title("20000 accepted draws against Beta(2, 5)")

# %%
# An envelope that is too small
# -----------------------------
# With :math:`M` below :math:`\max p/q`, the points where :math:`p > M q` are
# accepted with probability 1 instead of :math:`p / (M q)`: they are
# under-represented, the peak is clipped, and the draws are *biased*. The
# sampler notices such points and warns, saying by how much :math:`M` was too
# small.
small = RejectionSampler(
    target, proposal=proposal, log_envelope=math.log(1.6), random_state=0
).fit()
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    biased = small.sample(20000)
print(caught[0].message)
print(f"biased sample mean: {biased.mean():.4f} (true {2 / 7:.4f})")
print(
    "KS test p-value against Beta(2, 5): "
    f"{stats.kstest(biased[:, 0], target.cdf).pvalue:.2g}"
)

# The draws follow min(p, M q), normalised: exactly the clipped density.
clipped = np.minimum(target.pdf(grid), 1.6)
clipped /= np.trapezoid(clipped, grid)
fig, ax = plt.subplots(figsize=(7, 4.5), layout="constrained")
plot_samples_vs_target(biased, target, ax=ax)
ax.plot(grid, clipped, ":", lw=2, color="tab:red", label="min(p, M q), normalised")
ax.legend(frameon=False)
ax.set_title("M = 1.6 < 2.4576: the peak is clipped")
plt.show()
