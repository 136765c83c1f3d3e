"""What the build knows about the posts before rendering: the post index and the authors.

Every page under ``posts_dir`` is read with ``blogkit.posts.read_post`` (front matter checked,
equation labels numbered); a problem fails the build naming the file and line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from mkdocs.exceptions import PluginError

from blogkit.posts import FrontMatterError, PostIndex, read_post

__all__ = ["read_authors", "read_index"]


def read_index(files: Any, docs_dir: str, posts_dir: str,
               series: list[dict[str, Any]]) -> PostIndex:
    """The posts among MkDocs' ``files`` (those under ``posts_dir``); ``series`` are the
    configured series, the only names a post may give."""
    prefix = posts_dir.rstrip("/") + "/"
    known = [s["name"] for s in series] if series else []
    posts = []
    try:
        for f in files.documentation_pages():
            if f.src_uri.startswith(prefix):
                display = f"{Path(docs_dir).name}/{f.src_uri}"
                posts.append(read_post(f.src_uri, Path(f.abs_src_path), display, known))
        return PostIndex(posts)
    except FrontMatterError as exc:
        raise PluginError(str(exc)) from exc


def read_authors(docs_dir: Path) -> dict[str, str]:
    """Author keys -> display names, from ``docs_dir/.authors.yml`` (the blog plugin's file)."""
    path = docs_dir / ".authors.yml"
    if not path.is_file():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {k: v.get("name", k) for k, v in (data.get("authors") or {}).items()}
