"""Fast epochs for linear regression: the readable loop's numbers, with fewer Python steps.

`Trainer` asks the model for a fast path (`LinearRegression._fast_epochs`); if
it gets one, each epoch runs here instead of in `trainer.run_epoch`, on the
same rows in the same order (drawn from the trainer's generator exactly as
`iter_batches` draws them), and ends with the same numbers up to rounding
(about 1e-10 relative or better in float64). `run_epoch` stays the reference:
the book shows it and the tests compare every path here against it
(`tests/test_fast_paths.py`, `tests/test_fast_fuzz.py`), and against a
long-double run where rounding matters (`tests/test_fast_accuracy.py`).

Which path runs is set by the environment variable `GDBOOK_FAST`:

- `auto` (default): on data with at least `MIN_ROWS` rows, compiled kernels
  when numba is installed (`pip install gdbook[fast]`), else the pure-numpy
  paths; smaller data run the readable loop. When that leaves a large fit to
  the readable loop, a `PerformanceWarning` says so, once per process.
- `numba`: compiled kernels whatever the size (an error if numba is missing).
- `numpy`: pure-numpy paths only, whatever the size.
- `off`: the readable loop only.

The compiled kernels take float32 and float64 data in C order (other layouts
are copied once, as scikit-learn's SGD does). The pure-numpy paths are: batch
GD with one pass over `X` per epoch (the full-data loss after a step is the
next step's loss, so it is computed once), and for one feature the exact
vectorised form of mini-batch and stochastic GD (`gdbook._fast_scan`). Other
cases run the readable loop.
"""

from __future__ import annotations

import os
import warnings

import numpy as np

from gdbook import _fast_notice as notice
from gdbook._fast_scan import scan_epoch
from gdbook.optimizers import GradientDescent

MODES = ("auto", "numba", "numpy", "off")
MIN_ROWS = 10_000
"""In `auto` mode, data with fewer rows run the readable loop (fast enough there)."""
COMPILED = (np.float32, np.float64)
"""The dtypes the compiled kernels take; long doubles take the numpy paths."""

_kernels: dict[str, object] = {}  # "module" -> _fast_numba or None; dtype names -> True


def mode() -> str:
    """Return the fast-path mode from `GDBOOK_FAST` (`auto` when unset)."""
    value = os.environ.get("GDBOOK_FAST", "").strip().lower() or "auto"
    if value not in MODES:
        raise ValueError(
            f"GDBOOK_FAST must be one of {', '.join(MODES)} (or unset for auto), got {value!r}"
        )
    return value


def numba_kernels(dtype: np.dtype, *, required: bool = False):
    """Return the compiled kernels ready for `dtype`, or `None` if numba cannot be used here.

    The first call for a dtype compiles the kernels (or loads them from numba's
    cache); a compile takes long enough to announce (`gdbook._fast_notice`).
    """
    if "module" not in _kernels:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # numba's own notices are not the user's business
                from gdbook import _fast_numba
        except Exception as exc:  # missing, or refusing this numpy version
            _kernels["module"], _kernels["error"] = None, exc
        else:
            _kernels["module"] = _fast_numba
    module = _kernels["module"]
    if module is not None and dtype.name not in _kernels:
        try:
            with warnings.catch_warnings(), notice.while_compiling(dtype):
                warnings.simplefilter("ignore")
                module.warm_up(dtype)
            _kernels[dtype.name] = True
        except Exception as exc:  # a numba/llvmlite that cannot compile these kernels
            _kernels["module"], _kernels["error"] = None, exc
            module = None
    if module is None and required:
        raise ImportError(
            "GDBOOK_FAST=numba needs numba (pip install gdbook[fast]); it failed with: "
            f"{_kernels['error']!r}"
        )
    return module


def linear_epochs(model, optimizer, X: np.ndarray, y: np.ndarray, batch_size: int,
                  drop_last: bool) -> LinearEpochs | None:
    """Return a fast runner for training `model` (a `LinearRegression`), or `None`."""
    current = mode()
    if current == "off" or type(optimizer).update is not GradientDescent.update:
        return None  # a custom update rule: only the readable loop knows it
    if current == "auto" and X.shape[0] < MIN_ROWS:
        return None
    kernels = None
    if current != "numpy" and X.dtype in COMPILED:
        kernels = numba_kernels(X.dtype, required=current == "numba")
    if kernels is not None:  # a copy only of strided data, e.g. a column of a table
        X, y = np.ascontiguousarray(X), np.ascontiguousarray(y)
    advise = current == "auto" and kernels is None and X.dtype in COMPILED
    return LinearEpochs(model, X, y, batch_size, drop_last, kernels, advise)


