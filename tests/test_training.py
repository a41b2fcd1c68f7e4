"""Reproducibility, purity, dtypes, histories, schedules, early stopping, callbacks, divergence."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gdbook import (
    BatchGD,
    ConvergenceWarning,
    DivergenceError,
    InverseScalingLR,
    LinearRegression,
    MiniBatchGD,
    StepDecayLR,
    StochasticGD,
    Trainer,
    make_linear_data,
    max_stable_learning_rate,
    mse_hessian,
)

VARIANTS = [BatchGD(), StochasticGD(), MiniBatchGD(batch_size=8)]
IDS = ["batch", "stochastic", "minibatch"]


@pytest.mark.parametrize("optimizer", VARIANTS, ids=IDS)
def test_same_seed_gives_a_bit_identical_history(optimizer):
    X, y = make_linear_data(50, n_features=2, seed=0)

    def run(seed):
        model = LinearRegression(n_features=2, seed=seed)
        return Trainer(optimizer, epochs=10, seed=seed, record_steps=True).fit(model, X, y)

    a, b, c = run(1), run(1), run(2)
    for field in ("loss", "grad_norm", "params", "step_loss", "learning_rate"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))
    if optimizer.batch_size is not None:  # row order matters only below a full batch
        assert not np.array_equal(a.step_loss, c.step_loss)


def test_an_int_seed_reshuffles_identically_on_every_fit_and_a_generator_advances():
    X, y = make_linear_data(40, seed=0)
    trainer = Trainer(MiniBatchGD(batch_size=4), epochs=3, seed=5, record_steps=True)
    first = trainer.fit(LinearRegression(seed=0), X, y).step_loss
    second = trainer.fit(LinearRegression(seed=0), X, y).step_loss
    np.testing.assert_array_equal(first, second)
    trainer = Trainer(MiniBatchGD(batch_size=4), epochs=3, seed=np.random.default_rng(5),
                      record_steps=True)
    np.testing.assert_array_equal(trainer.fit(LinearRegression(seed=0), X, y).step_loss, first)
    assert not np.array_equal(trainer.fit(LinearRegression(seed=0), X, y).step_loss, first)


@pytest.mark.parametrize("optimizer", VARIANTS, ids=IDS)
def test_inputs_are_not_modified_and_global_rng_is_untouched(optimizer):
    X, y = make_linear_data(30, n_features=3, seed=0)
    X32 = X.astype(np.float32)
    X_copy, y_copy, X32_copy = X.copy(), y.copy(), X32.copy()
    state = np.random.get_state()  # noqa: NPY002 - checking it is untouched
    make_linear_data(30, seed=None)
    for data in ((X, y), (X32, y.astype(np.float32))):
        Trainer(optimizer, epochs=3).fit(LinearRegression(n_features=3), *data)
    after = np.random.get_state()  # noqa: NPY002
    assert state[0] == after[0]
    np.testing.assert_array_equal(state[1], after[1])
    assert state[2:] == after[2:]
    np.testing.assert_array_equal(X, X_copy)
    np.testing.assert_array_equal(y, y_copy)
    np.testing.assert_array_equal(X32, X32_copy)


def test_float32_trains_in_float32_and_integers_in_float64():
    X, y = make_linear_data(64, seed=0)
    model = LinearRegression(seed=0)
    history = Trainer(MiniBatchGD(batch_size=8), epochs=30, seed=0, record_steps=True).fit(
        model, X.astype(np.float32), y.astype(np.float32)
    )
    assert model.params.dtype == np.float32
    assert history.params.dtype == np.float32
    assert history.step_loss.dtype == np.float32
    reference = LinearRegression(seed=0)
    Trainer(MiniBatchGD(batch_size=8), epochs=30, seed=0).fit(reference, X, y)
    np.testing.assert_allclose(model.params, reference.params, rtol=1e-4)

    Xi = np.arange(10)
    yi = 3 * Xi + 2
    model = LinearRegression(seed=0)
    Trainer(BatchGD(learning_rate=0.02), epochs=5000).fit(model, Xi, yi)
    assert model.params.dtype == np.float64
    np.testing.assert_allclose(model.params, [3.0, 2.0], rtol=1e-6)


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(1, 40),
    d=st.one_of(st.none(), st.integers(1, 4)),
    batch=st.integers(1, 40),
    epochs=st.integers(1, 5),
    shuffle=st.booleans(),
    drop_last=st.booleans(),
    float32=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
)
def test_any_valid_shape_gives_a_finite_history_of_the_right_length(
    n, d, batch, epochs, shuffle, drop_last, float32, seed
):
    X, y = make_linear_data(n, n_features=d, seed=seed)
    if float32:
        X, y = X.astype(np.float32), y.astype(np.float32)
    batch = min(batch, n)
    model = LinearRegression(n_features=d or 1, seed=seed)
    # 0.1 is below the stability bound of any batch of x in [0, 1)^d, d <= 4.
    trainer = Trainer(MiniBatchGD(batch_size=batch, learning_rate=0.1), epochs=epochs,
                      seed=seed, shuffle=shuffle, drop_last=drop_last, record_steps=True)
    history = trainer.fit(model, X, y)
    steps = n // batch if drop_last else -(-n // batch)
    assert history.steps_per_epoch == steps
    for field in ("loss", "time", "learning_rate", "grad_norm"):
        values = getattr(history, field)
        assert values.shape == (epochs,)
        assert np.isfinite(values).all()
    assert history.step_loss.shape == (epochs * steps,)
    assert np.isfinite(history.step_loss).all()
    assert history.params.shape == ((d or 1) + 1,)
    assert (history.time >= 0).all()


def test_history_gradient_norm_is_the_full_data_gradient():
    X, y = make_linear_data(50, n_features=2, seed=4)
    model = LinearRegression(n_features=2, seed=4)
    history = Trainer(MiniBatchGD(batch_size=5), epochs=3, seed=0).fit(model, X, y)
    design = np.column_stack([X, np.ones(50)])
    grad = 2 / 50 * design.T @ (design @ model.params - y)
    assert history.grad_norm[-1] == pytest.approx(np.linalg.norm(grad), rel=1e-12)
    assert history.initial_loss > history.loss[0]


def test_schedules_set_the_learning_rate_of_each_epoch():
    X, y = make_linear_data(20, seed=0)
    for schedule, expected in [
        ("constant", [0.1] * 4),
        (InverseScalingLR(decay=1.0, power=1.0), [0.1, 0.05, 0.1 / 3, 0.025]),
        (StepDecayLR(step_size=2, gamma=0.1), [0.1, 0.1, 0.01, 0.01]),
        (lambda lr, epoch: lr / 2**epoch, [0.1, 0.05, 0.025, 0.0125]),
    ]:
        history = Trainer(BatchGD(learning_rate=0.1, schedule=schedule), epochs=4).fit(
            LinearRegression(seed=0), X, y)
        np.testing.assert_allclose(history.learning_rate, expected, rtol=1e-15)


def test_decaying_learning_rate_settles_stochastic_gd():
    X, y = make_linear_data(200, seed=0)
    spread = {}
    for name, schedule in [("constant", "constant"), ("decay", InverseScalingLR(decay=0.5))]:
        finals = [Trainer(StochasticGD(learning_rate=0.2, schedule=schedule), epochs=60,
                          seed=s).fit(LinearRegression(seed=0), X, y).loss[-1] for s in range(5)]
        spread[name] = np.std(finals)
    assert spread["decay"] < spread["constant"] / 5


def test_what_a_trainer_does_by_default(capsys):
    X, y = make_linear_data(100, seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no early stopping, so no ConvergenceWarning either
        history = Trainer(BatchGD(learning_rate=0.5)).fit(LinearRegression(seed=0), X, y)
    assert history.n_epochs == 100 and history.stop_reason == "epochs"
    assert history.step_loss is None  # batch losses only with record_steps=True
    assert history.val_loss is None and history.best_epoch is None  # nothing restored
    assert capsys.readouterr().err == ""  # no progress bar


def test_epoch_times_are_durations_within_the_fit():
    import time

    X, y = make_linear_data(200, seed=0)
    for optimizer in (BatchGD(), MiniBatchGD(batch_size=8)):
        start = time.perf_counter()
        history = Trainer(optimizer, epochs=20, seed=0).fit(LinearRegression(seed=0), X, y)
        wall = time.perf_counter() - start
        assert np.all(history.time >= 0) and history.time.sum() <= wall


def test_early_stopping_stops_when_the_loss_settles():
    X, y = make_linear_data(100, seed=0)
    history = Trainer(BatchGD(learning_rate=0.5), epochs=5000, tol=1e-9, patience=3).fit(
        LinearRegression(seed=0), X, y)
    assert history.stop_reason == "converged"
    assert 10 < history.n_epochs < 5000
    assert np.all(np.diff(history.loss[-4:]) > -1e-9)  # patience epochs without a tol gain


def test_early_stopping_warns_when_epochs_run_out():
    X, y = make_linear_data(100, seed=0)
    with pytest.warns(ConvergenceWarning, match=r"still improving by more than tol=1e-09 after "
                      r"epochs=5; consider increasing epochs"):
        history = Trainer(BatchGD(), epochs=5, tol=1e-9).fit(LinearRegression(seed=0), X, y)
    assert history.stop_reason == "epochs" and history.n_epochs == 5
    with warnings.catch_warnings():  # off by default: no warning
        warnings.simplefilter("error")
        Trainer(BatchGD(), epochs=5).fit(LinearRegression(seed=0), X, y)


def test_a_callback_can_stop_training_and_sees_each_epoch():
    X, y = make_linear_data(100, seed=0)
    seen = []

    def stop_below(epoch, loss, model):
        seen.append((epoch, loss))
        return loss < 0.05

    history = Trainer(MiniBatchGD(), epochs=100, seed=0, callbacks=[stop_below]).fit(
        LinearRegression(seed=0), X, y)
    assert history.stop_reason == "callback"
    assert history.loss[-1] < 0.05 <= history.loss[-2]
    assert [e for e, _ in seen] == list(range(history.n_epochs))
    np.testing.assert_array_equal([loss for _, loss in seen], history.loss)


def test_max_stable_learning_rate_matches_the_hessian_and_separates_fate():
    X, y = make_linear_data(100, n_features=2, seed=0)
    design = np.column_stack([X, np.ones(100)])
    np.testing.assert_allclose(mse_hessian(X), 2 / 100 * design.T @ design, rtol=1e-12)
    bound = max_stable_learning_rate(X)
    assert bound == pytest.approx(2 / np.linalg.eigvalsh(2 / 100 * design.T @ design)[-1])
    below = Trainer(BatchGD(learning_rate=0.95 * bound), epochs=500).fit(
        LinearRegression(n_features=2, seed=0), X, y)
    assert below.loss[-1] < below.initial_loss
    with pytest.raises(DivergenceError) as info:
        Trainer(BatchGD(learning_rate=1.2 * bound), epochs=500).fit(
            LinearRegression(n_features=2, seed=0), X, y)
    assert info.value.max_stable_learning_rate == pytest.approx(bound)


def test_divergence_error_names_epoch_rate_and_bound():
    X, y = make_linear_data(seed=0)
    bound = max_stable_learning_rate(X)
    with pytest.raises(DivergenceError, match=r"diverged at epoch \d+ \(loss=.*\) with "
                       r"learning_rate=5;.*stable only for learning_rate < 0\.7\d+") as info:
        Trainer(BatchGD(learning_rate=5.0), epochs=1000).fit(LinearRegression(seed=0), X, y)
    error = info.value
    assert error.learning_rate == 5.0
    assert error.max_stable_learning_rate == pytest.approx(bound)
    assert error.history.stop_reason == "diverged"
    assert error.history.n_epochs == error.epoch + 1
    assert error.history.loss[-1] > 1e6 * error.history.initial_loss


def test_divergence_to_overflow_raises_without_numpy_warnings():
    X, y = make_linear_data(seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(DivergenceError, match=r"loss=(inf|nan)"):
            Trainer(StochasticGD(learning_rate=1e6), epochs=50).fit(LinearRegression(seed=0), X, y)


def test_history_params_is_a_copy_not_the_models_array():
    X, y = make_linear_data(50, seed=0)
    model = LinearRegression(seed=0)
    trainer = Trainer(MiniBatchGD(batch_size=5), epochs=3, seed=0)
    history = trainer.fit(model, X, y)
    assert not np.shares_memory(history.params, model.params)
    saved = history.params.copy()
    trainer.fit(model, X, y)  # trains the same model further, in place
    np.testing.assert_array_equal(history.params, saved)
    assert not np.array_equal(model.params, saved)


def test_float32_features_with_float64_targets_train_in_float64():
    X, y = make_linear_data(64, seed=0)
    model = LinearRegression(seed=0)
    history = Trainer(MiniBatchGD(batch_size=8), epochs=30, seed=0, record_steps=True).fit(
        model, X.astype(np.float32), y)
    assert model.params.dtype == np.float64
    assert history.params.dtype == np.float64 and history.step_loss.dtype == np.float64
    reference = LinearRegression(seed=0)  # the same float32 numbers, widened up front
    Trainer(MiniBatchGD(batch_size=8), epochs=30, seed=0).fit(
        reference, X.astype(np.float32).astype(np.float64), y)
    np.testing.assert_array_equal(model.params, reference.params)


def test_histories_compare_by_value():
    X, y = make_linear_data(40, seed=0)

    def run(seed, **kwargs):
        return Trainer(MiniBatchGD(batch_size=4), epochs=5, seed=seed, record_steps=True,
                       **kwargs).fit(LinearRegression(seed=0), X, y)

    first, again, other = run(1), run(1), run(2)
    assert first == again  # the wall-clock times differ, the training does not
    assert first != other
    assert (first == "history") is False
    with pytest.raises(TypeError):
        hash(first)
    X_val, y_val = make_linear_data(20, seed=1)
    with_val = Trainer(BatchGD(), epochs=3).fit(LinearRegression(seed=0), X, y,
                                                 validation_data=(X_val, y_val))
    without = Trainer(BatchGD(), epochs=3).fit(LinearRegression(seed=0), X, y)
    assert with_val != without  # val_loss differs (None vs an array)


def test_a_model_missing_any_piece_of_the_protocol_is_refused_by_name():
    X, y = make_linear_data(20, seed=0)

    class Model:
        def __init__(self, params=None, n_features=1, method=True):
            self.params = np.zeros(2) if params is None else params
            self.n_features = n_features
            if method:
                self.loss_and_grad = LinearRegression(seed=0).loss_and_grad

        def __repr__(self):
            return "Model()"

    message = ("model must have a 1-D numpy array `params`, an int `n_features` and a method "
               "`loss_and_grad(X, y)`, like gdbook.LinearRegression; got Model()")
    for model in (Model(params=[0.0, 0.0]), Model(params=np.zeros((2, 1))),
                  Model(n_features=1.0), Model(n_features=None), Model(method=False)):
        with pytest.raises(TypeError) as info:
            Trainer(BatchGD(), epochs=1).fit(model, X, y)
        assert str(info.value) == message
    Trainer(BatchGD(), epochs=1).fit(Model(), X, y)  # all three pieces: trains
