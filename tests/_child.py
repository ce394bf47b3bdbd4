"""Scripts run in a fresh interpreter, for tests of process-wide state.

Numba's cache, its threading layer and the BLAS thread pools belong to a
process: tests of them run a script in a child interpreter that imports this
checkout of the package.
"""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

#: The checkout the tests belong to: first on the child's path.
REPOSITORY = Path(__file__).resolve().parents[1]

#: A script's first lines: the estimators and samplers, warnings off, and the
#: mixtures on their compiled kernels (on every thread) even for small data.
ON_THE_KERNELS = """
import warnings
import numpy as np
from skgenfund import (EMGaussianMixture, GaussianMLE,
                       MetropolisHastingsSampler, VariationalGaussianMixture)
from skgenfund.mixture import _missing, _steps

warnings.simplefilter("ignore")
_steps.KERNEL_MIN_WORK = 0
_steps.PARALLEL_MIN_FLOPS = 0
_missing.KERNEL_MIN_WORK = 0
"""


def child_env(*, keep_cache=False, **extra):
    """The environment of a child: this one, without a Numba cache or path set.

    ``PYTHONPATH`` is the checkout unless ``extra`` sets it; ``extra`` adds or
    overrides variables (``NUMBA_CACHE_DIR=...``, ``NUMBA_THREADING_LAYER=...``).
    ``keep_cache=True`` keeps this process's ``NUMBA_CACHE_DIR`` (a child that
    should load what is already compiled).
    """
    dropped = ("PYTHONPATH",) if keep_cache else ("NUMBA_CACHE_DIR", "PYTHONPATH")
    env = {key: value for key, value in os.environ.items() if key not in dropped}
    env["PYTHONPATH"] = str(REPOSITORY)
    env.update(extra)
    return env


def run_python(code, env=None, cwd=None, wrapper=(), timeout=900):
    """Run ``code`` (dedented) in a child interpreter; return its stdout.

    The child must exit with status 0: otherwise the test fails showing the
    end of its stderr (a crash such as SIGABRT shows as a negative status).
    """
    completed = subprocess.run(
        [*wrapper, sys.executable, "-c", textwrap.dedent(code)],
        env=child_env() if env is None else env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert completed.returncode == 0, (
        f"exit status {completed.returncode}:\n{completed.stderr[-3000:]}"
    )
    return completed.stdout
