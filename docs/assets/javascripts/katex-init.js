// Render the math that pymdownx.arithmatex (generic mode) leaves in the page with the
// KaTeX copy served by the book. Only `.arithmatex` elements are touched, so a `$` in
// code or prose is never mistaken for math. Errors render as a red `.katex-error`.
(function () {
  "use strict";
  function render(root) {
    root.querySelectorAll(".arithmatex").forEach(function (el) {
      if (el.dataset.katex) return;
      var tex = el.textContent.trim();
      var display = el.tagName !== "SPAN";
      tex = tex.replace(/^\\[(\[]/, "").replace(/\\[)\]]$/, "");
      katex.render(tex, el, { displayMode: display, throwOnError: false });
      el.dataset.katex = "done";
    });
  }
  if (typeof document$ !== "undefined") {
    document$.subscribe(function (doc) { render(doc.body); });
  } else {
    render(document.body);
  }
})();
