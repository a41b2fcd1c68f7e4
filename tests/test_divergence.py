"""The divergence guard: no blown-up run comes back as a success; the message fits the variant."""

import re

import numpy as np
import pytest

from gdbook import (
    MLP,
    BatchGD,
    DivergenceError,
    DivergenceGuard,
    LinearRegression,
    MiniBatchGD,
    StochasticGD,
    Trainer,
    make_linear_data,
    max_stable_learning_rate,
    worst_batch_learning_rate,
)

sklearn_datasets = pytest.importorskip("sklearn.datasets")


@pytest.fixture(scope="module")
def linnerud():
    X, Y = sklearn_datasets.load_linnerud(return_X_y=True)
    return X, Y[:, 0]  # 20 x 3 exercise counts -> body weight


def sgd_at_0_9_of_the_batch_bound(X):
    return StochasticGD(learning_rate=0.9 * max_stable_learning_rate(X))


def test_linnerud_sgd_that_blows_up_is_not_returned_as_success(linnerud):
    """Issue 9: seed 0 returned stop_reason='epochs' with a loss 410 000 x the initial one."""
    X, y = linnerud
    with pytest.raises(DivergenceError) as info:
        Trainer(sgd_at_0_9_of_the_batch_bound(X), seed=0).fit(
            LinearRegression(n_features=3, seed=0), X, y)
    history = info.value.history
    assert history.stop_reason == "diverged"
    assert history.n_epochs == 100  # it ran out of epochs, then the end check caught it
    assert history.loss[-1] > 1e5 * history.initial_loss
    assert "training ended at epoch 99" in str(info.value)


@pytest.mark.parametrize("seed", range(6))
def test_linnerud_sgd_fails_loudly_for_every_seed(linnerud, seed):
    X, y = linnerud
    with pytest.raises(DivergenceError):
        Trainer(sgd_at_0_9_of_the_batch_bound(X), seed=seed).fit(
            LinearRegression(n_features=3, seed=0), X, y)


def test_sgd_message_quotes_the_one_row_bound_not_batch_gds(linnerud):
    """Issue 9: with seed 1 the message quoted batch GD's 3.19e-05 though 2.87e-05 < that."""
    X, y = linnerud
    with pytest.raises(DivergenceError) as info:
        Trainer(sgd_at_0_9_of_the_batch_bound(X), seed=1).fit(
            LinearRegression(n_features=3, seed=0), X, y)
    error, text = info.value, str(info.value)
    row_bound = 1 / (1 + (X**2).sum(axis=1)).max()
    assert error.max_stable_learning_rate == pytest.approx(row_bound, rel=1e-12)
    assert error.max_stable_learning_rate == pytest.approx(7.95e-06, rel=1e-3)
    assert error.learning_rate > error.max_stable_learning_rate
    assert error.batch_size == 1
    assert re.search(r"steps on one row of this data are stable for every batch only when "
                     r"learning_rate < 7\.9\d*e-06", text)
    assert re.search(r"batch gradient descent's bound 3\.19\d*e-05 .* does not apply", text)
    assert "standardise the features" in text  # columns with RMS ~ 10 to ~ 150


def test_minibatch_message_quotes_the_worst_batch_bound(linnerud):
    X, y = linnerud
    lr = 3 * worst_batch_learning_rate(X, 4)  # also above batch GD's bound
    with pytest.raises(DivergenceError) as info:
        Trainer(MiniBatchGD(batch_size=4, learning_rate=lr), epochs=300, seed=0).fit(
            LinearRegression(n_features=3, seed=0), X, y)
    error = info.value
    assert error.batch_size == 4
    assert error.max_stable_learning_rate == pytest.approx(worst_batch_learning_rate(X, 4))
    assert "steps on batches of 4 rows" in str(error)


def test_batch_gd_message_keeps_the_batch_bound():
    X, y = make_linear_data(seed=0)
    with pytest.raises(DivergenceError) as info:
        Trainer(BatchGD(learning_rate=5.0), epochs=100).fit(LinearRegression(seed=0), X, y)
    assert info.value.batch_size is None
    assert info.value.max_stable_learning_rate == pytest.approx(max_stable_learning_rate(X))
    assert "batch gradient descent on this data is stable only for learning_rate < 0.7" in \
        str(info.value)
    assert "the features are already on a unit scale" in str(info.value)


def test_worst_batch_bound_is_exact_for_one_row_and_safe_for_every_batch():
    X, _ = make_linear_data(9, n_features=2, seed=3)
    A = np.c_[X, np.ones(9)]
    rows = [A[i : i + 1] for i in range(9)]
    exact_one_row = min(2 / np.linalg.eigvalsh(2 * r.T @ r)[-1] for r in rows)
    assert worst_batch_learning_rate(X, 1) == pytest.approx(exact_one_row, rel=1e-12)
    # every batch of 3 distinct rows: the bound is below each batch's own 2 / lambda_max
    from itertools import combinations

    bound = worst_batch_learning_rate(X, 3)
    own = [2 / np.linalg.eigvalsh(2 / 3 * A[list(c)].T @ A[list(c)])[-1]
           for c in combinations(range(9), 3)]
    assert bound <= min(own) <= max_stable_learning_rate(X)
    # a full batch without replacement is batch GD; with replacement, one row repeated
    assert worst_batch_learning_rate(X, 9) == max_stable_learning_rate(X)
    assert worst_batch_learning_rate(X, 9, replacement=True) == worst_batch_learning_rate(X, 1)
    # 10 rows, batches of 4: the last batch of 2 rows is the worst unless dropped
    X10, _ = make_linear_data(10, n_features=2, seed=3)
    assert worst_batch_learning_rate(X10, 4) < worst_batch_learning_rate(X10, 4, drop_last=True)


