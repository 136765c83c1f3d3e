"""The ``blogkit`` MkDocs plugin: the site-level features of the blog.

* Math is served from the site itself: MathJax 3.2.2 comes from the ``django-static-mathjax``
  wheel and is copied into ``assets/mathjax/`` at build time (no CDN, works offline).
* Executed ``python exec="1"`` blocks run through ``blogkit.engine``: cached on disk by code
  and by the blogkit modules they imported, each unit in a fresh process with a timeout,
  failures located by page, snippet and line, and a report page plus ``execution-report.json``.
  Environment switches: ``BLOGKIT_EXEC=0`` shows code without running it, ``BLOGKIT_REFRESH=1``
  re-runs everything, ``BLOGKIT_ALLOW_ERRORS=1`` publishes failures instead of failing the build,
  ``BLOGKIT_JOBS=N`` sets the number of parallel units, ``BLOGKIT_CACHE_DIR`` moves the cache.
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
import hashlib
import json
import logging
import os
import posixpath
import re
import shutil
from html import escape, unescape
from pathlib import Path
from typing import Any
from urllib.parse import quote

import yaml
from mkdocs.config import config_options
from mkdocs.config.base import Config
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File
from mkdocs.utils import get_relative_url

from blogkit.engine import Engine, build_date, git_commit
from blogkit.engine.units import IncludeError
from blogkit.pages import (
    bibtex,
    citation_text,
    join_cjk_breaks,
    nav_math,
    notebook,
    plain_text,
    readtime_minutes,
)
from blogkit.posts import FrontMatterError, Post, PostIndex, read_post, read_text_located

__all__ = ["BlogkitPlugin", "mathjax_root"]

log = logging.getLogger("mkdocs.plugins.blogkit")

# What snippets print for an inline value (blogkit.display.value), and how prose uses it.
VALUE_RE = re.compile(r'<!--bk-value name="([A-Za-z0-9_.:-]+)" text="([^"]*)"-->')
VALUE_LINE_RE = re.compile(r'^<!--bk-value name="[^"]*" text="[^"]*"-->\n?', flags=re.M)
VALUE_REF_RE = re.compile(r"\[\[v:([A-Za-z0-9_.:-]+)\]\]")
# Inline SVG figures printed by blogkit.display.svg, and the placeholders that stand in for them.
FIGURE_RE = re.compile(r'<figure class="bk-figure"[^>]*>.*?</figure>', flags=re.S)
FIGURE_OPEN_RE = re.compile(r'<figure class="bk-figure"(?: id="([^"]+)")?>')
FIG_REF_RE = re.compile(r"\[\[fig:([A-Za-z0-9_.:-]+)\]\]")
SLOT_RE = re.compile(r'<div class="bk-fig-slot" data-slot="([0-9a-f]{16})"></div>')
# A reference in prose: $\eqref{name}$ (the dollars included) or a bare \eqref{name}.
EQREF_RE = re.compile(r"\$\s*\\eqref\{(?P<name>[^}]+)\}\s*\$|\\eqref\{(?P<name2>[^}]+)\}")


def _blank_code(markdown: str) -> str:
    """The page with fenced code and display math blanked (same length, same lines)."""
    def blank(m: re.Match[str]) -> str:
        return re.sub(r"[^\n]", " ", m.group(0))

    text = re.sub(r"^(```|~~~).*?^\1", blank, markdown, flags=re.S | re.M)
    return re.sub(r"\\begin\{(\w+\*?)\}.*?\\end\{\1\}", blank, text, flags=re.S)


def _authors(docs_dir: Path) -> dict[str, str]:
    path = docs_dir / ".authors.yml"
    if not path.is_file():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {k: v.get("name", k) for k, v in (data.get("authors") or {}).items()}

# The parts of MathJax's es5 tree that tex-chtml.js loads: the bundle itself, its fonts, the
# TeX extensions it may autoload, and the a11y/ui components its menu may ask for.
_MATHJAX_PARTS = ("tex-chtml.js", "output/chtml/fonts/woff-v2", "input/tex/extensions",
                  "a11y", "ui", "adaptors")


def mathjax_root() -> Path:
    """The ``es5`` folder of the MathJax distribution shipped by ``django-static-mathjax``."""
    import mathjax

    return Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"


def _env_flag(name: str) -> bool | None:
    value = os.environ.get(name)
    if value is None or value == "":
        return None
    return value.strip().lower() not in {"0", "no", "off", "false"}


ENGINE_ONLY_OPTIONS = frozenset({"timeout"})
DEFAULT_TABS = ("Source", "Result")  # markdown-exec's default tab titles
TABS = ("代码", "结果")


class BlogkitConfig(Config):
    posts_dir = config_options.Type(str, default="blog/posts")
    """Folder of posts, relative to ``docs_dir``: every page below it must credit a source."""
    snippets_dir = config_options.Type(str, default="snippets")
    cache_dir = config_options.Type(str, default=".cache/blogkit-exec")
    execute = config_options.Type(bool, default=True)
    refresh = config_options.Type(bool, default=False)
    allow_errors = config_options.Type(bool, default=False)
    jobs = config_options.Type(int, default=0)
    """Units run in parallel; 0 means one per CPU core."""
    timeout = config_options.Type((int, float), default=600)
    """Seconds a unit may run (a block can lower or raise it with ``timeout="N"``)."""
    max_output_mb = config_options.Type((int, float), default=20)
    """Megabytes a unit may print (all its blocks together) before it is stopped."""
    golden_dir = config_options.Type(str, default="tests/golden")
    """Approved outputs of the snippets, compared with each unit's output during the build
    (a drift is a warning: it fails ``--strict``); empty, or ``BLOGKIT_GOLDEN=0``, disables."""
    max_memory_mb = config_options.Type((int, float), default=0)
    """Address-space limit of a unit in megabytes; 0 means no limit."""
    cache_max_age_days = config_options.Type((int, float), default=14)
    """After each build, cache entries the build did not use are deleted once unused for this
    many days; a negative value keeps everything."""
    report_page = config_options.Type(str, default="execution-report.md")
    series = config_options.Type(list, default=[])
    """The series: a list of {name, slug, description}; a post names one with ``series:``."""
    feed = config_options.Type(bool, default=True)
    """Write an Atom feed of the posts to ``feed.xml``."""


class BlogkitPlugin(BasePlugin[BlogkitConfig]):
    serving = False
    publishing = False
    engine: Engine | None = None
    _current_page: str | None = None
    index: PostIndex = PostIndex([])

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.serving = command == "serve"
        self.publishing = command == "gh-deploy" or bool(_env_flag("BLOGKIT_PUBLISH"))
        self._html_memo: dict[tuple[str, str, str], Any] = {}
        self._figures: dict[str, str] = {}

    def on_config(self, config: Any) -> Any:
        import markdown_exec

        if not hasattr(self, "_html_memo"):  # on_startup is not called when built via the API
            self._html_memo = {}
            self._figures = {}
        root = Path(config["config_file_path"]).resolve().parent
        flag = _env_flag
        self.allow_errors = flag("BLOGKIT_ALLOW_ERRORS") or self.config.allow_errors
        jobs = int(os.environ.get("BLOGKIT_JOBS") or self.config.jobs or os.cpu_count() or 1)
        execute = flag("BLOGKIT_EXEC")
        self.engine = Engine(
            root, Path(config["docs_dir"]), root / self.config.snippets_dir,
            root / os.environ.get("BLOGKIT_CACHE_DIR", self.config.cache_dir), jobs=jobs,
            timeout=float(self.config.timeout),
            max_output=int(self.config.max_output_mb * 2**20),
            max_memory=int(self.config.max_memory_mb * 2**20) or None,
            golden_root=(root / self.config.golden_dir
                         if self.config.golden_dir and flag("BLOGKIT_GOLDEN") is not False
                         else None),
            refresh=bool(flag("BLOGKIT_REFRESH") or self.config.refresh),
            execute=self.config.execute if execute is None else execute,
        )
        # The merge job of a sharded run: every unit must come from the (imported) cache.
        self.engine.require_cache = bool(flag("BLOGKIT_REQUIRE_CACHE"))
        self.commit = git_commit(root)
        markdown_exec.formatters["python"] = markdown_exec.formatters["py"] = self._format
        js = config["extra_javascript"]
        for path in ("assets/blogkit/mathjax-config.js", "assets/mathjax/tex-chtml.js",
                     "assets/blogkit/figures.js", "assets/blogkit/tables.js"):
            if path not in [str(x) for x in js]:
                js.append(path)
        return config

    # -- execution ---------------------------------------------------------------------------
    def on_files(self, files: Any, *, config: Any) -> Any:
        self._docs_dir = config["docs_dir"]
        self._read_index(files, config)
        self._series_pages(files, config)
        self.page_urls: dict[str, str] = {}
        self.summaries: dict[str, str] = {}
        self.authors = _authors(Path(config["docs_dir"]))
        pages = {}
        for f in files.documentation_pages():
            try:
                text = (read_text_located(Path(f.abs_src_path),
                                          f"{Path(config['docs_dir']).name}/{f.src_uri}")
                        if f.abs_src_path else "")
            except FrontMatterError as exc:
                raise PluginError(str(exc)) from exc
            if "exec=" in text:
                pages[f.src_uri] = text
        assert self.engine is not None
        try:
            self.engine.prepare(pages)
        except IncludeError as exc:
            raise PluginError(str(exc)) from exc
        if self.engine.execute and self.config.cache_max_age_days >= 0:
            removed, freed = self.engine.prune_cache(self.config.cache_max_age_days * 86400)
            if removed:
                log.info("blogkit: pruned %d stale cache entries (%.1f MB)", removed, freed / 1e6)
        if self.config.report_page:
            files.append(File.generated(config, self.config.report_page,
                                        content=self._report_markdown()))
        return files

    def _format(self, *, code: str, md: Any, **options: Any) -> Any:
        """markdown-exec's formatter, memoised on the block and its output.

        The blog plugin renders every post again for each listing page, and ``mkdocs serve``
        re-renders everything on each edit; turning a cached output (tables, large inline SVG)
        and the highlighted source into HTML again each time would cost more than the rest of
        the build. The memo key holds the code, the options and the output itself, so a new
        output (a re-run after an edit) is converted afresh.
        """
        import markdown_exec

        assert self.engine is not None
        # Options only the engine reads (it takes them from the page source) must not reach
        # markdown-exec, which would copy them onto the source tab's fence, where
        # pymdownx.highlight rejects the unknown attribute and the fence falls apart.
        if any(k in ENGINE_ONLY_OPTIONS for k in options.get("extra", {})):
            options["extra"] = {k: v for k, v in options["extra"].items()
                                if k not in ENGINE_ONLY_OPTIONS}
        if tuple(options.get("tabs") or ()) == DEFAULT_TABS:  # markdown-exec's English labels
            options["tabs"] = TABS
        found = self.engine.lookup(code, self._current_page, options.get("session"))
        if found is None or found[0].error is not None:
            return markdown_exec.base_format(language="python", run=self._run, code=code, md=md,
                                             **options)
        res, j = found
        output = res.outputs[j] if j < len(res.outputs) else ""
        key = (code, repr(sorted(options.items(), key=lambda kv: kv[0])), output)
        html = self._html_memo.get(key)
        if html is None:
            html = markdown_exec.base_format(language="python", run=self._run, code=code, md=md,
                                             **options)
            self._html_memo[key] = html
        return html

    def _run(self, code: str, returncode: int | None = None, session: str | None = None,
             id: str | None = None, **extra: Any) -> str:
        assert self.engine is not None
        found = self.engine.lookup(code, self._current_page, session)
        if found is None:  # a block the engine could not see in the page source
            msg = (f"{self._current_page}: an executed block was not found by blogkit's engine "
                   "(write each executed block as a fenced block at the start of a line)")
            self.engine.errors.append(msg)
            log.error(msg)
            return _failure_html("代码块未被执行引擎识别", msg)
        res, j = found
        if res.error is not None:
            failed = res.error.get("block", 0)
            if j == failed:
                partial_output = res.outputs[j] if j < len(res.outputs) else ""
                # The error box stands after the output, never glued onto a table it printed.
                return (partial_output.rstrip("\n") + "\n\n"
                        + _failure_html("此代码块运行失败", res.message))
            if j > failed:
                return ""
        output = self._slot_figures(res.outputs[j] if j < len(res.outputs) else "")
        # Inline-value markers are read from the unit's output (the prose shows the values);
        # the page does not need them, and an HTML comment line would swallow a table printed
        # right after it into one raw HTML block.
        output = VALUE_LINE_RE.sub("", output)
        if not output.strip():
            return output
        # Computed tables are not prose: keep them out of the search index (which would
        # otherwise spend most of a rebuild segmenting numbers); code and text stay searchable.
        if extra.get("html"):
            return f'<div class="bk-output" data-search-exclude>{output}</div>'
        return f'<div class="bk-output" data-search-exclude="" markdown="1">\n\n{output}\n\n</div>'


    def _slot_figures(self, output: str) -> str:
        """Swap each inline SVG figure for a small placeholder until the page is written.

        A figure is hundreds of kilobytes of tags that Markdown would parse (and the search
        index would scan) on every render for nothing; ``on_post_page`` puts it back.
        """
        def slot(m: re.Match[str]) -> str:
            key = hashlib.sha1(m.group(0).encode("utf-8")).hexdigest()[:16]
            self._figures[key] = m.group(0)
            # Blank lines around it: a table printed right before a figure stays a table.
            return f'\n\n<div class="bk-fig-slot" data-slot="{key}"></div>\n\n'

        return FIGURE_RE.sub(slot, output)

    def on_post_page(self, output: str, *, page: Any, config: Any) -> str:
        if "md-nav__link" in output and "\\(" in output:
            output = nav_math(output)
        if "bk-fig-slot" not in output:
            return output

        def fill(m: re.Match[str]) -> str:
            return self._figures.get(m.group(1), m.group(0))

        output = SLOT_RE.sub(fill, output)
        if page.file.src_uri in self.index.posts:
            output = number_figures(output)
        return output

    def _report_markdown(self) -> str:
        """The execution report: totals first, then one short section per post (linked), with
        the per-unit detail folded. Under SOURCE_DATE_EPOCH no measured time is published, so
        that two clean builds are byte-identical, this page included."""
        assert self.engine is not None
        rep = self.engine.report()
        env = rep["environment"]
        timed = not os.environ.get("SOURCE_DATE_EPOCH")
        units = rep["units"]
        hits = sum(u["cache"] == "hit" for u in units)
        failed = sum(not u["ok"] for u in units)
        by_page: dict[str, list[dict[str, Any]]] = {}
        for u in units:
            by_page.setdefault(u["page"], []).append(u)
        total = sum(u["seconds"] or 0.0 for u in units)
        lines = ["# 执行报告", "",
                 "每篇文章的代码在构建时运行；一个执行单元是一个代码块，或同一页面里同一 session "
                 "的全部代码块。", "",
                 "| 文章 | 执行单元 | 代码块 | 命中缓存 | 本次运行 | 失败 | 计算用时 | 设备 |",
                 "|--:|--:|--:|--:|--:|--:|--:|:--|",
                 f"| {len(by_page)} | {len(units)} | {rep['blocks']} | {hits} | {rep['executed']} | "
                 f"{failed} | {f'{total:.1f} s' if timed else '—'} | {env['device']} |", "",
                 f"环境：Python {env['python']} · numpy {env['numpy']} · torch {env['torch']} · "
                 f"matplotlib {env['matplotlib']} · 提交 `{rep['git_commit']}`。"
                 + ("" if timed else "（可复现构建：不记录用时。）"), ""]
        for page, rows in sorted(by_page.items()):
            post = self.index.posts.get(page)
            title = post.title if post else page
            secs = sum(u["seconds"] or 0.0 for u in rows)
            state = "全部命中缓存" if all(u["cache"] == "hit" for u in rows) else \
                f"运行 {sum(u['cache'] == 'miss' for u in rows)} 个"
            bad = sum(not u["ok"] for u in rows)
            lines += [f"## [{title}]({page})", "",
                      f"{len(rows)} 个单元，{state}" + (f"，失败 {bad} 个" if bad else "")
                      + (f"，用时 {secs:.2f} s" if timed else "") + "。", "",
                      '??? note "逐单元明细"', "",
                      "    | 单元 | 行 | 缓存 | 用时 | 结果 |", "    |:--|--:|:-:|--:|:-:|"]
            for u in rows:
                name = u["unit"].rsplit("/", 1)[-1]
                t = f"{u['seconds']:.3f} s" if timed and u["seconds"] is not None else "—"
                lines.append(f"    | `{name}` | {u['line']} | {'命中' if u['cache'] == 'hit' else '运行'} "
                             f"| {t} | {'✓' if u['ok'] else '✗'} |")
            lines.append("")
        lines += ['同样的数据以 JSON 形式见 <a href="../execution-report.json">'
                  "execution-report.json</a>。"]
        return "---\nsearch:\n  exclude: true\n---\n\n" + "\n".join(lines) + "\n"

    def _is_post(self, page: Any) -> bool:
        return page.file.src_uri in self.index.posts

    # -- reader features -------------------------------------------------------------------
    def _read_index(self, files: Any, config: Any) -> None:
        prefix = self.config.posts_dir.rstrip("/") + "/"
        known = [s["name"] for s in self.config.series] if self.config.series else []
        posts = []
        try:
            for f in files.documentation_pages():
                if f.src_uri.startswith(prefix):
                    display = f"{Path(config['docs_dir']).name}/{f.src_uri}"
                    posts.append(read_post(f.src_uri, Path(f.abs_src_path), display, known))
            self.index = PostIndex(posts)
        except FrontMatterError as exc:
            raise PluginError(str(exc)) from exc

    def _series_pages(self, files: Any, config: Any) -> None:
        if not self.config.series:
            return
        index_lines = ["# 系列", "", "按阅读顺序排列的系列文章。", ""]
        for s in self.config.series:
            members = self.index.series(s["name"])
            if not members:  # a registered series with no post yet gets no page and no entry
                continue
            lines = [f"# {s['name']}", "", s.get("description", ""), ""]
            for k, p in enumerate(members, start=1):
                lines.append(f"{k}. [{p.title}](../{p.src_uri}) <small>{p.date.isoformat()}</small>")
            files.append(File.generated(config, f"series/{s['slug']}.md",
                                        content="\n".join(lines) + "\n"))
            index_lines.append(f"- [{s['name']}]({s['slug']}.md)：{len(members)} 篇")
        files.append(File.generated(config, "series/index.md",
                                    content="\n".join(index_lines) + "\n"))

    def _values(self, src_uri: str) -> dict[str, tuple[str, str]]:
        """Inline values printed by a page's snippets: name -> (text, snippet)."""
        assert self.engine is not None
        values: dict[str, tuple[str, str]] = {}
        for res in self.engine.results.get(src_uri) or []:
            for block, out in zip(res.unit.blocks, res.outputs, strict=False):
                for name, text in VALUE_RE.findall(out):
                    values[name] = (unescape(text), ", ".join(block.includes) or res.unit.name)
        return values

    def _rewrite_prose(self, markdown: str, post: Post, files: Any) -> str:
        """Cross-post equation references and inline computed values, with located errors."""
        own = {lb.name for lb in post.labels}
        code_free = _blank_code(markdown)
        # Where this text starts in the file (MkDocs hands over the body without front matter).
        raw = Path(self._docs_dir, post.src_uri).read_text(encoding="utf-8")
        start = raw.find(markdown.lstrip("\n")[:300])
        lead = len(markdown) - len(markdown.lstrip("\n"))
        offset_line = (raw.count("\n", 0, start) - lead) if start >= 0 else post.body_line - 1

        def line_at(pos: int) -> int:
            return code_free.count("\n", 0, pos) + 1 + offset_line

        out, last = [], 0
        for m in EQREF_RE.finditer(code_free):
            name = m.group("name") or m.group("name2")
            if name in own:
                if m.group("name2"):
                    raise PluginError(f"{post.path}:{line_at(m.start())}: write \\eqref{{{name}}} "
                                      "inside dollars, $\\eqref{...}$, so MathJax sees it")
                continue
            owner = self.index.label_owner.get(name)
            if owner is None:
                raise PluginError(f"{post.path}:{line_at(m.start())}: \\eqref{{{name}}} names no "
                                  "equation label in this post or any other")
            other, label = owner
            rel = posixpath.relpath(other.src_uri, posixpath.dirname(post.src_uri))
            link = (f"[《{other.title}》式 ({label.number})]"
                    f"({rel}#mjx-eqn%3A{quote(name, safe='')})")
            out += [markdown[last:m.start()], link]
            last = m.end()
        markdown = "".join(out) + markdown[last:]

        code_free = _blank_code(markdown)
        values = self._values(post.src_uri)
        assert self.engine is not None
        out, last = [], 0
        for m in VALUE_REF_RE.finditer(code_free):
            name = m.group(1)
            if name in values:
                text, origin = values[name]
                span = (f'<span class="bk-value" title="由 {escape(origin)} 在构建时算出">'
                        f"{escape(text)}</span>")
            elif not self.engine.execute:
                span = f'<span class="bk-value bk-value--missing">[{escape(name)}]</span>'
            else:
                raise PluginError(f"{post.path}:{line_at(m.start())}: inline value [[v:{name}]] "
                                  "is printed by no snippet of this post (print it with "
                                  "blogkit.display.value)")
            out += [markdown[last:m.start()], span]
            last = m.end()
        markdown = "".join(out) + markdown[last:]

        # Figure references: [[fig:label]] becomes a link "图 k" to the k-th figure of the page.
        numbers = self._figure_numbers(post)
        code_free = _blank_code(markdown)
        out, last = [], 0
        for m in FIG_REF_RE.finditer(code_free):
            name = m.group(1)
            if name not in numbers and not self.engine.execute:
                # BLOGKIT_EXEC=0 runs no code, so no figure exists: a placeholder, as for values
                out += [markdown[last:m.start()],
                        f'<span class="bk-figref bk-figref--missing">[{escape(name)}]</span>']
                last = m.end()
                continue
            if name not in numbers:
                raise PluginError(f"{post.path}:{line_at(m.start())}: [[fig:{name}]] names no "
                                  "figure of this post (give one with blogkit.display.svg(..., "
                                  f"label=\"{name}\"))")
            out += [markdown[last:m.start()],
                    f'<a class="bk-figref" href="#{escape(name)}">图&nbsp;{numbers[name]}</a>']
            last = m.end()
        return "".join(out) + markdown[last:]

    def _figure_numbers(self, post: Post) -> dict[str, int]:
        """Labels of a post's figures -> their number in page order; a repeated label is an
        error naming the block that prints it a second time."""
        assert self.engine is not None
        blocks = sorted(((block.line, out)
                         for res in self.engine.results.get(post.src_uri) or []
                         for block, out in zip(res.unit.blocks, res.outputs, strict=False)),
                        key=lambda lo: lo[0])
        numbers: dict[str, int] = {}
        k = 0
        for line, out in blocks:
            for m in FIGURE_OPEN_RE.finditer(out):
                k += 1
                name = m.group(1)
                if name is None:
                    continue
                if name in numbers:
                    raise PluginError(f"{post.path}:{line}: figure label "
                                      f"{name!r} is used twice in this post")
                numbers[name] = k
        return numbers

    def on_page_markdown(self, markdown: str, *, page: Any, config: Any, files: Any) -> str:
        self._current_page = page.file.src_uri
        post = self.index.posts.get(page.file.src_uri)
        if post is not None:
            markdown = self._rewrite_prose(markdown, post, files)
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
        head = html.split("<!-- more -->", 1)[0]
        head = re.sub(r"<h1\b.*?</h1>", "", head, flags=re.S)
        self.summaries[post.src_uri] = plain_text(head, limit=300)
        end = html.find("</h1>")
        end = 0 if end < 0 else end + len("</h1>")
        top = self._credit(post) + self._series_box(post, page, files)
        bottom = (self._series_nav(post, page, files) + self._downloads(post)
                  + self._citation(post, page, config) + self._receipt(page))
        return html[:end] + top + html[end:] + bottom

    def _credit(self, post: Post) -> str:
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

    def _link(self, other: Post, page: Any, files: Any) -> str:
        f = files.get_file_from_path(other.src_uri)
        return get_relative_url(f.url, page.url) if f is not None else "#"

    def _series_slug(self, name: str) -> str:
        return next(s["slug"] for s in self.config.series if s["name"] == name)

    def _series_box(self, post: Post, page: Any, files: Any) -> str:
        if not post.series:
            return ""
        members = self.index.series(post.series)
        k = members.index(post) + 1
        items = []
        for p in members:
            title = escape(p.title)
            item = (f"<strong>{title}</strong>" if p is post
                    else f'<a href="{self._link(p, page, files)}">{title}</a>')
            items.append(f"<li>{item}</li>")
        series_url = get_relative_url(f"series/{self._series_slug(post.series)}/", page.url)
        return (f'<details class="abstract bk-series"><summary>系列'
                f'「<a href="{series_url}">{escape(post.series)}</a>」第 {k} 篇，共 {len(members)} 篇'
                f"</summary><ol>{''.join(items)}</ol></details>")

    def _series_nav(self, post: Post, page: Any, files: Any) -> str:
        if not post.series:
            return ""
        members = self.index.series(post.series)
        k = members.index(post)
        parts = []
        if k > 0:
            prev = members[k - 1]
            parts.append(f'<a class="bk-prev" rel="prev" href="{self._link(prev, page, files)}">'
                         f"← 上一篇：{escape(prev.title)}</a>")
        if k + 1 < len(members):
            nxt = members[k + 1]
            parts.append(f'<a class="bk-next" rel="next" href="{self._link(nxt, page, files)}">'
                         f"下一篇：{escape(nxt.title)} →</a>")
        return f'<nav class="bk-series-nav">{"".join(parts)}</nav>' if parts else ""

    def _downloads(self, post: Post) -> str:
        assert self.engine is not None
        if not self.engine.results.get(post.src_uri):
            return ""
        return (f'<p class="bk-downloads">下载本文的全部代码：<a href="{post.slug}.py" download>'
                f'{post.slug}.py</a> · <a href="{post.slug}.ipynb" download>{post.slug}.ipynb</a>'
                "（需要 <code>pip install -e .</code> 安装本仓库的 blogkit）</p>")

    def _citation(self, post: Post, page: Any, config: Any) -> str:
        url = (config.get("site_url") or "").rstrip("/") + "/" + page.url
        site = config["site_name"]
        author = ", ".join(a for a in post.meta.get("authors", [])) or "blogkit"
        author = self.authors.get(author, author)
        line = citation_text(post.title, author, post.date, url, site)
        src = post.meta["source"]
        note = f"据{src['author']}《{src['title']}》({src['date']})改写"
        bib = bibtex(f"blogkit:{post.slug}", post.title, author, post.date, url, site, note)
        return ('<div class="admonition quote bk-cite"><p class="admonition-title">引用本文</p>'
                f"<p>{escape(line)}</p><pre><code>{escape(bib)}</code></pre></div>")

    def _receipt(self, page: Any) -> str:
        """The line at the foot of a post: where and with what its numbers were computed."""
        assert self.engine is not None
        results = self.engine.results.get(page.file.src_uri) or []
        if not results:
            return ""
        devices = sorted({r.device for r in results})
        env = self.engine.env  # set by prepare(), which also made the results above
        return (f'<p class="bk-receipt">数值与图表于构建时生成：设备 {escape(", ".join(devices))}'
                f" · torch {escape(env['torch'])} · 提交 {escape(self.commit)}"
                f" · {build_date().isoformat()}</p>")

    def on_post_build(self, *, config: Any) -> None:
        assert self.engine is not None
        site_dir = Path(config["site_dir"])
        report = site_dir / "execution-report.json"
        report.write_text(json.dumps(self.engine.report(), ensure_ascii=False, indent=1,
                                     sort_keys=True), encoding="utf-8")
        self._copy_mathjax(config)
        self._write_downloads(site_dir, config)
        if self.config.feed:
            self._write_feed(site_dir, config)
        errors = self.engine.errors
        if errors and not self.serving and not self.allow_errors:
            raise PluginError(f"{len(errors)} executed block(s) failed (set BLOGKIT_ALLOW_ERRORS=1 "
                              f"to publish them anyway); the first:\n{errors[0]}")

    def _write_downloads(self, site_dir: Path, config: Any) -> None:
        """Each post's snippets as one runnable .py file and as a Jupyter notebook.

        The .py prints readable text in a terminal (plain tables, figures saved as SVG files);
        the notebook shows rich tables and figures when run, and arrives with the outputs of
        this build already in it. Both say how to install blogkit."""
        assert self.engine is not None
        repo = (config.get("repo_url") or "").rstrip("/")
        install = (f'pip install "blogkit @ git+{repo}"' if repo
                   else "在本仓库的根目录运行 pip install -e .")
        for src_uri, post in self.index.posts.items():
            results = self.engine.results.get(src_uri) or []
            url = self.page_urls.get(src_uri)
            if not results or url is None:
                continue
            src = post.meta["source"]
            header = (f'"""{post.title}\n\n本文代码：依次运行页面中的每个代码块，表格以文字打印，'
                      "图保存为当前目录下的 SVG 文件。"
                      f"据{src['author']}《{src['title']}》（{src['date']}）改写。\n"
                      f"先安装 blogkit：{install}\n\"\"\"\n\n"
                      'import os\n\nos.environ.setdefault("BLOGKIT_OUTPUT", "text")\n')
            parts = [header]
            cells: list[tuple[str, str] | tuple[str, str, list[dict[str, Any]]]] = [
                ("markdown", f"先安装 blogkit：`{install}`。下面的输出来自本站构建时的运行；"
                             "重新运行时表格与图同样会显示在这里。\n"),
                ("code", 'import os\n\nos.environ["BLOGKIT_OUTPUT"] = "notebook"\n', [])]
            for res in results:
                for j, b in enumerate(res.unit.blocks):
                    name = ", ".join(b.includes) or f"{post.path}:{b.line}"
                    parts.append(f"\n# %% {name}\n{b.code.rstrip()}\n")
                    out = res.outputs[j] if j < len(res.outputs) else ""
                    cells += [("markdown", f"## `{name}`\n"),
                              ("code", b.code.rstrip() + "\n", notebook_outputs(out))]
            folder = site_dir / url
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{post.slug}.py").write_text("".join(parts), encoding="utf-8")
            (folder / f"{post.slug}.ipynb").write_text(notebook(cells, post.title),
                                                       encoding="utf-8")

    def _write_feed(self, site_dir: Path, config: Any) -> None:
        """An Atom feed of the posts, newest first: summaries with math as readable Unicode,
        each entry with its categories and authors. Links use the configured site URL; a
        publishing build (``BLOGKIT_PUBLISH=1`` or ``gh-deploy``) still on the loopback
        default is warned about, which fails it under ``--strict``."""
        base = (config.get("site_url") or "").rstrip("/") + "/"
        if (self.publishing and not self.serving
                and re.match(r"https?://(127\.0\.0\.1|localhost)\b", base)):
            log.warning("blogkit: publishing with site_url %s: the feed, citations and BibTeX "
                        "would point at this machine; set BLOGKIT_SITE_URL", base)
        posts = sorted(self.index.posts.values(), key=lambda p: (p.date, p.slug), reverse=True)
        updated = max((p.date for p in posts), default=build_date())
        entries = []
        for p in posts:
            link = base + self.page_urls.get(p.src_uri, "")
            entries.append(
                "<entry>"
                f"<title>{escape(p.title)}</title><link href=\"{escape(link)}\"/>"
                f"<id>{escape(link)}</id><updated>{p.date.isoformat()}T00:00:00Z</updated>"
                f"<published>{p.date.isoformat()}T00:00:00Z</published>"
                f"<summary>{escape(self.summaries.get(p.src_uri, ''))}</summary>"
                + "".join(f'<category term="{escape(str(c))}"/>'
                          for c in p.meta.get("categories") or [])
                + "".join(f"<author><name>{escape(self.authors.get(a, a))}</name></author>"
                          for a in p.meta.get("authors") or [])
                + "</entry>")
        feed = ('<?xml version="1.0" encoding="utf-8"?>\n'
                '<feed xmlns="http://www.w3.org/2005/Atom">'
                f"<title>{escape(config['site_name'])}</title>"
                f"<subtitle>{escape(config.get('site_description') or '')}</subtitle>"
                f'<link href="{escape(base)}"/><link rel="self" href="{escape(base)}feed.xml"/>'
                f"<id>{escape(base)}</id><updated>{updated.isoformat()}T00:00:00Z</updated>"
                f"<author><name>{escape(config.get('site_author') or 'blogkit')}</name></author>"
                + "".join(entries) + "</feed>\n")
        (site_dir / "feed.xml").write_text(feed, encoding="utf-8")

    def _copy_mathjax(self, config: Any) -> None:
        root = mathjax_root()
        dest = Path(config["site_dir"]) / "assets" / "mathjax"
        for part in _MATHJAX_PARTS:
            src = root / part
            if src.is_dir():
                shutil.copytree(src, dest / part, dirs_exist_ok=True)
            else:
                (dest / part).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, dest / part)


