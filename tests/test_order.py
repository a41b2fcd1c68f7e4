"""The row order of each epoch: in order, reshuffled, or drawn with replacement.

Oracle: a hand-written loop that draws the rows with the documented numpy call
(`rng.permutation(n)` or `rng.integers(n, size=n)`) and steps with the article's formulas.
"""

import importlib.util

import numpy as np
import pytest

from gdbook import BatchGD, LinearRegression, MiniBatchGD, StochasticGD, Trainer, make_linear_data
from gdbook.batching import iter_batches

HAS_NUMBA = importlib.util.find_spec("numba") is not None
MODES = ["off", "numpy", pytest.param("numba", marks=pytest.mark.skipif(
    not HAS_NUMBA, reason="numba not installed"))]


def reference(X, y, params, batch_size, epochs, lr, order, seed):
    """Mini-batch GD on a line written from scratch; returns the loss after each epoch."""
    rng = np.random.default_rng(seed)
    w, b = params
    n, losses = len(y), []
    for _ in range(epochs):
        if order == "replacement":
            rows = rng.integers(n, size=n)
        elif order == "shuffle":
            rows = rng.permutation(n)
        else:
            rows = np.arange(n)
        for start in range(0, n, batch_size):
            batch = rows[start : start + batch_size]
            r = w * X[batch] + b - y[batch]
            w, b = w - lr * 2 * np.mean(r * X[batch]), b - lr * 2 * np.mean(r)
        losses.append(np.mean((w * X + b - y) ** 2))
    return np.array(losses), np.array([w, b])


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("order", ["sequential", "shuffle", "replacement"])
@pytest.mark.parametrize("batch_size", [1, 7, 100])
def test_each_order_draws_the_documented_rows(order, batch_size, mode, monkeypatch):
    monkeypatch.setenv("GDBOOK_FAST", mode)
    X, y = make_linear_data(100, seed=0)
    model = LinearRegression(seed=0)
    start = model.params.copy()
    trainer = Trainer(MiniBatchGD(batch_size=batch_size, learning_rate=0.1), epochs=5, seed=3,
                      order=order)
    history = trainer.fit(model, X, y)
    losses, params = reference(X, y, start, batch_size, 5, 0.1, order, seed=3)
    np.testing.assert_allclose(history.loss, losses, rtol=1e-12)
    np.testing.assert_allclose(history.params, params, rtol=1e-12)


def test_replacement_repeats_some_rows_and_leaves_others_out():
    rng = np.random.default_rng(0)
    batches = list(iter_batches(1000, 10, rng=rng, replacement=True))
    rows = np.concatenate(batches)
    assert len(batches) == 100 and rows.shape == (1000,)
    left_out = 1 - np.unique(rows).size / 1000
    assert abs(left_out - np.exp(-1)) < 0.05  # (1 - 1/n)^n -> 1/e of the rows are not drawn


def test_a_full_batch_with_replacement_is_a_bootstrap_not_batch_gd():
    X, y = make_linear_data(50, seed=1)
    full = Trainer(BatchGD(learning_rate=0.2), epochs=3, order="replacement").fit(
        LinearRegression(seed=0), X, y)
    plain = Trainer(BatchGD(learning_rate=0.2), epochs=3).fit(LinearRegression(seed=0), X, y)
    boot = Trainer(MiniBatchGD(batch_size=50, learning_rate=0.2), epochs=3, seed=0,
                   order="replacement").fit(LinearRegression(seed=0), X, y)
    np.testing.assert_array_equal(full.loss, plain.loss)  # BatchGD ignores the order
    assert not np.allclose(boot.loss, plain.loss)


def test_shuffle_keeps_working_and_maps_onto_order():
    opt = StochasticGD()
    assert Trainer(opt).order == "shuffle" and Trainer(opt).shuffle is True
    assert Trainer(opt, shuffle=False).order == "sequential"
    assert Trainer(opt, shuffle=True).order == "shuffle"
    assert Trainer(opt, order="replacement").shuffle is True
    assert Trainer(opt, order="sequential", shuffle=False).order == "sequential"
    assert "order='replacement'" in repr(Trainer(opt, order="replacement"))


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"order": "random"}, ValueError,
         r"order must be one of 'shuffle', 'sequential', 'replacement', got 'random'"),
        ({"order": 1}, ValueError, r"order must be one of .*, got 1"),
        ({"order": "replacement", "shuffle": False}, ValueError,
         r"shuffle=False contradicts order='replacement'"),
        ({"order": "sequential", "shuffle": True}, ValueError,
         r"shuffle=True contradicts order='sequential'"),
        ({"shuffle": "no"}, TypeError, r"shuffle must be True or False, got 'no'"),
    ],
)
def test_bad_orders_are_refused_with_a_clear_message(kwargs, error, message):
    with pytest.raises(error, match=message):
        Trainer(StochasticGD(), **kwargs)
