"""Fixtures that build the book: one strict build per test session and builder, shared by
the site tests, and a headless Chromium to read it in.

`tests/test_site.py` reads the built HTML; `tests/test_browser.py` and
`tests/test_accessibility.py` serve the same folder on loopback to headless Chromium
(Debian's, driven by playwright). Every request a page makes is recorded; any to another
host is blocked and fails the test. The browser tests are skipped only where there is no
Chromium or playwright and `CI` is unset; in CI a missing browser is a failure.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import threading
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# What a copy of the project needs to build the book on its own (the pages include the
# README, the changelog, the package's source and recorded benchmark results by snippets).
BOOK_SOURCES = ("mkdocs.yml", "docs", "gdbook", "README.md", "CHANGELOG.md", "benchmarks/results")


# The three builders that read mkdocs.yml. MkDocs is the documented one (README); ProperDocs
# (the continuation of MkDocs 1.x) and Zensical (Material's successor) are the forward path.
BUILDERS = ("mkdocs", "properdocs", "zensical")


def console_script(name: str) -> str:
    """The console script `name` of this interpreter's environment, as a reader would run it.

    Not `python -m name`: that puts the working directory on `sys.path`, which a reader's
    `mkdocs build` does not, and would hide a page that imports something only found there.
    """
    script = Path(sys.executable).with_name(name)
    found = str(script) if script.exists() else shutil.which(name)
    if found is None:
        raise FileNotFoundError(f"no `{name}` next to {sys.executable} or on PATH")
    return found


def build_book(
    project: Path, site_dir: Path, builder: str = "mkdocs"
) -> subprocess.CompletedProcess[str]:
    """Build the book in `project` strictly with `builder`, in a fresh interpreter.

    MkDocs and ProperDocs write to `site_dir`. Zensical has no option for the output folder:
    it writes `project/site` (and a `.cache` folder), so build a copy of the sources with it
    (`copy_book_sources`) and pass `project / "site"`.
    """
    if builder == "zensical":
        if site_dir != project / "site":
            raise ValueError(f"Zensical writes to {project / 'site'}, not {site_dir}")
        command = [console_script("zensical"), "build", "--strict", "--clean"]
    elif builder in ("mkdocs", "properdocs"):
        command = [console_script(builder), "build", "--strict", "--site-dir", str(site_dir)]
    else:
        raise ValueError(f"builder must be one of {BUILDERS}, not {builder!r}")
    return subprocess.run(
        command,
        cwd=project,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def copy_book_sources(destination: Path) -> Path:
    """Copy what the book is built from into `destination` (no caches, no site)."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in BOOK_SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, destination / name, ignore=ignore)
        elif source.exists():
            shutil.copy2(source, destination / name)
    return destination


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The book built from the working tree with `--strict` (built once per session)."""
    site_dir = tmp_path_factory.mktemp("site")
    result = build_book(ROOT, site_dir)
    if result.returncode != 0:
        pytest.fail(
            f"mkdocs build --strict failed (exit {result.returncode}):\n"
            f"{result.stdout}\n{result.stderr}",
            pytrace=False,
        )
    return site_dir


def _built(builder: str, project: Path, site_dir: Path) -> Path:
    result = build_book(project, site_dir, builder)
    if result.returncode != 0:
        pytest.fail(
            f"{builder} build --strict failed (exit {result.returncode}):\n"
            f"{result.stdout}\n{result.stderr}",
            pytrace=False,
        )
    return site_dir


@pytest.fixture(scope="session")
def properdocs_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The book built from the working tree by ProperDocs with `--strict` (once per session)."""
    return _built("properdocs", ROOT, tmp_path_factory.mktemp("properdocs-site"))


def need_zensical() -> None:
    """Skip where Zensical cannot be installed: its releases since 0.0.68 need Python 3.11."""
    if sys.version_info < (3, 11):
        pytest.skip("Zensical needs Python 3.11 or newer (the test extra leaves it out on 3.10)")


@pytest.fixture(scope="session")
def zensical_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The book built by Zensical from a copy of the sources (it writes into the project)."""
    need_zensical()
    project = copy_book_sources(tmp_path_factory.mktemp("zensical-book"))
    return _built("zensical", project, project / "site")


def pages(site_dir: Path) -> dict[str, Path]:
    """Every page of a built site by its URL path ("" for the home page), 404 excluded."""
    found = {}
    for index in site_dir.rglob("index.html"):
        relative = index.parent.relative_to(site_dir)
        if "assets" not in relative.parts:
            found["" if relative == Path() else relative.as_posix() + "/"] = index
    return dict(sorted(found.items()))


# --- the book in a real browser --------------------------------------------------------

CHROMIUM = Path(os.environ.get("GDBOOK_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-gpu",
]

# Material renders mermaid into a closed shadow root; open it so the test can look inside.
OPEN_SHADOW_ROOTS = """
const attachShadow = Element.prototype.attachShadow;
Element.prototype.attachShadow = function (init) {
  return attachShadow.call(this, Object.assign({}, init, { mode: "open" }));
};
"""


def _playwright_or_reason():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        return None, f"playwright is not installed ({error})"
    if not CHROMIUM.exists():
        return None, f"no Chromium at {CHROMIUM} (Debian: apt-get install chromium)"
    return sync_playwright, None


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


# Module-scoped: one playwright instance at a time (a second sync_playwright() while one is
# running fails), started again for each module that uses them.
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
    sync_playwright, reason = _playwright_or_reason()
    if sync_playwright is None:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests cannot run in CI: {reason}", pytrace=False)
        pytest.skip(reason)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


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
        assert [url for url in self.requests if not _loopback(url)] == []


def _loopback(url: str) -> bool:
    """Whether `url` stays on this machine (the served site, or data/blob/about URLs)."""
    parsed = urllib.parse.urlsplit(url)
    return parsed.scheme in ("data", "blob", "about") or parsed.hostname == "127.0.0.1"


@pytest.fixture(scope="module")
def open_page(browser, base_url: str) -> Iterator:
    """`open_page(path, color_scheme=..., width=...)` -> a Visit; pages stay open until the
    module ends (`width` 390 is a phone's screen, with Material's mobile layout)."""
    contexts = []

    def open_(
        path: str, *, color_scheme: str = "light", wait: str = "networkidle", width: int = 1280
    ) -> Visit:
        height = 844 if width < 600 else 900
        context = browser.new_context(
            color_scheme=color_scheme, viewport={"width": width, "height": height}
        )
        contexts.append(context)
        context.add_init_script(OPEN_SHADOW_ROOTS)
        page = context.new_page()
        visit = Visit(page)

        def route(route):
            if _loopback(route.request.url):
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
        page.goto(base_url + path, wait_until=wait)
        return visit

    yield open_
    for context in contexts:
        context.close()
