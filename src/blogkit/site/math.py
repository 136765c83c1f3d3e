"""Formulas typeset when the site is built: MathJax run by Node, no MathJax in the browser.

``pymdownx.arithmatex`` (generic mode) marks every formula of a page, in the body, tables,
figure captions, the table of contents and the excerpts of listing pages, as
``<span class="arithmatex">\\(...\\)</span>`` or ``<div class="arithmatex">\\[...\\]</div>``.
:func:`typeset_page` replaces each with MathJax's CommonHTML markup, typeset by one long-lived
Node process per build (``math_render.cjs``, MathJax from ``node_modules``, installed by
``npm ci``). Equation numbers and ``\\label``/``\\eqref`` follow MathJax's AMS tagging, restarted
on every page; the ids of labelled equations (``mjx-eqn:<name>``) are real anchors of the page.

Each page's result is cached on disk, keyed by its formulas, the MathJax version and the
renderer's options, so a warm build starts no Node process at all, and a ``mkdocs serve``
reload typesets only the pages whose formulas changed.

A formula keeps its TeX source in ``data-tex`` (the copy handler ``copy-tex.js`` puts it on the
clipboard) and carries MathJax's assistive MathML for screen readers. A TeX error fails the
build with the page's file and line.
"""

from __future__ import annotations

import atexit
import functools
import hashlib
import json
import logging
import os
import re
import shutil
import subprocess
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape, unescape
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError

from blogkit.pages import nav_math

__all__ = [
    "ARITHMATEX_RE",
    "MATH_CSS",
    "MathError",
    "MathTypesetter",
    "PageMath",
    "Renderer",
    "StyleSheet",
    "css_rules",
    "font_files",
    "renderer_for",
    "typeset_nav",
    "typeset_page",
]

# What arithmatex (generic mode) writes for a formula.
ARITHMATEX_RE = re.compile(r'<(span|div) class="arithmatex">(.*?)</\1>', flags=re.S)
SCRIPT = Path(__file__).with_name("math_render.cjs")
MATH_CSS = "assets/blogkit/mathjax.css"
"""The site's math stylesheet, written at the end of the build (added to ``extra_css``)."""
FONTS_DIR = "assets/mathjax/fonts"
# Where the CSS finds the fonts, relative to itself.
FONT_URL = "../mathjax/fonts"
# The lite DOM cannot measure: it writes "height: NaNem" on labelled rows (ignored by browsers)
# and guessed pixel widths on text in \text{} (the browser's own width is the right one).
_NAN_STYLE_RE = re.compile(r' style="height: NaNem;"')
_UTEXT_WIDTH_RE = re.compile(r'(<mjx-utext style="[^"]*?)width: [0-9.]+px; ?')


class MathError(Exception):
    """A formula MathJax cannot typeset, located in the page's source."""


@dataclass
class PageMath:
    """One page's typeset formulas: the HTML fragments in page order, the CSS rules they use,
    and the page's equation labels (name -> (tag, anchor id))."""

    html: list[str]
    css: str
    labels: dict[str, tuple[str, str]] = field(default_factory=dict)


