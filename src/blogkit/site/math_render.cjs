// Typesets a page's formulas with MathJax (TeX in, CommonHTML out) for blogkit's build.
//
// One long-lived process per build (src/blogkit/site/math.py starts it): it reads one JSON
// request per line on stdin and answers each with one JSON line on stdout.
//
//   request  {"items": [[tex, display], ...]}        the formulas of one page, in page order
//   answer   {"html": [...], "css": "...",           one CHTML fragment per formula; the CSS
//             "labels": {name: {"tag", "id"}},       rules they need; the page's \label s
//             "error": null | {"index", "message"}}  the first TeX error, if any
//   request  {"version": true}  ->  {"version": "3.2.2", "packages": [...]}
//
// Equation numbers follow MathJax's AMS tagging, restarted on every page, with forward
// references resolved: a first pass compiles every formula to collect the labels and the
// equation counter before each one, a second pass typesets each formula with the counter it
// had and with every label of the page known.

"use strict";

const readline = require("readline");
const {mathjax} = require("mathjax-full/js/mathjax.js");
const {TeX} = require("mathjax-full/js/input/tex.js");
const {CHTML} = require("mathjax-full/js/output/chtml.js");
const {liteAdaptor} = require("mathjax-full/js/adaptors/liteAdaptor.js");
const {RegisterHTMLHandler} = require("mathjax-full/js/handlers/html.js");
const {AssistiveMmlHandler} = require("mathjax-full/js/a11y/assistive-mml.js");
const {STATE} = require("mathjax-full/js/core/MathItem.js");
const {AllPackages} = require("mathjax-full/js/input/tex/AllPackages.js");
const VERSION = require("mathjax-full/package.json").version;

// Every package, but not those that hide errors (noerrors, noundefined: a typo must fail the
// build), load code at run time (autoload, require), or redefine common macros (physics:
// \Re, \div, ...; colorv2 against color; textmacros changes \text{}); bussproofs needs a
// browser to measure its proof trees.
const EXCLUDED = new Set(["noerrors", "noundefined", "autoload", "require", "physics",
                          "colorv2", "textmacros", "bussproofs"]);
const PACKAGES = AllPackages.filter((p) => !EXCLUDED.has(p));
const FONT_URL = process.env.BLOGKIT_MATH_FONT_URL || "../mathjax/fonts";

const adaptor = liteAdaptor();
AssistiveMmlHandler(RegisterHTMLHandler(adaptor));

class TexFailure extends Error {}

function newDocument() {
  const tex = new TeX({
    packages: PACKAGES,
    tags: "ams",
    // a TeX error is an exception here, not a red box on the page
    formatError: (jax, err) => { throw new TexFailure(err.message); },
  });
  // adaptiveCSS: the stylesheet holds the rules for the characters this page uses
  const output = new CHTML({fontURL: FONT_URL, adaptiveCSS: true});
  const doc = mathjax.document("", {InputJax: tex, OutputJax: output});
  return {tex, output, doc};
}

// Names a formula refers to with \ref or \eqref.
function refsOf(tex) {
  return Array.from(tex.matchAll(/\\(?:eq)?ref\s*\{([^}]*)\}/g), (m) => m[1]);
}

function renderPage(items) {
  const {tex, output, doc} = newDocument();
  const tags = tex.parseOptions.tags;
  tex.reset(0);
  // Pass 1: compile only, collecting labels and the counter before each formula.
  const before = [], own = [];
  for (let i = 0; i < items.length; i++) {
    const [src, display] = items[i];
    before.push(tags.counter);
    const had = new Set(Object.keys(tags.allLabels));
    try {
      doc.convert(src, {display, end: STATE.COMPILED});
    } catch (err) {
      return {error: {index: i, message: String(err.message || err)}};
    }
    own.push(Object.keys(tags.allLabels).filter((k) => !had.has(k)));
  }
  const labels = Object.assign({}, tags.allLabels);
  const ids = Object.assign({}, tags.allIds);
  // Pass 2: typeset each formula in the state it had, with all the page's labels known.
  const html = [];
  for (let i = 0; i < items.length; i++) {
    const [src, display] = items[i];
    for (const name of refsOf(src)) {
      if (!(name in labels)) {
        return {error: {index: i, message: `\\ref{${name}}: no equation on this page has ` +
                                           `\\label{${name}}`}};
      }
    }
    tex.reset(0);
    tags.counter = tags.allCounter = before[i];
    const mine = new Set(own[i]);
    tags.allLabels = Object.fromEntries(Object.entries(labels).filter(([k]) => !mine.has(k)));
    tags.allIds = Object.assign({}, ids);
    for (const name of own[i]) delete tags.allIds[labels[name].id];
    try {
      html.push(adaptor.outerHTML(doc.convert(src, {display})));
    } catch (err) {
      return {error: {index: i, message: String(err.message || err)}};
    }
  }
  const css = adaptor.textContent(output.styleSheet(doc));
  const out = {};
  for (const [k, v] of Object.entries(labels)) out[k] = {tag: v.tag, id: v.id};
  return {html, css, labels: out, error: null};
}

const rl = readline.createInterface({input: process.stdin, terminal: false});
rl.on("line", (line) => {
  let answer;
  try {
    const req = JSON.parse(line);
    answer = req.version ? {version: VERSION, packages: PACKAGES} : renderPage(req.items);
  } catch (err) {
    answer = {error: {index: -1, message: `renderer: ${err.stack || err}`}};
  }
  process.stdout.write(JSON.stringify(answer) + "\n");
});
