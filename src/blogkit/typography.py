"""House typography of the posts' Chinese prose: full-width punctuation next to Chinese text.

``prose_lines`` picks out the lines a reader sees as prose (no front matter, fenced code or
display math) with inline code, inline math, HTML tags and link targets blanked out, so that
nothing inside them is ever judged or changed. ``problems`` lists half-width ``,:;?!()``
touching Chinese text; ``fix`` rewrites them (``blogkit check --fix``). The linter
autocorrect (``blogkit check``) applies its own full-width rule on top.
"""

from __future__ import annotations

import re

__all__ = ["fix", "problems", "prose_lines"]

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_CLOSE = "”’）》」』】"  # full-width closers after which a mark is Chinese too
_FULL = {",": "，", ":": "：", ";": "；", "?": "？", "!": "！"}
_MARK_RE = re.compile(rf"(?<=[{_CJK}{_CJK_CLOSE}])\s*([,:;?!])|([,:;?!])(?=\s*[{_CJK}])")
_AFTER_MATH_RE = re.compile(rf"(?<=\0)([,:;?!])(?=\s*(?:\0|[{_CJK}“（]|$))")
_OPEN_RE = re.compile(rf"\((?=[{_CJK}“])|(?<=[{_CJK}])\(")
_HIDE_RE = re.compile(r"`[^`]*`|\$[^$]*\$|<[^>]+>|\]\([^)]*\)|\[\[[^\]]*\]\]|https?://\S+")


def prose_lines(text: str) -> list[tuple[int, str]]:
    """(index of the line, the line with code, math, tags and link targets blanked)."""
    out: list[tuple[int, str]] = []
    lines = text.split("\n")
    start = 0
    if lines and lines[0].strip() == "---":
        start = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), 0) + 1
    fence, math_end = "", ""
    for i in range(start, len(lines)):
        s = lines[i].strip()
        if fence or math_end:
            if fence and s.startswith(fence):
                fence = ""
            elif math_end and math_end in s:
                math_end = ""
            continue
        if m := re.match(r"^(`{3,}|~{3,})", s):
            fence = m.group(1)
            continue
        if s.startswith("$$"):
            math_end = "" if len(s) > 2 and s.endswith("$$") else "$$"
            continue
        if m := re.match(r"\\begin\{([A-Za-z]+\*?)\}", s):
            end = f"\\end{{{m.group(1)}}}"
            math_end = "" if end in s else end
            continue
        if s.startswith(("--8<--", "|", "[^", "*[")):  # includes, tables, footnote and
            continue                                    # abbreviation definitions
        out.append((i, _HIDE_RE.sub(lambda m: "\0" * len(m.group(0)), lines[i])))
    return out


def _marks(shown: str) -> list[tuple[int, str]]:
    """(column, full-width replacement) for each half-width mark to replace in a line."""
    found = [(m.start(1) if m.group(1) else m.start(2), _FULL[m.group(1) or m.group(2)])
             for m in _MARK_RE.finditer(shown)]
    if re.search(f"[{_CJK}]", shown):  # a Chinese line: a mark right after inline math too
        found += [(m.start(1), _FULL[m.group(1)]) for m in _AFTER_MATH_RE.finditer(shown)]
    for m in _OPEN_RE.finditer(shown):
        depth, j = 0, m.start()
        for j in range(m.start(), len(shown)):
            depth += shown[j] == "("
            depth -= shown[j] == ")"
            if depth == 0:
                break
        if depth == 0 and shown[j] == ")":
            found += [(m.start(), "（"), (j, "）")]
    return sorted(set(found))


def problems(text: str) -> list[tuple[int, str]]:
    """(1-based line, the half-width marks) for each prose line that needs full-width ones."""
    out = []
    for i, shown in prose_lines(text):
        marks = _marks(shown)
        if marks:
            out.append((i + 1, "".join(sorted({shown[c] for c, _ in marks}))))
    return out


def fix(text: str) -> str:
    """The text with each half-width mark of ``problems`` made full-width (and the space
    before a full-width mark dropped); code, math, links and tables are untouched."""
    for _ in range(3):  # a second pass sees marks after a bracket the first pass made full-width
        new = _fix_once(text)
        if new == text:
            break
        text = new
    return text


def _fix_once(text: str) -> str:
    lines = text.split("\n")
    for i, shown in prose_lines(text):
        line = list(lines[i])
        for col, full in sorted(_marks(shown), reverse=True):
            line[col] = full
            k = col
            while k > 0 and line[k - 1] == " " and full not in "（":
                k -= 1
            del line[k:col]
        lines[i] = "".join(line)
    return "\n".join(lines)
