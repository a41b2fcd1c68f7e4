"""Compiled kernels for linear regression (numba): the readable loop's arithmetic, compiled.

Imported only by `gdbook._fast`, and only when numba is installed
(`pip install gdbook[fast]`). Each kernel does what `Trainer` does with
`LinearRegression.loss_and_grad` and `GradientDescent.update`, step by step,
in the same order and in the data's dtype; only the order of the additions
inside one dot product or one batch sum differs from numpy's, which moves
results by a few units in the last place.

Summation orders are fixed by this source (no `fastmath`, a fixed number of
chunks whatever the number of threads), so a seed gives bit-identical results
on a given machine.
"""

from __future__ import annotations

import numba
import numpy as np
from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

N_CHUNKS = 64
"""Full-data sums are split into this many row ranges, however many threads run them."""

PARALLEL_SIZE = 1 << 18
"""Full-data sums over at least this many numbers (`n * d`) use every thread."""

PREFETCH_AHEAD = 16
"""Shuffled epochs ask the memory for the row this many rows ahead of the one in use."""

SHORT_ROWS = 16
"""Full-data sums over rows of fewer features take the loop made for them (`_short_chunk_sums`)."""


@intrinsic
def _prefetch(typingctx, array, row):
    """Hint the CPU to fetch `array[row, 0]` into cache (`llvm.prefetch`); no effect on values."""

    def codegen(context, builder, signature, args):
        array_type, row_type = signature.args
        view = context.make_array(array_type)(context, builder, args[0])
        index = context.cast(builder, args[1], row_type, types.intp)
        ptr = cgutils.get_item_pointer(
            context, builder, array_type, view, [index, context.get_constant(types.intp, 0)]
        )
        i8p, i32 = ir.IntType(8).as_pointer(), ir.IntType(32)
        signature = ir.FunctionType(ir.VoidType(), [i8p, i32, i32, i32])
        fn = cgutils.get_or_insert_function(builder.module, signature, "llvm.prefetch.p0i8")
        # read, high temporal locality, data cache
        builder.call(fn, [builder.bitcast(ptr, i8p), i32(0), i32(3), i32(1)])
        return context.get_dummy_value()

    return types.void(array, row), codegen


@numba.njit(cache=True, nogil=True, inline="always")
def _residual(X, y, params, i):
    """`X[i] @ w + b - y[i]`, the dot product in one fixed order.

    From 8 features on, four running sums (over every fourth feature) break
    the chain of dependent additions that would otherwise set the pace.
    """
    d = X.shape[1]
    r = X[i, 0] * params[0]
    if d < 8:
        for j in range(1, d):
            r += X[i, j] * params[j]
    else:
        r1, r2, r3 = X[i, 1] * params[1], X[i, 2] * params[2], X[i, 3] * params[3]
        j = 4
        while j + 4 <= d:
            r += X[i, j] * params[j]
            r1 += X[i, j + 1] * params[j + 1]
            r2 += X[i, j + 2] * params[j + 2]
            r3 += X[i, j + 3] * params[j + 3]
            j += 4
        for rest in range(j, d):
            r += X[i, rest] * params[rest]
        r = (r + r1) + (r2 + r3)
    return (r + params[d]) - y[i]


@numba.njit(cache=True, nogil=True)
def minibatch_epoch(X, y, params, order, shuffled, batch_size, stop, lr, two_over_m, m, losses, g):
    """One epoch of mini-batch gradient descent, updating `params` in place.

    Batches are `order[start:start + batch_size]` (or `start:start + batch_size`
    when not `shuffled`) for `start` in `range(0, stop, batch_size)`, as in
    `iter_batches`. `two_over_m` and `m` hold `2 / m` and `m` in the data's
    dtype for a full batch (index 0) and the last, shorter one (index 1).
    Writes each batch's loss to `losses` when it is not empty; `g` is scratch.
    """
    if batch_size == 1:
        return _one_row_epoch(X, y, params, order, shuffled, stop, lr, losses)
    n, d = X.shape
    y_rows = y.reshape(-1, 1)  # a 2-D view for _prefetch
    step = 0
    for start in range(0, stop, batch_size):
        end = min(start + batch_size, n)
        full = 0 if end - start == batch_size else 1
        g[:] = 0
        loss = g[0]
        for k in range(start, end):
            if shuffled:
                if k + PREFETCH_AHEAD < n:
                    ahead = order[k + PREFETCH_AHEAD]
                    for j in range(0, d, 8):  # one hint per 64-byte line (8 float64s)
                        _prefetch(X[:, j:], ahead)
                    _prefetch(y_rows, ahead)
                i = order[k]
            else:
                i = k
            r = _residual(X, y, params, i)
            for j in range(d):
                g[j] += r * X[i, j]
            g[d] += r
            loss += r * r
        for j in range(d + 1):  # params -= lr * grad, with grad = (2 / m) * sums
            params[j] -= lr * (two_over_m[full] * g[j])
        if losses.shape[0]:
            losses[step] = loss / m[full]
        step += 1
    return step


