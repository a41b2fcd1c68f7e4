"""Which rows feed each gradient step: the only thing the three variants disagree on."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

__all__ = ["iter_batches"]


# --8<-- [start:batches]
def iter_batches(
    n_samples: int,
    batch_size: int,
    *,
    rng: np.random.Generator | None = None,
    replacement: bool = False,
    drop_last: bool = False,
) -> Iterator[slice | np.ndarray]:
    """Yield the rows of each batch of one epoch, as a slice or an index array.

    Without `rng` the rows are visited in order, each once. With `rng`, they
    are visited in a fresh random permutation (sampling without replacement:
    each row once per epoch), or, with `replacement=True`, as `n_samples`
    independent uniform draws (sampling with replacement: some rows come up
    twice in an epoch, some not at all). The last batch holds the
    `n_samples % batch_size` leftover rows unless `drop_last` is true.
    """
    if replacement:
        order = rng.integers(n_samples, size=n_samples)
    elif batch_size >= n_samples:  # one batch of every row: order cannot matter
        yield slice(0, n_samples)
        return
    else:
        order = None if rng is None else rng.permutation(n_samples)
    stop = n_samples - n_samples % batch_size if drop_last else n_samples
    for start in range(0, stop, batch_size):
        if order is None:
            yield slice(start, start + batch_size)
        else:
            yield order[start : start + batch_size]
# --8<-- [end:batches]
