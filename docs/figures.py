"""Figures of the gdbook book: matplotlib drawings printed into the page as inline SVG.

Executed blocks import this module (docs/hooks.py puts `docs/` on `sys.path`), so the
article and the experiments chapter draw with one style. Text stays text in the SVG
(`svg.fonttype: none`): the reader's browser sets the Chinese labels with the same
fonts as the prose around them, so the build needs no CJK font of its own and the SVG
stays small. Where a CJK font is installed, matplotlib uses it to measure the labels.
"""

from __future__ import annotations

import io
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
}
_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def power_of_ten(value: float, _position: object = None) -> str:
    """Write a log-axis tick as plain text such as 10⁻³ (mathtext is slow and needs fonts)."""
    exponent = round(np.log10(value))
    if not np.isclose(value, 10.0**exponent):
        return f"{value:g}"
    return "10" + str(exponent).translate(_SUPERSCRIPT)


def figure_html(
    draw: Callable[[Figure], None], *, id: str, caption: str, size: tuple[float, float] = (9, 3.6)
) -> str:
    """Draw with `draw(fig)` and return the figure as inline SVG inside `<figure id=...>`.

    The block prints what this returns: markdown-exec captures only the block's own `print`.
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
    return (
        f'<figure class="gdbook-figure" id="{id}">\n{svg[svg.index("<svg") :]}\n'
        f"<figcaption>{caption}</figcaption>\n</figure>"
    )