@numba.njit(cache=True, nogil=True)
def _one_row_epoch(X, y, params, order, shuffled, stop, lr, losses):
    """`minibatch_epoch` for one-row batches, where the batch sums are single terms.

    The reference's `lr * (2 * (r * x))` equals `(2 * lr) * (r * x)` exactly
    (scaling by 2 is exact), and its loss `(0 + r * r) / 1` is `r * r`.
    """
    n, d = X.shape
    y_rows = y.reshape(-1, 1)
    twice_lr = lr + lr
    for k in range(stop):
        if shuffled:
            if k + PREFETCH_AHEAD < n:
                ahead = order[k + PREFETCH_AHEAD]
                for j in range(0, d, 8):
                    _prefetch(X[:, j:], ahead)
                _prefetch(y_rows, ahead)
            i = order[k]
        else:
            i = k
        r = _residual(X, y, params, i)
        for j in range(d):
            params[j] -= twice_lr * (r * X[i, j])
        params[d] -= twice_lr * r
        if losses.shape[0]:
            losses[k] = r * r
    return stop


@numba.njit(cache=True, nogil=True, inline="always")
def _chunk_sums(X, y, params, lo, hi, out):
    """Add the residual sums of rows `lo:hi` to `out` = `[X.T @ r, sum(r), r @ r]`."""
    d = X.shape[1]
    if d < SHORT_ROWS:
        _short_chunk_sums(X, y, params, lo, hi, out)
        return
    i = lo
    while i + 4 <= hi:  # four rows at a time: four independent dependency chains
        r0 = _residual(X, y, params, i)
        r1 = _residual(X, y, params, i + 1)
        r2 = _residual(X, y, params, i + 2)
        r3 = _residual(X, y, params, i + 3)
        for j in range(d):
            out[j] += (r0 * X[i, j] + r1 * X[i + 1, j]) + (r2 * X[i + 2, j] + r3 * X[i + 3, j])
        out[d] += (r0 + r1) + (r2 + r3)
        out[d + 1] += (r0 * r0 + r1 * r1) + (r2 * r2 + r3 * r3)
        i += 4
    while i < hi:
        r = _residual(X, y, params, i)
        for j in range(d):
            out[j] += r * X[i, j]
        out[d] += r
        out[d + 1] += r * r
        i += 1


@numba.njit(cache=True, nogil=True)
def _short_chunk_sums(X, y, params, lo, hi, out):
    """`_chunk_sums` for rows of fewer than `SHORT_ROWS` features.

    Four rows at a time, each row's dot product a single running sum over its
    features in order (four rows give four independent chains), and the sums
    kept in a small local array rather than in `out`: at a few features per
    row, the bookkeeping of the four-way split in `_residual` costs more than
    the chain it breaks (about 1.4x faster at 10 features).
    """
    d = X.shape[1]
    d4 = d - d % 4
    b = params[d]
    g = np.zeros(d + 2, X.dtype)
    zero = g[0]
    for i in range(lo, hi - 3, 4):
        x0, x1, x2, x3 = X[i], X[i + 1], X[i + 2], X[i + 3]
        a0, a1, a2, a3 = zero, zero, zero, zero
        for j in range(0, d4, 4):
            p0, p1, p2, p3 = params[j], params[j + 1], params[j + 2], params[j + 3]
            a0 = (((a0 + x0[j] * p0) + x0[j + 1] * p1) + x0[j + 2] * p2) + x0[j + 3] * p3
            a1 = (((a1 + x1[j] * p0) + x1[j + 1] * p1) + x1[j + 2] * p2) + x1[j + 3] * p3
            a2 = (((a2 + x2[j] * p0) + x2[j + 1] * p1) + x2[j + 2] * p2) + x2[j + 3] * p3
            a3 = (((a3 + x3[j] * p0) + x3[j + 1] * p1) + x3[j + 2] * p2) + x3[j + 3] * p3
        for j in range(d4, d):
            pj = params[j]
            a0 += x0[j] * pj
            a1 += x1[j] * pj
            a2 += x2[j] * pj
            a3 += x3[j] * pj
        r0, r1 = (a0 + b) - y[i], (a1 + b) - y[i + 1]
        r2, r3 = (a2 + b) - y[i + 2], (a3 + b) - y[i + 3]
        for j in range(d):
            g[j] += (r0 * x0[j] + r1 * x1[j]) + (r2 * x2[j] + r3 * x3[j])
        g[d] += (r0 + r1) + (r2 + r3)
        g[d + 1] += (r0 * r0 + r1 * r1) + (r2 * r2 + r3 * r3)
    for i in range(max(lo, hi - (hi - lo) % 4), hi):
        x0 = X[i]
        a0 = zero
        for j in range(d):
            a0 += x0[j] * params[j]
        r0 = (a0 + b) - y[i]
        for j in range(d):
            g[j] += r0 * x0[j]
        g[d] += r0
        g[d + 1] += r0 * r0
    for j in range(d + 2):
        out[j] += g[j]


