"""The scikit-learn estimators: scikit-learn's own checks, pipelines, search, streaming."""

import subprocess
import sys
import warnings

import numpy as np
import pytest

pytest.importorskip("sklearn")

from sklearn.compose import TransformedTargetRegressor
from sklearn.datasets import load_diabetes
from sklearn.exceptions import ConvergenceWarning as SklearnConvergenceWarning
from sklearn.linear_model import SGDRegressor
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from gdbook import (
    ConvergenceWarning,
    DivergenceError,
    LinearRegression,
    StochasticGD,
    Trainer,
    max_stable_learning_rate,
    worst_batch_learning_rate,
)
from gdbook.sklearn import GDMLPRegressor, GDRegressor


@parametrize_with_checks([GDRegressor(), GDMLPRegressor()])
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)



@pytest.fixture(scope="module")
def diabetes():
    return load_diabetes(return_X_y=True, scaled=False)


def test_pipeline_reaches_exact_least_squares_in_original_units(diabetes):
    X, y = diabetes
    pipe = make_pipeline(StandardScaler(), GDRegressor(variant="batch", epochs=10_000,
                                                       random_state=0)).fit(X, y)
    scaler, reg = pipe[0], pipe[1]
    coef = reg.coef_ / scaler.scale_  # back to the original units
    intercept = reg.intercept_ - coef @ scaler.mean_
    exact = np.linalg.lstsq(np.c_[X, np.ones(len(X))], y, rcond=None)[0]
    np.testing.assert_allclose(np.r_[coef, intercept], exact, rtol=1e-6)
    assert pipe.score(X, y) == pytest.approx(1 - np.mean((np.c_[X, np.ones(len(X))] @ exact
                                                          - y) ** 2) / y.var(), rel=1e-9)
    assert reg.learning_rate_ == pytest.approx(0.5 * max_stable_learning_rate(
        scaler.transform(X)))


def test_raw_features_diverge_with_a_fixed_rate_and_auto_picks_a_stable_one(diabetes):
    X, y = diabetes
    with pytest.raises(DivergenceError, match=r"standardise the features"):
        GDRegressor(learning_rate=0.01, random_state=0).fit(X, y)
    reg = GDRegressor(random_state=0, epochs=5).fit(X, y)  # "auto": slow but stable
    assert reg.learning_rate_ == pytest.approx(0.5 * worst_batch_learning_rate(X, 32))
    assert reg.history_.loss[-1] < reg.history_.initial_loss


def test_cross_validation_and_grid_search_over_learning_rate_and_batch_size(diabetes):
    X, y = diabetes
    pipe = make_pipeline(StandardScaler(), GDRegressor(epochs=30, random_state=0))
    scores = cross_val_score(pipe, X, y, cv=3)
    assert scores.shape == (3,) and 0.3 < scores.mean() < 0.6
    grid = GridSearchCV(pipe, {"gdregressor__learning_rate": [1e-4, 0.01],
                               "gdregressor__batch_size": [8, 64]}, cv=3)
    grid.fit(X, y)
    assert grid.best_params_["gdregressor__learning_rate"] == 0.01  # 1e-4 is far too slow
    assert grid.cv_results_["mean_test_score"].shape == (4,)


def test_partial_fit_streams_chunks_from_a_memmap(tmp_path, diabetes):
    X, y = diabetes
    Xs = StandardScaler().fit_transform(X)
    path = tmp_path / "X.npy"
    np.save(path, np.c_[Xs, y])
    data = np.load(path, mmap_mode="r")
    reg = GDRegressor(variant="stochastic", learning_rate=0.01, random_state=0)
    for _epoch in range(20):
        for start in range(0, len(data), 100):
            chunk = data[start : start + 100]
            reg.partial_fit(chunk[:, :-1], chunk[:, -1])
    assert reg.n_iter_ == 20 * 5
    exact = LinearRegression(n_features=10)
    exact.params = np.linalg.lstsq(np.c_[Xs, np.ones(len(y))], y, rcond=None)[0]
    assert exact.score(Xs, y) - 0.05 < reg.score(Xs, y) <= exact.score(Xs, y)
    # each call is one pass over its chunk, as Trainer(epochs=1) on it
    first = GDRegressor(variant="stochastic", learning_rate=0.01, random_state=0)
    first.partial_fit(Xs[:100], y[:100])
    assert first.history_.n_epochs == 1 and first.history_.steps_per_epoch == 100


def test_partial_fit_follows_the_schedule_one_epoch_per_call():
    X = np.random.default_rng(0).standard_normal((40, 2))
    y = X @ [1.0, -2.0]
    reg = GDRegressor(variant="batch", learning_rate=0.1, schedule="invscaling")
    rates = [reg.partial_fit(X, y).history_.learning_rate[0] for _ in range(3)]
    np.testing.assert_allclose(rates, [0.1, 0.1 / 2, 0.1 / 3])  # InverseScalingLR(decay=1)


