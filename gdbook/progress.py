"""A progress bar for training, drawn by tqdm (an optional dependency)."""

from __future__ import annotations

import logging
import time
from typing import Any

from gdbook.callbacks import Callback, Run

__all__ = ["ProgressBar"]


class ProgressBar(Callback):
    """Show a progress bar with the epoch, the loss and the validation loss (tqdm).

    `Trainer(progress=True)` adds one. It uses `tqdm.auto`, so it is a widget in
    Jupyter and a text bar in a terminal; tqdm is an optional dependency
    (`pip install "gdbook[progress]"`). Messages that gdbook logs while the bar
    is open (logger `"gdbook"`, level INFO or above; for instance while the fast
    kernels compile on first use) show as the bar's description.

    Args:
        **tqdm_kwargs: Passed to `tqdm.auto.tqdm`, e.g. `file=`, `leave=`,
            `mininterval=`, `disable=`.

    Raises:
        ImportError: If tqdm is not installed.

    Examples:
        >>> import io
        >>> from gdbook import BatchGD, LinearRegression, ProgressBar, Trainer
        >>> from gdbook import make_linear_data
        >>> X, y = make_linear_data(seed=0)
        >>> out = io.StringIO()
        >>> history = Trainer(BatchGD(learning_rate=0.5), epochs=20,
        ...                   callbacks=[ProgressBar(file=out, ascii=True)]).fit(
        ...     LinearRegression(seed=0), X, y)
        >>> last = out.getvalue().split(chr(13))[-1]  # what a terminal shows last
        >>> "20/20" in last and "loss=" in last
        True
    """

    refresh_seconds = 0.1

    def __init__(self, **tqdm_kwargs: Any) -> None:
        self.tqdm = tqdm_class()
        self.kwargs = tqdm_kwargs
        self.bar: Any = None

    def on_fit_start(self, run: Run) -> None:
        """Open the bar (one step per epoch)."""
        options = {"unit": "epoch", "dynamic_ncols": True, **self.kwargs}
        self.bar = self.tqdm(total=run.trainer.epochs, **options)
        self.next_refresh = 0.0
        self._log = _BarLogHandler(self)
        self._log.attach()

    def on_epoch_end(self, run: Run) -> None:
        """Advance the bar; refresh the numbers at most every `refresh_seconds`."""
        now = time.perf_counter()
        if now >= self.next_refresh:  # formatting the numbers every epoch would cost more
            self.bar.set_postfix_str(self.postfix(run), refresh=False)
            self.next_refresh = now + self.refresh_seconds
        self.bar.update()

    def on_fit_end(self, run: Run) -> None:
        """Show the final numbers and why training stopped; close the bar."""
        if self.bar is None:
            return
        self._log.detach()
        if run.stop_reason not in (None, "epochs", "error"):
            self.status(run.stop_reason)
        self.bar.set_postfix_str(self.postfix(run), refresh=False)
        self.bar.close()
        self.bar = None

    def status(self, text: str) -> None:
        """Show `text` as the bar's description (e.g. what gdbook is doing right now)."""
        if self.bar is not None:
            self.bar.set_description_str(text, refresh=True)

    @staticmethod
    def postfix(run: Run) -> str:
        """The numbers shown after the bar: loss, and val_loss with validation data."""
        text = f"loss={run.loss:.4g}"
        if run.logs.get("val_loss"):
            text += f", val_loss={run.logs['val_loss'][-1]:.4g}"
        return text

    def __repr__(self) -> str:
        return "ProgressBar()"


def tqdm_class() -> Any:
    """Return `tqdm.auto.tqdm`, or raise an ImportError that names the extra."""
    try:
        from tqdm.auto import tqdm
    except ImportError as exc:
        raise ImportError(
            'progress=True needs tqdm, an optional dependency: pip install "gdbook[progress]" '
            "(or pip install tqdm)"
        ) from exc
    return tqdm


class _BarLogHandler(logging.Handler):
    """Show records of the `gdbook` logger in a progress bar while it is open."""

    def __init__(self, bar: ProgressBar) -> None:
        super().__init__(logging.INFO)
        self.progress = bar
        self.logger = logging.getLogger("gdbook")

    def attach(self) -> None:
        self.level_before = self.logger.level
        if self.logger.getEffectiveLevel() > logging.INFO:
            self.logger.setLevel(logging.INFO)
        self.logger.addHandler(self)

    def detach(self) -> None:
        self.logger.removeHandler(self)
        self.logger.setLevel(self.level_before)

    def emit(self, record: logging.LogRecord) -> None:
        self.progress.status(record.getMessage())
