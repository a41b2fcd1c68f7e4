"""The experiments chapter, read from the book built once per session (the `site` fixture)."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from html_tables import tables_with_links

pytestmark = pytest.mark.slow

CJK = "\u4e00-\u9fff"
SECTIONS = ["optimum", "lr-bound", "noise", "cost", "mlp", "claims"]
FIGURES = ["fig-optimum", "fig-lr-bound", "fig-noise", "fig-cost", "fig-mlp"]
# Every claim the article makes, as the chapter quotes it: one row of the closing table each.
CLAIMS = [
    "能够保证收敛到全局最优解",
    "计算量较大，训练速度较慢",
    "计算量较小，训练速度较快",
    "容易陷入局部最优解",
    "既能够减小计算量，又能够增加训练速度",
    "示例程序",
    "深度学习模型",
    "饼图",
]


def text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", fragment)).split())


@pytest.fixture(scope="module")
def page(site: Path) -> str:
    return (site / "experiments" / "index.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def claim_rows(page: str) -> list[list[tuple[str, list[str]]]]:
    header = ["原文的说法", "实验显示", "依据"]
    matches = [t for t in tables_with_links(page) if [cell[0] for cell in t[0]] == header]
    assert len(matches) == 1, "exactly one claim table expected"
    return matches[0][1:]


def test_chapter_has_its_six_sections_and_no_failed_block(page: str) -> None:
    ids = re.findall(r'<h2 id="([^"]+)"', page)
    assert [i for i in ids if i in SECTIONS] == SECTIONS
    assert "Traceback (most recent call last)" not in page  # what a failed block renders
    assert "RuntimeError: 正文与实验结果不符" not in page  # a check() of the prose failed


def test_chapter_follows_the_article_in_the_navigation(site: Path) -> None:
    """Next after the article, or after the article's playground (动手试一试) if it is there."""

    def next_page(name: str) -> str:
        page = (site / name / "index.html").read_text(encoding="utf-8")
        footer_next = re.search(
            r'<a href="([^"]+)"[^>]*class="md-footer__link md-footer__link--next"', page
        )
        assert footer_next, f"{name} has no next page"
        return footer_next.group(1).rstrip("/").rsplit("/", 1)[-1]

    following = next_page("article")
    if following == "playground":
        following = next_page("playground")
    assert following == "experiments"


def test_article_links_to_the_chapter(site: Path) -> None:
    article = (site / "article" / "index.html").read_text(encoding="utf-8")
    body = article.split('<article class="md-content__inner', 1)[1]
    assert re.search(r'<a href="(\.\./)?experiments/(#[^"]*)?"', body)


def test_mlp_is_in_the_api_reference(site: Path) -> None:
    api = (site / "api" / "index.html").read_text(encoding="utf-8")
    assert api.count('id="gdbook.MLP"') == 1


@pytest.mark.parametrize("figure_id", FIGURES)
def test_figures_are_inline_svg_drawn_at_build_time(page: str, figure_id: str) -> None:
    match = re.search(rf'<figure class="gdbook-figure" id="{figure_id}">(.*?)</figure>', page, re.S)
    assert match, f"figure {figure_id} missing"
    figure = match.group(1)
    assert figure.lstrip().startswith("<svg")
    assert "<dc:date>" not in figure  # no build date: the same figure on every build
    assert figure.count("<path") > 20  # lines, markers and glyphs were drawn
    assert re.search(rf"<figcaption>[^<]*[{CJK}]", figure)


def test_claim_table_has_one_row_per_claim_of_the_article(claim_rows) -> None:
    claims_in_rows = [[c for c in CLAIMS if c in row[0][0]] for row in claim_rows]
    assert claims_in_rows == [[c] for c in CLAIMS]


def test_each_claim_has_a_verdict_a_finding_and_a_source(claim_rows) -> None:
    for (claim, _), (finding, _), (_, links) in claim_rows:
        assert finding.endswith("。"), claim  # ends with the bold verdict
        assert links, f"no source linked for {claim}"
        for href in links:
            assert href.startswith("#") or "article/" in href, href
    sections = {href[1:] for row in claim_rows for href in row[2][1] if href.startswith("#")}
    assert sections <= set(SECTIONS)
    assert {"optimum", "lr-bound", "noise", "cost", "mlp"} <= sections
    # The findings quote numbers computed at build time (the pie has none to test).
    assert all(re.search(r"\d", row[1][0]) for row in claim_rows if "饼图" not in row[0][0])


def test_divergence_is_caught_and_shown(page: str) -> None:
    shown = text(page)
    assert "training diverged at epoch" in shown
    assert "DivergenceError" in shown
    assert re.search(r"learning_rate < 0\.75\d+", shown)  # the bound, 2 / lambda_max


def test_mlp_code_is_included_from_the_source(page: str) -> None:
    shown = text(page)
    assert "def _forward(self, X: np.ndarray)" in shown
    assert "def loss_and_grad(self, X: np.ndarray, y: np.ndarray)" in shown


def test_no_stray_spaces_between_chinese_characters(page: str) -> None:
    """A line break inside a Chinese paragraph of the Markdown renders as a visible space."""
    body = page.split('<article class="md-content__inner', 1)[1]
    body = re.sub(r"<pre.*?</pre>|<code.*?</code>|<svg.*?</svg>", "CODE", body, flags=re.S)
    paragraphs = [text(p) for p in re.findall(r"<(?:p|li|td)>(.*?)</(?:p|li|td)>", body, re.S)]
    stray = [p for p in paragraphs if re.search(rf"[{CJK}，。；：、）”][ \n]+[{CJK}（“]", p)]
    assert not stray