def notebook_outputs(output: str) -> list[dict[str, Any]]:
    """A block's page output as notebook outputs: each figure a rich HTML display (its SVG
    and caption), the Markdown between them (tables, text) a Markdown display; the inline
    value markers, which only the site reads, are dropped."""
    output = VALUE_RE.sub("", output)
    outs: list[dict[str, Any]] = []
    last = 0
    for m in [*FIGURE_RE.finditer(output), None]:
        text = output[last:m.start() if m else len(output)].strip()
        if text:
            outs.append({"output_type": "display_data", "metadata": {},
                         "data": {"text/markdown": text, "text/plain": text}})
        if m is None:
            break
        caption = re.sub(r"<[^>]+>", "", m.group(0).split("<figcaption>")[-1]) \
            if "<figcaption>" in m.group(0) else "figure"
        outs.append({"output_type": "display_data", "metadata": {},
                     "data": {"text/html": m.group(0), "text/plain": f"<图：{caption}>"}})
        last = m.end()
    return outs


def number_figures(html: str) -> str:
    """Number a post's figures in page order: "图 k" opens each caption (one caption style on
    every page), and a figure without a label gets the anchor ``fig-k``."""
    k = 0

    def one(m: re.Match[str]) -> str:
        nonlocal k
        k += 1
        fig = m.group(0)
        if not FIGURE_OPEN_RE.match(fig).group(1):  # type: ignore[union-attr]
            fig = fig.replace('<figure class="bk-figure"', f'<figure class="bk-figure" id="fig-{k}"', 1)
        num = f'<span class="bk-fig-num">图&nbsp;{k}</span>'
        if "<figcaption>" in fig:
            return fig.replace("<figcaption>", f"<figcaption>{num}", 1)
        return fig.replace("</figure>", f"<figcaption>{num}</figcaption></figure>")

    return FIGURE_RE.sub(one, html)


def _failure_html(title: str, message: str) -> str:
    return (f'<div class="admonition failure"><p class="admonition-title">{escape(title)}</p>'
            f"<pre><code>{escape(message)}</code></pre></div>")
