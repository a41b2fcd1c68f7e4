"""The built book in a real browser: headless Chromium (Debian's) driven by playwright.

The site is served on 127.0.0.1 by a thread of this process. Every request the pages make
is recorded; any to another host is blocked and fails the test. Skipped only where there
is no Chromium or playwright and `CI` is unset; in CI a missing browser is a failure.
"""

from __future__ import annotations

import urllib.parse
from pathlib import Path

import pytest

from conftest import Visit, _loopback

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PIE_LABELS = ["批量梯度下降法", "随机梯度下降法", "小批量梯度下降法"]

@pytest.fixture(scope="module")
def article(open_page) -> Visit:
    visit = open_page("article/")
    # Material renders mermaid and our script renders KaTeX after load; wait for both.
    visit.page.wait_for_function(
        "() => document.querySelector('.mermaid')?.shadowRoot?.querySelector('svg')",
        timeout=20_000,
    )
    visit.page.wait_for_function(
        "() => document.querySelectorAll('.arithmatex').length > 0 &&"
        " [...document.querySelectorAll('.arithmatex')].every(e => e.querySelector('.katex'))",
        timeout=20_000,
    )
    return visit


def test_pie_chart_became_an_svg_with_three_labelled_slices(article: Visit) -> None:
    pie = article.page.locator(".mermaid svg")  # playwright's CSS pierces open shadow roots
    assert pie.count() == 1
    assert pie.locator("path.pieCircle").count() == 3
    svg_text = pie.text_content()
    for label in PIE_LABELS:
        assert label in svg_text
    assert "示意" in svg_text


def test_math_is_rendered_by_katex_without_errors(article: Visit) -> None:
    page = article.page
    assert page.locator(".arithmatex .katex").count() == page.locator(".arithmatex").count() > 20
    assert page.locator(".katex-error").count() == 0
    assert page.locator(".arithmatex .katex-display").count() >= 4
    # KaTeX's own fonts were fetched from the site and are in use
    assert any("/assets/vendor/katex/fonts/" in url for url in article.requests)


def test_loss_figure_is_shown(article: Visit) -> None:
    figure = article.page.locator("#loss-curves svg")
    assert figure.count() == 1
    assert figure.is_visible()
    box = figure.bounding_box()
    assert box["width"] > 400 and box["height"] > 150


def test_article_makes_no_console_errors_and_no_outside_requests(article: Visit) -> None:
    assert article.errors == []
    assert article.blocked == []
    assert all(_loopback(url) for url in article.requests)
    assert any(url.endswith("/assets/vendor/mermaid/mermaid.min.js") for url in article.requests)


def test_every_page_renders_without_errors_or_outside_requests(open_page, site: Path) -> None:
    paths = sorted(
        p.parent.relative_to(site).as_posix() + "/"
        for p in site.rglob("index.html")
        if "assets" not in p.parts
    )
    assert {"./", "article/", "api/", "changelog/"} <= set(paths)
    problems = {}
    for path in paths:
        visit = open_page("" if path == "./" else path)
        outside = [url for url in visit.requests if not _loopback(url)]
        math_errors = visit.page.locator(".katex-error").all_text_contents()
        if visit.errors or visit.blocked or outside or math_errors:
            problems[path] = (visit.errors, visit.blocked, outside, math_errors)
    assert problems == {}


def test_dark_palette_renders_the_article(open_page) -> None:
    visit = open_page("article/", color_scheme="dark")
    scheme = visit.page.evaluate("document.body.getAttribute('data-md-color-scheme')")
    assert scheme == "slate"
    visit.page.wait_for_function(
        "() => document.querySelector('.mermaid')?.shadowRoot?.querySelector('svg')",
        timeout=20_000,
    )
    assert visit.errors == [] and visit.blocked == []


@pytest.mark.parametrize("query", ["批量梯度下降", "小批量", "学习率"])
def test_search_finds_the_article_for_chinese_words(open_page, query: str) -> None:
    visit = open_page("?q=" + urllib.parse.quote(query))
    results = visit.page.locator(".md-search-result__item a")
    results.first.wait_for(timeout=20_000)
    hrefs = results.evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert any("/article/" in href for href in hrefs), hrefs
    assert visit.errors == [] and visit.blocked == []


def test_search_box_typing_finds_the_article(open_page) -> None:
    """As a reader does it: type into the box (Material reads the query on keyup)."""
    visit = open_page("")
    page = visit.page
    page.locator(".md-search__input").click()
    page.locator(".md-search__input").fill("批量梯度下降")
    page.locator(".md-search__input").press("End")
    first = page.locator(".md-search-result__item a").first
    first.wait_for(timeout=20_000)
    assert "/article/" in first.get_attribute("href")
