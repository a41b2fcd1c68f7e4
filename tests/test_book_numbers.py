"""The numbers the book prints, recomputed here with plain numpy and compared.

Issue 13's audit changed one number on a page at a time (a percentage printed as 0%, L* taken
as a sum so every L − L* came out negative, the experiments' "L / L*" column printing L − L*)
and the suite stayed green. These tests read the built pages (the `site` fixture) and check
signs, ranges, ratios and percentages against quantities computed here from the same data:
numpy's eigenvalues and least squares, and plain loops for the deterministic runs. Nothing
here imports or executes the pages' code.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import numpy as np
import pytest
from html_tables import tables

pytestmark = pytest.mark.slow

N = 100


def visible(fragment: str) -> str:
    """Visible text; inline math such as `\\(L^*\\)` (KaTeX renders it as L*) reads as `L*`."""
    plain = html.unescape(re.sub(r"<[^>]+>", "", fragment))
    return " ".join(re.sub(r"\\\((\S+?)\^\*\\\)", r"\1*", plain).split())


def outputs(page: str) -> str:
    """Text of every `<pre><code>` block of a page (shown code and printed output), joined."""
    blocks = re.findall(r"<pre[^>]*>.*?<code[^>]*>(.*?)</code></pre>", page, re.S)
    return "\n".join(html.unescape(re.sub(r"<[^>]+>", "", b)) for b in blocks)


def one(pattern: str, text: str) -> re.Match:
    found = list(re.finditer(pattern, text))
    assert len(found) == 1, f"expected one match of {pattern!r}, found {len(found)}"
    return found[0]


def number(cell: str) -> float:
    return float(cell.replace("−", "-").replace(",", ""))


def shows(cell: str, value: float, digits: int = 2) -> bool:
    """Whether `cell` is `value` rounded to `digits` significant digits (as `.1e` prints two),
    allowing the last digit either way when `value` sits on a rounding boundary."""
    step = 10.0 ** (np.floor(np.log10(abs(value))) - digits + 1)
    return abs(number(cell) - value) <= 0.5 * step * (1 + 1e-6)


def table(page: str, *header: str) -> list[dict[str, str]]:
    found = [t for t in tables(page) if t and t[0][: len(header)] == list(header)]
    assert len(found) == 1, f"expected one table starting with {header}, found {len(found)}"
    return [dict(zip(found[0][0], row, strict=True)) for row in found[0][1:]]


# --- the data and the oracles, computed here ------------------------------------------


@pytest.fixture(scope="module")
def data():
    """The article's data and starting line: default_rng(0) draws x, then the noise."""
    rng = np.random.default_rng(0)
    x = rng.random(N)
    y = 2 * x + 1 + rng.standard_normal(N) * 0.1
    A = np.c_[x, np.ones(N)]
    theta_star = np.linalg.lstsq(A, y, rcond=None)[0]
    L_star = float(np.mean((A @ theta_star - y) ** 2))
    H = 2 / N * A.T @ A
    start = np.random.default_rng(0).standard_normal(2)  # LinearRegression(seed=0): w, b
    return {"x": x, "y": y, "A": A, "theta_star": theta_star, "L_star": L_star,
            "lam": np.linalg.eigvalsh(H), "start": start}


def loss(data, theta):
    return float(np.mean((data["A"] @ theta - data["y"]) ** 2))


def batch_gd(data, learning_rate, epochs, theta=None):
    """Plain batch gradient descent; returns the loss after each epoch and the last theta."""
    A, y = data["A"], data["y"]
    theta = data["start"].copy() if theta is None else theta
    losses = []
    for _ in range(epochs):
        theta = theta - learning_rate * (2 / N) * A.T @ (A @ theta - y)
        losses.append(loss(data, theta))
    return np.array(losses), theta


def test_the_oracle_data_is_the_books(data):
    """The seed-0 data above are those of make_linear_data and of the article's program."""
    from gdbook import LinearRegression, make_linear_data

    X, y = make_linear_data(n_samples=N, slope=2.0, intercept=1.0, noise=0.1, seed=0)
    assert np.array_equal(X, data["x"]) and np.array_equal(y, data["y"])
    assert np.array_equal(LinearRegression(seed=0).params, data["start"])


