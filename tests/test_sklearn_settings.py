"""Each setting of the scikit-learn estimators does what its docstring says, checked against
the Trainer run it stands for (the same data, seed and steps give the same numbers)."""

import warnings

import numpy as np
import pytest

pytest.importorskip("sklearn")

from sklearn.base import clone

from gdbook import (
    MLP,
    GradientDescent,
    LinearRegression,
    Trainer,
    worst_batch_learning_rate,
)
from gdbook.sklearn import GDMLPRegressor, GDRegressor

RNG = np.random.default_rng(0)
X = RNG.standard_normal((60, 3))
Y = X @ [1.0, -2.0, 0.5] + 3 + 0.1 * RNG.standard_normal(60)


def by_hand(variant_rows, *, learning_rate, epochs, seed, order="shuffle", X=X, y=Y):
    """What GDRegressor(random_state=seed) does: one Generator draws the initial weights,
    then the row orders."""
    rng = np.random.default_rng(seed)
    model = LinearRegression(n_features=X.shape[1], seed=rng)
    optimizer = GradientDescent(learning_rate=learning_rate, batch_size=variant_rows)
    history = Trainer(optimizer, epochs=epochs, seed=rng, order=order).fit(model, X, y)
    return model, history


@pytest.mark.parametrize(("variant", "rows"), [("batch", None), ("stochastic", 1),
                                                ("minibatch", 7)])
@pytest.mark.parametrize("order", ["shuffle", "sequential", "replacement"])
def test_fit_is_the_trainer_run_it_stands_for(variant, rows, order):
    reg = GDRegressor(variant=variant, batch_size=7, learning_rate=0.02, epochs=4, order=order,
                      random_state=3).fit(X, Y)
    model, history = by_hand(rows, learning_rate=0.02, epochs=4, seed=3, order=order)
    np.testing.assert_array_equal(reg.model_.params, model.params)
    np.testing.assert_array_equal(reg.history_.loss, history.loss)
    assert reg.n_iter_ == 4 and reg.learning_rate_ == 0.02


def test_batch_size_larger_than_the_data_is_clipped():
    reg = GDRegressor(batch_size=500, learning_rate=0.05, epochs=3, random_state=0).fit(X, Y)
    model, _ = by_hand(None, learning_rate=0.05, epochs=3, seed=0)
    np.testing.assert_array_equal(reg.model_.params, model.params)
    assert reg.history_.steps_per_epoch == 1


@pytest.mark.parametrize(("variant", "order", "expected"), [
    ("batch", "shuffle", lambda X: 0.5 * LinearRegression(3).max_stable_learning_rate(X)),
    ("stochastic", "shuffle", lambda X: 0.5 * worst_batch_learning_rate(X, 1)),
    ("minibatch", "shuffle", lambda X: 0.5 * worst_batch_learning_rate(X, 32)),
    ("minibatch", "replacement",
     lambda X: 0.5 * worst_batch_learning_rate(X, 32, replacement=True)),
    ("batch", "replacement", lambda X: 0.5 * LinearRegression(3).max_stable_learning_rate(X)),
])
def test_auto_picks_half_the_bound_of_the_variant(variant, order, expected):
    reg = GDRegressor(variant=variant, order=order, epochs=1, random_state=0).fit(X, Y)
    assert reg.learning_rate_ == expected(X)
    assert worst_batch_learning_rate(X, 32, replacement=True) != worst_batch_learning_rate(X, 32)


def test_the_same_random_state_gives_the_same_fit_whatever_its_kind():
    for state, same in ((5, 5), (np.random.RandomState(5), np.random.RandomState(5))):
        first = GDRegressor(epochs=3, random_state=state).fit(X, Y).coef_
        again = GDRegressor(epochs=3, random_state=same).fit(X, Y).coef_
        np.testing.assert_array_equal(first, again)
    other = GDRegressor(epochs=3, random_state=np.random.RandomState(6)).fit(X, Y).coef_
    assert not np.array_equal(first, other)
    legacy = np.random.RandomState(5)
    a = GDRegressor(epochs=3, random_state=legacy).fit(X, Y).coef_
    b = GDRegressor(epochs=3, random_state=legacy).fit(X, Y).coef_  # the state has moved on
    assert not np.array_equal(a, b)
    generator = np.random.default_rng(9)
    reg = GDRegressor(epochs=3, random_state=generator).fit(X, Y)
    model, _ = by_hand(32, learning_rate=reg.learning_rate_, epochs=3, seed=9)
    np.testing.assert_array_equal(reg.model_.params, model.params)


