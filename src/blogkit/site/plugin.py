"""The ``blogkit`` MkDocs plugin class: MkDocs events, each handed to the feature modules.

The plugin keeps the state of a build (the engine, the post index, pages' URLs and summaries)
and passes it to the modules explicitly; the modules hold no state of their own.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File

from blogkit.engine import Engine, git_commit
from blogkit.pages import join_cjk_breaks, readtime_minutes
from blogkit.posts import PostIndex

from .config import READER_SCRIPTS, BlogkitConfig, add_scripts, env_flag
from .credits import citation_box, credit_line, receipt_line
from .downloads import downloads_line, write_downloads
from .execution import Execution, check_failures, make_engine, prepare
from .feed import feed_summary, write_feed
from .figures import FigureSlots
from .index import read_authors, read_index
from .math import MATH_CSS, MathTypesetter
from .prose import rewrite_prose
from .report import report_markdown, write_report_json
from .series import post_link, series_box, series_nav, series_pages

__all__ = ["BlogkitPlugin"]


class BlogkitPlugin(BasePlugin[BlogkitConfig]):
    serving = False
    publishing = False
    engine: Engine | None = None
    index: PostIndex = PostIndex([])

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.serving = command == "serve"
        self.publishing = command == "gh-deploy" or bool(env_flag("BLOGKIT_PUBLISH"))
        # Kept across the rebuilds of `mkdocs serve`: the figures and the blocks' HTML memo.
        self.figures = FigureSlots()
        self.execution = Execution(self.figures)

    def on_config(self, config: Any) -> Any:
        import markdown_exec

        if not hasattr(self, "execution"):  # on_startup is not called when built via the API
            self.figures = FigureSlots()
            self.execution = Execution(self.figures)
        root = Path(config["config_file_path"]).resolve().parent
        self.allow_errors = env_flag("BLOGKIT_ALLOW_ERRORS") or self.config.allow_errors
        self.engine = self.execution.engine = make_engine(root, Path(config["docs_dir"]),
                                                          self.config)
        self.commit = git_commit(root)
        markdown_exec.formatters["python"] = markdown_exec.formatters["py"] = self.execution.format
        add_scripts(config["extra_javascript"], READER_SCRIPTS)
        add_scripts(config["extra_css"], (MATH_CSS,))
        cache = root / os.environ.get("BLOGKIT_MATH_CACHE_DIR", self.config.math_cache_dir)
        self.math = MathTypesetter(root, cache, serving=self.serving)
        return config

    def on_files(self, files: Any, *, config: Any) -> Any:
        self._docs_dir = config["docs_dir"]
        self.index = read_index(files, config["docs_dir"], self.config.posts_dir,
                                self.config.series)
        for path, content in series_pages(self.index, self.config.series):
            files.append(File.generated(config, path, content=content))
        self.page_urls: dict[str, str] = {}
        self.summaries: dict[str, str] = {}
        self.authors = read_authors(Path(config["docs_dir"]))
        assert self.engine is not None
        prepare(self.engine, files, config["docs_dir"], self.config.cache_max_age_days)
        if self.config.report_page:
            files.append(File.generated(config, self.config.report_page,
                                        content=report_markdown(self.engine.report(), self.index)))
        return files

    def on_page_markdown(self, markdown: str, *, page: Any, config: Any, files: Any) -> str:
        self.execution.current_page = page.file.src_uri
        post = self.index.posts.get(page.file.src_uri)
        if post is not None:
            assert self.engine is not None
            markdown = rewrite_prose(markdown, post, index=self.index,
                                     results=self.engine.results.get(post.src_uri) or [],
                                     execute=self.engine.execute, docs_dir=self._docs_dir)
        # Last: line numbers reported above are those of the source file.
        return join_cjk_breaks(markdown)

    @event_priority(50)  # before the blog plugin, which keeps a readtime that is already set
    def on_page_content(self, html: str, *, page: Any, config: Any, files: Any) -> str:
        post = self.index.posts.get(page.file.src_uri)
        if post is None:
            return html
        if getattr(page, "config", None) is not None and "readtime" in page.config:
            if not page.config.readtime:
                page.config.readtime = readtime_minutes(html)
        self.page_urls[post.src_uri] = page.url
        self.summaries[post.src_uri] = feed_summary(html)
        assert self.engine is not None
        results = self.engine.results.get(post.src_uri) or []
        link = post_link(files, page.url)
        url = (config.get("site_url") or "").rstrip("/") + "/" + page.url
        # The credit and the series box go right under the title, the rest at the foot.
        end = html.find("</h1>")
        end = 0 if end < 0 else end + len("</h1>")
        top = credit_line(post) + series_box(post, self.index, self.config.series, page.url, link)
        bottom = (series_nav(post, self.index, link) + downloads_line(post, results)
                  + citation_box(post, url, config["site_name"], self.authors)
                  + receipt_line(results, self.engine.env, self.commit))
        return html[:end] + top + html[end:] + bottom

    def on_post_page(self, output: str, *, page: Any, config: Any) -> str:
        output = self.figures.fill(output, number=page.file.src_uri in self.index.posts)
        # Last: the figures' captions and the navigation hold formulas too.
        return self.math.typeset(output, page, self.index.posts.get(page.file.src_uri),
                                 docs_dir=Path(config["docs_dir"]))

    def on_post_build(self, *, config: Any) -> None:
        assert self.engine is not None
        site_dir = Path(config["site_dir"])
        write_report_json(site_dir, self.engine.report())
        self.math.write_assets(site_dir, max_age_days=self.config.cache_max_age_days)
        write_downloads(site_dir, self.index, self.engine.results, self.page_urls,
                        config.get("repo_url"))
        if self.config.feed:
            write_feed(site_dir, self.index, config, page_urls=self.page_urls,
                       summaries=self.summaries, authors=self.authors,
                       publishing=self.publishing and not self.serving)
        check_failures(self.engine.errors, fail=not self.serving and not self.allow_errors)
