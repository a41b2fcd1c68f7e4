"""Every page with executed code, also written as a Jupyter notebook (driven by docs/hooks.py).

What the notebook holds, in the page's order:

- the prose as Markdown cells, with Material's extra syntax turned into plain Markdown
  (admonitions and collapsible notes become quotes, content tabs bold titles), snippets
  (`--8<--`) expanded, every link made absolute on the published book, `site_url`, and
  interactive HTML (forms and scripts that only work on the page) replaced by a link to it;
- each executed block as a code cell: the code exactly as markdown-exec ran it (snippets
  expanded, indentation removed), with the output it printed during this build stored
  under it. A block that prints one HTML fragment into the page (`html="on"`, the
  figures) displays it instead: its `print(x)` becomes `display(HTML(x))`;
- first, what the page's code needs that is not installed: the book's own modules it
  imports from `docs/` (`figures`), and the files it reads from the repository (for
  example `benchmarks/results/latest.json`), each written into the working directory by a
  short cell, so the notebook runs from any empty folder.

Recording uses markdown-exec's runner (wrapped in docs/hooks.py) and, for the files a
block reads, Python's audit hook for `open` while a block runs.
"""

from __future__ import annotations

import ast
import functools
import importlib.util
import io
import json
import logging
import os
import posixpath
import re
import sys
import textwrap
import time
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, distribution, distributions
from pathlib import Path
from typing import Any

import markdown

log = logging.getLogger("mkdocs.hooks.gdbook.notebooks")

