"""The real-data chapter (diabetes), read from the book built once per session."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from html_tables import tables_with_links

pytestmark = pytest.mark.slow

SECTIONS = ["data", "raw", "pipeline", "sgdregressor", "validation", "progress", "target"]


def text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", fragment)).split())


@pytest.fixture(scope="module")
def page(site: Path) -> str:
    return (site / "real-data" / "index.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def shown(page: str) -> str:
    return text(page.split('<article class="md-content__inner', 1)[1])


def table(page: str, first_header: str) -> list[list[str]]:
    matches = [t for t in tables_with_links(page) if t[0][0][0] == first_header]
    assert len(matches) == 1, f"one table headed {first_header!r} expected"
    return [[cell for cell, _ in row] for row in matches[0]]


def test_sections_in_order_and_no_failed_block(page: str) -> None:
    ids = re.findall(r'<h2 id="([^"]+)"', page)
    assert [i for i in ids if i in SECTIONS] == SECTIONS
    assert "Traceback (most recent call last)" not in page
    assert "RuntimeError: 正文与实验结果不符" not in page  # a check() of the prose failed


def test_chapter_follows_the_experiments_in_the_navigation(site: Path) -> None:
    experiments = (site / "experiments" / "index.html").read_text(encoding="utf-8")
    footer_next = re.search(
        r'<a href="([^"]+)"[^>]*class="md-footer__link md-footer__link--next"', experiments
    )
    assert footer_next and footer_next.group(1).rstrip("/").endswith("real-data")


def test_raw_features_are_stopped_with_the_bound_of_the_variant(shown: str) -> None:
    assert re.search(r"training diverged at epoch 0 \(loss=[^)]+\) with learning_rate=0\.01; "
                     r"steps on batches of 32 rows of this data are stable for every batch "
                     r"only when learning_rate < \d\.\d+e-06", shown)
    assert "standardise the features" in shown
    kappa = float(re.search(r"原始特征：条件数 κ = ([\d.e+]+)", shown).group(1))
    assert 1e7 < kappa < 1e8


def test_columns_table_describes_the_ten_features(page: str) -> None:
    rows = table(page, "特征")
    assert [r[0] for r in rows[1:]] == ["age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4",
                                        "s5", "s6"]
    assert rows[2][3:] == ["1", "2"]  # sex: min 1, max 2


def test_coefficients_match_exact_least_squares_in_original_units(page: str) -> None:
    rows = table(page, "系数")
    assert len(rows) == 1 + 10 + 1
    for name, ours, exact, rel in rows[1:]:
        assert ours == exact, name  # equal to the 4 decimals shown
        assert float(rel) < 1e-5, name


def test_sgdregressor_takes_the_same_steps_at_twice_the_rate(shown: str) -> None:
    assert "SGDRegressor(eta0=2η)" in shown
    gap = float(re.search(r"两者参数的最大差 (\S+?)（", shown).group(1))
    assert gap < 1e-9


def test_validation_curve_figure_and_restored_epoch(page: str, shown: str) -> None:
    figure = re.search(r'<figure class="gdbook-figure" id="fig-validation">(.*?)</figure>', page,
                       re.S)
    assert figure and figure.group(1).lstrip().startswith("<svg")
    assert figure.group(1).count("<path") > 10
    match = re.search(r"停止原因 'converged'：跑了 (\d+) 轮（上限 300），验证损失最低在第 (\d+) 轮",
                      shown)
    assert match and int(match.group(2)) < int(match.group(1)) < 300


def test_progress_bar_is_shown_as_printed(shown: str) -> None:
    assert re.search(r"100%\|#+\| 200/200 \[[^\]]*epoch/s, loss=\d+, val_loss=\d+\]", shown)


def test_mlp_divergence_names_the_target(shown: str) -> None:
    assert "the features are on a unit scale but the target is not (y has mean 151.9" in shown


def test_r2_table_compares_five_models_with_the_exact_solution(page: str) -> None:
    rows = table(page, "模型")
    assert len(rows) == 1 + 5
    r2 = {name: float(value) for name, value in rows[1:]}
    exact = r2["最小二乘精确解（numpy.linalg.lstsq）"]
    assert r2["GDRegressor，批量，8000 轮（第 3 节）"] == exact
    assert all(0.25 < value < exact + 0.02 for value in r2.values())


def test_no_stray_spaces_between_chinese_characters(page: str) -> None:
    cjk = "\u4e00-\u9fff"
    body = page.split('<article class="md-content__inner', 1)[1]
    body = re.sub(r"<pre.*?</pre>|<code.*?</code>|<svg.*?</svg>", "CODE", body, flags=re.S)
    paragraphs = [text(p) for p in re.findall(r"<(?:p|li|td)>(.*?)</(?:p|li|td)>", body, re.S)]
    assert not [p for p in paragraphs if re.search(rf"[{cjk}，。；：、）”][ \n]+[{cjk}（“]", p)]
