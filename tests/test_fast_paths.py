"""Every fast path (gdbook._fast) against the readable loop (trainer.run_epoch) on the same rows.

The reference is the same `Trainer.fit` with `GDBOOK_FAST=off`; the fast runs force a
backend with `GDBOOK_FAST=numpy` or `GDBOOK_FAST=numba` (skipped when numba is absent).
"""

import importlib.util

import numpy as np
import pytest

import gdbook.trainer
from gdbook import (
    BatchGD,
    DivergenceError,
    GradientDescent,
    LinearRegression,
    MiniBatchGD,
    StochasticGD,
    Trainer,
    _fast,
    _fast_scan,
    make_linear_data,
)

HAS_NUMBA = importlib.util.find_spec("numba") is not None
BACKENDS = ["numpy", pytest.param("numba", marks=pytest.mark.skipif(not HAS_NUMBA,
                                                                     reason="numba not installed"))]
RTOL = {np.float64: 1e-10, np.float32: 2e-4}
VARIANTS = {
    "batch": lambda: BatchGD(learning_rate=0.3),
    "stochastic": lambda: StochasticGD(learning_rate=0.05),
    "minibatch": lambda: MiniBatchGD(batch_size=7, learning_rate=0.1),
}


def data(d, dtype=np.float64, n=251, seed=0):
    X, y = make_linear_data(n_samples=n, n_features=None if d == 1 else d, noise=0.3, seed=seed)
    return X.astype(dtype), y.astype(dtype)


def fit(mode, monkeypatch, optimizer, X, y, **kwargs):
    monkeypatch.setenv("GDBOOK_FAST", mode)
    model = LinearRegression(n_features=1 if X.ndim == 1 else X.shape[1], seed=3)
    kwargs = {"epochs": 4, "seed": 11, "record_steps": True, **kwargs}
    history = Trainer(optimizer, **kwargs).fit(model, X, y)
    return history, model


def readable_loop_calls(monkeypatch):
    calls = []
    reference = gdbook.trainer.run_epoch

    def counting(*args):
        calls.append(1)
        return reference(*args)

    monkeypatch.setattr(gdbook.trainer, "run_epoch", counting)
    return calls


