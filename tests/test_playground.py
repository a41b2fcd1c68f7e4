"""The playground page (docs/playground.md) in headless Chromium, checked against gdbook.

The page trains in the browser (docs/assets/javascripts/playground.js) and writes the drawn
run's per-epoch losses into `data-loss` on `#pg-loss-figure`, with its settings beside them.
Oracle: gdbook's own `Trainer(...).fit(...)` on the same data, initial parameters and
settings, run here in the test. The controls are moved as a reader moves them: with the
keyboard (focus, arrows, Home/End) and the mouse (drag a thumb, click a button).
"""

from __future__ import annotations

import itertools
import json
import math
import re

import numpy as np
import pytest

from conftest import Visit
from gdbook import (
    DivergenceError,
    LinearRegression,
    MiniBatchGD,
    Trainer,
    make_linear_data,
    max_stable_learning_rate,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

X, Y = make_linear_data(n_samples=100, slope=2.0, intercept=1.0, noise=0.1, seed=0)
FEATURES = {"raw": X, "standardized": (X - X.mean()) / X.std()}
A = np.c_[X, np.ones_like(X)]
L_STAR = float(np.mean((A @ np.linalg.lstsq(A, Y, rcond=None)[0] - Y) ** 2))
RTOL = 1e-12  # per-epoch losses of a run that does not diverge
RTOL_DIVERGING = 1e-10  # a run that blows up multiplies its rounding errors too

ATTRIBUTES = ("learning-rate", "batch-size", "epochs", "order", "feature", "schedule")


def gdbook_run(learning_rate, batch_size, epochs, order, feature, schedule):
    """The History losses, diverged epoch (or None) and error message gdbook gives."""
    optimizer = MiniBatchGD(batch_size=batch_size, learning_rate=learning_rate, schedule=schedule)
    trainer = Trainer(optimizer, epochs=epochs, seed=0, order=order)
    try:
        history = trainer.fit(LinearRegression(n_features=1, seed=0), FEATURES[feature], Y)
    except DivergenceError as error:
        return error.history.loss, error.epoch, str(error)
    return history.loss, None, None


def drawn(page) -> dict:
    """What the loss figure says it shows: its settings and per-epoch losses."""
    figure = page.locator("#pg-loss-figure")
    run = {name: figure.get_attribute(f"data-{name}") for name in ATTRIBUTES}
    run["learning-rate"] = float(run["learning-rate"])
    run["batch-size"] = int(run["batch-size"])
    run["epochs"] = int(run["epochs"])
    run["loss"] = np.array(  # float: JSON writes a huge integral loss as an integer
        [math.inf if v is None else v for v in json.loads(figure.get_attribute("data-loss"))],
        dtype=float,
    )
    diverged = figure.get_attribute("data-diverged-epoch")
    run["diverged"] = int(diverged) if diverged else None
    return run


def check_against_gdbook(page) -> dict:
    """Assert that the drawn run is gdbook's run for the drawn settings; return it."""
    run = drawn(page)
    loss, epoch, message = gdbook_run(*(run[name] for name in ATTRIBUTES))
    assert run["diverged"] == epoch
    assert run["loss"].shape == loss.shape
    rtol = RTOL if epoch is None else RTOL_DIVERGING
    np.testing.assert_allclose(run["loss"], loss, rtol=rtol, atol=0)
    if epoch is not None:
        shown = page.locator("#pg-diverged-message").text_content()
        assert shown == f"DivergenceError: {message}"
        assert page.locator("#pg-diverged").is_visible()
    else:
        assert page.locator("#pg-diverged").is_hidden()
    return run


def views(page) -> dict:
    """The drawn lines: the loss curves and the path of (w, b)."""
    return {
        "loss": page.locator("#pg-loss-chart path.gd-pg-line--main").evaluate_all(
            "paths => paths.map(p => p.getAttribute('d'))"
        ),
        "path": page.locator("#pg-path-chart path.gd-pg-trajectory").get_attribute("d"),
        "status": page.locator("#pg-status").text_content(),
    }


@pytest.fixture
def playground(open_page) -> Visit:
    visit = open_page("playground/")
    visit.page.wait_for_selector("#playground[data-ready]")
    return visit


def thumb_x(page, selector: str, value: float) -> float:
    """Where the thumb of a range input sits for `value` (the thumb is 18 px wide)."""
    box = page.locator(selector).bounding_box()
    lo, hi = (float(page.locator(selector).get_attribute(a)) for a in ("min", "max"))
    return box["x"] + 9 + (value - lo) / (hi - lo) * (box["width"] - 18)


def test_the_page_opens_on_the_articles_run(playground: Visit) -> None:
    page = playground.page
    run = check_against_gdbook(page)
    assert (run["learning-rate"], run["batch-size"], run["epochs"]) == (0.1, 10, 100)
    assert (run["order"], run["feature"], run["schedule"]) == ("shuffle", "raw", "constant")
    assert run["diverged"] is None
    # two panels, with the main run and the faint k = 1 and batch GD runs in each
    assert page.locator("#pg-loss-chart path.gd-pg-line--main").count() == 2
    assert page.locator("#pg-loss-chart path.gd-pg-line--sgd").count() == 2
    assert page.locator("#pg-loss-chart path.gd-pg-line--batch").count() == 2
    assert page.locator("#pg-loss-chart path.gd-pg-line--article").count() == 0  # it is the main
    # the path has one point per update (10 per epoch), reduced only where points overlap
    assert page.locator("#pg-path-chart path.gd-pg-trajectory").get_attribute("d").count("L") > 200
    # the page shows the engine it runs, included from the script's source by the build
    shown = page.locator("details code").all_text_contents()
    assert any("function train(data, settings)" in text for text in shown)
    bound = max_stable_learning_rate(X)
    assert f"{bound:.3g}" in page.locator("#pg-lr-scale").text_content()
    assert f"{bound:.3g}" in page.locator("#pg-status").text_content()
    playground.assert_clean()


def test_keyboard_moves_the_learning_rate_batch_size_and_epochs(playground: Visit) -> None:
    page = playground.page
    before = views(page)
    page.focus("#pg-batch")
    page.keyboard.press("Home")  # k = 1: stochastic gradient descent
    page.focus("#pg-lr")
    for _ in range(10):
        page.keyboard.press("ArrowRight")  # log10 η from -1 to -0.9
    page.focus("#pg-epochs")
    for _ in range(40):
        page.keyboard.press("ArrowLeft")  # 100 -> 60 epochs
    run = check_against_gdbook(page)
    assert run["batch-size"] == 1
    assert run["learning-rate"] == float(f"{10**-0.9:.3g}") == 0.126
    assert run["epochs"] == 60 and len(run["loss"]) == 60
    assert page.locator("#pg-lr").get_attribute("aria-valuetext") == "η = 0.126"
    assert page.locator("#pg-lr-number").input_value() == "0.126"
    assert "随机梯度下降" in page.locator("#pg-batch").get_attribute("aria-valuetext")
    after = views(page)
    assert after["loss"] != before["loss"] and after["path"] != before["path"]
    assert after["status"] != before["status"]
    # the same settings with the end of the range: 100 rows per step is batch GD
    page.focus("#pg-batch")
    page.keyboard.press("End")
    run = check_against_gdbook(page)
    assert run["batch-size"] == 100 and "批量梯度下降" in page.locator("#pg-status").text_content()
    assert page.locator("button[data-batch='100']").get_attribute("aria-pressed") == "true"
    playground.assert_clean()


def test_dragging_the_learning_rate_past_the_bound_diverges_as_gdbook_does(
    playground: Visit,
) -> None:
    page = playground.page
    before = views(page)
    page.locator("button[data-batch='100']").click()
    slider = page.locator("#pg-lr").bounding_box()
    middle = slider["y"] + slider["height"] / 2
    page.mouse.move(thumb_x(page, "#pg-lr", -1.0), middle)
    page.mouse.down()
    page.mouse.move(thumb_x(page, "#pg-lr", math.log10(1.6)), middle, steps=8)
    page.mouse.up()
    run = check_against_gdbook(page)
    bound = max_stable_learning_rate(X)
    assert 1.5 < run["learning-rate"] < 1.7 and run["learning-rate"] > bound
    assert run["batch-size"] == 100 and run["diverged"] is not None
    assert f"第 {run['diverged'] + 1} 轮后发散" in page.locator("#pg-status").text_content()
    assert page.locator("#pg-status").get_attribute("aria-live") == "polite"
    assert page.locator("#pg-loss-chart .gd-pg-burst--main").count() == 2  # the ✕ in both panels
    after = views(page)
    assert after["loss"] != before["loss"] and after["path"] != before["path"]
    assert "超出了路径图" in after["status"]
    playground.assert_clean()


def test_typing_a_learning_rate_just_above_the_bound(playground: Visit) -> None:
    page = playground.page
    page.locator("button[data-batch='100']").click()
    bound = max_stable_learning_rate(X)
    page.fill("#pg-lr-number", repr(1.01 * bound))
    page.keyboard.press("Enter")
    run = check_against_gdbook(page)
    assert run["learning-rate"] == 1.01 * bound
    # above the bound but slowly: the loss grows every epoch without reaching the rule that
    # stops a run midway; it ends above where it started, so the run fails when it ends
    assert run["diverged"] == run["epochs"] - 1 and np.all(np.diff(run["loss"]) > 0)
    assert run["loss"].size == run["epochs"]
    assert page.locator("#pg-diverged-message").text_content().startswith(
        "DivergenceError: training ended at epoch 99")
    playground.assert_clean()


@pytest.mark.parametrize(
    ("order", "feature", "schedule"),
    [("sequential", "raw", "invscaling"), ("replacement", "standardized", "constant")],
)
def test_the_selects_change_the_run(playground: Visit, order, feature, schedule) -> None:
    page = playground.page
    before = views(page)
    page.focus("#pg-batch")
    for _ in range(3):
        page.keyboard.press("ArrowLeft")  # k = 7: a short last batch of 2 rows
    page.select_option("#pg-order", order)
    page.select_option("#pg-feature", feature)
    page.select_option("#pg-schedule", schedule)
    run = check_against_gdbook(page)
    shown = (run["batch-size"], run["order"], run["feature"], run["schedule"])
    assert shown == (7, order, feature, schedule)
    assert views(page)["path"] != before["path"]
    if schedule == "invscaling":
        assert "η / (1 + t)" in page.locator("#pg-schedule-help").text_content()  # as on the pages
    playground.assert_clean()


def test_a_grid_of_settings_matches_gdbook_epoch_by_epoch(playground: Visit) -> None:
    """The engine itself (window.gdbookPlayground.train), on settings the controls reach."""
    page = playground.page
    page.evaluate(
        "window.D = gdbookPlayground.readData(document.getElementById('playground-data'))"
    )
    grid = itertools.product(
        [0.003, 0.1, 0.5, 0.759, 1.0, 2.0],
        [1, 7, 100],
        ["sequential", "shuffle", "replacement"],
        ["raw", "standardized"],
        ["constant", "invscaling"],
    )
    keys = ("learningRate", "batchSize", "epochs", "order", "feature", "schedule")
    diverged = 0
    for i, (lr, k, order, feature, schedule) in enumerate(grid):
        if i % 3:  # a third of the grid keeps the test quick; the stride still covers every value
            continue
        settings = dict(zip(keys, (lr, k, 40, order, feature, schedule), strict=True))
        result = page.evaluate(
            """s => { const r = gdbookPlayground.train(D, s);
                      return {loss: r.loss.map(v => isFinite(v) ? v : null),
                              epoch: r.diverged ? r.diverged.epoch : null,
                              message: r.diverged ? gdbookPlayground.divergenceMessage(r.diverged)
                                                  : null}; }""",
            settings,
        )
        loss, epoch, message = gdbook_run(lr, k, 40, order, feature, schedule)
        assert (result["epoch"], result["message"]) == (epoch, message), settings
        shown = np.array([math.inf if v is None else v for v in result["loss"]], dtype=float)
        rtol = RTOL if epoch is None else RTOL_DIVERGING
        np.testing.assert_allclose(shown, loss, rtol=rtol, atol=0, err_msg=str(settings))
        diverged += epoch is not None
    assert diverged >= 5  # the grid crosses the bound
    playground.assert_clean()


def excess(run) -> np.ndarray:
    return run["loss"] - L_STAR


def test_the_buttons_under_the_controls_show_what_their_tips_say(playground: Visit) -> None:
    page = playground.page
    bound = max_stable_learning_rate(X)

    def press(preset):
        page.locator(f"button[data-preset='{preset}']").click()
        return check_against_gdbook(page)

    below, edge, blowup = press("below"), press("edge"), press("blowup")
    assert below["learning-rate"] < bound < edge["learning-rate"] < 1.05 * bound
    assert below["batch-size"] == edge["batch-size"] == 100
    assert below["diverged"] is None and excess(below)[-1] < 1e-3 * excess(below)[0]
    assert edge["diverged"] == edge["epochs"] - 1  # caught when it ends, not midway
    assert edge["loss"].size == edge["epochs"] and excess(edge)[-1] > 1e3 * excess(edge)[0]
    assert np.all(np.diff(edge["loss"]) > 0)  # "损失一轮比一轮大"
    # "批量梯度下降收敛，图例里浅色的 k = 1 却已经发散" (just below the bound)
    assert gdbook_run(below["learning-rate"], 1, 100, "shuffle", "raw", "constant")[1] is not None
    page.locator("button[data-preset='below']").click()
    legend = page.locator("#pg-legend li").all_text_contents()
    assert any(item.startswith("k = 1（随机），第 ") and "发散" in item for item in legend)
    assert blowup["diverged"] is not None and blowup["learning-rate"] > bound

    constant, decaying = press("sgd-constant"), press("sgd-invscaling")
    assert constant["batch-size"] == decaying["batch-size"] == 1
    hover = np.median(excess(constant)[50:])  # the constant rate stalls around the optimum...
    assert hover > 0.1 * np.median(excess(constant)[25:50])
    assert excess(decaying)[-1] < 0.01 * hover  # ...the decaying one keeps going down

    standardized = press("standardized")
    assert standardized["feature"] == "standardized" and standardized["learning-rate"] == 0.5
    assert abs(max_stable_learning_rate(FEATURES["standardized"]) - 1) < 1e-12
    assert np.all(excess(standardized) < 1e-15)  # one step reaches θ*, up to rounding
    assert "舍入误差" in page.locator("#pg-status").text_content()
    playground.assert_clean()


def test_the_reference_table_rerun_in_the_browser_agrees(playground: Visit) -> None:
    page = playground.page
    rows = page.locator("#pg-reference tbody tr")
    assert rows.count() >= 4
    for i in range(rows.count()):
        row = rows.nth(i)
        cells = row.locator("td").all_text_contents()
        assert cells[1] == cells[2]  # gdbook's result and the browser's, as text
        assert cells[3] == "0（完全相同）" or float(cells[3]) < RTOL, cells
        expected = np.array(json.loads(row.get_attribute("data-loss")), dtype=float)
        settings = json.loads(row.get_attribute("data-settings"))
        keys = ("learningRate", "batchSize", "epochs", "order", "feature", "schedule")
        np.testing.assert_array_equal(expected, gdbook_run(*(settings[k] for k in keys))[0])
    assert any("发散" in text for text in rows.locator("td:nth-child(2)").all_text_contents())
    playground.assert_clean()


def test_controls_are_labelled_and_views_are_described(playground: Visit) -> None:
    page = playground.page
    for control in page.locator("#playground input, #playground select").all():
        name = control.get_attribute("id")
        labelled = page.locator(f"label[for='{name}']").count() == 1
        assert labelled or control.get_attribute("aria-label"), name
    for slider in page.locator("#playground input[type=range]").all():
        assert slider.get_attribute("aria-valuetext")
    for svg in page.locator("#pg-loss-chart svg, #pg-path-chart svg").all():
        assert svg.get_attribute("role") == "img"
        assert svg.locator("title").text_content()
    assert page.locator("#pg-status").get_attribute("role") == "status"
    # the legend names every drawn line in words, not colour alone
    legend = page.locator("#pg-legend li").all_text_contents()
    assert len(legend) == 3 and any("k = 1" in item for item in legend)
    # presets and the three named batch sizes are real buttons, usable by keyboard
    page.focus("button[data-batch='1']")
    page.keyboard.press("Enter")
    assert drawn(page)["batch-size"] == 1


def _luminance(rgb):
    channels = [c / 255 for c in rgb]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(page, selector: str, prop: str) -> float:
    """Contrast of an element's colour (`fill` or `stroke`) against the page background."""
    colors = page.evaluate(
        """([selector, prop]) => [getComputedStyle(document.querySelector(selector))[prop],
                                  getComputedStyle(document.body).backgroundColor]""",
        [selector, prop],
    )
    (fg, bg) = ([float(v) for v in re.findall(r"[\d.]+", c)] for c in colors)
    alpha = fg[3] if len(fg) == 4 else 1.0
    blended = [alpha * f + (1 - alpha) * b for f, b in zip(fg[:3], bg[:3], strict=True)]
    hi, lo = sorted((_luminance(blended), _luminance(bg[:3])), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [390, 1280])
def test_fits_the_screen_and_stays_legible_in_both_schemes(
    open_page,
    color_scheme,
    width,
) -> None:
    visit = open_page("playground/", color_scheme=color_scheme, width=width)
    page = visit.page
    page.wait_for_selector("#playground[data-ready]")
    expected = "slate" if color_scheme == "dark" else "default"
    assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == expected
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    for chart in ("#pg-loss-chart svg", "#pg-path-chart svg", "#pg-lr-scale"):
        box = page.locator(chart).bounding_box()
        assert box["width"] > 200 and box["x"] >= 0 and box["x"] + box["width"] <= width
    # the learning-rate scale lies exactly under its slider, whose thumb it assumes is 18 px
    slider, scale = (page.locator(s).bounding_box() for s in ("#pg-lr", "#pg-lr-scale"))
    assert abs(slider["x"] - scale["x"]) < 1 and abs(slider["width"] - scale["width"]) < 1
    tick = page.locator("#pg-lr-scale text", has_text=re.compile(r"^0\.01$")).bounding_box()
    assert abs(tick["x"] + tick["width"] / 2 - thumb_x(page, "#pg-lr", -2)) < 1.5
    page.mouse.click(thumb_x(page, "#pg-lr", -2), slider["y"] + slider["height"] / 2)
    assert drawn(page)["learning-rate"] == 0.01  # the slider agrees: 0.01 is under its tick
    assert _contrast(page, "#pg-loss-chart path.gd-pg-line--main", "stroke") >= 3
    assert _contrast(page, "#pg-loss-chart path.gd-pg-line--batch", "stroke") >= 3
    assert _contrast(page, "#pg-loss-chart text.gd-pg-tick", "fill") >= 4.5
    assert _contrast(page, ".gd-pg-bound-label", "fill") >= 4.5
    visit.assert_clean()
