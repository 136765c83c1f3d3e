"""Pure helpers behind the reader features of the site (used by ``blogkit.site``).

* ``equation_labels``: the AMS equation numbers MathJax will give a page's labels, so that a
  post can cite "equation (3) of another post" and the build can reject dangling or duplicate
  labels with the file and line.
* ``readtime_minutes``: reading time that counts Chinese characters (Material's count splits
  on non-word characters and sees a whole Chinese paragraph as one word).
* ``plain_text``: text of an HTML excerpt without TeX, for feeds and descriptions.
* ``citation_text`` / ``bibtex``: the "cite this post" block.
* ``notebook``: a Jupyter (nbformat 4) notebook from a post's snippets.
* ``nav_math``: mark the TeX of navigation and table-of-contents entries for MathJax, which
  only typesets what arithmatex marked (a heading "LayerNorm 与 $\\epsilon$" would otherwise
  show raw TeX in the table of contents).
"""

from __future__ import annotations

import html as htmllib
import json
import math
import re
from dataclasses import dataclass
from typing import Any

__all__ = ["Label", "bibtex", "citation_text", "equation_labels", "join_cjk_breaks", "nav_math",
           "notebook", "plain_text", "readtime_minutes"]

_ENV_RE = re.compile(r"\\begin\{(equation|align|gather|multline|flalign|alignat|eqnarray)(\*?)\}"
                     r"(.*?)\\end\{\1\2\}", flags=re.S)
_LABEL_RE = re.compile(r"\\label\{([^}]+)\}")
_DISPLAY_RE = re.compile(r"\$\$.*?\$\$|\\\[.*?\\\]", flags=re.S)
_NONUMBER_RE = re.compile(r"\\(nonumber|notag)\b")
_TAG_RE = re.compile(r"\\tag\*?\{([^}]*)\}")


@dataclass(frozen=True)
class Label:
    name: str
    number: str  # what MathJax shows inside the parentheses
    line: int  # 1-based line of the \label in the page source


def _strip_code(markdown: str) -> str:
    """Blank out fenced code (keeping line numbers): TeX inside code is not math."""
    return re.sub(r"^(```|~~~).*?^\1", lambda m: "\n" * m.group(0).count("\n"),
                  markdown, flags=re.S | re.M)


def equation_labels(markdown: str) -> tuple[list[Label], list[tuple[str, int]]]:
    """AMS numbers of a page's labelled equations, in order, and the duplicates.

    Numbering follows MathJax's ``tags: "ams"``: ``equation`` and ``multline`` get one number,
    ``align``/``gather``/... one per line (rows split by ``\\\\``), starred environments and rows
    with ``\\nonumber``/``\\notag`` none, ``\\tag{x}`` shows ``x`` and takes no number.

    Returns ``(labels, duplicates)`` where duplicates are ``(name, line)`` of repeated labels.
    """
    text = _strip_code(markdown)
    labels: list[Label] = []
    seen: set[str] = set()
    dups: list[tuple[str, int]] = []
    counter = 0
    for m in _ENV_RE.finditer(text):
        env, star, body = m.groups()
        rows = [body] if env in {"equation", "multline"} else re.split(r"\\\\(?![a-zA-Z])", body)
        offset = m.start(3)
        for row in rows:
            row_start = text.index(row, offset) if row else offset
            offset = row_start + len(row)
            tag = _TAG_RE.search(row)
            numbered = not star and not _NONUMBER_RE.search(row) and not tag
            if numbered and (env not in {"align", "gather", "flalign", "alignat", "eqnarray"}
                             or row.strip()):
                counter += 1
            number = tag.group(1) if tag else (str(counter) if numbered else "")
            for lm in _LABEL_RE.finditer(row):
                line = text.count("\n", 0, row_start + lm.start()) + 1
                labels.append(Label(lm.group(1), number, line))
    # Labels in $$...$$ or \[...\] displays outside those environments: never numbered (AMS
    # numbering), but a repeated name is as much an error there.
    spans = [m.span() for m in _ENV_RE.finditer(text)]
    for m in _DISPLAY_RE.finditer(text):
        for lm in _LABEL_RE.finditer(m.group(0)):
            pos = m.start() + lm.start()
            if any(a <= pos < b for a, b in spans):
                continue
            tag = _TAG_RE.search(m.group(0))
            labels.append(Label(lm.group(1), tag.group(1) if tag else "",
                                text.count("\n", 0, pos) + 1))
    labels.sort(key=lambda lb: lb.line)
    for lb in labels:
        if lb.name in seen:
            dups.append((lb.name, lb.line))
        seen.add(lb.name)
    return labels, dups


