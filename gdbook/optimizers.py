"""Gradient descent, and its three variants as settings of one batch size."""

from __future__ import annotations

import numpy as np

from gdbook._validation import check_learning_rate, check_positive_int
from gdbook.schedules import Schedule, make_schedule

__all__ = ["BatchGD", "GradientDescent", "MiniBatchGD", "StochasticGD"]


class GradientDescent:
    r"""Gradient descent on batches of `batch_size` rows: the algorithm behind all three variants.

    Each step takes the rows of one batch, computes the gradient of the mean
    squared error averaged over those rows, and moves the parameters against
    it: $\theta \leftarrow \theta - \eta\, \nabla L_B(\theta)$. Batch, stochastic
    and mini-batch gradient descent differ only in `batch_size`; use
    [`BatchGD`][gdbook.BatchGD], [`StochasticGD`][gdbook.StochasticGD] or
    [`MiniBatchGD`][gdbook.MiniBatchGD] to say which. The book explains the
    three side by side in [梯度下降法][梯度下降法] and shows this code in
    [gdbook 里的实现][gdbook-里的实现].

    Args:
        learning_rate: Initial step size $\eta_0$, a finite number > 0.
        batch_size: Rows per step: an integer >= 1, or `None` for all rows.
            It may not exceed the number of training rows.
        schedule: How the learning rate changes per epoch: `"constant"`,
            `"invscaling"` ([`InverseScalingLR`][gdbook.InverseScalingLR]
            defaults), `"step"` ([`StepDecayLR`][gdbook.StepDecayLR] defaults),
            or any callable `(learning_rate, epoch) -> float`.

    Examples:
        >>> from gdbook import GradientDescent
        >>> GradientDescent(learning_rate=0.05, batch_size=4)
        GradientDescent(learning_rate=0.05, batch_size=4, schedule=ConstantLR())
    """

    def __init__(
        self,
        *,
        learning_rate: float = 0.1,
        batch_size: int | None = None,
        schedule: str | Schedule = "constant",
    ) -> None:
        self.learning_rate = check_learning_rate(learning_rate)
        if batch_size is not None:
            batch_size = check_positive_int(batch_size, "batch_size")
        self.batch_size = batch_size
        self.schedule = make_schedule(schedule)

    def batch_size_for(self, n_samples: int) -> int:
        """Return the number of rows per step on data with `n_samples` rows.

        Raises:
            ValueError: If `batch_size` is larger than `n_samples`.
        """
        if self.batch_size is None:
            return n_samples
        if self.batch_size > n_samples:
            raise ValueError(
                f"batch_size={self.batch_size} is larger than the number of rows "
                f"({n_samples}); use a batch_size between 1 and {n_samples}, or BatchGD "
                f"to use every row"
            )
        return self.batch_size

    def learning_rate_at(self, epoch: int) -> float:
        """Return the learning rate of `epoch` (0-based) under the schedule.

        Raises:
            ValueError: If a custom schedule returns something other than a
                finite number > 0.
        """
        rate = self.schedule(self.learning_rate, epoch)
        return check_learning_rate(rate, f"learning rate from schedule at epoch {epoch}")

    # --8<-- [start:update]
    @staticmethod
    def update(params: np.ndarray, grad: np.ndarray, learning_rate: float) -> None:
        """Take one step downhill, in place: `params -= learning_rate * grad`."""
        params -= learning_rate * grad
    # --8<-- [end:update]

    def __repr__(self) -> str:
        args = [f"learning_rate={self.learning_rate!r}"]
        if type(self) in (GradientDescent, MiniBatchGD):
            args.append(f"batch_size={self.batch_size!r}")
        args.append(f"schedule={self.schedule!r}")
        return f"{type(self).__name__}({', '.join(args)})"


# --8<-- [start:variants]
class BatchGD(GradientDescent):
    """Batch gradient descent: every step uses all training rows.

    Args:
        learning_rate: Initial step size, a finite number > 0.
        schedule: Learning-rate schedule, as in [`GradientDescent`][gdbook.GradientDescent].

    Examples:
        >>> from gdbook import BatchGD
        >>> BatchGD(learning_rate=0.1).batch_size is None
        True
    """

    def __init__(self, *, learning_rate: float = 0.1, schedule: str | Schedule = "constant"):
        super().__init__(learning_rate=learning_rate, batch_size=None, schedule=schedule)


class StochasticGD(GradientDescent):
    """Stochastic gradient descent: every step uses one training row.

    Args:
        learning_rate: Initial step size, a finite number > 0.
        schedule: Learning-rate schedule, as in [`GradientDescent`][gdbook.GradientDescent].

    Examples:
        >>> from gdbook import StochasticGD
        >>> StochasticGD(learning_rate=0.1, schedule="invscaling").batch_size
        1
    """

    def __init__(self, *, learning_rate: float = 0.1, schedule: str | Schedule = "constant"):
        super().__init__(learning_rate=learning_rate, batch_size=1, schedule=schedule)


class MiniBatchGD(GradientDescent):
    """Mini-batch gradient descent: every step uses `batch_size` training rows.

    Args:
        batch_size: Rows per step, an integer from 1 to the number of training rows.
        learning_rate: Initial step size, a finite number > 0.
        schedule: Learning-rate schedule, as in [`GradientDescent`][gdbook.GradientDescent].

    Examples:
        >>> from gdbook import MiniBatchGD
        >>> MiniBatchGD(batch_size=10, learning_rate=0.1).batch_size
        10
    """

    def __init__(
        self,
        *,
        batch_size: int = 10,
        learning_rate: float = 0.1,
        schedule: str | Schedule = "constant",
    ):
        super().__init__(learning_rate=learning_rate, batch_size=batch_size, schedule=schedule)
# --8<-- [end:variants]
