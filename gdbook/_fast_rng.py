"""The row orders of an epoch, drawn exactly as numpy draws them, compiled (numba).

`Generator.permutation(n)` and `Generator.integers(n, size=n)` spend most of
their time calling the bit generator through a function pointer, one draw at a
time. For numpy's default bit generator, PCG64, the draws are made here
instead, from a copy of its state that is written back afterwards: the same
numbers in the same order, and the generator left exactly where numpy would
leave it (`tests/test_fast_rng.py` checks both). Other bit generators are
called through their C interface, as numpy does.

PCG64 (O'Neill, "PCG: A family of simple fast space-efficient statistically
good algorithms for random number generation", 2014, section 6.3.3, and numpy's
`random/src/pcg64/pcg64.h`) is a 128-bit linear congruential state whose
output is the xor of its halves rotated by its top 6 bits; numpy hands out a
64-bit output as two 32-bit draws, low half first.
"""

from __future__ import annotations

import numba
import numpy as np

from gdbook._fast_llvm import mulhi, prefetch

_MULT_HI, _MULT_LO = np.uint64(2549297995355413924), np.uint64(4865540595714422341)
_LOW32 = np.uint64(0xFFFFFFFF)
_BLOCK = 256
"""Draws made at a time when shuffling: made first, then used, so no rejection stalls a swap."""
_AHEAD = 16


@numba.njit(cache=True, nogil=True, inline="always")
def _step(hi, lo, inc_hi, inc_lo):
    """The next 128-bit state: `state * multiplier + increment` modulo 2**128."""
    low = lo * _MULT_LO
    high = mulhi(lo, _MULT_LO) + lo * _MULT_HI + hi * _MULT_LO
    new_lo = low + inc_lo
    carry = np.uint64(1) if new_lo < low else np.uint64(0)
    return high + inc_hi + carry, new_lo


@numba.njit(cache=True, nogil=True, inline="always")
def _output(hi, lo):
    """PCG's XSL-RR output: the xor of the halves, rotated right by the top 6 bits."""
    x, rot = hi ^ lo, hi >> np.uint64(58)
    return (x >> rot) | (x << ((np.uint64(64) - rot) & np.uint64(63)))


@numba.njit(cache=True, nogil=True, inline="always")
def _mask(bound):
    """The smallest all-ones number `2**k - 1` that is >= `bound` (a uint64)."""
    mask = bound
    for shift in (1, 2, 4, 8, 16, 32):
        mask |= mask >> np.uint64(shift)
    return mask


@numba.njit(cache=True, nogil=True)
def _fill32(state, out, count):
    """Write the next `count` 32-bit draws (numpy's `next_uint32`) to `out`; advance `state`.

    `state` is `[state_hi, state_lo, inc_hi, inc_lo, has_uint32, uinteger]` (uint64).
    """
    hi, lo, inc_hi, inc_lo, has, kept = state[0], state[1], state[2], state[3], state[4], state[5]
    k = 0
    if has and count:
        out[0], k, has = kept, 1, np.uint64(0)
    while k + 1 < count:
        hi, lo = _step(hi, lo, inc_hi, inc_lo)
        value = _output(hi, lo)
        out[k], out[k + 1] = value & _LOW32, value >> np.uint64(32)
        k += 2
    if k < count:
        hi, lo = _step(hi, lo, inc_hi, inc_lo)
        value = _output(hi, lo)
        out[k], has, kept = value & _LOW32, np.uint64(1), value >> np.uint64(32)
    state[0], state[1], state[4], state[5] = hi, lo, has, kept


@numba.njit(cache=True, nogil=True)
def _shuffle(out, state):
    """Shuffle `out` (n < 2**32) as numpy does: swap position i with `random_interval(i)`.

    `random_interval` draws `next_uint32() & mask` until the value is <= i. A
    block of draws is made first; the accepted values are then found without a
    branch per draw and used for the swaps. A block that holds more draws than
    the shuffle needs is made again up to the last one used, so `state` ends
    where numpy's would.
    """
    raw = np.empty(_BLOCK, np.uint64)
    picks = np.empty(_BLOCK, np.int64)
    saved = state.copy()
    i = out.shape[0] - 1
    mask = _mask(np.uint64(max(i, 0)))
    while i > 0:
        saved[:] = state
        _fill32(state, raw, _BLOCK)
        top, taken, used = i, 0, _BLOCK
        for k in range(_BLOCK):
            if np.uint64(i) <= mask >> np.uint64(1):
                mask >>= np.uint64(1)
            value = raw[k] & mask
            picks[taken] = value
            accepted = 1 if value <= np.uint64(i) else 0
            taken += accepted
            i -= accepted
            if i == 0:
                used = k + 1
                break
        for k in range(taken):
            if k + _AHEAD < taken:
                prefetch(out, picks[k + _AHEAD], 0)
            a, b = top - k, picks[k]
            out[a], out[b] = out[b], out[a]
        if used < _BLOCK:
            state[:] = saved
            _fill32(state, raw, used)


