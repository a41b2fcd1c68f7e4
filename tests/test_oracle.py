"""Every variant must reach the least-squares solution computed by numpy.linalg.lstsq."""

import numpy as np
import pytest

from gdbook import (
    BatchGD,
    InverseScalingLR,
    LinearRegression,
    MiniBatchGD,
    StochasticGD,
    Trainer,
    make_linear_data,
)

TRUE_COEF = np.array([1.5, -2.0, 0.5])


def well_conditioned_data(n=400, noise=0.1, seed=1):
    # Centred uniform features: Hessian eigenvalues 0.15 to 2.0, lr bound 2 / 2.0 ~ 1.
    X, y = make_linear_data(n, n_features=3, slope=TRUE_COEF, intercept=0.7, noise=noise, seed=seed)
    Xc = X - 0.5
    return Xc, y - 0.5 * TRUE_COEF.sum()


def lstsq_params(X, y):
    design = np.column_stack([X, np.ones(len(X))])
    return np.linalg.lstsq(design, y, rcond=None)[0]


def test_batch_gd_reaches_lstsq_to_1e_6():
    X, y = well_conditioned_data()
    model = LinearRegression(n_features=3, seed=0)
    Trainer(BatchGD(learning_rate=0.9), epochs=2000).fit(model, X, y)
    expected = lstsq_params(X, y)
    rel = np.linalg.norm(model.params - expected) / np.linalg.norm(expected)
    assert rel <= 1e-6


@pytest.mark.parametrize(
    "optimizer",
    [
        BatchGD(learning_rate=0.9),
        MiniBatchGD(batch_size=16, learning_rate=0.5, schedule=InverseScalingLR(decay=0.2)),
        StochasticGD(learning_rate=0.1, schedule=InverseScalingLR(decay=0.2)),
    ],
    ids=["batch", "minibatch", "stochastic"],
)
def test_every_variant_reaches_lstsq_within_the_noise(optimizer):
    X, y = well_conditioned_data()
    model = LinearRegression(n_features=3, seed=0)
    history = Trainer(optimizer, epochs=300, seed=0).fit(model, X, y)
    expected = lstsq_params(X, y)
    # The statistical uncertainty of the lstsq coefficients themselves is about
    # noise / sqrt(n * var(x)) ~ 0.1 / sqrt(400 / 12) ~ 0.017; demand a tenth of it.
    np.testing.assert_allclose(model.params, expected, atol=2e-3)
    optimum = np.mean((np.column_stack([X, np.ones(len(X))]) @ expected - y) ** 2)
    assert history.loss[-1] <= optimum * (1 + 1e-3)
    assert history.loss[-1] >= optimum * (1 - 1e-12)  # nothing beats the optimum


def test_article_example_reaches_the_noise_floor():
    X, y = make_linear_data(n_samples=100, slope=2.0, intercept=1.0, noise=0.1, seed=0)
    model = LinearRegression(n_features=1, seed=0)
    trainer = Trainer(MiniBatchGD(batch_size=10, learning_rate=0.1), epochs=100, seed=0)
    history = trainer.fit(model, X, y)
    assert history.loss.shape == (100,)
    assert history.loss[-1] < 0.02
    assert history.loss[-1] == pytest.approx(0.01, rel=0.25)  # noise**2
    assert model.weights[0] == pytest.approx(2.0, abs=0.1)
    assert model.bias == pytest.approx(1.0, abs=0.1)


def test_loss_matches_history_and_predict():
    X, y = make_linear_data(seed=3)
    model = LinearRegression(seed=3)
    history = Trainer(MiniBatchGD(), epochs=20, seed=3).fit(model, X, y)
    assert history.loss[-1] == pytest.approx(np.mean((model.predict(X) - y) ** 2), rel=1e-12)
    assert model.loss(X, y) == pytest.approx(history.loss[-1], rel=1e-12)
    np.testing.assert_array_equal(history.params, model.params)


def test_gradient_matches_finite_differences():
    X, y = make_linear_data(30, n_features=4, seed=5)
    model = LinearRegression(n_features=4, seed=5)
    _, grad = model.loss_and_grad(X, y)
    h = 1e-6
    numeric = np.empty_like(grad)
    for i in range(len(grad)):
        step = np.zeros_like(grad)
        step[i] = h
        model.params += step
        up = model.loss_and_grad(X, y)[0]
        model.params -= 2 * step
        down = model.loss_and_grad(X, y)[0]
        model.params += step
        numeric[i] = (up - down) / (2 * h)
    np.testing.assert_allclose(grad, numeric, rtol=1e-7, atol=1e-9)
