"""Figures are numbered in page order at build time, and prose refers to them by label."""

from __future__ import annotations

import re

from blogkit.site import number_figures
from conftest import Project, block, ok

FIG = ("from blogkit.display import figure, svg\n\nfig, ax = figure()\nax.plot([0, 1], [{y}, 1])\n"
       "print(svg(fig, caption='{caption}'{label}))\n")


def _fig(project: Project, name: str, caption: str, label: str | None, y: int) -> None:
    lab = f", label='{label}'" if label else ""
    project.write(f"snippets/a/{name}.py", FIG.format(y=y, caption=caption, label=lab))


def test_figures_are_numbered_in_page_order_and_references_resolve(project: Project) -> None:
    _fig(project, "first", "第一幅", "a-first", 0)
    _fig(project, "second", "第二幅", None, 1)
    _fig(project, "third", "第三幅", "a-third", 2)
    project.post("a", "先看 [[fig:a-third]]，再看 [[fig:a-first]]。\n\n"
                 + "\n".join(block(f"a/{n}.py") for n in ("first", "second", "third")))
    ok(project.build())
    page = project.page("a")
    caps = re.findall(r'<span class="bk-fig-num">图&nbsp;(\d+)</span>([^<]*)', page)
    assert caps == [("1", "第一幅"), ("2", "第二幅"), ("3", "第三幅")]
    assert '<a class="bk-figref" href="#a-third">图&nbsp;3</a>' in page
    assert '<a class="bk-figref" href="#a-first">图&nbsp;1</a>' in page
    assert 'id="a-first"' in page and 'id="fig-2"' in page and 'id="a-third"' in page


def test_dangling_figure_reference_fails_with_file_and_line(project: Project) -> None:
    _fig(project, "first", "第一幅", "a-first", 0)
    project.post("a", "正文。\n\n见 [[fig:a-nowhere]]。\n\n" + block("a/first.py"))
    proc = project.build()
    log = proc.stdout + proc.stderr
    assert proc.returncode != 0 and "docs/blog/posts/a.md:20: [[fig:a-nowhere]] names no figure" in log


def test_duplicate_figure_label_fails_with_file_and_line(project: Project) -> None:
    _fig(project, "first", "第一幅", "a-same", 0)
    _fig(project, "second", "第二幅", "a-same", 1)
    project.post("a", block("a/first.py") + "\n" + block("a/second.py"))
    proc = project.build()
    log = proc.stdout + proc.stderr
    assert proc.returncode != 0 and "docs/blog/posts/a.md:22: figure label 'a-same' is used twice" in log


def test_number_figures_adds_a_caption_where_there_is_none() -> None:
    html = ('<p>x</p><figure class="bk-figure"><svg></svg></figure>'
            '<figure class="bk-figure" id="k"><svg></svg><figcaption>说明</figcaption></figure>')
    out = number_figures(html)
    assert out.count('<span class="bk-fig-num">') == 2
    assert ('<figure class="bk-figure" id="fig-1"><svg></svg><figcaption>'
            '<span class="bk-fig-num">图&nbsp;1') in out
    assert '<figcaption><span class="bk-fig-num">图&nbsp;2</span>说明' in out
