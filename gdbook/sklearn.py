r"""scikit-learn estimators over gdbook's engine: `GDRegressor` and `GDMLPRegressor`.

They follow scikit-learn's estimator API, so they go where any regressor goes:
`make_pipeline(StandardScaler(), GDRegressor())`, `cross_val_score`,
`GridSearchCV(..., {"learning_rate": [...], "batch_size": [...]})`, and, through
`partial_fit`, out-of-core learning chunk by chunk. They pass scikit-learn's own
estimator checks (`tests/test_sklearn.py`). Underneath, `fit` is one
[`Trainer.fit`][gdbook.Trainer.fit] of a [`LinearRegression`][gdbook.LinearRegression]
or an [`MLP`][gdbook.MLP].

This module needs scikit-learn (`pip install "gdbook[sklearn]"`); `import gdbook`
does not import it.

The loss is gdbook's mean squared error. scikit-learn's `SGDRegressor` minimises
half of it (`loss="squared_error"` is $\frac12 (y - \hat y)^2$ per sample), so its
gradient is half of gdbook's: `SGDRegressor(learning_rate="constant", eta0=2 * lr,
penalty=None)` takes the same steps as `GDRegressor(variant="stochastic",
learning_rate=lr)`.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.exceptions import ConvergenceWarning as SklearnConvergenceWarning
from sklearn.utils.validation import check_is_fitted, validate_data

from gdbook._validation import _describe, check_learning_rate, check_positive_int, check_tol
from gdbook.callbacks import EarlyStopping
from gdbook.exceptions import ConvergenceWarning as GdbookConvergenceWarning
from gdbook.history import History
from gdbook.linear import LinearRegression
from gdbook.mlp import MLP
from gdbook.optimizers import BatchGD, GradientDescent
from gdbook.trainer import Trainer

__all__ = ["ConvergenceWarning", "GDMLPRegressor", "GDRegressor"]

VARIANTS = ("batch", "stochastic", "minibatch")


class ConvergenceWarning(GdbookConvergenceWarning, SklearnConvergenceWarning):
    """Early stopping ran out of epochs: both gdbook's and scikit-learn's warning.

    A filter on either `gdbook.ConvergenceWarning` or
    `sklearn.exceptions.ConvergenceWarning` catches it.
    """


class _EarlyStopping(EarlyStopping):
    warning = ConvergenceWarning


class _GDEstimator(RegressorMixin, BaseEstimator):
    """What both estimators share: the training; subclasses say which model."""

    # the parameters every subclass has, set by its __init__
    variant: str
    learning_rate: float
    batch_size: int
    epochs: int
    schedule: Any
    order: str
    tol: float | None
    patience: int
    validation_fraction: float | None
    restore_best: bool
    random_state: Any
    progress: bool

    model_: Any
    history_: History
    n_iter_: int
    learning_rate_: float

    def fit(self, X: ArrayLike, y: ArrayLike) -> _GDEstimator:
        """Train a new model on `(X, y)` for up to `epochs` epochs.

        With `validation_fraction`, that share of the rows (drawn at random) is
        held out: its loss per epoch is in `history_.val_loss`, and early
        stopping (`tol`) and `restore_best` monitor it.

        Args:
            X: Features, shape `(n_samples, n_features)`.
            y: Targets, shape `(n_samples,)`.

        Returns:
            The fitted estimator.

        Raises:
            DivergenceError: If training diverges (see [`DivergenceGuard`][gdbook.DivergenceGuard]).
        """
        X, y = validate_data(self, X, y, y_numeric=True, dtype=[np.float64, np.float32])
        self._rng = rng = _generator(self.random_state)
        X, y, validation = self._split(X, y, rng)
        self.model_ = self._new_model(X.shape[1], rng)
        self.learning_rate_ = self._learning_rate(X)
        trainer = self._trainer(X.shape[0], epochs=self.epochs, rng=rng)
        self.history_ = trainer.fit(self.model_, X, y, validation_data=validation)
        self.n_iter_ = self.history_.n_epochs
        return self

    def partial_fit(self, X: ArrayLike, y: ArrayLike) -> _GDEstimator:
        """Take one pass (one epoch) over the chunk `(X, y)`, starting from the current model.

        The first call builds the model; each later call continues it, so data
        larger than memory can be streamed through in chunks (from a
        `numpy.memmap`, or by any engine that calls `partial_fit`, such as
        dask-ml's `Incremental`). Call `k` (0-based) uses the schedule's
        learning rate of epoch `k`. No rows are held out and there is no early
        stopping: `history_` is the record of this call.

        Args:
            X: Features of the chunk, shape `(n_rows, n_features)`.
            y: Targets of the chunk, shape `(n_rows,)`.

        Returns:
            The estimator.
        """
        first = not hasattr(self, "model_")
        X, y = validate_data(self, X, y, y_numeric=True, dtype=[np.float64, np.float32],
                             reset=first)
        if first:
            self._rng = _generator(self.random_state)
            self.model_, self.n_iter_ = self._new_model(X.shape[1], self._rng), 0
            self.learning_rate_ = self._learning_rate(X)
        rate = self._optimizer(1).learning_rate_at(self.n_iter_)
        trainer = self._trainer(X.shape[0], epochs=1, rng=self._rng, learning_rate=rate,
                                early_stopping=False)
        self.history_ = trainer.fit(self.model_, X, y)
        self.n_iter_ += 1
        return self

    def predict(self, X: ArrayLike) -> np.ndarray:
        """Return the model's predictions for `X`, shape `(n_samples,)`.

        Args:
            X: Features, shape `(n_samples, n_features)`.
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=[np.float64, np.float32])
        return self.model_.predict(X)

    def _split(self, X, y, rng):
        fraction = self.validation_fraction
        if fraction is None:
            return X, y, None
        if isinstance(fraction, bool) or not isinstance(fraction, numbers.Real) \
                or not 0 < fraction < 1:
            raise ValueError(
                f"validation_fraction must be None or a number strictly between 0 and 1, "
                f"got {_describe(fraction)}"
            )
        n_val = round(fraction * X.shape[0])
        if not 1 <= n_val < X.shape[0]:
            raise ValueError(
                f"validation_fraction={fraction} of {X.shape[0]} rows leaves "
                f"{X.shape[0] - n_val} for training and {n_val} for validation; both need "
                f"at least one"
            )
        rows = rng.permutation(X.shape[0])
        val, train = rows[:n_val], rows[n_val:]
        return X[train], y[train], (X[val], y[val])

    def _learning_rate(self, X: np.ndarray) -> float:
        """The initial learning rate: `learning_rate`, or the one `"auto"` picks on `X`."""
        if isinstance(self.learning_rate, str) and self.learning_rate == "auto":
            return self._auto_learning_rate(X)
        return check_learning_rate(self.learning_rate)

    def _auto_learning_rate(self, X: np.ndarray) -> float:
        raise ValueError(
            f"learning_rate='auto' needs a model whose stable learning rate is known "
            f"(GDRegressor); give {type(self).__name__} a number"
        )

    def _optimizer(self, n_rows: int, learning_rate: float | None = None) -> GradientDescent:
        """The variant asked for; with `learning_rate`, that rate held constant."""
        rate, schedule = (self.learning_rate_, self.schedule) if learning_rate is None \
            else (learning_rate, "constant")
        rows = self._rows(n_rows)
        if rows is None:
            return BatchGD(learning_rate=rate, schedule=schedule)
        return GradientDescent(learning_rate=rate, batch_size=rows, schedule=schedule)

    def _rows(self, n_rows: int) -> int | None:
        """Rows per step of the variant on `n_rows` training rows (`None`: all of them)."""
        if self.variant == "batch":
            return None
        if self.variant == "stochastic":
            return 1
        if self.variant == "minibatch":
            return min(check_positive_int(self.batch_size, "batch_size"), n_rows)
        raise ValueError(
            f"variant must be one of {', '.join(map(repr, VARIANTS))}, got "
            f"{_describe(self.variant)}"
        )

    def _trainer(self, n_rows: int, *, epochs: int, rng: np.random.Generator,
                 learning_rate: float | None = None, early_stopping: bool = True) -> Trainer:
        optimizer = self._optimizer(n_rows, learning_rate)
        tol = check_tol(self.tol) if early_stopping else None
        patience = check_positive_int(self.patience, "patience")
        stopping = [] if tol is None else [_EarlyStopping(tol, patience)]
        return Trainer(optimizer, epochs=epochs, seed=rng, order=self.order,
                       restore_best=self.restore_best and early_stopping, callbacks=stopping,
                       progress=self.progress)

    def _new_model(self, n_features: int, rng: np.random.Generator) -> Any:
        raise NotImplementedError


