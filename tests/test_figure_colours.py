"""The book's figures in the page's two colour schemes (docs/figures.py): readable on both.

One SVG serves the light and the dark scheme: text and axes take the page's text colour, a
legend's box the page's background, and a line or marker that would stand out from a
scheme's background by less than 3:1 (WCAG 2.2, 1.4.11) gets a lighter or darker shade of
its hue for that scheme. The contrast arithmetic is checked against published values
(WCAG's definition, WebAIM's contrast checker); the shades against a lightness found here
by bisection.
"""

from __future__ import annotations

import colorsys
import importlib.util
import re
import sys

import pytest

from conftest import ROOT

pytest.importorskip("matplotlib")

WHITE, DARK = "#ffffff", "#1e2129"  # Material's default and slate backgrounds
# matplotlib's default cycle: the colours of the book's lines
TAB10 = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
         "#7f7f7f", "#bcbd22", "#17becf"]
HEX = re.compile(r"#[0-9a-f]{6}")


@pytest.fixture(scope="module")
def figures():
    """docs/figures.py of this checkout, imported by its path as `docs.figures` (the name
    the mutation run gives the file it mutates)."""
    spec = importlib.util.spec_from_file_location("docs.figures", ROOT / "docs" / "figures.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    yield module
    del sys.modules[spec.name]


def hls(color: str) -> tuple[float, float, float]:
    return colorsys.rgb_to_hls(*(int(color[i : i + 2], 16) / 255 for i in (1, 3, 5)))


# --- the arithmetic: relative luminance and contrast ratio ---------------------------------

@pytest.mark.parametrize(("color", "expected"), [
    ("#000000", 0.0), ("#ffffff", 1.0),
    # a pure primary is its coefficient in WCAG's sum
    ("#ff0000", 0.2126), ("#00ff00", 0.7152), ("#0000ff", 0.0722),
    ("#808080", 0.21586),  # sRGB mid grey: ((128/255 + 0.055)/1.055)^2.4
    ("#0a0a0a", 10 / 255 / 12.92),  # a channel at or below 0.04045 is linear: c / 12.92
    ("#0b0b0b", 0.0033465),  # just above it: ((11/255 + 0.055)/1.055)^2.4
    ("#400000", 0.2126 * 0.0512695), ("#004000", 0.7152 * 0.0512695),
    ("#000040", 0.0722 * 0.0512695),  # each channel weighted by its own coefficient
])
def test_relative_luminance_follows_wcag(figures, color, expected):
    assert figures.luminance(color) == pytest.approx(expected, rel=2e-5, abs=1e-12)


@pytest.mark.parametrize(("first", "second", "ratio"), [
    ("#000000", "#ffffff", 21.0),
    ("#767676", "#ffffff", 4.54),  # the lightest grey with 4.5:1 on white (WebAIM)
    ("#777777", "#ffffff", 4.48),
    ("#808080", "#ffffff", 3.95),
    ("#0000ff", "#ffffff", 8.59),
    ("#ff0000", "#ffffff", 4.00),
    ("#ffffff", "#1e2129", 16.09),  # page text on slate: 1.05 / (0.01524 + 0.05), by hand
])
def test_contrast_ratio_matches_published_values_in_either_order(figures, first, second, ratio):
    assert figures.contrast(first, second) == pytest.approx(ratio, abs=0.005)
    assert figures.contrast(second, first) == figures.contrast(first, second)
    assert figures.contrast(first, first) == pytest.approx(1.0)


# --- a colour made readable on one background ----------------------------------------------

def least_lightness(figures, color: str, background: str, minimum: float) -> float:
    """The HLS lightness nearest the colour's own at which its hue reaches `minimum`
    contrast on `background`, by bisection (without rounding to 8-bit channels)."""
    hue, light, sat = hls(color)

    def ok(lightness):
        rgb = colorsys.hls_to_rgb(hue, lightness, sat)
        return figures.contrast("#" + "".join(f"{round(c * 255):02x}" for c in rgb),
                                background) >= minimum

    far = 1.0 if figures.luminance(background) < 0.5 else 0.0  # lighter on a dark page
    near = light
    for _ in range(40):
        middle = (near + far) / 2
        near, far = (near, middle) if ok(middle) else (middle, far)
    return far


@pytest.mark.parametrize("background", [WHITE, DARK])
@pytest.mark.parametrize("color", [*TAB10, "#ffdd00", "#000080", "#0000ff", "#aaaaaa",
                                   "#2a2a2a", "#f0e0d0"])
def test_a_colour_is_moved_just_far_enough_to_reach_3_to_1(figures, color, background):
    out = figures.readable_on(color, background)
    assert HEX.fullmatch(out)
    if figures.contrast(color, background) >= 3:
        assert out == color  # readable already: kept as drawn
        return
    assert figures.contrast(out, background) >= 3
    hue, light, sat = hls(color)
    new_hue, new_light, _ = hls(out)
    if sat > 0.1:  # the hue is kept (up to 8-bit rounding)
        assert min(abs(new_hue - hue), 1 - abs(new_hue - hue)) < 0.02
    # lighter on the dark page, darker on the light one, and no further than needed: within
    # one step of 0.01 (and a channel's rounding) of the least lightness that reaches 3:1
    target = least_lightness(figures, color, background, 3.0)
    assert (new_light > light) == (background == DARK)
    assert abs(new_light - target) <= 0.01 + 1 / 255


@pytest.mark.parametrize(("color", "background"), [("#bcbd22", WHITE), ("#ff7f0e", WHITE),
                                                   ("#8c564b", DARK), ("#0000ff", DARK)])
def test_the_minimum_is_inclusive(figures, color, background):
    """A shade whose contrast equals the minimum asked for is enough ("at least 3:1")."""
    shade = figures.readable_on(color, background)
    exact = figures.contrast(shade, background)
    assert figures.readable_on(color, background, exact) == shade
    assert figures.readable_on(shade, background, exact) == shade


@pytest.mark.parametrize(("background", "end"), [(WHITE, 0.0), (DARK, 1.0)])
@pytest.mark.parametrize("color", ["#808080", "#1f77b4", "#bcbd22"])
def test_a_minimum_out_of_reach_gives_the_furthest_valid_shade(figures, color, background, end):
    """No shade of any hue has 30:1: the answer is still a colour, at the end of the range."""
    out = figures.readable_on(color, background, 30.0)
    assert HEX.fullmatch(out)
    assert abs(hls(out)[1] - end) <= 0.01 + 1 / 255


# --- the figure's SVG in both schemes ------------------------------------------------------

@pytest.fixture(scope="module")
def svg(figures):
    def draw(fig):
        ax = fig.subplots()
        x = [0, 1, 2, 3]
        ax.plot(x, [3, 2, 1, 0], color="#1f77b4", label="both")  # 4.8:1 and 3.3:1
        ax.plot(x, [0, 1, 2, 3], color="#bcbd22", label="too light for white")  # 2.0:1
        ax.plot(x, [1, 1, 1, 1], color="#8c564b", marker="o", label="too dark for slate")
        ax.set_xlabel("轮数（epoch）")
        ax.grid(True)  # matplotlib's grid: #b0b0b0
        ax.legend(facecolor="white")  # paper: a white box with a #cccccc frame

    return figures.figure_html(draw, id="schemes", caption="两种配色")


def declarations(svg: str) -> list[tuple[str, str]]:
    return re.findall(r"\b(fill|stroke): ([^;\"]+)", svg)


def test_text_and_axes_take_the_pages_text_colour(svg):
    assert "#000000" not in svg
    assert ("stroke", "currentColor") in declarations(svg)  # the spines and ticks
    assert re.search(r'<svg[^>]* style="fill: currentColor"', svg)  # text without a fill


def test_a_legends_box_takes_the_pages_background(svg):
    """White paper behind the legend would hide text in the page's (light) text colour on
    the slate scheme: it becomes the page's own background."""
    assert "#ffffff" not in svg
    assert ("fill", "var(--md-default-bg-color, Canvas)") in declarations(svg)


def test_grid_and_legend_frame_are_left_as_drawn(svg):
    assert ("stroke", "#b0b0b0") in declarations(svg)
    assert ("stroke", "#cccccc") in declarations(svg)
    assert "light-dark(#b0b0b0" not in svg and "light-dark(#cccccc" not in svg


def test_a_colour_readable_on_both_backgrounds_is_kept_as_drawn(svg):
    assert ("stroke", "#1f77b4") in declarations(svg)
    assert "light-dark(#1f77b4" not in svg


def test_each_colour_is_readable_in_both_schemes(figures, svg):
    """Every drawn colour: the value a browser without light-dark() uses is the light
    scheme's; light-dark(light, dark) gives each scheme a shade with 3:1 or more."""
    pairs = re.findall(r"\b(fill|stroke): (#[0-9a-f]{6}); \1: light-dark\((#[0-9a-f]{6}), "
                       r"(#[0-9a-f]{6})\)", svg)
    assert {dark for _, _, _, dark in pairs} >= {"#bcbd22"}  # readable on slate as drawn
    assert {light for _, _, light, _ in pairs} >= {"#8c564b"}  # readable on white as drawn
    for _, fallback, light, dark in pairs:
        assert fallback == light
        assert figures.contrast(light, WHITE) >= 3 and figures.contrast(dark, DARK) >= 3
    assert "light-dark(" not in re.sub(r"\b(fill|stroke): #[0-9a-f]{6}; \1: light-dark\("
                                       r"#[0-9a-f]{6}, #[0-9a-f]{6}\)", "", svg)
    for _, value in declarations(svg):
        if HEX.fullmatch(value) and value not in ("#b0b0b0", "#cccccc") and not any(
                value in pair for pair in pairs):
            assert figures.contrast(value, WHITE) >= 3 and figures.contrast(value, DARK) >= 3


def test_the_style_sheet_applies_to_its_own_figure_only(svg):
    """matplotlib's `*{...}` rule, scoped: inline in the page it would style every element."""
    style = re.search(r"<style[^>]*>(.*?)</style>", svg, re.S).group(1)
    assert style.lstrip().startswith("#schemes svg *{")
    assert not re.search(r"(^|[}\s])\*\s*\{", style.replace("#schemes svg *{", ""))
