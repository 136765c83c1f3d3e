"""The plugin's options (``plugins: - blogkit: ...`` in mkdocs.yml) and environment switches."""

from __future__ import annotations

import os

from mkdocs.config import config_options
from mkdocs.config.base import Config

__all__ = ["DEFAULT_TABS", "ENGINE_ONLY_OPTIONS", "READER_SCRIPTS", "TABS", "BlogkitConfig",
           "add_scripts", "env_flag"]

ENGINE_ONLY_OPTIONS = frozenset({"timeout"})
"""Block options only the engine reads: markdown-exec must not see them."""
DEFAULT_TABS = ("Source", "Result")  # markdown-exec's default tab titles
TABS = ("代码", "结果")
READER_SCRIPTS = ("assets/blogkit/figures.js", "assets/blogkit/tables.js",
                  "assets/blogkit/copy-tex.js")
"""The site's own scripts (enlarging figures, marking wide tables that scroll, copying a
formula's TeX), added to ``extra_javascript``. No page loads MathJax: formulas are typeset when
the site is built (``math.py``)."""


def env_flag(name: str) -> bool | None:
    """An environment switch: None when unset or empty, False for 0/no/off/false, else True."""
    value = os.environ.get(name)
    if value is None or value == "":
        return None
    return value.strip().lower() not in {"0", "no", "off", "false"}


def add_scripts(extra_javascript: list[object], paths: tuple[str, ...]) -> None:
    """Append each script path to ``extra_javascript`` unless the configuration lists it."""
    for path in paths:
        if path not in [str(x) for x in extra_javascript]:
            extra_javascript.append(path)


class BlogkitConfig(Config):
    posts_dir = config_options.Type(str, default="blog/posts")
    """Folder of posts, relative to ``docs_dir``: every page below it must credit a source."""
    snippets_dir = config_options.Type(str, default="snippets")
    cache_dir = config_options.Type(str, default=".cache/blogkit-exec")
    math_cache_dir = config_options.Type(str, default=".cache/blogkit-math")
    """Typeset formulas, one entry per page (``BLOGKIT_MATH_CACHE_DIR`` moves it)."""
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
