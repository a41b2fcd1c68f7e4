"""Argument checks shared by the public API.

Every check raises `TypeError` (wrong kind of value) or `ValueError` (right
kind, wrong value) with a message that names the argument, shows the value
and says what is valid. Nothing here modifies its input.
"""

from __future__ import annotations

import math
import numbers
import sys

import numpy as np

__all__ = [
    "check_data",
    "check_features",
    "check_learning_rate",
    "check_n_features",
    "check_params",
    "check_positive_int",
    "check_rng",
    "check_tol",
    "stack_level",
]


def _describe(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def check_learning_rate(value: object, name: str = "learning_rate") -> float:
    """Return `value` as a float if it is a finite number > 0."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number > 0, got {_describe(value)}")
    value = float(value)
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return value


def check_positive_int(value: object, name: str, *, minimum: int = 1) -> int:
    """Return `value` as an int if it is an integer >= `minimum`."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer >= {minimum}, got {_describe(value)}")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def check_tol(tol: object) -> float | None:
    """Return `tol` as a float if it is `None` or a finite number >= 0."""
    if tol is None:
        return None
    if isinstance(tol, bool) or not isinstance(tol, numbers.Real):
        raise TypeError(f"tol must be None or a number >= 0, got {_describe(tol)}")
    if not math.isfinite(tol) or tol < 0:
        raise ValueError(f"tol must be None or a finite number >= 0, got {tol!r}")
    return float(tol)


def check_rng(seed: object, name: str = "seed") -> np.random.Generator:
    """Return a `numpy.random.Generator` from `None`, an int or a Generator."""
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None or (isinstance(seed, numbers.Integral) and not isinstance(seed, bool)):
        if seed is not None and seed < 0:
            raise ValueError(f"{name} must be a non-negative integer, got {seed!r}")
        return np.random.default_rng(seed)
    raise TypeError(
        f"{name} must be None, a non-negative int or a numpy.random.Generator, "
        f"got {_describe(seed)}"
    )


def _as_numeric(value: object, name: str) -> np.ndarray:
    if type(value).__module__.startswith("scipy.sparse"):
        shape = getattr(value, "shape", "?")
        raise TypeError(
            f"{name} is a scipy.sparse matrix of shape {shape}; gdbook trains on dense arrays: "
            f"pass {name}.toarray() (it holds every entry, zeros included)"
        )
    try:
        array = np.asarray(value)
        if array.dtype == object:  # pandas' nullable Int64/Float64 columns come out as objects
            array = _from_pandas_numeric(value, array)
    except (TypeError, ValueError) as exc:  # ragged nested lists and the like
        raise TypeError(f"{name} must be a numeric array, got {_describe(value)}") from exc
    if array.dtype == bool:
        raise TypeError(
            f"{name} must hold numbers, got a boolean array; convert it explicitly, "
            f"e.g. {name}.astype(float)"
        )
    if not (np.issubdtype(array.dtype, np.integer) or np.issubdtype(array.dtype, np.floating)):
        raise TypeError(
            f"{name} must hold real numbers (integer or float dtype), got dtype "
            f"{array.dtype} from {_describe(value)}"
        )
    return array


def _from_pandas_numeric(value: object, array: np.ndarray) -> np.ndarray:
    """Return a pandas object whose columns all have numeric (nullable) dtypes as floats.

    Missing values (`pd.NA`) become NaN, which the finiteness check then reports.
    Anything else (strings, categories, mixed objects) is returned unchanged.
    """
    dtypes = getattr(value, "dtypes", None)
    if dtypes is None or not callable(getattr(value, "to_numpy", None)):
        return array
    # A DataFrame's dtypes are a Series of them; a Series has one dtype (a numpy dtype has a
    # __len__, its number of fields, but is not iterable).
    dtypes = list(dtypes) if hasattr(dtypes, "__iter__") else [dtypes]
    if not dtypes or any(getattr(d, "kind", "O") not in "iuf" for d in dtypes):
        return array
    numeric = [np.dtype(getattr(d, "numpy_dtype", d)) for d in dtypes]
    floats = all(np.issubdtype(d, np.floating) for d in numeric)  # ints: float64
    return value.to_numpy(dtype=np.result_type(*numeric, np.float32 if floats else np.float64),
                          na_value=np.nan)


def _total(array: np.ndarray) -> np.floating:
    """The sum of all entries, in an order that reads a contiguous array at memory speed.

    Rows of 1024 numbers are added to one another (numpy vectorises that across
    the 1024 lanes), then the lanes: 1.5 to 2.5 times faster than numpy's
    pairwise sum, on one thread (BLAS would use several, and wait for them on a
    busy machine).
    """
    if array.dtype not in (np.float32, np.float64) or not (
        array.flags.c_contiguous or array.flags.f_contiguous
    ):
        return array.sum()
    flat = array.ravel(order="K")  # a view, in memory order
    body = flat.size - flat.size % 1024
    return flat[:body].reshape(-1, 1024).sum(axis=0).sum() + flat[body:].sum()


