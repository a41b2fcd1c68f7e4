"""Bad input gets a clear TypeError/ValueError naming the argument, the value and what is valid."""

import numpy as np
import pytest

from gdbook import (
    BatchGD,
    GradientDescent,
    InverseScalingLR,
    LinearRegression,
    MiniBatchGD,
    StepDecayLR,
    StochasticGD,
    Trainer,
    make_linear_data,
    max_stable_learning_rate,
)


def fit(X, y, *, optimizer=None, n_features=1, **trainer_kwargs):
    optimizer = optimizer or MiniBatchGD(batch_size=2)
    return Trainer(optimizer, epochs=2, **trainer_kwargs).fit(
        LinearRegression(n_features=n_features, seed=0), X, y
    )


X4 = np.array([0.0, 0.25, 0.5, 0.75])
Y4 = np.array([1.0, 1.5, 2.0, 2.5])


@pytest.mark.parametrize(
    ("X", "y", "error", "match"),
    [
        (X4, Y4[:3], ValueError, r"same number of rows, got X with 4 and y with 3"),
        (np.array([]), np.array([]), ValueError, r"X must have at least one row, got shape \(0,\)"),
        (np.array([0.0, np.nan, 1, 2]), Y4, ValueError, r"X must be finite.*NaN or inf"),
        (X4, np.array([1.0, np.inf, 2, 3]), ValueError, r"y must be finite.*first at flat index 1"),
        (X4.astype(bool), Y4, TypeError, r"X must hold numbers, got a boolean array"),
        (X4, Y4 > 1, TypeError, r"y must hold numbers, got a boolean array"),
        (np.array(["a", "b", "c", "d"]), Y4, TypeError, r"X must hold real numbers.*dtype <U1"),
        (X4 + 0j, Y4, TypeError, r"X must hold real numbers.*complex128"),
        (X4.reshape(2, 2, 1), Y4[:2], ValueError, r"X must be 1-D .* or 2-D .*shape \(2, 2, 1\)"),
        (X4, np.ones((4, 2)), ValueError, r"y must be 1-D .* got shape \(4, 2\)"),
        ([[0.0], [1.0, 2.0]], [1.0, 2.0], TypeError, r"X must be a numeric array"),
    ],
    ids=[
        "length-mismatch", "empty", "nan-in-X", "inf-in-y", "bool-X", "bool-y", "strings",
        "complex", "3d-X", "2-column-y", "ragged",
    ],
)
def test_bad_data(X, y, error, match):
    with pytest.raises(error, match=match):
        fit(X, y)


def test_y_as_a_single_column_is_accepted():
    history = fit(X4, Y4.reshape(-1, 1))
    assert history.loss.shape == (2,)


@pytest.mark.parametrize("cls", [BatchGD, StochasticGD, MiniBatchGD, GradientDescent])
@pytest.mark.parametrize(
    ("value", "error", "match"),
    [
        (0, ValueError, r"learning_rate must be a finite number > 0, got 0.0"),
        (-0.1, ValueError, r"learning_rate must be a finite number > 0, got -0.1"),
        (float("nan"), ValueError, r"learning_rate must be a finite number > 0, got nan"),
        (float("inf"), ValueError, r"learning_rate must be a finite number > 0, got inf"),
        ("0.1", TypeError, r"learning_rate must be a real number > 0, got '0.1'"),
        (None, TypeError, r"learning_rate must be a real number > 0, got None"),
        (True, TypeError, r"learning_rate must be a real number > 0, got True"),
    ],
)
def test_bad_learning_rate(cls, value, error, match):
    with pytest.raises(error, match=match):
        cls(learning_rate=value)


@pytest.mark.parametrize(
    ("value", "error", "match"),
    [
        (0, ValueError, r"batch_size must be an integer >= 1, got 0"),
        (-5, ValueError, r"batch_size must be an integer >= 1, got -5"),
        (2.5, TypeError, r"batch_size must be an integer >= 1, got 2.5"),
        ("10", TypeError, r"batch_size must be an integer >= 1, got '10'"),
    ],
)
def test_bad_batch_size(value, error, match):
    with pytest.raises(error, match=match):
        MiniBatchGD(batch_size=value)


