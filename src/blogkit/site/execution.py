"""Executed ``python exec="1"`` blocks: the engine of a build and markdown-exec's formatter.

``blogkit.engine`` runs each page's blocks before rendering (cached on disk by code and by the
blogkit modules they imported, each unit in a fresh process with a timeout); markdown-exec then
asks this module for each block's HTML, which is the cached output (figures slotted out, inline
value markers dropped) or a box naming the failure. Environment switches: ``BLOGKIT_EXEC=0``
shows code without running it, ``BLOGKIT_REFRESH=1`` re-runs everything,
``BLOGKIT_ALLOW_ERRORS=1`` publishes failures instead of failing the build, ``BLOGKIT_JOBS=N``
sets the number of parallel units, ``BLOGKIT_CACHE_DIR`` moves the cache,
``BLOGKIT_GOLDEN=0`` skips the comparison with approved outputs and ``BLOGKIT_REQUIRE_CACHE=1``
makes a cache miss an error.
"""

from __future__ import annotations

import logging
import os
from html import escape
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError

from blogkit.engine import Engine
from blogkit.engine.units import IncludeError
from blogkit.posts import FrontMatterError, read_text_located

from .config import DEFAULT_TABS, ENGINE_ONLY_OPTIONS, TABS, BlogkitConfig, env_flag
from .figures import FigureSlots
from .prose import VALUE_LINE_RE

__all__ = ["Execution", "check_failures", "failure_html", "make_engine", "prepare"]

log = logging.getLogger("mkdocs.plugins.blogkit")


def make_engine(root: Path, docs_dir: Path, options: BlogkitConfig) -> Engine:
    """The engine of one build, from the plugin options and the environment switches."""
    flag = env_flag
    jobs = int(os.environ.get("BLOGKIT_JOBS") or options.jobs or os.cpu_count() or 1)
    execute = flag("BLOGKIT_EXEC")
    engine = Engine(
        root, docs_dir, root / options.snippets_dir,
        root / os.environ.get("BLOGKIT_CACHE_DIR", options.cache_dir), jobs=jobs,
        timeout=float(options.timeout),
        max_output=int(options.max_output_mb * 2**20),
        max_memory=int(options.max_memory_mb * 2**20) or None,
        golden_root=(root / options.golden_dir
                     if options.golden_dir and flag("BLOGKIT_GOLDEN") is not False
                     else None),
        refresh=bool(flag("BLOGKIT_REFRESH") or options.refresh),
        execute=options.execute if execute is None else execute,
    )
    # The merge job of a sharded run: every unit must come from the (imported) cache.
    engine.require_cache = bool(flag("BLOGKIT_REQUIRE_CACHE"))
    return engine


def prepare(engine: Engine, files: Any, docs_dir: str, cache_max_age_days: float) -> None:
    """Run (or fetch from the cache) the executed blocks of every page in ``files``, then
    prune cache entries unused for ``cache_max_age_days`` (negative: keep everything)."""
    pages = {}
    for f in files.documentation_pages():
        try:
            text = (read_text_located(Path(f.abs_src_path), f"{Path(docs_dir).name}/{f.src_uri}")
                    if f.abs_src_path else "")
        except FrontMatterError as exc:
            raise PluginError(str(exc)) from exc
        if "exec=" in text:
            pages[f.src_uri] = text
    try:
        engine.prepare(pages)
    except IncludeError as exc:
        raise PluginError(str(exc)) from exc
    if engine.execute and cache_max_age_days >= 0:
        removed, freed = engine.prune_cache(cache_max_age_days * 86400)
        if removed:
            log.info("blogkit: pruned %d stale cache entries (%.1f MB)", removed, freed / 1e6)


class Execution:
    """markdown-exec's formatter for Python blocks, answering from the engine's results.

    ``engine`` is replaced on each build; the HTML memo and the figure slots live as long as
    the plugin (``mkdocs serve`` rebuilds reuse them). ``current_page`` is the page being
    rendered, set before its Markdown is converted.
    """

    def __init__(self, slots: FigureSlots) -> None:
        self.engine: Engine | None = None
        self.current_page: str | None = None
        self.slots = slots
        self.memo: dict[tuple[str, str, str], Any] = {}

    def format(self, *, code: str, md: Any, **options: Any) -> Any:
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
        found = self.engine.lookup(code, self.current_page, options.get("session"))
        if found is None or found[0].error is not None:
            return markdown_exec.base_format(language="python", run=self.run, code=code, md=md,
                                             **options)
        res, j = found
        output = res.outputs[j] if j < len(res.outputs) else ""
        key = (code, repr(sorted(options.items(), key=lambda kv: kv[0])), output)
        html = self.memo.get(key)
        if html is None:
            html = markdown_exec.base_format(language="python", run=self.run, code=code, md=md,
                                             **options)
            self.memo[key] = html
        return html

    def run(self, code: str, returncode: int | None = None, session: str | None = None,
            id: str | None = None, **extra: Any) -> str:
        """A block's output as page Markdown (markdown-exec's ``run``): the cached output, the
        failure box of the block that failed, nothing for the blocks after it."""
        assert self.engine is not None
        found = self.engine.lookup(code, self.current_page, session)
        if found is None:  # a block the engine could not see in the page source
            msg = (f"{self.current_page}: an executed block was not found by blogkit's engine "
                   "(write each executed block as a fenced block at the start of a line)")
            self.engine.errors.append(msg)
            log.error(msg)
            return failure_html("代码块未被执行引擎识别", msg)
        res, j = found
        if res.error is not None:
            failed = res.error.get("block", 0)
            if j == failed:
                partial_output = res.outputs[j] if j < len(res.outputs) else ""
                # The error box stands after the output, never glued onto a table it printed.
                return (partial_output.rstrip("\n") + "\n\n"
                        + failure_html("此代码块运行失败", res.message))
            if j > failed:
                return ""
        output = self.slots.slot(res.outputs[j] if j < len(res.outputs) else "")
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


def check_failures(errors: list[str], *, fail: bool) -> None:
    """Fail the build (when ``fail``) if any executed block failed, quoting the first."""
    if errors and fail:
        raise PluginError(f"{len(errors)} executed block(s) failed (set BLOGKIT_ALLOW_ERRORS=1 "
                          f"to publish them anyway); the first:\n{errors[0]}")


def failure_html(title: str, message: str) -> str:
    """The admonition that stands in for a block's output when it failed."""
    return (f'<div class="admonition failure"><p class="admonition-title">{escape(title)}</p>'
            f"<pre><code>{escape(message)}</code></pre></div>")