def assert_same(fast, ref, rtol):
    for name in ("loss", "grad_norm", "params"):
        np.testing.assert_allclose(getattr(fast, name), getattr(ref, name), rtol=rtol, atol=0,
                                   err_msg=name)
    # A one-row loss near the minimum is a difference of O(1) numbers: in float32 its
    # relative rounding is large, so it is compared in absolute terms there as well.
    atol = 0 if fast.params.dtype == np.float64 else 1e-6
    np.testing.assert_allclose(fast.step_loss, ref.step_loss, rtol=rtol, atol=atol)
    assert fast.params.dtype == ref.params.dtype
    assert fast.step_loss.dtype == ref.step_loss.dtype
    assert (fast.steps_per_epoch, fast.n_epochs) == (ref.steps_per_epoch, ref.n_epochs)
    assert fast.initial_loss == pytest.approx(ref.initial_loss, rel=rtol)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("d", [1, 3])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_fast_path_matches_readable_loop(backend, variant, d, dtype, monkeypatch):
    X, y = data(d, dtype)
    ref, _ = fit("off", monkeypatch, VARIANTS[variant](), X, y)
    calls = readable_loop_calls(monkeypatch)
    fast, _ = fit(backend, monkeypatch, VARIANTS[variant](), X, y)
    assert_same(fast, ref, RTOL[dtype])
    # numpy has no fast mini-batch path for several features: that case runs the readable loop
    expect_fast = backend == "numba" or variant == "batch" or d == 1
    assert (len(calls) == 0) == expect_fast


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("d", [10, 17])
def test_wider_rows_match_readable_loop(backend, variant, d, monkeypatch):
    """Both loops of the compiled full-data sums (short rows, and from 16 features on), with
    row ranges that do not divide into the four rows those loops take at a time."""
    X, y = data(d, n=1003)
    # batch GD at 0.3 diverges on 10 and 17 features (bounds 0.28, 0.19), which fit reports
    optimizer = BatchGD(learning_rate=0.1) if variant == "batch" else VARIANTS[variant]()
    ref, _ = fit("off", monkeypatch, optimizer, X, y, epochs=3)
    fast, _ = fit(backend, monkeypatch, optimizer, X, y, epochs=3)
    for name in ("loss", "grad_norm", "params"):
        np.testing.assert_allclose(getattr(fast, name), getattr(ref, name), rtol=1e-10, atol=0,
                                   err_msg=name)
    # A one-row residual can come out near zero, a difference of O(1) numbers whose last
    # bits depend on the order of the dot product's additions: its square is compared to
    # 1e-15 absolute as well (losses here are about 0.1).
    np.testing.assert_allclose(fast.step_loss, ref.step_loss, rtol=1e-10, atol=1e-15)
    assert fast.initial_loss == pytest.approx(ref.initial_loss, rel=1e-10)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(
    "options",
    [{"shuffle": False}, {"drop_last": True}, {"shuffle": False, "drop_last": True},
     {"record_steps": False}, {"epochs": 1}],
)
@pytest.mark.parametrize("d", [1, 4])
def test_options_match_readable_loop(backend, options, d, monkeypatch):
    X, y = data(d)
    opt = MiniBatchGD(batch_size=10, learning_rate=0.1, schedule="invscaling")
    ref, _ = fit("off", monkeypatch, opt, X, y, **options)
    fast, _ = fit(backend, monkeypatch, opt, X, y, **options)
    for name in ("loss", "grad_norm", "params", "learning_rate"):
        np.testing.assert_allclose(getattr(fast, name), getattr(ref, name), rtol=1e-10, atol=0)
    if options.get("record_steps", True):
        np.testing.assert_allclose(fast.step_loss, ref.step_loss, rtol=1e-10, atol=0)
    else:
        assert fast.step_loss is None and ref.step_loss is None
    assert fast.steps_per_epoch == ref.steps_per_epoch


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("batch_size", [1, 2, 5, 64])
@pytest.mark.parametrize("order", ["shuffle", "sequential"])
def test_many_chunks_and_batches_that_do_not_divide(backend, batch_size, order, monkeypatch):
    monkeypatch.setattr(_fast_scan, "ROWS_PER_CHUNK", 40)  # several chunks, the last one short
    X, y = data(1, n=333)
    opt = MiniBatchGD(batch_size=batch_size, learning_rate=0.02)
    ref, _ = fit("off", monkeypatch, opt, X, y, epochs=2, order=order)
    fast, _ = fit(backend, monkeypatch, opt, X, y, epochs=2, order=order)
    assert_same(fast, ref, 1e-10)


@pytest.mark.parametrize("backend", BACKENDS)
def test_large_data_full_batch(backend, monkeypatch):
    """More rows than one block of the numpy evaluation, and than numba's parallel threshold."""
    X, y = data(6, n=60_000)
    ref, _ = fit("off", monkeypatch, BatchGD(learning_rate=0.3), X, y, epochs=3)
    fast, _ = fit(backend, monkeypatch, BatchGD(learning_rate=0.3), X, y, epochs=3)
    assert_same(fast, ref, 1e-10)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("variant", VARIANTS)
def test_same_seed_gives_bit_identical_history(backend, variant, monkeypatch):
    X, y = data(2)
    one, _ = fit(backend, monkeypatch, VARIANTS[variant](), X, y)
    two, _ = fit(backend, monkeypatch, VARIANTS[variant](), X, y)
    for name in ("loss", "grad_norm", "step_loss", "params"):
        np.testing.assert_array_equal(getattr(one, name), getattr(two, name))


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("variant", VARIANTS)
def test_divergence_is_detected_at_the_same_epoch(backend, variant, monkeypatch):
    X, y = data(3)
    errors = []
    for mode in ("off", backend):
        optimizer = VARIANTS[variant]()
        optimizer.learning_rate = 5.0
        with pytest.raises(DivergenceError) as info:
            fit(mode, monkeypatch, optimizer, X, y, epochs=50)
        errors.append(info.value)
    assert errors[0].epoch == errors[1].epoch
    assert errors[0].max_stable_learning_rate == errors[1].max_stable_learning_rate


@pytest.mark.parametrize("backend", BACKENDS)
def test_callback_that_changes_params_is_seen_by_batch_gd(backend, monkeypatch):
    """Batch GD reuses the last full-data gradient only while the parameters are unchanged."""
    def shake(epoch, loss, model):
        model.params[0] += 0.5

    X, y = data(2)
    ref, _ = fit("off", monkeypatch, BatchGD(learning_rate=0.3), X, y, callbacks=[shake])
    fast, _ = fit(backend, monkeypatch, BatchGD(learning_rate=0.3), X, y, callbacks=[shake])
    assert_same(fast, ref, 1e-10)