def test_validation_fraction_records_validation_loss_and_stops_on_it(diabetes):
    X, y = diabetes
    reg = GDRegressor(validation_fraction=0.25, tol=1.0, patience=3, restore_best=True,
                      epochs=500, random_state=0)
    make_pipeline(StandardScaler(), reg).fit(X, y)
    history = reg.history_
    assert history.val_loss.shape == history.loss.shape
    assert history.stop_reason == "converged"
    assert history.best_epoch == int(np.argmin(history.val_loss))
    with pytest.raises(ValueError, match=r"validation_fraction must be None or a number "
                       r"strictly between 0 and 1, got 1.5"):
        GDRegressor(validation_fraction=1.5).fit(X, y)


def test_same_steps_as_sgdregressor_with_twice_the_rate():
    """gdbook's loss is the MSE, sklearn's half of it: eta0 = 2 * learning_rate."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((50, 3))
    y = X @ [1.0, -2.0, 0.5] + 3 + 0.1 * rng.standard_normal(50)
    lr = 0.01
    sk = SGDRegressor(loss="squared_error", penalty=None, learning_rate="constant",
                      eta0=2 * lr, max_iter=5, tol=None, shuffle=False)
    sk.fit(X, y, coef_init=np.zeros(3), intercept_init=0.0)
    model = LinearRegression(n_features=3)
    model.params = np.zeros(4)
    Trainer(StochasticGD(learning_rate=lr), epochs=5, order="sequential").fit(model, X, y)
    np.testing.assert_allclose(model.weights, sk.coef_, rtol=1e-10)
    assert model.bias == pytest.approx(sk.intercept_[0], rel=1e-10)


def test_convergence_warning_is_also_sklearns():
    X = np.random.default_rng(0).standard_normal((40, 2))
    y = X @ [1.0, -2.0]
    with pytest.warns(SklearnConvergenceWarning) as record:
        GDRegressor(tol=1e-12, epochs=3, random_state=0).fit(X, y)
    assert isinstance(record[0].message, ConvergenceWarning)


def test_mlp_regressor_with_a_standardised_target(diabetes):
    X, y = diabetes
    net = GDMLPRegressor(hidden_layer_sizes=(16,), activation="relu", learning_rate=0.01,
                         epochs=100, random_state=0)
    with pytest.raises(DivergenceError, match=r"the target is not"):
        make_pipeline(StandardScaler(), net).fit(X, y)
    model = TransformedTargetRegressor(make_pipeline(StandardScaler(), net),
                                       transformer=StandardScaler()).fit(X, y)
    assert model.score(X, y) > 0.5


def test_bad_hyperparameters_fail_at_fit_with_gdbook_messages():
    X = np.random.default_rng(0).standard_normal((20, 2))
    y = X[:, 0]
    for params, error, match in [
        ({"variant": "adam"}, ValueError, r"variant must be one of 'batch', 'stochastic', "
         r"'minibatch', got 'adam'"),
        ({"learning_rate": -1.0}, ValueError, r"learning_rate must be a finite number > 0"),
        ({"learning_rate": "fast"}, TypeError, r"learning_rate must be a real number > 0"),
        ({"batch_size": 0}, ValueError, r"batch_size must be an integer >= 1"),
        ({"random_state": "x"}, ValueError, r"random_state must be None, an int"),
    ]:
        with pytest.raises(error, match=match):
            GDRegressor(**params).fit(X, y)
    with pytest.raises(ValueError, match=r"learning_rate='auto' needs a model"):
        GDMLPRegressor(learning_rate="auto").fit(X, y)


def test_importing_gdbook_imports_numpy_only():
    code = (
        "import sys, gdbook\n"
        "heavy = {'sklearn', 'pandas', 'tqdm', 'matplotlib', 'scipy', 'numba'}\n"
        "print(sorted(heavy & {m.split('.')[0] for m in sys.modules}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        code = "import sys, gdbook.sklearn; print('sklearn' in sys.modules)"
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             check=True)
    assert out.stdout.strip() == "True"


def test_dask_ml_incremental_streams_blocks_through_partial_fit():
    """Not installed by the test extra (dask is heavy); runs where dask-ml is present."""
    dask = pytest.importorskip("dask")
    da = pytest.importorskip("dask.array")
    wrappers = pytest.importorskip("dask_ml.wrappers")
    X, y = load_diabetes(return_X_y=True)
    Xs = StandardScaler().fit_transform(X)
    dX, dy = da.from_array(Xs, chunks=(100, 10)), da.from_array(y, chunks=(100,))
    with dask.config.set(scheduler="single-threaded"):
        incremental = wrappers.Incremental(
            GDRegressor(variant="stochastic", learning_rate=0.01, random_state=0),
            shuffle_blocks=False)
        for _ in range(3):
            incremental.partial_fit(dX, dy)
    by_hand = GDRegressor(variant="stochastic", learning_rate=0.01, random_state=0)
    for _ in range(3):
        for start in range(0, len(y), 100):
            by_hand.partial_fit(Xs[start : start + 100], y[start : start + 100])
    np.testing.assert_array_equal(incremental.estimator_.coef_, by_hand.coef_)
    assert incremental.estimator_.n_iter_ == 3 * 5
