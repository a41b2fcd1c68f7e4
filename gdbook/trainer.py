"""The training loop: epochs of batches; everything else is a callback."""

from __future__ import annotations

import contextlib
import numbers
import time
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from gdbook._validation import (
    _describe,
    check_data,
    check_positive_int,
    check_rng,
    check_tol,
)
from gdbook.batching import iter_batches
from gdbook.callbacks import (
    Callback,
    EarlyStopping,
    FunctionCallback,
    RestoreBest,
    Run,
    StepRecorder,
    Validation,
)
from gdbook.divergence import DivergenceGuard
from gdbook.history import History
from gdbook.optimizers import GradientDescent
from gdbook.progress import ProgressBar, tqdm_class

__all__ = ["Trainer"]


# --8<-- [start:epoch]
def run_epoch(model, optimizer, X, y, batches, learning_rate) -> list[float]:
    """One pass over the data: one gradient step per batch. Returns the batch losses."""
    losses = []
    for rows in batches:
        loss, grad = model.loss_and_grad(X[rows], y[rows])
        optimizer.update(model.params, grad, learning_rate)
        losses.append(loss)
    return losses
# --8<-- [end:epoch]


class Trainer:
    """Train a model with one of the gradient-descent variants.

    The model can be [`LinearRegression`][gdbook.LinearRegression],
    [`MLP`][gdbook.MLP], or any object with a flat float array `params`
    (updated in place), an int `n_features`, and a method
    `loss_and_grad(X, y) -> (loss, grad)` returning the mean loss on a batch and
    its gradient averaged over the batch's rows.

    Everything besides the gradient steps is a [callback][gdbook.Callback]:
    validation, early stopping, restoring the best parameters, the divergence
    guard ([`DivergenceGuard`][gdbook.DivergenceGuard]), the progress bar, the
    step record, and your own.

    Args:
        optimizer: A [`GradientDescent`][gdbook.GradientDescent] such as
            [`BatchGD`][gdbook.BatchGD], [`StochasticGD`][gdbook.StochasticGD]
            or [`MiniBatchGD`][gdbook.MiniBatchGD].
        epochs: Maximum number of passes over the data, an integer >= 1.
        seed: Seed (int) or `numpy.random.Generator` for the row order. An int
            makes every call to `fit` draw the same orders; a Generator is
            advanced by each call. The global `np.random` state is never used.
        order: Which rows feed the batches of each epoch:

            - `"shuffle"` (default): a new random permutation every epoch, so
              each row is used once per epoch (sampling without replacement);
            - `"sequential"`: the rows in their given order every epoch, as the
              article's loop does;
            - `"replacement"`: `n_samples` independent uniform draws every
              epoch (sampling with replacement), so some rows come twice and
              some not at all; each batch is then an i.i.d. sample, the setting
              of the usual SGD theory.

            [`BatchGD`][gdbook.BatchGD] uses every row in every step whatever
            the order; an explicit `batch_size` equal to the number of rows
            with `"replacement"` takes bootstrap samples.
        shuffle: The older switch for the order: `True` is `order="shuffle"`,
            `False` is `order="sequential"`. Give `order` or `shuffle`, not
            two that disagree.
        drop_last: Skip the last, shorter batch of an epoch when `batch_size`
            does not divide the number of rows. By default it is used, with its
            gradient averaged over its real size.
        tol: Early stopping ([`EarlyStopping`][gdbook.EarlyStopping]): training
            stops once the monitored loss (the validation loss when `fit` gets
            `validation_data`, else the training loss) has not gone **below**
            `best - tol` for `patience` epochs in a row, `best` being the lowest
            so far. `tol` is absolute, in the loss's units (squared units of `y`),
            as `tol` is in scikit-learn's `SGDRegressor`; with `tol=0` an
            unchanged loss counts as no improvement. `None` (default) turns it
            off; otherwise a finite number >= 0. When the epochs run out first,
            a [`ConvergenceWarning`][gdbook.ConvergenceWarning] says so.
        patience: Epochs without improvement before stopping, an integer >= 1.
        restore_best: Leave the model with the parameters of its best epoch
            (lowest validation loss, or training loss without validation data)
            instead of its last; see [`RestoreBest`][gdbook.RestoreBest].
        callbacks: [`Callback`][gdbook.Callback] objects, or functions
            `callback(epoch, loss, model)`, run after each epoch. Every one
            runs every epoch; if any returns a true value (a numpy bool too),
            training stops after that epoch.
        record_steps: Also record the loss of every batch in `History.step_loss`.
        progress: Show a progress bar with the epoch, the loss and the
            validation loss ([`ProgressBar`][gdbook.ProgressBar]; needs tqdm,
            `pip install "gdbook[progress]"`).

    Raises:
        ImportError: If `progress=True` and tqdm is not installed.

    The book runs this example, and the article's own loop beside it, in
    [用 gdbook 写同一件事][用-gdbook-写同一件事].

    Examples:
        >>> from gdbook import LinearRegression, MiniBatchGD, Trainer, make_linear_data
        >>> X, y = make_linear_data(n_samples=100, slope=2.0, intercept=1.0, noise=0.1, seed=0)
        >>> model = LinearRegression(n_features=1, seed=0)
        >>> trainer = Trainer(MiniBatchGD(batch_size=10, learning_rate=0.1), epochs=100, seed=0)
        >>> history = trainer.fit(model, X, y)
        >>> bool(history.loss[-1] < 0.02), round(model.bias, 1), model.weights.round(1)
        (True, 1.0, array([2.]))
    """

    divergence_ratio = 1e6
    """A loss this many times the initial loss (or the variance of `y`, if larger) stops
    training as diverged (rule 1 of [`DivergenceGuard`][gdbook.DivergenceGuard])."""

    final_divergence_ratio = 10.0
    """A run that ends above its initial loss and above this many times the variance of
    `y` has diverged (rule 2 of [`DivergenceGuard`][gdbook.DivergenceGuard])."""

    def __init__(
        self,
        optimizer: GradientDescent,
        *,
        epochs: int = 100,
        seed: int | np.random.Generator | None = None,
        order: str | None = None,
        shuffle: bool | None = None,
        drop_last: bool = False,
        tol: float | None = None,
        patience: int = 5,
        restore_best: bool = False,
        callbacks: Sequence[Callback | Any] = (),
        record_steps: bool = False,
        progress: bool = False,
    ) -> None:
        if not isinstance(optimizer, GradientDescent):
            raise TypeError(
                f"optimizer must be a GradientDescent such as BatchGD(), StochasticGD() or "
                f"MiniBatchGD(batch_size=10), got {_describe(optimizer)}"
            )
        self.optimizer = optimizer
        self.epochs = check_positive_int(epochs, "epochs")
        check_rng(seed)  # fail now, not at fit time
        self.seed = seed
        self.order = _check_order(order, shuffle)
        self.drop_last = _check_bool(drop_last, "drop_last")
        self.tol = check_tol(tol)
        self.patience = check_positive_int(patience, "patience")
        self.restore_best = _check_bool(restore_best, "restore_best")
        self.callbacks = _check_callbacks(callbacks)
        self.record_steps = _check_bool(record_steps, "record_steps")
        self.progress = _check_bool(progress, "progress")
        if self.progress:
            tqdm_class()  # fail now if tqdm is missing

    def fit(
        self,
        model: Any,
        X: ArrayLike,
        y: ArrayLike,
        *,
        validation_data: tuple[ArrayLike, ArrayLike] | None = None,
    ) -> History:
        """Train `model` on `(X, y)` in place and return the [`History`][gdbook.History].

        Args:
            model: The model to train; its `params` are updated in place and
                converted to the data's floating dtype (float32 when `X` and `y`
                are both float32, float64 otherwise).
            X: Features, shape `(n_samples,)` for one feature or
                `(n_samples, n_features)`; finite real numbers (lists, numpy
                arrays, pandas objects). Not modified.
            y: Targets, shape `(n_samples,)`; finite real numbers. Not modified.
            validation_data: `(X_val, y_val)`, held-out rows whose loss is
                recorded after each epoch in `History.val_loss` and monitored by
                early stopping and `restore_best`. Not trained on.

        Returns:
            The per-epoch record of the run.

        Raises:
            TypeError: If the model, `X`, `y` or `validation_data` is of the wrong kind.
            ValueError: If the data are empty, mismatched, not finite, have the
                wrong number of features, or `batch_size` exceeds the number of rows.
            DivergenceError: If the loss becomes non-finite or grows past
                `divergence_ratio` times its start, or if the run ends above its
                start and above `final_divergence_ratio` times the variance of `y`
                (see [`DivergenceGuard`][gdbook.DivergenceGuard]). The partial
                history is attached as `error.history`.
        """
        _check_model(model)
        X, y = check_data(X, y, n_features=model.n_features)
        callbacks = _CallbackList(self._callbacks(model, X.dtype, validation_data))
        batch_size = self.optimizer.batch_size_for(X.shape[0])
        # Batch GD steps on every row, so its row order cannot matter: nothing is drawn.
        ordered = self.order != "sequential" and self.optimizer.batch_size is not None
        rng = check_rng(self.seed) if ordered else None
        replacement = ordered and self.order == "replacement"
        if model.params.dtype != X.dtype:
            model.params = model.params.astype(X.dtype)

        run = Run(self, model, X, y)
        with callbacks.running(run):
            epochs = _Epochs(model, self.optimizer, X, y, batch_size, self.drop_last)
            run.initial_loss = epochs.evaluate()[0]
            for epoch in range(self.epochs):
                lr = self.optimizer.learning_rate_at(epoch)
                steps, run.step_losses, elapsed, loss, grad_norm = epochs.run(
                    rng, lr, callbacks.record, replacement)
                run._end_epoch(loss, elapsed, lr, grad_norm, steps)
                if reason := callbacks.epoch_end(run):
                    run.stop_reason = reason
                    break
            else:
                run.stop_reason = "epochs"
        return run.history()

    def _callbacks(self, model: Any, dtype: np.dtype, validation_data: object) -> list[Callback]:
        """The built-in pieces this trainer's settings ask for, then the user's callbacks."""
        pieces: list[Callback] = []
        if validation_data is not None:
            X_val, y_val = _check_validation_data(validation_data, model)
            pieces.append(Validation(X_val.astype(dtype, copy=False),
                                     y_val.astype(dtype, copy=False)))
        if self.record_steps:
            pieces.append(StepRecorder())
        pieces.append(DivergenceGuard(self.divergence_ratio, self.final_divergence_ratio))
        if self.restore_best:
            pieces.append(RestoreBest())
        if self.tol is not None:
            pieces.append(EarlyStopping(self.tol, self.patience))
        pieces += self.callbacks
        if self.progress:
            pieces.append(ProgressBar())
        return pieces

    @property
    def shuffle(self) -> bool:
        """Whether the rows are drawn at random (`order` is not `"sequential"`)."""
        return self.order != "sequential"

    def __repr__(self) -> str:
        callbacks = [c.function if isinstance(c, FunctionCallback) else c for c in self.callbacks]
        return (
            f"Trainer({self.optimizer!r}, epochs={self.epochs}, seed={self.seed!r}, "
            f"order={self.order!r}, drop_last={self.drop_last}, tol={self.tol!r}, "
            f"patience={self.patience}, restore_best={self.restore_best}, "
            f"callbacks={callbacks!r}, record_steps={self.record_steps}, "
            f"progress={self.progress})"
        )


