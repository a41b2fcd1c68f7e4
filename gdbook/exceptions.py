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
    r"""Training diverged: the loss became non-finite, exploded, or ended above its start.

    [`Trainer.fit`][gdbook.Trainer.fit] raises it from its divergence guard
    ([`DivergenceGuard`][gdbook.DivergenceGuard]), whose rule is documented there.
    The message names the epoch, the learning rate in force and, when the model can
    compute one, the largest stable learning rate **for the variant in use**: batch
    GD's $2/\lambda_{\max}$ ([`max_stable_learning_rate`][gdbook.max_stable_learning_rate])
    when every step uses every row, the worst batch's bound
    ([`worst_batch_learning_rate`][gdbook.worst_batch_learning_rate]) when steps use
    one row or a mini-batch. It ends with advice, which names the target's scale when
    a model without a known bound (an [`MLP`][gdbook.MLP]) is trained on a large `y`.

    Args:
        epoch: Index (0-based) of the epoch after which divergence was seen.
        learning_rate: Learning rate used in that epoch.
        loss: The loss that triggered the error.
        max_stable_learning_rate: The stability bound for the variant in use, if known.
        batch_size: Rows per step, `None` for batch GD.
        batch_gd_learning_rate: Batch GD's bound, quoted beside a one-row or
            mini-batch bound to say that it does not apply.
        initial_loss: Full-data loss before the first step, if known.
        at_end: Whether the run was judged diverged when it ended (rule 2 of
            [`DivergenceGuard`][gdbook.DivergenceGuard]) rather than midway.
        advice: What to change, ending the message.

    Attributes:
        epoch: Index (0-based) of the epoch after which divergence was seen.
        learning_rate: Learning rate used in that epoch.
        loss: The loss that triggered the error (may be `inf` or `nan`).
        max_stable_learning_rate: The stability bound for the variant in use, or
            `None` when the model cannot compute it.
        batch_size: Rows per step of the run, `None` for batch GD (all rows).
        initial_loss: Full-data loss before the first step, when known.
        history: The [`History`][gdbook.History] of the run up to and including
            the diverging epoch, when raised by `Trainer.fit`; else `None`.

    Examples:
        >>> from gdbook import DivergenceError
        >>> err = DivergenceError(epoch=3, learning_rate=2.0, loss=float("inf"),
        ...                       max_stable_learning_rate=0.79)
        >>> err.epoch, err.max_stable_learning_rate
        (3, 0.79)
        >>> print(err)  # doctest: +NORMALIZE_WHITESPACE
        training diverged at epoch 3 (loss=inf) with learning_rate=2; batch gradient
        descent on this data is stable only for learning_rate < 0.79 (2 / largest
        eigenvalue of the loss Hessian): lower learning_rate, or standardise the features
    """

    epoch: int
    learning_rate: float
    loss: float
    max_stable_learning_rate: float | None
    batch_size: int | None
    initial_loss: float | None
    history: History | None

    def __init__(
        self,
        *,
        epoch: int,
        learning_rate: float,
        loss: float,
        max_stable_learning_rate: float | None = None,
        batch_size: int | None = None,
        batch_gd_learning_rate: float | None = None,
        initial_loss: float | None = None,
        at_end: bool = False,
        advice: str = "lower learning_rate, or standardise the features",
    ) -> None:
        self.epoch = epoch
        self.learning_rate = learning_rate
        self.loss = loss
        self.max_stable_learning_rate = max_stable_learning_rate
        self.batch_size = batch_size
        self.initial_loss = initial_loss
        self.history = None
        growth = (
            f", {loss / initial_loss:.3g} x the initial loss"
            if initial_loss and initial_loss > 0 and loss == loss and abs(loss) != float("inf")
            else ""
        )
        what = "training ended" if at_end else "training diverged"
        msg = (
            f"{what} at epoch {epoch} (loss={loss:.6g}{growth}) with "
            f"learning_rate={learning_rate:.6g}"
        )
        if at_end:
            msg += ", above where it started and far above the variance of y: it diverged"
        bound = max_stable_learning_rate
        if bound is None:
            msg += f"; {advice}"
        elif batch_size is None:
            msg += (
                f"; batch gradient descent on this data is stable only for "
                f"learning_rate < {bound:.6g} (2 / largest eigenvalue of the loss Hessian): "
                f"{advice}"
            )
        else:
            rows = "one row" if batch_size == 1 else f"batches of {batch_size} rows"
            batch_gd = (
                ""
                if batch_gd_learning_rate is None
                else f"; batch gradient descent's bound {batch_gd_learning_rate:.6g} "
                f"(2 / largest eigenvalue of the loss Hessian) does not apply to them"
            )
            msg += (
                f"; steps on {rows} of this data are stable for every batch only when "
                f"learning_rate < {bound:.6g} (see gdbook.worst_batch_learning_rate){batch_gd}: "
                f"{advice}"
            )
        super().__init__(msg)
