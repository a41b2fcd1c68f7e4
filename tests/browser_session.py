"""Headless Chromium on the built book, for tests that drive pages with a keyboard and a mouse.

Import the fixtures into a test module (`from browser_session import base_url, browser, open_page`).
The site is served on 127.0.0.1 by a thread of the test process; every request a page makes is
recorded, and any to another host is blocked and remembered. Skipped only where there is no
Chromium or playwright and `CI` is unset; in CI a missing browser is a failure.
"""

from __future__ import annotations

import functools
import os
import threading
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("GDBOOK_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-gpu",
]


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def loopback(url: str) -> bool:
    """Whether `url` stays on this machine (the served site, or data/blob/about URLs)."""
    parsed = urllib.parse.urlsplit(url)
    return parsed.scheme in ("data", "blob", "about") or parsed.hostname == "127.0.0.1"


@dataclass
class Visit:
    """One page as a reader saw it, with everything it asked for and complained about."""

    page: object
    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def assert_clean(self) -> None:
        """No console error, no page error, and no request off loopback."""
        assert self.errors == []
        assert self.blocked == []
        assert [url for url in self.requests if not loopback(url)] == []


@pytest.fixture(scope="module")
def base_url(site: Path) -> Iterator[str]:
    """The built book, served on an ephemeral loopback port for the module's tests."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Debian's Chromium through playwright (never `playwright install`)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        reason = f"playwright is not installed ({error})"
    else:
        reason = None if CHROMIUM.exists() else f"no Chromium at {CHROMIUM}"
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests cannot run in CI: {reason}", pytrace=False)
        pytest.skip(reason)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def open_page(browser, base_url: str) -> Iterator[Callable[..., Visit]]:
    """`open_page(path, color_scheme="light", width=1280)` -> a Visit, closed after the test."""
    contexts = []

    def open_(path: str, *, color_scheme: str = "light", width: int = 1280) -> Visit:
        context = browser.new_context(
            color_scheme=color_scheme, viewport={"width": width, "height": 900}
        )
        contexts.append(context)
        page = context.new_page()
        visit = Visit(page)

        def route(route):
            if loopback(route.request.url):
                route.continue_()
            else:  # never let anything leave the machine, and remember that it tried
                visit.blocked.append(route.request.url)
                route.abort()

        context.route("**/*", route)
        context.on("request", lambda request: visit.requests.append(request.url))
        page.on(
            "console",
            lambda message: message.type == "error" and visit.errors.append(message.text),
        )
        page.on("pageerror", lambda error: visit.errors.append(f"page error: {error}"))
        page.goto(base_url + path, wait_until="networkidle")
        return visit

    yield open_
    for context in contexts:
        context.close()
