"""What the fast paths tell the user: that a compile is under way, and that numba would help.

Two messages, each shown once per process:

- While the compiled kernels are built for a dtype (the first fit after
  installing numba or gdbook, `COMPILE_SECONDS`), one line on the `gdbook` logger
  at WARNING level, which Python prints to stderr unless logging is set up
  otherwise (matplotlib announces its font-cache build the same way). It is
  shown only if the build takes longer than `NOTICE_AFTER`, so loading the
  kernels from numba's cache stays silent. A progress bar can show the line
  itself: `compile_message(dtype)` gives it, and `show_compile_message` is
  looked up when the line is due, so it can be replaced while a bar is shown.
- When a large stochastic or mini-batch fit runs the readable loop because
  numba is missing, a `PerformanceWarning` with an estimate of the speed-up.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import threading
import warnings
from collections.abc import Iterator

import numpy as np

from gdbook.exceptions import PerformanceWarning

NOTICE_AFTER = 3.0
"""Seconds a build may take before it is announced: loading the kernels from numba's cache
takes 0.5 to 2 s (on a busy machine), compiling them 5 to 30 s."""
COMPILE_SECONDS = "10 to 30 s"
"""How long the first build takes per dtype: 15 s for float64 and 10 s for float32 on the
benchmark machine when it is quiet, up to 40 s when its two cores are shared."""

# A cost model for the estimate in the PerformanceWarning, fitted to the benchmark suite's
# rows on its machine (2 shared cores, numpy 2.4, numba 0.68): the readable loop costs a fixed
# overhead per step plus a gather per row, the compiled fit a time per row that grows with the
# features. It gives 350x for one-row steps on 1e5 x 10 (measured 230x to 490x), 37x for
# batches of 10 on 1e6 x 10 (32x to 50x), 7x at 100 features (5x to 6x), 4.6x for batches of
# 256 (4.7x to 4.9x); the message rounds it to one digit.
READABLE_STEP = 12e-6
READABLE_ROW = (0.1e-6, 1.5e-9)  # per row: a fixed part, and per feature
COMPILED_ROW = (15e-9, 2e-9)

_log = logging.getLogger("gdbook")
_advised: list[bool] = []


def compile_message(dtype: np.dtype) -> str:
    """The line that announces the build of the compiled kernels for `dtype`."""
    return (f"gdbook: compiling the fast kernels for {np.dtype(dtype).name} (once per installed "
            f"version of gdbook and numba; {COMPILE_SECONDS})...")


def show_compile_message(message: str) -> None:
    """Show `message` (default: a WARNING record on the `gdbook` logger)."""
    _log.warning(message)


@contextlib.contextmanager
def while_compiling(dtype: np.dtype) -> Iterator[None]:
    """Announce the build for `dtype` if the body takes longer than `NOTICE_AFTER` seconds."""
    timer = threading.Timer(NOTICE_AFTER, lambda: show_compile_message(compile_message(dtype)))
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()


def speedup_estimate(n: int, d: int, batch_size: int) -> float:
    """Estimated ratio of an epoch's time in the readable loop to its time compiled."""
    steps = -(-n // batch_size)
    readable = steps * READABLE_STEP + n * (READABLE_ROW[0] + READABLE_ROW[1] * d)
    return readable / (n * (COMPILED_ROW[0] + COMPILED_ROW[1] * d))


def advise_numba(n: int, d: int, batch_size: int, n_steps: int,
                 error: BaseException | None = None) -> None:
    """Warn, once per process, that this fit runs the readable loop and numba would be faster.

    `error` is what importing or compiling the kernels raised: a missing module means numba
    is not installed; anything else means it is installed but cannot be used here.
    """
    speedup = speedup_estimate(n, d, batch_size)
    if _advised or speedup < 5:
        return
    _advised.append(True)
    rounded = float(f"{speedup:.1g}")
    if error is None or isinstance(error, ModuleNotFoundError):
        why = 'because numba is not installed; `pip install "gdbook[fast]"` runs'
    else:
        why = (f"because numba is installed but could not be used ({type(error).__name__}: "
               f'{error}); a working numba (`pip install "gdbook[fast]"` picks a matching '
               f"numba and llvmlite) runs")
    warnings.warn(
        f"this fit ({n} rows x {d} feature(s), batches of {batch_size}) runs gdbook's readable "
        f"Python loop, {n_steps} numpy steps per epoch, {why} the same steps compiled, with "
        f"the same numbers, roughly {rounded:g}x faster (an estimate). Set GDBOOK_FAST=off to "
        f"choose the readable loop and silence this warning.",
        PerformanceWarning,
        # The call stack is what mutmut's trampolines change: the test of this line
        # (test_the_performance_warning_points_at_the_users_call) is left out of its run.
        stacklevel=_caller_level(),  # pragma: no mutate
    )


def _caller_level() -> int:  # pragma: no mutate block (call stack; see advise_numba)
    """The `stacklevel` that points a warning at the first frame outside the gdbook package."""
    package = os.path.dirname(os.path.abspath(__file__))
    frame, level = sys._getframe(1), 1  # the function that calls warnings.warn
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(package):
        frame, level = frame.f_back, level + 1
    return level
