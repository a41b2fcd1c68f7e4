"""Figures of the gdbook book: matplotlib drawings printed into the page as inline SVG.

Executed blocks import this module (`from figures import figure_html`; mkdocs.yml puts
`docs/` on Python's path for every builder), so the article and the experiments chapter
draw with one style. Text stays text in the SVG (`svg.fonttype: none`): the reader's
browser sets the Chinese labels with the same fonts as the prose around them, so the build
needs no CJK font of its own and the SVG stays small. Where a CJK font is installed,
matplotlib uses it to measure the labels.

The figures follow the page's colour scheme, light or dark, with one SVG:

- no background: the page shows through;
- text, axes and ticks take the page's text colour (`currentColor`);
- white paper that a drawing asks for (say `legend(facecolor="white")`; legends are
  transparent in this style) takes the page's background colour;
- every other colour (lines, markers, areas) keeps its hue, and where it would stand out
  from a scheme's background by less than 3:1 (WCAG's minimum for graphics) it is
  lightened for the dark scheme or darkened for the light one, through CSS `light-dark()`
  (a browser without it keeps the colour as drawn).
"""

from __future__ import annotations

import colorsys
import html
import io
import re
from collections.abc import Callable

import matplotlib
import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

STYLE = {
    "svg.hashsalt": "gdbook",  # stable ids: the same SVG on every build
    "svg.fonttype": "none",  # labels as <text>, set by the browser
    "font.family": ["DejaVu Sans", "Noto Sans CJK SC", "sans-serif"],
    "font.size": 10,
    "axes.unicode_minus": True,
    "figure.facecolor": "none",  # transparent: the page's background shows through
    "axes.facecolor": "none",
    "savefig.transparent": True,
}
_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")

# The page backgrounds the figures sit on: Material's default and slate schemes.
BACKGROUNDS = {"light": "#ffffff", "dark": "#1e2129"}
MIN_CONTRAST = 3.0  # WCAG 2.2, 1.4.11: graphical objects against what is next to them
# Light greys that matplotlib draws as decoration (grid, legend frame): left as they are.
_DECORATION = {"#b0b0b0", "#cccccc"}
_COLOR = re.compile(r"\b(fill|stroke): (#[0-9a-f]{6})\b")


def power_of_ten(value: float, _position: object = None) -> str:
    """Write a log-axis tick as plain text such as 10⁻³ (mathtext is slow and needs fonts)."""
    exponent = round(np.log10(value))
    if not np.isclose(value, 10.0**exponent):
        return f"{value:g}"
    return "10" + str(exponent).translate(_SUPERSCRIPT)


def luminance(color: str) -> float:
    """Relative luminance of a `#rrggbb` colour (WCAG 2.2 definition)."""
    channels = [int(color[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    """WCAG contrast ratio of two `#rrggbb` colours, from 1 to 21."""
    high, low = sorted((luminance(first), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def readable_on(color: str, background: str, minimum: float = MIN_CONTRAST) -> str:
    """`color` with its hue and saturation kept and its lightness moved (towards white on a
    dark background, black on a light one) just far enough to reach `minimum` contrast."""
    if contrast(color, background) >= minimum:
        return color
    r, g, b = (int(color[i : i + 2], 16) / 255 for i in (1, 3, 5))
    hue, lightness, saturation = colorsys.rgb_to_hls(r, g, b)
    step = 0.01 if luminance(background) < 0.5 else -0.01
    candidate = color
    while contrast(candidate, background) < minimum and 0 <= lightness + step <= 1:
        lightness += step
        rgb = colorsys.hls_to_rgb(hue, lightness, saturation)
        candidate = "#" + "".join(f"{round(c * 255):02x}" for c in rgb)
    return candidate


def _scheme_color(match: re.Match[str]) -> str:
    prop, color = match.groups()
    if color == "#000000":  # matplotlib's text, axes and ticks: the page's text colour
        return f"{prop}: currentColor"
    if color == "#ffffff":  # paper a drawing asked for: the page's background
        return f"{prop}: var(--md-default-bg-color, Canvas)"
    if color in _DECORATION:
        return match.group(0)
    light = readable_on(color, BACKGROUNDS["light"])
    dark = readable_on(color, BACKGROUNDS["dark"])
    if light == dark == color:
        return match.group(0)
    return f"{prop}: {light}; {prop}: light-dark({light}, {dark})"


def follow_color_scheme(svg: str, id: str) -> str:
    """Rewrite a matplotlib SVG's colours as described in the module docstring, and scope
    its style sheet (matplotlib's `*{...}` rule) to the figure with this `id`."""
    svg = _COLOR.sub(_scheme_color, svg)
    return re.sub(r"(<style[^>]*>)\s*\*\s*\{", rf"\1#{id} svg *{{", svg, count=1)


def figure_html(
    draw: Callable[[Figure], None], *, id: str, caption: str, size: tuple[float, float] = (9, 3.6)
) -> str:
    """Draw with `draw(fig)` and return the figure as inline SVG inside `<figure id=...>`.

    The block prints what this returns: markdown-exec captures only the block's own `print`.
    Screen readers announce the figure as one image named by its caption, rather than
    reading out every tick label.
    """
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=size, layout="constrained")
        draw(fig)
        for ax in fig.axes:
            ax.minorticks_off()
            for axis in (ax.xaxis, ax.yaxis):
                if axis.get_scale() == "log":
                    axis.set_major_formatter(FuncFormatter(power_of_ten))
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    svg = buffer.getvalue()
    svg = follow_color_scheme(svg[svg.index("<svg") :], id)
    # One image named by its caption for screen readers; text without a colour of its own
    # (matplotlib's black) takes the page's text colour.
    name = html.escape(re.sub(r"<[^>]+>", "", caption))
    root = f'role="img" aria-label="{name}" style="fill: currentColor"'
    svg = svg.replace("<svg ", f"<svg {root} ", 1)
    return (
        f'<figure class="gdbook-figure" id="{id}">\n{svg}\n'
        f"<figcaption>{caption}</figcaption>\n</figure>"
    )