# --- the article -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def article(site: Path) -> str:
    return (site / "article" / "index.html").read_text(encoding="utf-8")


def test_the_learning_rate_as_a_share_of_the_bound(article, data):
    """'2 / λ_max = …；原文的学习率 0.1 是它的 N%' (the audit's mutant printed 0%)."""
    bound = 2 / data["lam"][-1]
    match = one(r"2 / λ_max = ([\d.]+)；原文的学习率 0\.1 是它的 (\d+)%", outputs(article))
    assert float(match.group(1)) == pytest.approx(bound, abs=5e-5)
    assert int(match.group(2)) == round(100 * 0.1 / bound)
    assert 0 < int(match.group(2)) < 100  # 0.1 is below the bound: batch GD converges


def test_the_divergence_demo_stops_where_a_plain_loop_crosses_the_guard(article, data):
    """At 1.2 x the bound the error grows by |1 − 1.2·2| = 1.4 a step; rule 1 of the guard
    stops the run after the first epoch whose loss exceeds 1e6 x max(initial loss, var y)."""
    bound = 2 / data["lam"][-1]
    losses, _ = batch_gd(data, 1.2 * bound, 100)
    limit = 1e6 * max(loss(data, data["start"]), np.var(data["y"]))
    epoch = int(np.argmax(losses > limit))
    text = outputs(article)
    match = one(r"training diverged at epoch (\d+) \(loss=([\d.e+]+), ([\d.e+]+) x the initial "
                r"loss\) with learning_rate=([\d.]+); batch gradient descent on this data is "
                r"stable only for learning_rate < ([\d.]+)", text)
    assert int(match.group(1)) == epoch
    assert float(match.group(2)) == pytest.approx(losses[epoch], rel=1e-5)
    assert float(match.group(3)) == pytest.approx(
        losses[epoch] / loss(data, data["start"]), rel=1e-2)
    assert float(match.group(4)) == pytest.approx(1.2 * bound, rel=1e-5)
    assert float(match.group(5)) == pytest.approx(bound, rel=1e-5)


def article_program(data):
    """The article's numpy program: mini-batches of 10 in order, 100 epochs, rate 0.1."""
    rng = np.random.default_rng(0)
    rng.random(N), rng.standard_normal(N)  # the data, drawn first
    w, b = rng.standard_normal(1)[0], rng.standard_normal(1)[0]
    x, y = data["x"], data["y"]
    for _ in range(100):
        for i in range(0, N, 10):
            xb, yb = x[i : i + 10], y[i : i + 10]
            r = yb - (w * xb + b)
            w, b = w + 0.1 * 2 * np.mean(r * xb), b + 0.1 * 2 * np.mean(r)
    return float(np.mean((y - (w * x + b)) ** 2))


def test_the_noise_floor_block_compares_the_programs_loss_with_l_star(article, data):
    text = outputs(article)
    printed = [float(v) for v in re.findall(r"^Loss: ([\d.e-]+)$", text, re.M)]
    program = article_program(data)
    assert printed[0] == pytest.approx(program, rel=1e-9)
    L_star = data["L_star"]
    assert float(one(r"最小二乘解的损失 L\* = ([\d.]+)", text).group(1)) == pytest.approx(
        L_star, abs=5e-7)
    above = float(one(r"上面的 Loss 比 L\* 高 ([\d.]+)%", text).group(1))
    assert above == pytest.approx(100 * (program - L_star) / L_star, abs=0.005)
    assert above > 0  # L* is the least loss any line has on these data


