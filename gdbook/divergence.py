"""The divergence guard: a run that blew up raises instead of returning as a success."""

from __future__ import annotations

import math

import numpy as np

from gdbook.callbacks import Callback, Run
from gdbook.exceptions import DivergenceError

__all__ = ["DivergenceGuard"]


class DivergenceGuard(Callback):
    r"""Raise [`DivergenceError`][gdbook.DivergenceError] instead of returning a blown-up run.

    Two yardsticks: the run's initial loss, and the variance of `y`, which is the
    loss of predicting the mean of `y` (any fit should beat it). The run has
    diverged:

    1. **during training**, after an epoch whose training loss is not finite or
       exceeds `ratio` (default $10^6$) times the larger of the two: it stops there;
    2. **when it ends** (all epochs run, early stopping, or a callback), if its
       final training loss is above its initial loss **and** above `final_ratio`
       (default 10) times the variance of `y`: it ended worse than it started and
       far worse than predicting the mean, however slowly it got there.

    A run that is still coming down from a poor start is never failed by rule 2,
    and neither is the noise of stochastic steps around a good fit. The error
    names the stability bound of the variant in use (see
    [`DivergenceError`][gdbook.DivergenceError]) and carries the history.

    Args:
        ratio: Growth that stops training at once, a number > 1.
        final_ratio: Multiple of the variance of `y` above which a run that ends
            higher than it started has diverged, a number > 0.

    Examples:
        >>> from gdbook import BatchGD, DivergenceError, LinearRegression, Trainer
        >>> from gdbook import make_linear_data, max_stable_learning_rate
        >>> X, y = make_linear_data(seed=0)
        >>> trainer = Trainer(BatchGD(learning_rate=1.01 * max_stable_learning_rate(X)),
        ...                   epochs=200)
        >>> try:
        ...     trainer.fit(LinearRegression(seed=0), X, y)
        ... except DivergenceError as error:
        ...     print(error.history.n_epochs, error.history.stop_reason)
        200 diverged
    """

    def __init__(self, ratio: float = 1e6, final_ratio: float = 10.0) -> None:
        self.ratio, self.final_ratio = ratio, final_ratio

    def on_fit_start(self, run: Run) -> None:
        """Forget the previous run."""
        self.variance: float | None = None

    def on_epoch_end(self, run: Run) -> None:
        """Apply rule 1: raise if the loss is not finite or exploded."""
        if self.variance is None:
            self.variance = variance(run.y)
        if not math.isfinite(run.loss) or run.loss > self.ratio * max(run.initial_loss,
                                                                       self.variance):
            raise self.error(run, at_end=False)

    def on_fit_end(self, run: Run) -> None:
        """Apply rule 2: raise if the run ended above its start and far above var(y)."""
        # every normal end counts, a callback's own stop_reason too; not rule 1 nor an exception
        if self.variance is None or run.stop_reason in ("diverged", "error"):
            return
        if run.loss > max(run.initial_loss, self.final_ratio * self.variance):
            raise self.error(run, at_end=True)

    def error(self, run: Run, *, at_end: bool) -> DivergenceError:
        """Return the error for `run`, with the history attached (`stop_reason="diverged"`)."""
        optimizer, trainer, X = run.trainer.optimizer, run.trainer, run.X
        rows = optimizer.batch_size
        replacement = trainer.order == "replacement" and rows is not None
        if rows is not None and rows >= X.shape[0] and not replacement:
            rows = None  # every step sees every row: batch GD
        bound = batch_gd = cause = None
        stable = getattr(run.model, "max_stable_learning_rate", None)
        if stable is not None:
            try:
                batch_gd = stable(X)
                bound = batch_gd if rows is None else stable(
                    X, batch_size=rows, replacement=replacement, drop_last=trainer.drop_last)
            except ValueError as exc:  # data so large that no bound is a float: say so below
                bound = batch_gd = None
                cause = exc
        run.stop_reason = "diverged"
        error = DivergenceError(
            epoch=run.epoch,
            learning_rate=run.logs["learning_rate"][-1],
            loss=run.loss,
            max_stable_learning_rate=bound,
            batch_size=rows,
            batch_gd_learning_rate=batch_gd,
            initial_loss=run.initial_loss,
            at_end=at_end,
            advice=scale_advice(X, run.y, known_bound=stable is not None),
        )
        error.history = run.history()
        error.__cause__ = cause  # shown as the direct cause when the error is raised
        return error

    def __repr__(self) -> str:
        return f"DivergenceGuard(ratio={self.ratio!r}, final_ratio={self.final_ratio!r})"


def variance(y: np.ndarray, block: int = 4096) -> float:
    """Return `np.var(y)` in float64, by blocks: no temporary array as large as `y`."""
    with np.errstate(over="ignore", invalid="ignore"):
        mean = float(np.add.reduce(y, dtype=np.float64)) / len(y)
        total = 0.0
        for start in range(0, len(y), block):
            centred = np.subtract(y[start : start + block], mean, dtype=np.float64)
            total += float(centred @ centred)
    return total / len(y)


def scale_advice(X: np.ndarray, y: np.ndarray, *, known_bound: bool) -> str:
    """Say what to change after a divergence, from the scales of the features and the target.

    The scale of a column is its root mean square. Features count as standardised
    when every column's scale lies in [0.1, 10]. The target's scale matters only
    for models without a known bound (a network's gradients grow with its
    residuals; least squares' stability does not depend on `y`).
    """
    columns = _root_mean_square(X.astype(np.float64, copy=False))
    target = float(_root_mean_square(y.astype(np.float64, copy=False).reshape(-1, 1))[0])
    low, high = float(columns.min()), float(columns.max())
    if not 0.1 <= low <= high <= 10:
        return (
            f"lower learning_rate, or standardise the features (the root mean square of "
            f"X's columns ranges from {low:.3g} to {high:.3g}; e.g. "
            f"sklearn.preprocessing.StandardScaler)"
        )
    if not known_bound and target > 10 * max(high, 1.0):
        return (
            f"the features are on a unit scale but the target is not (y has mean "
            f"{float(np.mean(y)):.4g} and standard deviation {float(np.std(y)):.4g}): the "
            f"gradients grow with the residuals, so standardise y too (e.g. "
            f"sklearn.compose.TransformedTargetRegressor with StandardScaler), or lower "
            f"learning_rate"
        )
    return "lower learning_rate (the features are already on a unit scale)"




def _root_mean_square(X: np.ndarray) -> np.ndarray:
    """Root mean square of each column of the 2-D `X`, with no n x d temporary.

    Columns whose squares overflow (values near 1e155 and up) are divided by their peak first.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        rms = np.sqrt(np.einsum("ij,ij->j", X, X) / len(X))
    if np.all(np.isfinite(rms)):
        return rms
    peak = np.maximum(X.max(axis=0), -X.min(axis=0))
    scaled = X / np.where(peak > 0, peak, 1.0)
    return peak * np.sqrt(np.einsum("ij,ij->j", scaled, scaled) / len(X))
