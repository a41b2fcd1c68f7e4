"""The callback protocol: what stops training, who runs, what a run exposes, and the built-ins."""

import io
import math
import sys

import numpy as np
import pytest

from gdbook import (
    BatchGD,
    Callback,
    LinearRegression,
    MiniBatchGD,
    ProgressBar,
    StochasticGD,
    Trainer,
    make_linear_data,
)

X, Y = make_linear_data(100, seed=0)
X_VAL, Y_VAL = make_linear_data(60, seed=1)


def fit(trainer, **kwargs):
    return trainer.fit(LinearRegression(seed=0), X, Y, **kwargs)


@pytest.mark.parametrize("truthy", [np.True_, np.float64(1.0), 1, "stop", [0]])
def test_any_truthy_return_stops_training(truthy):
    """Issue 9: a callback returning np.True_ (e.g. `np.mean(err**2) < 3000`) was ignored."""
    history = fit(Trainer(BatchGD(), epochs=50, callbacks=[lambda e, loss, m: truthy]))
    assert history.stop_reason == "callback" and history.n_epochs == 1


def test_a_numpy_comparison_stops_at_the_right_epoch():
    def below(epoch, loss, model):
        return np.mean((model.predict(X) - Y) ** 2) < 0.05  # an np.bool_

    history = fit(Trainer(MiniBatchGD(), epochs=300, seed=0, callbacks=[below]))
    assert history.stop_reason == "callback"
    assert history.loss[-1] < 0.05 <= history.loss[-2]


@pytest.mark.parametrize("falsy", [None, False, np.False_, 0, ""])
def test_falsy_returns_do_not_stop(falsy):
    history = fit(Trainer(BatchGD(), epochs=7, callbacks=[lambda e, loss, m: falsy]))
    assert history.stop_reason == "epochs" and history.n_epochs == 7


def test_every_callback_runs_every_epoch_even_after_one_asks_to_stop():
    seen = []
    callbacks = [lambda e, loss, m: e == 2, lambda e, loss, m: seen.append(e)]
    history = fit(Trainer(BatchGD(), epochs=10, callbacks=callbacks))
    assert history.n_epochs == 3
    assert seen == [0, 1, 2]


def test_the_first_callback_that_asks_names_the_stop_reason():
    class Named(Callback):
        def __init__(self, reason, at):
            self.stop_reason, self.at = reason, at

        def on_epoch_end(self, run):
            return run.epoch >= self.at

    history = fit(Trainer(BatchGD(), epochs=10, callbacks=[Named("b", 3), Named("a", 3)]))
    assert history.stop_reason == "b" and history.n_epochs == 4


def test_hooks_run_in_order_and_see_the_run():
    events = []

    class Spy(Callback):
        def on_fit_start(self, run):
            events.append(("start", run.epoch, np.isnan(run.initial_loss)))

        def on_epoch_end(self, run):
            events.append(("epoch", run.epoch, run.loss, run.logs["val_loss"][-1]))

        def on_fit_end(self, run):
            events.append(("end", run.stop_reason, run.epoch))

    history = fit(Trainer(BatchGD(), epochs=3, callbacks=[Spy()]),
                  validation_data=(X_VAL, Y_VAL))
    assert events[0] == ("start", -1, True)
    assert [e[1] for e in events[1:4]] == [0, 1, 2]
    np.testing.assert_array_equal([e[2] for e in events[1:4]], history.loss)
    np.testing.assert_array_equal([e[3] for e in events[1:4]], history.val_loss)
    assert events[4] == ("end", "epochs", 2)


def test_a_single_callback_need_not_be_in_a_list():
    def stop_at_two(epoch, loss, model):
        return epoch == 2

    history = fit(Trainer(BatchGD(), epochs=10, callbacks=stop_at_two))
    assert history.stop_reason == "callback" and history.n_epochs == 3
    from gdbook import EarlyStopping

    history = fit(Trainer(BatchGD(learning_rate=0.5), epochs=5000,
                          callbacks=EarlyStopping(1e-9, 3)))
    assert history.stop_reason == "converged" and history.n_epochs < 5000


