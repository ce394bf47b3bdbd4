"""Process-wide state around the compiled kernels, safe under Python threads.

Two pieces of state belong to the whole process, not to one call:

* the BLAS thread pool. The EM kernels run on Numba's threads while their only
  BLAS work is on (d, d) matrices, so BLAS is limited to one thread meanwhile
  (idle BLAS threads spinning next to the kernels' slow a small fit down by
  orders of magnitude on a busy machine). threadpoolctl's limit contexts
  each save "the limits before me" and restore them on exit; entered by
  several threads at once they exit in any order, and the last to exit can
  restore a limit of one, leaving the whole process single-threaded. Here
  the limit is reference counted: the first section to enter sets it, the
  last to leave restores what was found.
* Numba's threading layer. The ``workqueue`` layer (the one a pip install
  gets where neither TBB nor OpenMP is present) aborts the process when two
  threads launch parallel kernels at once. Sections that launch them hold one
  process-wide re-entrant lock while that layer is (or may be) in use; the
  ``omp`` and ``tbb`` layers are thread safe and take no lock.
"""

import sys
import threading
from contextlib import contextmanager, nullcontext

__all__ = ["KERNEL_LOCK", "blas_single_threaded", "compiled_section", "workqueue_layer"]

#: Held while parallel kernels run on Numba's workqueue layer (re-entrant: a
#: fit that calls another fit in the same thread does not deadlock).
KERNEL_LOCK = threading.RLock()

_STATE_LOCK = threading.Lock()
_BLAS = {"depth": 0, "limiter": None}
_SNAPSHOT = {"n_modules": -1, "controller": None}


def _controller():
    """A threadpoolctl controller of the loaded libraries (re-scanned when needed).

    Scanning costs milliseconds, so the snapshot is kept until modules were
    imported since (the way a new BLAS, scipy's own OpenBLAS say, is loaded).
    """
    from threadpoolctl import ThreadpoolController

    if _SNAPSHOT["n_modules"] != len(sys.modules):
        _SNAPSHOT["controller"] = ThreadpoolController()
        _SNAPSHOT["n_modules"] = len(sys.modules)
    return _SNAPSHOT["controller"]


def workqueue_layer():
    """Whether Numba runs parallel kernels on the (not thread-safe) workqueue layer.

    Before any parallel kernel has run, the layer is not chosen yet and the
    answer is a cautious yes.

    Examples
    --------
    >>> from skgenfund._core.threads import workqueue_layer
    >>> isinstance(workqueue_layer(), bool)
    True
    """
    import numba

    try:
        return numba.threading_layer() == "workqueue"
    except ValueError:
        return True


@contextmanager
def blas_single_threaded():
    """Limit BLAS to one thread inside, restoring the process's limits after.

    Reference counted across threads: however many threads are inside and in
    whatever order they leave, the limits found by the first to enter are the
    limits left by the last to leave.

    Examples
    --------
    >>> from threadpoolctl import threadpool_info
    >>> from skgenfund._core.threads import blas_single_threaded
    >>> before = [pool["num_threads"] for pool in threadpool_info()]
    >>> with blas_single_threaded():
    ...     pass
    >>> [pool["num_threads"] for pool in threadpool_info()] == before
    True
    """
    with _STATE_LOCK:
        if _BLAS["depth"] == 0:
            _BLAS["limiter"] = _controller().limit(limits=1, user_api="blas")
        _BLAS["depth"] += 1
    try:
        yield
    finally:
        with _STATE_LOCK:
            _BLAS["depth"] -= 1
            if _BLAS["depth"] == 0:
                _BLAS["limiter"].restore_original_limits()
                _BLAS["limiter"] = None


@contextmanager
def compiled_section(*, lock=True):
    """Where parallel Numba kernels run: BLAS on one thread, workqueue serialised.

    Parameters
    ----------
    lock : bool, default=True
        Take :data:`KERNEL_LOCK` when the workqueue layer is (or may be) in
        use. False for a section whose kernels run in other threads that take
        the lock themselves (dask tasks), which would otherwise wait on it.

    Examples
    --------
    >>> from skgenfund._core.threads import compiled_section
    >>> with compiled_section():
    ...     pass
    """
    guard = KERNEL_LOCK if lock and workqueue_layer() else nullcontext()
    with guard, blas_single_threaded():
        yield