# Fences that markdown-exec runs through its Python runner (`pycon` sessions are not turned
# into notebooks); only those among its configured `languages` run.
PYTHON_FENCES = ("python", "py")
_TRUE = {"1", "true", "yes", "on"}
_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^`]*?)[ \t]*$")
_ADMONITION = re.compile(
    r"^(?P<indent>[ \t]*)(?:!!!|\?\?\?\+?)[ \t]+(?P<type>[\w-]+)(?:[ \t]+[\w-]+)*"
    r'(?:[ \t]+"(?P<title>[^"]*)")?[ \t]*$'
)
_TAB = re.compile(r'^(?P<indent>[ \t]*)===\+?[ \t]+"(?P<title>[^"]*)"[ \t]*$')
_HTML_BLOCK = re.compile(r"^<(?P<tag>div|form|section|figure|details)\b(?P<attrs>[^>]*)>")
_INTERACTIVE = re.compile(r"<(?:script|form|input|button|select|textarea|canvas)\b")
_HEADING_ATTRS = re.compile(r"^(#{1,6}[ \t].*?)[ \t]*\{[^}]*\}[ \t]*$")
_INLINE_LINK = re.compile(r"(\[[^\]]*\])\(([^)\s]+)\)(\{[^}]*\})?")
_REFERENCE_LINK = re.compile(r"\[((?:[^\[\]]|\[[^\]]*\])+)\]\[([^\]]*)\]")
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")


# --- reading a page's Markdown ----------------------------------------------------------


def _options(info: str) -> dict[str, str]:
    pairs = re.findall(r'([\w-]+)=(?:"([^"]*)"|([^\s"}]+))', info)
    return {key: quoted or bare for key, quoted, bare in pairs}


def parse_fence(info: str) -> tuple[str, dict[str, str]]:
    """Language and options of a fence's info string, in either form superfences accepts
    (`python exec="on"` or `{.python exec="on"}`)."""
    info = info.strip()
    if info.startswith("{"):
        info = info.strip("{}").strip()
    words = info.split(maxsplit=1)
    language = words[0].lstrip(".") if words and "=" not in words[0] else ""
    return language, _options(info)


def is_executed(info: str, languages: tuple[str, ...] = ("python",)) -> bool:
    language, options = parse_fence(info)
    return language in languages and options.get("exec", "").lower() in _TRUE


@dataclass
class Code:
    """An executed block's place in the page: its fence options and its source (dedented)."""

    options: dict[str, str]
    source: str


Segment = str | Code  # Markdown text, or an executed block


def _indent(line: str) -> int:
    return len(line.expandtabs(4)) - len(line.expandtabs(4).lstrip())


def _dedent(lines: list[str], width: int) -> list[str]:
    out = []
    for line in lines:
        expanded = line.expandtabs(4)
        out.append(expanded[min(width, _indent(expanded)) :] if expanded.strip() else "")
    return out


def _body(lines: list[str], start: int, indent: int) -> tuple[list[str], int]:
    """The lines after a container's header that belong to it, and where it ends."""
    end = start
    while end < len(lines) and (not lines[end].strip() or _indent(lines[end]) > indent):
        end += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return lines[start:end], end


def split_page(markdown_text: str, languages: tuple[str, ...] = ("python",)) -> list[Segment]:
    """The page as Markdown text and executed blocks (fences of these `languages`), in order,
    with Material's containers (admonitions, collapsible notes, content tabs) turned into
    plain Markdown."""
    return _merge(_split(markdown_text.splitlines(), languages))


def _split(lines: list[str], languages: tuple[str, ...]) -> list[Segment]:
    segments: list[Segment] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        fence = _FENCE.match(line)
        if fence:
            indent, mark = fence["indent"], fence["fence"]
            closing = re.compile(rf"^{re.escape(indent)}{mark[0]}{{{len(mark)},}}[ \t]*$")
            end = i + 1
            while end < len(lines) and not closing.match(lines[end]):
                end += 1
            body = lines[i + 1 : end]
            if is_executed(fence["info"], languages):
                source = textwrap.dedent("\n".join(body))
                segments.append(Code(parse_fence(fence["info"])[1], source))
            else:
                segments.append(_plain_fence(indent, mark, fence["info"], body))
            i = end + 1
            continue
        container = _ADMONITION.match(line) or _TAB.match(line)
        if container:
            indent = _indent(line)
            body, end = _body(lines, i + 1, indent)
            inner = _merge(_split(_dedent(body, indent + 4), languages))
            if inner and isinstance(inner[0], str):
                inner[0] = inner[0].lstrip("\n")
            if container.re is _TAB:
                segments.append(f"**{container['title']}**\n")
                segments += inner
            else:
                title = container["title"]
                if title is None:
                    title = container["type"].capitalize()
                segments.append(f"> **{title}**\n>\n" if title else "")
                segments += [s if isinstance(s, Code) else _quote(s) for s in inner]
            segments.append("\n")
            i = end
            continue
        block = _HTML_BLOCK.match(line)
        if block:
            end = _html_end(lines, i, block["tag"])
            raw = "\n".join(lines[i : end + 1])
            if _INTERACTIVE.search(raw):  # it needs the page's scripts: point to the page
                anchor = re.search(r'\bid="([^"]+)"', block["attrs"])
                where = f"#{anchor[1]}" if anchor else "#"
                segments.append(
                    f"> *这里是网页上的交互内容，要在浏览器里配合本书的脚本使用："
                    f"请到[网页上的这一节]({where})操作。*\n"
                )
            else:
                segments.append(raw + "\n")
            i = end + 1
            continue
        heading = _HEADING_ATTRS.match(line)
        segments.append((heading[1] if heading else line) + "\n")
        i += 1
    return segments


def _html_end(lines: list[str], start: int, tag: str) -> int:
    """The line that closes the raw HTML element opened on line `start`."""
    depth = 0
    for end in range(start, len(lines)):
        line = lines[end]
        depth += len(re.findall(rf"<{tag}\b", line)) - len(re.findall(rf"</{tag}>", line))
        if depth <= 0:
            return end
    return len(lines) - 1


def _plain_fence(indent: str, mark: str, info: str, body: list[str]) -> str:
    language, options = parse_fence(info)
    title = f"{indent}*{options['title']}*\n\n" if "title" in options else ""
    return title + "\n".join([f"{indent}{mark}{language}", *body, f"{indent}{mark}"]) + "\n"


def _quote(text: str) -> str:
    return "".join(f"> {line}\n" if line.strip() else ">\n" for line in text.splitlines())


def _merge(segments: list[Segment]) -> list[Segment]:
    merged: list[Segment] = []
    for segment in segments:
        if isinstance(segment, str) and merged and isinstance(merged[-1], str):
            merged[-1] += segment
        else:
            merged.append(segment)
    return merged


# --- prose: links made absolute ---------------------------------------------------------


def rewrite_links(text: str, resolve, references: set[str]) -> str:
    """Make every relative link of `text` absolute with `resolve(target) -> url | None`;
    `[text][identifier]` with no definition on the page is an autorefs link, resolved as
    `resolve("autorefs:" + identifier)`. Code spans and fences are left alone."""
    out, in_fence = [], None
    for line in text.splitlines(keepends=True):
        fence = _FENCE.match(line.lstrip("> "))
        if fence and (in_fence is None or fence["fence"].startswith(in_fence)):
            in_fence = None if in_fence else fence["fence"]
            out.append(line)
            continue
        out.append(line if in_fence else _rewrite_line(line, resolve, references))
    return "".join(out)


def _rewrite_line(line: str, resolve, references: set[str]) -> str:
    spans: list[str] = []

    def hold(match: re.Match[str]) -> str:  # code spans keep their text; links around them
        spans.append(match[0])
        return f"\0{len(spans) - 1}\0"

    def restore(text: str) -> str:
        return re.sub("\0(\\d+)\0", lambda m: spans[int(m[1])], text)

    return restore(_rewrite_prose(_CODE_SPAN.sub(hold, line), resolve, references, restore))


def _rewrite_prose(text: str, resolve, references: set[str], restore) -> str:
    def inline(match: re.Match[str]) -> str:
        url = resolve(match[2])
        return f"{match[1]}({url or match[2]})"

    def reference(match: re.Match[str]) -> str:
        identifier = restore(match[2] or match[1])
        if identifier.lower() in references:
            return match[0]
        url = resolve("autorefs:" + identifier.strip("`"))
        return f"[{match[1]}]({url})" if url else match[0]

    return _REFERENCE_LINK.sub(reference, _INLINE_LINK.sub(inline, text))


