// Formulas are typeset when the site is built; each keeps its TeX in data-tex. Copying a
// selection that contains formulas puts their TeX on the clipboard ($...$ inline, $$...$$
// displayed) in place of the rendered glyphs; a double click on a formula selects all of it.
(function () {
  const MATH = ".bk-math";
  function texOf(el) {
    const tex = el.dataset.tex || "";
    return el.classList.contains("bk-math--display") ? `$$${tex}$$` : `$${tex}$`;
  }
  document.addEventListener("copy", (event) => {
    const sel = window.getSelection();
    if (!sel || sel.rangeCount === 0 || sel.isCollapsed) return;
    const range = sel.getRangeAt(0);
    const around = (n) => (n.nodeType === 1 ? n : n.parentElement)?.closest(MATH) || null;
    const start = around(range.startContainer);
    const end = around(range.endContainer);
    const box = document.createElement("div");
    box.appendChild(range.cloneContents());
    if (!start && !end && !box.querySelector(MATH)) return;  // no formula: the browser copies
    if (start && start === end) {
      // a selection inside one formula copies that formula
      box.textContent = texOf(start);
    } else {
      box.querySelectorAll(MATH).forEach((n) => n.replaceWith(texOf(n)));
      // a selection that starts or ends inside a formula takes the whole formula
      box.querySelectorAll("mjx-container").forEach((n) => n.remove());
      if (start) box.insertBefore(document.createTextNode(texOf(start)), box.firstChild);
      if (end) box.appendChild(document.createTextNode(texOf(end)));
    }
    event.clipboardData.setData("text/plain", box.textContent);
    event.preventDefault();
  });
  document.addEventListener("dblclick", (event) => {
    const el = event.target instanceof Element ? event.target.closest(MATH) : null;
    if (!el) return;
    const range = document.createRange();
    range.selectNodeContents(el);
    const sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
  });
})();
