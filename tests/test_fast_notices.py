"""What the fast paths tell the user: the PerformanceWarning without numba, the compile notice."""

import logging
import time
import types
import warnings

import numpy as np
import pytest

from gdbook import (
    BatchGD,
    LinearRegression,
    MiniBatchGD,
    PerformanceWarning,
    StochasticGD,
    Trainer,
    _fast,
    _fast_notice,
)


@pytest.fixture
def without_numba(monkeypatch):
    """As if numba were not installed, with the once-per-process warning not yet given."""
    monkeypatch.setattr(_fast, "_kernels", {"module": None, "error": ImportError("no numba")})
    monkeypatch.setattr(_fast_notice, "_advised", [])
    monkeypatch.delenv("GDBOOK_FAST", raising=False)


def data(n, d):
    rng = np.random.default_rng(0)
    X = rng.random((n, d))
    return X, X @ np.arange(1.0, d + 1) + 1


def fit(optimizer, X, y, epochs=1):
    model = LinearRegression(n_features=X.shape[1], seed=0)
    return Trainer(optimizer, epochs=epochs, seed=0).fit(model, X, y)


def test_large_fit_left_to_the_readable_loop_warns_once(without_numba):
    X, y = data(20_000, 10)
    with pytest.warns(PerformanceWarning) as record:
        fit(StochasticGD(learning_rate=0.01), X, y, epochs=2)
    assert len(record) == 1
    message = str(record[0].message)
    assert "20000 rows x 10 feature(s), batches of 1" in message
    assert "20000 numpy steps per epoch" in message
    assert 'pip install "gdbook[fast]"' in message and "GDBOOK_FAST=off" in message
    speedup = float(message.split("roughly ")[1].split("x faster")[0])
    assert speedup == pytest.approx(_fast_notice.speedup_estimate(20_000, 10, 1), rel=0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # once per process: the second fit is silent
        fit(MiniBatchGD(batch_size=10, learning_rate=0.01), X, y)


def test_the_performance_warning_points_at_the_users_call(without_numba):
    # A test of its own: the mutation run (mutmut) deselects it, because its trampolines put
    # wrapper frames between gdbook's (see [tool.mutmut] in pyproject.toml).
    X, y = data(20_000, 10)
    with pytest.warns(PerformanceWarning) as record:
        Trainer(StochasticGD(learning_rate=0.01), epochs=1, seed=0).fit(
            LinearRegression(n_features=10, seed=0), X, y)
    assert record[0].filename == __file__  # points at the user's call, not into gdbook


@pytest.mark.parametrize(
    "case",
    [
        "small data",  # fast enough in the readable loop
        "batch GD",  # the numpy batch path reads X once per epoch
        "one feature",  # the vectorised scan
        "large batches",  # a numpy step per batch costs little next to its rows
        "GDBOOK_FAST=off",  # the readable loop chosen on purpose
        "GDBOOK_FAST=numpy",
    ],
)
def test_no_warning_where_numba_would_not_help_much(case, without_numba, monkeypatch):
    X, y = data(300 if case == "small data" else 20_000, 1 if case == "one feature" else 5)
    optimizer = {"batch GD": BatchGD(learning_rate=0.1),
                 "large batches": MiniBatchGD(batch_size=2000, learning_rate=0.1)}.get(
        case, StochasticGD(learning_rate=0.01))
    if case.startswith("GDBOOK_FAST"):
        monkeypatch.setenv("GDBOOK_FAST", case.split("=")[1])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fit(optimizer, X, y)


def test_one_feature_steps_past_the_scan_bound_warn(without_numba):
    """One feature, but a learning rate the vectorised scan declines: the readable loop runs."""
    X, y = data(20_000, 1)
    with pytest.warns(PerformanceWarning, match="batches of 1"):
        fit(StochasticGD(learning_rate=0.55), X, y)


def test_estimate_matches_the_benchmarked_ratios():
    """The cost model against what the benchmark suite measured (benchmarks/results): one-row
    steps on 1e5 x 10 about 200x, batches of 10 about 30x, batches of 256 a few times."""
    assert 100 < _fast_notice.speedup_estimate(100_000, 10, 1) < 400
    assert 15 < _fast_notice.speedup_estimate(1_000_000, 10, 10) < 60
    assert 2 < _fast_notice.speedup_estimate(1_000_000, 10, 256) < 10


@pytest.fixture
def slow_build(monkeypatch):
    """A kernels module whose build takes 0.3 s, announced after 0.05 s."""
    module = types.SimpleNamespace(warm_up=lambda dtype: time.sleep(0.3))
    monkeypatch.setattr(_fast, "_kernels", {"module": module})
    monkeypatch.setattr(_fast_notice, "NOTICE_AFTER", 0.05)
    return module


def test_a_long_build_is_announced_once_per_dtype(slow_build, caplog):
    with caplog.at_level(logging.WARNING, logger="gdbook"):
        for _ in range(2):
            assert _fast.numba_kernels(np.dtype(np.float64)) is slow_build
        _fast.numba_kernels(np.dtype(np.float32))
    messages = [r.getMessage() for r in caplog.records if r.name == "gdbook"]
    assert messages == [_fast_notice.compile_message(np.dtype(t)) for t in ("float64", "float32")]
    assert messages[0].startswith("gdbook: compiling the fast kernels for float64")


def test_a_quick_load_from_the_cache_is_silent(monkeypatch, caplog):
    module = types.SimpleNamespace(warm_up=lambda dtype: None)
    monkeypatch.setattr(_fast, "_kernels", {"module": module})
    with caplog.at_level(logging.DEBUG, logger="gdbook"):
        _fast.numba_kernels(np.dtype(np.float64))
        time.sleep(2 * _fast_notice.NOTICE_AFTER)  # the timer, had it not been cancelled
    assert not [r for r in caplog.records if r.name == "gdbook"]


def test_a_progress_bar_can_show_the_notice_instead(slow_build, monkeypatch, caplog):
    shown = []
    monkeypatch.setattr(_fast_notice, "show_compile_message", shown.append)
    with caplog.at_level(logging.WARNING, logger="gdbook"):
        _fast.numba_kernels(np.dtype(np.float64))
    assert shown == [_fast_notice.compile_message(np.dtype(np.float64))]
    assert not caplog.records


def test_the_progress_bar_shows_the_compile_notice(slow_build, monkeypatch):
    """End to end: `Trainer(progress=True)` opens its bar before the kernels are built, and
    the notice (a record on the `gdbook` logger) becomes the bar's description."""
    pytest.importorskip("tqdm")
    import io

    from gdbook import ProgressBar

    kernels = SimpleKernels()
    monkeypatch.setattr(_fast, "_kernels", {"module": kernels})
    monkeypatch.setenv("GDBOOK_FAST", "numba")
    out = io.StringIO()
    X, y = data(200, 2)
    with pytest.raises(RuntimeError, match="stop after the build"):
        Trainer(BatchGD(), epochs=1, callbacks=[ProgressBar(file=out, ascii=True)]).fit(
            LinearRegression(n_features=2, seed=0), X, y)
    assert "gdbook: compiling the fast kernels for float64" in out.getvalue()


class SimpleKernels:
    """Kernels whose build is slow and whose use stops the fit (nothing more is needed)."""

    def warm_up(self, dtype):
        time.sleep(0.3)

    def __getattr__(self, name):
        raise RuntimeError("stop after the build")
