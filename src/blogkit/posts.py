"""An index of the blog's posts, read from their sources before anything is rendered.

The ``blogkit`` plugin builds it in ``on_files`` and uses it for everything that looks across
posts: series order and previous/next links, equation labels referenced from another post,
and front-matter checks that name the file and line of the problem.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from blogkit.pages import Label, equation_labels

__all__ = ["FrontMatterError", "Post", "PostIndex", "read_post", "read_text_located"]


class FrontMatterError(ValueError):
    """A post's front matter is missing something or names something unknown."""


@dataclass
class Post:
    src_uri: str  # docs-relative path
    path: str  # path for messages, e.g. docs/blog/posts/mitchell.md
    meta: dict[str, Any]
    markdown: str  # body after the front matter
    body_line: int  # line number (1-based) of the body's first line in the file
    title: str
    date: dt.date
    slug: str
    series: str | None = None
    series_index: float | None = None
    labels: list[Label] = field(default_factory=list)

    def line_of(self, key: str) -> int:
        """Line of a front-matter key, for messages (1 if not found)."""
        for i, line in enumerate(self._front.split("\n"), start=2):
            if re.match(rf"^{re.escape(key)}\s*:", line):
                return i
        return 1

    _front: str = ""


def read_text_located(path: Path, display_path: str) -> str:
    """A page's text; a file that is not UTF-8 is an error naming the file and line."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise FrontMatterError(f"{display_path}:{line}: the file is not valid UTF-8 (byte "
                               f"0x{data[exc.start]:02x} at offset {exc.start}); save it as "
                               "UTF-8") from exc


def _bad_value(row: str) -> bool:
    try:
        yaml.load(row, Loader=yaml.SafeLoader)
    except ValueError:  # not yaml.YAMLError: the row parses, its value does not construct
        return True
    except yaml.YAMLError:
        return False
    return False


def read_post(src_uri: str, path: Path, display_path: str, series_known: list[str] | None) -> Post:
    text = read_text_located(path, display_path)
    m = re.match(r"^---[ \t]*\n(.*?\n)---[ \t]*\n", text, flags=re.S)
    if not m:
        raise FrontMatterError(f"{display_path}:1: a post must start with YAML front matter (---)")
    front = m.group(1)
    try:
        meta = yaml.load(front, Loader=yaml.SafeLoader) or {}
    except yaml.YAMLError as exc:
        # The context mark is where the broken construct starts (an unclosed bracket); the
        # problem mark is where the parser noticed, often the next line. Front matter starts
        # on line 2 of the file and marks count from 0.
        mark = getattr(exc, "context_mark", None) or getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        raise FrontMatterError(f"{display_path}:{line}: front matter is not valid YAML: "
                               f"{getattr(exc, 'problem', None) or exc}") from exc
    except ValueError as exc:  # a well-formed value YAML cannot construct, e.g. 2020-13-45
        line = next((i for i, row in enumerate(front.split("\n"), start=2)
                     if _bad_value(row)), 1)
        raise FrontMatterError(f"{display_path}:{line}: front matter has an invalid value "
                               f"({exc})") from exc
    body = text[m.end():]
    body_line = text.count("\n", 0, m.end()) + 1
    post = Post(src_uri, display_path, meta, body, body_line, "", dt.date.min, "")
    post._front = front

    def need(key: str, why: str) -> Any:
        if key not in meta or meta[key] in (None, ""):
            raise FrontMatterError(f"{display_path}:{post.line_of(key)}: front matter lacks "
                                   f"'{key}' ({why})")
        return meta[key]

    date = need("date", "the date of the source article, YYYY-MM-DD")
    if isinstance(date, dict):
        date = date.get("created")
    if not isinstance(date, dt.date):
        raise FrontMatterError(f"{display_path}:{post.line_of('date')}: 'date' must be a date "
                               f"like 2020-12-14, got {date!r}")
    post.date = date if not isinstance(date, dt.datetime) else date.date()
    post.slug = str(need("slug", "the URL name; it also names the snippets folder"))
    source = need("source", "the article this post mirrors: author, title, date")
    if not isinstance(source, dict) or any(not source.get(k) for k in ("author", "title", "date")):
        raise FrontMatterError(f"{display_path}:{post.line_of('source')}: 'source' needs author, "
                               "title and date of the article this post mirrors")
    series = meta.get("series")
    if series is not None:
        if series_known is not None and series not in series_known:
            raise FrontMatterError(f"{display_path}:{post.line_of('series')}: unknown series "
                                   f"{series!r}; known: {', '.join(series_known)} (mkdocs.yml, "
                                   "plugins → blogkit → series)")
        post.series = str(series)
        idx = meta.get("series_index")
        post.series_index = float(idx) if idx is not None else None
    h1 = re.search(r"^#\s+(.+?)\s*$", body, flags=re.M)
    post.title = h1.group(1) if h1 else str(meta.get("title", post.slug))
    labels, dups = equation_labels(body)
    if dups:
        name, line = dups[0]
        raise FrontMatterError(f"{display_path}:{line + body_line - 1}: duplicate equation "
                               f"label \\label{{{name}}}")
    post.labels = [Label(lb.name, lb.number, lb.line + body_line - 1) for lb in labels]
    return post


class PostIndex:
    def __init__(self, posts: list[Post]) -> None:
        self.posts = {p.src_uri: p for p in posts}
        self.label_owner: dict[str, tuple[Post, Label]] = {}
        for p in posts:
            for lb in p.labels:
                if lb.name in self.label_owner:
                    other = self.label_owner[lb.name][0]
                    raise FrontMatterError(
                        f"{p.path}:{lb.line}: equation label \\label{{{lb.name}}} is already "
                        f"used in {other.path}; labels must be unique across the site "
                        "(prefix them with the post slug)")
                self.label_owner[lb.name] = (p, lb)

    def series(self, name: str) -> list[Post]:
        """The posts of a series in reading order: series_index, then date."""
        members = [p for p in self.posts.values() if p.series == name]
        return sorted(members, key=lambda p: (p.series_index is None, p.series_index or 0, p.date))
