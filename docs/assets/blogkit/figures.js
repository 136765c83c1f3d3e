// A figure can be enlarged over the page by its own labelled button (or a click on the image);
// Escape, the button or a click closes it. The figure itself stays a figure whose accessible
// name is its caption.
function bkFigures() {
  document.querySelectorAll("figure.bk-figure").forEach((fig) => {
    if (fig.dataset.bkZoom) return;
    fig.dataset.bkZoom = "1";
    const button = document.createElement("button");
    button.type = "button";
    button.className = "bk-zoom-button";
    button.setAttribute("aria-label", "放大图片");
    button.setAttribute("aria-pressed", "false");
    button.textContent = "⤢";
    fig.insertBefore(button, fig.firstChild);
    const toggle = (on) => {
      fig.classList.toggle("bk-zoom", on);
      button.setAttribute("aria-pressed", String(on));
      button.setAttribute("aria-label", on ? "还原图片" : "放大图片");
      document.body.classList.toggle("bk-zoomed", on);
    };
    button.addEventListener("click", (e) => { e.stopPropagation(); toggle(!fig.classList.contains("bk-zoom")); });
    const svg = fig.querySelector("svg");
    if (svg) svg.addEventListener("click", () => toggle(!fig.classList.contains("bk-zoom")));
    document.addEventListener("keydown", (e) => { if (e.key === "Escape" && fig.classList.contains("bk-zoom")) toggle(false); });
    fig.addEventListener("click", (e) => { if (e.target === fig && fig.classList.contains("bk-zoom")) toggle(false); });
  });
}
if (typeof document$ !== "undefined") document$.subscribe(bkFigures);
else document.addEventListener("DOMContentLoaded", bkFigures);
