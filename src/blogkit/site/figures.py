"""Figures: inline SVG printed by ``blogkit.display.svg``, kept out of Markdown and numbered.

While a page is rendered each figure waits in a small placeholder (a slot); when the page is
written the figures go back in, and a post's figures are numbered "图 k" in page order. Labels
given with ``svg(..., label=...)`` map to those numbers for ``[[fig:label]]`` references.
"""

from __future__ import annotations

import hashlib
import re

from mkdocs.exceptions import PluginError

from blogkit.engine import UnitResult
from blogkit.posts import Post

__all__ = ["FIGURE_OPEN_RE", "FIGURE_RE", "SLOT_RE", "FigureSlots", "figure_numbers",
           "number_figures"]

# Inline SVG figures printed by blogkit.display.svg, and the placeholders that stand in for them.
FIGURE_RE = re.compile(r'<figure class="bk-figure"[^>]*>.*?</figure>', flags=re.S)
FIGURE_OPEN_RE = re.compile(r'<figure class="bk-figure"(?: id="([^"]+)")?>')
SLOT_RE = re.compile(r'<div class="bk-fig-slot" data-slot="([0-9a-f]{16})"></div>')


class FigureSlots:
    """The figures taken out of executed blocks' output, by slot key (a hash of the figure).

    A figure is hundreds of kilobytes of tags that Markdown would parse (and the search index
    would scan) on every render for nothing. The store lives as long as the plugin, so that
    ``mkdocs serve`` keeps it across rebuilds.
    """

    def __init__(self) -> None:
        self.figures: dict[str, str] = {}

    def slot(self, output: str) -> str:
        """Swap each inline SVG figure for a small placeholder until the page is written."""
        def one(m: re.Match[str]) -> str:
            key = hashlib.sha1(m.group(0).encode("utf-8")).hexdigest()[:16]
            self.figures[key] = m.group(0)
            # Blank lines around it: a table printed right before a figure stays a table.
            return f'\n\n<div class="bk-fig-slot" data-slot="{key}"></div>\n\n'

        return FIGURE_RE.sub(one, output)

    def fill(self, html: str, *, number: bool) -> str:
        """Put the figures back into a written page (numbering them when ``number``, for a
        post); a page without placeholders is returned as it is."""
        if "bk-fig-slot" not in html:
            return html

        def one(m: re.Match[str]) -> str:
            return self.figures.get(m.group(1), m.group(0))

        html = SLOT_RE.sub(one, html)
        if number:
            html = number_figures(html)
        return html


def number_figures(html: str) -> str:
    """Number a post's figures in page order: "图 k" opens each caption (one caption style on
    every page), and a figure without a label gets the anchor ``fig-k``."""
    k = 0

    def one(m: re.Match[str]) -> str:
        nonlocal k
        k += 1
        fig = m.group(0)
        if not FIGURE_OPEN_RE.match(fig).group(1):  # type: ignore[union-attr]
            fig = fig.replace('<figure class="bk-figure"', f'<figure class="bk-figure" id="fig-{k}"', 1)
        num = f'<span class="bk-fig-num">图&nbsp;{k}</span>'
        if "<figcaption>" in fig:
            return fig.replace("<figcaption>", f"<figcaption>{num}", 1)
        return fig.replace("</figure>", f"<figcaption>{num}</figcaption></figure>")

    return FIGURE_RE.sub(one, html)


def figure_numbers(post: Post, results: list[UnitResult]) -> dict[str, int]:
    """Labels of a post's figures -> their number in page order, from the outputs of the
    post's units (``results``); a repeated label is an error naming the block that prints it a
    second time."""
    blocks = sorted(((block.line, out)
                     for res in results
                     for block, out in zip(res.unit.blocks, res.outputs, strict=False)),
                    key=lambda lo: lo[0])
    numbers: dict[str, int] = {}
    k = 0
    for line, out in blocks:
        for m in FIGURE_OPEN_RE.finditer(out):
            k += 1
            name = m.group(1)
            if name is None:
                continue
            if name in numbers:
                raise PluginError(f"{post.path}:{line}: figure label "
                                  f"{name!r} is used twice in this post")
            numbers[name] = k
    return numbers
