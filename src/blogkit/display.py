"""Turning results into page content: Markdown tables and deterministic inline SVG figures.

Every executed snippet prints through these helpers, so that all posts share one look and
one set of guarantees:

* ``svg(fig)`` renders a matplotlib figure to inline SVG that is byte-for-byte reproducible
  (fixed hash salt, no date, no creator string) and whose element ids are unique on the page
  (matplotlib names its clip paths and glyphs ``p0a1b2...``/``DejaVuSans-31`` the same way in
  every figure; two inline figures would otherwise share ids and steal each other's clips).
* ``figure(...)`` makes a matplotlib ``Figure`` in the house style without pyplot (no global
  state, nothing to close).
* ``md_table(...)`` formats a Markdown table with per-column number formats.
* ``value(name, x, fmt)`` publishes a computed number for the prose: the post writes
  ``[[v:name]]`` and the reader sees the number, with the snippet that computed it on hover.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
from collections.abc import Iterable, Sequence
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # matplotlib is imported lazily: tables must not pay for it
    from matplotlib.figure import Figure

__all__ = ["figure", "heatmap", "md_table", "output_mode", "svg", "value"]

# House style: small, legible figures with a white card so they read on both palettes.
_RC: dict[str, Any] = {
    "svg.hashsalt": "blogkit",  # deterministic ids for clip paths and hatches
    "svg.fonttype": "path",  # glyphs as paths: the reader needs no font
    "font.size": 10,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "image.cmap": "viridis",
    "axes.prop_cycle": None,  # filled in below with a colour-blind-safe cycle
}
_CYCLE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]

# Ids already handed out in this process: a page's blocks run in one process, so this keeps
# two identical figures on one page apart while staying deterministic for a given build.
_seen_prefixes: dict[str, int] = {}


# Chinese text in figures needs a CJK font (Debian: fonts-noto-cjk); the first one found wins.
_CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Source Han Sans SC", "WenQuanYi Zen Hei")


def _apply_style() -> None:
    import matplotlib as mpl
    from cycler import cycler
    from matplotlib import font_manager

    rc = dict(_RC)
    rc["axes.prop_cycle"] = cycler(color=_CYCLE)
    names = {f.name for f in font_manager.fontManager.ttflist}
    cjk = [f for f in _CJK_FONTS if f in names]
    if not cjk:  # matplotlib's font cache predates the CJK fonts: register them by file
        for path in font_manager.findSystemFonts():
            if "CJK" in path or "WenQuanYi" in path or "SourceHan" in path:
                font_manager.fontManager.addfont(path)
        names = {f.name for f in font_manager.fontManager.ttflist}
        cjk = [f for f in _CJK_FONTS if f in names]
    # A CJK font first (it has Latin glyphs too; matplotlib's per-glyph fallback does not reach
    # fonts inside .ttc collections); DejaVu Sans where there is none. Math uses mathtext.
    rc["font.sans-serif"] = [*cjk[:1], "DejaVu Sans"]
    mpl.rcParams.update(rc)


def output_mode() -> str:
    """How results are shown: ``markdown`` (the site and ``python snippets/...``: exactly
    what the page shows), ``text`` (a downloaded ``post.py`` run in a terminal: plain tables,
    figures saved as SVG files) or ``notebook`` (a downloaded notebook: rich tables and
    figures). Set by ``$BLOGKIT_OUTPUT``."""
    mode = os.environ.get("BLOGKIT_OUTPUT", "markdown")
    return mode if mode in {"markdown", "text", "notebook"} else "markdown"


def _display(obj: Any) -> None:
    from IPython.display import display

    display(obj)


def value(name: str, x: Any, fmt: str = "") -> str:
    """Publish ``x`` under ``name`` for the post's prose, which shows it where it says
    ``[[v:name]]``. Prints (and returns) an invisible marker; returns the formatted text.
    Outside the site it prints ``name = text`` (text mode) or nothing (notebook)."""
    text = format(x, fmt)
    mode = output_mode()
    if mode == "text":
        print(f"{name} = {text}")
    elif mode == "markdown":
        # A blank line first: right after a table, a bare line would become an empty table row.
        print(f'\n<!--bk-value name="{name}" text="{escape(text, quote=True)}"-->')
    return text


def figure(nrows: int = 1, ncols: int = 1, *, size: tuple[float, float] = (6.4, 3.6),
           **subplot_kw: Any) -> tuple[Figure, Any]:
    """A ``Figure`` and its axes in the house style, made without pyplot.

    Returns ``(fig, ax)`` like ``plt.subplots``: ``ax`` is one ``Axes`` for a 1x1 grid and an
    array of axes otherwise.
    """
    _apply_style()
    from matplotlib.figure import Figure

    fig = Figure(figsize=size, layout="constrained")
    ax = fig.subplots(nrows, ncols, **subplot_kw)
    return fig, ax


def heatmap(ax: Any, z: Any, *, xlabel: str = "", ylabel: str = "", title: str | None = None,
            cmap: str = "RdBu_r", symmetric: bool = False, colorbar: bool = True,
            **imshow_kw: Any) -> Any:
    """A matrix as an image in the house style: no grid, labelled axes, a colour bar.

    ``symmetric=True`` centres the colour scale on zero (for signed scores). Without an
    ``extent`` the axes are matrix indices and get integer ticks only. Returns the image.
    """
    if symmetric and "vmin" not in imshow_kw:
        import numpy as np

        m = float(np.abs(np.asarray(z)).max())
        imshow_kw.update(vmin=-m, vmax=m)
    im = ax.imshow(z, cmap=cmap, **imshow_kw)
    if "extent" not in imshow_kw:  # rows and columns are indices: no ticks at 2.5
        from matplotlib.ticker import MaxNLocator

        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title is not None:
        ax.set_title(title, fontsize=9)
    ax.grid(False)
    if colorbar:
        ax.figure.colorbar(im, ax=ax, shrink=0.85)
    return im


_ID_RE = re.compile(r'\bid="([^"]+)"')
_saved_figures = 0


def svg(fig: Figure, *, caption: str | None = None, alt: str | None = None,
        label: str | None = None) -> str:
    """Render ``fig`` as a ``<figure>`` with inline SVG, deterministic and id-safe.

    Args:
        fig: the matplotlib figure.
        caption: optional caption (HTML allowed), shown under the figure.
        alt: text for screen readers (``aria-label``); defaults to the caption.
        label: the figure's anchor, e.g. ``"mitchell-error"``; the prose links to it with
            ``[[fig:mitchell-error]]``, shown as "图 k". Figures are numbered in page order
            when the site is built; a caption carries no number of its own.

    Returns:
        One line-free HTML block: ``<figure class="bk-figure"><svg ...>...</svg>
        <figcaption>...</figcaption></figure>``. It contains no blank line, so it can be
        printed into Markdown output as a raw HTML block.
    """
    _apply_style()
    buf = io.StringIO()
    _rasterize_heavy(fig)
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    text = buf.getvalue()
    text = text[text.index("<svg"):]  # drop the XML prolog and DOCTYPE: invalid inside HTML
    digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]
    n = _seen_prefixes.get(digest, 0)
    _seen_prefixes[digest] = n + 1
    prefix = f"bk{digest}{n or ''}-"
    ids = set(_ID_RE.findall(text))

    def _ref(m: re.Match[str]) -> str:
        name = m.group(2)
        return f"{m.group(1)}{prefix}{name}" if name in ids else m.group(0)

    # matplotlib gives every embedded image of a figure the same id when the hash salt is
    # fixed; number repeated ids (references, if any, keep pointing at the first one).
    count: dict[str, int] = {}

    def _rename(m: re.Match[str]) -> str:
        name = m.group(1)
        count[name] = count.get(name, 0) + 1
        suffix = f"-{count[name]}" if count[name] > 1 else ""
        return f'id="{prefix}{name}{suffix}"'

    text = _ID_RE.sub(_rename, text)
    text = re.sub(r'(url\(#|href="#)([^")]+)', _ref, text)
    # Responsive: keep the viewBox, let CSS size the figure.
    text = re.sub(r'<svg([^>]*?) width="[^"]+" height="[^"]+"', r"<svg\1", text, count=1)
    aria = alt if alt is not None else re.sub(r"<[^>]+>|\$", "", caption or "")
    text = text.replace("<svg", f'<svg role="img" aria-label="{escape(aria)}"', 1)
    text = "".join(line.strip() for line in text.splitlines() if line.strip())
    cap = f"<figcaption>{_caption_math(caption)}</figcaption>" if caption else ""
    if label is not None and not re.fullmatch(r"[A-Za-z0-9_.:-]+", label):
        raise ValueError(f"figure label {label!r}: use letters, digits and _.:- only")
    anchor = f' id="{label}"' if label else ""
    mode = output_mode()
    if mode == "notebook":
        from IPython.display import HTML

        _display(HTML(f"<figure>{text}{cap}</figure>"))
        return ""
    if mode == "text":
        global _saved_figures
        _saved_figures += 1
        name = f"{label or 'figure'}-{_saved_figures}.svg"
        Path(name).write_text(text, encoding="utf-8")
        plain = re.sub(r"<[^>]+>", "", caption or "")
        return f"[图：{plain}（已保存为 {name}）]"
    return f'<figure class="bk-figure"{anchor}>{text}{cap}</figure>'


HEAVY_VERTICES = 20_000  # per figure: above this, its lines and point clouds become images


def _rasterize_heavy(fig: Figure) -> None:
    """Keep a figure light for the reader: when its lines, fills and point clouds would take
    more than ``HEAVY_VERTICES`` vertices of SVG (about 300 kB; a scatter marker costs about
    ten, since each is an element of its own), they are drawn as embedded images while axes,
    ticks and text stay vector. A figure of a few curves or a few hundred points is untouched."""
    artists = [a for ax in fig.axes for a in (*ax.lines, *ax.collections, *ax.patches)
               if a is not ax.patch]
    count = 0
    for a in artists:
        if hasattr(a, "get_xydata"):
            count += len(a.get_xydata())
        elif not hasattr(a, "get_paths"):  # a patch (an arrow of a stream plot, a polygon)
            count += 10 + len(a.get_path().vertices)
        else:  # a collection: its own paths (contours, meshes) and its markers
            count += sum(len(p.vertices) for p in a.get_paths())
            count += 10 * len(a.get_offsets()) if len(a.get_offsets()) > 1 else 0
    if count > HEAVY_VERTICES:
        for a in artists:
            a.set_rasterized(True)


def _caption_math(caption: str) -> str:
    """``$...$`` in a caption becomes inline math typeset like the body's (a caption is raw
    HTML, which Markdown and its math extension never see)."""
    return re.sub(r"(?<![\\$])\$([^$\n]+?)\$",
                  lambda m: f'<span class="arithmatex">\\({escape(m.group(1), quote=False)}\\)</span>',
                  caption)


def _fmt(value: Any, spec: str | None) -> str:
    if spec is None or isinstance(value, str):
        return str(value)
    if callable(spec):
        return str(spec(value))
    return format(value, spec)


def md_table(rows: Iterable[Sequence[Any]], headers: Sequence[str],
             formats: Sequence[str | None] | None = None,
             align: Sequence[str] | None = None) -> str:
    """A Markdown table.

    Args:
        rows: the rows, each a sequence of cells.
        headers: column titles.
        formats: per-column ``format`` specs (``".4f"``, ``".2%"``, ``None`` for ``str``).
        align: per-column ``"l"``, ``"c"`` or ``"r"``; numbers default to right-aligned.
    """
    rows = [list(r) for r in rows]
    ncol = len(headers)
    mode = output_mode()
    formats = list(formats) if formats is not None else [None] * ncol
    if any(len(r) != ncol for r in rows) or len(formats) != ncol:
        raise ValueError("every row and the formats must have one entry per header")
    if align is None:
        align = ["r" if rows and not isinstance(rows[0][j], str) else "l" for j in range(ncol)]
    rule = {"l": ":--", "c": ":-:", "r": "--:"}
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join(rule[a] for a in align) + "|"]
    cells = [[_fmt(c, f) for c, f in zip(r, formats, strict=True)] for r in rows]
    if mode == "text":  # aligned plain text for a terminal
        table = [list(headers), *cells]
        widths = [max(_width(row[j]) for row in table) for j in range(ncol)]
        def line(row: list[str]) -> str:
            return "  ".join(c + " " * (w - _width(c)) if a == "l" else " " * (w - _width(c)) + c
                             for c, w, a in zip(row, widths, align, strict=True)).rstrip()
        return "\n".join([line(table[0]), "  ".join("-" * w for w in widths)]
                         + [line(r) for r in cells])
    out = ["| " + " | ".join(_md_cell(h) for h in headers) + " |", out[1]]
    out += ["| " + " | ".join(_md_cell(c) for c in r) + " |" for r in cells]
    if mode == "notebook":
        from IPython.display import Markdown

        _display(Markdown("\n".join(out)))
        return ""
    return "\n".join(out)


_MATH_SPAN_RE = re.compile(r"(?<!\\)\$[^$]*\$")


def _md_cell(text: str) -> str:
    """A cell of a Markdown table: a ``|`` of the text is escaped (it would end the cell); one
    inside ``$...$`` cannot be (``\\|`` is TeX's double bar), so it is an error."""
    out, last = [], 0
    for m in _MATH_SPAN_RE.finditer(text):
        if "|" in m.group(0):
            raise ValueError(f"md_table: a '|' inside the formula {m.group(0)!r} would split "
                             "the table's cell: write \\vert (|) or \\Vert (‖) instead")
        out += [text[last:m.start()].replace("|", "\\|"), m.group(0)]
        last = m.end()
    out.append(text[last:].replace("|", "\\|"))
    return "".join(out).replace("\n", " ")


def _width(text: str) -> int:
    """Columns a string takes in a terminal: East Asian wide characters take two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
