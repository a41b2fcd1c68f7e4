"""How good a regression is: the coefficient of determination, as scikit-learn defines it."""

from __future__ import annotations

import numpy as np


def r2_score(y: np.ndarray, predicted: np.ndarray) -> float:
    """Return $R^2 = 1 - SS_{res} / SS_{tot}$ (1.0 or 0.0 for a constant `y`, as sklearn)."""
    y = y.astype(np.float64, copy=False)
    residual = float(np.sum((y - predicted) ** 2))
    total = float(np.sum((y - y.mean()) ** 2))
    if total == 0:
        return 1.0 if residual == 0 else 0.0
    return 1.0 - residual / total
