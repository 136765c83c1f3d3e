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

// Material's instant navigation swaps the page body: typeset again, with fresh labels.
if (typeof document$ !== "undefined") {
  document$.subscribe(() => {
    if (!window.MathJax.startup || !window.MathJax.startup.output) return;
    MathJax.startup.output.clearCache();
    MathJax.typesetClear();
    MathJax.texReset();
    MathJax.typesetPromise();
  });
}
