"""Early stopping on scripted loss sequences: exactly when it stops, and what counts as stale.

`Scripted(script)` (tests/scripted.py) records `script[e + 1]` at epoch e (0-based) of
`BatchGD(learning_rate=1)`, and `script[0]` as the initial loss.
"""

import warnings

import numpy as np
import pytest
from scripted import Scripted

from gdbook import (
    BatchGD,
    ConvergenceWarning,
    EarlyStopping,
    LinearRegression,
    Trainer,
    make_linear_data,
)

X1, Y1 = np.zeros(3), np.zeros(3)


def run(epoch_losses, *, tol, patience, epochs=60, initial=100.0):
    """Fit on a script whose epoch e records epoch_losses[e]; return the history."""
    trainer = Trainer(BatchGD(learning_rate=1.0), epochs=epochs, tol=tol, patience=patience)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return trainer.fit(Scripted([initial, *epoch_losses]), X1, Y1)


def test_the_scripted_model_records_its_script():
    history = Trainer(BatchGD(learning_rate=1.0), epochs=4).fit(
        Scripted([9.0, 8.0, 7.0, 6.0, 5.0]), X1, Y1)
    assert history.initial_loss == 9.0
    np.testing.assert_array_equal(history.loss, [8.0, 7.0, 6.0, 5.0])


@pytest.mark.parametrize("patience", [1, 2, 3, 7])
@pytest.mark.parametrize("last_improvement", [0, 4, 10])
def test_stops_exactly_patience_epochs_after_the_last_improvement(patience, last_improvement):
    improving = [10.0 - e for e in range(last_improvement + 1)]  # epochs 0..last improve
    flat = [improving[-1]] * 50
    history = run(improving + flat, tol=0.5, patience=patience)
    assert history.stop_reason == "converged"
    assert history.n_epochs == last_improvement + patience + 1  # last index: last + patience


def test_the_default_patience_is_five_epochs():
    # as SGDRegressor's n_iter_no_change: stop 5 epochs after the last improvement
    trainer = Trainer(BatchGD(learning_rate=1.0), epochs=60, tol=0.5)
    history = trainer.fit(Scripted([100.0, 10.0] + [10.0] * 60), X1, Y1)
    assert history.stop_reason == "converged" and history.n_epochs == 6


def test_tol_zero_and_an_unchanged_loss_is_stale():
    """Issue 13: started at the solution, the loss never moves; it must stop, not warn."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no ConvergenceWarning
        history = run([1.0] * 80, tol=0, patience=3, epochs=3000, initial=1.0)
    assert history.stop_reason == "converged"
    assert history.n_epochs == 4  # epoch 0 improves on "no loss yet", then 3 stale


def test_tol_zero_started_at_the_exact_solution_with_batch_gd():
    X, y = make_linear_data(50, seed=0)
    A = np.c_[X, np.ones(50)]
    model = LinearRegression(seed=0)
    model.params = np.linalg.lstsq(A, y, rcond=None)[0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        history = Trainer(BatchGD(learning_rate=0.1), epochs=3000, tol=0, patience=5).fit(
            model, X, y)
    assert history.stop_reason == "converged"
    assert history.n_epochs <= 10  # a last-bit change may still count once or twice


def test_a_loss_exactly_best_minus_tol_is_stale_and_just_below_improves():
    # best 1.0 after epoch 0; tol 0.25 (all exact binary fractions)
    stale = run([1.0, 0.75, 0.75, 0.75] + [0.75] * 20, tol=0.25, patience=2)
    assert stale.n_epochs == 3  # 0.75 is not below 1.0 - 0.25: epochs 1 and 2 stale
    below = np.nextafter(0.75, 0)
    improving = run([1.0, below] + [below] * 20, tol=0.25, patience=2)
    assert improving.n_epochs == 4  # epoch 1 improved; epochs 2 and 3 stale


def test_a_first_epoch_that_does_not_improve_counts_as_stale():
    # Nothing to beat yet (best = inf), but a loss that is not below inf is still no
    # improvement: a validation loss that overflows to inf stops training after exactly
    # `patience` epochs, the first one included.
    X, y = make_linear_data(100, seed=0)
    X_val, y_val = make_linear_data(20, seed=1)
    for patience in (1, 2, 3):
        history = Trainer(BatchGD(learning_rate=0.5), epochs=100, tol=0.0,
                          patience=patience).fit(LinearRegression(seed=0), X, y,
                                                 validation_data=(X_val, y_val + 1e200))
        assert np.isinf(history.val_loss).all()
        assert history.stop_reason == "converged" and history.n_epochs == patience


def test_stale_is_judged_against_the_best_loss_not_the_previous_epoch():
    # after the best (1.0) the loss jumps to 2.0 and then falls by 0.1 every epoch:
    # each epoch beats the previous one by 0.1 > tol, but none gets below the best
    history = run([1.0, 2.0, 1.9, 1.8, 1.7, 1.6, 1.5, 1.4, 1.3, 1.2] + [1.1] * 20,
                  tol=0.05, patience=4)
    assert history.n_epochs == 5


def test_best_follows_every_lower_loss_like_sklearn():
    # improvements smaller than tol still lower `best` (SGDRegressor's rule), so creeping
    # down by 0.4 * tol per epoch is stale every time
    history = run([10.0 - 0.04 * e for e in range(40)], tol=0.1, patience=3)
    assert history.n_epochs == 4


def test_the_warning_when_epochs_run_out_names_the_monitored_loss():
    X, y = make_linear_data(100, seed=0)
    X_val, y_val = make_linear_data(50, seed=1)
    with pytest.warns(ConvergenceWarning, match=r"the validation loss was still improving "
                      r"by more than tol=1e-12 after epochs=3"):
        Trainer(BatchGD(), epochs=3, tol=1e-12).fit(
            LinearRegression(seed=0), X, y, validation_data=(X_val, y_val))


def test_the_convergence_warning_points_at_the_callers_line():
    # A test of its own: the mutation run (mutmut) deselects it, because its trampolines put
    # wrapper frames between gdbook's (see [tool.mutmut] in pyproject.toml).
    X, y = make_linear_data(100, seed=0)
    with pytest.warns(ConvergenceWarning) as record:
        Trainer(BatchGD(), epochs=3, tol=1e-12).fit(LinearRegression(seed=0), X, y)
    assert record[0].filename == __file__  # points at the caller's line, not inside gdbook


def test_early_stopping_monitors_the_validation_loss_when_given():
    # training loss keeps falling; validation loss stops improving after epoch 2
    X, y = make_linear_data(100, seed=0)
    X_val, y_val = make_linear_data(50, seed=1)
    stopper = EarlyStopping(tol=0.0, patience=2)
    seen = {}

    class Spy(EarlyStopping):
        def on_epoch_end(self, run):
            seen[run.epoch] = run.logs["val_loss"][-1]
            return super().on_epoch_end(run)

    history = Trainer(BatchGD(learning_rate=0.5), epochs=2000,
                      callbacks=[Spy(tol=1e-6, patience=2)]).fit(
        LinearRegression(seed=0), X, y, validation_data=(X_val, y_val))
    assert history.stop_reason == "converged"
    val = history.val_loss
    best = np.minimum.accumulate(val)
    stale = [not v < b - 1e-6 for v, b in zip(val[1:], best[:-1], strict=True)]
    assert stale[-2:] == [True, True] and not all(stale[-3:])  # stopped at the 2nd stale
    assert list(seen.values()) == list(val)
    assert repr(stopper) == "EarlyStopping(tol=0.0, patience=2)"
