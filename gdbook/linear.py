"""The article's model: a straight line (or hyperplane) fitted by mean squared error."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from gdbook._metrics import r2_score
from gdbook._validation import (
    check_data,
    check_features,
    check_params,
    check_positive_int,
    check_rng,
)
from gdbook.stability import max_stable_learning_rate, worst_batch_learning_rate

__all__ = ["LinearRegression"]


class LinearRegression:
    r"""Linear model $\hat y = Xw + b$ trained on the mean squared error.

    All parameters live in one flat vector, `params = [w_1, ..., w_d, b]`,
    which the optimizers update in place; `weights` and `bias` read it.

    Args:
        n_features: Number of input features $d$, an integer >= 1.
        seed: Seed (int) or `numpy.random.Generator` for the initial
            parameters, which are drawn from $N(0, 1)$ (weights first, then the
            bias, as the article does with `np.random.randn`).

    Attributes:
        params: Flat parameter vector of shape `(n_features + 1,)`. Assigning
            to it checks the shape and finiteness and stores a copy.

    Examples:
        >>> from gdbook import LinearRegression
        >>> model = LinearRegression(n_features=2, seed=0)
        >>> model.params.shape, model.weights.shape, type(model.bias)
        ((3,), (2,), <class 'float'>)
        >>> model.weights = [2.0, -1.0]; model.bias = 0.5
        >>> model.predict([[1.0, 1.0], [0.0, 2.0]])
        array([ 1.5, -1.5])
        >>> model.score([[1.0, 1.0], [0.0, 2.0]], [1.5, -1.0])  # R²
        0.92
    """

    def __init__(self, n_features: int = 1, *, seed: int | np.random.Generator | None = None):
        self.n_features = check_positive_int(n_features, "n_features")
        self.params = check_rng(seed).standard_normal(self.n_features + 1)

    @property
    def params(self) -> np.ndarray:
        """All parameters, `[w_1, ..., w_d, b]`, shape `(n_features + 1,)` (updated in place)."""
        return self._params

    @params.setter
    def params(self, value: ArrayLike) -> None:
        self._params = check_params(value, self.n_features + 1)

    @property
    def weights(self) -> np.ndarray:
        """Weights $w$, shape `(n_features,)` (a copy)."""
        return self.params[:-1].copy()

    @weights.setter
    def weights(self, value: ArrayLike) -> None:
        value = check_features(np.reshape(value, (1, -1)), self.n_features, "weights")
        self.params[:-1] = value[0]

    @property
    def bias(self) -> float:
        """Bias (intercept) $b$."""
        return float(self.params[-1])

    @bias.setter
    def bias(self, value: float) -> None:
        self.params[-1] = check_features(np.reshape(value, (1, 1)), 1, "bias")[0, 0]

    def predict(self, X: ArrayLike) -> np.ndarray:
        """Return predictions $Xw + b$.

        Args:
            X: Features, shape `(n_samples,)` when `n_features == 1`, or
                `(n_samples, n_features)`; any number of rows, zero included.

        Returns:
            Predictions of shape `(n_samples,)`.

        Raises:
            ValueError: If `X` does not have `n_features` columns or is not finite.
        """
        X = check_features(X, self.n_features)
        return X @ self.params[:-1] + self.params[-1]

    def loss(self, X: ArrayLike, y: ArrayLike) -> float:
        """Return the mean squared error on `(X, y)`.

        Args:
            X: Features, shape `(n_samples,)` or `(n_samples, n_features)`.
            y: Targets, shape `(n_samples,)`.
        """
        X, y = check_data(X, y)
        return float(self.loss_and_grad(check_features(X, self.n_features), y)[0])

    def score(self, X: ArrayLike, y: ArrayLike) -> float:
        r"""Return the coefficient of determination $R^2$ of the predictions on `(X, y)`.

        $R^2 = 1 - \sum_i (y_i - \hat y_i)^2 / \sum_i (y_i - \bar y)^2$: 1 for a
        perfect fit, 0 for predicting the mean of `y`, negative when worse, as
        scikit-learn's `score` of a regressor (a constant `y` gives 1 for a perfect
        fit and 0 otherwise).

        Args:
            X: Features, shape `(n_samples,)` or `(n_samples, n_features)`.
            y: Targets, shape `(n_samples,)`.
        """
        X, y = check_data(X, y)
        return r2_score(y, self.predict(X))

    # --8<-- [start:loss-grad]
    def loss_and_grad(self, X: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
        r"""Return the MSE on a batch and its gradient, averaged over the batch's rows.

        $L = \frac{1}{m}\sum_i r_i^2$ with residuals $r = Xw + b - y$, so
        $\partial L/\partial w = \frac{2}{m} X^\top r$ and
        $\partial L/\partial b = \frac{2}{m} \sum_i r_i$.
        `X` must already be 2-D `(m, n_features)` and `y` 1-D `(m,)`, in the
        dtype of `params`: this is the inner loop, so it does not check.
        """
        m = len(y)
        residual = X @ self.params[:-1] + self.params[-1] - y
        grad = np.empty_like(self.params)
        grad[:-1] = (2 / m) * (residual @ X)
        grad[-1] = (2 / m) * residual.sum()
        return residual @ residual / m, grad
    # --8<-- [end:loss-grad]

    def max_stable_learning_rate(
        self,
        X: ArrayLike,
        batch_size: int | None = None,
        *,
        replacement: bool = False,
        drop_last: bool = False,
    ) -> float:
        """Return the largest stable learning rate for this model on `X`.

        Batch GD's bound ([`max_stable_learning_rate`][gdbook.max_stable_learning_rate])
        when `batch_size` is `None`; otherwise the bound for steps on batches of
        `batch_size` rows ([`worst_batch_learning_rate`][gdbook.worst_batch_learning_rate]).

        Args:
            X: Features, shape `(n_samples,)` or `(n_samples, n_features)`.
            batch_size: Rows per step, or `None` for all rows.
            replacement: Whether the rows are drawn with replacement.
            drop_last: Whether the last, shorter batch of an epoch is skipped.
        """
        if batch_size is None:
            return max_stable_learning_rate(X)
        return worst_batch_learning_rate(
            X, batch_size, replacement=replacement, drop_last=drop_last
        )

    def _fast_epochs(self, optimizer, X, y, batch_size: int, drop_last: bool):
        """Offer `Trainer` faster epochs with the same numbers (`gdbook._fast`), or `None`.

        A subclass that changes `loss_and_grad` gets `None`: only the readable
        loop knows its arithmetic.
        """
        if type(self).loss_and_grad is not LinearRegression.loss_and_grad:
            return None
        from gdbook._fast import linear_epochs

        return linear_epochs(self, optimizer, X, y, batch_size, drop_last)

    def __repr__(self) -> str:
        return f"LinearRegression(n_features={self.n_features})"
