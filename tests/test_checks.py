"""The argument checks of gdbook._validation, one rule at a time, with their exact messages.

tests/test_validation.py checks what users see through the public API; here each helper is
held to its contract directly: the dtype a pair of arrays trains in, which shapes pass,
the count and position a non-finite message quotes, what is copied and what is not.
"""

import numpy as np
import pytest

from gdbook import LinearRegression
from gdbook._validation import (
    _describe,
    _total,
    check_data,
    check_features,
    check_learning_rate,
    check_n_features,
    check_params,
    check_positive_int,
    check_rng,
    check_tol,
)

F16, F32, F64, LD = np.float16, np.float32, np.float64, np.longdouble


@pytest.mark.parametrize(
    ("x_dtype", "y_dtype", "expected"),
    [
        (F32, F32, F32),
        (F16, F16, F32),  # small floats train in float32
        (F16, F32, F32),
        (F32, F64, F64),  # issue 13: the dtype comes from both arrays, not from X alone
        (F64, F32, F64),
        (F32, np.int32, F64),  # integers: float64
        (np.int64, F32, F64),
        (F32, np.int8, F64),  # even integers that fit in float32
        (np.uint8, F32, F64),
        (np.int16, F16, F64),
        (np.int8, np.int8, F64),
        (np.uint16, F64, F64),
        (LD, F64, LD),
        (F32, LD, LD),
    ],
)
def test_both_arrays_train_in_one_floating_dtype(x_dtype, y_dtype, expected):
    X, y = check_data(np.arange(6).astype(x_dtype), np.arange(6).astype(y_dtype))
    assert X.dtype == expected and y.dtype == expected
    assert X.shape == (6, 1) and y.shape == (6,)
    np.testing.assert_array_equal(X[:, 0], np.arange(6))


def test_arrays_already_right_are_not_copied_and_others_are_not_written():
    X, y = np.ones((5, 2)), np.zeros(5)
    X2, y2 = check_data(X, y)
    assert np.shares_memory(X2, X) and np.shares_memory(y2, y)  # no copy of large data
    X32 = np.ones((5, 2), dtype=F32)
    X3, _ = check_data(X32, y)  # float32 X with float64 y: a float64 copy
    assert X3.dtype == F64 and not np.shares_memory(X3, X32)
    assert X32.dtype == F32


def test_a_single_column_y_and_a_1d_x():
    X, y = check_data([1.0, 2.0, 3.0], [[1.0], [2.0], [3.0]])
    assert X.shape == (3, 1) and y.shape == (3,)
    with pytest.raises(ValueError, match=r"^y must be 1-D \(n_samples,\) or a single column "
                       r"\(n_samples, 1\), got shape \(3, 2\)$"):
        check_data([1.0, 2.0, 3.0], np.ones((3, 2)))
    with pytest.raises(ValueError, match=r"^y must be 1-D .*got shape \(\)$"):
        check_data([1.0], 1.0)


@pytest.mark.parametrize(
    ("X", "y", "message"),
    [
        (np.zeros((0, 2)), np.zeros(0), "X must have at least one row, got shape (0, 2)"),
        (np.zeros((3, 0)), np.zeros(3),
         "X must have at least one feature column, got shape (3, 0)"),
        (np.zeros((3, 2)), np.zeros(4),
         "X and y must have the same number of rows, got X with 3 and y with 4"),
        (np.zeros((2, 2, 2)), np.zeros(2),
         "X must be 1-D (n_samples,) or 2-D (n_samples, n_features), got shape (2, 2, 2)"),
        (np.float64(3.0), np.zeros(1),
         "X must be 1-D (n_samples,) or 2-D (n_samples, n_features), got shape ()"),
    ],
)
def test_shape_messages_word_for_word(X, y, message):
    with pytest.raises(ValueError) as info:
        check_data(X, y)
    assert str(info.value) == message


def test_messages_use_the_callers_names():
    with pytest.raises(ValueError) as info:
        check_data(np.zeros((3, 2)), np.zeros(4), names=("X_val", "y_val"))
    assert str(info.value) == (
        "X_val and y_val must have the same number of rows, got X_val with 3 and y_val with 4")
    with pytest.raises(ValueError, match=r"^y_val must be finite"):
        check_data(np.zeros(2), [1.0, np.nan], names=("X_val", "y_val"))


