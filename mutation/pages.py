"""Page mutants: a number the reader sees goes wrong; a page test must fail.

The executed blocks of the book are Markdown, which mutmut does not read, so the mutants
are written by hand in `mutation/pages.toml`: a file, a piece of text that occurs exactly
once in it, and what replaces it. Each one is applied to a copy of the project, the copy's
book is built (the session's `site` fixture) and its page tests run; the mutant is killed
when a test fails (or the strict build itself fails, when a `check(...)` on the page caught
it). The unmutated copy must pass first.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
PAGES = Path(__file__).resolve().parent / "pages.toml"
# What a copy needs to build the book and run its page tests.
SOURCES = ("mkdocs.yml", "docs", "gdbook", "README.md", "CHANGELOG.md", "benchmarks/results",
           "tests", "conftest.py", "pyproject.toml")


def mutants() -> list[dict]:
    """The entries of pages.toml: id, file, old, new, what, tests."""
    entries = tomllib.loads(PAGES.read_text("utf-8"))["mutant"]
    for entry in entries:
        text = (ROOT / entry["file"]).read_text("utf-8")
        if text.count(entry["old"]) != 1:
            raise ValueError(f"pages.toml, {entry['id']}: the text to replace occurs "
                             f"{text.count(entry['old'])} times in {entry['file']}, not once")
    return entries


def copy_project(destination: Path) -> Path:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache")
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, destination / name, ignore=ignore)
        elif source.exists():
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination / name)
    return destination


def run_tests(project: Path, tests: list[str]) -> tuple[int, str]:
    """Run the page tests of a copy (which builds its own book); return (exit code, culprit)."""
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "-m",
         "not browser", *tests], cwd=project, capture_output=True, text=True, check=False)
    culprit = ""
    for line in result.stdout.splitlines():
        if line.startswith(("FAILED ", "ERROR ")):
            culprit = line.split(" - ")[0].split(" ", 1)[1]
            break
    if "mkdocs build --strict failed" in result.stdout:
        culprit = "the strict build (a check on the page)"
    return result.returncode, culprit


def run(only: str | None = None) -> list[dict]:
    """Apply each page mutant to a fresh copy, build, test; return one record per mutant."""
    entries = [e for e in mutants() if only is None or re.search(only, e["id"])]
    records = []
    with tempfile.TemporaryDirectory(prefix="gdbook-page-mutants-") as tmp:
        clean = copy_project(Path(tmp) / "clean")
        tests = sorted({t for e in entries for t in e["tests"]})
        code, culprit = run_tests(clean, tests)
        if code != 0:
            raise RuntimeError(f"the page tests fail on the unmutated book ({culprit}); "
                               f"fix them before running page mutants")
        for entry in entries:
            project = copy_project(Path(tmp) / entry["id"])
            page = project / entry["file"]
            page.write_text(page.read_text("utf-8").replace(entry["old"], entry["new"]),
                            "utf-8")
            start = time.perf_counter()
            code, culprit = run_tests(project, entry["tests"])
            records.append({"id": entry["id"], "file": entry["file"], "what": entry["what"],
                            "killed": code == 1, "by": culprit if code == 1 else None,
                            "exit_code": code, "seconds": round(time.perf_counter() - start)})
            shutil.rmtree(project)
            status = f"killed by {culprit}" if code == 1 else f"SURVIVED (exit code {code})"
            print(f"page mutant {entry['id']}: {status}", flush=True)
    return records
