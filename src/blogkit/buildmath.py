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
import hashlib
import json
import os
import re
import shutil
import subprocess
import threading
from dataclasses import dataclass, field
from html import escape, unescape
from pathlib import Path

__all__ = [
    "ARITHMATEX_RE",
    "MathError",
    "PageMath",
    "Renderer",
    "StyleSheet",
    "font_files",
    "renderer_for",
    "typeset_page",
]

# What arithmatex (generic mode) writes for a formula.
ARITHMATEX_RE = re.compile(r'<(span|div) class="arithmatex">(.*?)</\1>', flags=re.S)
SCRIPT = Path(__file__).with_name("math_render.cjs")
# Where the CSS (assets/blogkit/mathjax.css) finds the fonts, relative to itself.
FONT_URL = "../mathjax/fonts"
# Bumped when the markup written around MathJax's output changes (the cache key includes it).
MARKUP_VERSION = "1"
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


def _cache_key(items: list[tuple[str, bool]], version: str) -> str:
    blob = json.dumps({"mathjax": version, "font": FONT_URL, "markup": MARKUP_VERSION,
                       "script": hashlib.sha256(SCRIPT.read_bytes()).hexdigest(),
                       "items": items}, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _clean(html: str) -> str:
    html = _NAN_STYLE_RE.sub("", html)
    return _UTEXT_WIDTH_RE.sub(r"\1", html)


def typeset_page(html: str, *, renderer: Renderer, cache_dir: Path | None,
                 where: str, source: str | None = None,
                 memo: dict[str, PageMath] | None = None) -> tuple[str, PageMath | None]:
    """Typeset every formula arithmatex marked in a page's HTML.

    ``where`` names the page's source file in errors and ``source`` is its text (for the line
    of a bad formula). Returns the new HTML and the page's :class:`PageMath` (``None`` when
    the page has no formula). Raises :class:`MathError` for TeX that MathJax rejects."""
    found = list(ARITHMATEX_RE.finditer(html))
    if not found:
        return html, None
    items = [_formula(m.group(2), m.group(1)) for m in found]
    key = _cache_key(items, renderer.version)
    page = memo.get(key) if memo is not None else None
    path = cache_dir / key[:2] / f"{key}.json" if cache_dir is not None else None
    if page is None and path is not None and path.is_file():
        data = json.loads(path.read_text(encoding="utf-8"))
        page = PageMath(data["html"], data["css"], {k: tuple(v) for k, v in data["labels"].items()})
    if page is None:
        answer = renderer.render(items)
        err = answer.get("error")
        if err:
            i = err["index"]
            if i < 0:
                raise MathError(f"{where}: {err['message']}")
            tex = items[i][0]
            line = _line_of(tex, source)
            snippet = tex.strip().replace("\n", " ")
            raise MathError(f"{where}{f':{line}' if line else ''}: TeX error in formula "
                            f"{snippet[:120]!r}: {err['message']}")
        page = PageMath([_clean(h) for h in answer["html"]], answer["css"],
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
    out, last = [], 0
    for m, (tex, display), frag in zip(found, items, page.html, strict=True):
        tag = "div" if display else "span"
        cls = "bk-math bk-math--display" if display else "bk-math"
        out += [html[last:m.start()],
                f'<{tag} class="{cls}" data-tex="{escape(tex)}">{frag}</{tag}>']
        last = m.end()
    out.append(html[last:])
    return "".join(out), page


_RULE_RE = re.compile(r"([^{}]+)\{([^{}]*)\}")


class StyleSheet:
    """The union, over the pages of a build, of the CSS rules their formulas need: written
    once as ``assets/blogkit/mathjax.css`` for the whole site. Rules keep the order in which
    they first appear (pages in build order), so two builds write the same file."""

    def __init__(self) -> None:
        self._rules: dict[str, str] = {}

    def add(self, css: str) -> None:
        for m in _RULE_RE.finditer(css):
            # MathJax numbers @font-face rules per page ("@font-face /* 3 */"): not part of
            # the rule's identity
            selector = re.sub(r"/\*.*?\*/", "", m.group(1)).strip()
            body = "\n".join(line.strip() for line in m.group(2).strip().splitlines())
            self._rules.setdefault(f"{selector}\n{body}", f"{selector} {{\n  "
                                   + body.replace("\n", "\n  ") + "\n}\n")

    def text(self) -> str:
        return "".join(self._rules.values())

    def __len__(self) -> int:
        return len(self._rules)
