"""The multilayer perceptron: backpropagation against finite differences, training, errors."""

import numpy as np
import pytest

from gdbook import MLP, BatchGD, MiniBatchGD, StochasticGD, Trainer


def numerical_grad(model, X, y, eps=1e-6):
    """Central finite differences of the batch MSE, one parameter at a time."""
    params = model.params
    grad = np.empty_like(params)
    for k in range(params.size):
        saved = params[k]
        params[k] = saved + eps
        plus = model.loss_and_grad(X, y)[0]
        params[k] = saved - eps
        minus = model.loss_and_grad(X, y)[0]
        params[k] = saved
        grad[k] = (plus - minus) / (2 * eps)
    return grad


@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid"])
@pytest.mark.parametrize(
    "layer_sizes", [(1, 1), (1, 5, 1), (3, 4, 1), (2, 6, 5, 1), (4, 3, 3, 3, 1)]
)
def test_backprop_matches_finite_differences(layer_sizes, activation):
    rng = np.random.default_rng(42)
    model = MLP(layer_sizes, activation=activation, seed=1)
    model.params += rng.normal(0, 0.1, model.n_params)  # nonzero biases too
    X = rng.normal(size=(7, layer_sizes[0]))
    y = rng.normal(size=7)
    loss, grad = model.loss_and_grad(X, y)
    expected = numerical_grad(model, X, y)
    assert loss == pytest.approx(np.mean((model.predict(X) - y) ** 2), rel=1e-12)
    assert grad.shape == model.params.shape
    rel = np.linalg.norm(grad - expected) / np.linalg.norm(expected)
    assert rel < 1e-6


def test_a_one_layer_network_is_the_linear_model():
    model = MLP((2, 1), seed=0)
    X = np.array([[1.0, 2.0], [0.0, -1.0], [3.0, 0.5]])
    w, b = model.params[:2], model.params[2]
    np.testing.assert_allclose(model.predict(X), X @ w + b, rtol=1e-14)


X_SINE = np.linspace(-3, 3, 64)
Y_SINE = np.sin(X_SINE)


@pytest.mark.parametrize(
    "optimizer",
    [
        BatchGD(learning_rate=0.1),
        MiniBatchGD(batch_size=8, learning_rate=0.1),
        StochasticGD(learning_rate=0.03),
    ],
    ids=["batch", "mini-batch", "stochastic"],
)
def test_each_variant_fits_a_sine(optimizer):
    model = MLP((1, 16, 16, 1), activation="tanh", seed=0)
    history = Trainer(optimizer, epochs=100, seed=0).fit(model, X_SINE, Y_SINE)
    best_line = np.polyfit(X_SINE, Y_SINE, 1)
    line_loss = np.mean((np.polyval(best_line, X_SINE) - Y_SINE) ** 2)
    assert history.loss.shape == (100,)
    assert np.isfinite(history.loss).all()
    assert history.loss[-1] < history.initial_loss / 5
    assert history.loss[-1] < 0.1 * Y_SINE.var()  # explains > 90% of the variance,
    assert history.loss[-1] < line_loss / 5  # which no straight line can
    assert model.loss(X_SINE, Y_SINE) == pytest.approx(history.loss[-1], rel=1e-12)


def test_float32_data_trains_in_float32():
    model = MLP((1, 8, 1), seed=0)
    history = Trainer(MiniBatchGD(batch_size=8), epochs=5, seed=0).fit(
        model, X_SINE.astype(np.float32), Y_SINE.astype(np.float32)
    )
    assert model.params.dtype == np.float32
    assert history.params.dtype == np.float32
    assert model.predict(X_SINE.astype(np.float32)).dtype == np.float32
    assert np.isfinite(history.loss).all()


def test_same_seed_same_network_and_history():
    def run(seed):
        model = MLP((1, 8, 8, 1), activation="relu", seed=seed)
        initial = model.params.copy()
        history = Trainer(MiniBatchGD(batch_size=8), epochs=10, seed=3).fit(model, X_SINE, Y_SINE)
        return initial, history

    (p0, h0), (p1, h1), (p2, _) = run(0), run(0), run(1)
    np.testing.assert_array_equal(p0, p1)
    np.testing.assert_array_equal(h0.loss, h1.loss)
    np.testing.assert_array_equal(h0.params, h1.params)
    assert not np.array_equal(p0, p2)


def test_generator_seed_and_global_state_untouched():
    before = np.random.get_state()[1].copy()  # noqa: NPY002 - checking it is untouched
    a = MLP(seed=np.random.default_rng(5)).params
    b = MLP(seed=5).params
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(np.random.get_state()[1], before)  # noqa: NPY002


def test_initialisation_scaling_and_zero_biases():
    model = MLP((200, 300, 1), activation="tanh", seed=0)
    W = model.params[: 200 * 300]
    assert W.std() == pytest.approx(np.sqrt(2 / 500), rel=0.02)  # Glorot
    np.testing.assert_array_equal(model.params[200 * 300 : 200 * 300 + 300], 0.0)
    relu = MLP((200, 300, 1), activation="relu", seed=0)
    assert relu.params[: 200 * 300].std() == pytest.approx(np.sqrt(2 / 200), rel=0.02)  # He


def test_inputs_are_not_modified():
    X = np.linspace(0, 1, 12).reshape(6, 2)
    y = np.arange(6.0)
    X0, y0 = X.copy(), y.copy()
    model = MLP((2, 4, 1), seed=0)
    Trainer(StochasticGD(learning_rate=0.01), epochs=2, seed=0).fit(model, X, y)
    model.predict(X)
    model.loss(X, y)
    model.loss_and_grad(X, y)
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(y, y0)