def test_numpy_path_declines_steps_that_could_expand(monkeypatch):
    """One feature, but a learning rate past the non-expansive bound: the readable loop runs."""
    X, y = data(1)
    ref, _ = fit("off", monkeypatch, StochasticGD(learning_rate=0.55), X, y, epochs=2)
    calls = readable_loop_calls(monkeypatch)
    fast, _ = fit("numpy", monkeypatch, StochasticGD(learning_rate=0.55), X, y, epochs=2)
    assert len(calls) == 2
    np.testing.assert_array_equal(fast.params, ref.params)


def test_subclasses_that_change_the_math_get_the_readable_loop(monkeypatch):
    class Halved(LinearRegression):
        def loss_and_grad(self, X, y):
            loss, grad = super().loss_and_grad(X, y)
            return loss, grad / 2

    class Momentumless(GradientDescent):
        @staticmethod
        def update(params, grad, learning_rate):
            params -= 0.5 * learning_rate * grad

    monkeypatch.setenv("GDBOOK_FAST", "numpy")
    X, y = data(1)
    assert Halved(seed=0)._fast_epochs(BatchGD(), X.reshape(-1, 1), y, len(y), False) is None
    model = LinearRegression(seed=0)
    assert model._fast_epochs(Momentumless(), X.reshape(-1, 1), y, len(y), False) is None
    assert model._fast_epochs(BatchGD(), X.reshape(-1, 1), y, len(y), False) is not None


def test_auto_mode_leaves_small_data_to_the_readable_loop(monkeypatch):
    monkeypatch.delenv("GDBOOK_FAST", raising=False)
    X, y = data(1, n=_fast.MIN_ROWS - 1)
    assert LinearRegression(seed=0)._fast_epochs(BatchGD(), X.reshape(-1, 1), y, 10, False) is None


def test_unknown_mode_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("GDBOOK_FAST", "fastest")
    with pytest.raises(ValueError, match=r"GDBOOK_FAST must be one of auto, numba, numpy, off"):
        Trainer(BatchGD(), epochs=1).fit(LinearRegression(seed=0), *data(1))


@pytest.mark.skipif(not HAS_NUMBA, reason="numba not installed")
@pytest.mark.parametrize("bit_generator", [np.random.PCG64, np.random.MT19937, np.random.Philox])
def test_compiled_permutation_draws_what_numpy_draws(bit_generator):
    from gdbook import _fast_numba

    for n in (0, 1, 2, 3, 17, 1000, 40_000):
        ours, theirs = np.random.Generator(bit_generator(n)), np.random.Generator(bit_generator(n))
        for _ in range(2):  # and leaves the generator where numpy leaves it
            order = _fast_numba.permutation(ours, n)
            np.testing.assert_array_equal(order, theirs.permutation(n))
            assert order.dtype == np.int32  # half the memory of numpy's int64
        assert ours.random() == theirs.random()


@pytest.mark.parametrize("backend", BACKENDS)
def test_long_double_data_take_the_numpy_paths(backend, monkeypatch):
    """numba has no long double: such data train in long double on the numpy paths."""
    X, y = data(1)
    X, y = X.astype(np.longdouble), y.astype(np.longdouble)
    opt = MiniBatchGD(batch_size=10, learning_rate=0.05)
    ref, _ = fit("off", monkeypatch, opt, X, y)
    fast, model = fit(backend, monkeypatch, opt, X, y)
    assert model.params.dtype == np.longdouble
    np.testing.assert_allclose(fast.params, ref.params, rtol=1e-10)


@pytest.mark.skipif(not HAS_NUMBA, reason="numba not installed")
@pytest.mark.parametrize("d", [1, 5, 20])
def test_threads_give_the_totals_of_one_thread(d, monkeypatch):
    """Full-data sums shared among threads add the same row ranges in the same order."""
    from gdbook import _fast_numba

    X, y = data(d, n=5003)
    X = X.reshape(len(y), -1)
    params = np.linspace(-1, 1, d + 1)
    monkeypatch.setattr(_fast_numba, "PARALLEL_SIZE", 1)
    shared = _fast_numba.sums(X, y, params)
    monkeypatch.setattr(_fast_numba, "PARALLEL_SIZE", X.size + 1)
    alone = _fast_numba.sums(X, y, params)
    np.testing.assert_array_equal(shared, alone)
    residual = X @ params[:-1] + params[-1] - y
    np.testing.assert_allclose(alone, [*(residual @ X), residual.sum(), residual @ residual],
                               rtol=1e-12)


