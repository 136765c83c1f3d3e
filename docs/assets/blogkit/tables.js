// A table or display equation wider than the column scrolls sideways inside its own box; mark
// such boxes so that CSS shows it (edge shadows, a visible scrollbar, a hint), re-checked on
// resize. Material wraps tables in .md-typeset__scrollwrap at run time.
function bkOverflow() {
  const boxes = document.querySelectorAll(".md-typeset__scrollwrap, .md-typeset .bk-math--display");
  boxes.forEach((box) => box.classList.toggle("bk-scrolls", box.scrollWidth > box.clientWidth + 1));
}
function bkOverflowSoon() { requestAnimationFrame(() => requestAnimationFrame(bkOverflow)); }
if (typeof document$ !== "undefined") document$.subscribe(() => { bkOverflowSoon(); setTimeout(bkOverflow, 800); });
else document.addEventListener("DOMContentLoaded", bkOverflowSoon);
window.addEventListener("resize", bkOverflowSoon);