def test_different_random_states_give_different_fits():
    # a legacy RandomState seeds a Generator with a number drawn from it: twenty seeds
    # must give twenty different initial weights, not fall onto a few shared streams
    fits = [GDRegressor(epochs=1, random_state=np.random.RandomState(seed)).fit(X, Y).coef_
            for seed in range(20)]
    assert len({tuple(coef) for coef in fits}) == 20


def test_a_bad_random_state_is_named():
    with pytest.raises(ValueError) as info:
        GDRegressor(random_state=2.5).fit(X, Y)
    assert str(info.value) == ("random_state must be None, an int, a numpy.random.Generator or "
                               "RandomState, got 2.5")


def test_partial_fit_is_one_epoch_of_the_trainer_per_call():
    reg = GDRegressor(variant="minibatch", batch_size=8, learning_rate=0.01, random_state=4,
                      schedule="invscaling")
    rng = np.random.default_rng(4)
    model = LinearRegression(n_features=3, seed=rng)
    for call in range(3):
        reg.partial_fit(X, Y)
        Trainer(GradientDescent(learning_rate=0.01 / (1 + call), batch_size=8), epochs=1,
                seed=rng).fit(model, X, Y)
        np.testing.assert_array_equal(reg.model_.params, model.params)
    assert reg.n_iter_ == 3


