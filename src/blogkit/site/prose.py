"""References in a post's prose, resolved before Markdown sees the page.

* ``$\\eqref{name}$`` to an equation of another post becomes a link "《title》式 (n)";
* ``[[v:name]]`` becomes the value a snippet of the post printed with ``blogkit.display.value``;
* ``[[fig:label]]`` becomes a link "图 k" to the post's k-th figure.

Fenced code and display math are left alone; a reference that resolves to nothing fails the
build with the file and line.
"""

from __future__ import annotations

import posixpath
import re
from html import escape, unescape
from pathlib import Path
from urllib.parse import quote

from mkdocs.exceptions import PluginError

from blogkit.engine import UnitResult
from blogkit.posts import Post, PostIndex

from .figures import figure_numbers

__all__ = ["EQREF_RE", "FIG_REF_RE", "VALUE_LINE_RE", "VALUE_RE", "VALUE_REF_RE", "blank_code",
           "page_values", "rewrite_prose"]

# What snippets print for an inline value (blogkit.display.value), and how prose uses it.
VALUE_RE = re.compile(r'<!--bk-value name="([A-Za-z0-9_.:-]+)" text="([^"]*)"-->')
VALUE_LINE_RE = re.compile(r'^<!--bk-value name="[^"]*" text="[^"]*"-->\n?', flags=re.M)
VALUE_REF_RE = re.compile(r"\[\[v:([A-Za-z0-9_.:-]+)\]\]")
FIG_REF_RE = re.compile(r"\[\[fig:([A-Za-z0-9_.:-]+)\]\]")
# A reference in prose: $\eqref{name}$ (the dollars included) or a bare \eqref{name}.
EQREF_RE = re.compile(r"\$\s*\\eqref\{(?P<name>[^}]+)\}\s*\$|\\eqref\{(?P<name2>[^}]+)\}")


def blank_code(markdown: str) -> str:
    """The page with fenced code and display math blanked (same length, same lines)."""
    def blank(m: re.Match[str]) -> str:
        return re.sub(r"[^\n]", " ", m.group(0))

    text = re.sub(r"^(```|~~~).*?^\1", blank, markdown, flags=re.S | re.M)
    return re.sub(r"\\begin\{(\w+\*?)\}.*?\\end\{\1\}", blank, text, flags=re.S)


def page_values(results: list[UnitResult]) -> dict[str, tuple[str, str]]:
    """Inline values printed by a page's snippets (the results of its units):
    name -> (text, snippet)."""
    values: dict[str, tuple[str, str]] = {}
    for res in results:
        for block, out in zip(res.unit.blocks, res.outputs, strict=False):
            for name, text in VALUE_RE.findall(out):
                values[name] = (unescape(text), ", ".join(block.includes) or res.unit.name)
    return values


def rewrite_prose(markdown: str, post: Post, *, index: PostIndex, results: list[UnitResult],
                  execute: bool, docs_dir: str | Path) -> str:
    """Cross-post equation references, inline computed values and figure references.

    ``markdown`` is the post's body as MkDocs hands it over (without front matter); messages
    give lines of the file under ``docs_dir``. ``results`` are the post's unit results; with
    ``execute`` off, a missing value or figure shows a placeholder instead of failing."""
    # Where this text starts in the file (MkDocs hands over the body without front matter).
    raw = Path(docs_dir, post.src_uri).read_text(encoding="utf-8")
    start = raw.find(markdown.lstrip("\n")[:300])
    lead = len(markdown) - len(markdown.lstrip("\n"))
    offset_line = (raw.count("\n", 0, start) - lead) if start >= 0 else post.body_line - 1
    markdown = _link_equations(markdown, post, index, offset_line)
    markdown = _insert_values(markdown, post, page_values(results), execute, offset_line)
    # Figure references: [[fig:label]] becomes a link "图 k" to the k-th figure of the page.
    return _link_figures(markdown, post, figure_numbers(post, results), execute, offset_line)


def _where(post: Post, code_free: str, pos: int, offset_line: int) -> str:
    """``file:line`` of a position in the (blanked) body, for messages."""
    line = code_free.count("\n", 0, pos) + 1 + offset_line
    return f"{post.path}:{line}"


def _link_equations(markdown: str, post: Post, index: PostIndex, offset_line: int) -> str:
    own = {lb.name for lb in post.labels}
    code_free = blank_code(markdown)
    out, last = [], 0
    for m in EQREF_RE.finditer(code_free):
        name = m.group("name") or m.group("name2")
        if name in own:
            if m.group("name2"):
                raise PluginError(f"{_where(post, code_free, m.start(), offset_line)}: write "
                                  f"\\eqref{{{name}}} inside dollars, "
                                  "$\\eqref{...}$, so MathJax sees it")
            continue
        owner = index.label_owner.get(name)
        if owner is None:
            raise PluginError(f"{_where(post, code_free, m.start(), offset_line)}: "
                              f"\\eqref{{{name}}} names no equation label in this post or "
                              "any other")
        other, label = owner
        rel = posixpath.relpath(other.src_uri, posixpath.dirname(post.src_uri))
        link = (f"[《{other.title}》式 ({label.number})]"
                f"({rel}#mjx-eqn:{quote(name, safe=':')})")
        out += [markdown[last:m.start()], link]
        last = m.end()
    return "".join(out) + markdown[last:]


def _insert_values(markdown: str, post: Post, values: dict[str, tuple[str, str]],
                   execute: bool, offset_line: int) -> str:
    code_free = blank_code(markdown)
    out, last = [], 0
    for m in VALUE_REF_RE.finditer(code_free):
        name = m.group(1)
        if name in values:
            text, origin = values[name]
            span = (f'<span class="bk-value" title="由 {escape(origin)} 在构建时算出">'
                    f"{escape(text)}</span>")
        elif not execute:
            span = f'<span class="bk-value bk-value--missing">[{escape(name)}]</span>'
        else:
            raise PluginError(f"{_where(post, code_free, m.start(), offset_line)}: inline value "
                              f"[[v:{name}]] is printed by no snippet of this post (print it with "
                              "blogkit.display.value)")
        out += [markdown[last:m.start()], span]
        last = m.end()
    return "".join(out) + markdown[last:]


def _link_figures(markdown: str, post: Post, numbers: dict[str, int], execute: bool,
                  offset_line: int) -> str:
    code_free = blank_code(markdown)
    out, last = [], 0
    for m in FIG_REF_RE.finditer(code_free):
        name = m.group(1)
        if name not in numbers and not execute:
            # BLOGKIT_EXEC=0 runs no code, so no figure exists: a placeholder, as for values
            out += [markdown[last:m.start()],
                    f'<span class="bk-figref bk-figref--missing">[{escape(name)}]</span>']
            last = m.end()
            continue
        if name not in numbers:
            raise PluginError(f"{_where(post, code_free, m.start(), offset_line)}: "
                              f"[[fig:{name}]] names no figure of this post (give one with "
                              f"blogkit.display.svg(..., label=\"{name}\"))")
        out += [markdown[last:m.start()],
                f'<a class="bk-figref" href="#{escape(name)}">图&nbsp;{numbers[name]}</a>']
        last = m.end()
    return "".join(out) + markdown[last:]
