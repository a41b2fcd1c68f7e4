"""Errors and warnings that gdbook raises."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gdbook.history import History

__all__ = ["ConvergenceWarning", "DivergenceError", "PerformanceWarning"]


class ConvergenceWarning(UserWarning):
    """Training ran out of epochs before early stopping saw the loss settle.

    Issued by [`Trainer.fit`][gdbook.Trainer.fit] only when early stopping is on
    (`tol` is set). Filter it like any warning category:

    Examples:
        >>> import warnings
        >>> from gdbook import ConvergenceWarning
        >>> warnings.simplefilter("ignore", ConvergenceWarning)
    """


class PerformanceWarning(UserWarning):
    """A fit will be much slower than it needs to be, and the message says how to speed it up.

    Issued once per process by [`Trainer.fit`][gdbook.Trainer.fit] when a large
    stochastic or mini-batch fit of a
    [`LinearRegression`][gdbook.LinearRegression] is left to the readable
    Python loop because numba is not installed: `pip install "gdbook[fast]"`
    runs the same steps compiled, with the same numbers. Setting the
    environment variable `GDBOOK_FAST=off` chooses the readable loop on
    purpose and silences it; so does filtering the category:

    Examples:
        >>> import warnings
        >>> from gdbook import PerformanceWarning
        >>> warnings.simplefilter("ignore", PerformanceWarning)
    """


class DivergenceError(ArithmeticError):
    """Training diverged: the loss became non-finite or exploded.

    The message names the epoch, the learning rate in force and, when the model
    can compute it, the largest stable learning rate of batch gradient descent
    on the training data (see
    [`max_stable_learning_rate`][gdbook.max_stable_learning_rate]).

    Attributes:
        epoch: Index (0-based) of the epoch after which divergence was seen.
        learning_rate: Learning rate used in that epoch.
        max_stable_learning_rate: `2 / lambda_max` of the loss Hessian, or
            `None` when the model cannot compute it.
        loss: The loss that triggered the error (may be `inf` or `nan`).
        history: The [`History`][gdbook.History] of the run up to and including
            the diverging epoch, when raised by `Trainer.fit`; else `None`.

    Examples:
        >>> from gdbook import DivergenceError
        >>> err = DivergenceError(epoch=3, learning_rate=2.0, loss=float("inf"),
        ...                       max_stable_learning_rate=0.79)
        >>> err.epoch, err.max_stable_learning_rate
        (3, 0.79)
    """

    epoch: int
    learning_rate: float
    loss: float
    max_stable_learning_rate: float | None
    history: History | None

    def __init__(
        self,
        *,
        epoch: int,
        learning_rate: float,
        loss: float,
        max_stable_learning_rate: float | None = None,
    ) -> None:
        self.epoch = epoch
        self.learning_rate = learning_rate
        self.loss = loss
        self.max_stable_learning_rate = max_stable_learning_rate
        self.history = None
        msg = (
            f"training diverged at epoch {epoch} (loss={loss:.6g}) with "
            f"learning_rate={learning_rate:.6g}"
        )
        if max_stable_learning_rate is not None:
            msg += (
                f"; batch gradient descent on this data is stable only for "
                f"learning_rate < {max_stable_learning_rate:.6g} (2 / largest eigenvalue of "
                f"the loss Hessian): lower learning_rate, or standardise the features"
            )
        else:
            msg += "; lower learning_rate or standardise the features"
        super().__init__(msg)
