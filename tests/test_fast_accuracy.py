"""The fast paths are never much further from the exact answer than the readable loop.

Oracle: the readable loop run in long double (`GDBOOK_FAST=off` on `np.longdouble` data,
about 1e-19 relative rounding on x86-64), which follows the same trajectory as the
float64 and float32 runs up to their rounding. Each case is one that a differential
fuzz of the modes found (issue 12): the error of every fast path against this
reference may exceed the readable loop's own error by a small factor only.
"""

import importlib.util

import numpy as np
import pytest

from gdbook import (
    BatchGD,
    DivergenceError,
    LinearRegression,
    MiniBatchGD,
    StochasticGD,
    Trainer,
    max_stable_learning_rate,
)

HAS_NUMBA = importlib.util.find_spec("numba") is not None
FAST = ["numpy", pytest.param("numba", marks=pytest.mark.skipif(not HAS_NUMBA,
                                                                 reason="numba not installed"))]
LONG_DOUBLE_IS_WIDER = np.finfo(np.longdouble).eps < np.finfo(np.float64).eps / 100
needs_long_double = pytest.mark.skipif(not LONG_DOUBLE_IS_WIDER,
                                       reason="long double is float64 on this platform")


def fit(mode, monkeypatch, optimizer, X, y, *, epochs=1, seed=0, **options):
    monkeypatch.setenv("GDBOOK_FAST", mode)
    model = LinearRegression(n_features=1 if X.ndim == 1 else X.shape[1], seed=0)
    return Trainer(optimizer, epochs=epochs, seed=seed, **options).fit(model, X, y)


def trajectory(mode, monkeypatch, optimizer, X, y, **options):
    """The History of `fit`, also when the divergence guard rejects the run at its end (at
    the bound a run may end above its start): its verdict is not what is compared here."""
    try:
        return fit(mode, monkeypatch, optimizer, X, y, **options)
    except DivergenceError as error:
        return error.history


def errors(mode, monkeypatch, make_optimizer, X, y, dtype, **options):
    """Relative errors of (loss, grad_norm, params) of `mode` against the long-double run."""
    ref = trajectory("off", monkeypatch, make_optimizer(), X.astype(np.longdouble),
                     y.astype(np.longdouble), **options)
    run = trajectory(mode, monkeypatch, make_optimizer(), X.astype(dtype), y.astype(dtype),
                     **options)
    exact = [ref.loss[-1], ref.grad_norm[-1], ref.params]
    got = [run.loss[-1], run.grad_norm[-1], run.params]
    return [float(np.max(np.abs(np.asarray(g, np.longdouble) - e)) / np.max(np.abs(e)))
            for g, e in zip(got, exact, strict=True)]


def assert_no_worse(mode, monkeypatch, make_optimizer, X, y, dtype, factor=3.0, **options):
    readable = errors("off", monkeypatch, make_optimizer, X, y, dtype, **options)
    fast = errors(mode, monkeypatch, make_optimizer, X, y, dtype, **options)
    floor = np.finfo(dtype).eps  # errors below one rounding are all alike
    for name, f, r in zip(("loss", "grad_norm", "params"), fast, readable, strict=True):
        assert f <= factor * max(r, floor), f"{name}: {mode} {f:.3g}, readable loop {r:.3g}"


@needs_long_double
@pytest.mark.parametrize("mode", FAST)
def test_parameters_that_travel_far_within_an_epoch(mode, monkeypatch):
    """y = 3x + 1e6: the intercept travels from about 0 to 1e6 within the first epoch, so
    residuals fall from 1e6 to 1e-4; rebuilding them from the first ones loses 10 digits."""
    rng = np.random.default_rng(0)
    x = rng.random(20_000)
    y = 3 * x + 1e6 + 1e-4 * rng.standard_normal(x.size)
    lr = 0.3 / (1 + x.max() ** 2)
    assert_no_worse(mode, monkeypatch, lambda: StochasticGD(learning_rate=lr), x, y, np.float64)


