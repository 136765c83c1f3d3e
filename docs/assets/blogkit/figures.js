// Click (or Enter) on a figure to enlarge it over the page; click again or Escape to close.
function bkFigures() {
  document.querySelectorAll("figure.bk-figure").forEach((fig) => {
    if (fig.dataset.bkZoom) return;
    fig.dataset.bkZoom = "1";
    fig.tabIndex = 0;
    fig.setAttribute("role", "button");
    fig.setAttribute("aria-label", "放大图片");
    const toggle = (on) => {
      fig.classList.toggle("bk-zoom", on);
      document.body.classList.toggle("bk-zoomed", fig.classList.contains("bk-zoom"));
    };
    fig.addEventListener("click", () => toggle(!fig.classList.contains("bk-zoom")));
    fig.addEventListener("keydown", (e) => {
      if (e.key === "Escape") toggle(false);
      if (e.key === "Enter" || e.key === " ") { e.preventDefault(); toggle(!fig.classList.contains("bk-zoom")); }
    });
  });
}
if (typeof document$ !== "undefined") document$.subscribe(bkFigures);
else document.addEventListener("DOMContentLoaded", bkFigures);