def test_the_gdbook_replay_matches_the_program(article, data):
    text = outputs(article)
    replay = float(one(r"gdbook Loss: ([\d.e-]+)", text).group(1))
    assert replay == pytest.approx(article_program(data), rel=1e-12)
    difference = float(one(r"与 numpy 程序的差: ([\d.e+-]+)", text).group(1))
    assert 0 <= difference < 1e-12
    w, b = map(float, one(r"w = ([\d.-]+), b = ([\d.-]+)（真实值 2 和 1）", text).groups())
    assert w == pytest.approx(data["theta_star"][0], abs=0.05)
    assert b == pytest.approx(data["theta_star"][1], abs=0.05)


def test_the_comparison_table_measures_losses_above_l_star(article, data):
    """The audit's mutant computed L* as a sum: every L − L* became −0.93 and nothing failed."""
    L_star = data["L_star"]
    printed = float(one(r"最小二乘精确解的损失 L\* = ([\d.]+)。", visible(article)).group(1))
    assert printed == pytest.approx(L_star, abs=5e-6)
    rows = {r[0]: r for r in
            ([v for v in row.values()] for row in table(article, "方法", "每轮更新次数"))}
    assert len(rows) == 4
    for name, (_, _steps, final, excess, low, high, rises) in rows.items():
        assert number(excess) >= 0 and number(low) >= 0, name
        # L − L* is the printed loss minus L*, to the printed precision (two digits, and
        # five decimals for the loss)
        assert abs(number(excess) - (number(final) - L_star)) <= (
            0.05 * number(excess) + 6e-6), name
        assert number(low) <= number(excess) <= number(high), name  # epoch 100 is in the tail
        assert 0 <= int(rises) <= 20, name
    # every row again with a plain loop: batch GD, and the shuffled runs drawing a fresh
    # permutation per epoch from default_rng(0), as Trainer(seed=0) documents
    for name, batch, rate in (("批量", N, lambda t: 0.1),
                              ("随机，η 固定", 1, lambda t: 0.1),
                              ("随机，η 按 1/t 衰减", 1, lambda t: 0.1 / (1 + t)),
                              ("小批量，k = 10", 10, lambda t: 0.1)):
        losses = shuffled_gd(data, batch, rate, 100)
        tail = losses[-20:] - L_star
        _, steps, final, excess, low, high, rises = rows[name]
        assert int(steps) == N // batch, name
        assert number(final) == pytest.approx(losses[-1], abs=5e-6), name
        assert shows(excess, losses[-1] - L_star), name
        assert shows(low, tail.min()) and shows(high, tail.max()), name
        assert int(rises) == int(np.sum(np.diff(losses[-21:]) > 0)), name


def shuffled_gd(data, batch, rate, epochs):
    """Gradient descent on batches of a fresh permutation each epoch; the loss per epoch."""
    A, y, theta = data["A"], data["y"], data["start"].copy()
    rng = np.random.default_rng(0)
    losses = []
    for epoch in range(epochs):
        order = rng.permutation(N) if batch < N else np.arange(N)
        for i in range(0, N, batch):
            rows = order[i : i + batch]
            theta = theta - rate(epoch) * (2 / len(rows)) * A[rows].T @ (A[rows] @ theta - y[rows])
        losses.append(loss(data, theta))
    return np.array(losses)


# --- the experiments chapter, §1 -------------------------------------------------------


@pytest.fixture(scope="module")
def experiments(site: Path) -> str:
    return (site / "experiments" / "index.html").read_text(encoding="utf-8")


def test_the_ratio_column_is_l_over_l_star(experiments, data):
    """The audit's mutant printed L − L* under the heading "L / L*"."""
    L_star, lam_min, lam_max = data["L_star"], *data["lam"]
    rows = table(experiments, "方法", "设置")
    assert len(rows) == 6
    for row in rows:
        ratio = number(row["100 轮后 L / L*"])
        excess = number(row["超额损失 L − L*"])
        distance = number(row["‖θ − θ*‖"])
        assert ratio >= 1 and excess >= 0
        assert (ratio - 1) * L_star == pytest.approx(excess, rel=0.06, abs=1e-6 * L_star)
        # for least squares L − L* = ½ (θ − θ*)ᵀ H (θ − θ*): between λ_min/2 and λ_max/2 times
        # the squared distance (the printed numbers carry two digits)
        assert lam_min / 2 * distance**2 * 0.9 <= excess <= lam_max / 2 * distance**2 * 1.1


