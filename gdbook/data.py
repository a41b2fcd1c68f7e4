"""Synthetic data for the article's experiment: a noisy straight line."""

from __future__ import annotations

import numbers

import numpy as np
from numpy.typing import ArrayLike

from gdbook._validation import check_positive_int, check_rng

__all__ = ["make_linear_data"]


def make_linear_data(
    n_samples: int = 100,
    *,
    n_features: int | None = None,
    slope: ArrayLike = 2.0,
    intercept: float = 1.0,
    noise: float = 0.1,
    seed: int | np.random.Generator | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    r"""Draw `y = X @ slope + intercept + noise * N(0, 1)` with `X` uniform on `[0, 1)`.

    With the defaults this is the data of the article:
    $y = 2x + 1 + \varepsilon$, $\varepsilon \sim N(0, 0.1^2)$, 100 samples.
    The true coefficients are `slope` (broadcast to `n_features` values) and
    `intercept`, so you always know the answer a fit should approach. The
    mean squared error of that true line is about `noise**2`: the noise floor.

    Args:
        n_samples: Number of rows, an integer >= 1.
        n_features: `None` (default) returns a 1-D `X` of shape `(n_samples,)`,
            the shape the article uses. An integer >= 1 returns a 2-D `X` of
            shape `(n_samples, n_features)`.
        slope: True coefficient(s): a number used for every feature, or an
            array of shape `(n_features,)`.
        intercept: True intercept, a finite number.
        noise: Standard deviation of the Gaussian noise, a finite number >= 0.
        seed: Seed for a new `numpy.random.Generator`, or a Generator to draw
            from. The global `np.random` state is never used.

    Returns:
        `(X, y)` as float64 arrays; `X` has shape `(n_samples,)` or
        `(n_samples, n_features)`, `y` has shape `(n_samples,)`.

    Raises:
        TypeError: If an argument has the wrong type.
        ValueError: If `n_samples` or `n_features` is < 1, `noise` is negative,
            or `slope` does not have `n_features` values.

    Examples:
        >>> from gdbook import make_linear_data
        >>> X, y = make_linear_data(n_samples=100, slope=2.0, intercept=1.0, noise=0.1, seed=0)
        >>> X.shape, y.shape
        ((100,), (100,))
        >>> X3, y3 = make_linear_data(50, n_features=3, slope=[1.0, -2.0, 0.5], seed=0)
        >>> X3.shape
        (50, 3)
    """
    n_samples = check_positive_int(n_samples, "n_samples")
    d = 1 if n_features is None else check_positive_int(n_features, "n_features")
    coef = _check_slope(slope, d)
    for name, value in (("intercept", intercept), ("noise", noise)):
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(f"{name} must be a real number, got {value!r}")
        if not np.isfinite(value):
            raise ValueError(f"{name} must be finite, got {value!r}")
    if noise < 0:
        raise ValueError(f"noise must be >= 0 (a standard deviation), got {noise!r}")
    rng = check_rng(seed)
    X = rng.random((n_samples, d))
    y = X @ coef + float(intercept) + rng.standard_normal(n_samples) * float(noise)
    return (X[:, 0] if n_features is None else X), y


def _check_slope(slope: object, n_features: int) -> np.ndarray:
    try:
        coef = np.asarray(slope, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"slope must be a number or an array of numbers, got {slope!r}") from exc
    if coef.ndim == 0:
        coef = np.full(n_features, float(coef))
    if coef.shape != (n_features,):
        raise ValueError(
            f"slope must be a number or have shape ({n_features},) to match "
            f"n_features={n_features}, got shape {coef.shape}"
        )
    if not np.isfinite(coef).all():
        raise ValueError(f"slope must be finite, got {slope!r}")
    return coef