@numba.njit(cache=True, nogil=True)
def _integers(out, state, n):
    """Fill `out` as numpy's `integers(n, size=len(out))` does: Lemire's multiply-and-shift.

    Each value is the high half of `next_uint32() * n`, redrawn in the rare
    case that the low half falls below `2**32 % n` (numpy's
    `buffered_bounded_lemire_uint32`).
    """
    hi, lo, inc_hi, inc_lo, has, kept = state[0], state[1], state[2], state[3], state[4], state[5]
    bound = np.uint64(n)
    threshold = ((_LOW32 - (bound - np.uint64(1))) & _LOW32) % bound
    for k in range(out.shape[0]):
        while True:
            if has:
                draw, has = kept, np.uint64(0)
            else:
                hi, lo = _step(hi, lo, inc_hi, inc_lo)
                value = _output(hi, lo)
                draw, has, kept = value & _LOW32, np.uint64(1), value >> np.uint64(32)
            product = draw * bound
            if (product & _LOW32) >= threshold:
                break
        out[k] = product >> np.uint64(32)
    state[0], state[1], state[4], state[5] = hi, lo, has, kept


@numba.njit(cache=True, nogil=True)
def _interval(next32, next64, state, bound):
    """Draw as numpy's `random_interval`, through the bit generator's C interface (any kind)."""
    if bound == 0:
        return np.uint64(0)
    mask = _mask(bound)
    if bound <= 0xFFFFFFFF:
        while True:
            value = numba.uint64(next32(state)) & mask
            if value <= bound:
                return value
    while True:
        value = next64(state) & mask
        if value <= bound:
            return value


@numba.njit(cache=True, nogil=True)
def _shuffle_any(out, next32, next64, state):
    """`_shuffle` for any bit generator, one draw at a time through its C interface."""
    for i in range(out.shape[0] - 1, 0, -1):
        j = _interval(next32, next64, state, numba.uint64(i))
        out[i], out[j] = out[j], out[i]


def _pcg64_state(bit_generator) -> np.ndarray | None:
    """The state of a PCG64 as six uint64 (see `_fill32`), or `None` for other generators."""
    if type(bit_generator) is not np.random.PCG64:
        return None
    full = bit_generator.state
    state, inc = full["state"]["state"], full["state"]["inc"]
    low = (1 << 64) - 1
    return np.array([state >> 64, state & low, inc >> 64, inc & low, full["has_uint32"],
                     full["uinteger"]], dtype=np.uint64)


def _store(bit_generator, state: np.ndarray) -> None:
    full = bit_generator.state
    full["state"]["state"] = (int(state[0]) << 64) | int(state[1])
    full["has_uint32"], full["uinteger"] = int(state[4]), int(state[5])
    bit_generator.state = full


def permutation(rng: np.random.Generator, n: int) -> np.ndarray:
    """Return `rng.permutation(n)`, drawing exactly what it draws from `rng`'s bit generator.

    The result is int32 when `n` fits (half the memory of numpy's int64 at a
    million rows: 4 MB), else int64; the values are the same.
    """
    out = np.arange(n, dtype=np.int32 if n < 2**31 else np.int64)
    bits = rng.bit_generator
    with bits.lock:
        state = _pcg64_state(bits) if n <= 2**32 else None
        if state is None:
            c = bits.ctypes
            _shuffle_any(out, c.next_uint32, c.next_uint64, c.state_address)
        else:
            _shuffle(out, state)
            _store(bits, state)
    return out


def integers(rng: np.random.Generator, n: int, size: int) -> np.ndarray:
    """Return `rng.integers(n, size=size)`, drawing exactly what numpy draws.

    The values are numpy's; the dtype is int32 when `n` fits, as in `permutation`.
    """
    bits = rng.bit_generator
    with bits.lock:
        state = _pcg64_state(bits) if 1 < n < 2**31 else None
        if state is not None:
            out = np.empty(size, np.int32)
            _integers(out, state, n)
            _store(bits, state)
            return out
    return rng.integers(n, size=size)


def warm_up() -> None:
    """Compile (or load from numba's cache) the kernels above."""
    for n in (5, 300):
        permutation(np.random.default_rng(0), n)
        permutation(np.random.Generator(np.random.MT19937(0)), n)
        integers(np.random.default_rng(0), n, n)
