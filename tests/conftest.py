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


def build_book(project: Path, site_dir: Path) -> subprocess.CompletedProcess[str]:
    """Run `mkdocs build --strict` on `project` into `site_dir`, in a fresh interpreter."""
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site_dir)],
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
