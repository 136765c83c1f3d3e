"""Reader features checked at build time: labels, cross-post references, inline values,
front matter, series, feed, downloads, citation, reading time."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from blogkit.pages import equation_labels, nav_math, plain_text, readtime_minutes
from conftest import Project, block, ok

EQ = "\\begin{{equation}}\n{body} \\label{{{label}}}\n\\end{{equation}}\n"


@pytest.mark.parametrize(("tex", "expected"), [
    ("\\begin{equation}a\\label{x}\\end{equation}", [("x", "1")]),
    ("\\begin{equation*}a\\end{equation*}\\begin{equation}b\\label{y}\\end{equation}", [("y", "1")]),
    ("\\begin{align}a\\label{p}\\\\ b\\nonumber\\\\ c\\label{q}\\end{align}", [("p", "1"), ("q", "2")]),
    ("\\begin{equation}a\\tag{*}\\label{t}\\end{equation}\\begin{equation}b\\label{u}\\end{equation}",
     [("t", "*"), ("u", "1")]),
    ("```\n\\begin{equation}x\\label{code}\\end{equation}\n```\n\\begin{equation}b\\label{v}\\end{equation}",
     [("v", "1")]),
])
def test_equation_numbers_follow_ams(tex: str, expected: list[tuple[str, str]]) -> None:
    labels, dups = equation_labels(tex)
    assert [(lb.name, lb.number) for lb in labels] == expected and not dups


def test_duplicate_labels_are_found_with_line() -> None:
    _, dups = equation_labels("\\begin{equation}a\\label{x}\\end{equation}\n\n\n"
                                   "\\begin{equation}b\\label{x}\\end{equation}")
    assert dups == [("x", 4)]


def test_readtime_counts_chinese_characters() -> None:
    zh = "<p>" + "字" * 1200 + "</p>"
    assert readtime_minutes(zh) == 3  # 1200 characters at 400 a minute
    assert readtime_minutes("<p>" + "word " * 400 + "</p>") == 2
    code = "<pre><code>" + "字" * 4000 + "</code></pre>"
    assert readtime_minutes(zh + code) == 3  # code is not prose


def test_plain_text_drops_tex_noise() -> None:
    html = ('<p>误差不超过 <span class="arithmatex">\\(\\frac{1}{9}\\)</span>,见 '
            '<span class="arithmatex">\\(\\eqref{eq:x}\\)</span>。</p>'
            '<div class="arithmatex">\\[\\begin{equation}a=b\\end{equation}\\]</div>')
    text = plain_text(html)
    assert text == "误差不超过 1/9,见。"
    assert "\\" not in text and "{" not in text


def test_nav_math_marks_tex_in_toc_links_only() -> None:
    toc = ('<a href="#ln" class="md-nav__link">\n<span class="md-ellipsis">LayerNorm 与 \\(\\epsilon\\)'
           ' 和 \\(d_h\\)</span></a>')
    body = '<p>\\(x\\) stays</p><a href="#p" class="md-nav__link">纯文字</a>'
    out = nav_math(toc + body)
    assert out.count('<span class="arithmatex">') == 2
    assert '<span class="arithmatex">\\(\\epsilon\\)</span>' in out
    assert out.endswith(body)  # text outside nav links, and links without TeX, are untouched
    assert nav_math(out) == out  # idempotent


def _post_with(project: Project, slug: str, body: str, n: int = 1, extra: str = "") -> None:
    project.post(slug, body, n=n)
    if extra:
        path = project.path / f"docs/blog/posts/{slug}.md"
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("slug:", extra + "\nslug:", 1), encoding="utf-8")


def test_cross_post_references_values_series_feed_downloads(project: Project) -> None:
    project.write("snippets/a/val.py", "from blogkit.display import figure, md_table, svg, value\n\n"
                  "value('ratio', 1 / 9, '.6f')\nprint(md_table([(1,)], ['x']))\n"
                  "fig, ax = figure()\nax.plot([0, 1], [0, 1])\nprint(svg(fig, caption='一条直线'))\n")
    _post_with(project, "a", EQ.format(body="a=1", label="eq:a-first") + "\n"
               + EQ.format(body="a=2", label="eq:a-second") + "\n比值为 [[v:ratio]]。\n\n"
               + block("a/val.py"), n=1, extra="series: 自然极值\nseries_index: 2")
    _post_with(project, "b", "引用 $\\eqref{eq:a-second}$ 与本文 $\\eqref{eq:b-own}$。\n\n"
               + EQ.format(body="b=1", label="eq:b-own"), n=2,
               extra="series: 自然极值\nseries_index: 1")
    ok(project.build())
    a, b = project.page("a", 1), project.page("b", 2)
    # A reference to another post's equation is a link with that post's equation number.
    m = re.search(r'<a href="([^"]+)">《文章 a》式 \(2\)</a>', b)
    assert m and m.group(1).endswith("a/#mjx-eqn:eq:a-second"), b[:200]
    assert 'id="mjx-eqn:eq:a-second"' in a  # the anchor it points at
    # A reference to the post's own equation is MathJax's link to the typeset tag.
    assert '<a href="#mjx-eqn%3Aeq%3Ab-own">' in b and 'id="mjx-eqn:eq:b-own"' in b
    # A table printed right after an inline value's marker is still a table.
    assert "<table>" in a and re.search(r"<td[^>]*>1</td>", a)
    assert '<div class="bk-output" data-search-exclude' in a  # outputs stay out of search
    # The inline value shows the computed number and names its snippet on hover.
    assert '<span class="bk-value" title="由 snippets/a/val.py 在构建时算出">0.111111</span>' in a
    # Series order follows series_index, with previous/next links.
    assert "第 1 篇，共 2 篇" in b and "第 2 篇，共 2 篇" in a
    assert re.search(r'class="bk-next" rel="next" href="[^"]*a/"', b)
    assert re.search(r'class="bk-prev" rel="prev" href="[^"]*b/"', a)
    series = (project.site / "series/natural-extrema/index.html").read_text(encoding="utf-8")
    assert series.index("文章 b") < series.index("文章 a")
    # Citation block from the front matter.
    assert "引用本文" in a and "@online{blogkit:a," in a and "某人《某文》" in a
    # Atom feed: newest first, dates from front matter, no TeX in summaries.
    feed = ET.fromstring((project.site / "feed.xml").read_bytes())
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = feed.findall("a:entry", ns)
    assert [e.find("a:title", ns).text for e in entries] == ["文章 b", "文章 a"]
    assert entries[0].find("a:updated", ns).text == "2020-01-02T00:00:00Z"
    assert all("\\" not in (e.find("a:summary", ns).text or "") for e in entries)
    # Downloads: the .py runs in a terminal and prints readable text (no Markdown, markers
    # or SVG markup; the figure is saved as a file), and says how to install blogkit.
    folder = project.site / "2020/01/01/a"
    proc = subprocess.run([sys.executable, str(folder / "a.py")], capture_output=True, text=True,
                          cwd=project.path)
    assert proc.returncode == 0, proc.stderr
    assert "ratio = 0.111111" in proc.stdout and "x\n-\n1" in proc.stdout
    assert "|" not in proc.stdout and "<!--" not in proc.stdout and "<svg" not in proc.stdout
    assert "[图：一条直线（已保存为 figure-1.svg）]" in proc.stdout
    assert (project.path / "figure-1.svg").read_text(encoding="utf-8").startswith("<svg")
    assert "pip install" in (folder / "a.py").read_text(encoding="utf-8")
    # The notebook carries this build's outputs as rich displays: a table, a figure.
    nb = json.loads((folder / "a.ipynb").read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code" and "value('ratio'" in "".join(c["source"])]
    assert nb["nbformat"] == 4 and len(code) == 1
    data = [o["data"] for o in code[0]["outputs"]]
    assert any("| 1 |" in d.get("text/markdown", "") for d in data)
    assert any(d.get("text/html", "").startswith('<figure class="bk-figure"') for d in data)
    assert not any("bk-value" in "".join(d.values()) for d in data)


@pytest.mark.parametrize(("body", "extra", "message"), [
    ("见 $\\eqref{eq:nowhere}$。", "", "docs/blog/posts/a.md:18: \\eqref{eq:nowhere} names no equation"),
    (EQ.format(body="x", label="eq:d") + "\n" + EQ.format(body="y", label="eq:d"), "",
     "docs/blog/posts/a.md:23: duplicate equation label \\label{eq:d}"),
    ("比值 [[v:missing]]。", "", "docs/blog/posts/a.md:18: inline value [[v:missing]]"),
    ("正文。", "series: 不存在的系列", "docs/blog/posts/a.md:5: unknown series '不存在的系列'"),
])
def test_build_errors_name_file_and_line(project: Project, body: str, extra: str,
                                         message: str) -> None:
    _post_with(project, "a", body, extra=extra)
    proc = project.build()
    assert proc.returncode != 0
    assert message in proc.stdout + proc.stderr, (proc.stdout + proc.stderr)[-2000:]


def test_missing_date_is_a_clear_error(project: Project) -> None:
    project.post("a", "正文。")
    path = project.path / "docs/blog/posts/a.md"
    path.write_text(re.sub(r"^date: .*\n", "", path.read_text(encoding="utf-8"), flags=re.M),
                    encoding="utf-8")
    proc = project.build()
    assert proc.returncode != 0
    assert "docs/blog/posts/a.md:1: front matter lacks 'date'" in proc.stdout + proc.stderr


def test_feed_parses_with_readable_math_categories_and_authors(project: Project) -> None:
    import feedparser

    project.post("m", "正文。")
    path = project.path / "docs/blog/posts/m.md"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "摘要。", "近似 $\\exp(QK^\\top)$ 与集合 $\\{\\omega_j\\}$，满足 $p \\propto q$；分\n数上表现如何。"),
        encoding="utf-8")
    ok(project.build())
    feed = feedparser.parse((project.site / "feed.xml").read_bytes())
    assert not feed.bozo, feed.bozo_exception
    (entry,) = feed.entries
    summary = entry.summary
    for piece in ("exp(QK^⊤)", "{ω_j}", "∝", "分数上表现如何"):
        assert piece in summary, (piece, summary)
    assert "\\" not in summary
    assert [t.term for t in entry.tags] == ["数值计算"]
    assert entry.author
    # A publishing build still on the loopback site URL is warned about (and fails --strict).
    proc = project.build(env={"BLOGKIT_PUBLISH": "1"})
    assert proc.returncode != 0 and "publishing with site_url http://127.0.0.1" in proc.stdout + proc.stderr
    ok(project.build(env={"BLOGKIT_PUBLISH": "1", "BLOGKIT_SITE_URL": "https://example.org/blog/"}))
