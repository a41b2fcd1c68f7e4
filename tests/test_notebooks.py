"""Every page with executed code is also a Jupyter notebook, downloadable from the page.

The build writes them (docs/hooks.py, docs/notebooks.py). Here each one is executed by a
real Jupyter kernel (nbclient + ipykernel) from an empty folder, and what its cells print
is compared with what the page printed when the book was built: exactly, except for the
blocks whose output is not reproducible. The book's only such numbers are times (its
randomness is seeded): a block whose output differs between two independent builds (MkDocs
and ProperDocs) prints timings, or verdicts drawn from them, and must show the same kind of
output, of the same shape (as many printed lines, the same figure); in the others, a
number followed by a unit of time may differ (two builds can agree on "1.6 秒" by chance).
"""

from __future__ import annotations

import copy
import html
import json
import re
from pathlib import Path

import pytest

from conftest import ROOT, pages

pytestmark = pytest.mark.slow

EXEC_FENCE = re.compile(
    r'^[ \t]*(?:`{3,}|~{3,})[ \t]*\{?\.?(?:python|py)\b[^\n]*\bexec="(?:on|1|true|yes)"', re.M
)


def executed_pages() -> dict[str, int]:
    """The book's pages with executed Python blocks: {URL path: number of blocks}."""
    found = {}
    for source in (ROOT / "docs").rglob("*.md"):
        count = len(EXEC_FENCE.findall(source.read_text(encoding="utf-8")))
        if count:
            relative = source.relative_to(ROOT / "docs").with_suffix("")
            path = "" if relative.name == "index" else relative.as_posix() + "/"
            found[path.removeprefix("index/")] = count
    return found


def notebook_of(site_dir: Path, path: str) -> Path:
    stem = path.rstrip("/").rsplit("/", 1)[-1] or "index"
    return site_dir / path / f"{stem}.ipynb"


def block_cells(notebook: dict) -> list[dict]:
    return [c for c in notebook["cells"] if "gdbook" in c["metadata"]]


def printed(cell: dict) -> tuple[str, str]:
    """What a code cell showed: (its standard output, the HTML it displayed)."""
    out = "".join("".join(o["text"]) for o in cell["outputs"] if o.get("name") == "stdout")
    shown = "".join(
        "".join(o["data"]["text/html"])
        for o in cell["outputs"]
        if o["output_type"] in ("display_data", "execute_result") and "text/html" in o["data"]
    )
    return out, shown


def without_fences(markdown: str) -> str:
    """Markdown with its fenced code blocks (quoted ones too) left out."""
    kept, fence = [], None
    for line in markdown.splitlines():
        opening = re.match(r"^[>\s]*(`{3,}|~{3,})", line)
        if opening and (fence is None or opening[1].startswith(fence)):
            fence = None if fence else opening[1]
        elif fence is None:
            kept.append(line)
    return "\n".join(kept)


TIMING = re.compile(
    r"\d+(?:\.\d+)?(?:e[+-]?\d+)?"
    r"(?=\s*(?:秒|毫秒|微秒|纳秒|分钟|小时|天|ns|µs|us|ms|s|min|h)(?:\b|$))"
)


def untimed(outputs: tuple[str, str]) -> tuple[str, ...]:
    return tuple(TIMING.sub("#", output) for output in outputs)


def shape(cell: dict) -> tuple:
    """What a timing does not change: the kinds of output, how many lines were printed, and
    the element each HTML output opens with (a figure and its id)."""
    out, shown = printed(cell)
    kinds = sorted({o["output_type"] for o in cell["outputs"]})
    return kinds, out.count("\n"), shown.split(">", 1)[0]


@pytest.fixture(scope="module")
def notebooks(site: Path) -> dict[str, dict]:
    return {
        path: json.loads(notebook_of(site, path).read_text(encoding="utf-8"))
        for path in executed_pages()
    }


def test_every_page_with_executed_code_has_a_notebook_and_a_download_button(site: Path) -> None:
    with_code = executed_pages()
    assert {"article/", "experiments/"} <= set(with_code)
    for path, index in pages(site).items():
        page = index.read_text(encoding="utf-8")
        buttons = re.findall(r'<a href="([^"]+\.ipynb)" download="([^"]+)"', page)
        if path in with_code:
            notebook = notebook_of(site, path)
            assert buttons == [(notebook.name, f"gdbook-{notebook.name}")], path
            assert notebook.is_file()
        else:
            assert buttons == [], path
    assert {p.parent for p in site.rglob("*.ipynb")} == {
        notebook_of(site, p).parent for p in with_code
    }


