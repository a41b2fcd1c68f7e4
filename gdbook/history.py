"""What a training run leaves behind: its numbers per epoch, as numpy arrays."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import numpy as np

__all__ = ["History"]


@dataclass(frozen=True, repr=False, eq=False)
class History:
    """The record of one call to [`Trainer.fit`][gdbook.Trainer.fit].

    Every per-epoch array has one entry per epoch that ran (`n_epochs`),
    which is fewer than `Trainer.epochs` when training stopped early.

    Attributes:
        loss: Mean squared error on all training rows after each epoch, shape `(n_epochs,)`.
        time: Wall-clock seconds spent in each epoch's gradient steps, shape
            `(n_epochs,)`. The full-data evaluation after the epoch is not
            counted, except by the fast batch-GD path on large data, whose one
            pass over `X` is both that evaluation and the next step's gradient.
        learning_rate: Learning rate used in each epoch, shape `(n_epochs,)`.
        grad_norm: Euclidean norm of the full-data gradient after each epoch,
            shape `(n_epochs,)`; it tends to 0 at a minimum.
        params: Parameters the model was left with (a copy, not a view of
            `model.params`), shape `(n_params,)`: those after the last epoch, or
            those of epoch `best_epoch` with `Trainer(restore_best=True)`.
        initial_loss: Full-data loss before the first step.
        steps_per_epoch: Gradient steps in each epoch.
        stop_reason: `"epochs"` (ran them all), `"converged"` (early stopping),
            `"callback"` (a callback asked to stop), or `"diverged"` (in the
            history attached to a [`DivergenceError`][gdbook.DivergenceError]).
        step_loss: With `record_steps=True`, the loss of each batch just before
            its step, shape `(n_epochs * steps_per_epoch,)`; otherwise `None`.
        val_loss: With `fit(..., validation_data=(X_val, y_val))`, the mean
            squared error on the validation rows after each epoch, shape
            `(n_epochs,)`; otherwise `None`.
        best_epoch: With `Trainer(restore_best=True)`, the epoch (0-based) whose
            parameters were restored: the lowest `val_loss`, or `loss` without
            validation data. Otherwise `None`.

    Two histories compare equal (`==`) when they record the same training: every
    field holds the same values (NaN equal to NaN) except `time`, the wall-clock
    measurement, which differs on every run. So a rerun with the same seed can be
    checked with `==`.

    Examples:
        >>> from gdbook import BatchGD, LinearRegression, Trainer, make_linear_data
        >>> X, y = make_linear_data(seed=0)
        >>> history = Trainer(BatchGD(learning_rate=0.5), epochs=3).fit(
        ...     LinearRegression(seed=0), X, y)
        >>> history.n_epochs, history.loss.shape, history.stop_reason
        (3, (3,), 'epochs')
        >>> history.val_loss is None, history.best_epoch is None
        (True, True)
        >>> history == Trainer(BatchGD(learning_rate=0.5), epochs=3).fit(
        ...     LinearRegression(seed=0), X, y)
        True
    """

    loss: np.ndarray
    time: np.ndarray
    learning_rate: np.ndarray
    grad_norm: np.ndarray
    params: np.ndarray
    initial_loss: float
    steps_per_epoch: int
    stop_reason: str
    step_loss: np.ndarray | None = None
    val_loss: np.ndarray | None = None
    best_epoch: int | None = None

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, History):
            return NotImplemented
        return all(
            _same(getattr(self, f.name), getattr(other, f.name))
            for f in fields(self)
            if f.name != "time"
        )

    __hash__ = None  # type: ignore[assignment]  # holds arrays: compared by value, not hashed

    @property
    def n_epochs(self) -> int:
        """Number of epochs that ran."""
        return len(self.loss)

    @property
    def final_loss(self) -> float:
        """Full-data loss after the last epoch (the initial loss if none ran)."""
        return float(self.loss[-1]) if len(self.loss) else self.initial_loss

    def plot(
        self, ax: Any = None, *, label: str | None = None, log: bool = True, **kwargs: Any
    ) -> Any:
        """Draw the loss per epoch with matplotlib (imported only here).

        With validation data, the validation loss is drawn too, dashed, in the
        same colour.

        Args:
            ax: A matplotlib `Axes` to draw on; the current axes when `None`.
            label: Legend label of the line.
            log: Use a logarithmic loss axis.
            **kwargs: Passed to `Axes.plot`.

        Returns:
            The `Axes` drawn on.

        Raises:
            ImportError: If matplotlib is not installed.
        """
        try:
            import matplotlib.pyplot as plt
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError(
                "History.plot needs matplotlib: pip install matplotlib"
            ) from exc
        ax = plt.gca() if ax is None else ax
        epochs = np.arange(1, self.n_epochs + 1)
        (line,) = ax.plot(epochs, self.loss, label=label, **kwargs)
        if self.val_loss is not None:
            val_label = None if label is None else f"{label} (validation)"
            ax.plot(epochs, self.val_loss, ls="--", color=line.get_color(), label=val_label)
        ax.set_xlabel("epoch")
        ax.set_ylabel("MSE loss")
        if log:
            ax.set_yscale("log")
        return ax

    def __repr__(self) -> str:
        return (
            f"History(n_epochs={self.n_epochs}, final_loss={self.final_loss:.6g}, "
            f"stop_reason={self.stop_reason!r})"
        )


def _same(a: object, b: object) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        if not (isinstance(a, np.ndarray) and isinstance(b, np.ndarray)):
            return False
        if a.dtype != b.dtype:
            return False
        return bool(np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
    if isinstance(a, float) and isinstance(b, float) and a != a and b != b:
        return True  # a NaN initial loss equals itself here
    return bool(a == b)
