"""History: its plot, its equality, its summary; and R², the score of both models."""

import numpy as np
import pytest

from gdbook import MLP, BatchGD, History, LinearRegression, Trainer, make_linear_data
from gdbook._metrics import r2_score

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
from matplotlib.figure import Figure  # noqa: E402 - after choosing the backend


def fit(validation=False, epochs=4):
    X, y = make_linear_data(50, seed=0)
    kwargs = {"validation_data": make_linear_data(20, seed=1)} if validation else {}
    return Trainer(BatchGD(learning_rate=0.5), epochs=epochs).fit(
        LinearRegression(seed=0), X, y, **kwargs)


def test_plot_draws_the_loss_per_epoch_on_a_log_axis():
    history = fit()
    ax = Figure().subplots()
    assert history.plot(ax, label="batch", color="C3", lw=3) is ax
    (line,) = ax.get_lines()
    np.testing.assert_array_equal(line.get_xdata(), [1, 2, 3, 4])  # epochs counted from 1
    np.testing.assert_array_equal(line.get_ydata(), history.loss)
    assert line.get_label() == "batch" and line.get_color() == "C3" and line.get_linewidth() == 3
    assert ax.get_yscale() == "log"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("epoch", "MSE loss")


def test_plot_adds_the_validation_loss_dashed_in_the_same_colour():
    history = fit(validation=True)
    ax = Figure().subplots()
    history.plot(ax, label="mini", log=False)
    train, val = ax.get_lines()
    np.testing.assert_array_equal(val.get_xdata(), [1, 2, 3, 4])
    np.testing.assert_array_equal(val.get_ydata(), history.val_loss)
    assert val.get_linestyle() == "--" and train.get_linestyle() == "-"
    assert val.get_color() == train.get_color()
    assert val.get_label() == "mini (validation)"
    assert ax.get_yscale() == "linear"
    unlabelled = Figure().subplots()
    history.plot(unlabelled)
    assert [line.get_label().startswith("_") for line in unlabelled.get_lines()] == [True, True]


def test_plot_uses_the_current_axes_by_default():
    import matplotlib.pyplot as plt

    history = fit()
    fig = plt.figure()
    try:
        ax = history.plot()
        assert ax is fig.gca() and len(ax.get_lines()) == 1
    finally:
        plt.close(fig)


def test_histories_are_equal_field_by_field_except_time():
    a, b = fit(), fit()
    assert a.time is not b.time and a == b and not (a != b)
    assert a != fit(epochs=3)
    assert fit(validation=True) == fit(validation=True) != a
    fields = {f: getattr(a, f) for f in a.__dataclass_fields__}
    for name, other in [("params", a.params + np.array([0.0, 1e-15])),
                        ("params", a.params.astype(np.float32)),
                        ("loss", a.loss[::-1]),
                        ("initial_loss", a.initial_loss + 1),
                        ("stop_reason", "converged"),
                        ("val_loss", a.loss.copy()),
                        ("step_loss", np.array([]))]:
        assert History(**{**fields, name: other}) != a, name
    nan = History(**{**fields, "initial_loss": float("nan"), "loss": np.array([np.nan])})
    assert nan == History(**{**fields, "initial_loss": float("nan"), "loss": np.array([np.nan])})
    assert a.__eq__(3) is NotImplemented and a != 3
    with pytest.raises(TypeError):
        hash(a)


def test_repr_and_final_loss():
    history = fit()
    assert repr(history) == (
        f"History(n_epochs=4, final_loss={history.loss[-1]:.6g}, stop_reason='epochs')")
    assert history.final_loss == history.loss[-1] and isinstance(history.final_loss, float)
    empty = History(**{**{f: getattr(history, f) for f in history.__dataclass_fields__},
                       "loss": np.array([])})
    assert empty.final_loss == history.initial_loss and empty.n_epochs == 0


@pytest.mark.parametrize(("y", "predicted", "expected"), [
    ([1.0, 2.0, 3.0], [1.0, 2.0, 3.0], 1.0),
    ([1.0, 2.0, 3.0], [2.0, 2.0, 2.0], 0.0),  # the mean
    ([1.0, 2.0, 3.0], [3.0, 2.0, 1.0], -3.0),  # 1 - 8/2
    ([0.0, 0.0, 4.0], [0.0, 1.0, 3.0], 1 - 2 / (32 / 3)),  # mean 4/3
    ([5.0, 5.0], [5.0, 5.0], 1.0),  # constant y: 1 for a perfect fit...
    ([5.0, 5.0], [5.0, 6.0], 0.0),  # ...and 0 otherwise, as scikit-learn
])
def test_r2_against_its_definition(y, predicted, expected):
    assert r2_score(np.array(y), np.array(predicted)) == pytest.approx(expected, rel=1e-15)


def test_r2_matches_scikit_learn_for_both_models():
    metrics = pytest.importorskip("sklearn.metrics")
    X, y = make_linear_data(60, n_features=2, seed=3)
    for model in (LinearRegression(n_features=2, seed=0), MLP((2, 5, 1), seed=0)):
        Trainer(BatchGD(learning_rate=0.1), epochs=20).fit(model, X, y)
        expected = metrics.r2_score(y, model.predict(X))
        assert model.score(X, y) == pytest.approx(expected, rel=1e-12)
        assert model.score(X.tolist(), y.tolist()) == pytest.approx(expected, rel=1e-12)
        assert model.score(X.astype(np.float32), y) == pytest.approx(expected, rel=1e-5)
    with pytest.raises(ValueError, match="X and y must have the same number of rows"):
        model.score(X, y[:-1])


def test_a_nan_equals_only_a_nan():
    history = fit()
    fields = {f: getattr(history, f) for f in history.__dataclass_fields__}
    nan = History(**{**fields, "initial_loss": float("nan")})
    assert nan != history and history != nan  # one side NaN: different
    assert History(**{**fields, "val_loss": np.array([np.nan])}) == History(
        **{**fields, "val_loss": np.array([np.nan])})  # NaN in arrays: equal too


def test_plot_without_matplotlib_says_how_to_get_it(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError) as info:
        fit().plot()
    assert str(info.value) == "History.plot needs matplotlib: pip install matplotlib"
