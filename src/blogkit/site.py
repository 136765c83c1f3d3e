"""The ``blogkit`` MkDocs plugin: the site-level features of the blog.

* Math is served from the site itself: MathJax 3.2.2 comes from the ``django-static-mathjax``
  wheel and is copied into ``assets/mathjax/`` at build time (no CDN, works offline).
* Every post credits the source article it mirrors, from its front matter::

      source:
        author: 苏剑林
        title: Mitchell近似:乘法变为加法,误差不超过1/9
        date: 2020-12-14
        url: https://kexue.fm/        # optional

  The credit line is placed right under the post title. A post without a complete ``source``
  fails the build with its file name.
"""

from __future__ import annotations

import datetime as dt
import shutil
from html import escape
from pathlib import Path
from typing import Any

from mkdocs.config import config_options
from mkdocs.config.base import Config
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin

__all__ = ["BlogkitPlugin", "mathjax_root"]

# The parts of MathJax's es5 tree that tex-chtml.js loads: the bundle itself, its fonts, the
# TeX extensions it may autoload, and the a11y/ui components its menu may ask for.
_MATHJAX_PARTS = ("tex-chtml.js", "output/chtml/fonts/woff-v2", "input/tex/extensions",
                  "a11y", "ui", "adaptors")


def mathjax_root() -> Path:
    """The ``es5`` folder of the MathJax distribution shipped by ``django-static-mathjax``."""
    import mathjax

    return Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"


class BlogkitConfig(Config):
    posts_dir = config_options.Type(str, default="blog/posts")
    """Folder of posts, relative to ``docs_dir``: every page below it must credit a source."""


class BlogkitPlugin(BasePlugin[BlogkitConfig]):
    def on_config(self, config: Any) -> Any:
        js = config["extra_javascript"]
        for path in ("assets/blogkit/mathjax-config.js", "assets/mathjax/tex-chtml.js"):
            if path not in [str(x) for x in js]:
                js.append(path)
        return config

    def _is_post(self, page: Any) -> bool:
        src = page.file.src_uri
        return src.startswith(self.config.posts_dir.rstrip("/") + "/")

    def on_page_markdown(self, markdown: str, *, page: Any, config: Any, files: Any) -> str:
        if not self._is_post(page):
            return markdown
        source = page.meta.get("source")
        where = f"{config['docs_dir']}/{page.file.src_uri}"
        if not isinstance(source, dict):
            raise PluginError(f"{where}: front matter needs a 'source:' mapping "
                              "(author, title, date) crediting the article this post mirrors")
        missing = [k for k in ("author", "title", "date") if not source.get(k)]
        if missing:
            raise PluginError(f"{where}: 'source:' lacks {', '.join(missing)}")
        return markdown

    def on_page_content(self, html: str, *, page: Any, config: Any, files: Any) -> str:
        source = page.meta.get("source")
        if not self._is_post(page) or not isinstance(source, dict):
            return html
        date = source["date"]
        if isinstance(date, dt.date):
            date = f"{date.year}年{date.month}月{date.day}日"
        title = escape(str(source["title"]))
        if source.get("url"):
            title = f'<a href="{escape(str(source["url"]))}">{title}</a>'
        credit = (f'<p class="bk-source">本文整理自{escape(str(source["author"]))}的'
                  f"《{title}》({escape(str(date))}),以自己的话重写,并让文中每个数字与图表在"
                  "构建时由代码重新算出。</p>")
        end = html.find("</h1>")
        if end < 0:
            return credit + html
        end += len("</h1>")
        return html[:end] + credit + html[end:]

    def on_post_build(self, *, config: Any) -> None:
        root = mathjax_root()
        dest = Path(config["site_dir"]) / "assets" / "mathjax"
        for part in _MATHJAX_PARTS:
            src = root / part
            if src.is_dir():
                shutil.copytree(src, dest / part, dirs_exist_ok=True)
            else:
                (dest / part).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, dest / part)
