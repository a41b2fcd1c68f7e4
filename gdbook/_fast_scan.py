r"""Mini-batch and stochastic GD on one feature, vectorised: an epoch as a product of maps.

For least squares with one feature, a step on a batch of $m$ rows moves the
parameters $\theta = (w, b)$ by an affine map,

$$\theta \leftarrow (I - hS)\,\theta + h\,t,\qquad
S = \begin{pmatrix}\sum x^2 & \sum x\\ \sum x & m\end{pmatrix},\;
t = \begin{pmatrix}\sum xy\\ \sum y\end{pmatrix},\; h = \frac{2\eta}{m},$$

which depends on the batch's rows but not on $\theta$. So all the maps of a
chunk of steps can be built at once and composed pairwise as a tree (log2 of
the number of steps rounds of array arithmetic instead of one Python step per
batch); a sweep back down the tree gives the parameters before every step.

Built from the residuals at the chunk's start, the maps carry an absolute
error of about eps times those residuals, which is far more than the readable
loop's rounding when the parameters travel far within the chunk (residuals
falling from 1e6 to 1e-4, or to 1e-45 on data fitted exactly). So the
trajectory is then checked the readable loop's way: residuals recomputed at
every step's parameters, the step taken with them, and its defect (where the
step lands minus where the trajectory says) compared with one rounding of the
parameters. Where a defect is larger, the error of the trajectory obeys the
same maps with the defects as translations (iterative refinement), so a
second sweep of the tree corrects it; a few rounds reach the readable loop's
accuracy even then. `gdbook._fast` uses this path only while every map is
non-expansive ($\eta \max_i(1 + x_i^2) \le 1$), so rounding does not grow.
"""

from __future__ import annotations

import numpy as np

ROWS_PER_CHUNK = 1 << 16
"""Rows gathered at a time: bounds the memory of an epoch whatever the data size."""
ROUNDS = 6
"""Corrections at most per chunk; each gains about a factor eps, and one or none is usual."""
TOLERANCE = 4
"""A step's defect may be this many roundings of the parameters (or of the step) before a
correction is made."""


def _compose(second, first):
    """Linear parts of `second(first(theta))`; maps are `(a, b, c, d)` for [[a, b], [c, d]]."""
    a2, b2, c2, d2 = second
    a1, b1, c1, d1 = first
    return a2 * a1 + b2 * c1, a2 * b1 + b2 * d1, c2 * a1 + d2 * c1, c2 * b1 + d2 * d1


class _Tree:
    """The linear parts of a chunk's step maps, composed pairwise up a tree."""

    def __init__(self, xs, starts, sizes, learning_rate, padded):
        sums = [xs * xs, xs]
        if len(starts) < len(xs):  # batches of more than one row
            sums = [np.add.reduceat(s, starts, dtype=np.float64).astype(xs.dtype) for s in sums]
        self.h = (2 * learning_rate) / sizes
        steps = len(starts)
        linear = [np.zeros(padded, xs.dtype) for _ in range(4)]  # identities past the last step
        linear[0][:] = linear[3][:] = 1
        linear[0][:steps] -= self.h * sums[0]
        linear[1][:steps] = linear[2][:steps] = -self.h * sums[1]
        linear[3][:steps] -= self.h * sizes
        self.levels = [linear]
        while len(self.levels[-1][0]) > 1:
            level = self.levels[-1]
            self.levels.append(_compose([v[1::2] for v in level], [v[0::2] for v in level]))

    def states(self, tw, tb):
        """States before every step and after the last, from 0, under translations `(tw, tb)`."""
        translations = [(tw, tb)]
        for level in self.levels[:-1]:  # up: the translation of each pair of maps
            e1, f1 = translations[-1][0][0::2], translations[-1][1][0::2]
            e2, f2 = translations[-1][0][1::2], translations[-1][1][1::2]
            a2, b2, c2, d2 = (v[1::2] for v in level)
            translations.append((a2 * e1 + b2 * f1 + e2, c2 * e1 + d2 * f1 + f2))
        dw, db = np.zeros(1, tw.dtype), np.zeros(1, tw.dtype)
        for level, (e, f) in zip(reversed(self.levels[:-1]), reversed(translations[:-1]),
                                 strict=True):  # down: a right child starts where its left ends
            a, b, c, d = (v[0::2] for v in level)
            w_next, b_next = np.empty(2 * len(dw), dw.dtype), np.empty(2 * len(dw), dw.dtype)
            w_next[0::2], b_next[0::2] = dw, db
            w_next[1::2] = a * dw + b * db + e[0::2]
            b_next[1::2] = c * dw + d * db + f[0::2]
            dw, db = w_next, b_next
        top_e, top_f = translations[-1]
        return np.append(dw, top_e[0]), np.append(db, top_f[0])