@pytest.mark.parametrize("mode", FAST)
def test_exact_data_converge_as_far_as_the_readable_loop(mode, monkeypatch):
    """y = 0 is fitted exactly by w = b = 0: the loss falls geometrically, down to 1e-90 in an
    epoch, with no floor set by the residuals at the start of the epoch."""
    x = np.random.default_rng(0).random(20_000)
    y = np.zeros_like(x)
    ref = fit("off", monkeypatch, MiniBatchGD(batch_size=8, learning_rate=0.3), x, y)
    run = fit(mode, monkeypatch, MiniBatchGD(batch_size=8, learning_rate=0.3), x, y)
    assert ref.loss[-1] < 1e-80
    assert run.loss[-1] == pytest.approx(ref.loss[-1], rel=1e-6, abs=0)


@needs_long_double
@pytest.mark.parametrize("mode", FAST)
@pytest.mark.parametrize("fraction", [0.1, 0.9, 1.0])
def test_float32_sums_over_a_large_batch(mode, fraction, monkeypatch):
    """One batch of 25 170 rows with x about 1000 and y = 1e6: a float32 running total over
    the batch drifts by thousands of roundings, the readable loop's sums do not."""
    rng = np.random.default_rng(0)
    x = 1000 + rng.random(25_171)
    y = np.full_like(x, 1e6)
    lr = fraction * max_stable_learning_rate(x)
    assert_no_worse(mode, monkeypatch, lambda: MiniBatchGD(batch_size=25_170, learning_rate=lr),
                    x, y, np.float32)


@needs_long_double
@pytest.mark.parametrize("mode", FAST)
def test_float32_full_data_sums(mode, monkeypatch):
    """Batch GD's full-data loss and gradient in float32 over 200 000 rows."""
    rng = np.random.default_rng(1)
    X = 1000 + rng.random((200_000, 2))
    y = X @ [3.0, -2.0] + 5e3
    lr = 0.9 * max_stable_learning_rate(X)
    assert_no_worse(mode, monkeypatch, lambda: BatchGD(learning_rate=lr), X, y, np.float32,
                    epochs=2)


@pytest.mark.parametrize("mode", ["off", *FAST])
def test_huge_finite_features_give_a_clear_error(mode, monkeypatch):
    """1e155 squared overflows float64: a DivergenceError with its history (naming the scale in
    its cause), never numpy's LinAlgError from the stability bound."""
    rng = np.random.default_rng(0)
    X = 1e155 * rng.standard_normal((20_000, 3))
    y = rng.standard_normal(20_000)
    with pytest.raises(DivergenceError) as info:
        fit(mode, monkeypatch, BatchGD(learning_rate=0.1), X, y)
    assert info.value.history is not None and info.value.history.n_epochs == 1
    assert isinstance(info.value.__cause__, ValueError)
    assert "e+155" in str(info.value.__cause__)


def test_stability_bound_of_huge_features_names_the_scale():
    X = 1e155 * np.random.default_rng(0).standard_normal((100, 3))
    with pytest.raises(ValueError, match=r"X has values as large as .*e\+155.*standardi"):
        max_stable_learning_rate(X)


@pytest.mark.parametrize("scale", [1e-150, 1e-10, 1.0, 1e10, 1e150])
def test_stability_bound_scales_as_one_over_the_square(scale):
    """Scaling X by s scales the feature block of the Hessian by s**2 (the bias entry stays 1),
    so for large s the bound tends to 2 / (s**2 lambda_max(X.T X / n) * 2)."""
    X = np.random.default_rng(0).standard_normal((500, 2))
    H = 2 / len(X) * (X * scale).T @ (X * scale) if scale < 1e100 else None
    bound = max_stable_learning_rate(X * scale)
    assert np.isfinite(bound) and bound > 0
    if H is not None:
        Xt = np.hstack([X * scale, np.ones((500, 1))])
        exact = 2 / np.linalg.eigvalsh(2 / len(X) * Xt.T @ Xt)[-1]
        assert bound == pytest.approx(exact, rel=1e-12)
    else:
        exact = 2 / (scale**2 * np.linalg.eigvalsh(2 / len(X) * X.T @ X)[-1])
        assert bound == pytest.approx(exact, rel=1e-9)


