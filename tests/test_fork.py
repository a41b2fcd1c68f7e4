"""A forked process can train too (multiprocessing's default start method on Linux is fork).

The compiled full-data sums share large data among threads of a pool made on first use. A
forked child inherits the pool but not its threads: before the fix, the child's first large
fit waited forever for work no thread would pick up. The mutation run (mutmut forks a worker
per mutant from a process that has run the tests) found it.
"""

import multiprocessing
import os
import warnings

import numpy as np
import pytest

numba = pytest.importorskip("numba")
if not hasattr(os, "fork"):
    pytest.skip("needs os.fork", allow_module_level=True)


def large_sums(queue):
    from gdbook import _fast_numba

    X = np.linspace(0, 1, 3 * _fast_numba.PARALLEL_SIZE).reshape(-1, 3)
    y = X.sum(axis=1)
    queue.put(_fast_numba.sums(X, y, np.array([1.0, 1.0, 1.0, 0.0]))[-1])


def test_a_forked_child_sums_large_data_after_its_parent_did(monkeypatch):
    from gdbook import _fast, _fast_numba

    _fast.numba_kernels(np.dtype(np.float64))  # compiled (or loaded) before forking
    monkeypatch.setattr(_fast_numba, "_threads", [])  # a pool of two threads, even on one CPU
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    queue = multiprocessing.SimpleQueue()
    large_sums(queue)  # the parent makes its pool
    assert queue.get() == 0.0  # an exact fit: no residual
    pool, threads = _fast_numba._threads
    assert threads == 2
    try:
        with warnings.catch_warnings():  # Python 3.12+ warns that forking a threaded process
            warnings.simplefilter("ignore", DeprecationWarning)  # may deadlock: the case here
            child = multiprocessing.get_context("fork").Process(target=large_sums,
                                                                 args=(queue,))
            child.start()
        child.join(timeout=60)
    finally:
        pool.shutdown()
    if child.is_alive():
        child.kill()
        pytest.fail("the forked child hung on the pool of threads it inherited")
    assert child.exitcode == 0 and queue.get() == 0.0
