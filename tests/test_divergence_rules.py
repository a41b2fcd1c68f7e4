"""The divergence guard's two rules at their edges, on scripted loss sequences.

`Scripted(script)` (tests/scripted.py) records `script[e + 1]` at epoch e (0-based) of
`BatchGD(learning_rate=1)`, and `script[0]` as the initial loss. The variance of `y`,
the guard's second yardstick, is chosen through `y` (the features are zeros).
"""

import math
import warnings

import numpy as np
import pytest
from scripted import Scripted

from gdbook import BatchGD, Callback, ConvergenceWarning, DivergenceError, EarlyStopping, Trainer
from gdbook.divergence import variance

Y_VAR_0 = np.zeros(4)  # var(y) = 0: the initial loss is the only yardstick
Y_VAR_1 = np.array([1.0, -1.0, 1.0, -1.0])  # var(y) = 1 exactly
Y_VAR_4 = 2 * Y_VAR_1  # var(y) = 4 exactly


def fit(script, y, *, epochs=None, callbacks=()):
    """Train on the script (by default one epoch per scripted loss after the first)."""
    trainer = Trainer(BatchGD(learning_rate=1.0), callbacks=list(callbacks),
                      epochs=len(script) - 1 if epochs is None else epochs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return trainer.fit(Scripted(script), np.zeros(len(y)), y)


def above(x):
    return float(np.nextafter(x, math.inf))


# --- rule 1: during training, a loss above ratio x max(initial loss, var(y)) --------------


@pytest.mark.parametrize(("y", "limit"), [(Y_VAR_0, 1e6),  # 1e6 x the initial loss 1
                                          (Y_VAR_4, 4e6)])  # 1e6 x var(y) = 4 > 1
def test_rule_1_stops_only_a_loss_above_a_million_times_the_larger_yardstick(y, limit):
    history = fit([1.0, limit, 0.5], y)  # exactly at the limit: not above it
    assert history.stop_reason == "epochs"
    np.testing.assert_array_equal(history.loss, [limit, 0.5])
    with pytest.raises(DivergenceError) as info:
        fit([1.0, above(limit), 0.5], y)
    error = info.value
    assert error.epoch == 0 and error.loss == above(limit)
    assert error.history.n_epochs == 1 and error.history.stop_reason == "diverged"
    assert str(error).startswith("training diverged at epoch 0 ")


@pytest.mark.parametrize("loss", [math.inf, math.nan])
def test_rule_1_stops_a_loss_that_is_not_a_number_at_once(loss):
    with pytest.raises(DivergenceError) as info:
        fit([1.0, 0.5, loss, 0.5], Y_VAR_0)
    assert str(info.value).startswith("training diverged at epoch 1 ")
    assert info.value.history.n_epochs == 2


# --- rule 2: at the end, a loss above its start and above 10 x var(y) ---------------------


def test_rule_2_needs_the_final_loss_above_the_initial_loss():
    history = fit([1.0, 0.5, 1.0], Y_VAR_0)  # ends where it started: not above
    assert history.stop_reason == "epochs" and history.loss[-1] == history.initial_loss
    with pytest.raises(DivergenceError) as info:
        fit([1.0, 0.5, above(1.0)], Y_VAR_0)
    error = info.value
    assert error.epoch == 1
    assert error.history.n_epochs == 2 and error.history.stop_reason == "diverged"
    assert str(error).startswith("training ended at epoch 1 ")


def test_rule_2_needs_the_final_loss_above_ten_times_the_variance_of_y():
    history = fit([1.0, 10.0], Y_VAR_1)  # 10 x var(y) = 10, exactly: not above
    assert history.stop_reason == "epochs" and history.loss[-1] == 10.0
    with pytest.raises(DivergenceError) as info:
        fit([1.0, above(10.0)], Y_VAR_1)
    assert str(info.value).startswith("training ended at epoch 0 ")


class StopAfter(Callback):
    """Stop after `epochs` epochs, with its own stop_reason when given one."""

    def __init__(self, epochs, stop_reason=None):
        self.epochs = epochs
        if stop_reason is not None:
            self.stop_reason = stop_reason

    def on_epoch_end(self, run):
        return run.epoch + 1 >= self.epochs


@pytest.mark.parametrize(("callback", "stop_reason"), [
    (None, "epochs"),  # every epoch run
    (EarlyStopping(tol=0.0, patience=2), "converged"),  # stale after epoch 0: stops at 2
    (StopAfter(3), "callback"),
    (StopAfter(3, "good enough"), "good enough"),  # a callback's own reason counts too
])
def test_rule_2_judges_every_run_that_ends_normally(callback, stop_reason):
    script = [1.0, 5.0, 5.0, 5.0, 5.0, 5.0, 5.0]  # ends 5 x above where it started
    callbacks = [] if callback is None else [callback]
    epochs = 3 if callback is None else 6
    assert fit(script[:-1], Y_VAR_1, epochs=epochs, callbacks=callbacks).stop_reason == (
        stop_reason)  # with var(y) = 1, 10 x var(y) is above the final loss: no divergence
    with pytest.raises(DivergenceError) as info:
        fit(script, Y_VAR_0, epochs=epochs, callbacks=callbacks)
    assert str(info.value).startswith("training ended at epoch 2 ")
    assert info.value.history.n_epochs == 3
    assert info.value.history.stop_reason == "diverged"


def test_a_run_ended_by_an_exception_is_not_judged():
    class Interrupt(Callback):
        def on_epoch_end(self, run):
            if run.epoch == 1:
                raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):  # not a DivergenceError, though the loss grew 5 x
        fit([1.0, 5.0, 5.0, 5.0], Y_VAR_0, callbacks=[Interrupt()])


# --- the second yardstick: the variance of y -----------------------------------------------


def test_the_variance_of_a_float32_target_is_computed_in_float64():
    # a large mean and a small spread: in float32 the mean's sum is off by about 0.6 and
    # each centred value is rounded to float32's spacing of 0.06 near 1e6
    y = (1e6 + np.random.default_rng(0).standard_normal(100_000)).astype(np.float32)
    assert variance(y) == pytest.approx(np.var(y.astype(np.float64)), rel=1e-12)
    y = np.array([3e38, 3e38, 1e38], dtype=np.float32)  # their sum and squares overflow float32
    assert variance(y) == pytest.approx(np.var(y.astype(np.float64)), rel=1e-12)


def test_the_variance_of_targets_too_large_to_square_is_not_finite_and_quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow or invalid-value warning from numpy
        assert variance(np.array([1e308, 1e308, -1e308])) == math.inf  # the sum overflows
        # numpy sums in eight interleaved partial sums: +inf and -inf, whose sum is nan
        assert not math.isfinite(variance(np.tile([1e308, -1e308], 8)))