class Renderer:
    """The Node process that typesets formulas, started on first use and kept for the build
    (for ``mkdocs serve``, for the whole session)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.node_modules = root / "node_modules"
        self._proc: subprocess.Popen[str] | None = None
        self._lock = threading.Lock()
        self._version: str | None = None

    def _start(self) -> subprocess.Popen[str]:
        if self._proc is not None and self._proc.poll() is None:
            return self._proc
        node = shutil.which("node")
        if node is None:
            raise MathError("Node.js is needed to typeset the formulas at build time: install "
                            "it (Debian: apt-get install nodejs npm), then run `npm ci` in "
                            f"{self.root}")
        if not (self.node_modules / "mathjax-full" / "package.json").is_file():
            raise MathError(f"MathJax is not installed in {self.node_modules}: run `npm ci` in "
                            f"{self.root} (python3 dev.py does it)")
        env = dict(os.environ, NODE_PATH=str(self.node_modules), BLOGKIT_MATH_FONT_URL=FONT_URL)
        self._proc = subprocess.Popen([node, str(SCRIPT)], stdin=subprocess.PIPE,
                                      stdout=subprocess.PIPE, text=True, encoding="utf-8",
                                      env=env, cwd=self.root)
        return self._proc

    def request(self, payload: dict) -> dict:
        with self._lock:
            proc = self._start()
            assert proc.stdin is not None and proc.stdout is not None
            proc.stdin.write(json.dumps(payload, ensure_ascii=False) + "\n")
            proc.stdin.flush()
            line = proc.stdout.readline()
            if not line:
                code = proc.wait()
                self._proc = None
                raise MathError(f"the MathJax renderer ({SCRIPT.name}) exited with status {code}")
            return json.loads(line)

    @property
    def version(self) -> str:
        """MathJax's version, read from its package (no process needed)."""
        if self._version is None:
            try:
                meta = json.loads((self.node_modules / "mathjax-full" / "package.json")
                                  .read_text(encoding="utf-8"))
            except FileNotFoundError as exc:
                raise MathError(f"MathJax is not installed in {self.node_modules}: run `npm ci` "
                                f"in {self.root} (python3 dev.py does it)") from exc
            self._version = str(meta["version"])
        return self._version

    def render(self, items: list[tuple[str, bool]]) -> dict:
        return self.request({"items": items})

    def close(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            assert self._proc.stdin is not None
            self._proc.stdin.close()
            try:
                self._proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
        self._proc = None


log = logging.getLogger("mkdocs.plugins.blogkit")

_RENDERERS: dict[Path, Renderer] = {}


def renderer_for(root: Path) -> Renderer:
    """The project's renderer, shared by every build of this Python process (``mkdocs serve``
    creates a new plugin for each rebuild; the Node process outlives it)."""
    root = root.resolve()
    if root not in _RENDERERS:
        _RENDERERS[root] = Renderer(root)
    return _RENDERERS[root]


@atexit.register
def _close_all() -> None:
    for r in _RENDERERS.values():
        r.close()


def font_files(root: Path) -> list[Path]:
    """MathJax's TeX fonts (woff), which the CSS loads on demand."""
    folder = root / "node_modules" / "mathjax-full" / "es5" / "output" / "chtml" / "fonts" / "woff-v2"
    return sorted(folder.glob("*.woff"))


def _formula(inner: str, tag: str) -> tuple[str, bool]:
    """The TeX of an arithmatex element and whether it is displayed."""
    tex = unescape(inner).strip()
    if tex.startswith("\\(") and tex.endswith("\\)"):
        return tex[2:-2], False
    if tex.startswith("\\[") and tex.endswith("\\]"):
        return tex[2:-2], True
    return tex, tag == "div"  # \begin{equation}...\end{equation} written bare


def _line_of(tex: str, source: str | None) -> int | None:
    """The line of the source file where a formula's TeX starts (its first 60 characters)."""
    if not source:
        return None
    probe = tex.strip()[:60]
    pos = source.find(probe)
    if pos < 0:
        first = probe.splitlines()[0] if probe else ""
        pos = source.find(first) if first else -1
    return source.count("\n", 0, pos) + 1 if pos >= 0 else None


@functools.cache
def _script_digest() -> str:
    return hashlib.sha256(SCRIPT.read_bytes()).hexdigest()


def _cache_key(items: list[tuple[str, bool]], version: str) -> str:
    blob = json.dumps({"mathjax": version, "font": FONT_URL,
                       "script": _script_digest(), "items": items},
                      ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _clean(html: str) -> str:
    html = _NAN_STYLE_RE.sub("", html)
    return _UTEXT_WIDTH_RE.sub(r"\1", html)


def typeset_page(html: str, *, renderer: Renderer, cache_dir: Path | None,
                 where: str, source: str | Callable[[], str | None] | None = None,
                 memo: dict[str, PageMath] | None = None,
                 used: set[str] | None = None) -> tuple[str, PageMath | None]:
    """Typeset every formula arithmatex marked in a page's HTML.

    ``where`` names the page's source file in errors and ``source`` is its text, or a function
    that reads it (for the line of a bad formula). Returns the new HTML and the page's
    :class:`PageMath` (``None`` when the page has no formula); the page's cache key is added
    to ``used``. Raises :class:`MathError` for TeX that MathJax rejects."""
    found = list(ARITHMATEX_RE.finditer(html))
    if not found:
        return html, None
    items = [_formula(m.group(2), m.group(1)) for m in found]
    key = _cache_key(items, renderer.version)
    page = memo.get(key) if memo is not None else None
    path = cache_dir / key[:2] / f"{key}.json" if cache_dir is not None else None
    if page is None and path is not None and path.is_file():
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            page = PageMath(data["html"], data["css"],
                            {k: tuple(v) for k, v in data["labels"].items()})
            if len(page.html) != len(items):
                page = None
        except (ValueError, KeyError, TypeError, AttributeError):
            page = None  # a damaged entry is typeset again and rewritten
    if page is None:
        answer = renderer.render(items)
        err = answer.get("error")
        if err:
            i = err["index"]
            if i < 0:
                raise MathError(f"{where}: {err['message']}")
            tex = items[i][0]
            line = _line_of(tex, source() if callable(source) else source)
            snippet = tex.strip().replace("\n", " ")
            raise MathError(f"{where}{f':{line}' if line else ''}: TeX error in formula "
                            f"{snippet[:120]!r}: {err['message']}")
        # the cache holds MathJax's own output; what this module makes of it is applied on
        # every use, so a change here can never leave stale markup behind
        page = PageMath(answer["html"], answer["css"],
                        {k: (v["tag"], v["id"]) for k, v in answer["labels"].items()})
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps({"html": page.html, "css": page.css,
                                       "labels": {k: list(v) for k, v in page.labels.items()}},
                                      ensure_ascii=False), encoding="utf-8")
            os.replace(tmp, path)
    if memo is not None:
        memo[key] = page
    if used is not None:
        used.add(key)
    out, last = [], 0
    for m, (tex, display), frag in zip(found, items, page.html, strict=True):
        tag = "div" if display else "span"
        cls = "bk-math bk-math--display" if display else "bk-math"
        out += [html[last:m.start()],
                f'<{tag} class="{cls}" data-tex="{escape(tex)}">{_clean(frag)}</{tag}>']
        last = m.end()
    out.append(html[last:])
    return "".join(out), page


def css_rules(css: str) -> list[tuple[str, str]]:
    """Split a flat stylesheet (no nested blocks) into ``(selector, body)`` pairs. Braces and
    quotes inside strings count as text: MathJax draws ``{`` with ``content: "{"``."""
    rules: list[tuple[str, str]] = []
    i, start, n = 0, 0, len(css)
    selector: str | None = None
    quote = ""
    while i < n:
        c = css[i]
        if quote:
            if c == "\\":
                i += 1  # an escaped character inside the string
            elif c == quote:
                quote = ""
        elif c in "\"'":
            quote = c
        elif c == "{" and selector is None:
            selector, start = css[start:i], i + 1
        elif c == "}" and selector is not None:
            rules.append((selector.strip(), css[start:i].strip()))
            selector, start = None, i + 1
        i += 1
    if selector is not None or quote:
        raise ValueError(f"unbalanced stylesheet near {css[start - 40:start + 40]!r}")
    return rules


class StyleSheet:
    """The union, over the pages of a build, of the CSS rules their formulas need: written
    once as ``assets/blogkit/mathjax.css`` for the whole site. Rules keep the order in which
    they first appear (pages in build order), so two builds write the same file."""

    def __init__(self) -> None:
        self._rules: dict[str, str] = {}

    def add(self, css: str) -> None:
        for raw_selector, raw_body in css_rules(css):
            # MathJax numbers @font-face rules per page ("@font-face /* 3 */"): not part of
            # the rule's identity
            selector = re.sub(r"/\*.*?\*/", "", raw_selector).strip()
            body = "\n".join(line.strip() for line in raw_body.splitlines())
            self._rules.setdefault(f"{selector}\n{body}", f"{selector} {{\n  "
                                   + body.replace("\n", "\n  ") + "\n}\n")

    def text(self) -> str:
        return "".join(self._rules.values())

    def __len__(self) -> int:
        return len(self._rules)


def typeset_nav(html: str) -> str:
    """Mark the TeX that Material writes into navigation links (a heading's formula in the
    table of contents) as arithmatex does in the body, so that it is typeset too."""
    if "md-nav__link" in html and "\\(" in html:
        return nav_math(html)
    return html


# Pages typeset in this Python process, by cache key: `mkdocs serve` keeps them across rebuilds.
_MEMO: dict[str, PageMath] = {}


class MathTypesetter:
    """The math of one build: typesets each written page, checks a post's equation numbers
    against the post index (which the links from other posts print), registers the equation
    anchors for MkDocs' link validation, and writes the stylesheet and fonts at the end."""

    def __init__(self, root: Path, cache_dir: Path | None, *, serving: bool = False) -> None:
        self.root = root
        self.cache_dir = cache_dir
        # `mkdocs serve` shows a bad formula in the page (and logs it) instead of stopping the
        # rebuild, which would leave the browser on the previous, stale version of the page
        self.serving = serving
        self.renderer = renderer_for(root)
        self.sheet = StyleSheet()
        self.used: set[str] = set()

    def typeset(self, html: str, page: Any, post: Any, *, docs_dir: Path) -> str:
        html = typeset_nav(html)
        where = f"{docs_dir.name}/{page.file.src_uri}"
        abs_src = getattr(page.file, "abs_src_path", None)

        def source() -> str | None:
            return Path(abs_src).read_text(encoding="utf-8") if abs_src else None

        try:
            html, math = typeset_page(html, renderer=self.renderer, cache_dir=self.cache_dir,
                                      where=where, source=source, memo=_MEMO, used=self.used)
        except MathError as exc:
            if not self.serving:
                raise PluginError(str(exc)) from exc
            log.error("blogkit: %s", exc)
            return _with_failure(html, str(exc))
        if math is None:
            return html
        self.sheet.add(math.css)
        if post is not None:
            for lb in post.labels:
                tag = math.labels.get(lb.name, ("", ""))[0]
                if lb.number and tag != lb.number:
                    raise PluginError(
                        f"{post.path}:{lb.line}: MathJax numbers \\label{{{lb.name}}} ({tag or 'no number'}) "
                        f"but the post index says ({lb.number}), which links from other posts "
                        "print: the numbering rules of blogkit.pages.equation_labels miss a case")
        anchors = getattr(page, "present_anchor_ids", None)
        if anchors is not None:
            anchors.update(i for _, i in math.labels.values() if f'id="{i}"' in html)
        return html

    def write_assets(self, site_dir: Path, *, max_age_days: float = -1) -> None:
        """The stylesheet (the rules every page's formulas need) and MathJax's fonts; cache
        entries of pages this build did not typeset are dropped after ``max_age_days``."""
        css = site_dir / MATH_CSS
        css.parent.mkdir(parents=True, exist_ok=True)
        css.write_text(self.sheet.text(), encoding="utf-8")
        fonts = site_dir / FONTS_DIR
        fonts.mkdir(parents=True, exist_ok=True)
        for f in font_files(self.root):
            shutil.copy2(f, fonts / f.name)
        for key in [k for k in _MEMO if k not in self.used]:
            del _MEMO[key]
        if self.cache_dir is not None and max_age_days >= 0 and self.cache_dir.is_dir():
            import time

            cutoff = time.time() - max_age_days * 86400
            for path in self.cache_dir.glob("??/*.json"):
                if path.stem not in self.used and path.stat().st_mtime < cutoff:
                    path.unlink(missing_ok=True)


def _with_failure(html: str, message: str) -> str:
    """The page with a box naming the TeX error under its title; its formulas stay TeX."""
    from .execution import failure_html

    box = failure_html("公式排版失败", message)
    end = html.find("</h1>")
    if end >= 0:
        return html[:end + 5] + box + html[end + 5:]
    start = html.find("<article")
    start = html.find(">", start) + 1 if start >= 0 else 0
    return html[:start] + box + html[start:]