def test_batch_size_larger_than_the_data():
    with pytest.raises(ValueError, match=r"^batch_size=5 is larger than the number of rows \(4\); "
                       r"use a batch_size between 1 and 4, or BatchGD to use every row$"):
        fit(X4, Y4, optimizer=MiniBatchGD(batch_size=5))


def test_batch_size_equal_to_the_data_is_batch_gd():
    """The message's upper bound is valid: batch_size=n takes batch GD's steps."""
    every_row = fit(X4, Y4, optimizer=MiniBatchGD(batch_size=4, learning_rate=0.1))
    batch = fit(X4, Y4, optimizer=BatchGD(learning_rate=0.1))
    np.testing.assert_array_equal(every_row.loss, batch.loss)
    assert every_row.steps_per_epoch == 1


@pytest.mark.parametrize(
    ("value", "error", "match"),
    [
        (0, ValueError, r"epochs must be an integer >= 1, got 0"),
        (-1, ValueError, r"epochs must be an integer >= 1, got -1"),
        (10.0, TypeError, r"epochs must be an integer >= 1, got 10.0"),
        (None, TypeError, r"epochs must be an integer >= 1, got None"),
    ],
)
def test_bad_epochs(value, error, match):
    with pytest.raises(error, match=match):
        Trainer(BatchGD(), epochs=value)


def test_model_with_the_wrong_number_of_features():
    X, y = make_linear_data(20, n_features=3, seed=0)
    with pytest.raises(ValueError, match=r"X has 3 feature\(s\).*n_features=1.*n_features=3"):
        fit(X, y, n_features=1)
    with pytest.raises(ValueError, match=r"X has 1 feature\(s\).*n_features=3"):
        LinearRegression(n_features=3).predict(X[:, 0])


def test_unknown_schedule_name():
    with pytest.raises(ValueError, match=r"schedule must be one of 'constant', 'invscaling', "
                       r"'step'.*got 'cosine'"):
        MiniBatchGD(schedule="cosine")
    with pytest.raises(TypeError, match=r"schedule must be a name or a callable.*got 3"):
        BatchGD(schedule=3)


def test_schedule_returning_a_bad_rate_is_caught_at_its_epoch():
    trainer = Trainer(BatchGD(schedule=lambda lr, epoch: lr - 0.05 * epoch), epochs=5)
    with pytest.raises(ValueError, match=r"learning rate from schedule at epoch 2 must be a "
                       r"finite number > 0, got 0.0"):
        trainer.fit(LinearRegression(seed=0), X4, Y4)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"seed": -1}, ValueError, r"seed must be a non-negative integer, got -1"),
        ({"seed": "0"}, TypeError, r"seed must be None, a non-negative int or a numpy"),
        ({"seed": np.random.RandomState(0)}, TypeError, r"seed must be None.*RandomState"),
        ({"shuffle": "yes"}, TypeError, r"shuffle must be True or False, got 'yes'"),
        ({"drop_last": 1}, TypeError, r"drop_last must be True or False, got 1"),
        ({"tol": -1.0}, ValueError, r"tol must be None or a finite number >= 0, got -1.0"),
        ({"tol": float("inf")}, ValueError, r"tol must be None or a finite number >= 0, got inf"),
        ({"tol": float("nan")}, ValueError, r"tol must be None or a finite number >= 0, got nan"),
        ({"tol": True}, TypeError, r"tol must be None or a number >= 0, got True"),
        ({"tol": "small"}, TypeError, r"tol must be None or a number >= 0, got 'small'"),
        ({"patience": 0}, ValueError, r"patience must be an integer >= 1, got 0"),
        ({"callbacks": [print, 3]}, TypeError, r"each callback must be a gdbook.Callback or a "
         r"function callback\(epoch, loss, model\), got 3"),
        ({"callbacks": 3}, TypeError, r"callbacks must be a list of gdbook.Callback objects or "
         r"functions.*got 3"),
        ({"restore_best": "yes"}, TypeError, r"restore_best must be True or False, got 'yes'"),
        ({"progress": 1}, TypeError, r"progress must be True or False, got 1"),
        ({"record_steps": None}, TypeError, r"record_steps must be True or False, got None"),
    ],
)
def test_bad_trainer_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        Trainer(BatchGD(), **kwargs)


