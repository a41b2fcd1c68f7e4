"""Loading the compiled kernels (gdbook._fast.numba_kernels): once per dtype, and when numba is
missing or cannot compile them, the numpy paths in `auto` mode and a clear error in `numba` mode.

Each test starts from an empty cache of kernels, as a fresh process does.
"""

import importlib.util
import re
import sys

import numpy as np
import pytest

import gdbook
from gdbook import (
    BatchGD,
    LinearRegression,
    MiniBatchGD,
    PerformanceWarning,
    StochasticGD,
    Trainer,
    _fast,
    make_linear_data,
)

HAS_NUMBA = importlib.util.find_spec("numba") is not None
needs_numba = pytest.mark.skipif(not HAS_NUMBA, reason="numba not installed")


@pytest.fixture
def fresh(monkeypatch):
    """An empty cache of kernels, as in a process that has not trained yet."""
    monkeypatch.setattr(_fast, "_kernels", {})


@pytest.fixture
def numba_missing(fresh, monkeypatch):
    """`import gdbook._fast_numba` fails, as it does without numba."""
    monkeypatch.delattr(gdbook, "_fast_numba", raising=False)
    monkeypatch.setitem(sys.modules, "gdbook._fast_numba", None)


@pytest.fixture
def numba_cannot_compile(fresh, monkeypatch):
    """numba imports, but building the kernels fails (a numba/llvmlite that cannot compile)."""
    if not HAS_NUMBA:
        pytest.skip("numba not installed")
    from gdbook import _fast_numba

    attempts = []

    def broken(dtype):
        attempts.append(dtype)
        raise RuntimeError("LLVM ERROR: cannot select")

    monkeypatch.setattr(_fast_numba, "warm_up", broken)
    return attempts


def large_data():
    X, y = make_linear_data(n_samples=_fast.MIN_ROWS, n_features=2, noise=0.3, seed=0)
    return X, y


def fit(mode, monkeypatch, X, y, optimizer=None):
    monkeypatch.setenv("GDBOOK_FAST", mode)
    model = LinearRegression(n_features=X.shape[1], seed=0)
    optimizer = optimizer or MiniBatchGD(batch_size=100, learning_rate=0.05)
    return Trainer(optimizer, epochs=2, seed=0).fit(model, X, y)


@needs_numba
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_the_kernels_are_built_once_per_dtype(dtype, fresh, monkeypatch):
    from gdbook import _fast_numba

    built = []
    warm_up = _fast_numba.warm_up
    monkeypatch.setattr(_fast_numba, "warm_up", lambda dt: (built.append(dt), warm_up(dt)))
    for _ in range(2):
        assert _fast.numba_kernels(np.dtype(dtype), required=True) is _fast_numba
    assert built == [np.dtype(dtype)]


@pytest.mark.parametrize("broken", ["numba_missing", "numba_cannot_compile"])
def test_auto_mode_runs_the_numpy_paths_when_numba_cannot_be_used(broken, request, monkeypatch):
    request.getfixturevalue(broken)
    X, y = large_data()
    reference = fit("numpy", monkeypatch, X, y, optimizer=BatchGD(learning_rate=0.1))
    auto = fit("auto", monkeypatch, X, y, optimizer=BatchGD(learning_rate=0.1))
    assert _fast.numba_kernels(X.dtype) is None
    np.testing.assert_array_equal(auto.params, reference.params)


@pytest.mark.parametrize(("broken", "error"), [
    ("numba_missing", "ModuleNotFoundError('import of gdbook._fast_numba halted"),
    ("numba_cannot_compile", "RuntimeError('LLVM ERROR: cannot select')"),
])
def test_numba_mode_says_why_numba_cannot_be_used(broken, error, request, monkeypatch):
    request.getfixturevalue(broken)
    X, y = large_data()
    expected = ("GDBOOK_FAST=numba needs numba (pip install gdbook[fast]); it failed with: "
                + error)
    for _ in range(2):  # and says so again on the next fit
        with pytest.raises(ImportError) as info:
            fit("numba", monkeypatch, X, y)
        assert str(info.value).startswith(expected)


def test_a_failed_build_is_not_tried_again(numba_cannot_compile, monkeypatch):
    """A build that fails may have taken as long as one that works: it is tried once per
    process, not at every fit nor for every dtype."""
    X, y = large_data()
    for data in ((X, y), (X, y), (X.astype(np.float32), y.astype(np.float32))):
        fit("auto", monkeypatch, *data, optimizer=BatchGD(learning_rate=0.1))
    assert numba_cannot_compile == [np.dtype(np.float64)]


@pytest.mark.parametrize(("broken", "why"), [
    ("numba_missing", "because numba is not installed;"),
    ("numba_cannot_compile", "because numba is installed but could not be used (RuntimeError: "
                             "LLVM ERROR: cannot select);"),
])
def test_the_performance_warning_says_why_the_loop_is_readable(broken, why, request,
                                                               monkeypatch):
    from gdbook import _fast_notice

    request.getfixturevalue(broken)
    monkeypatch.setattr(_fast_notice, "_advised", [])
    X, y = make_linear_data(n_samples=100_000, n_features=10, noise=0.3, seed=0)
    monkeypatch.setenv("GDBOOK_FAST", "auto")
    model = LinearRegression(n_features=10, seed=0)
    with pytest.warns(PerformanceWarning, match=re.escape(why)):
        Trainer(StochasticGD(learning_rate=1e-3), epochs=1, seed=0).fit(model, X[:20_000],
                                                                         y[:20_000])