def references_of(markdown_text: str) -> set[str]:
    return {m.lower() for m in re.findall(r"^[ ]{0,3}\[([^\]]+)\]:", markdown_text, re.M)}


# --- code: what a notebook needs to run it -------------------------------------------------


def _runs_once(tree: ast.Module, statement: ast.stmt) -> bool:
    """Whether `statement` sits only in `if`, `with` and `try` blocks: not in a loop or a
    function, so it runs at most once."""

    def path(node: ast.AST, target: ast.stmt) -> list[ast.AST] | None:
        if node is target:
            return [node]
        for child in ast.iter_child_nodes(node):
            found = path(child, target)
            if found:
                return [node, *found]
        return None

    blocks = (ast.Module, ast.If, ast.With, ast.Try)
    return all(isinstance(node, blocks) for node in (path(tree, statement) or [None])[:-1])


def as_display(code: str) -> str | None:
    """`code` with its one `print(x)` statement made `display(HTML(x))`, or None where the
    block prints in any other way (then the notebook shows its HTML as text)."""
    tree = ast.parse(code)
    calls = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "print"
    ]
    if len(calls) != 1 or len(calls[0].args) != 1 or calls[0].keywords:
        return None
    call, (arg,) = calls[0], calls[0].args
    statement = next(
        (s for s in ast.walk(tree) if isinstance(s, ast.Expr) and s.value is call), None
    )
    if statement is None or not _runs_once(tree, statement):
        return None
    lines = code.splitlines(keepends=True)

    def offset(lineno: int, col: int) -> int:
        before = sum(len(line) for line in lines[: lineno - 1])
        return before + len(lines[lineno - 1].encode()[:col].decode())

    start, end = offset(call.lineno, call.col_offset), offset(call.end_lineno, call.end_col_offset)
    inner = code[offset(arg.lineno, arg.col_offset) : offset(arg.end_lineno, arg.end_col_offset)]
    body = code[:start] + f"display(HTML({inner}))" + code[end:]
    return "from IPython.display import HTML, display\n\n" + body


def imported_modules(code: str) -> set[str]:
    """Top-level names of the modules that `code` imports (absolute imports only)."""
    names = set()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def _write_file_cell(relative: str, content: str, why: str) -> str:
    """A code cell that writes `content` to `relative` in the working directory."""
    literal = f"r'''{content}'''"
    if "'''" in content or content.endswith("\\") or "\r" in content:
        literal = repr(content)
    parent = posixpath.dirname(relative)
    mkdir = f'Path("{parent}").mkdir(parents=True, exist_ok=True)\n' if parent else ""
    return (
        f"# {why}\nfrom pathlib import Path\n\n{mkdir}"
        f'Path("{relative}").write_text({literal}, encoding="utf-8")'
    )


# --- recording a build --------------------------------------------------------------------


@dataclass
class Block:
    code: str
    output: str


@dataclass
class Page:
    src_uri: str
    url: str
    title: str
    markdown: str
    blocks: list[Block] = field(default_factory=list)
    reads: set[Path] = field(default_factory=set)
    notebook: str = ""


