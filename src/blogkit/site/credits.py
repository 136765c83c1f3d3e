"""What a post says about where it comes from: the source credit under its title, the
"cite this post" box (text and BibTeX) and the receipt line at its foot.

Every post credits the source article it mirrors, from its front matter::

    source:
      author: 苏剑林
      title: Mitchell近似:乘法变为加法,误差不超过1/9
      date: 2020-12-14
      url: https://kexue.fm/        # optional

A post without a complete ``source`` fails the build with its file name (``blogkit.posts``).
"""

from __future__ import annotations

import datetime as dt
from html import escape

from blogkit.engine import UnitResult, build_date
from blogkit.pages import bibtex, citation_text
from blogkit.posts import Post

__all__ = ["citation_box", "credit_line", "receipt_line"]


def credit_line(post: Post) -> str:
    """The line under the title naming the source article, its author and date."""
    source = post.meta["source"]
    date = source["date"]
    if isinstance(date, dt.date):
        date = f"{date.year}年{date.month}月{date.day}日"
    title = escape(str(source["title"]))
    if source.get("url"):
        title = f'<a href="{escape(str(source["url"]))}">{title}</a>'
    return (f'<p class="bk-source">本文整理自{escape(str(source["author"]))}的'
            f"《{title}》（{escape(str(date))}），以自己的话重写，并让文中每个数字与图表在"
            "构建时由代码重新算出。</p>")


def citation_box(post: Post, url: str, site_name: str, authors: dict[str, str]) -> str:
    """The "引用本文" box: a citation line and a BibTeX entry for the post at ``url``."""
    author = ", ".join(a for a in post.meta.get("authors", [])) or "blogkit"
    author = authors.get(author, author)
    line = citation_text(post.title, author, post.date, url, site_name)
    src = post.meta["source"]
    note = f"据{src['author']}《{src['title']}》({src['date']})改写"
    bib = bibtex(f"blogkit:{post.slug}", post.title, author, post.date, url, site_name, note)
    return ('<div class="admonition quote bk-cite"><p class="admonition-title">引用本文</p>'
            f"<p>{escape(line)}</p><pre><code>{escape(bib)}</code></pre></div>")


def receipt_line(results: list[UnitResult], env: dict[str, str], commit: str) -> str:
    """The line at the foot of a post: where and with what its numbers were computed (the
    devices of its unit ``results``, torch from the build's ``env``, the git commit); empty
    for a post without executed code."""
    if not results:
        return ""
    devices = sorted({r.device for r in results})
    return (f'<p class="bk-receipt">数值与图表于构建时生成：设备 {escape(", ".join(devices))}'
            f" · torch {escape(env['torch'])} · 提交 {escape(commit)}"
            f" · {build_date().isoformat()}</p>")
