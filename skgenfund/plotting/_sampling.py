"""Plots of samplers: chain traces, autocorrelation, samples against the target."""

import numpy as np

from ._axes import get_axes, grid_2d, padded_bounds


def _chains_of(sampler):
    """(n_chains, n_draws, n_features) draws of a sampler, or of an array.

    Read as the diagnostics read them: pooled draws (n_samples, n_features)
    are refused, not plotted as thousands of two-draw chains.
    """
    from ..sampling._diagnostics import _as_chains

    return _as_chains(sampler)[0]


def _check_dimension(dimension, n_features):
    if not 0 <= dimension < n_features:
        raise ValueError(f"dimension must be in [0, {n_features}); got {dimension}.")


def plot_trace(sampler, ax=None, *, dimension=0):
    """Trace plot: each chain's draws against the iteration.

    Well-mixed chains look like overlapping noise around one level; a trend,
    a chain stuck in one place or chains at different levels mean the draws
    are not yet from the target. The title gives R-hat and the bulk ESS.

    Parameters
    ----------
    sampler : MetropolisHastingsSampler or array-like
        A sampler after :meth:`~skgenfund.MetropolisHastingsSampler.sample`,
        or chains shaped (n_draws,), (n_chains, n_draws) or
        (n_chains, n_draws, n_features).
    ax : matplotlib Axes, default=None
        Where to draw; None makes a new figure.
    dimension : int, default=0
        The feature to plot.

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from skgenfund.plotting import plot_trace
    >>> ax = plot_trace(np.random.default_rng(0).normal(size=(3, 500)))
    >>> len(ax.lines)
    3
    """
    from ..sampling import effective_sample_size, rhat

    chains = _chains_of(sampler)
    _check_dimension(dimension, chains.shape[2])
    ax = get_axes(ax)
    draws = chains[:, :, dimension]
    for index, chain in enumerate(draws):
        ax.plot(chain, lw=0.6, alpha=0.8, label=f"chain {index}")
    summary = f"ESS {effective_sample_size(draws):.0f}"
    if draws.shape[1] >= 4:
        summary = f"R-hat {rhat(draws):.3f}, " + summary
    ax.set_title(f"Trace ({summary})")
    ax.set_xlabel("iteration (after warm-up)")
    ax.set_ylabel(f"$x_{{{dimension + 1}}}$" if chains.shape[2] > 1 else "x")
    return ax


def plot_autocorrelation(sampler, max_lag=100, ax=None, *, dimension=0):
    """Autocorrelation of the draws against the lag, averaged over chains.

    The faster it falls to zero, the more each draw is worth: the effective
    sample size is ``N / (1 + 2 sum_t rho_t)``.

    Parameters
    ----------
    sampler : MetropolisHastingsSampler or array-like
        A sampler after ``sample``, or chains as for :func:`plot_trace`.
    max_lag : int, default=100
        Largest lag shown.
    ax : matplotlib Axes, default=None
        Where to draw; None makes a new figure.
    dimension : int, default=0
        The feature to plot.

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from skgenfund.plotting import plot_autocorrelation
    >>> ax = plot_autocorrelation(np.random.default_rng(0).normal(size=(2, 500)),
    ...                           max_lag=20)
    >>> float(ax.lines[0].get_ydata()[0])
    1.0
    """
    from ..sampling._diagnostics import autocorrelation_function

    chains = _chains_of(sampler)
    _check_dimension(dimension, chains.shape[2])
    ax = get_axes(ax)
    rho = autocorrelation_function(chains[:, :, dimension], max_lag, stacklevel=3)
    ax.plot(np.arange(rho.shape[0]), rho, marker="o", ms=2.5, lw=1)
    ax.axhline(0.0, color="k", lw=0.6)
    ax.set_xlabel("lag")
    ax.set_ylabel("autocorrelation")
    ax.set_ylim(min(-0.1, float(rho.min()) - 0.05), 1.05)
    ax.set_title("Autocorrelation")
    return ax


def plot_samples_vs_target(samples, target, ax=None, *, bins=50, n_points=300):
    """Histogram of samples (1-D) or their scatter (2-D) against the target.

    The target's density is normalised numerically over the plotted range,
    so unnormalised targets are fine.

    Parameters
    ----------
    samples : array-like of shape (n_samples, 1) or (n_samples, 2)
        Draws, e.g. from a sampler's ``sample``.
    target : fitted estimator, scipy.stats frozen distribution or callable
        The log-density the samples should follow, in any form a sampler
        accepts (a Numba function of one point, a callable of an (n, d)
        array, ...).
    ax : matplotlib Axes, default=None
        Where to draw; None makes a new figure.
    bins : int, default=50
        Histogram bins (1-D).
    n_points : int, default=300
        Grid points per axis for the target's density.

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from scipy import stats
    >>> from skgenfund.plotting import plot_samples_vs_target
    >>> samples = stats.norm.rvs(size=(1000, 1), random_state=0)
    >>> ax = plot_samples_vs_target(samples, stats.norm())
    >>> len(ax.patches) > 0, len(ax.lines)
    (True, 1)
    """
    from ..sampling._target import as_distribution

    samples = np.asarray(samples)
    if samples.dtype.kind not in "biuf" or not np.all(np.isfinite(samples)):
        raise ValueError(
            "samples must be a finite numeric array of shape (n_samples, 1) or "
            f"(n_samples, 2); got an array of dtype {samples.dtype}"
            f"{'' if samples.dtype.kind not in 'biuf' else ' with NaN or infinity'}."
        )
    samples = samples.astype(np.float64)
    if samples.ndim == 1:
        samples = samples[:, np.newaxis]
    if samples.ndim != 2 or samples.shape[1] not in (1, 2) or not len(samples):
        raise ValueError(
            "plot_samples_vs_target draws 1-D or 2-D samples; got an array of "
            f"shape {samples.shape}."
        )
    distribution = as_distribution(target)
    low, high = padded_bounds(samples, 0.1)
    ax = get_axes(ax)
    if samples.shape[1] == 1:
        grid = np.linspace(low[0], high[0], n_points)
        log_density = distribution.log_prob(grid[:, np.newaxis])
        density = np.exp(log_density - np.max(log_density))
        density /= np.trapezoid(density, grid)
        ax.hist(
            samples[:, 0],
            bins=bins,
            range=(low[0], high[0]),
            density=True,
            alpha=0.45,
            color="tab:blue",
            label=f"samples (n={samples.shape[0]})",
        )
        ax.plot(grid, density, color="k", lw=2, label="target")
        ax.set_xlabel("x")
        ax.set_ylabel("density")
        ax.legend(loc="best", frameon=False)
        return ax
    xx, yy, grid = grid_2d(low, high, n_points // 3)
    log_density = distribution.log_prob(grid).reshape(xx.shape)
    ax.scatter(samples[:, 0], samples[:, 1], s=3, alpha=0.3, color="tab:blue")
    ax.contour(xx, yy, np.exp(log_density - log_density.max()), levels=8, colors="k")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    return ax
