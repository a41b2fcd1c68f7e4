"""How long the book takes to build (`mkdocs build --strict`), and to build again after an edit."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("mkdocs.yml", "docs", "gdbook", "README.md", "CHANGELOG.md", "benchmarks/results")


def _build(project: Path, site: Path) -> float:
    env = {k: v for k, v in os.environ.items() if k != "GDBOOK_FAST"}  # as a reader builds it
    env["NO_MKDOCS_2_WARNING"] = "1"
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=project, env=env, capture_output=True, text=True, timeout=900, check=False,
    )
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).splitlines()[-15:])
        raise RuntimeError(f"mkdocs build --strict failed:\n{tail}")
    return seconds


def book_build(quick: bool) -> tuple[list[dict], str | None]:
    """Return table rows, or no rows and the reason the book was skipped."""
    if not (ROOT / "mkdocs.yml").exists():
        return [], "no mkdocs.yml on this checkout: the book is not here yet"
    if shutil.which("mkdocs") is None and not _has_mkdocs():
        return [], "mkdocs is not installed (pip install -e '.[docs]')"
    with tempfile.TemporaryDirectory(prefix="gdbook-bench-") as tmp:
        project = Path(tmp) / "book"
        project.mkdir()
        for name in SOURCES:  # a copy, so the edit below never touches the real book
            source = ROOT / name
            if source.is_dir():
                ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
                shutil.copytree(source, project / name, ignore=ignore)
            elif source.exists():
                shutil.copy2(source, project / name)
        try:
            # The copy's gdbook is new to numba, so the first build also compiles the fast
            # kernels (once per install, as on a reader's first build); the next is the
            # build every later `mkdocs build` costs.
            first = _build(project, Path(tmp) / "site")
            rows = [_row("first build of a new copy (numba compiles its kernels)", first),
                    _row("mkdocs build --strict", _build(project, Path(tmp) / "site"))]
            if not quick:
                page = project / "docs" / "index.md"
                page.write_text(page.read_text(encoding="utf-8") + "\n\n编辑后重建。\n",
                                encoding="utf-8")
                rows.append(_row("rebuild after editing docs/index.md",
                                 _build(project, Path(tmp) / "site")))
        except (RuntimeError, subprocess.TimeoutExpired) as error:
            return [], f"the book did not build: {error}"
    return rows, None


def _has_mkdocs() -> bool:
    try:
        import mkdocs  # noqa: F401
    except ImportError:
        return False
    return True


def _row(case: str, seconds: float) -> dict:
    return {"group": "book", "case": case, "gdbook": seconds, "vs": "", "other": None,
            "unit": "s", "ratio": None, "target": None, "better": "lower", "met": None,
            "note": "whole book, executed blocks included"}