def test_on_fit_end_runs_when_training_raises():
    ended = []

    class Boom(Callback):
        def on_epoch_end(self, run):
            raise KeyError("boom")

    class End(Callback):
        def on_fit_end(self, run):
            ended.append(run.stop_reason)

    with pytest.raises(KeyError):
        fit(Trainer(BatchGD(), epochs=3, callbacks=[Boom(), End()]))
    assert ended == ["error"]


def test_a_history_taken_before_any_epoch_finished_has_an_empty_step_record():
    """With record_steps, `step_loss` is an array even when no epoch finished (not None,
    which means "not recorded"); the steps of an unfinished epoch are not in it."""

    class InterruptedInItsFirstEpoch(LinearRegression):
        calls = 0

        def loss_and_grad(self, X, y):
            self.calls += 1
            if self.calls == 4:  # the initial loss, then the third batch of epoch 0
                raise KeyboardInterrupt
            return super().loss_and_grad(X, y)

    class Keep(Callback):
        def on_fit_end(self, run):
            self.history = run.history()

    keep = Keep()
    with pytest.raises(KeyboardInterrupt):
        Trainer(MiniBatchGD(batch_size=10), epochs=3, record_steps=True,
                callbacks=[keep]).fit(InterruptedInItsFirstEpoch(seed=0), X, Y)
    history = keep.history
    assert history.stop_reason == "error" and history.n_epochs == 0
    assert history.steps_per_epoch == 0 and history.final_loss == history.initial_loss
    assert history.step_loss is not None
    assert history.step_loss.shape == (0,) and history.step_loss.dtype == np.float64


def test_what_a_callback_sees_of_a_run_before_and_during_training():
    seen = []

    class Look(Callback):
        def __init__(self, asks):
            self.needs_step_losses = asks

        def on_fit_start(self, run):
            seen.append(("start", self.needs_step_losses, run.epoch, math.isnan(run.initial_loss),
                         run.step_losses, run.stop_reason, run.best_epoch))

        def on_epoch_end(self, run):
            history = run.history()
            seen.append((run.epoch, self.needs_step_losses, run.stop_reason,
                         history.stop_reason, None if run.step_losses is None
                         else len(run.step_losses)))

    class Readable(LinearRegression):  # a subclass trains in the readable loop
        def loss_and_grad(self, X, y):
            return super().loss_and_grad(X, y)

    for model in (Readable(seed=0), LinearRegression(seed=0)):  # and the fast path
        for asks in (False, True):
            seen.clear()
            Trainer(MiniBatchGD(batch_size=25), epochs=2, seed=0,
                    callbacks=[Look(asks)]).fit(model, X, Y)
            steps = 4 if asks else None  # 100 rows in batches of 25, only when asked for
            assert seen == [("start", asks, -1, True, None, None, None),
                            (0, asks, None, "running", steps), (1, asks, None, "running", steps)]


def test_a_float32_run_measures_its_validation_loss_in_float32():
    # the validation rows are cast to the training dtype, as the training rows are
    X32, Y32 = X.astype(np.float32), Y.astype(np.float32)
    params = []
    history = Trainer(BatchGD(learning_rate=0.3), epochs=3,
                      callbacks=[lambda e, loss, m: params.append(m.params.copy())]).fit(
        LinearRegression(seed=0), X32, Y32, validation_data=(X_VAL, Y_VAL))  # float64 rows
    expected = []
    for p in params:
        probe = LinearRegression(seed=0)
        probe.params = p  # float32
        expected.append(float(probe.loss_and_grad(X_VAL.reshape(-1, 1).astype(np.float32),
                                                  Y_VAL.astype(np.float32))[0]))
    np.testing.assert_array_equal(history.val_loss, expected)
    in_float64 = [float(np.mean((X_VAL * p[0] + p[1] - Y_VAL) ** 2)) for p in params]
    assert not np.array_equal(history.val_loss, in_float64)