def test_partial_fit_never_stops_early_nor_warns():
    reg = GDRegressor(learning_rate=0.01, tol=1e-12, patience=1, restore_best=True,
                      random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a ConvergenceWarning would be an error
        reg.partial_fit(X, Y)
    assert reg.history_.stop_reason == "epochs" and reg.history_.best_epoch is None


def test_partial_fit_takes_numeric_targets_of_any_kind():
    reg = GDRegressor(learning_rate=0.01, random_state=0)
    reg.partial_fit(X, Y.astype(object))  # as scikit-learn's y_numeric converts them
    assert reg.model_.params.dtype == np.float64
    reg.partial_fit(X.astype(np.float16), Y.astype(np.float16))
    assert reg.model_.params.dtype == np.float64


def test_boolean_features_fit_and_predict_as_zeros_and_ones():
    # one-hot columns often come as booleans (pandas.get_dummies); fit and predict both
    # read them as 0.0 and 1.0
    onehot = np.eye(3, dtype=bool)[np.arange(60) % 3]
    target = onehot @ [1.0, 2.0, 3.0]
    for reg in (GDRegressor(epochs=3, random_state=0), GDMLPRegressor(epochs=3, random_state=0)):
        as_bool = clone(reg).fit(onehot, target)
        as_float = clone(reg).fit(onehot.astype(float), target)
        np.testing.assert_array_equal(as_bool.model_.params, as_float.model_.params)
        np.testing.assert_array_equal(as_bool.predict(onehot), as_float.predict(onehot * 1.0))


@pytest.mark.parametrize("dtype", [np.float16, np.int32])
def test_small_floats_and_integers_train_in_float64(dtype):
    for reg in (GDRegressor(epochs=2, random_state=0), GDMLPRegressor(epochs=2, random_state=0)):
        reg.fit((X * 4).astype(dtype), (Y * 4).astype(dtype))
        assert reg.model_.params.dtype == np.float64
        assert reg.predict((X * 4).astype(dtype)).dtype == np.float64


def test_float32_data_stays_float32():
    reg = GDRegressor(epochs=2, random_state=0).fit(X.astype(np.float32), Y.astype(np.float32))
    assert reg.model_.params.dtype == np.float32
    assert reg.predict(X.astype(np.float32)).dtype == np.float32


@pytest.mark.parametrize(("fraction", "message"), [
    (0, "validation_fraction must be None or a number strictly between 0 and 1, got 0"),
    (1, "validation_fraction must be None or a number strictly between 0 and 1, got 1"),
    (True, "validation_fraction must be None or a number strictly between 0 and 1, got True"),
    ("0.2", "validation_fraction must be None or a number strictly between 0 and 1, got '0.2'"),
    (0.001, "validation_fraction=0.001 of 60 rows leaves 60 for training and 0 for "
            "validation; both need at least one"),
    (0.995, "validation_fraction=0.995 of 60 rows leaves 0 for training and 60 for "
            "validation; both need at least one"),
])
def test_bad_validation_fractions(fraction, message):
    with pytest.raises(ValueError) as info:
        GDRegressor(validation_fraction=fraction).fit(X, Y)
    assert str(info.value) == message


@pytest.mark.parametrize(("fraction", "n_val"), [(0.01, 1), (1 / 60, 1), (0.5, 30),
                                                  (59 / 60, 59)])
def test_validation_rows_are_the_rounded_share(fraction, n_val):
    reg = GDRegressor(validation_fraction=fraction, epochs=1, variant="batch",
                      random_state=0).fit(X, Y)
    assert reg.history_.val_loss.shape == (1,)
    assert reg.history_.steps_per_epoch == 1
    rng = np.random.default_rng(0)  # draws the split first, then the initial weights
    order = rng.permutation(60)
    model = LinearRegression(n_features=3, seed=rng)
    val, train = order[:n_val], order[n_val:]
    history = Trainer(GradientDescent(learning_rate=reg.learning_rate_), epochs=1).fit(
        model, X[train], Y[train], validation_data=(X[val], Y[val]))
    np.testing.assert_array_equal(reg.history_.val_loss, history.val_loss)


def test_restore_best_only_when_asked():
    kwargs = {"learning_rate": 0.05, "variant": "stochastic", "epochs": 15, "random_state": 1}
    with pytest.warns(UserWarning, match="still improving"):  # 15 epochs < patience
        last = GDRegressor(tol=1e-9, patience=50, **kwargs).fit(X, Y)
    model, history = by_hand(1, learning_rate=0.05, epochs=15, seed=1)
    np.testing.assert_array_equal(last.model_.params, model.params)  # not restored
    assert last.history_.best_epoch is None
    with pytest.warns(UserWarning, match="still improving"):
        best = GDRegressor(tol=1e-9, patience=50, restore_best=True, **kwargs).fit(X, Y)
    assert best.history_.best_epoch == int(np.argmin(history.loss))


def test_patience_is_named_when_wrong():
    with pytest.raises(ValueError) as info:
        GDRegressor(patience=0).fit(X, Y)
    assert str(info.value) == "patience must be an integer >= 1, got 0"


def test_progress_draws_a_bar(capsys):
    GDRegressor(epochs=3, progress=True, random_state=0).fit(X, Y)
    assert "3/3" in capsys.readouterr().err


def test_the_mlp_regressor_keeps_its_settings_and_builds_its_network():
    settings = {"hidden_layer_sizes": (5, 4), "activation": "relu", "tol": 0.5, "patience": 2,
                "validation_fraction": 0.25, "restore_best": True, "random_state": 7,
                "epochs": 3, "learning_rate": 0.05, "variant": "batch", "order": "sequential",
                "schedule": "invscaling", "batch_size": 9, "progress": False}
    net = GDMLPRegressor(**settings)
    assert net.get_params() == settings
    assert clone(net).get_params() == settings
    net.fit(X, Y)
    assert isinstance(net.model_, MLP)
    assert net.model_.layer_sizes == (3, 5, 4, 1) and net.model_.activation == "relu"
    assert GDMLPRegressor(hidden_layer_sizes=6, epochs=1).fit(X, Y).model_.layer_sizes == (
        3, 6, 1)


def test_learning_rate_auto_is_for_least_squares_only():
    with pytest.raises(ValueError) as info:
        GDMLPRegressor(learning_rate="auto").fit(X, Y)
    assert str(info.value) == ("learning_rate='auto' needs a model whose stable learning rate "
                               "is known (GDRegressor); give GDMLPRegressor a number")
