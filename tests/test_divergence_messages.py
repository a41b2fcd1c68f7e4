"""What a divergence says, word for word, and which bound and advice it picks.

`test_divergence.py` runs real diverging fits; here each piece of the message is pinned
down: the text of every branch of `DivergenceError`, the bound chosen for each way of
drawing rows, and the scale advice at the edges of its rules.
"""

import numpy as np
import pytest

from gdbook import (
    MLP,
    BatchGD,
    DivergenceError,
    LinearRegression,
    MiniBatchGD,
    StochasticGD,
    Trainer,
    max_stable_learning_rate,
    worst_batch_learning_rate,
)
from gdbook.divergence import _root_mean_square, scale_advice, variance

HESSIAN = "(2 / largest eigenvalue of the loss Hessian)"


# --- the message of DivergenceError, branch by branch -----------------------------------


def test_batch_gd_message_word_for_word():
    error = DivergenceError(epoch=3, learning_rate=2.0, loss=100.0, max_stable_learning_rate=0.79,
                            initial_loss=8.0)
    assert str(error) == (
        "training diverged at epoch 3 (loss=100, 12.5 x the initial loss) with learning_rate=2; "
        f"batch gradient descent on this data is stable only for learning_rate < 0.79 {HESSIAN}: "
        "lower learning_rate, or standardise the features"
    )
    assert (error.epoch, error.learning_rate, error.loss) == (3, 2.0, 100.0)
    assert error.initial_loss == 8.0 and error.history is None and error.batch_size is None


def test_message_when_judged_at_the_end_with_advice_and_no_bound():
    error = DivergenceError(epoch=199, learning_rate=0.5, loss=3e4, initial_loss=2.0,
                            at_end=True, advice="lower learning_rate")
    assert str(error) == (
        "training ended at epoch 199 (loss=30000, 1.5e+04 x the initial loss) with "
        "learning_rate=0.5, above where it started and far above the variance of y: it "
        "diverged; lower learning_rate"
    )
    assert error.max_stable_learning_rate is None


def test_one_row_message_without_and_with_batch_gds_bound():
    alone = DivergenceError(epoch=0, learning_rate=0.2, loss=50.0, max_stable_learning_rate=0.1,
                            batch_size=1)
    assert str(alone) == (
        "training diverged at epoch 0 (loss=50) with learning_rate=0.2; steps on one row of "
        "this data are stable for every batch only when learning_rate < 0.1 (see "
        "gdbook.worst_batch_learning_rate): lower learning_rate, or standardise the features"
    )
    beside = DivergenceError(epoch=0, learning_rate=0.2, loss=50.0, max_stable_learning_rate=0.1,
                             batch_size=4, batch_gd_learning_rate=0.75, advice="do less")
    assert str(beside) == (
        "training diverged at epoch 0 (loss=50) with learning_rate=0.2; steps on batches of 4 "
        "rows of this data are stable for every batch only when learning_rate < 0.1 (see "
        "gdbook.worst_batch_learning_rate); batch gradient descent's bound 0.75 "
        f"{HESSIAN} does not apply to them: do less"
    )
    assert beside.batch_size == 4


@pytest.mark.parametrize(
    ("loss", "initial_loss"),
    [(np.inf, 1.0), (-np.inf, 1.0), (np.nan, 1.0), (5.0, 0.0), (5.0, None), (5.0, -1.0)],
)
def test_the_growth_is_quoted_only_when_it_is_a_number(loss, initial_loss):
    text = str(DivergenceError(epoch=1, learning_rate=0.1, loss=loss, initial_loss=initial_loss))
    assert text.startswith(f"training diverged at epoch 1 (loss={loss:.6g}) with ")
    assert "initial loss" not in text


def test_the_growth_of_a_loss_below_one():
    text = str(DivergenceError(epoch=1, learning_rate=0.1, loss=0.5, initial_loss=0.25))
    assert "(loss=0.5, 2 x the initial loss)" in text


# --- which bound the guard quotes for each way of drawing rows --------------------------

X10 = np.linspace(-1.0, 3.0, 10)
Y10 = 2 * X10 + 1


def diverge(optimizer, **trainer_kwargs):
    lr = 50 * max_stable_learning_rate(X10)  # far above every bound: stops in epoch 0 or 1
    optimizer.learning_rate = lr
    with pytest.raises(DivergenceError) as info:
        Trainer(optimizer, epochs=20, seed=0, **trainer_kwargs).fit(
            LinearRegression(seed=0), X10, Y10)
    return info.value


def test_a_batch_of_every_row_is_batch_gd():
    error = diverge(MiniBatchGD(batch_size=10))
    assert error.batch_size is None
    assert error.max_stable_learning_rate == max_stable_learning_rate(X10)
    assert error.initial_loss == error.history.initial_loss > 0


def test_a_batch_of_every_row_drawn_with_replacement_is_not():
    error = diverge(MiniBatchGD(batch_size=10), order="replacement")
    assert error.batch_size == 10
    bound = worst_batch_learning_rate(X10, 10, replacement=True)
    assert bound == 1 / (1 + 9.0)  # the row x = 3 may fill the batch
    assert error.max_stable_learning_rate == bound
    assert "batches of 10 rows" in str(error)


@pytest.mark.parametrize("replacement", [False, True])
@pytest.mark.parametrize("drop_last", [False, True])
def test_mini_batches_quote_their_own_bound(replacement, drop_last):
    error = diverge(MiniBatchGD(batch_size=3), drop_last=drop_last,
                    order="replacement" if replacement else "shuffle")
    expected = worst_batch_learning_rate(X10, 3, replacement=replacement, drop_last=drop_last)
    assert error.max_stable_learning_rate == expected
    assert error.batch_size == 3
    assert f"batch gradient descent's bound {max_stable_learning_rate(X10):.6g}" in str(error)


