"""The stability bounds of least squares against numpy's eigenvalues, at every scale."""

import warnings

import numpy as np
import pytest

from gdbook import (
    LinearRegression,
    max_stable_learning_rate,
    mse_hessian,
    worst_batch_learning_rate,
)


def hessian(X):
    """2/n [X, 1]ᵀ[X, 1], written out."""
    A = np.c_[np.reshape(X, (len(X), -1)), np.ones(len(X))]
    return 2 / len(A) * A.T @ A


@pytest.mark.parametrize("shape", [(7,), (7, 1), (5, 3), (2, 4)])
def test_the_hessian_is_two_over_n_times_the_gram_matrix(shape):
    X = np.random.default_rng(0).normal(size=shape) * 3 + 1
    H = mse_hessian(X)
    np.testing.assert_allclose(H, hessian(X), rtol=1e-14, atol=1e-14)
    assert H.shape == (X.reshape(len(X), -1).shape[1] + 1,) * 2
    np.testing.assert_array_equal(H, H.T)
    assert H[-1, -1] == 2.0  # the intercept's own entry: 2/n * n


def test_the_hessian_of_integers_and_lists():
    np.testing.assert_array_equal(mse_hessian([[0, 1], [2, 3]]), hessian(np.array([[0.0, 1],
                                                                                     [2, 3]])))


def test_a_hessian_that_overflows_is_refused_with_the_scale():
    with pytest.raises(ValueError) as info:
        mse_hessian(np.array([1e160, 2.0]))
    assert str(info.value) == (
        "X has values as large as 1e+160: the entries of the loss Hessian overflow float64; "
        "standardise the features (subtract each column's mean and divide by its standard "
        "deviation) before training")


@pytest.mark.parametrize("scale", [1e-150, 1e-20, 1.0, 3.0, 1e20, 1e150])
def test_the_bound_is_two_over_the_largest_eigenvalue_at_every_scale(scale):
    X = np.random.default_rng(1).normal(size=(6, 2))
    reference = 2 / np.linalg.eigvalsh(hessian(X))[-1]  # at scale 1
    bound = max_stable_learning_rate(X * scale)
    # the intercept column does not scale with X: compare where one of them dominates
    if scale >= 1e20:
        assert bound == pytest.approx(reference / scale**2, rel=1e-9)
    elif scale <= 1e-20:
        assert bound == pytest.approx(1.0, rel=1e-9)  # 2 / λ of [[~0, ~0], [~0, 2]]
    else:
        assert bound == pytest.approx(2 / np.linalg.eigvalsh(hessian(X * scale))[-1],
                                      rel=1e-12)


def test_a_bound_below_the_smallest_normal_float_is_refused():
    with pytest.raises(ValueError) as info:
        max_stable_learning_rate(np.array([3e160, 1.0]))
    message = str(info.value)
    assert message.startswith("X has values as large as 3e+160: the stable learning rate (")
    assert message.endswith(") is below the smallest normal float64; standardise the features "
                            "(subtract each column's mean and divide by its standard "
                            "deviation) before training")
    assert max_stable_learning_rate(np.array([1e150, 1.0])) > 0  # just above: still a bound


@pytest.mark.parametrize("value", [1e200, 2.0**1023, np.finfo(np.float64).max])
def test_features_up_to_the_largest_float_are_refused_with_a_zero_bound_and_no_warning(value):
    # the true bound, about 1 / value², is far below 1e-308 and prints as 0; from 2**1023 up
    # the power of two that scales X must stop at 2**1023 (2**1024 is inf in float64)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError) as info:
            max_stable_learning_rate(np.array([value, -value, 1.0]))
    assert str(info.value).startswith(
        f"X has values as large as {value:.3g}: the stable learning rate (0) is below the "
        f"smallest normal float64; standardise the features")


