"""Compiled kernels for linear regression (numba): the readable loop's arithmetic, compiled.

Imported only by `gdbook._fast`, and only when numba is installed
(`pip install gdbook[fast]`). Each kernel does what `Trainer` does with
`LinearRegression.loss_and_grad` and `GradientDescent.update`, step by step,
in the same order and in the data's dtype; only the order of the additions
inside one dot product or one batch sum differs from numpy's, and one-row
steps fuse a multiply with the addition that follows (`_one_row_epoch`),
which moves results by a few units in the last place.

Sums over rows (a batch's gradient and loss, the full-data sums) are kept in
float64 whatever the data's dtype: in float32 a running total over thousands
of rows drifts by as many roundings, where the readable loop's BLAS and
pairwise sums do not. Everything else (residuals, the step) is in the data's
dtype, as in the readable loop.

Summation orders are fixed by this source (no `fastmath`, a fixed number of
chunks whatever the number of threads), so a seed gives bit-identical results
on a given machine. The row orders are drawn in `gdbook._fast_rng`.
"""

from __future__ import annotations

import itertools
import os
from concurrent.futures import ThreadPoolExecutor

import numba
import numpy as np

from gdbook._fast_llvm import dot, fma
from gdbook._fast_llvm import prefetch as _prefetch
from gdbook._fast_rng import integers, permutation
from gdbook._fast_rng import warm_up as _warm_up_rng

__all__ = ["integers", "minibatch_epoch", "permutation", "sums"]

N_CHUNKS = 64
"""Full-data sums are split into this many row ranges, however many threads run them."""

PARALLEL_SIZE = 1 << 22
"""Full-data sums over at least this many numbers (`n * d`, 32 MB of float64) are shared
among threads: a few milliseconds of work, worth waking a thread for even on a busy machine."""

PREFETCH_LINES = 128
"""Shuffled epochs ask the memory for a row ahead of the one in use: as many rows ahead as
keep about this many 64-byte lines in flight (8 to 64 rows; measured best at 1 to 100
features on the benchmark machine)."""

SHORT_ROWS = 16
"""Full-data sums over rows of fewer features take the loop made for them (`_short_chunk_sums`)."""


@numba.njit(cache=True, nogil=True, inline="always")
def _residual(X, y, params, i):
    """`X[i] @ w + b - y[i]`, the dot product in one fixed order.

    From 8 features on, four running sums (over every fourth feature) break
    the chain of dependent additions that would otherwise set the pace; from
    `SHORT_ROWS` on, eight, in SIMD registers (`gdbook._fast_llvm.dot`).
    """
    d = X.shape[1]
    if d >= SHORT_ROWS:
        return (dot(X, i, params) + params[d]) - y[i]
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


