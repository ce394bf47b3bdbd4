"""Random streams of the samplers: independent numpy Generators from one seed.

scikit-learn's ``random_state`` (None, an int or a ``RandomState``) seeds a
:class:`numpy.random.SeedSequence`, which spawns independent child streams:
one Generator per chain and per use. A chain's draws then depend on its own
streams only, so they are the same whatever the number of threads.
"""

import numpy as np

from .._core.validation import check_random_state


def spawn_seeds(random_state, n_seeds):
    """``n_seeds`` independent :class:`numpy.random.SeedSequence` from a seed.

    The i-th seed depends on ``random_state`` and i only, not on ``n_seeds``.

    Parameters
    ----------
    random_state : None, int or numpy.random.RandomState
        As scikit-learn accepts; an int always gives the same seeds, a
        RandomState is advanced (so successive calls differ).
    n_seeds : int

    Returns
    -------
    seeds : list of numpy.random.SeedSequence

    Examples
    --------
    >>> from skgenfund.sampling._random import spawn_seeds
    >>> a, b = spawn_seeds(0, 3)[1], spawn_seeds(0, 5)[1]
    >>> bool((a.generate_state(4) == b.generate_state(4)).all())
    True
    """
    rng = check_random_state(random_state)
    entropy = [int(value) for value in rng.randint(0, 2**31 - 1, size=4)]
    return np.random.SeedSequence(entropy).spawn(n_seeds)


def spawn_generators(random_state, n_generators):
    """``n_generators`` independent :class:`numpy.random.Generator` from a seed.

    One PCG64 stream per seed of :func:`spawn_seeds`.

    Parameters
    ----------
    random_state : None, int or numpy.random.RandomState
        As for :func:`spawn_seeds`.
    n_generators : int

    Returns
    -------
    generators : list of numpy.random.Generator

    Examples
    --------
    >>> from skgenfund.sampling._random import spawn_generators
    >>> a, b = spawn_generators(0, 2)
    >>> float(a.random()) == float(spawn_generators(0, 2)[0].random())
    True
    >>> float(a.random()) == float(b.random())
    False
    """
    return [
        np.random.Generator(np.random.PCG64(child))
        for child in spawn_seeds(random_state, n_generators)
    ]