_CJK_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af]")
# CJK ideographs, kana, hangul and the CJK/full-width punctuation between which a line break
# is not a space (as markdown-it's cjk-breaks rule treats them).
_CJK_CHAR = ("\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
             "\uac00-\ud7af\uff00-\uffef\u2018\u2019\u201c\u201d\u2014\u2026")
# Emphasis markers may stand between the break and the character: "…无关；\n**近似四**".
_ENDS_CJK = re.compile(f"[{_CJK_CHAR}](?:\\*{{1,3}}|_{{1,2}})?$")
_STARTS_CJK = re.compile(f"^(?:\\*{{1,3}}|_{{1,2}})?[{_CJK_CHAR}]")
# Inline tags around the break (a figure reference's <a>, an inline value's <span>) are
# looked through to the characters they hold.
_INLINE = r"(?:span|a|em|strong|code|b|i|sup|sub|small|mark)"
_LEAD_TAGS = re.compile(rf"^(?:<{_INLINE}\b[^>]*>)+")
_TRAIL_TAGS = re.compile(rf"(?:</{_INLINE}>)+$")
_FENCE_OPEN = re.compile(r"^\s*(`{3,}|~{3,})")
# Lines that are not running prose: headings, tables, block HTML (an inline tag such as an
# inline value's <span> may open a prose line), display math, admonitions, tabs, rules.
_NOT_PROSE = re.compile(r"^\s*(#|\||<(?!(?:span|a|code|em|strong|b|i|sup|sub|small|abbr|kbd|mark)\b)"
                        r"|\$\$|\\begin\{|\\end\{|\\\[|\\\]|!!!|\?\?\?|===|---|\*\*\*)")


def join_cjk_breaks(markdown: str) -> str:
    """Join soft line breaks between two CJK characters in prose, so that a paragraph wrapped
    in the source reads "分数上表现如何", not "分数上 表现如何" (in the page, its excerpt, the
    search index and the feed).

    Fenced code, display math (``$$…$$``, ``\\[…\\]``, ``\\begin…\\end``), headings, tables
    and HTML lines are left alone, as is a break next to Latin text or inline math. The
    removed newlines are put back after the paragraph, so every later line keeps its number.
    """
    out: list[str] = []
    fence = math_end = ""
    carried = 0  # newlines removed from the current paragraph
    for line in markdown.split("\n"):
        s = line.strip()
        if fence or math_end:
            out.append(line)
            if fence and s.startswith(fence):
                fence = ""
            elif math_end and math_end in s:
                math_end = ""
            continue
        if m := _FENCE_OPEN.match(line):
            fence = m.group(1)
        elif s.startswith("$$"):
            math_end = "" if len(s) > 2 and s.endswith("$$") else "$$"
        elif s.startswith("\\["):
            math_end = "" if s.endswith("\\]") else "\\]"
        elif m := re.match(r"\\begin\{([A-Za-z]+\*?)\}", s):
            end = f"\\end{{{m.group(1)}}}"
            math_end = "" if end in s else end
        elif s == "":
            out.extend([""] * carried)
            carried = 0
        else:
            prev = out[-1] if out else ""
            if (_STARTS_CJK.match(_LEAD_TAGS.sub("", s)) and not _NOT_PROSE.match(s)
                    and _ENDS_CJK.search(_TRAIL_TAGS.sub("", prev))
                    and not _NOT_PROSE.match(prev) and not prev.endswith("  ")):
                out[-1] = prev + s
                carried += 1
                continue
        out.append(line)
    out.extend([""] * carried)
    return "\n".join(out)


def readtime_minutes(html: str, cjk_per_minute: int = 400, words_per_minute: int = 200) -> int:
    """Reading time of an HTML page in minutes (at least 1).

    Chinese/Japanese/Korean characters are counted one by one (about 400 a minute), Latin
    words by whitespace (200 a minute). Code, math and figures are not prose and are skipped.
    """
    text = re.sub(r"<(pre|code|svg|script|style)\b.*?</\1>", " ", html, flags=re.S)
    text = re.sub(r'<(div|span) class="arithmatex">.*?</\1>', " ", text, flags=re.S)
    text = htmllib.unescape(re.sub(r"<[^>]+>", " ", text))
    cjk = len(_CJK_RE.findall(text))
    words = len(re.findall(r"[A-Za-z0-9]+(?:[-'.][A-Za-z0-9]+)*", _CJK_RE.sub(" ", text)))
    return max(1, math.ceil(cjk / cjk_per_minute + words / words_per_minute))