@pytest.mark.parametrize(
    ("values", "count", "first"),
    [([np.nan], 1, 0), ([1.0, 2.0, np.inf], 1, 2), ([np.inf, -np.inf, 3.0, np.nan], 3, 0),
     ([0.0] * 1500 + [np.nan] + [0.0] * 600, 1, 1500)],  # past the first 1024-number row
)
def test_the_non_finite_message_counts_and_points_at_the_first(values, count, first):
    y = np.array(values)
    with pytest.raises(ValueError) as info:
        check_data(np.zeros(len(y)), y)
    assert str(info.value) == (
        f"y must be finite, but it holds {count} NaN or inf value(s) (first at flat index "
        f"{first}); drop or impute those rows")


@pytest.mark.parametrize("dtype", [F16, F32, F64, LD])
def test_non_finite_values_are_found_in_every_float_width(dtype):
    X = np.ones((3, 2), dtype=dtype)
    X[2, 0] = np.nan
    with pytest.raises(ValueError, match=r"^X must be finite, but it holds 1 NaN or inf value\(s\) "
                       r"\(first at flat index 4\)"):
        check_data(X, np.zeros(3, dtype=dtype))
    with pytest.raises(ValueError, match=r"^X must be finite.*first at flat index 4"):
        check_features(X, 2)
    with pytest.raises(ValueError, match=r"^params must be finite.*first at flat index 1"):
        check_params(np.array([0.0, np.inf, 1.0], dtype=dtype), 3)


def test_messages_quote_the_value_that_is_not_an_array_of_numbers():
    with pytest.raises(TypeError) as info:
        check_data([[0.0], [1.0, 2.0]], [1.0, 2.0])
    assert str(info.value) == "X must be a numeric array, got [[0.0], [1.0, 2.0]]"
    with pytest.raises(TypeError) as info:
        check_data([1.0, 2.0], ["a", "b"])
    assert str(info.value) == ("y must hold real numbers (integer or float dtype), got dtype <U1 "
                               "from ['a', 'b']")


def test_finite_numbers_whose_sum_overflows_are_finite():
    X = np.full((4, 2), 1e308)  # the sum overflows; every entry is finite
    X2, _ = check_data(X, np.zeros(4))
    assert X2 is not None
    with pytest.raises(ValueError, match=r"X must be finite, but it holds 1 NaN or inf value\(s\) "
                       r"\(first at flat index 5\)"):
        check_data(np.r_[X.ravel()[:5], np.inf, X.ravel()[6:]].reshape(4, 2), np.zeros(4))


@pytest.mark.parametrize("n", [1, 1023, 1024, 1025, 5000])
@pytest.mark.parametrize("order", ["C", "F"])
def test_total_adds_every_entry(n, order):
    rng = np.random.default_rng(n)
    array = np.asarray(rng.integers(-50, 50, size=(n, 3)), dtype=F64, order=order)
    assert _total(array) == array.sum()  # integers: every order of addition is exact
    strided = array[::2]
    assert _total(strided) == strided.sum()
    assert _total(array.astype(F32)) == array.sum()
    assert _total(np.arange(n)) == n * (n - 1) // 2  # not a float: numpy's sum


def test_features_for_prediction():
    X = check_features([1.0, 2.0], 1)
    assert X.shape == (2, 1)
    assert check_features(np.zeros((0, 3)), 3).shape == (0, 3)
    with pytest.raises(ValueError) as info:
        check_features(np.zeros((2, 2, 1)), 2, "X_new")
    assert str(info.value) == ("X_new must be 1-D (n_samples,) or 2-D (n_samples, n_features), "
                               "got shape (2, 2, 1)")
    with pytest.raises(ValueError, match=r"^X must be finite"):
        check_features([[1.0, np.nan]], 2)


def test_the_feature_count_message_and_its_hint_for_one_sample():
    with pytest.raises(ValueError) as info:
        check_n_features(np.zeros((1, 3)), 2)
    assert str(info.value) == (
        "X has 3 feature(s) (shape (1, 3)) but the model was built with n_features=2; build "
        "the model with n_features=3 or pass matching data")
    with pytest.raises(ValueError) as info:
        check_features(np.zeros(3), 3)  # one sample passed 1-D: read as three rows
    assert str(info.value) == (
        "X has 1 feature(s) (shape (3,)) but the model was built with n_features=3; build "
        "the model with n_features=1 or pass matching data; a 1-D X is read as one feature, "
        "so for a single sample pass X.reshape(1, -1)")
    with pytest.raises(ValueError) as info:
        check_features(np.zeros(4), 3, "Z")  # 1-D, but not one sample of the model's width
    assert str(info.value).endswith("or pass matching data")


