"""The benchmarks page of the built book: its figure is drawn from the recorded results."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

from conftest import ROOT

pytestmark = pytest.mark.slow

MET, MISSED = "#2e7d32", "#c62828"


@pytest.fixture(scope="module")
def page(site: Path) -> str:
    return (site / "benchmarks" / "index.html").read_text(encoding="utf-8")


def test_figure_draws_every_ratio_that_has_a_target(page: str) -> None:
    result = json.loads((ROOT / "benchmarks" / "results" / "latest.json").read_text("utf-8"))
    targeted = [r for r in result["rows"] if r["target"] is not None and r["ratio"]]
    assert targeted, "latest.json has no row with a target"
    match = re.search(r'<figure class="gdbook-figure" id="fig-benchmarks">(.*?)</figure>',
                      page, re.S)
    assert match, "the benchmarks figure is missing"
    svg = match.group(1)
    labels = [html.unescape(t) for t in re.findall(r"<text[^>]*>(.*?)</text>", svg, re.S)]
    for row in targeted:  # each bar's case and its ratio, as the table prints them
        assert row["case"] in labels, row["case"]
        assert f"{row['ratio']:.3g}" in labels, (row["case"], row["ratio"])
    for group in {r["group"] for r in targeted}:
        assert any(label.startswith(group) for label in labels), group
    met = sum(r["met"] is True for r in targeted)
    assert svg.count(f"fill: {MET}") == met + 1  # the bars, and the legend's patch
    assert svg.count(f"fill: {MISSED}") == len(targeted) - met + 1