def _numpy_sums(X, y, params, rows):
    """Return `(X.T @ r, sum(r), r @ r)` for `r = X @ w + b - y`, by blocks of `rows` rows.

    A block stays in cache between its two products, so `X` is read from memory
    once; with a single block this is `loss_and_grad`'s arithmetic exactly.
    """
    n, d = X.shape
    one = d == 1  # numpy is much faster on an (n,) array than on (n, 1)
    features, w = (X[:, 0], params[0]) if one else (X, params[:-1])
    gw, rsum, rss = np.zeros(d, X.dtype), params[0] * 0, params[0] * 0
    for lo in range(0, n, rows):
        block = features[lo : lo + rows]
        residual = (block * w if one else block @ w) + params[-1] - y[lo : lo + rows]
        gw += residual @ block
        rsum += residual.sum()
        rss += residual @ residual
    return gw, rsum, rss


class LinearEpochs:
    """Epochs of one `fit`: `evaluate()` the full-data loss, `run_epoch()` the steps."""

    def __init__(self, model, X, y, batch_size, drop_last, kernels, advise=False) -> None:
        n, d = X.shape
        self.model, self.X, self.y, self.kernels, self.advise = model, X, y, kernels, advise
        self.batch_size = batch_size
        self.stop = n - n % batch_size if drop_last else n
        last = n - (self.stop - 1) // batch_size * batch_size if self.stop else batch_size
        self.m = np.array([batch_size, last], dtype=X.dtype)  # rows of a full and the last batch
        self.two_over_m = np.array([2 / batch_size, 2 / last], dtype=X.dtype)
        self.n_steps = len(range(0, self.stop, batch_size))
        # Blocks of at most 65536 numbers, and 1-D blocks under 10 000: BLAS runs these
        # on one thread, never waiting for a second one that a busy machine has not scheduled.
        self.chunk_rows = 8192 if d == 1 else max(256, 65536 // d)
        self._max_row_norm: float | None = None
        self._cache: tuple[np.ndarray, object, np.ndarray] | None = None

    def evaluate(self):
        """Return `(loss, grad)` on all rows at the current parameters.

        The loss is a sum of squares of finite data: when it is not finite, the
        residuals overflowed, and it is reported as `inf` whatever the path.
        """
        params = self.model.params
        if self._cache is not None and np.array_equal(self._cache[0], params):
            return self._cache[1], self._cache[2]
        X, y, (n, d), dtype = self.X, self.y, self.X.shape, self.X.dtype
        if self.kernels is not None:
            sums = self.kernels.sums(X, y, params)
            loss = dtype.type(sums[d + 1] / n)
            grad = (sums[: d + 1] * (2 / n)).astype(dtype)
        else:
            gw, rsum, rss = _numpy_sums(X, y, params, self.chunk_rows)
            grad = np.append(gw, rsum) * (2 / n)  # as (2 / m) * (residual @ X) and .sum()
            loss = rss / n
        if not np.isfinite(loss):
            loss = dtype.type(np.inf)
        self._cache = (params.copy(), loss, grad)
        return loss, grad

    def run_epoch(self, rng: np.random.Generator | None, learning_rate: float, record: bool,
                  replacement: bool = False):
        """Run one epoch; return `(n_steps, step losses or None)`, or `None` to decline.

        The rows are drawn from `rng` as `iter_batches` draws them (a permutation,
        or with `replacement` uniform draws). Declining happens before anything
        is drawn, so the trainer can run the readable loop for this epoch instead.
        """
        params, X, n = self.model.params, self.X, self.X.shape[0]
        if self.batch_size >= n and not replacement:  # batch GD: one step
            loss, grad = self.evaluate()
            GradientDescent.update(params, grad, learning_rate)
            self.evaluate()  # the loss after the step, which is also the next step's
            return 1, ([loss] if record else None)
        if self.kernels is None and learning_rate * self.max_row_norm() > 1:
            if self.advise:  # no numba, and more than one feature or a step that could expand
                notice.advise_numba(n, X.shape[1], self.batch_size, self.n_steps,
                                    _kernels.get("error"))
            return None
        if rng is None:
            order = None
        elif self.kernels is None:  # as iter_batches draws them
            order = rng.integers(n, size=n) if replacement else rng.permutation(n)
        else:  # the same draws, faster
            draw = self.kernels.integers if replacement else self.kernels.permutation
            order = draw(rng, n, n) if replacement else draw(rng, n)
        losses = np.empty(self.n_steps if record else 0, dtype=X.dtype)
        if self.kernels is None:
            scan_epoch(X[:, 0], self.y, params, order, self.batch_size, self.stop,
                       learning_rate, losses)
        else:
            self.kernels.minibatch_epoch(
                X, self.y, params, np.empty(0, np.int32) if order is None else order,
                order is not None, self.batch_size, self.stop, X.dtype.type(learning_rate),
                self.two_over_m, self.m, losses,
            )
        return self.n_steps, (losses if record else None)

    def max_row_norm(self) -> float:
        """`1 + max x**2` for one feature (the scan path's bound), `inf` for several."""
        if self._max_row_norm is None:
            x = self.X[:, 0]
            big = max(abs(float(x.max())), abs(float(x.min()))) if self.X.shape[1] == 1 else np.inf
            self._max_row_norm = 1 + big * big  # a Python float: inf past 1.3e154, no warning
        return self._max_row_norm
