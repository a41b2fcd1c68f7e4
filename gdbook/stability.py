"""How large a learning rate batch gradient descent can take on least squares."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from gdbook._validation import _as_numeric, _check_finite, check_positive_int

__all__ = ["max_stable_learning_rate", "mse_hessian", "worst_batch_learning_rate"]


def mse_hessian(X: ArrayLike) -> np.ndarray:
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
        ValueError: If `X` is empty, not 1-D or 2-D, or not finite, or so large
            that the entries of $H$ overflow float64.

    Examples:
        >>> import numpy as np
        >>> from gdbook import mse_hessian
        >>> mse_hessian(np.array([0.0, 1.0]))
        array([[1., 1.],
               [1., 2.]])
    """
    X = _features(X)
    H = _scaled_hessian(X, 1.0)
    if not np.isfinite(H).all():
        raise ValueError(_too_large(X, "the entries of the loss Hessian overflow float64"))
    return H


def max_stable_learning_rate(X: ArrayLike) -> float:
    r"""Return $2 / \lambda_{\max}$, the largest stable learning rate of batch GD on least squares.

    Batch gradient descent on the mean squared error of a linear model
    multiplies the error along each eigenvector of the Hessian
    ([`mse_hessian`][gdbook.mse_hessian]) by $1 - \eta\lambda$ per step, so it
    converges for every start exactly when $0 < \eta < 2/\lambda_{\max}$ and
    diverges above. Stochastic and mini-batch steps see the Hessians of their
    batches, whose largest eigenvalues are usually larger, so their bound is
    lower. The book derives the bound in [学习率的上界][学习率的上界] and
    crosses it experimentally in [its experiments chapter][lr-bound].

    The eigenvalue is computed on features scaled by a power of two, so data
    whose Hessian would overflow still get their bound as long as the bound
    itself is a normal float64.

    Args:
        X: Features, shape `(n_samples,)` or `(n_samples, n_features)`.

    Returns:
        The bound as a float (`inf` only if `X` is all zeros and has no rows, which
        cannot happen: the intercept column always contributes).

    Raises:
        TypeError: If `X` is not numeric.
        ValueError: If `X` is empty, not 1-D or 2-D, or not finite, or so large
            (beyond about 1e154) that the bound is below the smallest normal
            float64: such features must be standardised before training.

    Examples:
        >>> import numpy as np
        >>> from gdbook import max_stable_learning_rate, make_linear_data
        >>> X, y = make_linear_data(seed=0)
        >>> lr_max = max_stable_learning_rate(X)
        >>> bool(0.1 < lr_max < 1.0)
        True
    """
    X = _features(X)
    # H = s**2 * H_s with s a power of two (exact) and H_s of order one, so neither
    # X.T @ X nor the eigenvalue solver sees an overflow. s is at most 2**1023, the
    # largest power of two in float64 (features from 2**1023 up would make s inf).
    largest = float(np.abs(X).max())
    scale = 2.0 ** min(max(0, int(np.frexp(largest)[1])), 1023)
    bound = 2.0 / np.linalg.eigvalsh(_scaled_hessian(X, scale))[-1] / scale / scale
    if not bound >= np.finfo(np.float64).tiny:
        raise ValueError(_too_large(X, f"the stable learning rate ({bound:.3g}) is below "
                                       f"the smallest normal float64"))
    return float(bound)


def _features(X: object) -> np.ndarray:
    X = _as_numeric(X, "X")
    if X.ndim not in (1, 2) or X.shape[0] == 0:
        raise ValueError(
            f"X must be a non-empty 1-D or 2-D array of features, got shape {X.shape}"
        )
    X = X.astype(np.float64).reshape(X.shape[0], -1)
    _check_finite(X, "X")
    return X


