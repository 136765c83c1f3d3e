"""A real browser over the built site: Debian Chromium, headless, loopback only.

Every request that does not go to 127.0.0.1 is aborted and counted. On every post page: no
MathJax script is requested (formulas are typeset at build time), every formula is rendered
markup without an error node, each ``\\eqref`` link (same post and cross-post) lands on its
equation, every figure has a size, and the console stays free of errors.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from blogkit.pages import equation_labels
from conftest import Post

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("BLOGKIT_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        msg = f"Chromium not found at {CHROMIUM} (dev.py test installs Debian's chromium)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(msg + ": under CI a missing browser is a failure")
        pytest.skip(msg)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


class Page:
    """A page opened with every non-loopback request aborted and all errors recorded."""

    def __init__(self, browser: object, url: str) -> None:
        self.external: list[str] = []
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.page = self.context.new_page()
        self.page.route("**/*", self._route)
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(url, wait_until="load")

    def _route(self, route: object) -> None:
        self.requests.append(route.request.url)
        host = urlparse(route.request.url).hostname
        if route.request.url.startswith(("data:", "blob:")) or host == "127.0.0.1":
            route.continue_()
        else:
            self.external.append(route.request.url)
            route.abort()

    def wait_for_math(self) -> None:
        """Formulas are typeset at build time: nothing to wait for but the math fonts."""
        self.page.evaluate("() => document.fonts.ready.then(() => true)")

    def mathjax_scripts(self) -> list[str]:
        return [u for u in self.requests
                if "mathjax" in u.lower() and urlparse(u).path.endswith(".js")]

    def close(self) -> None:
        self.context.close()


def test_home_page(browser: object, site_url: str, posts: list[Post]) -> None:
    p = Page(browser, site_url)
    try:
        titles = p.page.locator("article.md-post h2").all_inner_texts()
        assert len(titles) == min(len(posts), 5)
        assert not p.external and not p.errors, (p.external, p.errors)
    finally:
        p.close()


def test_post_pages_in_a_real_browser(browser: object, site_url: str, posts: list[Post]) -> None:
    for post in posts:
        p = Page(browser, site_url + post.url)
        try:
            p.wait_for_math()
            page = p.page
            # No MathJax in the browser: every formula arrives typeset, none failed.
            assert not p.mathjax_scripts(), f"{post.slug}: {p.mathjax_scripts()}"
            assert page.evaluate("() => window.MathJax === undefined"), post.slug
            assert page.locator(".arithmatex").count() == 0, f"{post.slug}: untypeset formula"
            assert page.locator("mjx-merror, [data-mjx-error]").count() == 0, post.slug
            n_math = page.locator(".bk-math").count()
            assert n_math == page.locator(".bk-math > mjx-container").count() > 0, post.slug
            # Typeset math is visible: every formula has a width (the glyph styles and fonts
            # were applied) ...
            widths = page.eval_on_selector_all(
                ".md-content mjx-container", "els => els.map(e => e.getBoundingClientRect().width)")
            assert widths and min(widths) > 1, f"{post.slug}: invisible formulas {widths[:5]}"
            # ... and carries MathML for screen readers.
            assert page.locator(".bk-math mjx-assistive-mml math").count() == n_math, post.slug
            # Headings with math are typeset in the table of contents too, not shown as TeX.
            toc = page.eval_on_selector_all(".md-nav--secondary .md-nav__link",
                                            "els => els.map(e => e.textContent)")
            assert not [t for t in toc if "\\(" in t], f"{post.slug}: raw TeX in the TOC"
            n_display = page.locator('.md-content mjx-container[display="true"]').count()
            n_envs = len(re.findall(r"\\begin\{(?:equation|align|gather|multline)\*?\}", post.body))
            assert n_display >= n_envs, f"{post.slug}: {n_display} displays for {n_envs} environments"
            # Every numbered \label in the post became an equation tag on the page ...
            labels = {lb.name for lb in equation_labels(post.body)[0] if lb.number}
            ids = set(page.eval_on_selector_all(
                "[id^='mjx-eqn']", "els => els.map(e => decodeURIComponent(e.id))"))
            for label in labels:
                assert f"mjx-eqn:{label}" in ids, f"{post.slug}: label {label} not typeset"
            # ... every \eqref is a link to one of them, and following it lands on the equation.
            hrefs = page.eval_on_selector_all(
                "mjx-container a[href^='#mjx-eqn']", "els => els.map(e => e.getAttribute('href'))")
            # (references to another post's labels become plain links at build time)
            refs = [r for r in re.findall(r"\\eqref\{([^}]+)\}", post.body) if r in labels]
            assert len(hrefs) >= len(refs), f"{post.slug}: {len(refs)} eqref, {len(hrefs)} links"
            for href in hrefs:
                assert unquote(href[1:]) in ids, f"{post.slug}: dangling equation link {href}"
            if hrefs:
                link = page.locator("mjx-container a[href^='#mjx-eqn']").first
                link.click()
                target = unquote(hrefs[0][1:])
                assert page.evaluate("""id => { const r = document.getElementById(id)
                    .getBoundingClientRect(); return r.bottom > 0 && r.top < innerHeight; }""",
                                     target), f"{post.slug}: {hrefs[0]} does not land in view"
            # References to another post's equations: the target page has that equation tag.
            for href in page.eval_on_selector_all(
                    "article a[href*='#mjx-eqn'], .md-content a[href*='#mjx-eqn']",
                    "els => els.filter(e => !e.closest('mjx-container')).map(e => e.href)"):
                target = Page(browser, href)
                try:
                    anchor = unquote(href.split("#", 1)[1])
                    assert target.page.evaluate("""id => { const e = document.getElementById(id);
                        if (!e || !e.closest('.bk-math--display')) return false;
                        const r = e.getBoundingClientRect(); return r.bottom > 0 && r.top < innerHeight; }""",
                                                anchor), f"{post.slug}: cross-post link {href} does not land"
                finally:
                    target.close()
            # Figures are laid out with a real size.
            sizes = page.eval_on_selector_all(
                "figure.bk-figure svg",
                "els => els.map(e => [e.getBoundingClientRect().width,"
                " e.getBoundingClientRect().height])")
            assert sizes, f"{post.slug}: no figure"
            for w, h in sizes:
                assert w > 200 and h > 100, f"{post.slug}: figure of size {w}x{h}"
            assert "本文整理自" in page.locator(".bk-source").inner_text()
            assert not p.external, f"{post.slug}: requests left loopback: {p.external}"
            assert not p.errors, f"{post.slug}: console errors: {p.errors}"
        finally:
            p.close()


def _search(p: Page, query: str) -> list[str]:
    page = p.page
    page.click("label.md-search__icon, .md-search__input", timeout=5000)
    box = page.locator("input.md-search__input")
    box.fill(query)
    box.press("End")  # fill() sends no keyup; Material's search listens for keyup
    page.wait_for_function(
        "() => document.querySelector('.md-search-result__meta') && "
        "!/正在|Initializing|Type to/i.test(document.querySelector('.md-search-result__meta')"
        ".textContent)", timeout=20000)
    page.wait_for_timeout(300)
    return page.eval_on_selector_all("li.md-search-result__item a",
                                     "els => els.map(e => e.getAttribute('href'))")


def _words(posts: list[Post]) -> tuple[str, str, Post, Post]:
    """A Chinese word and an English word from post titles, with the posts they come from."""
    import jieba

    zh = en = None
    for post in posts:
        title = re.search(r"^#\s+(.+)$", post.body, flags=re.M).group(1)
        if zh is None:
            words = [w for w in jieba.cut(title) if re.fullmatch(r"[\u4e00-\u9fff]{2,}", w)]
            if words:
                zh = (max(words, key=len), post)
        if en is None:
            latin = re.findall(r"[A-Za-z]{4,}", title)
            if latin:
                en = (latin[0], post)
    assert zh and en, "need a Chinese and an English word in the post titles"
    return zh[0], en[0], zh[1], en[1]


def test_search_finds_chinese_and_english_words(browser: object, site_url: str,
                                                posts: list[Post]) -> None:
    zh, en, zh_post, en_post = _words(posts)
    for word, post in ((zh, zh_post), (en, en_post)):
        p = Page(browser, site_url)
        try:
            hrefs = _search(p, word)
            assert any(post.url in (h or "") for h in hrefs), f"search {word!r}: {hrefs}"
            assert not p.external and not p.errors, (p.external, p.errors)
        finally:
            p.close()


def test_series_links_citation_downloads_and_figure_zoom(browser: object, site_url: str,
                                                         posts: list[Post]) -> None:
    import contextlib
    import subprocess
    import sys
    import urllib.request

    from conftest import ROOT

    in_series = [p for p in posts if re.search(r"^series:", p.meta_text, flags=re.M)]
    # The .py download of every eighth post runs (each snippet already ran once in the build)
    # while the pages are checked, each in a folder of its own (it saves its figures as files).
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    runs = []
    with contextlib.ExitStack() as stack:
        for post in posts[::8]:
            with urllib.request.urlopen(site_url + post.url + post.slug + ".py") as r:
                code = r.read().decode("utf-8")
            here = stack.enter_context(tempfile.TemporaryDirectory())
            runs.append((post, subprocess.Popen([sys.executable, "-c", code], cwd=here, env=env,
                                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                                text=True)))
        _check_series_citation_figures(browser, site_url, posts, in_series)
        for post, proc in runs:
            _, err = proc.communicate(timeout=600)
            assert proc.returncode == 0, f"{post.slug}.py failed: {err[-2000:]}"


def _check_series_citation_figures(browser: object, site_url: str, posts: list[Post],
                                   in_series: list[Post]) -> None:
    import json
    import urllib.request

    for post in posts:
        p = Page(browser, site_url + post.url)
        try:
            page = p.page
            assert "引用本文" in page.locator(".bk-cite").inner_text()
            assert "@online{blogkit:" in page.locator(".bk-cite pre").inner_text()
            # Figures enlarge with their own labelled button and close on Escape; the figure
            # stays a figure whose accessible name is its caption (not a "button").
            fig = page.locator("figure.bk-figure").first
            fig.scroll_into_view_if_needed()
            assert fig.get_attribute("role") is None
            button = fig.locator("button.bk-zoom-button")
            assert button.get_attribute("aria-label") == "放大图片"
            button.click()
            box = fig.locator("svg").bounding_box()
            assert "bk-zoom" in (fig.get_attribute("class") or "")
            assert button.get_attribute("aria-pressed") == "true"
            assert box and box["height"] > 0.6 * 900, f"{post.slug}: zoomed figure {box}"
            page.keyboard.press("Escape")
            assert "bk-zoom" not in (fig.get_attribute("class") or "")
            if fig.locator("figcaption").count():  # the caption names the figure
                snap = fig.aria_snapshot()
                assert snap.lstrip("- '").startswith('figure "图'), snap[:200]
            # Following "next" in a series lands on the next post of the series.
            nxt = page.locator("a.bk-next")
            if post in in_series and nxt.count():
                nxt.first.click()
                page.wait_for_load_state("load")
                assert page.locator("a.bk-prev").count() == 1
                page.locator("a.bk-prev").first.click()
                page.wait_for_load_state("load")
                assert page.url.rstrip("/").endswith(post.url.rstrip("/"))
            assert not p.external and not p.errors, (post.slug, p.external, p.errors)
        finally:
            p.close()
        # The notebook download is valid nbformat-4 JSON with code cells.
        with urllib.request.urlopen(site_url + post.url + post.slug + ".ipynb") as r:
            nb = json.loads(r.read().decode("utf-8"))
        assert nb["nbformat"] == 4 and any(c["cell_type"] == "code" for c in nb["cells"])


ENGLISH_UI = ["Result", "Source", "Made with", "Material for MkDocs", "Permanent link",
              "Not found", "Table of contents", "Back to top"]
# A line break of the source left between two Chinese characters (the browser shows it as a
# space); a space the author typed, e.g. after a bold run-in heading, is not one.
CJK_GAP = re.compile(r"[\u4e00-\u9fff，。：；？！][ \t]*\n\s*[\u4e00-\u9fff（“]")


def test_reads_as_a_chinese_publication(browser: object, site_url: str, posts: list[Post]) -> None:
    """On every post at 1280 px: no English interface string, no space left between two
    Chinese characters by a line break of the source, figure numbers 1, 2, … in page order,
    and no table or display equation clipped: each one wider than its box scrolls inside it
    and is marked so (visible scrollbar, edge shadows, a hint)."""
    for post in posts:
        p = Page(browser, site_url + post.url)
        try:
            page = p.page
            p.wait_for_math()
            page.wait_for_timeout(300)
            # The prose's own text, each formula replaced by a mark (MathJax draws its glyphs
            # with CSS, so a formula's text would be only its \\text{} parts and its MathML).
            prose = page.evaluate("""() => Array.from(document.querySelectorAll(
                'article p, article li')).filter(e => !e.closest('.bk-output, pre')).map(e => {
                const c = e.cloneNode(true);
                c.querySelectorAll('.bk-math').forEach(m => m.replaceWith('∎'));
                c.querySelectorAll('ul, ol, pre, .bk-output').forEach(m => m.remove());
                return c.textContent; }).join(' | ')""")
            gaps = [m.group(0) for m in CJK_GAP.finditer(prose)]
            assert not gaps, f"{post.slug}: stray spaces between Chinese characters: {gaps[:5]}"
            visible = page.evaluate("() => document.body.innerText")
            titles = page.evaluate("""() => Array.from(document.querySelectorAll(
                '[title], [aria-label]')).map(e => (e.getAttribute('title') || '') + ' ' +
                (e.getAttribute('aria-label') || '')).join(' | ')""")
            for word in ENGLISH_UI:
                assert not re.search(rf"\b{word}\b", visible + "\n" + titles), \
                    f"{post.slug}: English interface string {word!r}"
            nums = [int(x) for x in page.locator(".bk-fig-num").all_inner_texts()
                    for x in re.findall(r"\d+", x)]
            assert nums == list(range(1, len(nums) + 1)), f"{post.slug}: figure numbers {nums}"
            clipped = page.evaluate("""() => Array.from(document.querySelectorAll(
                '.md-typeset__scrollwrap, .md-typeset .bk-math--display')).filter(b =>
                b.scrollWidth > b.clientWidth + 1 && (!b.classList.contains('bk-scrolls') ||
                getComputedStyle(b).overflowX !== 'auto')).length""")
            assert clipped == 0, f"{post.slug}: {clipped} wide boxes without a scroll affordance"
        finally:
            p.close()


def test_formulas_copy_as_tex_and_fit_a_phone(browser: object, site_url: str,
                                              posts: list[Post]) -> None:
    """Copying a selection puts the formulas' TeX on the clipboard, a double click selects a
    whole formula, and at 390 px no display runs past the page: a wide one scrolls in its box."""
    post = max(posts, key=lambda p: len(re.findall(r"\\begin\{", p.body)))
    p = Page(browser, site_url + post.url)
    try:
        page = p.page
        page.set_viewport_size({"width": 390, "height": 800})
        p.wait_for_math()
        copy = """sel => { const dt = new DataTransfer();
            document.dispatchEvent(new ClipboardEvent('copy', {clipboardData: dt, bubbles: true}));
            return dt.getData('text/plain'); }"""
        # a paragraph holding an inline formula: its text with the formula as $TeX$
        para = page.locator("article p:has(.bk-math:not(.bk-math--display))").first
        tex = para.locator(".bk-math").first.get_attribute("data-tex")
        para.evaluate("e => { const r = document.createRange(); r.selectNodeContents(e);"
                      " getSelection().removeAllRanges(); getSelection().addRange(r); }")
        text = page.evaluate(copy, None)
        assert f"${tex}$" in text and "mjx" not in text, text[:200]
        # a double click on a display formula selects it; copying gives $$TeX$$
        display = page.locator(".md-content .bk-math--display").first
        display.scroll_into_view_if_needed()
        display.locator("mjx-container").dblclick()
        assert page.evaluate(copy, None) == f"$${display.get_attribute('data-tex')}$$"
        # no display formula reaches past the right edge of a phone's screen
        over = page.evaluate("""() => Array.from(document.querySelectorAll('.md-content .bk-math--display'))
            .filter(b => b.getBoundingClientRect().right > innerWidth + 1 ||
                    (b.scrollWidth > b.clientWidth + 1 && getComputedStyle(b).overflowX !== 'auto'))
            .length""")
        assert over == 0, f"{post.slug}: {over} display formulas clipped at 390 px"
        assert not p.errors, p.errors
    finally:
        p.close()


def test_listing_and_tag_pages_load_no_mathjax(browser: object, site_url: str) -> None:
    """The home page's excerpts show typeset formulas; no page loads MathJax's script."""
    for path in ("", "tags/"):
        p = Page(browser, site_url + path)
        try:
            assert not p.mathjax_scripts(), (path, p.mathjax_scripts())
            assert p.page.locator(".arithmatex, mjx-merror").count() == 0, path
        finally:
            p.close()
