"""How long the playground page (docs/playground.md) takes to redraw after a control moves.

Builds the book, serves it on 127.0.0.1, and in headless Chromium changes the learning rate
many times (a new value each time, so nothing is cached): each change retrains the drawn run
and the faint comparison runs and redraws every view. The time counted is the page's own
JavaScript plus the style and layout the next frame needs (forced with getBoundingClientRect);
painting is not counted. Target: the 90th percentile within 50 ms, at the largest settings
(batch size 1, 100 epochs: 10 000 updates). Run alone: `python -m benchmarks.playground`.
"""

from __future__ import annotations

import functools
import os
import tempfile
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from benchmarks.book import ROOT, _build
from benchmarks.suite import Skipped, row

CHROMIUM = Path(os.environ.get("GDBOOK_CHROMIUM", "/usr/bin/chromium"))
TARGET_MS = 50.0
MEASURE = """([k, rounds]) => {
  const widget = gdbookPlayground.widget, times = [];
  widget.set({batchSize: k, epochs: 100, order: "shuffle", feature: "raw", schedule: "constant"});
  for (let i = 0; i < rounds; i++) {
    const start = performance.now();
    widget.set({learningRate: Number((0.05 + i * 0.001).toPrecision(3))});
    document.body.getBoundingClientRect();
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b);
}"""


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def redraw(quick: bool) -> list[dict]:
    """The playground's redraw time in Chromium, batch sizes 1, 2 and 10, 100 epochs."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        raise Skipped(f"playwright is not installed ({error})") from None
    if not CHROMIUM.exists():
        raise Skipped(f"no Chromium at {CHROMIUM}")
    rounds = 30 if quick else 120
    rows = []
    with tempfile.TemporaryDirectory(prefix="gdbook-playground-") as tmp:
        _build(ROOT, Path(tmp))
        handler = functools.partial(_Quiet, directory=tmp)
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=str(CHROMIUM),
                    args=["--no-sandbox", "--disable-background-networking",
                          "--disable-component-update", "--disable-sync", "--no-first-run",
                          "--disable-gpu"],
                )
                for width in (1280, 390):
                    page = browser.new_page(viewport={"width": width, "height": 900})
                    page.goto(f"http://127.0.0.1:{server.server_port}/playground/")
                    page.wait_for_selector("#playground[data-ready]")
                    for k in (1, 2, 10):
                        times = page.evaluate(MEASURE, [k, rounds])
                        median, p90 = times[len(times) // 2], times[int(0.9 * len(times))]
                        rows.append(row(
                            "playground redraw (Chromium)", f"k={k}, 100 epochs, {width} px",
                            median, "p90", p90, p90, "ms (median)", TARGET_MS,
                            note="page JS + style + layout; the 90th percentile must meet "
                                 "the target", better="lower",
                        ))
                    page.close()
                browser.close()
        finally:
            server.shutdown()
            server.server_close()
    return rows


if __name__ == "__main__":
    from benchmarks.__main__ import table

    print(table(redraw(quick=False)))
