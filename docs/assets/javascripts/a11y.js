// Accessibility fixes to Material's own page chrome, which it builds in the browser
// (tests/test_accessibility.py runs axe-core on every page in both schemes):
//
// - a table that Material wraps in a horizontally scrolling box, and a formula that is wider
//   than a phone's screen (extra.css lets it scroll), get `tabindex="0"`, so a keyboard
//   user can focus them and scroll with the arrow keys (WCAG 2.1.1);
// - the search dialog gets a name, the label of its search box (WCAG 4.1.2);
// - the small toolbar Material puts in each code block (the copy button) is a `<nav>`
//   landmark with no name, one per block: it is taken out of the landmark list, which
//   should list the page's real regions, each once.
(function () {
  "use strict";
  function fix(root) {
    var scrolling = ".md-typeset__scrollwrap:not([tabindex]), div.arithmatex:not([tabindex])";
    root.querySelectorAll(scrolling).forEach(function (box) {
      box.setAttribute("tabindex", "0");
    });
    root.querySelectorAll(".md-search[role=dialog]:not([aria-label])").forEach(function (dialog) {
      var input = dialog.querySelector("input");
      var name = input && (input.getAttribute("aria-label") || input.getAttribute("placeholder"));
      dialog.setAttribute("aria-label", name || "Search");
    });
    root.querySelectorAll("nav.md-code__nav:not([role])").forEach(function (nav) {
      nav.setAttribute("role", "none");
    });
  }
  // Material adds these elements after the page's scripts have run, and again on every
  // page it loads in place (navigation.instant): fix what is added, as it is added.
  new MutationObserver(function (records) {
    records.forEach(function (record) {
      record.addedNodes.forEach(function (node) {
        if (node.nodeType === 1) fix(node.parentNode || node);
      });
    });
  }).observe(document.documentElement, { childList: true, subtree: true });
  fix(document);
})();
