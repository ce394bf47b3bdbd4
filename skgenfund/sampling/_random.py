"""Random streams of the samplers: independent numpy Generators from one seed.

scikit-learn's ``random_state`` (None, an int or a ``RandomState``) seeds a
:class:`numpy.random.SeedSequence`, which spawns independent child streams:
one Generator per chain and per use. A chain's draws then depend on its own
streams only, so they are the same whatever the number of threads.
"""

import numpy as np

from .._core.validation import check_random_state


def spawn_generators(random_state, n_generators):
    """``n_generators`` independent :class:`numpy.random.Generator` from a seed.

    Parameters
    ----------
    random_state : None, int or numpy.random.RandomState
        As scikit-learn accepts; an int always gives the same streams, a
        RandomState is advanced (so successive calls differ).
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
    rng = check_random_state(random_state)
    entropy = [int(value) for value in rng.randint(0, 2**31 - 1, size=4)]
    children = np.random.SeedSequence(entropy).spawn(n_generators)
    return [np.random.Generator(np.random.PCG64(child)) for child in children]