@pytest.mark.parametrize(
    ("value", "dtype"),
    [([1, 2, 3], F64), (np.arange(3, dtype=F32), F32), (np.arange(3, dtype=F16), F32),
     (np.arange(3, dtype=LD), LD), ([1.5, 2.5, 3.5], F64)],
)
def test_params_are_copied_in_a_float_dtype(value, dtype):
    params = check_params(value, 3)
    assert params.dtype == dtype and params.shape == (3,)
    if isinstance(value, np.ndarray):
        assert not np.shares_memory(params, value)
        params[0] = 99
        assert value[0] != 99


def test_params_shape_and_finiteness():
    with pytest.raises(ValueError) as info:
        check_params([1.0, 2.0], 3, "weights")
    assert str(info.value) == ("weights must have shape (3,), one entry per parameter, got "
                               "shape (2,)")
    with pytest.raises(ValueError, match=r"^params must be finite"):
        check_params([1.0, np.inf, 0.0], 3)
    model = LinearRegression(n_features=2)
    with pytest.raises(ValueError, match=r"params must have shape \(3,\)"):
        model.params = np.zeros((3, 1))


def test_learning_rates_and_integers():
    assert check_learning_rate(np.float32(0.5)) == 0.5
    assert type(check_learning_rate(np.float32(0.5))) is float
    with pytest.raises(ValueError) as info:
        check_learning_rate(-2, "eta")
    assert str(info.value) == "eta must be a finite number > 0, got -2.0"
    assert check_positive_int(np.int64(3), "n") == 3 and type(check_positive_int(3, "n")) is int
    assert check_positive_int(0, "n", minimum=0) == 0
    with pytest.raises(ValueError) as info:
        check_positive_int(1, "n", minimum=2)
    assert str(info.value) == "n must be an integer >= 2, got 1"
    with pytest.raises(TypeError) as info:
        check_positive_int(False, "n", minimum=0)
    assert str(info.value) == "n must be an integer >= 0, got False"


def test_tol_and_seed():
    assert check_tol(None) is None
    assert check_tol(0) == 0.0 and type(check_tol(0)) is float
    assert check_tol(np.float32(0.25)) == 0.25
    generator = np.random.default_rng(1)
    assert check_rng(generator) is generator
    assert check_rng(np.int64(7)).random() == np.random.default_rng(7).random()
    assert check_rng(0).random() == np.random.default_rng(0).random()
    assert isinstance(check_rng(None), np.random.Generator)
    with pytest.raises(ValueError) as info:
        check_rng(-3, "random_state")
    assert str(info.value) == "random_state must be a non-negative integer, got -3"
    with pytest.raises(TypeError) as info:
        check_rng(True, "random_state")
    assert str(info.value) == ("random_state must be None, a non-negative int or a "
                               "numpy.random.Generator, got True")


def test_long_values_are_cut_in_messages():
    assert _describe("x" * 60) == repr("x" * 60)[:57] + "..."
    assert _describe("x" * 58) == repr("x" * 58)  # 60 characters with the quotes: kept
    assert _describe("x" * 59) == repr("x" * 59)[:57] + "..."  # 61: cut to 60
    assert len(_describe(list(range(100)))) == 60
    with pytest.raises(TypeError) as info:
        check_learning_rate("a" * 100)
    assert str(info.value) == f"learning_rate must be a real number > 0, got '{'a' * 56}..."


pd = pytest.importorskip("pandas")


