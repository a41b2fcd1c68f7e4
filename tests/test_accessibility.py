"""Every page of the built book, checked for accessibility in headless Chromium.

- axe-core (vendored from npm in tests/vendor/axe-core, never served by the book) runs its
  WCAG 2.2 A/AA and best-practice rules on every page, in the light and the dark scheme on
  a desktop screen, and on a phone's screen (Material's mobile layout, where wide tables
  and formulas scroll) all but the colour rules, whose colours are the desktop's: no
  serious or critical violation. Every one it reported on Material's own chrome could be
  fixed from the project (docs/assets/javascripts/a11y.js, extra.css), so none is excused.
- The figures (docs/figures.py) and the mermaid pie follow the colour scheme: their text
  reaches 4.5:1 and their opaque data lines and slices 3:1 against the page in both
  schemes, and the pie's legend shows the slices' own colours. axe does not measure text
  inside SVG, nor graphics at all.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import ROOT, pages

pytestmark = [pytest.mark.browser, pytest.mark.slow]

AXE = ROOT / "tests" / "vendor" / "axe-core" / "axe.min.js"
SEVERE = ("serious", "critical")

# Mermaid and KaTeX render after the page has loaded: wait for both before measuring.
RENDERED = """() =>
  !document.querySelector("pre.mermaid") &&
  [...document.querySelectorAll(".arithmatex")].every((e) => e.dataset.katex)"""

# Started without waiting, so the three views of a page are checked at once (each page has
# its own renderer process), then collected.
START_AXE = """(skip) => {
  const rules = Object.fromEntries(skip.map((rule) => [rule, { enabled: false }]));
  window.gdbookAxe = axe.run(document, { resultTypes: ["violations"], rules }).then((r) => ({
    passed: r.passes.length,
    violations: r.violations.map((v) => ({
      rule: v.id,
      impact: v.impact,
      nodes: v.nodes.map((n) => n.target.join(" ") + ": " + n.failureSummary),
    })),
  }));
}"""
AXE_RESULT = "() => window.gdbookAxe"

# Colours as the reader sees them: computed styles, translucent colours blended over the
# first opaque background behind the element (walking out of shadow roots too).
MEASURE_COLORS = """() => {
  const parse = (c) => {
    const m = c && c.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
  };
  const lin = (v) => ((v /= 255) <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
  const lum = (c) => 0.2126 * lin(c.r) + 0.7152 * lin(c.g) + 0.0722 * lin(c.b);
  const ratio = (x, y) => {
    const [hi, lo] = [lum(x), lum(y)].sort((p, q) => q - p);
    return (hi + 0.05) / (lo + 0.05);
  };
  const blend = (fg, bg) => ({
    r: fg.r * fg.a + bg.r * (1 - fg.a),
    g: fg.g * fg.a + bg.g * (1 - fg.a),
    b: fg.b * fg.a + bg.b * (1 - fg.a),
    a: 1,
  });
  const up = (e) => e.parentElement || (e.getRootNode && e.getRootNode().host) || null;
  const background = (el) => {
    for (let e = el; e; e = up(e)) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c.a > 0) return c;
    }
    return { r: 255, g: 255, b: 255, a: 1 };
  };
  const hex = (c) =>
    "#" + [c.r, c.g, c.b].map((v) => Math.round(v).toString(16).padStart(2, "0")).join("");
  const checked = { text: 0, graphics: 0 };
  const failures = [];
  const check = (el, property, minimum, kind, what) => {
    const style = getComputedStyle(el);
    const color = parse(style[property]);
    if (!color || color.a === 0) return;
    const opacity = Number(style[property + "Opacity"] ?? 1) * Number(style.opacity);
    if (kind === "graphics" && opacity < 1) return; // translucent: drawn as a background wash
    const bg = background(el);
    const value = ratio(blend({ ...color, a: color.a * opacity }, bg), bg);
    checked[kind] += 1;
    if (value < minimum) {
      failures.push(`${what}: ${hex(blend(color, bg))} on ${hex(bg)} is ${value.toFixed(2)}:1`);
    }
  };
  for (const figure of document.querySelectorAll(".gdbook-figure")) {
    for (const t of figure.querySelectorAll("svg text")) {
      check(t, "fill", 4.5, "text", `#${figure.id} text "${t.textContent}"`);
    }
    const data = figure.querySelectorAll(
      'svg g[id^="line2d_"] path, svg g[id^="line2d_"] use, svg g[id^="PathCollection_"] use'
    );
    for (const d of data) {
      check(d, "stroke", 3, "graphics", `#${figure.id} ${d.closest("g[id]").id} stroke`);
      if (d.tagName === "use") {
        check(d, "fill", 3, "graphics", `#${figure.id} ${d.closest("g[id]").id} fill`);
      }
    }
  }
  const pies = [];
  for (const host of document.querySelectorAll("div.mermaid")) {
    const root = host.shadowRoot;
    if (!root || !root.querySelector(".pieCircle")) continue;
    for (const t of root.querySelectorAll(".pieTitleText, .legend text, text.slice")) {
      check(t, "fill", 4.5, "text", `pie ${t.getAttribute("class")} "${t.textContent}"`);
    }
    const slices = [...root.querySelectorAll("path.pieCircle")];
    for (const s of slices) check(s, "fill", 3, "graphics", "pie slice");
    pies.push({
      title: [...root.querySelectorAll(".pieTitleText")].map((t) => t.textContent),
      slices: slices.map((s) => [getComputedStyle(s).fill, getComputedStyle(s).opacity]),
      legend: [...root.querySelectorAll(".legend rect")].map((r) => getComputedStyle(r).fill),
    });
  }
  return { checked, failures, pies };
}"""


def _rendered(page) -> None:
    page.wait_for_function(RENDERED, timeout=20_000)


def test_axe_core_is_vendored_with_its_record_and_license() -> None:
    record = dict(
        line.split("=", 1)
        for line in (AXE.parent / "VERSION").read_text(encoding="utf-8").splitlines()
        if "=" in line and not line.startswith("#")
    )
    assert record["name"] == "axe-core" and record["license"] == "MPL-2.0"
    assert re.fullmatch(r"4\.\d+\.\d+", record["version"]) and record["range"] == "4"
    assert record["integrity"].startswith("sha512-")
    assert "Mozilla Public License" in (AXE.parent / "LICENSE").read_text(encoding="utf-8")
    assert f"axe v{record['version']}" in AXE.read_text(encoding="utf-8")[:200]


# The same colours at any width: measured on the desktop runs (they are axe's slowest rules).
COLOR_RULES = ["color-contrast", "link-in-text-block"]


# The views of each page: (colour scheme, width, rules left out). The colours are the same
# at any width, so the phone's view leaves out the colour rules (axe's slowest).
VIEWS = {
    "light": ("light", 1280, []),
    "dark": ("dark", 1280, []),
    "phone": ("light", 390, ["color-contrast", "link-in-text-block"]),
}


def test_axe_finds_no_serious_violation_on_any_page_in_any_view(open_page, site: Path) -> None:
    paths = list(pages(site))
    assert {"", "article/", "experiments/", "api/"} <= set(paths)
    problems = {}
    for path in paths:
        visits = {}
        for view, (color_scheme, width, skip) in VIEWS.items():
            visit = open_page(path, color_scheme=color_scheme, width=width, wait="load")
            _rendered(visit.page)
            visit.page.add_script_tag(path=str(AXE))
            visit.page.evaluate(START_AXE, skip)
            visits[view] = visit
        for view, visit in visits.items():
            result = visit.page.evaluate(AXE_RESULT)
            assert result["passed"] > 15, (path, view)  # axe did check the page
            severe = [v for v in result["violations"] if v["impact"] in SEVERE]
            if severe:
                problems[f"{path or '/'} ({view})"] = severe
            visit.page.context.close()
    assert problems == {}


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
def test_figures_and_pie_are_readable_in_both_schemes(
    open_page, site: Path, color_scheme: str
) -> None:
    drawn = [
        path
        for path, index in pages(site).items()
        if re.search(r'class="(gdbook-figure|mermaid)"', index.read_text(encoding="utf-8"))
    ]
    assert {"article/", "experiments/"} <= set(drawn)
    checked = {"text": 0, "graphics": 0}
    failures, pies = [], []
    for path in drawn:
        visit = open_page(path, color_scheme=color_scheme, wait="load")
        _rendered(visit.page)
        result = visit.page.evaluate(MEASURE_COLORS)
        for kind, count in result["checked"].items():
            checked[kind] += count
        failures += [f"{path}: {failure}" for failure in result["failures"]]
        pies += result["pies"]
        visit.page.context.close()
    assert failures == []
    assert checked["text"] > 100 and checked["graphics"] > 50  # it measured the figures
    assert pies, "no pie chart was rendered"
    for pie in pies:
        assert pie["title"] and all(title.strip() for title in pie["title"])
        assert {opacity for _, opacity in pie["slices"]} == {"1"}
        # each legend swatch is the colour of a slice (mermaid keeps them in label order)
        assert sorted(pie["legend"]) == sorted(fill for fill, _ in pie["slices"])
