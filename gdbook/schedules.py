"""Learning-rate schedules: how the step size changes from epoch to epoch.

A schedule is any callable `schedule(learning_rate, epoch) -> float` that maps
the optimizer's initial learning rate and the 0-based epoch index to the
learning rate used throughout that epoch.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable

from gdbook._validation import check_positive_int

__all__ = ["ConstantLR", "InverseScalingLR", "StepDecayLR", "make_schedule"]

Schedule = Callable[[float, int], float]


def _check_number(value: object, name: str, valid: str, ok: Callable[[float], bool],
                  if_zero: str = "") -> float:
    """Return `value` as a float if it is a real number for which `ok` holds (`valid` says so).

    `if_zero` is added to the message when the refused value is 0 (what to use instead).
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number {valid}, got {value!r}")
    if not (math.isfinite(value) and ok(value)):
        hint = f"; {if_zero}" if if_zero and value == 0 else ""
        raise ValueError(f"{name} must be a finite number {valid}, got {value!r}{hint}")
    return float(value)


class ConstantLR:
    """Keep the learning rate fixed: `lr_t = lr_0`.

    Examples:
        >>> from gdbook import ConstantLR
        >>> ConstantLR()(0.1, epoch=50)
        0.1
    """

    def __call__(self, learning_rate: float, epoch: int) -> float:
        """Return the learning rate for `epoch` (0-based)."""
        return learning_rate

    def __repr__(self) -> str:
        return "ConstantLR()"


class InverseScalingLR:
    r"""Shrink the learning rate as $\eta_t = \eta_0 / (1 + \text{decay}\cdot t)^{\text{power}}$.

    The defaults give the classic $1/t$ decay, $\eta_t = \eta_0 / (1 + t)$ in
    epoch $t$ (0-based): the steps sum to infinity while their squares do not,
    under which stochastic gradient descent converges to the minimum instead of
    hovering around it (Goodfellow et al., *Deep Learning*, 2016, §8.3.1). The
    book uses this schedule on every page.

    Args:
        decay: How fast the rate shrinks per epoch, a finite number >= 0.
        power: Exponent, a finite number > 0 (0.5 to 1 are usual).

    Examples:
        >>> from gdbook import InverseScalingLR
        >>> schedule = InverseScalingLR(decay=1.0, power=1.0)
        >>> [schedule(0.1, t) for t in range(3)]
        [0.1, 0.05, 0.03333333333333333]
    """

    def __init__(self, *, decay: float = 1.0, power: float = 1.0) -> None:
        self.decay = _check_number(decay, "decay", ">= 0", lambda v: v >= 0)
        self.power = _check_number(power, "power", "> 0", lambda v: v > 0,
                                   if_zero="use ConstantLR for a fixed rate")

    def __call__(self, learning_rate: float, epoch: int) -> float:
        """Return the learning rate for `epoch` (0-based)."""
        return learning_rate / (1.0 + self.decay * epoch) ** self.power

    def __repr__(self) -> str:
        return f"InverseScalingLR(decay={self.decay!r}, power={self.power!r})"


class StepDecayLR:
    r"""Multiply the learning rate by `gamma` every `step_size` epochs.

    $\eta_t = \eta_0 \cdot \gamma^{\lfloor t / \text{step\_size} \rfloor}$.

    Args:
        step_size: Epochs between two drops, an integer >= 1.
        gamma: Factor applied at each drop, in `(0, 1]`.

    Examples:
        >>> from gdbook import StepDecayLR
        >>> schedule = StepDecayLR(step_size=10, gamma=0.5)
        >>> schedule(0.1, 9), schedule(0.1, 10), schedule(0.1, 25)
        (0.1, 0.05, 0.025)
    """

    def __init__(self, *, step_size: int = 10, gamma: float = 0.5) -> None:
        self.step_size = check_positive_int(step_size, "step_size")
        self.gamma = _check_number(gamma, "gamma", "in (0, 1]", lambda v: 0 < v <= 1)

    def __call__(self, learning_rate: float, epoch: int) -> float:
        """Return the learning rate for `epoch` (0-based)."""
        return learning_rate * self.gamma ** (epoch // self.step_size)

    def __repr__(self) -> str:
        return f"StepDecayLR(step_size={self.step_size!r}, gamma={self.gamma!r})"


SCHEDULES: dict[str, Callable[[], Schedule]] = {
    "constant": ConstantLR,
    "invscaling": InverseScalingLR,
    "step": StepDecayLR,
}


def make_schedule(schedule: str | Schedule) -> Schedule:
    """Return a schedule from its name (`"constant"`, `"invscaling"`, `"step"`) or as given."""
    if isinstance(schedule, str):
        try:
            return SCHEDULES[schedule]()
        except KeyError:
            names = ", ".join(repr(name) for name in SCHEDULES)
            raise ValueError(
                f"schedule must be one of {names} or a callable (learning_rate, epoch) -> "
                f"float such as StepDecayLR(step_size=20), got {schedule!r}"
            ) from None
    if not callable(schedule):
        raise TypeError(
            f"schedule must be a name or a callable (learning_rate, epoch) -> float, "
            f"got {schedule!r}"
        )
    return schedule