@numba.njit(cache=True, parallel=True)
def full_sums(X, y, params, out):
    """Fill row `c` of `out` (shape `(N_CHUNKS, d + 2)`) with the sums of the `c`-th row range."""
    n = X.shape[0]
    chunks = out.shape[0]
    for c in numba.prange(chunks):
        out[c, :] = 0
        _chunk_sums(X, y, params, c * n // chunks, (c + 1) * n // chunks, out[c])


@numba.njit(cache=True, nogil=True)
def full_sums_serial(X, y, params, out):
    """`full_sums` on one thread, for data too small to be worth waking the others: same sums."""
    n = X.shape[0]
    chunks = out.shape[0]
    for c in range(chunks):
        out[c, :] = 0
        _chunk_sums(X, y, params, c * n // chunks, (c + 1) * n // chunks, out[c])


@numba.njit(cache=True, nogil=True)
def _interval(next32, next64, state, bound):
    """Like numpy's `random_interval`: a uniform integer in `[0, bound]` by masked rejection."""
    if bound == 0:
        return 0
    mask = bound
    mask |= mask >> 1
    mask |= mask >> 2
    mask |= mask >> 4
    mask |= mask >> 8
    mask |= mask >> 16
    mask |= mask >> 32
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
def _permutation(out, next32, next64, state):
    """Shuffle `out` (an `arange`) as `Generator.permutation` does: same draws, rows prefetched."""
    n = out.shape[0]
    rows = out.reshape(-1, 1)
    ring = np.empty(PREFETCH_AHEAD, np.int64)  # the draws for the next few swaps
    todo = n - 1
    for k in range(min(PREFETCH_AHEAD, max(n - 1, 0))):
        ring[k] = _interval(next32, next64, state, numba.uint64(todo))
        todo -= 1
    k = 0
    for i in range(n - 1, 0, -1):
        j = ring[k]
        if todo >= 1:
            ring[k] = _interval(next32, next64, state, numba.uint64(todo))
            _prefetch(rows, ring[k])
            todo -= 1
        k = (k + 1) % PREFETCH_AHEAD
        out[i], out[j] = out[j], out[i]


def permutation(rng: np.random.Generator, n: int) -> np.ndarray:
    """Return `rng.permutation(n)`, drawing exactly what it draws from `rng`'s bit generator.

    numpy swaps each position with a random earlier one; the draws do not
    depend on the data, so they are made a few swaps early and the rows they
    pick are fetched into cache meanwhile (twice as fast at a million rows).
    The result is int32 when `n` fits (half the memory of numpy's int64 at a
    million rows: 4 MB), else int64; the values are the same.
    """
    bits = rng.bit_generator.ctypes
    out = np.arange(n, dtype=np.int32 if n < 2**31 else np.int64)
    _permutation(out, bits.next_uint32, bits.next_uint64, bits.state_address)
    return out


def warm_up(dtype: np.dtype) -> None:
    """Compile (or load from numba's cache) every kernel for `dtype` on a tiny problem."""
    X = np.arange(40, dtype=dtype).reshape(20, 2) / 40
    y = np.ones(20, dtype=dtype)
    params = np.zeros(3, dtype=dtype)
    scalars = np.ones(2, dtype=dtype)
    for order in (np.arange(20), np.arange(20, dtype=np.int32)):  # as `permutation` returns
        for shuffled in (True, False):
            minibatch_epoch(X, y, params, order, shuffled, 3, 20, dtype.type(0.1), scalars,
                            scalars, np.empty(7, dtype), np.empty(3, dtype))
    full_sums(X, y, params, np.empty((N_CHUNKS, 4), dtype))
    full_sums_serial(X, y, params, np.empty((N_CHUNKS, 4), dtype))
    permutation(np.random.default_rng(0), 20)
