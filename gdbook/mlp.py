"""A small multilayer perceptron: the "deep" model, trained by the same engine as the line."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import ArrayLike

from gdbook._metrics import r2_score
from gdbook._validation import (
    _describe,
    check_data,
    check_features,
    check_params,
    check_positive_int,
    check_rng,
)

__all__ = ["MLP"]

Activation = tuple[Callable[[np.ndarray], np.ndarray], Callable[[np.ndarray], np.ndarray]]

# Each activation f comes with its derivative written in terms of f's *output*
# a = f(z), which is what the forward pass keeps: tanh' = 1 - a², sigmoid' = a(1 - a).
ACTIVATIONS: dict[str, Activation] = {
    "tanh": (np.tanh, lambda a: 1 - a * a),
    "relu": (lambda z: np.maximum(z, 0), lambda a: (a > 0).astype(a.dtype)),
    "sigmoid": (lambda z: 0.5 + 0.5 * np.tanh(0.5 * z), lambda a: a * (1 - a)),  # no overflow
}


class MLP:
    r"""Fully connected network $\hat y = W_L^\top f(\cdots f(W_1^\top x + b_1) \cdots) + b_L$.

    Hidden layers apply the activation $f$; the output layer is linear and
    has one unit, so the model predicts one number per row and is trained on
    the mean squared error, like [`LinearRegression`][gdbook.LinearRegression].
    It follows the same model protocol, so [`Trainer`][gdbook.Trainer] and the
    three variants train it with no special case.

    All weights and biases live in one flat vector `params`, layer after layer
    (`W_1` row-major with shape `(n_in, n_out)`, then `b_1`, then `W_2`, ...),
    which the optimizers update in place; each method slices its layer views
    out of the current `params`.

    Initialisation draws each weight matrix from $N(0, \sigma^2)$ and sets the
    biases to 0. Layers followed by `"tanh"` or `"sigmoid"` and the linear
    output layer use Glorot scaling, $\sigma^2 = 2/(n_\text{in} + n_\text{out})$;
    layers followed by `"relu"` use He scaling, $\sigma^2 = 2/n_\text{in}$. Both
    keep the size of the signal roughly constant from layer to layer.
    The book trains it with all three variants in [a non-convex experiment][mlp].

    Args:
        layer_sizes: Units per layer, input first: `(n_features, hidden_1, ...,
            1)`. At least two integers >= 1; the last must be 1 because `y` is 1-D.
            `(d, 1)` is a linear model.
        activation: Activation of the hidden layers: `"tanh"`, `"relu"` or
            `"sigmoid"`.
        seed: Seed (int) or `numpy.random.Generator` for the initial weights.
            The global `np.random` state is never used.

    Attributes:
        params: Flat parameter vector of shape `(n_params,)`. Assigning to it
            checks the shape and finiteness and stores a copy.
        n_params: Number of weights and biases,
            $\sum_l (n_{l-1} + 1)\, n_l$ over the layers.
        n_features: Number of inputs, `layer_sizes[0]`.
        layer_sizes: The layer sizes, as a tuple of ints.
        activation: The activation name.

    Raises:
        TypeError: If `layer_sizes` is not a sequence of integers or
            `activation` is not a string.
        ValueError: If `layer_sizes` has fewer than two entries, an entry < 1,
            or a last entry other than 1; or if `activation` is unknown.

    Examples:
        >>> import numpy as np
        >>> from gdbook import MLP, MiniBatchGD, Trainer
        >>> model = MLP((1, 16, 16, 1), activation="tanh", seed=0)
        >>> model.n_params  # (1*16 + 16) + (16*16 + 16) + (16*1 + 1)
        321
        >>> X = np.linspace(-3, 3, 64); y = np.sin(X)
        >>> trainer = Trainer(MiniBatchGD(batch_size=8, learning_rate=0.1), epochs=100, seed=0)
        >>> history = trainer.fit(model, X, y)
        >>> bool(history.loss[-1] < 0.1 * y.var())  # explains over 90% of the variance
        True
        >>> model.predict([0.0, 1.5]).shape
        (2,)
    """

    def __init__(
        self,
        layer_sizes: Sequence[int] = (1, 16, 16, 1),
        *,
        activation: str = "tanh",
        seed: int | np.random.Generator | None = None,
    ) -> None:
        self.layer_sizes = _check_layer_sizes(layer_sizes)
        self.activation = _check_activation(activation)
        self.n_features = self.layer_sizes[0]
        self._f, self._df = ACTIVATIONS[self.activation]
        # Where each layer's W and b sit in the flat vector (fixed by the sizes).
        self._slices: list[tuple[slice, tuple[int, int], slice]] = []
        start = 0
        for n_in, n_out in zip(self.layer_sizes[:-1], self.layer_sizes[1:], strict=False):
            w = slice(start, start + n_in * n_out)
            b = slice(w.stop, w.stop + n_out)
            self._slices.append((w, (n_in, n_out), b))
            start = b.stop
        self.n_params = start
        self.params = self._initial_params(check_rng(seed))

    @property
    def params(self) -> np.ndarray:
        """All weights and biases, layer after layer, shape `(n_params,)` (updated in place)."""
        return self._params

    @params.setter
    def params(self, value: ArrayLike) -> None:
        self._params = check_params(value, self.n_params)

    def __getstate__(self) -> dict[str, object]:
        state = self.__dict__.copy()
        del state["_f"], state["_df"]  # functions (lambdas) do not pickle; the name does
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._f, self._df = ACTIVATIONS[self.activation]

    def _initial_params(self, rng: np.random.Generator) -> np.ndarray:
        params = np.zeros(self.n_params)
        for i, (W, _) in enumerate(self._layers(params)):
            n_in, n_out = W.shape
            hidden = i < len(self._slices) - 1
            he = hidden and self.activation == "relu"
            std = np.sqrt(2.0 / n_in) if he else np.sqrt(2.0 / (n_in + n_out))
            W[...] = rng.normal(0.0, std, size=W.shape)
        return params

    def _layers(self, vector: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        """Cut a flat vector shaped like `params` into `(W, b)` views, one pair per layer."""
        return [(vector[w].reshape(shape), vector[b]) for w, shape, b in self._slices]

    # --8<-- [start:forward]
    def _forward(self, X: np.ndarray) -> list[np.ndarray]:
        """Return the output of every layer, from the input `X` to the prediction `(m, 1)`."""
        outputs = [X]
        layers = self._layers(self.params)
        for W, b in layers[:-1]:  # hidden layers: affine map, then the activation
            outputs.append(self._f(outputs[-1] @ W + b))
        W, b = layers[-1]  # output layer: affine only
        outputs.append(outputs[-1] @ W + b)
        return outputs
    # --8<-- [end:forward]

    # --8<-- [start:backward]
    def loss_and_grad(self, X: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
        r"""Return the MSE on a batch and its gradient, averaged over the batch's rows.

        Backpropagation: with residuals $r = \hat y - y$, the error signal at
        the output is $\delta_L = \frac{2}{m} r$; each layer turns the signal
        $\delta$ arriving at its output into its gradients
        $\partial L/\partial W = a_\text{in}^\top \delta$ and
        $\partial L/\partial b = \sum_i \delta_i$, and passes
        $(\delta W^\top) \odot f'(a_\text{in})$ down to the layer below.
        `X` must already be 2-D `(m, n_features)` and `y` 1-D `(m,)`, in the
        dtype of `params`: this is the inner loop, so it does not check.
        """
        m = len(y)
        outputs = self._forward(X)
        residual = outputs[-1][:, 0] - y
        grad = np.empty_like(self.params)
        delta = (2 / m) * residual[:, None]  # dL/d(output), shape (m, 1)
        layers, grads = self._layers(self.params), self._layers(grad)
        for i in reversed(range(len(layers))):
            a_in = outputs[i]  # input of layer i (the output of layer i - 1)
            dW, db = grads[i]
            dW[...] = a_in.T @ delta
            db[...] = delta.sum(axis=0)
            if i > 0:  # through W, then through the activation that produced a_in
                delta = (delta @ layers[i][0].T) * self._df(a_in)
        return residual @ residual / m, grad
    # --8<-- [end:backward]

    def predict(self, X: ArrayLike) -> np.ndarray:
        """Return the network's predictions.

        Args:
            X: Features, shape `(n_samples,)` when `n_features == 1`, or
                `(n_samples, n_features)`; finite real numbers; zero rows allowed.

        Returns:
            Predictions of shape `(n_samples,)`.

        Raises:
            ValueError: If `X` does not have `n_features` columns or is not finite.
        """
        X = check_features(X, self.n_features)
        return self._forward(X.astype(self.params.dtype, copy=False))[-1][:, 0]

    def loss(self, X: ArrayLike, y: ArrayLike) -> float:
        """Return the mean squared error on `(X, y)`.

        Args:
            X: Features, shape `(n_samples,)` or `(n_samples, n_features)`.
            y: Targets, shape `(n_samples,)`.

        Raises:
            ValueError: If the data are empty, mismatched, not finite, or do not
                have `n_features` columns.
        """
        X, y = check_data(X, y)
        X = check_features(X, self.n_features)
        dtype = self.params.dtype
        return float(self.loss_and_grad(X.astype(dtype), y.astype(dtype))[0])

    def score(self, X: ArrayLike, y: ArrayLike) -> float:
        """Return the coefficient of determination $R^2$ of the predictions on `(X, y)`.

        Defined as in [`LinearRegression.score`][gdbook.LinearRegression.score].

        Args:
            X: Features, shape `(n_samples,)` or `(n_samples, n_features)`.
            y: Targets, shape `(n_samples,)`.
        """
        X, y = check_data(X, y)
        return r2_score(y, self.predict(X))

    def __repr__(self) -> str:
        return f"MLP(layer_sizes={self.layer_sizes}, activation={self.activation!r})"


def _check_layer_sizes(layer_sizes: object) -> tuple[int, ...]:
    if isinstance(layer_sizes, (str, bytes)) or not isinstance(layer_sizes, Sequence):
        raise TypeError(
            f"layer_sizes must be a sequence of integers such as (1, 16, 16, 1), "
            f"got {_describe(layer_sizes)}"
        )
    if len(layer_sizes) < 2:
        raise ValueError(
            f"layer_sizes must list at least an input and an output size, such as "
            f"(1, 16, 1), got {tuple(layer_sizes)!r}"
        )
    sizes = tuple(check_positive_int(n, f"layer_sizes[{i}]") for i, n in enumerate(layer_sizes))
    if sizes[-1] != 1:
        raise ValueError(
            f"layer_sizes must end with 1: the output layer predicts one number per row "
            f"because y is 1-D, got layer_sizes={sizes} ending with {sizes[-1]}"
        )
    return sizes


def _check_activation(activation: object) -> str:
    valid = ", ".join(repr(name) for name in ACTIVATIONS)
    if not isinstance(activation, str):
        raise TypeError(f"activation must be one of {valid}, got {_describe(activation)}")
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {valid}, got {activation!r}")
    return activation
