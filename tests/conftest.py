"""Fixtures that build the book: one strict build per test session, shared by the site tests.

`tests/test_site.py` reads the built HTML; `tests/test_browser.py` serves the same folder on
loopback to headless Chromium.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
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


@pytest.fixture(scope="session")
def zensical_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The book built by Zensical from a copy of the sources (it writes into the project)."""
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