def _check_finite(array: np.ndarray, name: str) -> None:
    if not np.issubdtype(array.dtype, np.floating):
        return
    # A finite sum proves every entry finite, with no temporary array; only when the
    # sum is not finite (a NaN or inf, or a finite overflow) look entry by entry.
    with np.errstate(over="ignore", invalid="ignore"):
        if np.isfinite(_total(array)):
            return
    if not np.isfinite(array).all():
        bad = np.flatnonzero(~np.isfinite(array.reshape(-1)))
        raise ValueError(
            f"{name} must be finite, but it holds {bad.size} NaN or inf value(s) "
            f"(first at flat index {bad[0]}); drop or impute those rows"
        )


def check_data(
    X: object, y: object, names: tuple[str, str] = ("X", "y"), *, n_features: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Validate training data and return `(X, y)` as float arrays.

    `X` comes back 2-D `(n_samples, n_features)`; `y` 1-D `(n_samples,)`.
    Both share one floating dtype: float32 when both inputs are float32 (or
    smaller floats), float64 otherwise (integers become float64). The caller's
    arrays are never written to; they may be returned as read-only views.
    Messages call the two arrays by `names`. With `n_features`, `X` must have
    that many columns (the message quotes the caller's shape).
    """
    xn, yn = names
    X = _as_numeric(X, xn)
    y = _as_numeric(y, yn)
    if X.ndim not in (1, 2):
        raise ValueError(
            f"{xn} must be 1-D (n_samples,) or 2-D (n_samples, n_features), got shape {X.shape}"
        )
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1:
        raise ValueError(
            f"{yn} must be 1-D (n_samples,) or a single column (n_samples, 1), "
            f"got shape {y.shape}"
        )
    if X.shape[0] == 0:
        raise ValueError(f"{xn} must have at least one row, got shape {X.shape}")
    if X.ndim == 2 and X.shape[1] == 0:
        raise ValueError(f"{xn} must have at least one feature column, got shape {X.shape}")
    if X.shape[0] != y.shape[0]:
        raise ValueError(
            f"{xn} and {yn} must have the same number of rows, got {xn} with {X.shape[0]} "
            f"and {yn} with {y.shape[0]}"
        )
    floats = np.issubdtype(X.dtype, np.floating) and np.issubdtype(y.dtype, np.floating)
    dtype = np.result_type(X.dtype, y.dtype, np.float32 if floats else np.float64)
    shape = X.shape
    X = X.astype(dtype, copy=False).reshape(X.shape[0], -1)
    y = y.astype(dtype, copy=False)
    if n_features is not None:
        check_n_features(X, n_features, xn, shape=shape)
    _check_finite(X, xn)
    _check_finite(y, yn)
    return X, y


def check_features(X: object, n_features: int, name: str = "X") -> np.ndarray:
    """Validate a feature array for a model with `n_features` inputs; return it 2-D.

    A 1-D array is one feature, `(n_samples,)`; zero rows are allowed here
    (prediction on nothing gives nothing).
    """
    X = _as_numeric(X, name)
    shape = X.shape
    if X.ndim not in (1, 2):
        raise ValueError(
            f"{name} must be 1-D (n_samples,) or 2-D (n_samples, n_features), got shape {shape}"
        )
    X = X if X.ndim == 2 else X.reshape(-1, 1)
    check_n_features(X, n_features, name, shape=shape)
    _check_finite(X, name)
    return X


def check_n_features(
    X: np.ndarray, n_features: int, name: str = "X", *, shape: tuple[int, ...] | None = None
) -> None:
    """Check that the 2-D array `X` has `n_features` columns.

    `shape` is the shape the caller passed, quoted in the message (default `X.shape`).
    """
    if X.shape[1] != n_features:
        shape = X.shape if shape is None else shape
        hint = (
            f"; a 1-D {name} is read as one feature, so for a single sample pass "
            f"{name}.reshape(1, -1)"
            if len(shape) == 1 and shape[0] == n_features
            else ""
        )
        raise ValueError(
            f"{name} has {X.shape[1]} feature(s) (shape {shape}) but the model was built "
            f"with n_features={n_features}; build the model with "
            f"n_features={X.shape[1]} or pass matching data{hint}"
        )


def check_params(value: object, size: int, name: str = "params") -> np.ndarray:
    """Return a new 1-D float array of `size` finite numbers from `value` (float32 kept).

    The model owns the result: the caller's array is copied, never aliased, so
    training cannot write into it.
    """
    array = _as_numeric(value, name)
    if array.shape != (size,):
        raise ValueError(
            f"{name} must have shape ({size},), one entry per parameter, got shape {array.shape}"
        )
    _check_finite(array, name)
    return array.astype(np.result_type(array.dtype, np.float32), copy=True)


# Not mutated: mutmut's trampolines put their own frames between gdbook's, so no test can see
# this walk under mutmut. It is checked by (and deselected from the mutation run with)
# tests/test_early_stopping.py::test_the_convergence_warning_points_at_the_callers_line
def stack_level() -> int:  # pragma: no mutate block
    """Return the `stacklevel` that points a warning at the first caller outside gdbook.

    Frames of `contextlib` (a `with` block's exit inside gdbook) are skipped too.
    """
    frame, level = sys._getframe(1), 1
    while frame is not None and (
        frame.f_globals.get("__name__", "").startswith("gdbook")
        or frame.f_globals.get("__name__") == "contextlib"
    ):
        frame, level = frame.f_back, level + 1
    return level
