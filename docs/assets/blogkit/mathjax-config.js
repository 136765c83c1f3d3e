// MathJax 3 configuration: AMS equation numbers, \label/\eqref, and only the math that
// pymdownx.arithmatex (generic mode) marked. The bundle itself is served from assets/mathjax.
window.MathJax = {
  loader: { paths: { mathjax: new URL("../mathjax", document.currentScript.src).href.replace(/\/$/, "") } },
  tex: {
    inlineMath: [["\\(", "\\)"]],
    displayMath: [["\\[", "\\]"]],
    processEscapes: true,
    processEnvironments: true,
    tags: "ams",
  },
  options: {
    ignoreHtmlClass: ".*|",
    processHtmlClass: "arithmatex",
  },
  chtml: { fontURL: new URL("../mathjax/output/chtml/fonts/woff-v2", document.currentScript.src).href },
};

// Material's instant navigation swaps the page body: typeset the new body, with fresh labels.
// The first emission is the initial page load, which MathJax typesets on its own; clearing
// its cache then would drop the glyph styles of the formulas just typeset.
if (typeof document$ !== "undefined") {
  let initialLoad = true;
  document$.subscribe(() => {
    if (initialLoad) { initialLoad = false; return; }
    if (!window.MathJax.startup || !window.MathJax.startup.output) return;
    MathJax.startup.output.clearCache();
    MathJax.typesetClear();
    MathJax.texReset();
    MathJax.typesetPromise();
  });
}