class GDRegressor(_GDEstimator):
    r"""Linear least squares trained by gradient descent, as a scikit-learn regressor.

    A [`LinearRegression`][gdbook.LinearRegression] trained by
    [`Trainer`][gdbook.Trainer] with one of the three variants. Put a
    `StandardScaler` in front of it (`make_pipeline(StandardScaler(),
    GDRegressor())`): on raw features with very different scales no learning
    rate is both stable and fast.

    Args:
        variant: `"batch"` (every row in every step), `"stochastic"` (one row) or
            `"minibatch"` (`batch_size` rows).
        learning_rate: Step size $\eta$, a finite number > 0, or `"auto"`
            (default): half the largest rate at which every step of the variant is
            stable on the training rows, `0.5 * model.max_stable_learning_rate(X,
            batch_size)` (see [`worst_batch_learning_rate`][gdbook.worst_batch_learning_rate]),
            stored in `learning_rate_`. gdbook's loss is the mean squared error:
            scikit-learn's `SGDRegressor(eta0=2 * lr)` takes the same steps.
        batch_size: Rows per step of `"minibatch"`, an integer >= 1; larger than
            the training set, it is clipped to its size (as `MLPRegressor` does).
        epochs: Maximum passes over the training rows, an integer >= 1.
        schedule: Learning-rate schedule: `"constant"`, `"invscaling"`, `"step"`
            or a callable `(learning_rate, epoch) -> float`.
        order: Row order of each epoch: `"shuffle"`, `"sequential"` or
            `"replacement"` (see [`Trainer`][gdbook.Trainer]).
        tol: Early stopping: stop when the monitored loss has not gone below
            `best - tol` for `patience` epochs (absolute, in squared units of
            `y`); `None` turns it off.
        patience: Epochs without improvement before stopping, an integer >= 1.
        validation_fraction: Share of the rows held out for validation, in
            (0, 1), or `None` to train on all rows.
        restore_best: Keep the parameters of the best epoch (lowest validation
            loss, or training loss without validation rows).
        random_state: Seed (int), `numpy.random.Generator`, legacy
            `RandomState`, or `None`; it draws the initial weights, the
            validation rows and the row order. An int makes `fit` reproducible.
        progress: Show a progress bar (needs tqdm).

    Attributes:
        coef_: Weights, shape `(n_features,)`.
        intercept_: Bias, a float.
        learning_rate_: The initial learning rate used (the one `"auto"` picked).
        model_: The trained [`LinearRegression`][gdbook.LinearRegression].
        history_: The [`History`][gdbook.History] of the last `fit` or `partial_fit`.
        n_iter_: Epochs run by the last `fit`; calls so far after `partial_fit`.
        n_features_in_: Number of features seen in `fit`.
        feature_names_in_: Column names, when `X` was a DataFrame with string names.

    Examples:
        >>> from sklearn.datasets import load_diabetes
        >>> from sklearn.pipeline import make_pipeline
        >>> from sklearn.preprocessing import StandardScaler
        >>> from gdbook.sklearn import GDRegressor
        >>> X, y = load_diabetes(return_X_y=True)
        >>> model = make_pipeline(StandardScaler(), GDRegressor(random_state=0))
        >>> round(model.fit(X, y).score(X, y), 2)
        0.52
    """

    def __init__(
        self,
        *,
        variant: str = "minibatch",
        learning_rate: float | str = "auto",
        batch_size: int = 32,
        epochs: int = 100,
        schedule: Any = "constant",
        order: str = "shuffle",
        tol: float | None = None,
        patience: int = 5,
        validation_fraction: float | None = None,
        restore_best: bool = False,
        random_state: Any = None,
        progress: bool = False,
    ) -> None:
        self.variant = variant
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.epochs = epochs
        self.schedule = schedule
        self.order = order
        self.tol = tol
        self.patience = patience
        self.validation_fraction = validation_fraction
        self.restore_best = restore_best
        self.random_state = random_state
        self.progress = progress

    def _new_model(self, n_features: int, rng: np.random.Generator) -> LinearRegression:
        return LinearRegression(n_features=n_features, seed=rng)

    def _auto_learning_rate(self, X: np.ndarray) -> float:
        rows = self._rows(X.shape[0])
        bound = self.model_.max_stable_learning_rate(
            X, rows, replacement=self.order == "replacement" and rows is not None)
        return 0.5 * bound

    @property
    def coef_(self) -> np.ndarray:
        """Weights of the fitted model, shape `(n_features,)`."""
        check_is_fitted(self, "model_")
        return self.model_.weights

    @property
    def intercept_(self) -> float:
        """Bias of the fitted model."""
        check_is_fitted(self, "model_")
        return self.model_.bias