def test_notebooks_are_valid_and_hold_the_page_as_plain_markdown_and_python(
    site: Path, notebooks: dict[str, dict]
) -> None:
    nbformat = pytest.importorskip("nbformat")
    for path, notebook in notebooks.items():
        nbformat.validate(nbformat.from_dict(notebook))
        assert notebook["metadata"]["kernelspec"]["name"] == "python3"
        assert len(block_cells(notebook)) == executed_pages()[path], path
        cells = notebook["cells"]
        sources = {
            kind: "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == kind)
            for kind in ("markdown", "code")
        }
        markdown, prose = sources["markdown"], without_fences(sources["markdown"])
        # markdown-exec's options, snippet markers and Material's own syntax are gone, and
        # every link points at the published book (autorefs' [text][identifier] too)
        assert not re.search(r'exec="|--8<--', markdown + sources["code"]), path
        assert not re.search(r"^\s*(!!!|\?\?\?|===) ", prose, re.M), path
        assert not re.search(r"\]\((?!https?://)[^)]*\)|\]\[[\w.]+\]", prose), path
        assert "(https://gdbook.github.io/gdbook/api/#gdbook." in prose or path != "article/"
        for cell in notebook["cells"]:
            if cell["cell_type"] == "code":
                compile("".join(cell["source"]), cell["id"], "exec")  # plain Python
        # every section of the page is there, in the page's order
        page = pages(site)[path].read_text(encoding="utf-8")
        content = page.split('<article class="md-content__inner', 1)[1]
        shown = [
            plain(html.unescape(re.sub(r"<[^>]+>", "", h)).replace("¶", ""))
            for h in re.findall(r"<h[12][^>]*>(.*?)</h[12]>", content, re.S)
        ]
        written = [plain(h) for h in re.findall(r"^#{1,2} (.+)$", prose, re.M)]
        assert shown == written, path


def plain(heading: str) -> str:
    """A heading's words, without Markdown's link, code and math marks."""
    heading = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)
    return " ".join(re.sub(r"[`*$]|\\[()]", "", heading).split())


def test_stored_outputs_are_what_the_page_shows(site: Path, notebooks: dict[str, dict]) -> None:
    for path, notebook in notebooks.items():
        page = pages(site)[path].read_text(encoding="utf-8")
        page_text = html.unescape(re.sub(r"<[^>]+>", "", page))
        numbers = re.compile(r"\d+(?:\.\d+)?(?:e[+-]?\d+)?")
        for cell in block_cells(notebook):
            out, shown = printed(cell)
            kind = cell["metadata"]["gdbook"]["output"]
            if kind == "html":  # shown as HTML, or printed as text where it is not one print
                assert (shown or out).strip() in page, cell["id"]
            elif kind == "text":
                for line in filter(str.strip, out.splitlines()):
                    assert html.escape(line.strip(), quote=False) in page, (cell["id"], line)
            else:  # rendered Markdown: its numbers are on the page
                assert set(numbers.findall(out)) <= set(numbers.findall(page_text)), cell["id"]


@pytest.fixture(scope="module")
def executed(notebooks: dict[str, dict], tmp_path_factory: pytest.TempPathFactory):
    """Each notebook without its outputs, run by a Jupyter kernel in an empty folder."""
    nbclient = pytest.importorskip("nbclient")
    nbformat = pytest.importorskip("nbformat")
    results = {}
    for path, notebook in notebooks.items():
        folder = tmp_path_factory.mktemp("notebook-run")
        fresh = copy.deepcopy(notebook)
        for cell in fresh["cells"]:
            if cell["cell_type"] == "code":
                cell["outputs"], cell["execution_count"] = [], None
        client = nbclient.NotebookClient(
            nbformat.reads(json.dumps(fresh), as_version=4),
            timeout=600,
            kernel_name="python3",
            resources={"metadata": {"path": str(folder)}},
        )
        results[path] = (json.loads(nbformat.writes(client.execute())), folder)
    return results


def test_notebooks_run_from_an_empty_folder_and_print_what_the_page_printed(
    notebooks: dict[str, dict], executed, properdocs_site: Path
) -> None:
    volatile_seen = 0
    for path, notebook in notebooks.items():
        ran, folder = executed[path]
        other = json.loads(notebook_of(properdocs_site, path).read_text(encoding="utf-8"))
        stored, again, second = block_cells(notebook), block_cells(ran), block_cells(other)
        assert [c["id"] for c in again] == [c["id"] for c in stored] == [c["id"] for c in second]
        for built, run, rebuilt in zip(stored, again, second, strict=True):
            assert not [o for o in run["outputs"] if o["output_type"] == "error"], run["id"]
            if printed(built) == printed(rebuilt):
                assert untimed(printed(run)) == untimed(printed(built)), (path, run["id"])
            else:  # timings: the build itself does not reproduce them
                volatile_seen += 1
                assert shape(run) == shape(built), (path, run["id"])
        # it ran where it was put, and wrote only what its first cells say they write
        written = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
        setup = "".join("".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code")
        promised = set(re.findall(r'Path\("([^"]+\.\w+)"\)\.write_text', setup))
        assert {w for w in written if "__pycache__" not in w} <= promised
    assert volatile_seen < sum(len(block_cells(n)) for n in notebooks.values()) / 3


@pytest.mark.browser
def test_the_download_button_downloads_the_notebook(open_page, site: Path) -> None:
    visit = open_page("article/")
    button = visit.page.locator("a.gdbook-notebook")
    assert button.get_attribute("title") == "下载本页的 Jupyter notebook"
    with visit.page.expect_download() as info:
        button.click()
    download = info.value
    assert download.suggested_filename == "gdbook-article.ipynb"
    saved = Path(download.path())
    assert saved.read_bytes() == (site / "article" / "article.ipynb").read_bytes()
    assert json.loads(saved.read_text(encoding="utf-8"))["nbformat"] == 4
