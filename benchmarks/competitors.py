"""What readers would otherwise run: the article's loop, scikit-learn's SGD, a torch loop.

Each function times its own work and returns seconds, so that setup that a
reader would do once (building a model, importing a library) is left out.
"""

from __future__ import annotations

import time
import warnings

import numpy as np


# --- the article's program (../shared/seed/article.txt), as printed -----------------------
# For one feature this is the article's code; for several, `weights * x` becomes
# `x @ weights` and the mean over the batch keeps one value per weight.
class ArticleModel:
    def __init__(self, n_features=1, rng=None):
        rng = np.random.default_rng(0) if rng is None else rng
        self.weights = rng.standard_normal(n_features)  # the article: np.random.randn(1)
        self.bias = rng.standard_normal(1)

    def forward(self, x):
        if x.ndim == 1:
            return self.weights * x + self.bias
        return x @ self.weights + self.bias

    def backward(self, x, y, y_pred, learning_rate):
        # 计算梯度
        if x.ndim == 1:
            d_weights = -2 * np.mean((y - y_pred) * x)
        else:
            d_weights = -2 * np.mean((y - y_pred)[:, None] * x, axis=0)
        d_bias = -2 * np.mean(y - y_pred)
        # 更新参数
        self.weights -= learning_rate * d_weights
        self.bias -= learning_rate * d_bias


def article_loop(x, y, batch_size, learning_rate, steps):
    """Time `steps` steps of the article's mini-batch loop; return seconds."""
    model = ArticleModel(1 if x.ndim == 1 else x.shape[1])
    start = time.perf_counter()
    for i in range(0, steps * batch_size, batch_size):
        x_batch = x[i : i + batch_size]
        y_batch = y[i : i + batch_size]
        y_pred = model.forward(x_batch)
        model.backward(x_batch, y_batch, y_pred, learning_rate)
    return time.perf_counter() - start


# --- scikit-learn ---------------------------------------------------------------------------
def sklearn_sgd_epoch(X, y, learning_rate, seed):
    """Time one epoch of scikit-learn's one-sample SGD (compiled), as a user times it.

    `SGDRegressor(...).fit(X, y)` whole: building the estimator, its input
    checks and its epoch, as `fit_seconds` times gdbook's.
    """
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import SGDRegressor

    X2 = X.reshape(len(X), -1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # one epoch on purpose
        start = time.perf_counter()
        SGDRegressor(learning_rate="constant", eta0=learning_rate, penalty=None, max_iter=1,
                     tol=None, shuffle=True, random_state=seed).fit(X2, y)
        return time.perf_counter() - start


# --- torch ------------------------------------------------------------------------------------
def torch_available() -> bool:
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


def torch_loop(X, y, batch_size, learning_rate, steps, seed):
    """Time `steps` steps of the usual torch loop: DataLoader(TensorDataset), nn.Linear, SGD."""
    import torch
    from torch.utils.data import DataLoader, TensorDataset

    torch.manual_seed(seed)
    X2 = torch.from_numpy(X.reshape(len(X), -1))  # float64, shares memory
    dataset = TensorDataset(X2, torch.from_numpy(y))
    model = torch.nn.Linear(X2.shape[1], 1).double()
    optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate)
    loss_fn = torch.nn.MSELoss()
    start = time.perf_counter()
    loader = DataLoader(dataset, batch_size=batch_size, shuffle=True)
    for step, (xb, yb) in enumerate(loader):
        optimizer.zero_grad()
        loss = loss_fn(model(xb).squeeze(1), yb)
        loss.backward()
        optimizer.step()
        if step + 1 == steps:
            break
    return time.perf_counter() - start
