"""What a training run leaves behind: its numbers per epoch, as numpy arrays."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["History"]


@dataclass(frozen=True, repr=False)
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
        params: Parameters after the last epoch (a copy), shape `(n_params,)`.
        initial_loss: Full-data loss before the first step.
        steps_per_epoch: Gradient steps in each epoch.
        stop_reason: `"epochs"` (ran them all), `"converged"` (early stopping),
            or `"callback"` (a callback asked to stop).
        step_loss: With `record_steps=True`, the loss of each batch just before
            its step, shape `(n_epochs * steps_per_epoch,)`; otherwise `None`.

    Examples:
        >>> from gdbook import BatchGD, LinearRegression, Trainer, make_linear_data
        >>> X, y = make_linear_data(seed=0)
        >>> history = Trainer(BatchGD(learning_rate=0.5), epochs=3).fit(
        ...     LinearRegression(seed=0), X, y)
        >>> history.n_epochs, history.loss.shape, history.stop_reason
        (3, (3,), 'epochs')
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
        ax.plot(np.arange(1, self.n_epochs + 1), self.loss, label=label, **kwargs)
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
