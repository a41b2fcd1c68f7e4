"""MkDocs hooks of the gdbook book, registered under `hooks:` in mkdocs.yml.

They write every page with executed code also as a Jupyter notebook (docs/notebooks.py),
offered by a download button on the page (docs/overrides/main.html), and they make three
failures loud that the toolchain would otherwise let through:

1. An executed block that calls `sys.exit()` (or raises `SystemExit`) ends the whole
   build, with exit status 0 and an empty site for `sys.exit(0)`. Here it becomes an
   ordinary error of that block: markdown-exec logs it as a warning naming the block,
   and `mkdocs build --strict` fails.
2. A public name of gdbook (`gdbook.__all__`) with no entry in the API reference is a
   warning, so a strict build fails.
3. Under `mkdocs serve`, executed blocks would keep using the gdbook that was imported
   by the first build; each build forgets it so edits to the package show up.
"""

from __future__ import annotations

import importlib
import logging
import re
import sys
from typing import Any

import notebooks  # docs/notebooks.py: mkdocs.yml puts docs/ on Python's path
from mkdocs.exceptions import PluginError

log = logging.getLogger("mkdocs.hooks.gdbook")

PACKAGE = "gdbook"
FIGURES = "figures"
_API_ID = re.compile(r'\bid="(' + PACKAGE + r'\.[A-Za-z_][\w.]*)"')
_documented: set[str] = set()
_recorder: notebooks.Recorder | None = None


class ExecutedBlockExit(RuntimeError):
    """An executed code block tried to exit the process."""


def guard_system_exit() -> None:
    """Make `SystemExit` in a markdown-exec Python block an error of that block.

    markdown-exec runs a block through `exec_python` and turns any `Exception` into a
    reported failure; `SystemExit` is not an `Exception`, so it escapes and stops MkDocs.
    The wrapper re-raises it as `ExecutedBlockExit`.
    """
    try:
        from markdown_exec._internal.formatters import python as formatter

        original = formatter.exec_python
    except (ImportError, AttributeError) as error:  # markdown-exec moved its internals
        raise PluginError(
            "docs/hooks.py cannot guard executed blocks against sys.exit(): "
            "markdown_exec._internal.formatters.python.exec_python was not found "
            f"({error}). Update guard_system_exit() for this markdown-exec version."
        ) from error
    original = getattr(original, "gdbook_original", original)  # a rebuild under serve

    def exec_python(code: str, filename: str, exec_globals: dict | None = None) -> None:
        def run() -> None:
            try:
                original(code, filename, exec_globals)
            except SystemExit as exit_:
                raise ExecutedBlockExit(
                    f"the block raised SystemExit({exit_.code!r}); an executed block must not "
                    "exit: it would end the whole build silently. Raise an exception instead."
                ) from exit_

        if _recorder is None:
            run()
        else:
            _recorder.run_block(run, code, exec_globals)

    exec_python.gdbook_original = original  # type: ignore[attr-defined]
    formatter.exec_python = exec_python


def forget_package() -> None:
    """Drop gdbook and the book's figure helper from `sys.modules`, so executed blocks
    import the current source."""
    stale = [n for n in sys.modules if n in (PACKAGE, FIGURES) or n.startswith(PACKAGE + ".")]
    for name in stale:
        del sys.modules[name]


def on_config(config: Any) -> None:
    # Executed blocks `import figures` (docs/figures.py): mkdocs.yml puts docs/ on sys.path
    # while it is read, for every builder, so nothing here is needed for that.
    guard_system_exit()


def on_pre_build(config: Any) -> None:
    global _recorder
    _documented.clear()
    forget_package()
    _recorder = notebooks.Recorder(config)


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> None:
    if _recorder is not None:
        _recorder.begin_page(page, markdown)


def on_page_content(html: str, page: Any, config: Any, files: Any) -> None:
    _documented.update(_API_ID.findall(html))
    notebook = _recorder.end_page() if _recorder is not None else None
    if notebook:
        page.meta["notebook"] = notebook  # the download button in docs/overrides/main.html


def on_files(files: Any, config: Any) -> None:
    if _recorder is not None:
        _recorder.files = files


def on_post_build(config: Any) -> None:
    if _recorder is not None:
        written = _recorder.write(config["plugins"].get("autorefs"))
        log.info("gdbook: wrote %d notebooks", len(written))
    check_api_reference()


def check_api_reference() -> None:
    try:
        package = importlib.import_module(PACKAGE)
    except ImportError as error:
        log.warning(f"cannot import {PACKAGE} to check the API reference: {error}")
        return
    missing = sorted(n for n in package.__all__ if f"{PACKAGE}.{n}" not in _documented)
    if missing:
        log.warning(
            "public names with no entry in the API reference (add `::: %s.NAME` to "
            "docs/api.md): %s",
            PACKAGE,
            ", ".join(missing),
        )