@pytest.mark.parametrize(
    ("columns", "dtype"),
    [
        ({"a": pd.array([1, 2, 3], dtype="Int64")}, F64),
        ({"a": pd.array([1, 2, 3], dtype="UInt8"), "b": pd.array([1.5, 2, 3], dtype="Float32")},
         F64),  # integers widen to float64
        ({"a": pd.array([1.5, 2, 3], dtype="Float32")}, F32),  # floats keep their width
        ({"a": pd.array([1.5, 2, 3], dtype="Float32"), "b": pd.array([1, 2, 3.5], dtype="Float64")},
         F64),
    ],
)
def test_pandas_nullable_frames_become_float_arrays(columns, dtype):
    frame = pd.DataFrame(columns)
    X, _ = check_data(frame, np.zeros(3, dtype=dtype))
    assert X.dtype == dtype
    np.testing.assert_array_equal(X, frame.to_numpy(dtype=F64))
    series = next(iter(columns.values()))
    y = check_data(np.zeros(3, dtype=dtype), pd.Series(series))[1]
    np.testing.assert_array_equal(y, np.asarray(series, dtype=F64))


def test_pandas_missing_values_and_non_numeric_nullable_columns():
    with pytest.raises(ValueError, match=r"^y must be finite, but it holds 1 NaN or inf value\(s\) "
                       r"\(first at flat index 1\)"):
        check_data(np.zeros(3), pd.Series(pd.array([1.0, None, 2.0], dtype="Float64")))
    with pytest.raises(TypeError, match=r"^X must hold numbers, got a boolean array"):
        check_data(pd.DataFrame({"a": pd.array([True, False], dtype="boolean")}), np.zeros(2))
    with pytest.raises(TypeError, match=r"^X must hold real numbers \(integer or float dtype\), "
                       r"got dtype object"):
        check_data(pd.DataFrame({"a": pd.array([True, None], dtype="boolean")}), np.zeros(2))
    with pytest.raises(TypeError, match=r"^X must hold real numbers"):
        check_data(pd.DataFrame({"a": pd.array([1, 2], dtype="Int64"),
                                 "b": pd.array(["x", "y"], dtype="string")}), np.zeros(2))


@pytest.mark.parametrize(
    ("columns", "dtype"),
    [
        # pandas hands these frames to numpy as objects; their column dtypes decide the result
        ({"a": pd.array([1.5, 2, 3], dtype="Float32"), "b": pd.array([1, 2, 3.5], dtype="Float32")},
         F32),  # all floats of width 32: float32
        ({"a": pd.array([1.5, 2, 3], dtype="Float32"), "b": np.array([1, 2, 3.5], dtype=F32)},
         F32),  # a numpy column beside a nullable one
        ({"a": pd.array([1.5, 2, 3], dtype="Float32"), "b": pd.array([1, 2, 3.5], dtype="Float64")},
         F64),  # the widest float
        ({"a": pd.array([1, 2, 3], dtype="Int64"), "b": pd.array([1.5, 2, 3], dtype="Float32")},
         F64),  # an integer column: float64
        ({"a": pd.array([1, 2, 3], dtype="Int8"), "b": pd.array([4, 5, 6], dtype="UInt8")},
         F64),  # small integers too
    ],
)
def test_pandas_frames_of_several_nullable_columns_keep_their_float_width(columns, dtype):
    frame = pd.DataFrame(columns)
    X, y = check_data(frame, np.zeros(3, dtype=F32))  # a float32 y: the frame decides
    assert X.dtype == y.dtype == dtype
    np.testing.assert_array_equal(X, frame.to_numpy(dtype=F64))


def test_pandas_missing_values_in_integer_columns_are_reported_as_not_finite():
    frame = pd.DataFrame({"a": pd.array([1, 2, 3], dtype="Int64"),
                          "b": pd.array([4, None, 6], dtype="Int64")})
    with pytest.raises(ValueError, match=r"^X must be finite, but it holds 1 NaN or inf value\(s\) "
                       r"\(first at flat index 3\)"):  # row 1, column 1, row-major
        check_data(frame, np.zeros(3))


@pytest.mark.parametrize("dtype", [object, "str"])
def test_a_pandas_series_of_text_is_refused_like_a_column_of_text(dtype):
    series = pd.Series(["a", "b", "c"], dtype=dtype)
    expected = r"^y must hold real numbers \(integer or float dtype\), got dtype object from "
    with pytest.raises(TypeError, match=expected):
        check_data(np.zeros(3), series)
    with pytest.raises(TypeError, match=expected):
        check_data(np.zeros(3), series.to_frame())
    with pytest.raises(TypeError, match=expected):
        check_data(np.zeros(3), series.to_numpy(dtype=object))