def plain_text(html: str, limit: int | None = None) -> str:
    """Readable text of an HTML fragment: tags, TeX and code dropped, spaces collapsed."""
    text = re.sub(r"<(pre|svg|script|style)\b.*?</\1>", " ", html, flags=re.S)
    text = re.sub(r'<div class="arithmatex">.*?</div>', " ", text, flags=re.S)
    # Inline math: keep a readable form of simple symbols, drop the TeX markup.
    text = re.sub(r'<span class="arithmatex">(.*?)</span>', lambda m: _tex_to_text(m.group(1)),
                  text, flags=re.S)
    text = htmllib.unescape(re.sub(r"<[^>]+>", " ", text))
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"\s+([,。;:!?、)」』,.;:!?)])", r"\1", text)
    if limit and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def _tex_to_text(tex: str) -> str:
    """Readable Unicode for inline TeX (``exp(QK^⊤)``, ``{ω_j}``, ``p ∝ e^λs``), by pylatexenc,
    a kept LaTeX-to-text converter; references to equations become nothing."""
    from pylatexenc.latex2text import LatexNodes2Text

    tex = htmllib.unescape(tex).strip()
    tex = re.sub(r"^\\\(|\\\)$", "", tex).strip()
    if re.search(r"\\(eqref|ref)\{", tex):
        return ""
    try:
        text = LatexNodes2Text(math_mode="text").latex_to_text(tex)
    except Exception:
        text = re.sub(r"[\\{}]", "", tex)
    return re.sub(r"\s+", " ", text).strip()


def citation_text(title: str, author: str, date: Any, url: str, site: str) -> str:
    return f"{author}. ({date:%Y-%m-%d}). 《{title}》. {site}. {url}"


def bibtex(key: str, title: str, author: str, date: Any, url: str, site: str,
           note: str = "") -> str:
    fields = [("title", title), ("author", author), ("year", f"{date:%Y}"),
              ("month", f"{date:%m}"), ("url", url), ("howpublished", site)]
    if note:
        fields.append(("note", note))
    body = ",\n".join(f"  {k} = {{{v}}}" for k, v in fields)
    return f"@online{{{key},\n{body}\n}}"


def notebook(cells: list[Any], title: str) -> str:
    """An nbformat-4 notebook (JSON text) from ``(kind, source)`` or ``("code", source,
    outputs)`` cells, kind in {markdown, code}; outputs are nbformat output dicts."""
    def cell(kind: str, source: str, outputs: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        lines = source.splitlines(True)
        c: dict[str, Any] = {"cell_type": kind, "metadata": {}, "source": lines}
        if kind == "code":
            c.update(execution_count=None, outputs=outputs or [])
        return c

    nb = {"nbformat": 4, "nbformat_minor": 5,
          "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                      "language": "python"},
                       "language_info": {"name": "python"}, "title": title},
          "cells": [cell("markdown", f"# {title}\n")] + [cell(*c) for c in cells]}
    for i, c in enumerate(nb["cells"]):
        c["id"] = f"cell-{i}"
    return json.dumps(nb, ensure_ascii=False, indent=1) + "\n"


_NAV_LINK_RE = re.compile(r'(<a\b[^>]*class="md-nav__link[^"]*"[^>]*>)(.*?)(</a>)', flags=re.S)
_INLINE_TEX_RE = re.compile(r"\\\((.+?)\\\)", flags=re.S)


def nav_math(html: str) -> str:
    """Wrap each ``\\(...\\)`` inside a navigation link in ``<span class="arithmatex">``.

    Material writes a heading's TeX into the table of contents as plain text, outside any
    element MathJax is told to process; the same span arithmatex puts around inline math in
    the body makes MathJax typeset it there too. Links without TeX are left byte-identical.
    """
    def link(m: re.Match[str]) -> str:
        body = m.group(2)
        if "\\(" not in body or "arithmatex" in body:
            return m.group(0)
        body = _INLINE_TEX_RE.sub(lambda t: f'<span class="arithmatex">{t.group(0)}</span>', body)
        return m.group(1) + body + m.group(3)

    return _NAV_LINK_RE.sub(link, html)
