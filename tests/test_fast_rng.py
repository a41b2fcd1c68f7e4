"""The compiled row orders (gdbook._fast_rng) draw what numpy draws, and leave the generator
where numpy leaves it: the oracle is numpy's own `permutation` and `integers`."""

import importlib.util

import numpy as np
import pytest

pytestmark = pytest.mark.skipif(importlib.util.find_spec("numba") is None,
                                reason="numba not installed")

SIZES = [0, 1, 2, 3, 17, 255, 256, 257, 1000, 40_000, 2**16 + 1]
GENERATORS = [np.random.PCG64, np.random.MT19937, np.random.Philox, np.random.PCG64DXSM]


def pairs(bit_generator, seed):
    """Two generators in the same state, each having made an odd number of 32-bit draws, so
    the next 32-bit draw comes from PCG64's buffered upper half."""
    ours, theirs = (np.random.Generator(bit_generator(seed)) for _ in range(2))
    for rng in (ours, theirs):
        rng.integers(10, size=3, dtype=np.uint32)
    return ours, theirs


def assert_same_state(ours, theirs):
    """The next 32-bit draws (PCG64's buffered half first) and 64-bit draws agree."""
    for draw in (lambda rng: rng.integers(2**32, size=3, dtype=np.uint32),
                 lambda rng: rng.bit_generator.random_raw(3)):
        np.testing.assert_array_equal(draw(ours), draw(theirs))


@pytest.mark.parametrize("bit_generator", GENERATORS)
@pytest.mark.parametrize("n", SIZES)
def test_permutation_draws_what_numpy_draws(bit_generator, n):
    from gdbook import _fast_rng

    ours, theirs = pairs(bit_generator, n)
    for _ in range(2):
        order = _fast_rng.permutation(ours, n)
        np.testing.assert_array_equal(order, theirs.permutation(n))
        assert order.dtype == np.int32  # half the memory of numpy's int64
    assert_same_state(ours, theirs)


@pytest.mark.parametrize("bit_generator", GENERATORS)
@pytest.mark.parametrize("n", [1, 2, 3, 17, 1000, 3_000_000_000])
def test_integers_draw_what_numpy_draws(bit_generator, n):
    from gdbook import _fast_rng

    ours, theirs = pairs(bit_generator, 7)
    size = min(n, 5000)  # a huge bound: the first draws are enough
    for _ in range(2):
        np.testing.assert_array_equal(_fast_rng.integers(ours, n, size),
                                      theirs.integers(n, size=size))
    assert_same_state(ours, theirs)


def test_integers_rejects_as_numpy_does():
    """n = 2**31 + 1 rejects about half of all 32-bit draws: the rare branch, taken often."""
    from gdbook import _fast_rng

    ours, theirs = pairs(np.random.PCG64, 3)
    np.testing.assert_array_equal(_fast_rng.integers(ours, 2**31 + 1, 4000),
                                  theirs.integers(2**31 + 1, size=4000))
    assert_same_state(ours, theirs)


def test_warm_up_compiles_every_kernel_the_fits_use():
    """So the build happens, and is announced, once before training, not inside a fit."""
    import subprocess
    import sys

    script = (
        "from gdbook import _fast_rng as r\n"
        "r.warm_up()\n"
        "print([sorted(str(s[0]) for s in k.signatures)"
        " for k in (r._shuffle, r._shuffle_any, r._integers)])\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True).stdout
    shuffle, shuffle_any, integers = eval(out)  # three lists of type names
    assert shuffle == ["array(int32, 1d, C)"]  # permutation(n) for PCG64, n < 2**31
    assert shuffle_any == ["array(int32, 1d, C)"]  # other bit generators
    assert integers == ["array(int32, 1d, C)"]


@pytest.mark.parametrize("n", [2, 17, 1000, 2**31 - 1])
def test_integers_are_int32_when_the_bound_fits(n):
    """Half the memory of numpy's int64, as for `permutation`; the values are numpy's."""
    from gdbook import _fast_rng

    ours, theirs = pairs(np.random.PCG64, 5)
    draws = _fast_rng.integers(ours, n, 1000)
    assert draws.dtype == np.int32
    np.testing.assert_array_equal(draws, theirs.integers(n, size=1000))


@pytest.mark.parametrize("n", [2**31, 2**31 + 1])
def test_integers_past_int32_are_numpys_int64(n):
    from gdbook import _fast_rng

    ours, theirs = pairs(np.random.PCG64, 5)
    draws = _fast_rng.integers(ours, n, 1000)
    assert draws.dtype == np.int64
    np.testing.assert_array_equal(draws, theirs.integers(n, size=1000))


def test_warm_up_leaves_the_kernels_ready_in_this_process():
    """`_fast_numba.warm_up` calls it before the first fit (announced as a compile); the test
    above checks in a fresh process that it compiles exactly the kernels the fits use."""
    from gdbook import _fast_rng

    _fast_rng.warm_up()
    for kernel in (_fast_rng._shuffle, _fast_rng._shuffle_any, _fast_rng._integers):
        assert "array(int32, 1d, C)" in [str(s[0]) for s in kernel.signatures]