def test_validation_loss_is_the_models_loss_on_the_held_out_rows():
    model = LinearRegression(seed=0)
    params = []
    history = Trainer(StochasticGD(learning_rate=0.1), epochs=5, seed=0,
                      callbacks=[lambda e, loss, m: params.append(m.params.copy())]).fit(
        model, X, Y, validation_data=(X_VAL, Y_VAL))
    expected = []
    for p in params:
        probe = LinearRegression(seed=0)
        probe.params = p
        expected.append(probe.loss(X_VAL, Y_VAL))
    np.testing.assert_allclose(history.val_loss, expected, rtol=1e-12)
    assert history.val_loss.shape == history.loss.shape == (5,)
    # the held-out rows are not trained on: same run without them, same parameters
    again = LinearRegression(seed=0)
    Trainer(StochasticGD(learning_rate=0.1), epochs=5, seed=0).fit(again, X, Y)
    np.testing.assert_array_equal(again.params, model.params)


def test_restore_best_leaves_the_parameters_of_the_lowest_validation_loss():
    model = LinearRegression(seed=0)
    params = []
    trainer = Trainer(StochasticGD(learning_rate=0.4), epochs=30, seed=0, restore_best=True,
                      callbacks=[lambda e, loss, m: params.append(m.params.copy())])
    history = trainer.fit(model, X, Y, validation_data=(X_VAL, Y_VAL))
    best = int(np.argmin(history.val_loss))
    assert history.best_epoch == best
    assert best < history.n_epochs - 1  # the noisy run did not end at its best
    np.testing.assert_array_equal(model.params, params[best])
    np.testing.assert_array_equal(history.params, params[best])
    assert model.loss(X_VAL, Y_VAL) == pytest.approx(history.val_loss.min(), rel=1e-12)


def test_restore_best_without_validation_uses_the_training_loss():
    model = LinearRegression(seed=0)
    history = Trainer(StochasticGD(learning_rate=0.4), epochs=30, seed=0,
                      restore_best=True).fit(model, X, Y)
    assert history.best_epoch == int(np.argmin(history.loss))
    assert model.loss(X, Y) == pytest.approx(history.loss.min(), rel=1e-12)


def test_restore_best_with_early_stopping_on_validation_loss():
    model = LinearRegression(seed=0)
    history = Trainer(StochasticGD(learning_rate=0.3), epochs=500, seed=0, tol=1e-4,
                      patience=3, restore_best=True).fit(
        model, X, Y, validation_data=(X_VAL, Y_VAL))
    assert history.stop_reason == "converged"
    assert history.best_epoch == int(np.argmin(history.val_loss))
    assert model.loss(X_VAL, Y_VAL) == pytest.approx(history.val_loss.min(), rel=1e-12)


@pytest.mark.parametrize(
    ("data", "error", "match"),
    [
        ((X_VAL,), TypeError, r"validation_data must be a pair \(X_val, y_val\)"),
        ("ab", TypeError, r"validation_data must be a pair"),
        ((X_VAL, Y_VAL[:5]), ValueError, r"X_val and y_val must have the same number of rows"),
        ((X_VAL, np.full(60, np.nan)), ValueError, r"y_val must be finite"),
        ((np.ones((60, 2)), Y_VAL), ValueError, r"X_val has 2 feature\(s\) \(shape \(60, 2\)\)"),
    ],
)
def test_bad_validation_data(data, error, match):
    with pytest.raises(error, match=match):
        fit(Trainer(BatchGD(), epochs=2), validation_data=data)


