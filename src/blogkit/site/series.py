"""Series: posts read in order (``series:`` in front matter, registered in mkdocs.yml).

Each series gets a page listing its posts (plus one index page of all series); a post in a
series shows a folded box of the series under its title and previous/next links at its foot.
Order is ``PostIndex.series``: ``series_index``, then date.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Any

from mkdocs.utils import get_relative_url

from blogkit.posts import Post, PostIndex

__all__ = ["Link", "post_link", "series_box", "series_nav", "series_pages", "series_slug"]

Link = Callable[[Post], str]
"""A post -> the href of its page, relative to the page being written."""


def post_link(files: Any, page_url: str) -> Link:
    """Links from the page at ``page_url`` to other posts, found in MkDocs' ``files``
    (``#`` for a post that is not among them)."""
    def link(other: Post) -> str:
        f = files.get_file_from_path(other.src_uri)
        return get_relative_url(f.url, page_url) if f is not None else "#"

    return link


def series_slug(series: list[dict[str, Any]], name: str) -> str:
    """The URL name of the series called ``name`` (``series`` as configured)."""
    return next(s["slug"] for s in series if s["name"] == name)


def series_pages(index: PostIndex, series: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """The generated pages, as (docs-relative path, Markdown): one per series that has posts,
    then ``series/index.md``; nothing when no series is configured."""
    if not series:
        return []
    pages = []
    index_lines = ["# 系列", "", "按阅读顺序排列的系列文章。", ""]
    for s in series:
        members = index.series(s["name"])
        if not members:  # a registered series with no post yet gets no page and no entry
            continue
        lines = [f"# {s['name']}", "", s.get("description", ""), ""]
        for k, p in enumerate(members, start=1):
            lines.append(f"{k}. [{p.title}](../{p.src_uri}) <small>{p.date.isoformat()}</small>")
        pages.append((f"series/{s['slug']}.md", "\n".join(lines) + "\n"))
        index_lines.append(f"- [{s['name']}]({s['slug']}.md)：{len(members)} 篇")
    pages.append(("series/index.md", "\n".join(index_lines) + "\n"))
    return pages


def series_box(post: Post, index: PostIndex, series: list[dict[str, Any]], page_url: str,
               link: Link) -> str:
    """The folded list of the post's series, the post itself in bold (empty outside a series)."""
    if not post.series:
        return ""
    members = index.series(post.series)
    k = members.index(post) + 1
    items = []
    for p in members:
        title = escape(p.title)
        item = (f"<strong>{title}</strong>" if p is post
                else f'<a href="{link(p)}">{title}</a>')
        items.append(f"<li>{item}</li>")
    series_url = get_relative_url(f"series/{series_slug(series, post.series)}/", page_url)
    return (f'<details class="abstract bk-series"><summary>系列'
            f'「<a href="{series_url}">{escape(post.series)}</a>」第 {k} 篇，共 {len(members)} 篇'
            f"</summary><ol>{''.join(items)}</ol></details>")


def series_nav(post: Post, index: PostIndex, link: Link) -> str:
    """Links to the previous and next post of the series (empty outside a series)."""
    if not post.series:
        return ""
    members = index.series(post.series)
    k = members.index(post)
    parts = []
    if k > 0:
        prev = members[k - 1]
        parts.append(f'<a class="bk-prev" rel="prev" href="{link(prev)}">'
                     f"← 上一篇：{escape(prev.title)}</a>")
    if k + 1 < len(members):
        nxt = members[k + 1]
        parts.append(f'<a class="bk-next" rel="next" href="{link(nxt)}">'
                     f"下一篇：{escape(nxt.title)} →</a>")
    return f'<nav class="bk-series-nav">{"".join(parts)}</nav>' if parts else ""