def test_auto_mode_takes_the_fast_paths_from_min_rows_on(monkeypatch):
    monkeypatch.delenv("GDBOOK_FAST", raising=False)
    X, y = data(1, n=_fast.MIN_ROWS)
    assert LinearRegression(seed=0)._fast_epochs(BatchGD(), X.reshape(-1, 1), y, 10,
                                                 False) is not None


def test_numpy_path_takes_steps_up_to_the_non_expansive_bound(monkeypatch):
    """The vectorised scan runs while eta * (1 + max x**2) <= 1: here exactly 1."""
    X, y = data(1)
    X = X / np.max(np.abs(X))  # max |x| = 1, so the bound is eta = 0.5
    ref, _ = fit("off", monkeypatch, StochasticGD(learning_rate=0.5), X, y, epochs=2)
    calls = readable_loop_calls(monkeypatch)
    fast, _ = fit("numpy", monkeypatch, StochasticGD(learning_rate=0.5), X, y, epochs=2)
    assert len(calls) == 0
    assert_same(fast, ref, 1e-10)


@pytest.mark.parametrize("backend", BACKENDS)
def test_batch_gd_reads_the_data_once_per_epoch(backend, monkeypatch):
    """The full-data loss after a step is the next step's: one pass over X per epoch, plus the
    first evaluation (unless a callback moves the parameters in between)."""
    passes = []
    if backend == "numpy":
        reference = _fast._numpy_sums
        monkeypatch.setattr(_fast, "_numpy_sums", lambda *a: (passes.append(1), reference(*a))[1])
    else:
        from gdbook import _fast_numba

        reference = _fast_numba.sums
        monkeypatch.setattr(_fast_numba, "sums", lambda *a: (passes.append(1), reference(*a))[1])
    X, y = data(3)
    fit(backend, monkeypatch, BatchGD(learning_rate=0.3), X, y, epochs=5)
    assert len(passes) == 1 + 5


@pytest.mark.parametrize("d", [1, 3])
def test_float32_batch_gd_on_the_numpy_path_is_the_readable_loops_arithmetic(d, monkeypatch):
    """Data in one block: the same products and sums as `loss_and_grad`, in float32, so the same
    bits, not just the same numbers to float32's precision."""
    X, y = data(d, np.float32)
    ref, _ = fit("off", monkeypatch, BatchGD(learning_rate=0.3), X, y)
    fast, _ = fit("numpy", monkeypatch, BatchGD(learning_rate=0.3), X, y)
    for name in ("loss", "grad_norm", "params"):
        np.testing.assert_array_equal(getattr(fast, name), getattr(ref, name), err_msg=name)


@pytest.mark.skipif(not HAS_NUMBA, reason="numba not installed")
@pytest.mark.parametrize("variant", ["minibatch", "batch"])
def test_float32_compiled_steps_round_as_the_readable_loop(variant, monkeypatch):
    """The compiled kernels step in the data's dtype: `lr * ((2 / m) * grad)` in float32.

    Features that are powers of two make every product `x * r` exact, and a sum of two such
    products rounds once however it is added: on batches of two rows the kernels' sums are
    the readable loop's, bit for bit, and what is left to compare is the rounding of the
    steps, which a float64 step (or learning rate, or 2 / m) would change in the last bits.
    """
    rng = np.random.default_rng(5)
    n = 400 if variant == "minibatch" else 2
    X = rng.choice(np.array([-2, -1, -0.5, 0.5, 1, 2], np.float32), size=(n, 1))
    y = (3 * X[:, 0] + rng.normal(0, 0.3, n)).astype(np.float32)
    opt = {"minibatch": lambda: MiniBatchGD(batch_size=2, learning_rate=0.01),
           "batch": lambda: BatchGD(learning_rate=0.1)}[variant]
    ref, _ = fit("off", monkeypatch, opt(), X, y, epochs=3)
    fast, _ = fit("numba", monkeypatch, opt(), X, y, epochs=3)
    assert fast.params.dtype == np.float32
    np.testing.assert_array_equal(fast.params, ref.params)
