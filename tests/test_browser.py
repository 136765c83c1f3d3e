"""A real browser over the built site: Debian Chromium, headless, loopback only.

Every request that does not go to 127.0.0.1 is aborted and counted. On every post page:
MathJax typesets without error nodes, each ``\\eqref`` link points at an equation label that
exists on the page, every figure has a size, and the console stays free of errors.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

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
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.page = self.context.new_page()
        self.page.route("**/*", self._route)
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(url, wait_until="load")

    def _route(self, route: object) -> None:
        host = urlparse(route.request.url).hostname
        if route.request.url.startswith(("data:", "blob:")) or host == "127.0.0.1":
            route.continue_()
        else:
            self.external.append(route.request.url)
            route.abort()

    def wait_for_math(self) -> None:
        self.page.wait_for_function(
            "() => window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=30000)
        self.page.evaluate("() => MathJax.startup.promise")

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
            assert page.locator("mjx-merror, .MathJax_Error").count() == 0, post.slug
            # Typeset math is visible: every formula has a width (glyph styles were applied).
            widths = page.eval_on_selector_all(
                "mjx-container", "els => els.map(e => e.getBoundingClientRect().width)")
            assert widths and min(widths) > 1, f"{post.slug}: invisible formulas {widths[:5]}"
            n_display = page.locator('mjx-container[display="true"]').count()
            assert n_display >= len(re.findall(r"\\begin\{", post.body)) // 2, post.slug
            # Every \label in the post became an equation tag on the page ...
            labels = set(re.findall(r"\\label\{([^}]+)\}", post.body))
            ids = set(page.eval_on_selector_all(
                "[id^='mjx-eqn']", "els => els.map(e => decodeURIComponent(e.id))"))
            for label in labels:
                assert f"mjx-eqn:{label}" in ids, f"{post.slug}: label {label} not typeset"
            # ... and every \eqref is a link to one of them.
            hrefs = page.eval_on_selector_all(
                "mjx-container a[href^='#mjx-eqn']", "els => els.map(e => e.getAttribute('href'))")
            refs = re.findall(r"\\eqref\{([^}]+)\}", post.body)
            assert len(hrefs) >= len(refs), f"{post.slug}: {len(refs)} eqref, {len(hrefs)} links"
            for href in hrefs:
                assert unquote(href[1:]) in ids, f"{post.slug}: dangling equation link {href}"
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
