"""Which rows feed each step (gdbook.batching.iter_batches), on its own: the rows of each batch
are read off an array of row numbers, `np.arange(n)[batch]`."""

import numpy as np
import pytest

from gdbook.batching import iter_batches


def rows(n, batch_size, **kwargs):
    return [np.arange(n)[batch].tolist() for batch in iter_batches(n, batch_size, **kwargs)]


def test_by_default_rows_come_in_order_each_once_and_the_last_batch_is_short():
    assert rows(10, 3) == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]


def test_drop_last_leaves_out_the_short_batch():
    assert rows(10, 3, drop_last=True) == [[0, 1, 2], [3, 4, 5], [6, 7, 8]]


@pytest.mark.parametrize("batch_size", [5, 6])
def test_one_batch_of_every_row_draws_nothing_from_the_generator(batch_size):
    """Batch GD: the order of the rows cannot change the step, so no permutation is drawn and a
    shared generator is left as it was."""
    rng = np.random.default_rng(0)
    assert rows(5, batch_size, rng=rng) == [[0, 1, 2, 3, 4]]
    assert rng.random() == np.random.default_rng(0).random()
