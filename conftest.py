"""Collection rules for the doctests under gdbook/ (pytest runs `--doctest-modules`)."""

import importlib.util

# The compiled kernels import numba at module level; without the `fast` extra there is
# nothing to collect there (tests/test_fast_paths.py skips its numba cases instead).
collect_ignore = [] if importlib.util.find_spec("numba") else ["gdbook/_fast_numba.py"]