def _scaled_hessian(X: np.ndarray, scale: float) -> np.ndarray:
    """`mse_hessian(X) / scale**2`, computed from `X / scale`."""
    n, d = X.shape
    Xs = X / scale
    H = np.empty((d + 1, d + 1))
    with np.errstate(over="ignore", invalid="ignore"):  # overflow is checked by the callers
        H[:d, :d] = Xs.T @ Xs
        H[:d, d] = H[d, :d] = Xs.sum(axis=0) / scale
    H[d, d] = n / scale / scale
    return (2.0 / n) * H


def _too_large(X: np.ndarray, what: str) -> str:
    return (
        f"X has values as large as {np.abs(X).max():.3g}: {what}; standardise the features "
        f"(subtract each column's mean and divide by its standard deviation) before training"
    )


def worst_batch_learning_rate(
    X: ArrayLike, batch_size: int, *, replacement: bool = False, drop_last: bool = False
) -> float:
    r"""Return a learning rate below which a step on any batch of `batch_size` rows is stable.

    A step on batch $B$ maps the parameters by $\theta \mapsto \theta - \eta\nabla L_B$, whose
    Jacobian is $I - \eta H_B$ with $H_B = \frac{2}{|B|}\sum_{i \in B}\tilde x_i \tilde x_i^\top$
    ($\tilde x_i$ is row $i$ of $[X, \mathbf 1]$). The step never pulls two parameter
    vectors apart when $\eta \le 2/\lambda_{\max}(H_B)$. Batch GD has one batch, all rows,
    and that is [`max_stable_learning_rate`][gdbook.max_stable_learning_rate]; smaller
    batches see their own, larger $\lambda_{\max}(H_B)$, so batch GD's bound does not
    apply to them:

    - one row: $H_i$ has the single eigenvalue $2\lVert\tilde x_i\rVert^2$, so the exact
      bound is $1/\lVert\tilde x_i\rVert^2$, and the worst row gives
      $1/\max_i\lVert\tilde x_i\rVert^2$. The same holds for batches drawn with
      replacement, which may hold one row `batch_size` times.
    - `batch_size` rows without replacement: $\lambda_{\max}(H_B) \le \operatorname{tr}
      H_B = \frac{2}{|B|}\sum_{i\in B}\lVert\tilde x_i\rVert^2$, so
      $|B| / \sum_{i \in B}\lVert\tilde x_i\rVert^2$ over the $|B|$ longest rows is
      safe for every batch (a sufficient bound; the worst batch's exact bound lies
      between it and batch GD's). The shorter last batch of an epoch counts too, unless
      `drop_last`.

    Args:
        X: Features, shape `(n_samples,)` or `(n_samples, n_features)`.
        batch_size: Rows per step, an integer >= 1. A batch of every row without
            replacement gives batch GD's bound.
        replacement: Whether rows are drawn with replacement (`Trainer(order="replacement")`).
        drop_last: Whether the last, shorter batch of an epoch is skipped.

    Returns:
        The bound as a float.

    Examples:
        >>> import numpy as np
        >>> from gdbook import max_stable_learning_rate, worst_batch_learning_rate
        >>> X = np.array([[0.0], [1.0], [3.0]])
        >>> worst_batch_learning_rate(X, 1)  # 1 / (3**2 + 1**2): the row [3, 1]
        0.1
        >>> bool(worst_batch_learning_rate(X, 2) < max_stable_learning_rate(X))
        True
    """
    X = _features(X)
    batch_size = check_positive_int(batch_size, "batch_size")
    n = X.shape[0]
    if batch_size >= n and not replacement:
        return max_stable_learning_rate(X)
    norms = 1.0 + np.einsum("ij,ij->i", X, X)  # squared norms of the rows of [X, 1]
    if replacement or batch_size == 1:
        return float(1.0 / norms.max())
    longest = np.sort(norms)[::-1]
    sizes = {batch_size} | ({n % batch_size} if n % batch_size and not drop_last else set())
    return float(min(m / longest[:m].sum() for m in sizes))