def test_optimizer_and_model_kinds():
    with pytest.raises(TypeError, match=r"optimizer must be a GradientDescent.*got 'sgd'"):
        Trainer("sgd")
    with pytest.raises(TypeError, match=r"model must have a 1-D numpy array `params`.*got 'line'"):
        Trainer(BatchGD()).fit("line", X4, Y4)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"n_samples": 0}, ValueError, r"n_samples must be an integer >= 1, got 0"),
        ({"n_features": 0}, ValueError, r"n_features must be an integer >= 1, got 0"),
        ({"noise": -0.1}, ValueError, r"noise must be >= 0 \(a standard deviation\), got -0.1"),
        ({"noise": float("nan")}, ValueError, r"noise must be finite, got nan"),
        ({"intercept": "1"}, TypeError, r"intercept must be a real number, got '1'"),
        ({"n_features": 2, "slope": [1, 2, 3]}, ValueError, r"slope must be a number or have "
         r"shape \(2,\) to match n_features=2, got shape \(3,\)"),
        ({"slope": "two"}, TypeError, r"slope must be a number or an array of numbers"),
    ],
)
def test_bad_make_linear_data_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        make_linear_data(**kwargs)


@pytest.mark.parametrize(
    ("factory", "error", "match"),
    [
        (lambda: InverseScalingLR(decay=-1), ValueError, r"decay must be a finite number >= 0"),
        (lambda: InverseScalingLR(power=0), ValueError,
         r"power must be a finite number > 0, got 0; use ConstantLR"),
        (lambda: StepDecayLR(step_size=0), ValueError, r"step_size must be an integer >= 1"),
        (lambda: StepDecayLR(gamma=1.5), ValueError,
         r"gamma must be a finite number in \(0, 1\], got 1.5"),
        (lambda: LinearRegression(n_features=0), ValueError, r"n_features must be an integer"),
        (lambda: LinearRegression(n_features=2).predict([[1.0, np.nan]]), ValueError,
         r"X must be finite"),
        (lambda: max_stable_learning_rate(np.zeros((0, 2))), ValueError, r"non-empty"),
    ],
)
def test_other_constructors(factory, error, match):
    with pytest.raises(error, match=match):
        factory()


def test_errors_leave_the_model_untouched():
    model = LinearRegression(seed=0)
    before = model.params.copy()
    with pytest.raises(ValueError):
        Trainer(BatchGD()).fit(model, X4, Y4[:3])
    np.testing.assert_array_equal(model.params, before)


pd = pytest.importorskip("pandas")


def test_pandas_nullable_columns_without_missing_values_are_accepted():
    X, y = make_linear_data(30, n_features=2, seed=0)
    frame = pd.DataFrame({"a": pd.array(np.round(X[:, 0] * 10), dtype="Int64"),
                          "b": pd.array(X[:, 1], dtype="Float64")})
    target = pd.Series(y, dtype="Float64")
    model = LinearRegression(n_features=2, seed=0)
    history = Trainer(BatchGD(learning_rate=0.01), epochs=3).fit(model, frame, target)
    reference = LinearRegression(n_features=2, seed=0)
    expected = Trainer(BatchGD(learning_rate=0.01), epochs=3).fit(
        reference, frame.to_numpy(dtype=float), y)
    np.testing.assert_array_equal(history.loss, expected.loss)
    np.testing.assert_array_equal(model.predict(frame), reference.predict(frame.to_numpy(float)))
    assert model.score(frame, target) == reference.score(frame.to_numpy(float), y)


