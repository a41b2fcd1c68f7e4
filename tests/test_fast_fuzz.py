"""A differential fuzz of the fast paths: every mode gives the readable loop's numbers.

Hypothesis draws whole training problems (1 to 30 000 rows, 1 to 40 features, four dtypes,
C or Fortran order, strided and read-only views, every batch-size edge, the three row orders,
schedules, early stopping, learning rates from 0.001x to 10x the stability bound) and fits
each under `GDBOOK_FAST=off` (the readable loop), `numpy` and `numba`. The oracle is the
readable loop in long double: no fast path may be further from it than the readable loop in
the data's own dtype, by more than a small factor (or a few roundings, when the readable loop
happens to land closer than that). Also: outcomes agree (same epochs, same stop, divergence
at the same epoch), inputs are never modified, and a repeat is bit-identical.

Bounded in time and deterministic: `derandomize=True`, a fixed number of examples, and at
most a few hundred readable steps per example.
"""

import importlib.util
import math
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gdbook import (
    ConvergenceWarning,
    DivergenceError,
    LinearRegression,
    MiniBatchGD,
    Trainer,
    max_stable_learning_rate,
)

HAS_NUMBA = importlib.util.find_spec("numba") is not None
MODES = ["numpy", "numba"] if HAS_NUMBA else ["numpy"]
WIDE = np.finfo(np.longdouble).eps < np.finfo(np.float64).eps / 100
FACTOR = 4.0
"""A fast path's error may be this many times the readable loop's error..."""
ROUNDINGS = 64
"""... or this many roundings of the data's dtype, whichever is larger."""
MAX_STEPS = 600
"""Gradient steps per fit at most (the readable loop in long double runs them all)."""


@st.composite
def problems(draw):
    n = draw(st.one_of(st.integers(1, 40), st.integers(41, 2000), st.integers(2001, 30_000)))
    d = draw(st.one_of(st.just(1), st.integers(2, 6), st.integers(7, 40)))
    epochs = draw(st.integers(1, 4))
    edges = [1, n] + ([n - 1] if n > 1 else [])
    batch_size = draw(st.one_of(st.sampled_from(edges), st.integers(1, n)))
    batch_size = max(batch_size, math.ceil(n * epochs / MAX_STEPS))  # a bounded fit
    return {
        "n": n, "d": d, "epochs": epochs, "batch_size": batch_size,
        "seed": draw(st.integers(0, 2**16)),
        "dtype": draw(st.sampled_from([np.float64, np.float32, np.longdouble, np.int16])),
        "layout": draw(st.sampled_from(["C", "F", "strided", "read-only"])),
        "features": draw(st.sampled_from(["uniform", "gaussian", "offset"])),
        "scale": 10.0 ** draw(st.integers(-3, 3)),
        "noise": draw(st.sampled_from([0.0, 1e-6, 0.1, 1.0])),
        "intercept": draw(st.sampled_from([3.0, -50.0, 1e6])),  # 1e6: parameters travel far
        "lr_fraction": 10.0 ** draw(st.floats(-3, 1)),
        "schedule": draw(st.sampled_from(["constant", "invscaling", "step"])),
        "order": draw(st.sampled_from(["shuffle", "sequential", "replacement"])),
        "drop_last": draw(st.booleans()),
        "tol": draw(st.sampled_from([None, None, 0.0, 1e-8, 1e-3])),
        "patience": draw(st.integers(1, 3)),
    }


def make_data(p):
    rng = np.random.default_rng(p["seed"])
    n, d = p["n"], p["d"]
    X = rng.standard_normal((n, d)) if p["features"] == "gaussian" else rng.random((n, d))
    if p["features"] == "offset":
        X = X + 5.0  # a large mean: an ill-conditioned Hessian
    X = X * p["scale"]
    y = X @ rng.standard_normal(d) + p["intercept"] + p["noise"] * rng.standard_normal(n)
    if p["dtype"] == np.int16:
        X, y = np.round(X / p["scale"] * 10), np.round(y / p["scale"] * 10)
    X, y = X.astype(p["dtype"]), y.astype(p["dtype"])
    if p["layout"] == "F":
        X = np.asfortranarray(X)
    elif p["layout"] == "strided":
        wide = np.zeros((n, 2 * d), X.dtype)
        wide[:, ::2] = X
        X, y = wide[:, ::2], np.repeat(y, 2)[::2]
    if d == 1 and p["seed"] % 2:
        X = X[:, 0]  # a 1-D X, as the article has it
    X.flags.writeable = p["layout"] != "read-only"
    return X, y


