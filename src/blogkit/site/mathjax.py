"""Math in the browser: MathJax 3.2.2 served from the site itself (no CDN, works offline).

It comes from the ``django-static-mathjax`` wheel and is copied into ``assets/mathjax/`` at
build time; TeX that Material writes into navigation links is marked so that MathJax typesets
it there too.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from blogkit.pages import nav_math

__all__ = ["MATHJAX_SCRIPTS", "copy_mathjax", "mathjax_root", "typeset_nav"]

MATHJAX_SCRIPTS = ("assets/blogkit/mathjax-config.js", "assets/mathjax/tex-chtml.js")
"""Added to ``extra_javascript``: the configuration first, then the bundle."""

# The parts of MathJax's es5 tree that tex-chtml.js loads: the bundle itself, its fonts, the
# TeX extensions it may autoload, and the a11y/ui components its menu may ask for.
_MATHJAX_PARTS = ("tex-chtml.js", "output/chtml/fonts/woff-v2", "input/tex/extensions",
                  "a11y", "ui", "adaptors")


def mathjax_root() -> Path:
    """The ``es5`` folder of the MathJax distribution shipped by ``django-static-mathjax``."""
    import mathjax

    return Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"


def copy_mathjax(site_dir: Path) -> None:
    """Copy the parts of MathJax the pages load into ``site_dir/assets/mathjax/``."""
    root = mathjax_root()
    dest = site_dir / "assets" / "mathjax"
    for part in _MATHJAX_PARTS:
        src = root / part
        if src.is_dir():
            shutil.copytree(src, dest / part, dirs_exist_ok=True)
        else:
            (dest / part).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / part)


def typeset_nav(html: str) -> str:
    """A written page with the TeX in its navigation links marked for MathJax."""
    if "md-nav__link" in html and "\\(" in html:
        return nav_math(html)
    return html
