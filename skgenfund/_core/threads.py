"""Threads of the compiled kernels, and process-wide state, safe under Python threads.

* The kernels' threads. A large EM pass is cut into a fixed number of blocks
  of rows (a function of the number of rows only); :func:`run_blocks` runs a
  compiled ``nogil`` kernel over contiguous groups of blocks on a small
  thread pool of its own, each block writing its own slot of partial sums,
  which the caller adds in block order. Results are therefore bit-identical
  for any number of threads, and each kernel is one compiled function with
  its helpers inlined: the machine code that runs is the code Numba compiled
  or loaded from its cache for that kernel, never a copy of a helper shared
  with another kernel. (Numba's ``parallel=True`` would outline the loop
  into a separately compiled function, which runs as compiled in the process
  that compiled it but as the caller's own copy when loaded from the cache;
  with reassociated sums the two copies differ in the last bits.) The pool
  is Python's, so the kernels launch no parallel region of Numba's threading
  layer (the ``workqueue`` layer aborts the process when two threads launch
  parallel kernels at once); only Numba's thread-count setting is read
  (:func:`kernel_threads`).
* The BLAS thread pool. While the kernels run, their only BLAS work is on
  (d, d) matrices, so BLAS is limited to one thread meanwhile (idle BLAS
  threads spinning next to the kernels slow a small fit down by orders of
  magnitude on a busy machine). threadpoolctl's limit contexts each save
  "the limits before me" and restore them on exit; entered by several
  threads at once they exit in any order, and the last to exit can restore
  a limit of one, leaving the whole process single-threaded. Here the limit
  is reference counted: the first section to enter sets it, the last to
  leave restores what was found.
"""

import os
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

__all__ = ["blas_single_threaded", "compiled_section", "kernel_threads", "run_blocks"]

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
def compiled_section():
    """Where the compiled kernels run: BLAS limited to one thread.

    Examples
    --------
    >>> from skgenfund._core.threads import compiled_section
    >>> with compiled_section():
    ...     pass
    """
    with blas_single_threaded():
        yield


_POOL = {"executor": None}
_POOL_LOCK = threading.Lock()


def _forget_pool():
    # a forked child has none of the parent's threads: start a pool afresh
    # (and a lock afresh: another thread may have held it at the fork)
    global _POOL_LOCK
    _POOL["executor"] = None
    _POOL_LOCK = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool)


def _executor():
    """The kernels' thread pool, started on first use.

    Its workers (threads are started only as they are needed) are as many as
    Numba's largest thread count, the ceiling of :func:`kernel_threads`.
    """
    import numba

    with _POOL_LOCK:
        if _POOL["executor"] is None:
            _POOL["executor"] = ThreadPoolExecutor(
                max_workers=max(1, numba.config.NUMBA_NUM_THREADS),
                thread_name_prefix="skgenfund-kernel",
            )
        return _POOL["executor"]


def kernel_threads():
    """Threads a large kernel call may use: Numba's setting in this thread.

    ``numba.set_num_threads`` (or the ``NUMBA_NUM_THREADS`` environment
    variable) is the knob, as for any Numba code; it changes the speed of a
    fit, never its result.

    Examples
    --------
    >>> from skgenfund._core.threads import kernel_threads
    >>> kernel_threads() >= 1
    True
    """
    import numba

    return max(1, numba.get_num_threads())


def run_blocks(kernel, n_blocks, n_threads, *args):
    """Run ``kernel(first, last, *args)`` over the blocks ``[0, n_blocks)``.

    The blocks are cut into ``min(n_threads, n_blocks)`` contiguous groups;
    the first runs in the calling thread, the others on the kernels' thread
    pool. ``kernel`` must be a compiled ``nogil`` function that writes
    nothing shared between blocks (each block has its own slot of partial
    sums), so that the result does not depend on ``n_threads``. An
    exception in any group is raised here, after every group has finished.

    Examples
    --------
    >>> import numpy as np
    >>> from skgenfund._core.threads import run_blocks
    >>> out = np.zeros(4)
    >>> def kernel(first, last, out):
    ...     out[first:last] = np.arange(first, last)
    >>> run_blocks(kernel, 4, 2, out)
    >>> out
    array([0., 1., 2., 3.])
    """
    n_groups = max(1, min(int(n_threads), n_blocks))
    bounds = [g * n_blocks // n_groups for g in range(n_groups + 1)]
    if n_groups == 1:
        kernel(0, n_blocks, *args)
        return
    futures, here = [], [0]
    try:
        pool = _executor()
        for g in range(1, n_groups):
            futures.append(pool.submit(kernel, bounds[g], bounds[g + 1], *args))
    except RuntimeError:
        # no new threads once the interpreter is shutting down: the groups
        # not submitted run here
        here.extend(range(len(futures) + 1, n_groups))
    try:
        for g in here:
            kernel(bounds[g], bounds[g + 1], *args)
    finally:
        errors = [future.exception() for future in futures]
    for error in errors:
        if error is not None:
            raise error