def run(mode, monkeypatch, p, X, y):
    """Fit once; return the History, or the DivergenceError."""
    monkeypatch.setenv("GDBOOK_FAST", mode)
    bound = max_stable_learning_rate(np.asarray(X, np.float64))
    optimizer = MiniBatchGD(batch_size=p["batch_size"], learning_rate=p["lr_fraction"] * bound,
                            schedule=p["schedule"])
    trainer = Trainer(optimizer, epochs=p["epochs"], seed=p["seed"], order=p["order"],
                      drop_last=p["drop_last"] and p["batch_size"] < p["n"], tol=p["tol"],
                      patience=p["patience"], record_steps=True)
    model = LinearRegression(n_features=1 if X.ndim == 1 else X.shape[1], seed=p["seed"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        try:
            return trainer.fit(model, X, y)
        except DivergenceError as error:
            return error


def error(history, reference):
    """Largest relative error of the loss and gradient histories and the parameters."""
    worst = 0.0
    for name in ("loss", "grad_norm", "params"):
        got = np.asarray(getattr(history, name), np.longdouble)
        want = np.asarray(getattr(reference, name), np.longdouble)
        worst = max(worst, float(np.max(np.abs(got - want)) / max(np.max(np.abs(want)), 1e-300)))
    return worst


@pytest.mark.skipif(not WIDE, reason="long double is float64 here: no wider oracle")
@settings(max_examples=100, derandomize=True, database=None, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(p=problems())
def test_every_mode_is_as_close_to_the_exact_run_as_the_readable_loop(p):
    with pytest.MonkeyPatch.context() as monkeypatch:
        X, y = make_data(p)
        X_before, y_before = X.copy(), y.copy()
        exact = run("off", monkeypatch, p, X.astype(np.longdouble), y.astype(np.longdouble))
        readable = run("off", monkeypatch, p, X, y)
        for mode in MODES:
            fast = run(mode, monkeypatch, p, X, y)
            again = run(mode, monkeypatch, p, X, y)
            np.testing.assert_array_equal(X, X_before)  # inputs never modified
            np.testing.assert_array_equal(y, y_before)
            if isinstance(readable, DivergenceError) or isinstance(fast, DivergenceError):
                assert type(fast) is type(readable), (mode, fast, readable)
                assert fast.epoch == readable.epoch, mode
                assert again.epoch == fast.epoch
                continue
            for name in ("loss", "grad_norm", "params", "step_loss"):  # a repeat: the same bits
                np.testing.assert_array_equal(getattr(again, name), getattr(fast, name))
            assert fast.stop_reason == readable.stop_reason, mode
            if fast.n_epochs != readable.n_epochs or isinstance(exact, DivergenceError):
                # early stopping on a loss that has settled to its last bits, or a run at
                # the edge of divergence (at the bound, a loss that stays at its start up to
                # rounding: the long-double run may end a last bit above it and be stopped,
                # e.g. n = 1, where var(y) = 0): compare the epochs they share, not the end
                if fast.n_epochs != readable.n_epochs:
                    assert fast.stop_reason == "converged", mode
                shared = min(fast.n_epochs, readable.n_epochs)
                np.testing.assert_allclose(fast.loss[:shared], readable.loss[:shared], rtol=1e-3)
                continue
            floor = ROUNDINGS * np.finfo(readable.params.dtype).eps
            limit = FACTOR * max(error(readable, exact), floor)
            assert error(fast, exact) <= limit, (mode, error(fast, exact), error(readable, exact))