@numba.njit(cache=True, nogil=True, inline="always")
def _rows_ahead(d):
    """How many rows ahead to prefetch when a row spans `d` numbers (and `y` one more line)."""
    return max(8, min(64, PREFETCH_LINES // ((d + 7) // 8 + 1)))


@numba.njit(cache=True, nogil=True)
def minibatch_epoch(X, y, params, order, shuffled, batch_size, stop, lr, two_over_m, m, losses):
    """One epoch of mini-batch gradient descent, updating `params` in place.

    Batches are `order[start:start + batch_size]` (or `start:start + batch_size`
    when not `shuffled`) for `start` in `range(0, stop, batch_size)`, as in
    `iter_batches`. `two_over_m` and `m` hold `2 / m` and `m` in the data's
    dtype for a full batch (index 0) and the last, shorter one (index 1).
    Writes each batch's loss to `losses` when it is not empty.
    """
    if batch_size == 1:
        return _one_row_epoch(X, y, params, order, shuffled, stop, lr, losses)
    n, d = X.shape
    rows_ahead = _rows_ahead(d)
    sums = np.empty(d + 1, np.float64)  # the batch's X.T @ r and sum(r)
    grad = np.empty(d + 1, X.dtype)
    step = 0
    for start in range(0, stop, batch_size):
        end = min(start + batch_size, n)
        full = 0 if end - start == batch_size else 1
        sums[:] = 0
        loss = sums[0]
        for k in range(start, end):
            if shuffled:
                if k + rows_ahead < n:
                    ahead = order[k + rows_ahead]
                    for j in range(0, d, 8):  # one hint per 64-byte line (8 float64s)
                        _prefetch(X, ahead, j)
                    _prefetch(X, ahead, d - 1)  # the row's last line, if it spills over
                    _prefetch(y, ahead, 0)
                i = order[k]
            else:
                i = k
            r = np.float64(_residual(X, y, params, i))
            for j in range(d):
                sums[j] += r * X[i, j]
            sums[d] += r
            loss += r * r
        grad[:] = sums  # rounded to the data's dtype, as the readable loop's sums are
        for j in range(d + 1):  # params -= lr * grad, with grad = (2 / m) * sums
            params[j] -= lr * (two_over_m[full] * grad[j])
        if losses.shape[0]:
            losses[step] = loss / m[full]
        step += 1
    return step


@numba.njit(cache=True, nogil=True)
def _one_row_epoch(X, y, params, order, shuffled, stop, lr, losses):
    """`minibatch_epoch` for one-row batches, where the batch sums are single terms.

    Each step depends on the one before, so the chain of dependent operations
    from one row's residual to the next sets the pace. The update is fused:
    `w_j + (-2 lr x_j) * r` with one rounding (`fma`) where the reference's
    `w_j - lr * (2 * (r * x_j))` rounds three times; with one feature the
    residual is `fma(x, w, b) - y` too, and `w`, `b` stay in registers
    (`_one_row_one_feature_epoch`): the chain is 11 cycles instead of 18 plus
    two round trips through memory. The loss `(0 + r * r) / 1` is `r * r`.
    """
    n, d = X.shape
    if d == 1:
        return _one_row_one_feature_epoch(X, y, params, order, shuffled, stop, lr, losses)
    rows_ahead = _rows_ahead(d)
    step = -(lr + lr)
    for k in range(stop):
        if shuffled:
            if k + rows_ahead < n:
                ahead = order[k + rows_ahead]
                for j in range(0, d, 8):
                    _prefetch(X, ahead, j)
                _prefetch(X, ahead, d - 1)
                _prefetch(y, ahead, 0)
            i = order[k]
        else:
            i = k
        r = _residual(X, y, params, i)
        for j in range(d):
            params[j] = fma(step * X[i, j], r, params[j])
        params[d] = fma(step, r, params[d])
        if losses.shape[0]:
            losses[k] = r * r
    return stop


@numba.njit(cache=True, nogil=True)
def _one_row_one_feature_epoch(X, y, params, order, shuffled, stop, lr, losses):
    """`_one_row_epoch` for one feature, with `w` and `b` held in registers through the epoch."""
    n = X.shape[0]
    rows_ahead = _rows_ahead(1)
    step = -(lr + lr)
    w, b = params[0], params[1]
    record = losses.shape[0] > 0
    for k in range(stop):
        if shuffled:
            if k + rows_ahead < n:
                ahead = order[k + rows_ahead]
                _prefetch(X, ahead, 0)
                _prefetch(y, ahead, 0)
            i = order[k]
        else:
            i = k
        x = X[i, 0]
        r = fma(x, w, b) - y[i]
        w, b = fma(step * x, r, w), fma(step, r, b)
        if record:
            losses[k] = r * r
    params[0], params[1] = w, b
    return stop


@numba.njit(cache=True, nogil=True)
def _chunk_sums(X, y, params, lo, hi, out):
    """Add the residual sums of rows `lo:hi` to `out` = `[X.T @ r, sum(r), r @ r]` (float64)."""
    d = X.shape[1]
    if d == 1:
        _one_feature_sums(X, y, params, lo, hi, out)
        return
    if d < SHORT_ROWS:
        _short_chunk_sums(X, y, params, lo, hi, out)
        return
    i = lo
    while i + 4 <= hi:  # four rows at a time: four independent dependency chains
        r0 = np.float64(_residual(X, y, params, i))
        r1 = np.float64(_residual(X, y, params, i + 1))
        r2 = np.float64(_residual(X, y, params, i + 2))
        r3 = np.float64(_residual(X, y, params, i + 3))
        for j in range(d):
            out[j] += (r0 * X[i, j] + r1 * X[i + 1, j]) + (r2 * X[i + 2, j] + r3 * X[i + 3, j])
        out[d] += (r0 + r1) + (r2 + r3)
        out[d + 1] += (r0 * r0 + r1 * r1) + (r2 * r2 + r3 * r3)
        i += 4
    while i < hi:
        r = np.float64(_residual(X, y, params, i))
        for j in range(d):
            out[j] += r * X[i, j]
        out[d] += r
        out[d + 1] += r * r
        i += 1


@numba.njit(cache=True, nogil=True)
def _short_chunk_sums(X, y, params, lo, hi, out):
    """`_chunk_sums` for rows of 2 to `SHORT_ROWS - 1` features.

    Four rows at a time, each row's dot product a single running sum over its
    features in order (four rows give four independent chains), and the sums
    kept in a small local array rather than in `out`: at a few features per
    row, the bookkeeping of the four-way split in `_residual` costs more than
    the chain it breaks (about 1.4x faster at 10 features).
    """
    d = X.shape[1]
    d4 = d - d % 4
    b = params[d]
    g = np.zeros(d + 2, np.float64)
    zero = params[d] * 0
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
        r0, r1 = np.float64((a0 + b) - y[i]), np.float64((a1 + b) - y[i + 1])
        r2, r3 = np.float64((a2 + b) - y[i + 2]), np.float64((a3 + b) - y[i + 3])
        for j in range(d):
            g[j] += (r0 * x0[j] + r1 * x1[j]) + (r2 * x2[j] + r3 * x3[j])
        g[d] += (r0 + r1) + (r2 + r3)
        g[d + 1] += (r0 * r0 + r1 * r1) + (r2 * r2 + r3 * r3)
    for i in range(max(lo, hi - (hi - lo) % 4), hi):
        x0 = X[i]
        a0 = zero
        for j in range(d):
            a0 += x0[j] * params[j]
        r0 = np.float64((a0 + b) - y[i])
        for j in range(d):
            g[j] += r0 * x0[j]
        g[d] += r0
        g[d + 1] += r0 * r0
    for j in range(d + 2):
        out[j] += g[j]


@numba.njit(cache=True, nogil=True)
def _one_feature_sums(X, y, params, lo, hi, out):
    """`_chunk_sums` for one feature: four rows at a time, every sum in four running totals."""
    w, b = params[0], params[1]
    zero = np.float64(0)
    g0, g1, g2, g3, s0, s1, s2, s3 = zero, zero, zero, zero, zero, zero, zero, zero
    q0, q1, q2, q3 = zero, zero, zero, zero
    for i in range(lo, hi - 3, 4):
        x0, x1, x2, x3 = X[i, 0], X[i + 1, 0], X[i + 2, 0], X[i + 3, 0]
        r0, r1 = np.float64((x0 * w + b) - y[i]), np.float64((x1 * w + b) - y[i + 1])
        r2, r3 = np.float64((x2 * w + b) - y[i + 2]), np.float64((x3 * w + b) - y[i + 3])
        g0, g1, g2, g3 = g0 + r0 * x0, g1 + r1 * x1, g2 + r2 * x2, g3 + r3 * x3
        s0, s1, s2, s3 = s0 + r0, s1 + r1, s2 + r2, s3 + r3
        q0, q1, q2, q3 = q0 + r0 * r0, q1 + r1 * r1, q2 + r2 * r2, q3 + r3 * r3
    for i in range(max(lo, hi - (hi - lo) % 4), hi):
        x0 = X[i, 0]
        r0 = np.float64((x0 * w + b) - y[i])
        g0, s0, q0 = g0 + r0 * x0, s0 + r0, q0 + r0 * r0
    out[0] += (g0 + g1) + (g2 + g3)
    out[1] += (s0 + s1) + (s2 + s3)
    out[2] += (q0 + q1) + (q2 + q3)


@numba.njit(cache=True, nogil=True)
def full_sums(X, y, params, out, first, last):
    """Fill rows `first:last` of `out` (shape `(N_CHUNKS, d + 2)`) with the sums of row ranges.

    Row `c` of `out` holds the sums of the `c`-th of `N_CHUNKS` equal ranges of
    rows, however many threads share the work (`gdbook._fast` gives each
    thread a run of chunks): the totals do not depend on the number of threads.
    """
    n = X.shape[0]
    chunks = out.shape[0]
    for c in range(first, last):
        out[c, :] = 0
        _chunk_sums(X, y, params, c * n // chunks, (c + 1) * n // chunks, out[c])


_threads: list = []  # [ThreadPoolExecutor, number of CPUs], made on first use in each process
if hasattr(os, "register_at_fork"):  # a forked child inherits the pool but none of its threads
    os.register_at_fork(after_in_child=lambda: _threads.clear())


def sums(X: np.ndarray, y: np.ndarray, params: np.ndarray) -> np.ndarray:
    """Return `[X.T @ r, sum(r), r @ r]` (float64) for the residuals `r` on all rows.

    Large data are shared among the CPUs this process may use: the kernels
    release the GIL, so plain threads run them in parallel, each on a run of
    the `N_CHUNKS` row ranges (the same ranges, and so the same totals, as on
    one thread).
    """
    out = np.empty((N_CHUNKS, X.shape[1] + 2))
    if X.size >= PARALLEL_SIZE and not _threads:
        cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
        cpus = min(cpus or 1, N_CHUNKS)
        _threads.extend([ThreadPoolExecutor(cpus, thread_name_prefix="gdbook"), cpus])
    threads = _threads[1] if X.size >= PARALLEL_SIZE else 1
    if threads > 1:
        bounds = [c * N_CHUNKS // threads for c in range(threads + 1)]
        others = [_threads[0].submit(full_sums, X, y, params, out, lo, hi)
                  for lo, hi in itertools.pairwise(bounds[1:])]
        full_sums(X, y, params, out, 0, bounds[1])
        for job in others:
            job.result()
    else:
        full_sums(X, y, params, out, 0, N_CHUNKS)
    return out.sum(axis=0)


def warm_up(dtype: np.dtype) -> None:
    """Compile (or load from numba's cache) every kernel for `dtype` on tiny problems."""
    for d in (1, 2, SHORT_ROWS):
        X = np.arange(20 * d, dtype=dtype).reshape(20, d) / (20 * d)
        y = np.ones(20, dtype=dtype)
        params = np.zeros(d + 1, dtype=dtype)
        scalars = np.ones(2, dtype=dtype)
        for order in (np.arange(20, dtype=np.int32),):  # as `permutation` and `integers` give
            for shuffled in (True, False):
                for batch_size in (1, 3):
                    losses = np.empty(len(range(0, 20, batch_size)), dtype)
                    minibatch_epoch(X, y, params, order, shuffled, batch_size, 20,
                                    dtype.type(0.1), scalars, scalars, losses)
        full_sums(X, y, params, np.empty((N_CHUNKS, d + 2)), 0, N_CHUNKS)
    _warm_up_rng()