def test_pandas_missing_values_are_reported_as_not_finite():
    frame = pd.DataFrame({"a": pd.array([1, None, 3, 4], dtype="Int64"),
                          "b": pd.array([0.5, 1.5, 2.5, 3.5], dtype="Float64")})
    with pytest.raises(ValueError, match=r"X must be finite, but it holds 1 NaN or inf"):
        fit(frame, Y4, n_features=2)


def test_pandas_text_columns_are_refused():
    frame = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "b": ["x", "y", "z", "w"]})
    with pytest.raises(TypeError, match=r"X must hold real numbers .*got dtype object"):
        fit(frame, Y4, n_features=2)


def test_sparse_input_is_refused_with_the_way_out():
    sparse = pytest.importorskip("scipy.sparse")
    X = sparse.csr_matrix(np.eye(4))
    with pytest.raises(TypeError, match=r"X is a scipy.sparse matrix of shape \(4, 4\); gdbook "
                       r"trains on dense arrays: pass X.toarray\(\)"):
        fit(X, Y4, n_features=4)
    with pytest.raises(TypeError, match=r"X.toarray\(\)"):
        LinearRegression(n_features=4).predict(sparse.csc_array(np.eye(4)))


@pytest.mark.parametrize("n_features", [1, 3])
def test_predict_on_zero_rows_returns_zero_predictions(n_features):
    from gdbook import MLP

    for model in (LinearRegression(n_features=n_features), MLP((n_features, 4, 1), seed=0)):
        empty = model.predict(np.zeros((0, n_features)))
        assert empty.shape == (0,) and empty.dtype == np.float64
    assert LinearRegression().predict([]).shape == (0,)


def test_shape_messages_quote_the_callers_shape():
    with pytest.raises(ValueError, match=r"X has 1 feature\(s\) \(shape \(20,\)\)"):
        fit(np.zeros(20), np.zeros(20), n_features=3)
    with pytest.raises(ValueError, match=r"X has 1 feature\(s\) \(shape \(3,\)\).*for a single "
                       r"sample pass X.reshape\(1, -1\)"):
        LinearRegression(n_features=3).predict([1.0, 2.0, 3.0])


@pytest.mark.parametrize(
    ("value", "error", "match"),
    [
        ([1.0, 2.0], ValueError, r"params must have shape \(3,\), one entry per parameter, got "
         r"shape \(2,\)"),
        ([[1.0, 2.0, 3.0]], ValueError, r"params must have shape \(3,\).*got shape \(1, 3\)"),
        ([1.0, np.nan, 0.0], ValueError, r"params must be finite"),
        (["a", "b", "c"], TypeError, r"params must hold real numbers"),
        (None, TypeError, r"params must hold real numbers"),
    ],
)
def test_params_setter_checks_what_it_is_given(value, error, match):
    model = LinearRegression(n_features=2, seed=0)
    before = model.params.copy()
    with pytest.raises(error, match=match):
        model.params = value
    np.testing.assert_array_equal(model.params, before)


def test_weights_setter_names_the_weights_when_their_number_is_wrong():
    model = LinearRegression(n_features=2, seed=0)
    before = model.params.copy()
    with pytest.raises(ValueError, match=r"^weights has 3 feature\(s\) .*built with n_features=2"):
        model.weights = [1.0, 2.0, 3.0]
    with pytest.raises(ValueError, match=r"^weights must be finite"):
        model.weights = [1.0, np.inf]
    with pytest.raises(ValueError, match=r"^bias must be finite"):
        model.bias = np.nan
    np.testing.assert_array_equal(model.params, before)
    model.weights, model.bias = [3, 4], 5
    np.testing.assert_array_equal(model.params, [3.0, 4.0, 5.0])


def test_params_setter_copies_so_training_never_writes_into_the_callers_array():
    X, y = make_linear_data(20, seed=0)
    start = np.array([0.5, -0.5])
    model = LinearRegression(seed=0)
    model.params = start
    Trainer(BatchGD(), epochs=5).fit(model, X, y)
    np.testing.assert_array_equal(start, [0.5, -0.5])
    model.params = np.array([1.0, 2.0], dtype=np.float32)
    assert model.params.dtype == np.float32
    model.params = [1, 2]
    assert model.params.dtype == np.float64