def test_a_bound_of_exactly_the_smallest_normal_float_is_returned():
    # every row 2**511: H = 2 [[2**1022, 2**511], [2**511, 1]] has the eigenvalues 0 and
    # 2 (2**1022 + 1), which rounds to 2**1023, so the bound 2 / λ is 2**-1022 in float64
    bound = max_stable_learning_rate(np.full(4, 2.0**511))
    assert bound == 2.0**-1022 == np.finfo(np.float64).tiny


def test_a_hessian_that_overflows_to_both_infinities_is_refused_without_a_numpy_warning():
    # numpy sums a column in eight interleaved partial sums: here +inf and -inf, then nan
    X = np.tile([1e308, -1e308], 8)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match=r"^X has values as large as 1e\+308: the entries "
                                             r"of the loss Hessian overflow float64; "):
            mse_hessian(X)


@pytest.mark.parametrize(("X", "message"), [
    (np.zeros((0, 2)), "X must be a non-empty 1-D or 2-D array of features, got shape (0, 2)"),
    (np.zeros((2, 2, 2)), "X must be a non-empty 1-D or 2-D array of features, got shape "
                          "(2, 2, 2)"),
])
def test_bad_features(X, message):
    for function in (max_stable_learning_rate, mse_hessian,
                     lambda X: worst_batch_learning_rate(X, 1)):
        with pytest.raises(ValueError) as info:
            function(X)
        assert str(info.value) == message
    with pytest.raises(ValueError, match=r"^X must be finite"):
        max_stable_learning_rate([1.0, np.inf])


def test_non_numeric_features_are_named_x():
    for function in (max_stable_learning_rate, mse_hessian,
                     lambda X: worst_batch_learning_rate(X, 1)):
        with pytest.raises(TypeError, match=r"^X must hold real numbers \(integer or float "
                                            r"dtype\), got dtype <U1 from "):
            function(["a", "b"])


def test_worst_batch_bounds_on_rows_of_known_length():
    # rows of [X, 1] with squared lengths 1 + x²: 1, 2, 5, 10, 17
    X = np.array([0.0, 1.0, 2.0, 3.0, 4.0])
    assert worst_batch_learning_rate(X, 1) == 1 / 17
    assert worst_batch_learning_rate(X, 2, replacement=True) == 1 / 17
    # batches of 2 out of 5: the two longest (17 + 10), and the last batch of 1 row (17)
    assert worst_batch_learning_rate(X, 2) == 1 / 17
    assert worst_batch_learning_rate(X, 2, drop_last=True) == 2 / 27
    assert worst_batch_learning_rate(X, 3) == pytest.approx(min(3 / 32, 2 / 27), rel=1e-15)
    assert worst_batch_learning_rate(X, 4, drop_last=True) == 4 / 34
    assert worst_batch_learning_rate(X, 5) == max_stable_learning_rate(X)
    assert worst_batch_learning_rate(X, 6) == max_stable_learning_rate(X)
    assert worst_batch_learning_rate(X, 5, replacement=True) == 1 / 17


def test_the_model_asks_the_right_function():
    X = np.array([[0.0, 1.0], [2.0, 0.5], [1.0, 1.0], [3.0, 0.0]])
    model = LinearRegression(n_features=2)
    assert model.max_stable_learning_rate(X) == max_stable_learning_rate(X)
    assert model.max_stable_learning_rate(X, 1) == worst_batch_learning_rate(X, 1)
    for kwargs in ({"replacement": True}, {"drop_last": True}, {}):
        assert model.max_stable_learning_rate(X, 3, **kwargs) == worst_batch_learning_rate(
            X, 3, **kwargs)
    assert model.max_stable_learning_rate(X, 3, drop_last=True) != model.max_stable_learning_rate(
        X, 3)


def test_bad_batch_sizes():
    with pytest.raises(ValueError, match=r"^batch_size must be an integer >= 1, got 0$"):
        worst_batch_learning_rate(np.ones(3), 0)
    with pytest.raises(TypeError, match=r"^batch_size must be an integer >= 1, got 1\.0$"):
        worst_batch_learning_rate(np.ones(3), 1.0)