def _batch_sums(values, starts, one_row):
    """Per-batch sums, accumulated in float64 (a float32 running sum over a batch drifts)."""
    if one_row:
        return values
    return np.add.reduceat(values, starts, dtype=np.float64).astype(values.dtype, copy=False)


def scan_epoch(x, y, params, order, batch_size, stop, learning_rate, losses) -> None:
    """One epoch on `(x, y)` (1-D) in the row order `order` (`None`: in order), in place.

    Batches and losses as in `gdbook._fast_numba.minibatch_epoch`. Each chunk
    starts from the constant trajectory (every step at the chunk's starting
    parameters), whose defects are the steps themselves: its first correction
    is the plain scan, and the next round checks it.
    """
    per_chunk = 1 << max(0, (ROWS_PER_CHUNK // batch_size).bit_length() - 1)  # steps, a power of 2
    n_steps = len(range(0, stop, batch_size))
    eps, one_row = np.finfo(x.dtype).eps, batch_size == 1
    for first in range(0, n_steps, per_chunk):
        steps = min(per_chunk, n_steps - first)
        lo, hi = first * batch_size, min((first + steps) * batch_size, stop)
        rows = slice(lo, hi) if order is None else order[lo:hi]
        xs, ys = x[rows], y[rows]
        starts = np.arange(0, len(xs), batch_size)
        sizes = np.full(steps, batch_size, dtype=x.dtype)
        sizes[-1] = len(xs) - starts[-1]
        scale = (2 / sizes).astype(x.dtype)  # as (2 / m) in loss_and_grad
        padded = 1 << (steps - 1).bit_length()
        tree = _Tree(xs, starts, sizes, learning_rate, padded)
        w, b = np.full(steps + 1, params[0]), np.full(steps + 1, params[1])
        tw, tb = np.zeros(padded, x.dtype), np.zeros(padded, x.dtype)
        for _ in range(ROUNDS + 2):  # the readable loop's step from every point of the trajectory
            if one_row:
                residual = xs * w[:steps] + b[:steps] - ys  # as loss_and_grad computes it
            else:
                residual = (xs * np.repeat(w[:steps], batch_size)[: len(xs)]
                            + np.repeat(b[:steps], batch_size)[: len(xs)] - ys)
            move_w = learning_rate * (scale * _batch_sums(residual * xs, starts, one_row))
            move_b = learning_rate * (scale * _batch_sums(residual, starts, one_row))
            next_w, next_b = w[:steps] - move_w, b[:steps] - move_b
            tw[:steps], tb[:steps] = next_w - w[1:], next_b - b[1:]  # the defects
            limit = TOLERANCE * eps
            if (np.all(np.abs(tw[:steps]) <= limit * (np.abs(w[:steps]) + np.abs(move_w)))
                    and np.all(np.abs(tb[:steps]) <= limit * (np.abs(b[:steps]) + np.abs(move_b)))):
                break
            dw, db = tree.states(tw, tb)  # the trajectory's error obeys the same maps
            w += dw[: steps + 1]
            b += db[: steps + 1]
        if len(losses):
            squares = _batch_sums(residual * residual, starts, one_row)
            losses[first : first + steps] = squares / sizes
        params[0], params[1] = next_w[-1], next_b[-1]
