r"""Mini-batch and stochastic GD on one feature, vectorised exactly: an epoch as a product of maps.

For least squares with one feature, a step on a batch of $m$ rows moves the
parameters $\theta = (w, b)$ by an affine map,

$$\theta \leftarrow (I - hS)\,\theta + h\,t,\qquad
S = \begin{pmatrix}\sum x^2 & \sum x\\ \sum x & m\end{pmatrix},\;
t = \begin{pmatrix}\sum xy\\ \sum y\end{pmatrix},\; h = \frac{2\eta}{m},$$

which depends on the batch's rows but not on $\theta$. So all the maps of an
epoch can be built at once, and composed pairwise as a tree (log2 of the
number of steps rounds of array arithmetic instead of one Python step per
batch). With per-step losses requested, a second sweep down the tree gives the
parameters before every step.

The maps act on the change $\delta = \theta - \theta_0$ since the start of a
chunk of steps, whose translation part is built from the residuals at
$\theta_0$: near a minimum those are small, so rounding stays small next to
the steps themselves. `gdbook._fast` uses this only while every map is
non-expansive ($\eta \max_i(1 + x_i^2) \le 1$), so rounding does not grow.
"""

from __future__ import annotations

import numpy as np

ROWS_PER_CHUNK = 1 << 16
"""Rows gathered at a time: bounds the memory of an epoch whatever the data size."""


def _compose(second, first):
    """The map `second(first(theta))`; maps are 6 arrays `(a, b, c, d, e, f)`."""
    a2, b2, c2, d2, e2, f2 = second
    a1, b1, c1, d1, e1, f1 = first
    return (a2 * a1 + b2 * c1, a2 * b1 + b2 * d1, c2 * a1 + d2 * c1, c2 * b1 + d2 * d1,
            a2 * e1 + b2 * f1 + e2, c2 * e1 + d2 * f1 + f2)


def _apply(maps, w, b):
    """`(a w + b_ b + e, c w + d b_ + f)`, elementwise."""
    a, b_, c, d, e, f = maps
    return a * w + b_ * b + e, c * w + d * b + f


def _leaf_maps(xs, residual, batch_size, learning_rate, padded):
    """The step maps (acting on `delta`) of consecutive batches, padded with identities."""
    starts = np.arange(0, len(xs), batch_size)
    sums = [xs * xs, xs, xs * residual, residual]
    if batch_size > 1:
        sums = [np.add.reduceat(s, starts) for s in sums]
    rows = np.full(len(starts), batch_size, dtype=xs.dtype)
    rows[-1] = len(xs) - starts[-1]
    h = (2 * learning_rate) / rows
    maps = [np.zeros(padded, xs.dtype) for _ in range(6)]
    maps[0][:] = maps[3][:] = 1
    steps = len(starts)
    maps[0][:steps] -= h * sums[0]
    maps[1][:steps] = maps[2][:steps] = -h * sums[1]
    maps[3][:steps] -= h * rows
    maps[4][:steps] = -h * sums[2]
    maps[5][:steps] = -h * sums[3]
    return maps, starts, rows


def scan_epoch(x, y, params, order, batch_size, stop, learning_rate, losses) -> None:
    """One epoch on `(x, y)` (1-D) in the row order `order` (`None`: in order), in place.

    Batches and losses as in `gdbook._fast_numba.minibatch_epoch`.
    """
    per_chunk = 1 << max(0, (ROWS_PER_CHUNK // batch_size).bit_length() - 1)  # steps, a power of 2
    n_steps = len(range(0, stop, batch_size))
    for first in range(0, n_steps, per_chunk):
        steps = min(per_chunk, n_steps - first)
        lo, hi = first * batch_size, min((first + steps) * batch_size, stop)
        rows = slice(lo, hi) if order is None else order[lo:hi]
        xs = x[rows]
        w0, b0 = params[0], params[1]
        residual = xs * w0 + b0 - y[rows]  # at the chunk's start, as loss_and_grad computes it
        padded = 1 << (steps - 1).bit_length()
        maps, starts, sizes = _leaf_maps(xs, residual, batch_size, learning_rate, padded)
        levels = [maps]
        while len(levels[-1][0]) > 1:  # up the tree: pairs of consecutive maps
            level = levels[-1]
            levels.append(_compose([v[1::2] for v in level], [v[0::2] for v in level]))
        if len(losses):  # down the tree: the change of the parameters before every step
            dw, db = np.zeros(1, xs.dtype), np.zeros(1, xs.dtype)
            for level in reversed(levels[:-1]):
                dw_next, db_next = np.empty(2 * len(dw), dw.dtype), np.empty(2 * len(dw), dw.dtype)
                dw_next[0::2], db_next[0::2] = dw, db
                dw_next[1::2], db_next[1::2] = _apply([v[0::2] for v in level], dw, db)
                dw, db = dw_next, db_next
            counts = sizes.astype(np.intp)
            change = xs * np.repeat(dw[:steps], counts)
            change += np.repeat(db[:steps], counts)
            residual += change
            squares = residual * residual
            sums = np.add.reduceat(squares, starts) if batch_size > 1 else squares
            losses[first : first + steps] = sums / sizes
        top = levels[-1]  # the whole chunk; from delta = 0 it lands on its translation part
        params[0], params[1] = w0 + top[4][0], b0 + top[5][0]
