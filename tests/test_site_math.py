"""Build-time MathJax: numbering and references against the independent Python numbering, the
markup a reader gets, located errors, and the on-disk cache."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html import unescape
from pathlib import Path

import pytest

from blogkit.site.math import MathError, StyleSheet, css_rules, renderer_for, typeset_page

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(not (ROOT / "node_modules" / "mathjax-full").is_dir(),
                                reason="MathJax not installed (npm ci)")


def inline(tex: str) -> str:
    return f'<span class="arithmatex">\\({tex}\\)</span>'


def display(tex: str) -> str:
    return f'<div class="arithmatex">\\[{tex}\\]</div>'


def run(html: str, **kw):
    return typeset_page(html, renderer=renderer_for(ROOT), cache_dir=None, where="p.md", **kw)


def test_forward_and_backward_references_resolve_to_the_numbered_anchor() -> None:
    html = (inline(r"\eqref{b}") + display(r"\begin{equation}x\label{a}\end{equation}")
            + display(r"\begin{align}y&=1\label{b}\\z&=2\nonumber\end{align}") + inline(r"\eqref{a}"))
    out, page = run(html)
    assert page is not None
    assert page.labels == {"a": ("1", "mjx-eqn:a"), "b": ("2", "mjx-eqn:b")}
    # both references link to the label's anchor, which the page contains
    assert out.count('<a href="#mjx-eqn%3Ab"') == 1 and out.count('<a href="#mjx-eqn%3Aa"') == 1
    assert out.count('id="mjx-eqn:a"') == 1 and out.count('id="mjx-eqn:b"') == 1
    refs = re.findall(r'<a href="#mjx-eqn%3A\w">(.*?)</a>', out)
    digits = ["".join(chr(int(c, 16)) for c in re.findall(r'mjx-c([0-9A-F]+)"', r)) for r in refs]
    assert digits == ["(2)", "(1)"]
    assert "???" not in out and "merror" not in out


def test_markup_keeps_the_tex_and_carries_mathml_for_screen_readers() -> None:
    tex = r"\frac{a<b}{c \& d}"
    out, _ = run("<p>" + inline(tex) + "</p>")
    m = re.search(r'<span class="bk-math" data-tex="([^"]*)">', out)
    assert m and unescape(m.group(1)) == tex
    mml = re.search(r"<math .*?</math>", out, flags=re.S)
    assert mml is not None
    root = ET.fromstring(mml.group(0))  # well-formed MathML
    assert root.tag.endswith("math") and any(e.tag.endswith("mfrac") for e in root.iter())
    assert "arithmatex" not in out and "NaNem" not in out


@pytest.mark.parametrize("bad, message", [(r"\frac{a", "Missing close brace"),
                                          (r"\undefinedmacro x", "Undefined control sequence"),
                                          (r"\eqref{nowhere}", "nowhere")])
def test_tex_errors_name_the_file_and_line(bad: str, message: str) -> None:
    source = "# 标题\n\n正文 $x$。\n\n第二段 $" + bad + "$ 结束。\n"
    with pytest.raises(MathError, match=rf"^p\.md:5: TeX error .*{re.escape(message)}"):
        run(inline("x") + inline(bad), source=source)


def test_a_page_without_math_is_left_alone() -> None:
    html = "<p>没有公式 \\(这不是公式\\)</p><code>$x$</code>"
    assert run(html) == (html, None)


def test_cache_hit_starts_no_renderer(tmp_path: Path) -> None:
    html = display(r"\begin{equation}e^{i\pi}+1=0\label{euler}\end{equation}")
    first, page = typeset_page(html, renderer=renderer_for(ROOT), cache_dir=tmp_path, where="p.md")

    class Refusing:
        version = renderer_for(ROOT).version

        def render(self, items):
            raise AssertionError("a cached page must not be typeset again")

    again, page2 = typeset_page(html, renderer=Refusing(), cache_dir=tmp_path,  # type: ignore[arg-type]
                                where="p.md")
    assert again == first and page2 == page
    # a changed formula is a miss
    with pytest.raises(AssertionError, match="must not be typeset"):
        typeset_page(html.replace("+1", "+2"), renderer=Refusing(), cache_dir=tmp_path,  # type: ignore[arg-type]
                     where="p.md")


def test_stylesheet_union_is_order_stable_and_deduplicated() -> None:
    # braces and quotes are drawn with CSS strings (content: "{"): the split must keep them
    _, a = run(inline(r"\{x^2\}"))
    _, b = run(inline(r"\alpha + \kappa + x^2 + \text{\"}"))
    assert a is not None and b is not None
    one, two = StyleSheet(), StyleSheet()
    one.add(a.css), one.add(b.css), one.add(a.css)
    two.add(a.css), two.add(b.css)
    assert one.text() == two.text()
    # every character the markup uses has a rule that draws it, once the union is read back
    rules = dict(css_rules(one.text()))
    used = set(re.findall(r'<mjx-c class="mjx-c([0-9A-F]+)((?: TEX-\w+)?)"', "".join(a.html + b.html)))
    assert {"7B", "7D", "1D705"} <= {c for c, _ in used}
    for code, variant in used:
        sel = f"mjx-c.mjx-c{code}{variant.replace(' ', '.')}::before"
        assert "content:" in rules.get(sel, ""), sel


def test_css_rules_reads_strings_with_braces_and_escaped_quotes() -> None:
    css = 'a::before {\n  content: "{";\n}\nb::before { content: "\\"}"; }\n@font-face /* 0 */ { x: 1 }'
    assert css_rules(css) == [("a::before", 'content: "{";'), ("b::before", 'content: "\\"}";'),
                              ("@font-face /* 0 */", "x: 1")]
    with pytest.raises(ValueError):
        css_rules("a { content: '}' ")


@pytest.mark.site
def test_build_fails_on_bad_tex_and_on_a_link_to_a_missing_equation(project) -> None:
    """Through MkDocs: a TeX error fails the strict build at the post's line; a Markdown link
    to an equation anchor another post does not have fails it too (anchor validation sees the
    typeset ids); the fixed post builds, its formula typeset with its anchor."""
    eq = "\\begin{equation}\nE = mc^2 \\label{eq:a-energy}\n\\end{equation}\n"
    project.post("a", "正文。\n\n" + eq + "\n再看 $\\frac{1}{2$ 这里。\n")
    proc = project.build()
    assert proc.returncode != 0
    assert re.search(r"docs/blog/posts/a\.md:\d+: TeX error in formula '\\\\frac\{1\}\{2'",
                     proc.stdout + proc.stderr), proc.stderr[-3000:]
    line = int(re.search(r"a\.md:(\d+): TeX", proc.stderr).group(1))
    text = (project.path / "docs/blog/posts/a.md").read_text(encoding="utf-8")
    assert "\\frac{1}{2$" in text.splitlines()[line - 1]
    project.post("a", "正文。\n\n" + eq + "\n再看 $\\frac{1}{2}$ 这里。\n")
    project.post("b", "见[那个式子](a.md#mjx-eqn:eq:a-missing)。\n", n=2)
    proc = project.build()
    assert proc.returncode != 0 and "eq:a-missing" in proc.stdout + proc.stderr
    project.post("b", "见[那个式子](a.md#mjx-eqn:eq:a-energy)。\n", n=2)
    proc = project.build()
    assert proc.returncode == 0, proc.stderr[-3000:]
    page = project.page("a", 1)
    assert 'id="mjx-eqn:eq:a-energy"' in page and 'class="arithmatex"' not in page


def test_a_damaged_cache_entry_is_typeset_again(tmp_path: Path) -> None:
    html = inline("a^2+b^2")
    first, _ = typeset_page(html, renderer=renderer_for(ROOT), cache_dir=tmp_path, where="p.md")
    (entry,) = tmp_path.rglob("*.json")
    for damage in ("{not json", '{"html": ["x", "y"], "css": "", "labels": {}}'):
        entry.write_text(damage, encoding="utf-8")
        again, _ = typeset_page(html, renderer=renderer_for(ROOT), cache_dir=tmp_path,
                                where="p.md")
        assert again == first