def test_progress_bar_prints_epochs_loss_and_validation_loss():
    out = io.StringIO()
    bar = ProgressBar(file=out, ascii=True, mininterval=0)
    history = fit(Trainer(BatchGD(learning_rate=0.5), epochs=40, callbacks=[bar]),
                  validation_data=(X_VAL, Y_VAL))
    last = out.getvalue().split("\r")[-1]
    assert "40/40" in last and "100%" in last and "epoch/s" in last
    assert f"loss={history.loss[-1]:.4g}" in last
    assert f"val_loss={history.val_loss[-1]:.4g}" in last


def test_progress_bar_shows_why_training_stopped():
    out = io.StringIO()
    history = fit(Trainer(BatchGD(learning_rate=0.5), epochs=5000, tol=1e-9,
                          callbacks=[ProgressBar(file=out, ascii=True)]))
    last = out.getvalue().split("\r")[-1]
    assert last.startswith("converged:")
    assert f"{history.n_epochs}/5000" in last


def test_progress_true_adds_a_bar_on_stderr(capsys):
    fit(Trainer(BatchGD(), epochs=3, progress=True))
    err = capsys.readouterr().err
    assert "3/3" in err and "loss=" in err


def test_progress_bar_shows_messages_logged_by_gdbook_while_open():
    import logging

    out = io.StringIO()

    class Announce(Callback):
        def on_epoch_end(self, run):
            if run.epoch == 1:
                logging.getLogger("gdbook._fast").info("compiling the fast kernels...")

    logger = logging.getLogger("gdbook")
    level = logger.level
    fit(Trainer(BatchGD(), epochs=3, callbacks=[Announce(), ProgressBar(file=out, ascii=True)]))
    assert "compiling the fast kernels..." in out.getvalue()
    assert logger.level == level and not logger.handlers  # left as found


def test_progress_without_tqdm_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "tqdm", None)
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    message = ('progress=True needs tqdm, an optional dependency: pip install "gdbook[progress]" '
               "(or pip install tqdm)")
    with pytest.raises(ImportError) as info:
        Trainer(BatchGD(), progress=True)
    assert str(info.value) == message
    with pytest.raises(ImportError) as info:
        ProgressBar()
    assert str(info.value) == message


def test_trainer_repr_shows_every_setting():
    def stop(epoch, loss, model):
        return False

    trainer = Trainer(MiniBatchGD(batch_size=4), epochs=7, seed=3, order="sequential",
                      drop_last=True, tol=0.5, patience=2, restore_best=True,
                      callbacks=[stop], record_steps=True)
    text = repr(trainer)
    for part in ("MiniBatchGD(learning_rate=0.1, batch_size=4", "epochs=7", "seed=3",
                 "order='sequential'", "drop_last=True", "tol=0.5", "patience=2",
                 "restore_best=True", "<function", "stop", "record_steps=True",
                 "progress=False"):
        assert part in text


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"tol": -1.0, "patience": 2}, ValueError, r"tol must be None or a finite number >= 0"),
        ({"tol": None, "patience": 2}, TypeError, r"tol must be a number >= 0, got None"),
        ({"tol": float("inf"), "patience": 2}, ValueError,
         r"tol must be None or a finite number >= 0, got inf"),
        ({"tol": float("nan"), "patience": 2}, ValueError,
         r"tol must be None or a finite number >= 0, got nan"),
        ({"tol": 0.1, "patience": 0}, ValueError, r"patience must be an integer >= 1, got 0"),
        ({"tol": 0.1, "patience": 2, "monitor": "acc"}, ValueError,
         r"monitor must be None, 'loss' or 'val_loss', got 'acc'"),
    ],
)
def test_bad_early_stopping_arguments(kwargs, error, match):
    from gdbook import EarlyStopping

    with pytest.raises(error, match=match):
        EarlyStopping(**kwargs)


def test_monitoring_validation_loss_without_validation_data_says_so():
    from gdbook import EarlyStopping

    stopper = EarlyStopping(0.1, 2, monitor="val_loss")
    with pytest.raises(ValueError, match=r"needs validation data: fit\(model, X, y, "
                       r"validation_data="):
        fit(Trainer(BatchGD(), epochs=3, callbacks=[stopper]))
