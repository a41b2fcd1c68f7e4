"""With shuffle=False gdbook must reproduce the article's own training loop, step for step."""

import numpy as np
import pytest

from gdbook import BatchGD, LinearRegression, MiniBatchGD, StochasticGD, Trainer


def article_loop(x, y, w0, b0, *, epochs, batch_size, learning_rate):
    """The article's program, with its global-state randomness replaced by given inputs.

    Returns the parameters after the last step and the loss of every batch
    just before its update (the article computes `y_pred` there).
    """
    weights, bias = np.array([w0]), np.array([b0])
    step_losses = []
    for _epoch in range(epochs):
        for i in range(0, len(x), batch_size):
            x_batch = x[i : i + batch_size]
            y_batch = y[i : i + batch_size]
            y_pred = weights * x_batch + bias
            step_losses.append(np.mean((y_batch - y_pred) ** 2))
            d_weights = -2 * np.mean((y_batch - y_pred) * x_batch)
            d_bias = -2 * np.mean(y_batch - y_pred)
            weights -= learning_rate * d_weights
            bias -= learning_rate * d_bias
    return weights[0], bias[0], np.array(step_losses)


@pytest.fixture
def article_data():
    rng = np.random.default_rng(2023)
    x = rng.random(100)
    y = 2 * x + 1 + rng.standard_normal(100) * 0.1
    return x, y


@pytest.mark.parametrize(
    ("optimizer", "batch_size"),
    [
        (MiniBatchGD(batch_size=10, learning_rate=0.1), 10),
        (MiniBatchGD(batch_size=7, learning_rate=0.1), 7),  # last batch of 2 rows
        (StochasticGD(learning_rate=0.1), 1),
        (BatchGD(learning_rate=0.1), 100),
    ],
    ids=["batch10", "batch7-short-last", "stochastic", "batch"],
)
def test_matches_the_article_loop_step_for_step(article_data, optimizer, batch_size):
    x, y = article_data
    model = LinearRegression(n_features=1, seed=7)
    w0, b0 = model.weights[0], model.bias
    history = Trainer(optimizer, epochs=100, shuffle=False, record_steps=True).fit(model, x, y)
    w, b, step_losses = article_loop(
        x, y, w0, b0, epochs=100, batch_size=batch_size, learning_rate=0.1
    )
    assert history.step_loss.shape == step_losses.shape
    np.testing.assert_allclose(history.step_loss, step_losses, rtol=1e-12, atol=0)
    np.testing.assert_allclose([model.weights[0], model.bias], [w, b], rtol=1e-12, atol=0)
    final = np.mean((y - (w * x + b)) ** 2)
    assert history.loss[-1] == pytest.approx(final, rel=1e-12)


def test_drop_last_skips_the_short_batch(article_data):
    x, y = article_data
    model = LinearRegression(seed=7)
    w0, b0 = model.weights[0], model.bias
    history = Trainer(
        MiniBatchGD(batch_size=30), epochs=5, shuffle=False, drop_last=True, record_steps=True
    ).fit(model, x, y)
    assert history.steps_per_epoch == 3
    # The article's loop on the first 90 rows is the same run.
    w, b, losses = article_loop(x[:90], y[:90], w0, b0, epochs=5, batch_size=30, learning_rate=0.1)
    np.testing.assert_allclose(history.step_loss, losses, rtol=1e-12)
    np.testing.assert_allclose([model.weights[0], model.bias], [w, b], rtol=1e-12)
