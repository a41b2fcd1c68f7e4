// Mermaid diagrams in the book's colours, in the light and the dark scheme alike.
//
// Material renders each diagram once, into a shadow root, with its own `themeCSS` that
// styles flowcharts, sequence, class and state diagrams through CSS variables, but not
// pie charts: their title and legend stay black (unreadable on the dark page) and the
// slices are drawn at 70 % opacity while the legend's swatches are not, so the colours
// do not match. This script runs after the book's copy of mermaid and before Material's
// bundle, and adds to whatever configuration Material passes to `mermaid.initialize`:
//
// - text in the page's text colour (CSS variables reach into the shadow root, so a
//   switch of scheme needs no new rendering);
// - opaque slices, separated by lines in the page's background colour;
// - slice colours that stand out by at least 3:1 from both backgrounds, the first three
//   being the book's colours for batch, stochastic and mini-batch gradient descent in
//   the figures (docs/figures.py: matplotlib's C0, C1 darkened to 3:1 on white, C2);
// - the percentages outside the slices, on the page's background, where they are as
//   readable as the prose.
(function () {
  "use strict";
  if (typeof mermaid === "undefined" || typeof mermaid.initialize !== "function") return;

  var PIE_COLORS = ["#1f77b4", "#ee7000", "#2ca02c", "#d62728", "#9467bd", "#7f7f7f"];
  var PIE_CSS = [
    ".pieTitleText, .legend text, .slice { fill: var(--md-default-fg-color) !important; }",
    ".pieCircle { opacity: 1 !important; stroke: var(--md-default-bg-color) !important; }",
    ".pieOuterCircle { stroke: none !important; }",
  ].join("\n");

  var initialize = mermaid.initialize;
  mermaid.initialize = function (config) {
    config = Object.assign({}, config);
    config.themeCSS = (config.themeCSS || "") + "\n" + PIE_CSS;
    var variables = Object.assign({ pieOpacity: "1" }, config.themeVariables);
    PIE_COLORS.forEach(function (color, i) {
      variables["pie" + (i + 1)] = variables["pie" + (i + 1)] || color;
    });
    config.themeVariables = variables;
    config.pie = Object.assign({ textPosition: 1.12 }, config.pie);
    return initialize.call(this, config);
  };
})();