def test_which_of_the_four_bounds_differ():
    bounds = {(r, d): worst_batch_learning_rate(X10, 3, replacement=r, drop_last=d)
              for r in (False, True) for d in (False, True)}
    # 10 rows in batches of 3: the last batch is one row, so it is as bad as a batch drawn
    # with replacement (the worst row three times); dropping it raises the bound
    assert bounds[True, False] == bounds[True, True] == bounds[False, False] == 1 / 10.0
    assert bounds[False, True] > 1 / 10.0


def test_stochastic_gd_quotes_the_one_row_bound():
    error = diverge(StochasticGD())
    assert error.batch_size == 1
    assert error.max_stable_learning_rate == 1 / 10.0
    assert "steps on one row of this data" in str(error)


def test_least_squares_with_a_large_target_is_told_to_lower_the_rate():
    """Its bound does not depend on y: the target's scale is named only for models without one."""
    y = 1e4 * Y10
    with pytest.raises(DivergenceError) as info:
        Trainer(BatchGD(learning_rate=5.0), epochs=20).fit(LinearRegression(seed=0), X10 / 2, y)
    assert str(info.value).endswith(
        "lower learning_rate (the features are already on a unit scale)")
    with pytest.raises(DivergenceError) as info:
        Trainer(BatchGD(learning_rate=5.0), epochs=20).fit(
            MLP((1, 4, 1), seed=0), X10 / 2, y)
    assert "the features are on a unit scale but the target is not" in str(info.value)


# --- the scale advice at the edges of its rules ----------------------------------------


def columns(*rms):
    """Two rows per column, +-r: each column's root mean square is exactly r."""
    return np.array([rms, [-r for r in rms]], dtype=float)


@pytest.mark.parametrize("rms", [(0.1,), (10.0,), (0.1, 10.0), (1.0, 0.5, 3.0)])
def test_columns_from_0_1_to_10_count_as_standardised(rms):
    X = columns(*rms)
    assert scale_advice(X, np.array([0.0, 1.0]), known_bound=True) == (
        "lower learning_rate (the features are already on a unit scale)")


@pytest.mark.parametrize(("rms", "low", "high"), [((0.09,), "0.09", "0.09"),
                                                   ((10.5,), "10.5", "10.5"),
                                                   ((1.0, 20.0), "1", "20"),
                                                   ((0.05, 2.0), "0.05", "2")])
def test_columns_outside_0_1_to_10_are_named(rms, low, high):
    advice = scale_advice(columns(*rms), np.array([0.0, 1.0]), known_bound=False)
    assert advice == (
        f"lower learning_rate, or standardise the features (the root mean square of X's "
        f"columns ranges from {low} to {high}; e.g. sklearn.preprocessing.StandardScaler)"
    )


@pytest.mark.parametrize(
    ("high", "target", "flagged"),
    [
        (1.0, 10.0, False),  # exactly 10 x: not above
        (1.0, 10.5, True),
        (0.5, 10.5, True),  # the features' scale counts as at least 1
        (0.5, 9.0, False),
        (2.0, 15.0, False),  # 10 x 2 = 20 is the threshold
        (2.0, 20.5, True),
    ],
)
def test_the_target_is_named_only_above_ten_times_the_features(high, target, flagged):
    X = columns(high)
    y = np.array([target, -target])  # mean 0, root mean square `target`
    advice = scale_advice(X, y, known_bound=False)
    if flagged:
        assert advice == (
            f"the features are on a unit scale but the target is not (y has mean 0 and "
            f"standard deviation {target:.4g}): the gradients grow with the residuals, so "
            f"standardise y too (e.g. sklearn.compose.TransformedTargetRegressor with "
            f"StandardScaler), or lower learning_rate"
        )
    else:
        assert advice == "lower learning_rate (the features are already on a unit scale)"
    # a model with a known bound (least squares) is never told about its target
    assert scale_advice(X, y, known_bound=True) == (
        "lower learning_rate (the features are already on a unit scale)")


def test_the_target_message_quotes_its_mean_and_standard_deviation():
    y = np.array([100.0, 104.0, 96.0, 100.0])
    advice = scale_advice(columns(1.0, 1.0).repeat(2, axis=0), y, known_bound=False)
    assert "(y has mean 100 and standard deviation 2.828)" in advice


def test_root_mean_square_of_each_column():
    X = np.array([[3.0, 0.0, -1.0], [4.0, 0.0, 1.0], [0.0, 0.0, -1.0], [0.0, 0.0, 1.0]])
    np.testing.assert_allclose(_root_mean_square(X), [2.5, 0.0, 1.0], rtol=1e-15)


def test_root_mean_square_of_columns_whose_squares_overflow():
    # column 0 overflows when squared; the others must keep their own scale: a zero column,
    # one far below 1 (its squares underflow if not divided by its own peak) and one of
    # negative numbers only
    X = np.array([[3e200, 0.0, 4e-200, -1e200],
                  [-4e200, 0.0, -3e-200, -2e200]])
    expected = [np.sqrt(12.5) * 1e200, 0.0, np.sqrt(12.5) * 1e-200, np.sqrt(2.5) * 1e200]
    np.testing.assert_allclose(_root_mean_square(X), expected, rtol=1e-14)


def test_variance_in_blocks_is_numpys():
    rng = np.random.default_rng(0)
    y = rng.standard_normal(10_001) * 3 + 7
    assert variance(y) == pytest.approx(np.var(y), rel=1e-12)
    assert variance(y, block=7) == pytest.approx(np.var(y), rel=1e-12)
    assert variance(y.astype(np.float32)) == pytest.approx(np.var(y.astype(np.float64)), rel=1e-6)
    assert variance(np.array([5.0])) == 0.0
