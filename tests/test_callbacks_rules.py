"""The rules of the built-in callbacks at their edges: ties, divergence, monitors, messages."""

import warnings

import numpy as np
import pytest
from scripted import Scripted

from gdbook import (
    BatchGD,
    Callback,
    ConvergenceWarning,
    DivergenceError,
    EarlyStopping,
    LinearRegression,
    RestoreBest,
    Trainer,
    make_linear_data,
)
from gdbook.callbacks import FunctionCallback

X, Y = make_linear_data(50, seed=0)
X_VAL, Y_VAL = make_linear_data(20, seed=1)


def test_restore_best_keeps_the_earlier_of_two_equal_losses():
    model = Scripted([9.0, 5.0, 3.0, 4.0, 3.0, 6.0])  # epochs 1 and 3 tie at 3.0
    history = Trainer(BatchGD(learning_rate=1.0), epochs=5, restore_best=True).fit(
        model, np.zeros(3), np.zeros(3))
    assert history.best_epoch == 1
    assert model.params[0] == -2.0  # the parameters after two steps, not four


def test_a_run_that_diverges_is_not_restored():
    model = LinearRegression(seed=0)
    with pytest.raises(DivergenceError) as info:
        Trainer(BatchGD(learning_rate=5.0), epochs=50, restore_best=True).fit(model, X, Y)
    history = info.value.history
    assert history.best_epoch is not None and history.best_epoch < history.n_epochs - 1
    np.testing.assert_array_equal(model.params, history.params)  # the last, blown-up ones
    assert model.loss(X, Y) == history.loss[-1]


def test_validation_of_a_diverging_run_raises_no_numpy_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an overflow in the validation loss would show here
        with pytest.raises(DivergenceError):
            Trainer(BatchGD(learning_rate=50.0), epochs=500).fit(
                LinearRegression(seed=0), X * 1e3, Y, validation_data=(X_VAL * 1e150, Y_VAL))


def test_validation_with_infinite_parameters_raises_no_numpy_warning():
    # one step of a huge rate overflows the weight to inf: on a validation row whose feature
    # is 0 the prediction is 0 * inf, an invalid operation; the run must end in a
    # DivergenceError, not in numpy's RuntimeWarning (an error under this filter)
    X_train, y_train = np.array([1.0, -1.0, 2.0, 0.5]), np.array([3.0, -2.0, 1.0, 0.0])
    X_val, y_val = np.array([1.0, -2.0, 0.0]), np.ones(3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(DivergenceError) as info:
            Trainer(BatchGD(learning_rate=1e308), epochs=5).fit(
                LinearRegression(seed=0), X_train, y_train, validation_data=(X_val, y_val))
    history = info.value.history
    assert np.isinf(history.params[0]) and history.n_epochs == 1
    assert np.isnan(history.val_loss[0])  # recorded as it is, not hidden


@pytest.mark.parametrize("monitor", ["loss", "val_loss", None])
def test_early_stopping_monitors_what_it_is_told(monitor):
    seen = []

    class Spy(EarlyStopping):
        def on_epoch_end(self, run):
            seen.append(run.logs[self.monitor or "val_loss"][-1])
            return super().on_epoch_end(run)

    with pytest.warns(ConvergenceWarning) as record:  # 3 epochs: still improving
        history = Trainer(BatchGD(learning_rate=0.5), epochs=3,
                          callbacks=[Spy(tol=0.0, patience=5, monitor=monitor)]).fit(
            LinearRegression(seed=0), X, Y, validation_data=(X_VAL, Y_VAL))
    expected = history.loss if monitor == "loss" else history.val_loss
    np.testing.assert_array_equal(seen, expected)
    which = "the loss" if monitor == "loss" else "the validation loss"
    assert str(record[0].message).startswith(f"{which} was still improving")


def test_early_stopping_messages_word_for_word():
    with pytest.raises(TypeError) as info:
        EarlyStopping(tol=None, patience=2)
    assert str(info.value) == "tol must be a number >= 0, got None"
    with pytest.raises(ValueError) as info:
        EarlyStopping(tol=0.1, patience=2, monitor="accuracy")
    assert str(info.value) == "monitor must be None, 'loss' or 'val_loss', got 'accuracy'"
    with pytest.raises(ValueError) as info:
        Trainer(BatchGD(), epochs=2, callbacks=[EarlyStopping(0.1, 2, monitor="val_loss")]).fit(
            LinearRegression(seed=0), X, Y)
    assert str(info.value) == ("EarlyStopping(monitor='val_loss') needs validation data: "
                               "fit(model, X, y, validation_data=(X_val, y_val))")


def test_the_convergence_warning_names_the_training_loss_without_validation_data():
    with pytest.warns(ConvergenceWarning) as record:
        Trainer(BatchGD(), epochs=2, tol=1e-12).fit(LinearRegression(seed=0), X, Y)
    assert str(record[0].message) == (
        "the loss was still improving by more than tol=1e-12 after epochs=2; consider "
        "increasing epochs, the learning rate, or tol")


def test_reprs_of_the_callbacks():
    def stop(epoch, loss, model):
        return False

    assert repr(RestoreBest()) == "RestoreBest()"
    assert repr(FunctionCallback(stop)) == repr(stop)
    assert repr(EarlyStopping(0.5, 3)) == "EarlyStopping(tol=0.5, patience=3)"
    trainer = Trainer(BatchGD(), callbacks=[RestoreBest(), stop])
    assert f"callbacks=[RestoreBest(), {stop!r}]" in repr(trainer)


def test_a_callback_can_record_a_column_of_its_own():
    class Gap(Callback):
        def on_epoch_end(self, run):
            run.record(gap=run.logs["val_loss"][-1] - run.loss, epoch_seen=run.epoch)

        def on_fit_end(self, run):
            self.logs = run.logs

    gap = Gap()
    history = Trainer(BatchGD(learning_rate=0.5), epochs=3, callbacks=[gap]).fit(
        LinearRegression(seed=0), X, Y, validation_data=(X_VAL, Y_VAL))
    np.testing.assert_allclose(gap.logs["gap"], history.val_loss - history.loss, rtol=1e-15)
    assert gap.logs["epoch_seen"] == [0, 1, 2]


def test_validation_data_that_is_not_a_pair():
    for data in ((X_VAL,), "xy", X_VAL):
        with pytest.raises(TypeError) as info:
            Trainer(BatchGD(), epochs=1).fit(LinearRegression(seed=0), X, Y, validation_data=data)
        assert str(info.value).startswith("validation_data must be a pair (X_val, y_val), got ")
    with pytest.raises(TypeError) as info:
        Trainer(BatchGD(), epochs=1).fit(LinearRegression(seed=0), X, Y, validation_data=(1,))
    assert str(info.value) == "validation_data must be a pair (X_val, y_val), got (1,)"