class _Reads:
    """Files opened for reading while an executed block runs (Python's audit hook)."""

    active: set[str] | None = None

    @classmethod
    def hook(cls, event: str, args: tuple) -> None:
        if cls.active is None or event != "open":
            return
        path, mode, flags = args
        if not isinstance(path, (str, os.PathLike)):
            return
        if mode is not None and any(m in mode for m in "wax+"):
            return
        if mode is None and flags & (os.O_WRONLY | os.O_RDWR):
            return
        cls.active.add(os.path.abspath(path))


sys.addaudithook(_Reads.hook)  # once per process: this module stays imported


class Recorder:
    """Collects each page's Markdown and executed blocks during one build."""

    def __init__(self, config: Any) -> None:
        self.config = config
        self.root = Path(config["config_file_path"]).resolve().parent
        self.docs_dir = Path(config["docs_dir"]).resolve()
        self.pages: dict[str, Page] = {}
        self.current: Page | None = None
        self.files: Any = None  # the build's MkDocs Files, set by the on_files hook
        plugin = config["plugins"].get("markdown-exec")
        configured = getattr(getattr(plugin, "config", None), "languages", None) or PYTHON_FENCES
        self.languages = tuple(lang for lang in configured if lang in PYTHON_FENCES)
        snippets = config["mdx_configs"].get("pymdownx.snippets", {})
        self._snippets = markdown.Markdown(
            extensions=["pymdownx.snippets"], extension_configs={"pymdownx.snippets": snippets}
        )

    def begin_page(self, page: Any, markdown_text: str) -> None:
        self._snippets.reset()
        expanded = "\n".join(self._snippets.preprocessors["snippet"].run(markdown_text.split("\n")))
        self.current = Page(page.file.src_uri, page.url, page.title or "", expanded)

    def run_block(self, run, code: str, exec_globals: dict | None) -> None:
        """Run one executed block with `run()`, recording its code, output and reads."""
        page = self.current
        buffer = getattr((exec_globals or {}).get("print"), "args", (None,))[0]
        if page is None or not isinstance(buffer, io.StringIO):
            if page is not None:
                log.warning(
                    "cannot record the output of a block on %s for its notebook: "
                    "markdown-exec no longer prints into a StringIO; update docs/notebooks.py",
                    page.src_uri,
                )
            run()
            return
        reads: set[str] = set()
        _Reads.active = reads
        try:
            run()
        finally:
            _Reads.active = None
            page.blocks.append(Block(code, buffer.getvalue()))
            page.reads |= {Path(p) for p in reads}

    def end_page(self) -> str | None:
        """Finish the current page; the notebook's file name if it has executed blocks."""
        page, self.current = self.current, None
        if page is None or not page.blocks:
            return None
        page.notebook = posixpath.basename(page.src_uri).rsplit(".", 1)[0] + ".ipynb"
        self.pages[page.src_uri] = page
        return page.notebook

    # --- writing ------------------------------------------------------------------------

    def write(self, autorefs: Any) -> list[Path]:
        """Write each page's notebook next to the page; `autorefs` resolves cross-references."""
        files, started = self.files, time.perf_counter()
        site_dir = Path(self.config["site_dir"])
        written = []
        for page in self.pages.values():
            notebook = self.notebook(page, files, autorefs)
            if notebook is None:
                continue
            directory = site_dir / page.url if page.url.endswith("/") or not page.url else (
                site_dir / posixpath.dirname(page.url)
            )
            path = directory / page.notebook
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(notebook, ensure_ascii=False, indent=1) + "\n", "utf-8")
            written.append(path)
        log.debug("notebooks written in %.2f s", time.perf_counter() - started)
        return written

    def _local_modules(self, codes: list[str]) -> dict[str, Path]:
        """Modules the code imports from docs/ (the book's helpers), and theirs, in order."""
        found: dict[str, Path] = {}
        pending = [name for code in codes for name in sorted(imported_modules(code))]
        while pending:
            name = pending.pop(0)
            if name in found:
                continue
            spec = importlib.util.find_spec(name)
            origin = Path(spec.origin).resolve() if spec and spec.origin else None
            if origin and origin.parent == self.docs_dir and origin.suffix == ".py":
                found[name] = origin
                pending += sorted(imported_modules(origin.read_text(encoding="utf-8")))
        return found

    def _data_files(self, page: Page) -> list[Path]:
        site_dir = Path(self.config["site_dir"]).resolve()
        prefix = Path(sys.prefix).resolve()
        keep = []
        for path in sorted(page.reads):
            if not path.is_file() or path.suffix in (".py", ".pyc"):
                continue
            if not path.is_relative_to(self.root) or path.is_relative_to(site_dir):
                continue
            if path.is_relative_to(prefix) or {"__pycache__", ".git"} & set(path.parts):
                continue
            keep.append(path)
        return keep

    def _requirements(self, codes: list[str], local: dict[str, Path]) -> list[str]:
        names = {n for code in codes for n in imported_modules(code)}
        names |= {n for path in local.values() for n in imported_modules(path.read_text("utf-8"))}
        wanted = set()
        for name in names - set(local) - set(sys.stdlib_module_names) - {"IPython"}:
            wanted |= _distributions_of(name)
        return sorted(wanted, key=str.lower)

    def notebook(self, page: Page, files: Any, autorefs: Any) -> dict | None:
        segments = split_page(page.markdown, self.languages)
        fences = [s for s in segments if isinstance(s, Code)]
        if len(fences) != len(page.blocks) or any(
            f.source.strip() != b.code.strip() for f, b in zip(fences, page.blocks, strict=False)
        ):
            log.warning(
                "notebook for %s: found %d executed blocks in its Markdown but %d ran, or "
                "their code differs; the notebook is not written (update docs/notebooks.py)",
                page.src_uri,
                len(fences),
                len(page.blocks),
            )
            return None
        site_url = self.config.get("site_url") or ""
        page_url = site_url + page.url
        references = references_of(page.markdown)

        def resolve(target: str) -> str | None:
            if target.startswith("autorefs:"):
                try:
                    url, _ = autorefs.get_item_url(target.removeprefix("autorefs:"))
                except (KeyError, AttributeError):
                    return None
                return site_url + url
            if re.match(r"^[a-z][a-z0-9+.-]*:|^/", target, re.I):
                return None  # already absolute
            path, _, anchor = target.partition("#")
            anchor = "#" + anchor if anchor else ""
            if not path:
                return page_url + anchor
            src = posixpath.normpath(posixpath.join(posixpath.dirname(page.src_uri), path))
            file = files.get_file_from_path(src)
            return site_url + (file.url if file else src) + anchor

        codes = [b.code for b in page.blocks]
        local = self._local_modules(codes)
        data = self._data_files(page)
        introduction = self._introduction(page, page_url, codes, local, data)
        first = segments[0] if segments and isinstance(segments[0], str) else ""
        heading = re.match(r"\s*(# [^\n]+)\n", first)
        if heading:
            segments[0] = first[heading.end() :]
        title = heading[1] if heading else f"# {page.title}"
        cells: list[dict] = [_markdown_cell(f"{title}\n\n{introduction}")]
        for name, path in local.items():
            why = (
                f"本页的代码导入本书的 {name}（docs/{path.name}）：把它原样写进当前目录，"
                "下面导入它的代码就能找到它。"
            )
            cells.append(_setup_cell(_write_file_cell(path.name, path.read_text("utf-8"), why)))
        if local:  # the import system may have listed the folder before the file was there
            refresh = "\n\nimport importlib\n\nimportlib.invalidate_caches()"
            cells[-1]["source"] = _lines("".join(cells[-1]["source"]) + refresh)
        for path in data:
            relative = path.relative_to(self.root).as_posix()
            why = f"本页的代码读取本书仓库里的 {relative}：这里写出构建本书时的那份。"
            cells.append(_setup_cell(_write_file_cell(relative, path.read_text("utf-8"), why)))
        blocks = iter(page.blocks)
        for segment in segments:
            if isinstance(segment, Code):
                block = next(blocks)
                cells.append(_block_cell(segment, block))
            elif segment.strip():
                text = rewrite_links(segment.strip("\n"), resolve, references)
                cells.append(_markdown_cell(text))
        count, taken = 0, {cell["id"] for cell in cells if "id" in cell}
        for index, cell in enumerate(cells):
            if "id" not in cell:
                cell["id"] = f"cell-{index}"
                while cell["id"] in taken:
                    cell["id"] += "-"
                taken.add(cell["id"])
            if cell["cell_type"] == "code":
                count += 1
                cell["execution_count"] = count
                for output in cell["outputs"]:
                    if output["output_type"] == "execute_result":
                        output["execution_count"] = count
        return {
            "cells": cells,
            "metadata": {
                "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                "language_info": {"name": "python"},
                "gdbook": {"page": page_url, "source": "docs/" + page.src_uri},
            },
            "nbformat": 4,
            "nbformat_minor": 5,
        }

    def _introduction(self, page, url, codes, local, data) -> str:
        requirements = self._requirements(codes, local)
        needs = "，以及 " + "、".join(f"`{r}`" for r in requirements) if requirements else ""
        setup = []
        if local:
            setup.append("本书自己的 " + "、".join(f"`{p.name}`" for p in local.values()))
        if data:
            setup.append("仓库里的 " + "、".join(f"`{p.relative_to(self.root)}`" for p in data))
        first = (
            f"开头的代码单元把{'和'.join(setup)} 写进当前目录，所以在任何空目录里都能运行。"
            if setup
            else ""
        )
        gdbook = (
            "（`gdbook` 在本书仓库的克隆里用 `pip install -e .` 安装）"
            if "gdbook" in requirements
            else ""
        )
        return (
            f"*这个 notebook 由《{self.config['site_name']}》的“{page.title}”一页在构建时生成"
            f"（<{url}>）。正文是 Markdown 单元，书中运行过的每段代码是一个代码单元，"
            "按页面上的顺序排列；代码单元下面保存着构建本书时它们的输出。*\n\n"
            f"*运行它需要 Python 3.10 或更新的版本{needs}{gdbook}。从第一个单元开始依次运行。"
            f"{first}*"
        )