def test_the_batch_rows_of_section_1_are_plain_batch_gd(experiments, data):
    L_star, lam_min, lam_max = data["L_star"], *data["lam"]
    eta_star = 2 / (lam_min + lam_max)
    rows = {(r["方法"], r["设置"]): r for r in table(experiments, "方法", "设置")}
    assert ("批量", f"η* = {eta_star:.3f}") in rows
    for key, rate in ((("批量", "η = 0.1"), 0.1), (("批量", f"η* = {eta_star:.3f}"), eta_star)):
        losses, theta = batch_gd(data, rate, 100)
        row = rows[key]
        assert number(row["100 轮后 L / L*"]) == pytest.approx(losses[-1] / L_star, abs=1e-6)
        assert shows(row["超额损失 L − L*"], losses[-1] - L_star)
        assert shows(row["‖θ − θ*‖"], np.linalg.norm(theta - data["theta_star"]))
    text = visible(experiments)
    w, b, L = map(float, one(r"最小二乘精确解：w\* = ([\d.]+)，b\* = ([\d.]+)，L\* = ([\d.]+)。",
                             text).groups())
    assert (w, b) == pytest.approx(tuple(data["theta_star"]), abs=5e-5)
    assert L == pytest.approx(L_star, abs=5e-6)


def test_batch_gd_at_0_1_reaches_l_star_within_0_1_percent_when_a_plain_loop_does(
        experiments, data):
    losses, _ = batch_gd(data, 0.1, 1000)
    first = int(np.argmax(losses < 1.001 * data["L_star"])) + 1
    match = one(r"第 (\d+) 轮进入 L\* 的 0\.1% 以内", visible(experiments))
    assert int(match.group(1)) == first


# --- the real-data chapter -------------------------------------------------------------


@pytest.fixture(scope="module")
def diabetes():
    datasets = pytest.importorskip("sklearn.datasets")
    model_selection = pytest.importorskip("sklearn.model_selection")
    X, y = datasets.load_diabetes(return_X_y=True, scaled=False)
    X_train, _, y_train, _ = model_selection.train_test_split(X, y, test_size=0.25,
                                                              random_state=0)
    return X_train, y_train


def hessian_eigenvalues(X):
    A = np.c_[X, np.ones(len(X))]
    return np.linalg.eigvalsh(2 / len(X) * A.T @ A)


def test_the_real_data_chapters_condition_numbers_and_rate(site, diabetes):
    text = visible((site / "real-data" / "index.html").read_text(encoding="utf-8"))
    X, _ = diabetes
    lam = hessian_eigenvalues(X)
    kappa = lam[-1] / lam[0]
    shown = float(one(r"原始特征：条件数 κ = ([\d.e+]+)", text).group(1))
    assert shown == pytest.approx(kappa, rel=6e-3)  # printed with three digits
    epochs = float(one(r"最慢方向的误差缩小到千分之一约需 ([\d.e+]+) 轮", text).group(1))
    assert epochs == pytest.approx(np.log(1000) * kappa, rel=0.06)  # (1 − 1/κ)^t = 1/1000
    Z = (X - X.mean(axis=0)) / X.std(axis=0)  # StandardScaler
    lam_std = hessian_eigenvalues(Z)
    kappa_std, was = map(float, one(r"标准化后：条件数 κ = (\d+)（原来是 ([\d.e+]+)）",
                                    text).groups())
    assert kappa_std == pytest.approx(lam_std[-1] / lam_std[0], abs=0.5)
    assert was == pytest.approx(kappa, rel=0.06)
    rate = float(one(r"自动选择的学习率 learning_rate_ = ([\d.]+) = 0\.5 × 2/λ_max", text)
                 .group(1))
    assert rate == pytest.approx(0.5 * 2 / lam_std[-1], abs=5e-5)