class GDMLPRegressor(_GDEstimator):
    """A small multilayer perceptron trained by gradient descent, as a scikit-learn regressor.

    An [`MLP`][gdbook.MLP] with the hidden layers given, trained like
    [`GDRegressor`][gdbook.sklearn.GDRegressor]. Standardise the features, and
    the target too when its values are large (a network's gradients grow with its
    residuals): `TransformedTargetRegressor(make_pipeline(StandardScaler(),
    GDMLPRegressor()), transformer=StandardScaler())`.

    Args:
        hidden_layer_sizes: Units of each hidden layer, a tuple of integers >= 1.
        activation: `"tanh"`, `"relu"` or `"sigmoid"`.
        variant: `"batch"`, `"stochastic"` or `"minibatch"`.
        learning_rate: Step size, a finite number > 0.
        batch_size: Rows per step of `"minibatch"` (clipped to the training set).
        epochs: Maximum passes over the training rows, an integer >= 1.
        schedule: Learning-rate schedule, as in [`GDRegressor`][gdbook.sklearn.GDRegressor].
        order: Row order of each epoch.
        tol: Early stopping threshold (absolute), or `None`.
        patience: Epochs without improvement before stopping.
        validation_fraction: Share of the rows held out for validation, or `None`.
        restore_best: Keep the parameters of the best epoch.
        random_state: Seed, Generator, `RandomState` or `None`.
        progress: Show a progress bar (needs tqdm).

    Attributes:
        model_: The trained [`MLP`][gdbook.MLP].
        learning_rate_: The initial learning rate used.
        history_: The [`History`][gdbook.History] of the last `fit` or `partial_fit`.
        n_iter_: Epochs run by the last `fit`; calls so far after `partial_fit`.
        n_features_in_: Number of features seen in `fit`.

    Examples:
        >>> import numpy as np
        >>> from gdbook.sklearn import GDMLPRegressor
        >>> X = np.linspace(-3, 3, 200).reshape(-1, 1); y = np.sin(X[:, 0])
        >>> net = GDMLPRegressor(hidden_layer_sizes=(16, 16), learning_rate=0.1,
        ...                      epochs=200, random_state=0).fit(X, y)
        >>> bool(net.score(X, y) > 0.95)
        True
    """

    def __init__(
        self,
        *,
        hidden_layer_sizes: tuple[int, ...] = (16,),
        activation: str = "tanh",
        variant: str = "minibatch",
        learning_rate: float = 0.01,
        batch_size: int = 32,
        epochs: int = 200,
        schedule: Any = "constant",
        order: str = "shuffle",
        tol: float | None = None,
        patience: int = 5,
        validation_fraction: float | None = None,
        restore_best: bool = False,
        random_state: Any = None,
        progress: bool = False,
    ) -> None:
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.variant = variant
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.epochs = epochs
        self.schedule = schedule
        self.order = order
        self.tol = tol
        self.patience = patience
        self.validation_fraction = validation_fraction
        self.restore_best = restore_best
        self.random_state = random_state
        self.progress = progress

    def _new_model(self, n_features: int, rng: np.random.Generator) -> MLP:
        hidden = self.hidden_layer_sizes
        if isinstance(hidden, numbers.Integral):
            hidden = (hidden,)
        return MLP((n_features, *hidden, 1), activation=self.activation, seed=rng)


def _generator(random_state: Any) -> np.random.Generator:
    """A Generator from scikit-learn's kinds of `random_state` (and from a Generator)."""
    if isinstance(random_state, np.random.Generator):
        return random_state
    if isinstance(random_state, np.random.RandomState):
        return np.random.default_rng(random_state.randint(2**31))
    if random_state is None or (isinstance(random_state, numbers.Integral)
                                and not isinstance(random_state, bool)):
        return np.random.default_rng(random_state)
    raise ValueError(
        f"random_state must be None, an int, a numpy.random.Generator or RandomState, got "
        f"{_describe(random_state)}"
    )
