"""The feature modules of the ``blogkit.site`` plugin, each on its own (no MkDocs build)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from mkdocs.exceptions import PluginError

from blogkit.engine import UnitResult
from blogkit.engine.units import Block, Unit
from blogkit.posts import Post, PostIndex, read_post
from blogkit.site.config import env_flag
from blogkit.site.downloads import notebook_outputs
from blogkit.site.feed import atom_feed
from blogkit.site.figures import SLOT_RE, FigureSlots, figure_numbers
from blogkit.site.prose import rewrite_prose
from blogkit.site.report import report_markdown
from blogkit.site.series import series_box, series_nav, series_pages

SOURCE = {"author": "作者", "title": "原文", "date": dt.date(2020, 12, 14)}


def make_post(slug: str, date: dt.date, *, series: str | None = None,
              series_index: float | None = None, **meta: object) -> Post:
    return Post(f"blog/posts/{slug}.md", f"docs/blog/posts/{slug}.md",
                {"source": SOURCE, **meta}, "", 1, f"Title of {slug}", date, slug,
                series=series, series_index=series_index)


def figure(svg: str, label: str | None = None, caption: str | None = None) -> str:
    open_tag = f'<figure class="bk-figure" id="{label}">' if label else '<figure class="bk-figure">'
    cap = f"<figcaption>{caption}</figcaption>" if caption else ""
    return f"{open_tag}<svg>{svg}</svg>{cap}</figure>"


def unit_result(page: str, outputs: list[str], lines: list[int]) -> UnitResult:
    blocks = [Block(page, line, "print()", {}, [("snippets/p/s.py", 1)]) for line in lines]
    return UnitResult(Unit(page, blocks), "key", outputs, None, 0.0, True, "cpu")


# -- figures ----------------------------------------------------------------------------------
def test_figures_slot_out_and_fill_back_unchanged() -> None:
    figs = [figure("<path d='M0 0'/>" * 50, caption="first"), figure("<circle/>", label="two")]
    output = f"| a |\n|--|\n| 1 |\n{figs[0]}\ntext between\n{figs[1]}\n"
    slots = FigureSlots()
    slotted = slots.slot(output)
    assert "<figure" not in slotted and len(SLOT_RE.findall(slotted)) == 2
    # the table printed right before a figure stays a separate Markdown block
    assert re.search(r'\| 1 \|\n[ \t]*\n\s*<div class="bk-fig-slot"', slotted)
    page = f"<html><body>{slotted}</body></html>"
    filled = slots.fill(page, number=False)
    assert [f for f in figs if f in filled] == figs
    assert filled.index(figs[0]) < filled.index("text between") < filled.index(figs[1])
    assert "bk-fig-slot" not in filled
    # a page without placeholders is returned untouched, even for a post
    assert slots.fill("<p>no figures</p>", number=True) == "<p>no figures</p>"


def test_filled_post_figures_are_numbered_in_page_order() -> None:
    slots = FigureSlots()
    body = slots.slot(figure("a") + figure("b", label="lab") + figure("c", caption="cap"))
    html = slots.fill(body, number=True)
    nums = re.findall(r'<span class="bk-fig-num">图&nbsp;(\d+)</span>', html)
    assert nums == ["1", "2", "3"]
    ids = re.findall(r'<figure class="bk-figure" id="([^"]+)"', html)
    assert ids == ["fig-1", "lab", "fig-3"]  # a label is kept, the others get fig-k
    assert "<figcaption><span class=\"bk-fig-num\">图&nbsp;3</span>cap</figcaption>" in html


def test_figure_numbers_follow_block_lines_and_reject_a_repeated_label() -> None:
    post = make_post("p", dt.date(2021, 1, 1))
    # the unit's blocks are listed out of page order: numbering follows the lines
    res = unit_result(post.src_uri, [figure("x", label="late"), figure("y") + figure("z", "early")],
                      [40, 10])
    assert figure_numbers(post, [res]) == {"early": 2, "late": 3}
    twice = unit_result(post.src_uri, [figure("x", label="same"), figure("y", label="same")],
                        [5, 17])
    with pytest.raises(PluginError, match=r"^docs/blog/posts/p\.md:17: figure label 'same'"):
        figure_numbers(post, [twice])


# -- series -----------------------------------------------------------------------------------
def series_index() -> tuple[PostIndex, list[Post]]:
    # reading order comes from series_index, not from the dates
    third = make_post("c", dt.date(2020, 1, 1), series="S", series_index=3)
    first = make_post("a", dt.date(2022, 1, 1), series="S", series_index=1)
    second = make_post("b", dt.date(2021, 1, 1), series="S", series_index=2)
    alone = make_post("z", dt.date(2023, 1, 1))
    return PostIndex([third, first, second, alone]), [first, second, third]


def link(p: Post) -> str:
    return f"../{p.slug}/"


def test_series_nav_links_neighbours_in_reading_order() -> None:
    index, (first, second, third) = series_index()
    nav = series_nav(second, index, link)
    assert re.findall(r'rel="(prev|next)" href="([^"]+)"', nav) == [("prev", "../a/"),
                                                                    ("next", "../c/")]
    assert 'rel="prev"' not in series_nav(first, index, link)
    assert 'rel="next"' not in series_nav(third, index, link)
    assert series_nav(index.posts["blog/posts/z.md"], index, link) == ""


def test_series_box_and_pages_list_posts_in_reading_order() -> None:
    index, members = series_index()
    config = [{"name": "S", "slug": "s", "description": "about S"},
              {"name": "Empty", "slug": "empty"}]
    box = series_box(members[1], index, config, "blog/posts/b/", link)
    assert "第 2 篇，共 3 篇" in box
    items = re.findall(r"<li>(.*?)</li>", box)
    assert [re.sub(r"<[^>]+>", "", i) for i in items] == [p.title for p in members]
    assert items[1] == f"<strong>{members[1].title}</strong>"  # the post itself, not a link
    pages = dict(series_pages(index, config))
    assert set(pages) == {"series/s.md", "series/index.md"}  # a series without posts: no page
    listed = re.findall(r"^\d+\. \[([^]]+)\]", pages["series/s.md"], flags=re.M)
    assert listed == [p.title for p in members]
    assert "3 篇" in pages["series/index.md"] and "Empty" not in pages["series/index.md"]
    assert series_pages(index, []) == []


# -- feed -------------------------------------------------------------------------------------
def test_atom_feed_parses_back_newest_first_with_escaped_text() -> None:
    feedparser = pytest.importorskip("feedparser")
    old = make_post("old", dt.date(2020, 5, 1), categories=["数学"], authors=["me"])
    new = make_post("new", dt.date(2024, 2, 3), categories=["A & B", "c"])
    new.title = "x < y & z"
    config = {"site_url": "https://example.org/blog", "site_name": "站 & <名>",
              "site_description": None, "site_author": None}
    xml = atom_feed(PostIndex([old, new]), config,
                    page_urls={old.src_uri: "2020/05/01/old/", new.src_uri: "2024/02/03/new/"},
                    summaries={new.src_uri: "a <b> & c"}, authors={"me": "Me Myself"})
    parsed = feedparser.parse(xml)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.feed.title == "站 & <名>"
    assert [e.title for e in parsed.entries] == ["x < y & z", "Title of old"]
    assert [e.link for e in parsed.entries] == ["https://example.org/blog/2024/02/03/new/",
                                                "https://example.org/blog/2020/05/01/old/"]
    assert parsed.entries[0].summary == "a <b> & c"
    assert [t.term for t in parsed.entries[0].tags] == ["A & B", "c"]
    assert parsed.entries[1].author == "Me Myself"
    assert parsed.entries[0].published_parsed[:3] == (2024, 2, 3)
    assert parsed.feed.updated_parsed[:3] == (2024, 2, 3)  # the newest post's date


# -- report -----------------------------------------------------------------------------------
def test_report_publishes_no_times_under_source_date_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    post = make_post("p", dt.date(2021, 1, 1))
    rep = {"environment": {"device": "cpu", "python": "3.11", "numpy": "2", "torch": "2",
                           "matplotlib": "3"},
           "git_commit": "abc1234", "executed": 1, "blocks": 3,
           "units": [{"page": post.src_uri, "unit": "snippets/p/a.py", "line": 7, "cache": "hit",
                      "seconds": 12.345, "ok": True},
                     {"page": post.src_uri, "unit": "line 20", "line": 20, "cache": "miss",
                      "seconds": 0.5, "ok": False},
                     {"page": "about.md", "unit": "u", "line": 1, "cache": "miss",
                      "seconds": 3.0, "ok": True}]}
    timing = re.compile(r"\d+\.\d+ s")
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    timed = report_markdown(rep, PostIndex([post]))
    assert timing.search(timed)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    page = report_markdown(rep, PostIndex([post]))
    assert not timing.search(page)
    assert page.startswith("---\nsearch:\n  exclude: true\n---\n")
    # one section per page, titled from the index when it is a post
    assert re.findall(r"^## \[(.*?)\]\((.*?)\)$", page, flags=re.M) == [
        ("about.md", "about.md"), (post.title, post.src_uri)]
    assert "失败 1 个" in page


# -- prose ------------------------------------------------------------------------------------
def write_post(docs: Path, slug: str, body: str) -> Post:
    path = docs / "blog" / "posts" / f"{slug}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\ndate: 2021-01-01\nslug: {slug}\nsource:\n  author: a\n  title: t\n"
                    f"  date: 2020-01-01\n---\n\n# {slug}\n\n{body}", encoding="utf-8")
    return read_post(f"blog/posts/{slug}.md", path, f"docs/blog/posts/{slug}.md", None)


def test_prose_resolves_references_and_locates_errors(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    other = write_post(docs, "other", "$$\n\\begin{equation}e=1\\label{eq:e}\\end{equation}\n$$\n")
    body = ("Value [[v:speed]], see $\\eqref{eq:e}$ and [[fig:curve]].\n\n"
            "```python\n[[v:not-in-code]]\n```\n")
    post = write_post(docs, "main", body)
    res = unit_result(post.src_uri, ['<!--bk-value name="speed" text="3 &lt; 4"-->\n'
                                     + figure("a") + figure("b", label="curve")], [12])
    index = PostIndex([other, post])
    out = rewrite_prose(post.markdown, post, index=index, results=[res], execute=True,
                        docs_dir=docs)
    assert f"由 {res.unit.blocks[0].includes[0]} 在构建时算出" in out
    assert ">3 &lt; 4</span>" in out  # the value's text, unescaped then escaped once for HTML
    assert "[《other》式 (1)](other.md#mjx-eqn:eq:e)" in out
    assert '<a class="bk-figref" href="#curve">图&nbsp;2</a>' in out
    assert "[[v:not-in-code]]" in out  # code is left alone

    missing = write_post(docs, "missing", "para\n\nsecond para [[v:nothing]]\n")
    line = (docs / "blog/posts/missing.md").read_text(encoding="utf-8").split("\n").index(
        "second para [[v:nothing]]") + 1
    with pytest.raises(PluginError, match=rf"^docs/blog/posts/missing\.md:{line}: inline value"):
        rewrite_prose(missing.markdown, missing, index=index, results=[], execute=True,
                      docs_dir=docs)
    # without execution nothing was printed: a placeholder instead of an error
    out = rewrite_prose(missing.markdown, missing, index=index, results=[], execute=False,
                        docs_dir=docs)
    assert "bk-value--missing" in out


# -- downloads, config ------------------------------------------------------------------------
def test_notebook_outputs_split_markdown_and_figures() -> None:
    fig = figure("s", caption="<b>Loss</b> curve")
    out = notebook_outputs('<!--bk-value name="v" text="1"-->\n| t |\n|--|\n' + fig + "\nafter\n")
    kinds = [next(iter(o["data"])) for o in out]
    assert kinds == ["text/markdown", "text/html", "text/markdown"]
    assert out[1]["data"]["text/html"] == fig
    assert out[1]["data"]["text/plain"] == "<图：Loss curve>"
    assert all("bk-value" not in str(o) for o in out)


@pytest.mark.parametrize(("value", "expected"), [(None, None), ("", None), ("0", False),
                                                 ("off", False), (" False ", False), ("1", True),
                                                 ("yes", True)])
def test_env_flag(monkeypatch: pytest.MonkeyPatch, value: str | None, expected: bool | None) -> None:
    if value is None:
        monkeypatch.delenv("BLOGKIT_TEST_FLAG", raising=False)
    else:
        monkeypatch.setenv("BLOGKIT_TEST_FLAG", value)
    assert env_flag("BLOGKIT_TEST_FLAG") is expected