class _Epochs:
    """The epochs of one `fit`: the model's fast path when it offers one, else `run_epoch`.

    A model may offer faster epochs with the same numbers (`LinearRegression` does,
    see `gdbook._fast`); `run_epoch` above stays the reference they are tested against.
    """

    def __init__(self, model, optimizer, X, y, batch_size, drop_last) -> None:
        self.model, self.optimizer, self.X, self.y = model, optimizer, X, y
        self.n_samples, self.batch_size, self.drop_last = len(y), batch_size, drop_last
        offer = getattr(model, "_fast_epochs", None)
        self.fast = offer(optimizer, X, y, batch_size, drop_last) if offer else None

    def evaluate(self) -> tuple[float, float]:
        """Return the full-data loss and gradient norm at the current parameters."""
        with np.errstate(over="ignore", invalid="ignore"):
            return self._evaluate()

    def _evaluate(self) -> tuple[float, float]:
        loss, grad = self.fast.evaluate() if self.fast else self.model.loss_and_grad(self.X, self.y)
        return float(loss), float(np.linalg.norm(grad))

    def run(self, rng, learning_rate, record, replacement):
        """Run one epoch, then evaluate on all rows.

        Returns `(steps, batch losses if record else None, seconds, loss, grad_norm)`;
        the seconds count the steps only.
        """
        with np.errstate(over="ignore", invalid="ignore"):
            start = time.perf_counter()
            done = self.fast.run_epoch(rng, learning_rate, record, replacement) if self.fast \
                else None
            if done is None:
                batches = iter_batches(self.n_samples, self.batch_size, rng=rng,
                                       replacement=replacement, drop_last=self.drop_last)
                losses = run_epoch(self.model, self.optimizer, self.X, self.y, batches,
                                   learning_rate)
                done = len(losses), losses
            elapsed = time.perf_counter() - start
            return (done[0], done[1] if record else None, elapsed, *self._evaluate())


