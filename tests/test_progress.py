"""The progress bar's calls to tqdm, recorded by a stand-in: what it shows and when."""

import logging
import types
from typing import ClassVar

import numpy as np
import pytest

from gdbook import BatchGD, Callback, LinearRegression, ProgressBar, Trainer, make_linear_data
from gdbook import progress as progress_module

X, Y = make_linear_data(40, seed=0)
X_VAL, Y_VAL = make_linear_data(20, seed=1)


class Recorder:
    """Stands in for tqdm.auto.tqdm: records its options and every call."""

    made: ClassVar[list["Recorder"]] = []

    def __init__(self, **options):
        self.options, self.calls = options, []
        Recorder.made.append(self)

    def set_postfix_str(self, text, refresh=True):
        self.calls.append(("postfix", text, refresh))

    def set_description_str(self, text, refresh=True):
        self.calls.append(("description", text, refresh))

    def update(self, n=1):
        self.calls.append(("update", n))

    def close(self):
        self.calls.append(("close",))


@pytest.fixture
def recorder(monkeypatch):
    Recorder.made = []
    monkeypatch.setattr(progress_module, "tqdm_class", lambda: Recorder)
    return Recorder


def fit(callbacks, epochs=5, **kwargs):
    trainer = Trainer(BatchGD(learning_rate=0.5), epochs=epochs, callbacks=callbacks)
    return trainer.fit(LinearRegression(seed=0), X, Y, **kwargs)


def test_one_bar_step_per_epoch_and_its_options(recorder):
    fit([ProgressBar(leave=False, unit="it")], epochs=5)
    (bar,) = recorder.made
    assert bar.options == {"total": 5, "unit": "it", "dynamic_ncols": True, "leave": False}
    assert [c for c in bar.calls if c[0] == "update"] == [("update", 1)] * 5
    assert bar.calls[-1] == ("close",)
    assert ProgressBar().kwargs == {} and repr(ProgressBar(ascii=True)) == "ProgressBar()"


def test_default_options(recorder):
    fit([ProgressBar()], epochs=2)
    assert recorder.made[0].options == {"total": 2, "unit": "epoch", "dynamic_ncols": True}


def test_numbers_are_refreshed_at_most_every_refresh_seconds(recorder, monkeypatch):
    clock = iter(np.arange(0.0, 10.0, 0.04))  # each epoch ends 0.04 s after the last
    monkeypatch.setattr(progress_module, "time",  # the bar's clock only, not the trainer's
                        types.SimpleNamespace(perf_counter=lambda: float(next(clock))))
    history = fit([ProgressBar()], epochs=10)
    postfixes = [c for c in recorder.made[0].calls if c[0] == "postfix"]
    # epochs end at 0, 0.04, ..., 0.36: refreshed at 0, then at the first time >= 0.1 after
    # it (0.12), then >= 0.22 (0.24), then >= 0.34 (0.36); and once more when fit ends
    assert len(postfixes) == 5
    assert all(refresh is False for _, _, refresh in postfixes)
    assert postfixes[0][1] == f"loss={history.loss[0]:.4g}"
    assert postfixes[-1][1] == f"loss={history.loss[-1]:.4g}"


def test_the_final_numbers_and_validation_loss(recorder):
    history = fit([ProgressBar()], epochs=3, validation_data=(X_VAL, Y_VAL))
    calls = recorder.made[0].calls
    assert calls[-2] == ("postfix", f"loss={history.loss[-1]:.4g}, "
                         f"val_loss={history.val_loss[-1]:.4g}", False)
    assert not [c for c in calls if c[0] == "description"]  # ran out of epochs: no status


@pytest.mark.parametrize(("stop", "reason"), [("converged", "converged"), ("callback", "done")])
def test_why_training_stopped_is_shown(recorder, stop, reason):
    class Stop(Callback):
        stop_reason = reason

        def on_epoch_end(self, run):
            return run.epoch == 1

    callbacks = [Stop(), ProgressBar()] if stop == "callback" else [ProgressBar()]
    trainer = Trainer(BatchGD(learning_rate=0.5), epochs=500, callbacks=callbacks,
                      tol=None if stop == "callback" else 1e-9, patience=2)
    trainer.fit(LinearRegression(seed=0), X, Y)
    calls = recorder.made[0].calls
    assert ("description", reason, True) in calls
    assert calls[-1] == ("close",)


def test_nothing_is_shown_before_the_bar_opens_or_after_it_closes(recorder):
    bar = ProgressBar()
    bar.status("early")  # no bar yet: nothing to show it on, and no error
    assert recorder.made == [] and bar.bar is None
    fit([bar], epochs=1)
    calls = list(recorder.made[0].calls)
    bar.status("late")
    bar.on_fit_end(None)  # a second end does nothing
    assert recorder.made[0].calls == calls and bar.bar is None


def test_gdbook_log_records_show_as_the_description_while_the_bar_is_open(recorder):
    logger = logging.getLogger("gdbook")
    before = logger.level

    class Say(Callback):
        def on_epoch_end(self, run):
            logging.getLogger("gdbook._fast").info("compiling")
            logging.getLogger("gdbook").debug("not shown")  # below INFO

    fit([Say(), ProgressBar()], epochs=2)
    descriptions = [c for c in recorder.made[0].calls if c[0] == "description"]
    assert descriptions == [("description", "compiling", True)] * 2
    assert logger.level == before and not logger.handlers
    logging.getLogger("gdbook._fast").warning("after the bar")  # no handler left to call
    assert len([c for c in recorder.made[0].calls if c[0] == "description"]) == 2


def test_a_logger_set_more_verbose_is_left_as_it_was(recorder):
    logger = logging.getLogger("gdbook")
    logger.setLevel(logging.DEBUG)
    try:
        fit([ProgressBar()], epochs=1)
        assert logger.level == logging.DEBUG
    finally:
        logger.setLevel(logging.NOTSET)
    logger.setLevel(logging.ERROR)
    try:
        bar = ProgressBar()
        fit([bar], epochs=1)
        assert logger.level == logging.ERROR  # raised to INFO while open, then put back
    finally:
        logger.setLevel(logging.NOTSET)


def test_the_handler_raises_the_level_to_info_only_while_open(recorder):
    logger = logging.getLogger("gdbook")
    seen = []

    class Look(Callback):
        def on_epoch_end(self, run):
            seen.append((logger.level, logger.getEffectiveLevel()))

    logger.setLevel(logging.WARNING)
    try:
        fit([ProgressBar(), Look()], epochs=1)
    finally:
        logger.setLevel(logging.NOTSET)
    assert seen == [(logging.INFO, logging.INFO)]


def test_a_run_ended_by_an_error_closes_the_bar_without_a_status(recorder):
    class Interrupt(Callback):
        def on_epoch_end(self, run):
            if run.epoch == 1:
                raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        fit([Interrupt(), ProgressBar()], epochs=5)
    calls = recorder.made[0].calls
    assert not [c for c in calls if c[0] == "description"]  # the traceback says why, not the bar
    assert [c for c in calls if c[0] == "update"] == [("update", 1)]  # epoch 0 only
    assert calls[-1] == ("close",)