def test_repr_and_attributes():
    model = MLP((3, 4, 1), activation="sigmoid", seed=0)
    assert repr(model) == "MLP(layer_sizes=(3, 4, 1), activation='sigmoid')"
    assert model.n_features == 3
    assert model.n_params == 3 * 4 + 4 + 4 + 1 == model.params.size


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"layer_sizes": (1, 16, 2)}, ValueError, r"must end with 1.*y is 1-D.*ending with 2"),
        ({"layer_sizes": (1,)}, ValueError, r"at least an input and an output size"),
        ({"layer_sizes": (1, 0, 1)}, ValueError,
         r"layer_sizes\[1\] must be an integer >= 1, got 0"),
        ({"layer_sizes": (1, 2.5, 1)}, TypeError, r"layer_sizes\[1\] must be an integer"),
        ({"layer_sizes": (1, True, 1)}, TypeError, r"layer_sizes\[1\] must be an integer"),
        ({"layer_sizes": 16}, TypeError, r"layer_sizes must be a sequence of integers"),
        ({"layer_sizes": "161"}, TypeError, r"layer_sizes must be a sequence of integers"),
        ({"activation": "softplus"}, ValueError,
         r"activation must be one of 'tanh', 'relu', 'sigmoid', got 'softplus'"),
        ({"activation": None}, TypeError, r"activation must be one of 'tanh'"),
        ({"seed": -1}, ValueError, r"seed must be a non-negative integer"),
        ({"seed": "zero"}, TypeError, r"seed must be None"),
    ],
    ids=[
        "two-outputs", "too-short", "zero-units", "float-units", "bool-units", "not-a-sequence",
        "string", "unknown-activation", "activation-none", "negative-seed", "string-seed",
    ],
)
def test_bad_construction(kwargs, error, match):
    with pytest.raises(error, match=match):
        MLP(**kwargs)


def test_bad_data_names_the_problem():
    model = MLP((2, 4, 1), seed=0)
    with pytest.raises(ValueError, match=r"X has 1 feature\(s\).*n_features=2"):
        model.predict(np.zeros(5))
    with pytest.raises(ValueError, match=r"X must be finite"):
        model.predict(np.array([[0.0, np.nan]]))
    with pytest.raises(ValueError, match=r"same number of rows"):
        model.loss(np.zeros((3, 2)), np.zeros(4))
    with pytest.raises(ValueError, match=r"n_features=2"):
        Trainer(BatchGD(), epochs=1).fit(model, np.zeros((3, 3)), np.zeros(3))


def test_divergence_is_reported_without_a_bound():
    from gdbook import DivergenceError

    model = MLP((1, 8, 1), seed=0)
    with pytest.raises(DivergenceError, match=r"learning_rate=50") as info:
        Trainer(BatchGD(learning_rate=50.0), epochs=50).fit(model, X_SINE, Y_SINE)
    assert info.value.max_stable_learning_rate is None
    assert info.value.history.stop_reason == "diverged"


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
def test_each_layer_is_scaled_by_its_own_rule_the_output_layer_by_glorot(activation):
    """Issue 13: the linear output layer uses Glorot's 2/(n_in + n_out) whatever the activation.

    With 2 inputs to the output unit, Glorot's variance is 2/3 and He's would be 1; with 4
    inputs to the hidden layer, He's (relu) is 1/2 and Glorot's 1/3. Over 3000 networks the
    sample variance of 6000 weights is within about 2% of the true one.
    """
    hidden, output = [], []
    for seed in range(3000):
        params = MLP((4, 2, 1), activation=activation, seed=seed).params
        hidden.append(params[:8])  # W_1 (4 x 2), then b_1 (2), then W_2 (2 x 1), then b_2
        output.append(params[10:12])
        assert not params[8:10].any() and params[12] == 0  # biases start at 0
    he = activation == "relu"
    assert np.var(hidden) == pytest.approx(2 / 4 if he else 2 / 6, rel=0.06)
    assert np.var(output) == pytest.approx(2 / 3, rel=0.06)
    assert abs(np.mean(output)) < 0.05


def test_float32_networks_compute_in_float32():
    """loss and predict convert the data to the network's dtype, as training does."""
    model = MLP((2, 3, 1), activation="tanh", seed=0)
    model.params = model.params.astype(np.float32)
    X = np.array([[0.1, 0.2], [0.3, -0.7], [1.1, 0.4]])
    y = np.array([0.5, -0.25, 1.0])
    X32, y32 = X.astype(np.float32), y.astype(np.float32)
    assert model.loss(X, y) == float(model.loss_and_grad(X32, y32)[0])
    assert model.loss(X, y) != float(model.loss_and_grad(X, y)[0])  # float64 would differ
    predicted = model.predict(X)
    assert predicted.dtype == np.float32
    np.testing.assert_array_equal(predicted, model._forward(X32)[-1][:, 0])


def test_construction_messages_word_for_word():
    with pytest.raises(TypeError) as info:
        MLP(layer_sizes=16)
    assert str(info.value) == ("layer_sizes must be a sequence of integers such as "
                               "(1, 16, 16, 1), got 16")
    with pytest.raises(TypeError) as info:
        MLP(activation=3)
    assert str(info.value) == "activation must be one of 'tanh', 'relu', 'sigmoid', got 3"
    with pytest.raises(ValueError) as info:
        MLP(layer_sizes=[4])
    assert str(info.value) == ("layer_sizes must list at least an input and an output size, "
                               "such as (1, 16, 1), got (4,)")
    with pytest.raises(ValueError) as info:
        MLP(layer_sizes=(2, 3, 2))
    assert str(info.value) == ("layer_sizes must end with 1: the output layer predicts one "
                               "number per row because y is 1-D, got layer_sizes=(2, 3, 2) "
                               "ending with 2")