@functools.cache
def _distributions_of(module: str) -> set[str]:
    """The installed distribution that provides a top-level module (pip's name for it)."""
    try:  # most often the distribution has the module's name (numpy, matplotlib, gdbook)
        return {distribution(module).metadata["Name"]}
    except PackageNotFoundError:
        pass
    # Otherwise (sklearn: scikit-learn), the one whose RECORD lists the module's file, among
    # those installed where the module is (faster than packages_distributions(), which
    # reads every RECORD into paths).
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.origin or not Path(spec.origin).is_file():
        return set()
    origin = Path(spec.origin)
    root = origin.parent.parent if origin.name == "__init__.py" else origin.parent
    listed = origin.relative_to(root).as_posix() + ","
    for found in distributions(path=[str(root)]):
        if listed in (found.read_text("RECORD") or ""):
            return {found.metadata["Name"]}
    return set()


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def _markdown_cell(text: str) -> dict:
    return {"cell_type": "markdown", "metadata": {}, "source": _lines(text)}


def _code_cell(code: str, outputs: list[dict] | None = None) -> dict:
    return {
        "cell_type": "code",
        "execution_count": None,
        "metadata": {},
        "outputs": outputs or [],
        "source": _lines(code),
    }


def _setup_cell(code: str) -> dict:
    """A code cell whose source Jupyter shows folded (it only writes a file)."""
    cell = _code_cell(code)
    cell["metadata"] = {"jupyter": {"source_hidden": True}}
    return cell


