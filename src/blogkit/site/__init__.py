"""The ``blogkit`` MkDocs plugin (``plugin.py``); the entry point is ``blogkit.site:BlogkitPlugin``."""

from __future__ import annotations

from .plugin import EQREF_RE, BlogkitPlugin, _blank_code, mathjax_root, notebook_outputs, number_figures

__all__ = ["EQREF_RE", "BlogkitPlugin", "_blank_code", "mathjax_root", "notebook_outputs",
           "number_figures"]
