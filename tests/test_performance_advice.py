"""The numbers behind the PerformanceWarning and the compile notice, from their cost model."""

import warnings

import numpy as np
import pytest

from gdbook import PerformanceWarning
from gdbook import _fast_notice as notice


@pytest.mark.parametrize(("n", "d", "batch", "expected"), [
    # readable: steps x 12 us + n x (0.1 us + 1.5 ns x d); compiled: n x (15 ns + 2 ns x d)
    (100_000, 10, 1, (1e5 * 12e-6 + 1e5 * (0.1e-6 + 15e-9)) / (1e5 * 35e-9)),
    (1_000_000, 10, 10, (1e5 * 12e-6 + 1e6 * (0.1e-6 + 15e-9)) / (1e6 * 35e-9)),
    (105, 1, 10, (11 * 12e-6 + 105 * (0.1e-6 + 1.5e-9)) / (105 * 17e-9)),  # 11 steps: ceil
    (1000, 100, 256, (4 * 12e-6 + 1000 * (0.1e-6 + 150e-9)) / (1000 * 215e-9)),
])
def test_the_speedup_estimate_is_the_cost_models(n, d, batch, expected):
    assert notice.speedup_estimate(n, d, batch) == pytest.approx(expected, rel=1e-12)


@pytest.fixture
def fresh(monkeypatch):
    monkeypatch.setattr(notice, "_advised", [])


@pytest.mark.parametrize(("speedup", "warned"), [(4.99, False), (5.0, True), (5.5, True)])
def test_the_warning_needs_a_speedup_of_five(fresh, monkeypatch, speedup, warned):
    monkeypatch.setattr(notice, "speedup_estimate", lambda n, d, batch: speedup)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        notice.advise_numba(20_000, 10, 1, 20_000)
    assert len(record) == warned
    if warned:
        assert record[0].category is PerformanceWarning
        assert f"roughly {float(f'{speedup:.1g}'):g}x faster" in str(record[0].message)


def test_the_warning_word_for_word_and_once(fresh, monkeypatch):
    monkeypatch.setattr(notice, "speedup_estimate", lambda n, d, batch: 346.1)
    with pytest.warns(PerformanceWarning) as record:
        notice.advise_numba(100_000, 10, 1, 100_000)
    assert str(record[0].message) == (
        "this fit (100000 rows x 10 feature(s), batches of 1) runs gdbook's readable Python "
        "loop, 100000 numpy steps per epoch, because numba is not installed; "
        '`pip install "gdbook[fast]"` runs the same steps compiled, with the same numbers, '
        "roughly 300x faster (an estimate). Set GDBOOK_FAST=off to choose the readable loop "
        "and silence this warning.")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        notice.advise_numba(100_000, 10, 1, 100_000)  # once per process


def test_an_installed_numba_that_cannot_compile_is_not_called_missing(fresh, monkeypatch):
    monkeypatch.setattr(notice, "speedup_estimate", lambda n, d, batch: 346.1)
    error = RuntimeError("LLVM ERROR: no target")
    with pytest.warns(PerformanceWarning) as record:
        notice.advise_numba(100_000, 10, 1, 100_000, error)
    assert str(record[0].message) == (
        "this fit (100000 rows x 10 feature(s), batches of 1) runs gdbook's readable Python "
        "loop, 100000 numpy steps per epoch, because numba is installed but could not be used "
        "(RuntimeError: LLVM ERROR: no target); a working numba (`pip install \"gdbook[fast]\"` "
        "picks a matching numba and llvmlite) runs the same steps compiled, with the same "
        "numbers, roughly 300x faster (an estimate). Set GDBOOK_FAST=off to choose the readable "
        "loop and silence this warning.")


def test_a_missing_numba_is_called_missing(fresh, monkeypatch):
    monkeypatch.setattr(notice, "speedup_estimate", lambda n, d, batch: 346.1)
    with pytest.warns(PerformanceWarning, match="because numba is not installed; `pip install"):
        notice.advise_numba(100_000, 10, 1, 100_000, ModuleNotFoundError("No module 'numba'"))


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.dtype("float32")])
def test_the_compile_message_names_the_dtype(dtype):
    name = np.dtype(dtype).name
    assert notice.compile_message(dtype) == (
        f"gdbook: compiling the fast kernels for {name} (once per installed version of gdbook "
        f"and numba; 10 to 30 s)...")