def _block_cell(segment: Code, block: Block) -> dict:
    """The block as a code cell; its metadata names the block (markdown-exec's `id`) and
    how the page shows what it printed: as `html`, as `text`, or rendered `markdown`."""
    options = segment.options
    # The page shows the output as HTML with `html="on"`, and also when a block that prints
    # Markdown prints an HTML element (Markdown passes raw HTML through).
    html = options.get("html", "").lower() in _TRUE or (
        not options.get("result") and block.output.lstrip().startswith("<")
    )
    shown = "html" if html else "text" if options.get("result") else "markdown"
    code = as_display(block.code) if html else None
    if code is not None:
        output = block.output.removesuffix("\n")
        data = {"text/html": _lines(output), "text/plain": ["<IPython.core.display.HTML object>"]}
        cell = _code_cell(code, [{"output_type": "display_data", "data": data, "metadata": {}}])
    else:
        text = _lines(block.output)
        stream = {"output_type": "stream", "name": "stdout", "text": text}
        cell = _code_cell(block.code, [stream] if text else [])
    cell["metadata"] = {"gdbook": {"block": options.get("id", ""), "output": shown}}
    if re.fullmatch(r"[A-Za-z0-9_-]{1,64}", options.get("id", "")):
        cell["id"] = options["id"]
    return cell