def test_a_run_that_ends_far_above_its_start_raises_at_the_end():
    """1.01 x the bound grows slowly: not stopped midway, caught when it ends."""
    X, y = make_linear_data(seed=0)
    trainer = Trainer(BatchGD(learning_rate=1.01 * max_stable_learning_rate(X)), epochs=200)
    with pytest.raises(DivergenceError, match=r"^training ended at epoch 199 .*above where it "
                       r"started and far above the variance of y") as info:
        trainer.fit(LinearRegression(seed=0), X, y)
    history = info.value.history
    assert history.n_epochs == 200 and history.stop_reason == "diverged"
    assert 10 * history.initial_loss < history.loss[-1] < 1e6 * history.initial_loss


def test_a_run_still_coming_down_from_a_poor_start_is_not_failed():
    X, y = make_linear_data(seed=0)
    model = LinearRegression(seed=0)
    model.params = [50.0, -40.0]  # initial loss ~ 600 x var(y)
    history = Trainer(BatchGD(learning_rate=0.001), epochs=5).fit(model, X, y)
    assert history.loss[-1] > 10 * y.var()
    assert history.loss[-1] < history.initial_loss and history.stop_reason == "epochs"


def test_the_final_check_needs_the_loss_far_above_the_variance_of_y():
    # start at the exact solution: initial loss is the noise floor (~0.01), var(y) ~ 0.37;
    # SGD noise lifts the loss above the initial loss but far from 10 x var(y)
    X, y = make_linear_data(100, noise=0.1, seed=0)
    model = LinearRegression(seed=0)
    model.params = np.linalg.lstsq(np.c_[X, np.ones(100)], y, rcond=None)[0]
    history = Trainer(StochasticGD(learning_rate=0.45), epochs=3, seed=0).fit(model, X, y)
    assert history.loss[-1] > 1.5 * history.initial_loss  # worse than where it started...
    assert history.loss[-1] < 10 * y.var()  # ...but no divergence


def test_zero_initial_loss_is_not_a_divergence():
    X = np.arange(10.0) / 10
    y = 2 * X + 1
    model = LinearRegression(seed=0)
    model.params = [2.0, 1.0]
    history = Trainer(StochasticGD(learning_rate=0.3), epochs=20, seed=0).fit(model, X, y)
    assert history.initial_loss == 0.0
    assert history.stop_reason == "epochs"


def test_the_ratios_are_the_trainers_and_can_be_changed(monkeypatch):
    X, y = make_linear_data(seed=0)
    lr = 1.01 * max_stable_learning_rate(X)
    monkeypatch.setattr(Trainer, "final_divergence_ratio", 1e5)
    history = Trainer(BatchGD(learning_rate=lr), epochs=200).fit(LinearRegression(seed=0), X, y)
    assert history.stop_reason == "epochs"  # 36 000 x var(y): under the raised final ratio
    assert history.loss[-1] > 1e4 * y.var()
    monkeypatch.setattr(Trainer, "divergence_ratio", 100.0)
    with pytest.raises(DivergenceError) as info:
        Trainer(BatchGD(learning_rate=lr), epochs=200).fit(LinearRegression(seed=0), X, y)
    assert info.value.history.n_epochs < 200  # now stopped midway
    assert repr(DivergenceGuard()) == "DivergenceGuard(ratio=1000000.0, final_ratio=10.0)"


def test_mlp_on_a_large_target_names_the_target_not_the_features():
    """Issue 9: an MLP diverging on y with mean ~150 was told to standardise the features."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((300, 10))
    y = 152 + 77 * np.tanh(X @ rng.standard_normal(10) / 3)
    trainer = Trainer(MiniBatchGD(batch_size=32, learning_rate=0.01), epochs=50, seed=0)
    with pytest.raises(DivergenceError) as info:
        trainer.fit(MLP((10, 16, 1), activation="relu", seed=0), X, y)
    text = str(info.value)
    assert "the features are on a unit scale but the target is not" in text
    assert "y has mean 156.5 and standard deviation 48.53" in text
    assert "standardise y" in text and "standardise the features" not in text
    assert info.value.max_stable_learning_rate is None
    # the advice works: the same run on the standardised target trains
    history = trainer.fit(MLP((10, 16, 1), activation="relu", seed=0), X,
                          (y - y.mean()) / y.std())
    assert history.loss[-1] < 0.5


def test_mlp_on_unscaled_features_names_the_features():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((200, 3)) * [1.0, 100.0, 1000.0]
    y = np.tanh(X[:, 0])
    with pytest.raises(DivergenceError, match=r"standardise the features \(the root mean square "
                       r"of X's columns ranges from 1\.02 to 976"):
        Trainer(MiniBatchGD(batch_size=16, learning_rate=0.5), epochs=20, seed=0).fit(
            MLP((3, 8, 1), activation="relu", seed=0), X, y)
