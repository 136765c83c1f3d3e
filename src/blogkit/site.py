"""The ``blogkit`` MkDocs plugin: the site-level features of the blog.

* Math is served from the site itself: MathJax 3.2.2 comes from the ``django-static-mathjax``
  wheel and is copied into ``assets/mathjax/`` at build time (no CDN, works offline).
* Executed ``python exec="1"`` blocks run through ``blogkit.engine``: cached on disk by code
  and by the blogkit modules they imported, each unit in a fresh process with a timeout,
  failures located by page, snippet and line, and a report page plus ``execution-report.json``.
  Environment switches: ``BLOGKIT_EXEC=0`` shows code without running it, ``BLOGKIT_REFRESH=1``
  re-runs everything, ``BLOGKIT_ALLOW_ERRORS=1`` publishes failures instead of failing the build,
  ``BLOGKIT_JOBS=N`` sets the number of parallel units.
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
import json
import logging
import os
import shutil
from functools import partial
from html import escape
from pathlib import Path
from typing import Any

from mkdocs.config import config_options
from mkdocs.config.base import Config
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File

from blogkit.engine import Engine, build_date, git_commit

__all__ = ["BlogkitPlugin", "mathjax_root"]

log = logging.getLogger("mkdocs.plugins.blogkit")

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
    report_page = config_options.Type(str, default="execution-report.md")


class BlogkitPlugin(BasePlugin[BlogkitConfig]):
    serving = False
    engine: Engine | None = None
    _current_page: str | None = None

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.serving = command == "serve"

    def on_config(self, config: Any) -> Any:
        import markdown_exec

        root = Path(config["config_file_path"]).resolve().parent
        flag = _env_flag
        self.allow_errors = flag("BLOGKIT_ALLOW_ERRORS") or self.config.allow_errors
        jobs = int(os.environ.get("BLOGKIT_JOBS") or self.config.jobs or os.cpu_count() or 1)
        self.engine = Engine(
            root, Path(config["docs_dir"]), root / self.config.snippets_dir,
            root / self.config.cache_dir, jobs=jobs, timeout=float(self.config.timeout),
            refresh=bool(flag("BLOGKIT_REFRESH") or self.config.refresh),
            execute=self.config.execute if flag("BLOGKIT_EXEC") is None else bool(flag("BLOGKIT_EXEC")),
        )
        self.commit = git_commit(root)
        fmt = partial(markdown_exec.base_format, language="python", run=self._run)
        markdown_exec.formatters["python"] = markdown_exec.formatters["py"] = fmt
        js = config["extra_javascript"]
        for path in ("assets/blogkit/mathjax-config.js", "assets/mathjax/tex-chtml.js"):
            if path not in [str(x) for x in js]:
                js.append(path)
        return config

    # -- execution ---------------------------------------------------------------------------
    def on_files(self, files: Any, *, config: Any) -> Any:
        pages = {}
        for f in files.documentation_pages():
            text = Path(f.abs_src_path).read_text(encoding="utf-8") if f.abs_src_path else ""
            if "exec=" in text:
                pages[f.src_uri] = text
        assert self.engine is not None
        self.engine.prepare(pages)
        if self.config.report_page:
            files.append(File.generated(config, self.config.report_page,
                                        content=self._report_markdown()))
        return files

    def _run(self, code: str, returncode: int | None = None, session: str | None = None,
             id: str | None = None, **extra: Any) -> str:
        assert self.engine is not None
        found = self.engine.lookup(code, self._current_page)
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
                return partial_output + _failure_html("此代码块运行失败", res.message)
            if j > failed:
                return ""
        return res.outputs[j] if j < len(res.outputs) else ""

    def _report_markdown(self) -> str:
        assert self.engine is not None
        rep = self.engine.report()
        env = rep["environment"]
        lines = ["# 执行报告", "",
                 f"本次构建共 {len(rep['units'])} 个执行单元({rep['blocks']} 个代码块),"
                 f"其中实际运行 {rep['executed']} 个,其余来自缓存。", "",
                 f"环境:Python {env['python']} · numpy {env['numpy']} · torch {env['torch']} · "
                 f"matplotlib {env['matplotlib']} · 设备 {env['device']} · 提交 {rep['git_commit']}",
                 "", "| 页面 | 单元 | 行 | 缓存 | 用时 (s) | 设备 | 结果 |",
                 "|:--|:--|--:|:-:|--:|:--|:-:|"]
        for u in rep["units"]:
            lines.append(f"| `{u['page']}` | `{u['unit']}` | {u['line']} | {u['cache']} | "
                         f"{u['seconds']:.3f} | {u['device']} | {'✓' if u['ok'] else '✗'} |")
        lines += ["", "同样的数据以 JSON 形式见 <a href=\"../execution-report.json\">execution-report.json</a>。"]
        return "\n".join(lines) + "\n"

    def _is_post(self, page: Any) -> bool:
        src = page.file.src_uri
        return src.startswith(self.config.posts_dir.rstrip("/") + "/")

    def on_page_markdown(self, markdown: str, *, page: Any, config: Any, files: Any) -> str:
        self._current_page = page.file.src_uri
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
        end = 0 if end < 0 else end + len("</h1>")
        return html[:end] + credit + html[end:] + self._receipt(page)

    def _receipt(self, page: Any) -> str:
        """The line at the foot of a post: where and with what its numbers were computed."""
        assert self.engine is not None
        results = self.engine.results.get(page.file.src_uri) or []
        if not results:
            return ""
        devices = sorted({r.device for r in results})
        env = self.engine.report()["environment"]
        return (f'<p class="bk-receipt">数值与图表于构建时生成:设备 {escape(", ".join(devices))}'
                f" · torch {escape(env['torch'])} · 提交 {escape(self.commit)}"
                f" · {build_date().isoformat()}</p>")

    def on_post_build(self, *, config: Any) -> None:
        assert self.engine is not None
        report = Path(config["site_dir"]) / "execution-report.json"
        report.write_text(json.dumps(self.engine.report(), ensure_ascii=False, indent=1,
                                     sort_keys=True), encoding="utf-8")
        self._copy_mathjax(config)
        errors = self.engine.errors
        if errors and not self.serving and not self.allow_errors:
            raise PluginError(f"{len(errors)} executed block(s) failed (set BLOGKIT_ALLOW_ERRORS=1 "
                              f"to publish them anyway); the first:\n{errors[0]}")

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


def _failure_html(title: str, message: str) -> str:
    return (f'<div class="admonition failure"><p class="admonition-title">{escape(title)}</p>'
            f"<pre><code>{escape(message)}</code></pre></div>")
