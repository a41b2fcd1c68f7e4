"""The book on every builder that reads mkdocs.yml: MkDocs (the documented one), ProperDocs
(the continuation of MkDocs 1.x) and Zensical (Material's successor).

Each builds the book from the same sources with `--strict`. Zensical exits 0 and reports
"No issues found" even when an executed block raised, and writes the page with the traceback
in it; so every builder's pages are also searched for markdown-exec failures.
"""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import pytest

from conftest import build_book, copy_book_sources, need_zensical, pages

pytestmark = pytest.mark.slow

# markdown-exec names an executed block's frames `<code block: ...>` in the traceback it
# renders into the page when the block raises.
BLOCK_FRAME = 'File "<code block: '
FIGURE_ID = re.compile(r'<figure class="gdbook-figure" id="([^"]+)"')


def text(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", page))


def failed_blocks(site_dir: Path) -> dict[str, list[str]]:
    """Pages whose executed blocks failed: {page: [the traceback lines naming a block]}."""
    failures = {}
    for path, index in pages(site_dir).items():
        lines = text(index.read_text(encoding="utf-8")).splitlines()
        named = [line.strip() for line in lines if BLOCK_FRAME in line]
        if named:
            failures[path] = named
    return failures


def figures(site_dir: Path) -> dict[str, list[str]]:
    return {
        path: FIGURE_ID.findall(index.read_text(encoding="utf-8"))
        for path, index in pages(site_dir).items()
    }


@pytest.fixture
def built(request: pytest.FixtureRequest, builder: str) -> Path:
    fixture = {"mkdocs": "site", "properdocs": "properdocs_site", "zensical": "zensical_site"}
    return request.getfixturevalue(fixture[builder])


@pytest.mark.parametrize("builder", ["mkdocs", "properdocs", "zensical"])
def test_every_executed_block_succeeds(built: Path) -> None:
    assert failed_blocks(built) == {}


@pytest.mark.parametrize("builder", ["properdocs", "zensical"])
def test_same_pages_and_figures_as_mkdocs(built: Path, site: Path) -> None:
    assert set(pages(built)) == set(pages(site))
    drawn = figures(site)
    assert sum(map(len, drawn.values())) >= 2  # the article and experiments draw figures
    assert figures(built) == drawn


def test_zensical_passes_a_failing_block_silently_and_the_check_finds_it(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """Why the check above exists: Zensical exits 0 on a failing block (update the book's
    构建工具 section if this starts failing because Zensical learned to stop)."""
    need_zensical()
    project = copy_book_sources(tmp_path_factory.mktemp("zensical-broken"))
    page = project / "docs" / "changelog.md"
    page.write_text(
        page.read_text(encoding="utf-8")
        + '\n\n```python exec="on" id="broken-on-purpose"\nraise ValueError("on purpose")\n```\n',
        encoding="utf-8",
    )
    result = build_book(project, project / "site", "zensical")
    assert result.returncode == 0, result.stdout + result.stderr
    failures = failed_blocks(project / "site")
    assert list(failures) == ["changelog/"]
    assert failures["changelog/"] == [
        'File "<code block: id broken-on-purpose>", line 1, in <module>'
    ]
    shutil.rmtree(project, ignore_errors=True)
