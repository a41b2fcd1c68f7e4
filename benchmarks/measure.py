"""Timing helpers: alternate the contenders round by round, fix the fast-path mode, peak memory."""

from __future__ import annotations

import contextlib
import gc
import os
import statistics
import time
import tracemalloc
from collections.abc import Callable, Iterator

import numpy as np

from gdbook import LinearRegression, Trainer, make_linear_data

_data: dict[tuple[int, int, str], tuple[np.ndarray, np.ndarray]] = {}


def data(n: int, d: int, features: str = "uniform") -> tuple[np.ndarray, np.ndarray]:
    """The article's data with `d` features (1-D `X` for one feature, as the article has it).

    `features="gaussian"` draws them from N(0, 1) instead of U(0, 1): centred
    features, a Hessian of condition number near 1 rather than near 4d.
    """
    if (n, d, features) not in _data:
        if sum(a * (b + 1) for a, b, _ in _data) > 3 * 10**8:  # keep at most ~2.4 GB of data
            _data.clear()
        if features == "uniform":
            X, y = make_linear_data(n_samples=n, n_features=None if d == 1 else d, seed=0)
        else:  # the same line, y = 2 x + 1 + N(0, 0.1**2), on N(0, 1) features
            rng = np.random.default_rng(0)
            X = rng.standard_normal(n if d == 1 else (n, d))
            y = (X if d == 1 else X.sum(axis=1)) * 2.0 + 1.0 + 0.1 * rng.standard_normal(n)
        _data[n, d, features] = X, y
    return _data[n, d, features]


def alternate(runs: dict[str, Callable[[], float]], rounds: int) -> dict[str, list[float]]:
    """Call each run once per round, in A B C / C B A order, after one untimed warm-up each.

    Each run returns the seconds it measured; alternating in one process lets
    a slow or fast spell of the machine hit every contender alike.
    """
    for run in runs.values():
        run()
    times: dict[str, list[float]] = {name: [] for name in runs}
    for round_ in range(rounds):
        names = list(runs) if round_ % 2 == 0 else list(runs)[::-1]
        for name in names:
            gc.collect()
            times[name].append(runs[name]())
    return times


def median_ratio(numerator: list[float], denominator: list[float]) -> float:
    """Median over rounds of `numerator[i] / denominator[i]` (paired, so drift cancels)."""
    return statistics.median(a / b for a, b in zip(numerator, denominator, strict=True))


@contextlib.contextmanager
def fast_mode(value: str | None) -> Iterator[None]:
    """Run with `GDBOOK_FAST=value` (`None`: as the user's environment has it)."""
    old = os.environ.get("GDBOOK_FAST")
    if value is not None:
        os.environ["GDBOOK_FAST"] = value
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("GDBOOK_FAST", None)
        else:
            os.environ["GDBOOK_FAST"] = old


def n_features(X: np.ndarray) -> int:
    return 1 if X.ndim == 1 else X.shape[1]


def fit_seconds(optimizer, X, y, *, epochs=1, mode=None, seed=0, shuffle=True,
                epoch_seconds: list[float] | None = None) -> float:
    """Wall time of a fit as a user times it: `Trainer(...).fit(LinearRegression(...), X, y)`.

    Building the model and the trainer, checking the data, the initial and
    per-epoch full-data losses, drawing the row order: all of it is counted.
    The epochs alone (`History.time`) are appended to `epoch_seconds` if given.
    """
    d = n_features(X)
    with fast_mode(mode):
        start = time.perf_counter()
        history = Trainer(optimizer, epochs=epochs, seed=seed, shuffle=shuffle).fit(
            LinearRegression(n_features=d, seed=0), X, y)
        seconds = time.perf_counter() - start
    if epoch_seconds is not None:
        epoch_seconds.append(float(history.time.sum()))
    return seconds


def seconds_per_epoch(optimizer, X, y, *, epochs, mode=None) -> float:
    """Median wall time between the ends of consecutive epochs (all per-epoch work counted)."""
    stamps: list[float] = []
    model = LinearRegression(n_features=n_features(X), seed=0)
    trainer = Trainer(optimizer, epochs=epochs + 1, seed=0,
                      callbacks=[lambda *_: stamps.append(time.perf_counter())])
    with fast_mode(mode):
        trainer.fit(model, X, y)
    return statistics.median(np.diff(stamps))


def read_seconds(X: np.ndarray) -> float:
    """Time to read `X` once at full speed: a multi-threaded BLAS matrix-vector product."""
    flat = X.reshape(-1)
    rows = flat[: flat.size // 1000 * 1000].reshape(-1, 1000)
    ones = np.ones(1000, X.dtype)
    start = time.perf_counter()
    rows @ ones
    return (time.perf_counter() - start) * flat.size / rows.size


def peak_memory(optimizer, X, y, *, epochs=2, mode=None) -> int:
    """Bytes allocated by `fit` at its peak, beyond what existed before (tracemalloc).

    numpy reports every array buffer to tracemalloc, so this counts the copies,
    permutations and temporaries that training makes; the compiled kernels
    allocate nothing themselves.
    """
    model = LinearRegression(n_features=n_features(X), seed=0)
    trainer = Trainer(optimizer, epochs=epochs, seed=0)
    with fast_mode(mode):
        small = 20_000  # warm up (imports, compiled kernels) outside the measurement
        Trainer(optimizer, epochs=1).fit(LinearRegression(n_features(X)), X[:small], y[:small])
        gc.collect()
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            trainer.fit(model, X, y)
            return tracemalloc.get_traced_memory()[1] - before
        finally:
            tracemalloc.stop()
