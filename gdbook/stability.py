"""How large a learning rate batch gradient descent can take on least squares."""

from __future__ import annotations

import numpy as np

from gdbook._validation import _as_numeric, _check_finite

__all__ = ["max_stable_learning_rate", "mse_hessian"]


def mse_hessian(X: np.ndarray) -> np.ndarray:
    r"""Return the Hessian of the mean squared error of a linear model with intercept.

    For $L(w, b) = \frac{1}{n}\lVert Xw + b - y\rVert^2$ the Hessian with respect
    to $\theta = (w, b)$ is $H = \frac{2}{n} \tilde X^\top \tilde X$ with
    $\tilde X = [X, \mathbf{1}]$. It does not depend on `y` or on the parameters.

    Args:
        X: Features, shape `(n_samples,)` for one feature or `(n_samples, n_features)`.

    Returns:
        Symmetric positive semi-definite matrix of shape `(n_features + 1, n_features + 1)`,
        ordered like `LinearRegression.params` (weights, then bias).

    Raises:
        TypeError: If `X` is not numeric.
        ValueError: If `X` is empty, not 1-D or 2-D, or not finite.

    Examples:
        >>> import numpy as np
        >>> from gdbook import mse_hessian
        >>> mse_hessian(np.array([0.0, 1.0]))
        array([[1., 1.],
               [1., 2.]])
    """
    X = _as_numeric(X, "X")
    if X.ndim not in (1, 2) or X.shape[0] == 0:
        raise ValueError(
            f"X must be a non-empty 1-D or 2-D array of features, got shape {X.shape}"
        )
    X = X.astype(np.float64).reshape(X.shape[0], -1)
    _check_finite(X, "X")
    n, d = X.shape
    H = np.empty((d + 1, d + 1))
    H[:d, :d] = X.T @ X
    H[:d, d] = H[d, :d] = X.sum(axis=0)
    H[d, d] = n
    return (2.0 / n) * H


def max_stable_learning_rate(X: np.ndarray) -> float:
    r"""Return $2 / \lambda_{\max}$, the largest stable learning rate of batch GD on least squares.

    Batch gradient descent on the mean squared error of a linear model
    multiplies the error along each eigenvector of the Hessian
    ([`mse_hessian`][gdbook.mse_hessian]) by $1 - \eta\lambda$ per step, so it
    converges for every start exactly when $0 < \eta < 2/\lambda_{\max}$ and
    diverges above. Stochastic and mini-batch steps see the Hessians of their
    batches, whose largest eigenvalues are usually larger, so their bound is
    lower. The book derives the bound in [学习率的上界][学习率的上界] and
    crosses it experimentally in [its experiments chapter][lr-bound].

    Args:
        X: Features, shape `(n_samples,)` or `(n_samples, n_features)`.

    Returns:
        The bound as a float (`inf` only if `X` is all zeros and has no rows, which
        cannot happen: the intercept column always contributes).

    Examples:
        >>> import numpy as np
        >>> from gdbook import max_stable_learning_rate, make_linear_data
        >>> X, y = make_linear_data(seed=0)
        >>> lr_max = max_stable_learning_rate(X)
        >>> bool(0.1 < lr_max < 1.0)
        True
    """
    eigenvalues = np.linalg.eigvalsh(mse_hessian(X))
    return float(2.0 / eigenvalues[-1])
