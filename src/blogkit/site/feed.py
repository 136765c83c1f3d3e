"""The Atom feed of the posts, ``feed.xml`` (``feed: false`` in the plugin options turns it off).

Newest first; summaries are the posts' text before ``<!-- more -->`` with math as readable
Unicode; each entry carries its categories and authors. Links use the configured site URL.
"""

from __future__ import annotations

import logging
import re
from html import escape
from pathlib import Path
from typing import Any

from blogkit.engine import build_date
from blogkit.pages import plain_text
from blogkit.posts import PostIndex

__all__ = ["atom_feed", "feed_summary", "write_feed"]

log = logging.getLogger("mkdocs.plugins.blogkit")


def feed_summary(html: str) -> str:
    """A rendered post's summary for the feed: plain text of what comes before
    ``<!-- more -->``, without the title, at most 300 characters."""
    head = html.split("<!-- more -->", 1)[0]
    head = re.sub(r"<h1\b.*?</h1>", "", head, flags=re.S)
    return plain_text(head, limit=300)


def atom_feed(index: PostIndex, config: Any, *, page_urls: dict[str, str],
              summaries: dict[str, str], authors: dict[str, str]) -> str:
    """The feed document. ``config`` is MkDocs' (site name, description, author, URL);
    ``page_urls`` and ``summaries`` are by post ``src_uri``; ``authors`` maps author keys to
    display names."""
    base = (config.get("site_url") or "").rstrip("/") + "/"
    posts = sorted(index.posts.values(), key=lambda p: (p.date, p.slug), reverse=True)
    updated = max((p.date for p in posts), default=build_date())
    entries = []
    for p in posts:
        link = base + page_urls.get(p.src_uri, "")
        entries.append(
            "<entry>"
            f"<title>{escape(p.title)}</title><link href=\"{escape(link)}\"/>"
            f"<id>{escape(link)}</id><updated>{p.date.isoformat()}T00:00:00Z</updated>"
            f"<published>{p.date.isoformat()}T00:00:00Z</published>"
            f"<summary>{escape(summaries.get(p.src_uri, ''))}</summary>"
            + "".join(f'<category term="{escape(str(c))}"/>'
                      for c in p.meta.get("categories") or [])
            + "".join(f"<author><name>{escape(authors.get(a, a))}</name></author>"
                      for a in p.meta.get("authors") or [])
            + "</entry>")
    return ('<?xml version="1.0" encoding="utf-8"?>\n'
            '<feed xmlns="http://www.w3.org/2005/Atom">'
            f"<title>{escape(config['site_name'])}</title>"
            f"<subtitle>{escape(config.get('site_description') or '')}</subtitle>"
            f'<link href="{escape(base)}"/><link rel="self" href="{escape(base)}feed.xml"/>'
            f"<id>{escape(base)}</id><updated>{updated.isoformat()}T00:00:00Z</updated>"
            f"<author><name>{escape(config.get('site_author') or 'blogkit')}</name></author>"
            + "".join(entries) + "</feed>\n")


def write_feed(site_dir: Path, index: PostIndex, config: Any, *, page_urls: dict[str, str],
               summaries: dict[str, str], authors: dict[str, str], publishing: bool) -> None:
    """Write ``feed.xml`` (see ``atom_feed``). A ``publishing`` build (``BLOGKIT_PUBLISH=1`` or
    ``gh-deploy``, not ``serve``) still on the loopback default site URL is warned about, which
    fails it under ``--strict``."""
    base = (config.get("site_url") or "").rstrip("/") + "/"
    if publishing and re.match(r"https?://(127\.0\.0\.1|localhost)\b", base):
        log.warning("blogkit: publishing with site_url %s: the feed, citations and BibTeX "
                    "would point at this machine; set BLOGKIT_SITE_URL", base)
    feed = atom_feed(index, config, page_urls=page_urls, summaries=summaries, authors=authors)
    (site_dir / "feed.xml").write_text(feed, encoding="utf-8")
