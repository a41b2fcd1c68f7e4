"""make_linear_data: the article's data, drawn in the article's order."""

import numpy as np
import pytest

from gdbook import make_linear_data


def test_the_defaults_are_the_articles_data_bit_for_bit():
    rng = np.random.default_rng(0)  # the article's program: x first, then the noise
    x = rng.random(100)
    y = 2 * x + 1 + rng.standard_normal(100) * 0.1
    X, Y = make_linear_data(seed=0)
    assert X.shape == (100,) and Y.shape == (100,)
    np.testing.assert_array_equal(X, x)
    np.testing.assert_array_equal(Y, y)


def test_several_features_and_their_coefficients():
    rng = np.random.default_rng(3)
    X = rng.random((40, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + 4.0 + rng.standard_normal(40) * 0.5
    X2, y2 = make_linear_data(40, n_features=3, slope=[1.0, -2.0, 0.5], intercept=4.0,
                              noise=0.5, seed=3)
    np.testing.assert_array_equal(X2, X)
    np.testing.assert_array_equal(y2, y)
    X1, _ = make_linear_data(5, n_features=1, seed=0)
    assert X1.shape == (5, 1)  # asked for one feature: 2-D


def test_no_noise_is_the_exact_line():
    X, y = make_linear_data(10, slope=3.0, intercept=-1.0, noise=0, seed=0)
    np.testing.assert_array_equal(y, 3.0 * X - 1.0)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"slope": [1.0, np.inf], "n_features": 2},
     "slope must be finite, got [1.0, inf]"),
    ({"slope": [1.0, 2.0]}, "slope must be a number or have shape (1,) to match n_features=1, "
                            "got shape (2,)"),
    ({"noise": -0.1}, "noise must be >= 0 (a standard deviation), got -0.1"),
    ({"intercept": np.nan}, "intercept must be finite, got nan"),
])
def test_bad_arguments_word_for_word(kwargs, message):
    with pytest.raises(ValueError) as info:
        make_linear_data(**kwargs)
    assert str(info.value) == message
