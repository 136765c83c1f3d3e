"""The ``blogkit`` MkDocs plugin: the site-level features of the blog, one module each.

Feature -> module:

* MkDocs events, handing each to the modules below: ``plugin.py`` (``BlogkitPlugin``)
* plugin options and environment switches: ``config.py`` (``BlogkitConfig``)
* the posts (front matter, equation labels) and authors, read before rendering: ``index.py``
* running the ``python exec="1"`` blocks (engine, markdown-exec formatter): ``execution.py``
* the execution report page and ``execution-report.json``: ``report.py``
* prose references: ``$\\eqref{..}$`` across posts, ``[[v:name]]``, ``[[fig:label]]``:
  ``prose.py``
* figures slotted out of Markdown, put back and numbered "图 k": ``figures.py``
* series pages, the series box, previous/next links: ``series.py``
* the source credit, the citation box, the receipt line: ``credits.py``
* each post's code as ``.py`` and ``.ipynb`` downloads: ``downloads.py``
* the Atom feed ``feed.xml``: ``feed.py``
* formulas typeset at build time by MathJax in Node (``math_render.cjs``), equation
  anchors, the math stylesheet and fonts: ``math.py``

The entry point (``pyproject.toml``) is ``blogkit.site:BlogkitPlugin``; the names below are
re-exported for code that imports them from ``blogkit.site``.
"""

from __future__ import annotations

from .config import BlogkitConfig
from .downloads import notebook_outputs
from .figures import number_figures
from .plugin import BlogkitPlugin
from .prose import EQREF_RE, blank_code

__all__ = ["EQREF_RE", "BlogkitConfig", "BlogkitPlugin", "blank_code",
           "notebook_outputs", "number_figures"]