class _CallbackList:
    """Call every callback's hook in order (Keras's CallbackList, in a dozen lines)."""

    def __init__(self, callbacks: list[Callback]) -> None:
        self.callbacks = callbacks
        self.record = any(c.needs_step_losses for c in callbacks)

    def epoch_end(self, run: Run) -> str | None:
        """Run every `on_epoch_end`; return the stop reason of the first that asked to stop."""
        asked = [c.stop_reason for c in self.callbacks if c.on_epoch_end(run)]
        return asked[0] if asked else None

    @contextlib.contextmanager
    def running(self, run: Run):
        """`on_fit_start` on entry; `on_fit_end` on exit, however the block ends.

        Every `on_fit_end` runs even if one raises (the first error is re-raised
        after the others ran, so a progress bar is always closed).
        """
        for callback in self.callbacks:
            callback.on_fit_start(run)
        try:
            yield
        except BaseException:
            run.stop_reason = run.stop_reason or "error"
            self._end(run)
            raise
        self._end(run)

    def _end(self, run: Run) -> None:
        first: BaseException | None = None
        for callback in self.callbacks:
            try:
                callback.on_fit_end(run)
            except Exception as error:
                first = first or error
        if first is not None:
            raise first


def _check_bool(value: object, name: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {_describe(value)}")
    return bool(value)


ORDERS = ("shuffle", "sequential", "replacement")


def _check_order(order: object, shuffle: object) -> str:
    if shuffle is not None:
        implied = "shuffle" if _check_bool(shuffle, "shuffle") else "sequential"
        if order is None:
            return implied
    if order is None:
        return "shuffle"
    if not isinstance(order, str) or order not in ORDERS:
        raise ValueError(
            f"order must be one of {', '.join(map(repr, ORDERS))}, got {_describe(order)}"
        )
    if shuffle is not None and (order == "sequential") == bool(shuffle):
        raise ValueError(
            f"shuffle={shuffle!r} contradicts order={order!r}; give only order= "
            f"(shuffle=True is order='shuffle', shuffle=False is order='sequential')"
        )
    return order


def _check_callbacks(callbacks: Iterable[Any]) -> tuple[Callback, ...]:
    if callable(callbacks) or isinstance(callbacks, Callback):
        callbacks = (callbacks,)
    try:
        callbacks = tuple(callbacks)
    except TypeError:
        raise TypeError(
            f"callbacks must be a list of gdbook.Callback objects or functions "
            f"(epoch, loss, model) -> bool | None, got {_describe(callbacks)}"
        ) from None
    checked = []
    for callback in callbacks:
        if isinstance(callback, Callback):
            checked.append(callback)
        elif callable(callback):
            checked.append(FunctionCallback(callback))
        else:
            raise TypeError(
                f"each callback must be a gdbook.Callback or a function "
                f"callback(epoch, loss, model), got {_describe(callback)}"
            )
    return tuple(checked)


def _check_validation_data(data: object, model: Any) -> tuple[np.ndarray, np.ndarray]:
    if isinstance(data, (str, bytes)) or not isinstance(data, Sequence) or len(data) != 2:
        raise TypeError(
            f"validation_data must be a pair (X_val, y_val), got {_describe(data)}"
        )
    return check_data(*data, names=("X_val", "y_val"), n_features=model.n_features)


def _check_model(model: Any) -> None:
    params = getattr(model, "params", None)
    if (
        not isinstance(params, np.ndarray)
        or params.ndim != 1
        or not callable(getattr(model, "loss_and_grad", None))
        or not isinstance(getattr(model, "n_features", None), numbers.Integral)
    ):
        raise TypeError(
            f"model must have a 1-D numpy array `params`, an int `n_features` and a method "
            f"`loss_and_grad(X, y)`, like gdbook.LinearRegression; got {_describe(model)}"
        )