@pytest.mark.parametrize("mode", FAST)
def test_overflowing_losses_read_inf_on_every_path(mode, monkeypatch):
    """Features of 1e150 and a learning rate far past the bound: the squares overflow in the
    first epoch. The loss is a sum of squares, so it is reported as inf, not nan."""
    rng = np.random.default_rng(0)
    X = 1e150 * rng.standard_normal((20_000, 3))
    y = rng.standard_normal(20_000)
    for optimizer in (BatchGD(learning_rate=0.1), MiniBatchGD(batch_size=100, learning_rate=0.1)):
        with pytest.raises(DivergenceError) as info:
            fit(mode, monkeypatch, optimizer, X, y, epochs=3)
        assert info.value.loss == np.inf and info.value.history.loss[-1] == np.inf
        assert np.isfinite(info.value.max_stable_learning_rate)


@pytest.mark.parametrize("mode", FAST)
def test_float32_features_beyond_the_square_root_of_the_largest_float(mode, monkeypatch):
    """|x| > 1.8e19 in float32: training diverges (a DivergenceError), with no stray
    overflow RuntimeWarning (pytest turns warnings into errors)."""
    rng = np.random.default_rng(0)
    x = (2e19 * rng.standard_normal(20_000)).astype(np.float32)
    y = rng.standard_normal(20_000).astype(np.float32)
    with pytest.raises(DivergenceError):
        fit(mode, monkeypatch, StochasticGD(learning_rate=0.1), x, y)


@pytest.mark.parametrize("dtype", [np.int8, np.uint8, np.int16, np.int32, np.int64])
def test_integer_data_train_in_float64(dtype, monkeypatch):
    X = np.arange(40, dtype=dtype).reshape(20, 2) % 7
    y = np.arange(20, dtype=dtype) % 5
    model = LinearRegression(n_features=2, seed=0)
    Trainer(BatchGD(learning_rate=0.01), epochs=2).fit(model, X, y)
    assert model.params.dtype == np.float64


@pytest.mark.skipif(not HAS_NUMBA, reason="numba not installed")
def test_a_column_of_a_table_takes_the_compiled_kernels(monkeypatch):
    """A strided column (a column of a 2-D array or of a DataFrame's values) is copied, not
    left to the one-feature scan: contiguity alone does not pick the path."""
    monkeypatch.delenv("GDBOOK_FAST", raising=False)
    rng = np.random.default_rng(0)
    table = rng.random((20_000, 3))
    x, y = table[:, 0], table[:, 1] * 2 + 1
    assert not x.flags.c_contiguous
    fast = LinearRegression(seed=0)._fast_epochs(StochasticGD(), x.reshape(-1, 1), y, 1, False)
    assert fast.kernels is not None
    strided = fit("auto", monkeypatch, StochasticGD(learning_rate=0.1), x, y, epochs=2)
    copied = fit("auto", monkeypatch, StochasticGD(learning_rate=0.1), x.copy(), y, epochs=2)
    np.testing.assert_array_equal(strided.params, copied.params)
    np.testing.assert_array_equal(strided.loss, copied.loss)


@pytest.mark.parametrize("mode", FAST)
def test_a_tiny_intercept_error_decays_as_in_the_readable_loop(mode, monkeypatch):
    """The slope is exact and the intercept off by 1e-9: every step moves the intercept by a
    fifth and the slope not at all (each batch of two rows has x and -x). The fast paths take
    those 50 steps, not one: a step is accepted against the size of the parameters and of the
    step, whatever their scale."""
    x = np.repeat(np.random.default_rng(0).uniform(0.5, 1, 50), 2) * np.tile([1, -1], 50)
    y = 3 * x
    runs = []
    for run_mode in ("off", mode):
        monkeypatch.setenv("GDBOOK_FAST", run_mode)
        model = LinearRegression(seed=0)
        model.params[:] = [3.0, 1e-9]
        Trainer(MiniBatchGD(batch_size=2, learning_rate=0.1), epochs=1,
                order="sequential").fit(model, x, y)
        runs.append(model.params)
    readable, fast = runs
    exact = 1e-9 * 0.8**50
    # The readable loop's own error: 3x + b - y cancels all but the last bits of b.
    assert abs(readable[1] - exact) < 0.01 * exact
    assert abs(fast[1] - exact) <= 3 * abs(readable[1] - exact)
    assert fast[0] == pytest.approx(3.0, rel=1e-15, abs=0)
