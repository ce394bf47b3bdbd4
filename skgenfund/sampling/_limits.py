"""Refusing, before any work, Markov chain runs that cannot finish.

A run of ``n_chains`` chains keeps a few (d, d) matrices per chain and its
draws; ``n_warmup=10**12`` or ``n_chains=10**9`` would run until memory or
patience ends, so they are refused up front with what they would need.
"""

import os

__all__ = ["check_run_size"]

#: Most Metropolis-Hastings steps per chain (warm-up plus kept x thin): at
#: 10 ns a step, the fastest compiled case, 10**10 steps take 100 s a chain.
MAX_STEPS_PER_CHAIN = 10**10
#: Fastest step of a compiled chain, for the time estimate of a refused run.
FASTEST_STEP_SECONDS = 1e-8


def _physical_memory():
    """Bytes of RAM of this machine, or None where the OS does not say."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return None


def run_bytes(n_chains, n_features, n_kept):
    """Bytes a run needs at least.

    Per chain: two (d, d) factors, its state, its kept draws and their
    log-densities, and the draws' two pooled copies (reshaped, returned).
    """
    d = n_features
    per_chain = 2 * d * d + 3 * d + 16 + n_kept * (3 * d + 1)
    return 8 * n_chains * per_chain


def check_run_size(n_chains, n_warmup, thin=1, n_features=1, n_samples=0):
    """Raise a ValueError for a run too long or too large for this machine.

    Parameters
    ----------
    n_chains, n_warmup, thin : int
        The sampler's parameters (validated integers).
    n_features : int, default=1
        Dimension of the target (1 before it is known: a lower bound).
    n_samples : int, default=0
        Draws asked of ``sample()`` (0 before it is called).

    Examples
    --------
    >>> from skgenfund.sampling._limits import check_run_size
    >>> check_run_size(4, 1000, n_features=10, n_samples=10000)
    >>> check_run_size(4, 10**12)
    Traceback (most recent call last):
    ...
    ValueError: A run of 1,000,000,000,000 steps per chain ...
    """
    n_kept = -(-n_samples // n_chains)
    steps = n_warmup + n_kept * thin
    needed = run_bytes(n_chains, n_features, n_kept)
    memory = _physical_memory()
    if memory is not None and needed > memory:
        raise ValueError(
            f"A run of {n_chains:,} chains x {n_kept:,} kept draws in "
            f"{n_features} dimension(s) needs at least {_gigabytes(needed)} of "
            f"memory; this machine has {_gigabytes(memory)}. Ask for fewer chains "
            "(n_chains) or fewer draws (n_samples)."
        )
    if steps > MAX_STEPS_PER_CHAIN:
        hours = steps * FASTEST_STEP_SECONDS / 3600
        raise ValueError(
            f"A run of {steps:,} steps per chain (n_warmup={n_warmup:,} plus "
            f"{n_kept:,} kept draws x thin={thin}) is refused: even at "
            f"{FASTEST_STEP_SECONDS * 1e9:.0f} ns a step, the fastest compiled "
            f"case, it would take {hours:,.1f} hours per chain. At most "
            f"{MAX_STEPS_PER_CHAIN:,} steps per chain are allowed. A warm-up of "
            "a few thousand steps is usually enough; more chains or a proposal "
            "that mixes better (proposal='adaptive') raise the ESS sooner."
        )


def _gigabytes(n_bytes):
    return f"{n_bytes / 2**30:,.1f} GiB"
