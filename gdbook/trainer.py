"""The training loop: epochs of batches, with records, schedules and stopping rules."""

from __future__ import annotations

import math
import numbers
import time
import warnings
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from gdbook._validation import (
    _describe,
    check_data,
    check_n_features,
    check_positive_int,
    check_rng,
)
from gdbook.batching import iter_batches
from gdbook.exceptions import ConvergenceWarning, DivergenceError
from gdbook.history import History
from gdbook.optimizers import GradientDescent

__all__ = ["Trainer"]

Callback = Callable[[int, float, Any], Any]


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

    The model can be [`LinearRegression`][gdbook.LinearRegression] or any object
    with a flat float array `params` (updated in place), an int `n_features`,
    and a method `loss_and_grad(X, y) -> (loss, grad)` returning the mean
    loss on a batch and its gradient averaged over the batch's rows.

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
        tol: Early stopping: training stops when the full-data loss has not
            improved by more than `tol` for `patience` epochs in a row. `None`
            (default) turns it off; otherwise a finite number >= 0.
        patience: Epochs without improvement before stopping, an integer >= 1.
        callbacks: Callables `callback(epoch, loss, model)` run after each
            epoch; if one returns `True`, training stops.
        record_steps: Also record the loss of every batch in `History.step_loss`.

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
    """A loss this many times the initial loss counts as divergence."""

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
        callbacks: Sequence[Callback] = (),
        record_steps: bool = False,
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
        if tol is not None:
            if isinstance(tol, bool) or not isinstance(tol, numbers.Real):
                raise TypeError(f"tol must be None or a number >= 0, got {_describe(tol)}")
            if not math.isfinite(tol) or tol < 0:
                raise ValueError(f"tol must be None or a finite number >= 0, got {tol!r}")
            tol = float(tol)
        self.tol = tol
        self.patience = check_positive_int(patience, "patience")
        self.callbacks = _check_callbacks(callbacks)
        self.record_steps = _check_bool(record_steps, "record_steps")

    def fit(self, model: Any, X: np.ndarray, y: np.ndarray) -> History:
        """Train `model` on `(X, y)` in place and return the [`History`][gdbook.History].

        Args:
            model: The model to train; its `params` are updated in place and
                converted to the data's floating dtype (float32 data trains in
                float32, anything else in float64).
            X: Features, shape `(n_samples,)` for one feature or
                `(n_samples, n_features)`; finite real numbers. Not modified.
            y: Targets, shape `(n_samples,)`; finite real numbers. Not modified.

        Returns:
            The per-epoch record of the run.

        Raises:
            TypeError: If the model, `X` or `y` is of the wrong kind.
            ValueError: If the data are empty, mismatched, not finite, have the
                wrong number of features, or `batch_size` exceeds the number of rows.
            DivergenceError: If the loss becomes non-finite or grows past
                `divergence_ratio` times its initial value. The partial
                history is attached as `error.history`.
        """
        _check_model(model)
        X, y = check_data(X, y)
        check_n_features(X, model.n_features)
        n_samples = X.shape[0]
        batch_size = self.optimizer.batch_size_for(n_samples)
        # Batch GD steps on every row, so its row order cannot matter: nothing is drawn.
        ordered = self.order != "sequential" and self.optimizer.batch_size is not None
        rng = check_rng(self.seed) if ordered else None
        replacement = ordered and self.order == "replacement"
        if model.params.dtype != X.dtype:
            model.params = model.params.astype(X.dtype)

        # A model may offer faster epochs with the same numbers (LinearRegression does,
        # see gdbook._fast); run_epoch above stays the reference they are tested against.
        offer = getattr(model, "_fast_epochs", None)
        fast = offer(self.optimizer, X, y, batch_size, self.drop_last) if offer else None
        evaluate = fast.evaluate if fast else lambda: model.loss_and_grad(X, y)
        with np.errstate(over="ignore", invalid="ignore"):
            initial_loss = float(evaluate()[0])
        rec: dict[str, list] = {k: [] for k in ("loss", "time", "lr", "grad_norm", "steps")}
        step_loss: list = []
        stop_reason, best, stale = "epochs", math.inf, 0
        for epoch in range(self.epochs):
            lr = self.optimizer.learning_rate_at(epoch)
            with np.errstate(over="ignore", invalid="ignore"):
                start = time.perf_counter()
                done = fast.run_epoch(rng, lr, self.record_steps, replacement) if fast else None
                if done is None:
                    batches = iter_batches(n_samples, batch_size, rng=rng,
                                           replacement=replacement, drop_last=self.drop_last)
                    step_losses = run_epoch(model, self.optimizer, X, y, batches, lr)
                    done = len(step_losses), step_losses
                elapsed = time.perf_counter() - start
                loss, grad = evaluate()
                loss, grad_norm = float(loss), float(np.linalg.norm(grad))
            for key, value in zip(rec, (loss, elapsed, lr, grad_norm, done[0]), strict=True):
                rec[key].append(value)
            if self.record_steps:
                step_loss.append(done[1])

            if not math.isfinite(loss) or loss > self.divergence_ratio * initial_loss:
                history = self._history(rec, step_loss, model, initial_loss, "diverged")
                bound, cause = getattr(model, "max_stable_learning_rate", None), None
                try:
                    lr_max = None if bound is None else bound(X)
                except ValueError as exc:  # data so large that the bound is no float: say so
                    lr_max, cause = None, exc
                error = DivergenceError(
                    epoch=epoch,
                    learning_rate=lr,
                    loss=loss,
                    max_stable_learning_rate=lr_max,
                )
                error.history = history
                raise error from cause
            if any(callback(epoch, loss, model) is True for callback in self.callbacks):
                stop_reason = "callback"
                break
            if self.tol is not None:
                stale = stale + 1 if loss > best - self.tol else 0
                best = min(best, loss)
                if stale >= self.patience:
                    stop_reason = "converged"
                    break
        else:
            if self.tol is not None:
                warnings.warn(
                    f"the loss was still improving by more than tol={self.tol:g} after "
                    f"epochs={self.epochs}; consider increasing epochs, the learning rate, "
                    f"or tol",
                    ConvergenceWarning,
                    stacklevel=2,
                )
        return self._history(rec, step_loss, model, initial_loss, stop_reason)

    def _history(
        self, rec: dict, step_loss: list, model: Any, initial_loss: float, stop_reason: str
    ) -> History:
        steps = rec["steps"]
        dtype = model.params.dtype
        return History(
            loss=np.array(rec["loss"]),
            time=np.array(rec["time"]),
            learning_rate=np.array(rec["lr"]),
            grad_norm=np.array(rec["grad_norm"]),
            params=model.params.copy(),
            initial_loss=initial_loss,
            steps_per_epoch=steps[0] if steps else 0,
            stop_reason=stop_reason,
            step_loss=np.concatenate([np.asarray(s, dtype) for s in [(), *step_loss]])
            if self.record_steps
            else None,
        )

    @property
    def shuffle(self) -> bool:
        """Whether the rows are drawn at random (`order` is not `"sequential"`)."""
        return self.order != "sequential"

    def __repr__(self) -> str:
        return (
            f"Trainer({self.optimizer!r}, epochs={self.epochs}, seed={self.seed!r}, "
            f"order={self.order!r})"
        )


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


def _check_callbacks(callbacks: Iterable[Callback]) -> tuple[Callback, ...]:
    if callable(callbacks):
        callbacks = (callbacks,)
    try:
        callbacks = tuple(callbacks)
    except TypeError:
        raise TypeError(
            f"callbacks must be a list of callables (epoch, loss, model) -> bool | None, "
            f"got {_describe(callbacks)}"
        ) from None
    for callback in callbacks:
        if not callable(callback):
            raise TypeError(
                f"each callback must be callable as callback(epoch, loss, model), "
                f"got {_describe(callback)}"
            )
    return callbacks


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
