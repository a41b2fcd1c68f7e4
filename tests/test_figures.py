"""The book's drawing helper (docs/figures.py): tick labels and the inline SVG it returns.

Issue 13's audit made the helper write 10⁻³ under the tick at 10⁻² and no test noticed. The
labels are checked here against exponents worked out independently (decimal strings), on a
figure drawn with known data.
"""

from __future__ import annotations

import importlib.util
import re
import sys

import pytest

from conftest import ROOT

pytest.importorskip("matplotlib")

SUPERSCRIPTS = dict(zip("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹", strict=True))


@pytest.fixture(scope="module")
def figures():
    """docs/figures.py of this checkout, imported by its path.

    Named `docs.figures`, the name the mutation run (mutmut) gives the file it mutates.
    """
    path = ROOT / "docs" / "figures.py"
    spec = importlib.util.spec_from_file_location("docs.figures", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    yield module
    del sys.modules[spec.name]


def power(exponent: int) -> str:
    """How 10**exponent should read: "10" and the exponent in superscript digits."""
    return "10" + "".join(SUPERSCRIPTS[c] for c in str(exponent))


@pytest.mark.parametrize("exponent", range(-12, 13))
def test_powers_of_ten_read_as_powers_of_ten(figures, exponent):
    value = float(f"1e{exponent}")  # parsed from text, not computed as 10.0 ** exponent
    assert figures.power_of_ten(value) == power(exponent)
    assert figures.power_of_ten(value, 3) == power(exponent)  # matplotlib passes a position


def test_a_few_labels_spelled_out():
    # the superscripts themselves, independent of the helper above
    assert power(-2) == "10⁻²" and power(0) == "10⁰" and power(13) == "10¹³"


@pytest.mark.parametrize(("value", "label"), [(0.02, "0.02"), (3.0, "3"), (5e-5, "5e-05"),
                                               (250.0, "250"), (0.5, "0.5")])
def test_other_ticks_are_written_as_numbers(figures, value, label):
    assert figures.power_of_ten(value) == label


def test_a_log_axis_of_known_data_is_labelled_with_its_decades(figures):
    """Data from 10⁻³ to 10²: the SVG's y labels are exactly those six decades, bottom to top."""

    def draw(fig):
        ax = fig.subplots()
        ax.plot([1, 2, 3, 4, 5, 6], [1e-3, 1e-2, 1e-1, 1.0, 10.0, 100.0])
        ax.set_yscale("log")
        ax.set_ylim(1e-3, 1e2)

    out = figures.figure_html(draw, id="known", caption="已知的数据")
    assert re.match(r'<figure class="gdbook-figure[^"]*" id="known"[^>]*>\s*<svg', out)
    assert re.search(r"<figcaption>已知的数据</figcaption>\s*</figure>$", out)
    labels = re.findall(r"<text[^>]*>(10[⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+)</text>", out)
    assert labels == [power(k) for k in range(-3, 3)]
    assert "<?xml" not in out  # inline in the page: no XML prolog
    svg = out.split("<figcaption>")[0]  # the caption is HTML text, and the SVG's accessible
    assert re.search(r'<svg[^>]* aria-label="已知的数据"', svg)  # name, never drawn in it
    assert "已知的数据" not in "".join(re.findall(r"<text[^>]*>.*?</text>", svg, re.S))


def test_text_stays_text_and_the_svg_is_the_same_on_every_build(figures):
    def draw(fig):
        ax = fig.subplots()
        ax.plot([0, 1], [0, 1], label="损失")
        ax.set_xlabel("轮数（epoch）")
        ax.legend()

    first = figures.figure_html(draw, id="a", caption="c")
    assert "<text" in first and "轮数（epoch）" in first and "损失" in first  # not paths
    assert figures.figure_html(draw, id="a", caption="c") == first


def test_the_figure_has_the_size_asked_for(figures):
    """`size` in inches, as matplotlib's figsize: 72 points to the inch in the SVG."""

    def draw(fig):
        fig.subplots().plot([0, 1], [0, 1])

    for size, width, height in [((4, 2), "288pt", "144pt"), ((9, 3.6), "648pt", "259.2pt")]:
        out = figures.figure_html(draw, id="sized", caption="c", size=size)
        assert re.search(rf'<svg[^>]* width="{width}" height="{height}"', out)


def test_no_label_is_cut_off_at_the_figures_edge(figures):
    """Tick labels, axis labels and titles all lie inside the figure the page shows."""
    found = {}

    def draw(fig):
        ax = fig.subplots()
        ax.plot([1, 2, 3], [1e-12, 1.0, 1e3])
        ax.set_yscale("log")
        ax.set(xlabel="轮数（epoch）", ylabel="损失 L − L*", title="损失曲线")
        fig.canvas.mpl_connect("draw_event", lambda event: found.update(
            drawn=fig.get_tightbbox(event.renderer), page=fig.bbox_inches))

    figures.figure_html(draw, id="edges", caption="c", size=(6, 2.5))
    drawn, page = found["drawn"], found["page"]
    assert drawn.x0 >= page.x0 and drawn.y0 >= page.y0
    assert drawn.x1 <= page.x1 and drawn.y1 <= page.y1


def test_the_accessible_name_is_the_captions_text(figures):
    """The caption may hold HTML (emphasis, a sup); the SVG's aria-label is its plain text,
    escaped for the attribute."""

    def draw(fig):
        fig.subplots().plot([0, 1], [0, 1])

    caption = '损失 <em>L</em> − L<sup>*</sup> 与 "基准" & 更多'
    out = figures.figure_html(draw, id="named", caption=caption)
    name = re.search(r'<svg role="img" aria-label="([^"]*)"', out).group(1)
    assert name == "损失 L − L* 与 &quot;基准&quot; &amp; 更多"
    assert f"<figcaption>{caption}</figcaption>" in out  # the caption itself keeps its markup
