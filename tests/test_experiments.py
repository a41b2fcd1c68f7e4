"""The experiments chapter, read from the book built once per session (the `site` fixture).

Where the chapter prints a number that theory predicts, the test recomputes it here with its
own code (numpy eigenvalues, a moment recursion, a plain-numpy SGD loop, the sampling formula)
and compares: the page's code is not the oracle of itself.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import numpy as np
import pytest
from html_tables import tables, tables_with_links

from gdbook import LinearRegression, make_linear_data

pytestmark = pytest.mark.slow

CJK = "\u4e00-\u9fff"
SECTIONS = [
    "optimum",
    "lr-bound",
    "conditioning",
    "noise",
    "minibatch-noise",
    "cost",
    "mlp",
    "claims",
]
FIGURES = [
    "fig-optimum",
    "fig-lr-bound",
    "fig-conditioning",
    "fig-noise",
    "fig-decay",
    "fig-minibatch",
    "fig-cost",
    "fig-mlp",
]
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
ETAS = 0.0125 * 2.0 ** np.arange(5)


def text(fragment: str) -> str:
    """Visible text; inline math such as `\\(L^*\\)` (KaTeX renders it as L*) reads as `L*`."""
    plain = html.unescape(re.sub(r"<[^>]+>", "", fragment))
    return " ".join(re.sub(r"\\\((\S+?)\^\*\\\)", r"\1*", plain).split())


def number(cell: str) -> float:
    value = re.match(r"[-−+]?[\d.,]+(?:e[-+]?\d+)?", cell).group()
    return float(value.replace(",", "").replace("−", "-"))


def find_table(page: str, *header: str) -> list[dict[str, str]]:
    """The one table whose header starts with `header`, as a list of {column: cell} rows."""
    found = [t for t in tables(page) if t and t[0][: len(header)] == list(header)]
    assert len(found) == 1, f"expected one table starting with {header}, found {len(found)}"
    columns = found[0][0]
    return [dict(zip(columns, row, strict=True)) for row in found[0][1:]]


@pytest.fixture(scope="module")
def page(site: Path) -> str:
    return (site / "experiments" / "index.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def shown(page: str) -> str:
    return text(page)


@pytest.fixture(scope="module")
def article_data():
    X, y = make_linear_data(n_samples=100, slope=2.0, intercept=1.0, noise=0.1, seed=0)
    A = np.c_[X, np.ones_like(X)]
    theta = np.linalg.lstsq(A, y, rcond=None)[0]
    H = 2 / len(y) * A.T @ A
    return X, y, A, theta, H


@pytest.fixture(scope="module")
def claim_rows(page: str) -> list[list[tuple[str, list[str]]]]:
    header = ["原文的说法", "实验显示", "依据"]
    matches = [t for t in tables_with_links(page) if [cell[0] for cell in t[0]] == header]
    assert len(matches) == 1, "exactly one claim table expected"
    return matches[0][1:]


# --- structure ------------------------------------------------------------------------


def test_chapter_has_its_sections_and_no_failed_block(page: str) -> None:
    ids = re.findall(r'<h2 id="([^"]+)"', page)
    assert [i for i in ids if i in SECTIONS] == SECTIONS
    assert {"sampling-schemes", "decay"} <= set(re.findall(r'<h3 id="([^"]+)"', page))
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
    links = set(re.findall(r'<a href="(?:\.\./)?experiments/(#[^"]*)?"', body))
    assert {
        "#optimum",
        "#lr-bound",
        "#conditioning",
        "#noise",
        "#minibatch-noise",
        "#cost",
        "#mlp",
    } <= links


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


def test_no_stray_spaces_between_chinese_characters(page: str) -> None:
    """A line break inside a Chinese paragraph of the Markdown renders as a visible space."""
    body = page.split('<article class="md-content__inner', 1)[1]
    body = re.sub(r"<pre.*?</pre>|<code.*?</code>|<svg.*?</svg>", "CODE", body, flags=re.S)
    paragraphs = [text(p) for p in re.findall(r"<(?:p|li|td)>(.*?)</(?:p|li|td)>", body, re.S)]
    stray = [p for p in paragraphs if re.search(rf"[{CJK}，。；：、）”][ \n]+[{CJK}（“]", p)]
    assert not stray


def test_mlp_code_is_included_from_the_source(shown: str) -> None:
    assert "def _forward(self, X: np.ndarray)" in shown
    assert "def loss_and_grad(self, X: np.ndarray, y: np.ndarray)" in shown


# --- §1, §2: convergence and the learning-rate bound -----------------------------------


def test_batch_at_its_best_step_is_closest_and_at_01_is_farthest(page: str) -> None:
    rows = find_table(page, "方法", "设置")
    excess = {(r["方法"], r["设置"]): number(r["超额损失 L − L*"]) for r in rows}
    batch_01 = excess["批量", "η = 0.1"]
    (best_key,) = [k for k in excess if k[0] == "批量" and k[1].startswith("η*")]
    assert batch_01 == max(excess.values())
    assert excess[best_key] == min(excess.values()) and excess[best_key] < 1e-6


GRID = 0.01 * 2.0 ** (np.arange(12, -1, -1) / 2)


def excess_after_100_in_order(
    A: np.ndarray, y: np.ndarray, L_star: float, batch: int
) -> np.ndarray:
    """Every learning rate of GRID at once, rows in order (the article's loop), plain numpy.

    Returns the excess loss after 100 epochs per learning rate (inf once a run blows up).
    """
    start = LinearRegression(n_features=1, seed=0).params  # the chapter's starting line
    w = np.tile(start, (len(GRID), 1))
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(100):
            for i in range(0, len(y), batch):
                a, t = A[i : i + batch], y[i : i + batch]
                residual = w @ a.T - t  # (len(GRID), batch)
                w = w - GRID[:, None] * 2 * residual @ a / len(t)
        loss = np.mean((w @ A.T - y) ** 2, axis=1)
    return np.where(np.isfinite(loss), loss - L_star, np.inf)


def test_fair_comparison_after_100_epochs(page: str, shown: str, article_data) -> None:
    """Each method at its best rate of the grid, rows in order: recomputed without gdbook."""
    _, y, A, theta, _ = article_data
    L_star = np.mean((A @ theta - y) ** 2)
    rows = {(r["方法"], r["取样顺序"]): r for r in find_table(page, "方法", "取样顺序")}
    assert set(rows) == {
        ("批量", "—"),
        ("小批量", "按顺序"),
        ("小批量", "每轮打乱"),
        ("随机", "按顺序"),
        ("随机", "每轮打乱"),
    }
    for (name, order), batch in (
        (("批量", "—"), 100),
        (("小批量", "按顺序"), 10),
        (("随机", "按顺序"), 1),
    ):
        excess = excess_after_100_in_order(A, y, L_star, batch)
        best = int(np.argmin(excess))
        assert number(rows[name, order]["100 轮后最近的 η"]) == pytest.approx(GRID[best], rel=1e-2)
        assert number(rows[name, order]["100 轮后的超额损失"]) == pytest.approx(
            excess[best], rel=0.05
        )
    # Batch gradient descent at η* against everyone's best.
    eta_star = re.search(r"η\* = (0\.\d+)", shown).group(1)
    best_batch = number(find_table(page, "方法", "设置")[1]["超额损失 L − L*"])
    noisy = [number(r["100 轮后的超额损失"]) for k, r in rows.items() if k[0] != "批量"]
    assert 10 * best_batch < min(noisy)
    assert (
        number(rows["批量", "—"]["100 轮后的超额损失"]) < best_batch
    )  # η* is not the 100-epoch best
    assert float(eta_star) > number(rows["批量", "—"]["100 轮后最近的 η"])


def test_divergence_is_caught_and_shown(shown: str, article_data) -> None:
    *_, H = article_data
    assert "training diverged at epoch" in shown
    assert "DivergenceError" in shown
    bound = 2 / np.linalg.eigvalsh(H)[-1]
    match = re.search(r"learning_rate < (0\.\d+)", shown)
    assert match and abs(float(match.group(1)) - bound) < 1e-5


def test_growth_beyond_the_bound_matches_one_minus_eta_lambda_squared(shown: str) -> None:
    # At η = 1.01 × 2/λ_max the factor (1 − ηλ_max)² is (1 − 2.02)² = 1.0404 whatever the data.
    match = re.search(r"实测 ([\d.]+)，理论 \(1 − ηλ_max\)² = ([\d.]+)", shown)
    assert match
    measured, predicted = map(float, match.groups())
    assert predicted == pytest.approx(1.0404, abs=1e-6)
    assert measured == pytest.approx(1.0404, rel=1e-4)


# --- §3: conditioning ------------------------------------------------------------------


def test_conditioning_numbers_match_numpy(page: str, shown: str, article_data) -> None:
    *_, H = article_data
    lam_min, lam_max = np.linalg.eigvalsh(H)
    kappa = lam_max / lam_min
    rows = {r["量"]: r["数值"] for r in find_table(page, "量", "含义", "数值")}
    assert number(rows["κ = λ_max / λ_min"]) == pytest.approx(kappa, abs=0.01)
    assert number(rows["η* = 2 / (λ_min + λ_max)"]) == pytest.approx(
        2 / (lam_min + lam_max), abs=1e-4
    )
    rho = (kappa - 1) / (kappa + 1)
    assert number(rows["ρ* = (κ − 1) / (κ + 1)"]) == pytest.approx(rho, abs=1e-4)
    assert number(rows["ρ(0.1)"]) == pytest.approx(1 - 0.1 * lam_min, abs=1e-4)
    # The measured per-epoch rate printed beside the theory.
    match = re.search(r"η\* 下误差每轮乘以 ([\d.]+)（理论 ([\d.]+)）", shown)
    assert match and float(match.group(1)) == pytest.approx(rho, abs=2e-6)


def test_standardising_features_cuts_kappa_and_epochs(page: str, article_data) -> None:
    rows = find_table(page, "数据", "特征", "κ")
    X, *_ = article_data
    Xc, _ = make_linear_data(n_samples=2000, n_features=10, seed=1)
    for data, features in (("原文的数据", X[:, None]), ("第 6 节", Xc)):
        raw, std = (
            next(r for r in rows if r["数据"].startswith(data) and r["特征"] == form)
            for form in ("原始", "标准化")
        )
        for form, Z in ((raw, features), (std, (features - features.mean(0)) / features.std(0))):
            A = np.c_[Z, np.ones(len(Z))]
            lam = np.linalg.eigvalsh(2 / len(Z) * A.T @ A)
            assert number(form["κ"]) == pytest.approx(lam[-1] / lam[0], abs=0.01)
        epochs = "超额损失 < 10⁻⁴ 的轮数"
        assert number(std[epochs]) * 10 < number(raw[epochs])
    one = next(r for r in rows if r["数据"].startswith("原文的数据") and r["特征"] == "标准化")
    assert number(one["κ"]) == 1 and number(one["超额损失 < 10⁻⁴ 的轮数"]) == 1


# --- §4: noise by sampling scheme -------------------------------------------------------


def stationary_by_recursion(eta: float, A: np.ndarray, theta: np.ndarray, y: np.ndarray):
    """With-replacement SGD: sum the second-moment recursion Σ ← E[(I − ηA)Σ(I − ηA)] + η²S.

    The stationary Σ is the series Σ_k M^k (η² S) of the linear map M; it is summed here by
    doubling (x ← x + M^(2^j) x), not by solving the linear system as the page does.
    """
    n = len(y)
    Ai = 2 * A[:, :, None] * A[:, None, :]
    g = 2 * A * (A @ theta - y)[:, None]
    P = np.eye(2) - eta * Ai
    M = sum(np.kron(p, p) for p in P) / n  # vec(P Σ P) = (P ⊗ P) vec(Σ) for symmetric P
    x = eta**2 * (g.T @ g / n).ravel()
    for _ in range(60):
        x = x + M @ x
        M = M @ M
    Sigma = x.reshape(2, 2)
    H = Ai.mean(axis=0)
    return np.trace(H @ Sigma) / 2, np.trace(Sigma)


def cyclic_by_simulation(eta: float, A: np.ndarray, theta: np.ndarray, y: np.ndarray):
    """The article's loop with batch size 1, in plain numpy, from θ* until the epoch end settles."""
    w = theta.copy()
    for _ in range(400):
        for a, t in zip(A, y, strict=True):
            w -= eta * 2 * (a @ w - t) * a
    e = w - theta
    H = 2 / len(y) * A.T @ A
    return e @ H @ e / 2, e @ e


def sweep_rows(page: str) -> dict[float, dict[str, str]]:
    return {number(r["η"]): r for r in find_table(page, "η", "超额损失：有放回抽样")}


def test_with_replacement_noise_matches_the_stationary_theory(page: str, article_data) -> None:
    _, y, A, theta, _ = article_data
    rows = sweep_rows(page)
    assert sorted(rows) == pytest.approx(ETAS)
    for eta, row in rows.items():
        excess, dist2 = stationary_by_recursion(eta, A, theta, y)
        assert number(row["理论：有放回（精确稳态）"]) == pytest.approx(excess, rel=0.01)
        assert number(row["超额损失：有放回抽样"]) == pytest.approx(excess, rel=0.2)
        measured_distance = number(row["距离 √E‖θ−θ*‖²：有放回抽样"])
        assert measured_distance == pytest.approx(np.sqrt(dist2), rel=0.15)
        assert number(row["超额损失：每轮打乱"]) < number(row["超额损失：有放回抽样"])


def test_sequential_epoch_ends_are_the_fixed_point(page: str, article_data) -> None:
    _, y, A, theta, _ = article_data
    for eta, row in sweep_rows(page).items():
        excess, _ = cyclic_by_simulation(eta, A, theta, y)
        assert number(row["理论：按顺序（不动点）"]) == pytest.approx(excess, rel=0.01)
        assert number(row["超额损失：按顺序"]) == pytest.approx(excess, rel=0.01)


def test_fitted_slopes(page: str) -> None:
    rows = {r["取样方式"]: r for r in find_table(page, "取样方式", "超额损失的斜率")}
    replacement, shuffle = rows["有放回抽样"], rows["每轮打乱"]
    assert 0.9 < number(replacement["超额损失的斜率"]) < 1.3
    assert 0.45 < number(replacement["距离的斜率"]) < 0.65
    assert number(shuffle["超额损失的斜率"]) > number(replacement["超额损失的斜率"]) + 0.15
    # The slopes of the measured points, refitted here from the sweep table.
    sweep = sweep_rows(page)
    etas = np.array(sorted(sweep))
    refit = np.polyfit(
        np.log(etas), np.log([number(sweep[e]["超额损失：有放回抽样"]) for e in etas]), 1
    )[0]
    assert number(replacement["超额损失的斜率"]) == pytest.approx(refit, abs=0.02)


def fixed_point_by_basis(eta: float, A: np.ndarray, theta: np.ndarray, y: np.ndarray):
    """The sequential epoch map e ↦ Pe + c, read off by running one epoch from 0 and e_1, e_2."""

    def epoch(e: np.ndarray) -> np.ndarray:
        w = theta + e
        for a, t in zip(A, y, strict=True):
            w = w - eta * 2 * (a @ w - t) * a
        return w - theta

    c = epoch(np.zeros(2))
    P = np.column_stack([epoch(np.eye(2)[j]) - c for j in range(2)])
    e = np.linalg.solve(np.eye(2) - P, c)
    H = 2 / len(y) * A.T @ A
    return e @ H @ e / 2, e @ e


def test_limit_slopes_at_tiny_learning_rates(page: str, article_data) -> None:
    """The η → 0 slopes the chapter prints, recomputed from this test's own theory code."""
    _, y, A, theta, _ = article_data
    rows = {r["取样方式"]: r for r in find_table(page, "取样方式", "超额损失的斜率")}
    column = "精确理论在 η = 10⁻⁵…1.6×10⁻⁴ 上的斜率"
    tiny = ETAS * 8e-4
    for name, theory, limit in (
        ("有放回抽样", stationary_by_recursion, (1, 0.5)),
        ("按顺序", fixed_point_by_basis, (2, 1)),
    ):
        values = np.array([theory(e, A, theta, y) for e in tiny])
        expected = [
            np.polyfit(np.log(tiny), np.log(v), 1)[0] for v in (values[:, 0], np.sqrt(values[:, 1]))
        ]
        shown = [float(v) for v in re.findall(r"[\d.]+", rows[name][column])]
        assert shown == pytest.approx(expected, abs=2e-3)
        assert shown == pytest.approx(limit, abs=0.02)
    # In the swept range the sequential slope is far from its limit: the range is not small.
    assert number(rows["按顺序"]["超额损失的斜率"]) > 2.5


def test_decay_beats_every_constant_including_its_final_rate(page: str) -> None:
    rows = {r["学习率"]: r for r in find_table(page, "学习率", "第 100 轮的 η")}
    decayed = rows.pop("η = 0.1 / (1 + t)")
    final_eta = number(decayed["第 100 轮的 η"])
    assert final_eta == pytest.approx(0.1 / 100)
    assert any(number(r["第 100 轮的 η"]) == pytest.approx(final_eta) for r in rows.values())
    assert any(number(r["第 100 轮的 η"]) == pytest.approx(0.1) for r in rows.values())
    for row in rows.values():
        assert number(decayed["中位数"]) * 10 < number(row["中位数"])


# --- §5: mini-batch noise --------------------------------------------------------------


def test_minibatch_variance_matches_the_finite_population_correction(page: str) -> None:
    rows = find_table(page, "k", "不放回：公式 (n−k)/(k(n−1))")
    n = 100
    ks = [int(number(r["k"])) for r in rows]
    assert ks[0] == 1 and ks[-1] == n and len(ks) >= 5
    for row, k in zip(rows, ks, strict=True):
        exact = (n - k) / (k * (n - 1))
        assert number(row["不放回：公式 (n−k)/(k(n−1))"]) == pytest.approx(exact, abs=5e-5)
        assert number(row["不放回：实测"]) == pytest.approx(exact, rel=0.05, abs=1e-4)
        assert number(row["有放回：实测"]) == pytest.approx(1 / k, rel=0.05)
        assert number(row["不放回的标准差（相对单样本）"]) == pytest.approx(
            np.sqrt(exact), abs=1e-3
        )
    assert number(rows[-1]["不放回：实测"]) == 0  # k = n: batch gradient descent, no noise


# --- §6: cost ----------------------------------------------------------------------------


def test_cost_table_counts_are_consistent_and_ordered(page: str) -> None:
    rows = find_table(page, "目标", "方法", "最佳 η")
    per_epoch = {"批量": 1, "小批量": -(-2000 // 32), "随机": 2000}
    Xc, _ = make_linear_data(n_samples=2000, n_features=10, seed=1)
    A = np.c_[Xc, np.ones(2000)]
    bound = 2 / np.linalg.eigvalsh(2 / 2000 * A.T @ A)[-1]
    by_target: dict[str, dict[str, dict[str, str]]] = {}
    for row in rows:
        epochs = number(row["轮数"])
        assert number(row["样本梯度数"]) == epochs * 2000
        assert number(row["更新次数"]) == epochs * per_epoch[row["方法"]]
        assert row["耗时：可读循环"].endswith("ms") and row["耗时：编译实现"].endswith("ms")
        by_target.setdefault(row["目标"], {})[row["方法"]] = row
    assert set(by_target) == {"1e-02", "1e-04"}
    for methods in by_target.values():
        grads = {name: number(r["样本梯度数"]) for name, r in methods.items()}
        assert grads["随机"] < grads["小批量"] < grads["批量"]
        assert number(methods["批量"]["最佳 η"]) < bound  # the search never picks a diverging η


def test_eta_star_is_not_the_fastest_to_the_target(shown: str) -> None:
    """§6 prints the epochs to 1e-4 at the searched rate and at η*; plain numpy agrees."""
    match = re.search(r"用搜索出的 η = ([\d.]+) 要 (\d+) 轮，用 η\* = ([\d.]+) 要 (\d+) 轮", shown)
    assert match
    searched, searched_epochs, eta_star, star_epochs = match.groups()
    Xc, yc = make_linear_data(n_samples=2000, n_features=10, seed=1)
    A = np.c_[Xc, np.ones(len(yc))]
    theta = np.linalg.lstsq(A, yc, rcond=None)[0]
    L_star = np.mean((A @ theta - yc) ** 2)
    lam = np.linalg.eigvalsh(2 / len(yc) * A.T @ A)
    assert float(eta_star) == pytest.approx(2 / (lam[0] + lam[-1]), abs=1e-4)
    start = LinearRegression(n_features=10, seed=0).params

    def epochs_to_target(eta: float) -> int:
        w = start.copy()
        for epoch in range(1, 2000):
            w -= eta * 2 / len(yc) * A.T @ (A @ w - yc)
            if np.mean((A @ w - yc) ** 2) - L_star < 1e-4:
                return epoch
        raise AssertionError("never reached")

    assert epochs_to_target(float(searched)) == int(searched_epochs)
    assert epochs_to_target(2 / (lam[0] + lam[-1])) == int(star_epochs) > int(searched_epochs)


def test_cost_search_shows_its_rule(page: str) -> None:
    rows = find_table(page, "目标", "方法", "试过的 η: 到达目标的轮数（—：不比已有的更好）")
    for row in rows:
        tried = row["试过的 η: 到达目标的轮数（—：不比已有的更好）"]
        assert tried.startswith("0.64: 发散")  # from the top of the grid down
        best = row["最佳 η"]
        counts = {lr: r for lr, r in re.findall(r"([\d.]+): ([^，]+)", tried)}
        numeric = {lr: int(r) for lr, r in counts.items() if r.isdigit()}
        assert counts[best].isdigit() and int(counts[best]) == min(numeric.values())


# --- §7: the MLP -------------------------------------------------------------------------


def one_unit_optimum() -> float:
    """Lowest loss of v·tanh(w x) on the chapter's data, by golden-section search on w."""
    xs = np.linspace(-3, 3, 12)
    ys = np.sin(xs)

    def loss(w: float) -> float:
        t = np.tanh(w * xs)
        v = t @ ys / (t @ t)
        return float(np.mean((v * t - ys) ** 2))

    lo, hi = 0.05, 6.0
    ratio = (np.sqrt(5) - 1) / 2
    for _ in range(200):
        a, b = hi - ratio * (hi - lo), lo + ratio * (hi - lo)
        lo, hi = (lo, b) if loss(a) < loss(b) else (a, hi)
    return loss((lo + hi) / 2)


def test_stuck_seeds_are_saddles_created_by_symmetry(page: str, shown: str) -> None:
    rows = find_table(page, "种子", "损失", "后一半降了")
    assert len(rows) >= 2
    floor = one_unit_optimum()
    match = re.search(r"([\d.]+) 是只有 1 个隐藏单元、没有偏置的网络能达到的最低损失", shown)
    assert match and float(match.group(1)) == pytest.approx(floor, abs=1e-4)
    for row in rows:
        assert number(row["损失"]) == pytest.approx(floor, rel=0.03)
        assert abs(number(row["两个单元的相关系数"])) > 0.99
        assert number(row["海森矩阵最小特征值 λ"]) < 0  # a saddle, not a local minimum
        # the most negative direction moves weights only: batch GD can leave along it
        assert number(row["权重块的最小特征值"]) == number(row["海森矩阵最小特征值 λ"])
        assert 240 < number(row["1/(η|λ|)"]) < 10_000  # "几百到几千次更新"
        assert number(row["max |∂L/∂b|"]) < 1e-12  # the symmetry: bias gradients vanish
        assert number(row["海森矩阵偏置–权重块的最大元素"]) < 1e-8


def test_mlp_uses_twenty_seeds_and_both_currencies(page: str) -> None:
    rows = {r["方法与预算"]: r for r in find_table(page, "方法与预算", "更新次数")}
    assert set(rows) == {"批量 20 轮", "小批量 20 轮", "随机 20 轮", "批量 240 轮"}
    assert number(rows["随机 20 轮"]["更新次数"]) == number(rows["批量 240 轮"]["更新次数"]) == 240
    for row in rows.values():
        seeds = re.search(r"（(.*)）", row[next(c for c in row if c.startswith("损失 ≥"))])
        assert seeds  # the seeds on the plateau are listed
    # Equal updates: SGD is not on the plateau more often than batch gradient descent.
    plateau = {
        b: int(number(r[next(c for c in r if c.startswith("损失 ≥"))])) for b, r in rows.items()
    }
    assert plateau["随机 20 轮"] <= plateau["批量 240 轮"]


# --- §8: the claims table ------------------------------------------------------------


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
    assert set(SECTIONS) - {"claims"} <= sections
    # The findings quote numbers computed at build time (the pie has none to test).
    assert all(re.search(r"\d", row[1][0]) for row in claim_rows if "饼图" not in row[0][0])


def held_currencies(finding: str) -> set[str]:
    """The currencies a computed verdict says the claim holds in."""
    verdict = finding.rsplit("。", 2)[-2]
    if verdict.endswith("成立") and "；" not in verdict and "按" not in verdict:
        return {"样本梯度数", "编译实现", "可读循环"}
    held = re.search(r"按([^；]*)成立", verdict.replace("不成立", "×"))
    return {c for c in ("样本梯度数", "编译实现", "可读循环") if held and c in held.group(1)}


def test_cost_verdicts_follow_the_cost_table(page: str, claim_rows) -> None:
    rows = find_table(page, "目标", "方法", "最佳 η")
    grads = {(r["目标"], r["方法"]): number(r["样本梯度数"]) for r in rows}
    targets = {t for t, _ in grads}
    sgd_cheapest = all(
        grads[t, "随机"] < min(grads[t, "批量"], grads[t, "小批量"]) for t in targets
    )
    batch_dearest = all(
        grads[t, "批量"] > max(grads[t, "随机"], grads[t, "小批量"]) for t in targets
    )
    mini_cheaper = all(grads[t, "小批量"] < grads[t, "批量"] for t in targets)
    findings = {c: row[1][0] for row in claim_rows for c in CLAIMS if c in row[0][0]}
    assert ("样本梯度数" in held_currencies(findings["计算量较小，训练速度较快"])) == sgd_cheapest
    assert ("样本梯度数" in held_currencies(findings["计算量较大，训练速度较慢"])) == batch_dearest
    assert (
        "样本梯度数" in held_currencies(findings["既能够减小计算量，又能够增加训练速度"])
    ) == mini_cheaper
    assert findings["容易陷入局部最优解"].endswith("没有证据支持。")
