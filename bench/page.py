#!/usr/bin/env python3
"""Benchmark what a reader waits for: each post page, cold, in headless Chromium.

Usage: python bench/page.py SITE [SITE ...] [--runs N] [--posts K]

Each SITE is a built site folder (``mkdocs build -d SITE``), served from loopback. For every
post page and every site, N cold loads (a new browser context each: empty cache) are timed from
navigation to *math and figures ready*: the page's load event, its web fonts loaded, every
figure image decoded, and, on a page that loads MathJax in the browser, MathJax's typesetting
done (``MathJax.startup.promise``). Loads of the sites are interleaved, so a burst of load on
the machine spoils one round rather than one site. The table reports per post and site the
median time, the bytes transferred and the number of requests (of the first load); the last
rows give the medians over the posts and each site's ratio to the first SITE.

Compare two builds, e.g. before and after a change::

    git worktree add /tmp/before HEAD~1 && (cd /tmp/before && mkdocs build -d /tmp/site-before)
    mkdocs build -d /tmp/site-after
    python bench/page.py /tmp/site-before /tmp/site-after
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import statistics
import sys
import threading
from pathlib import Path

CHROMIUM = os.environ.get("BLOGKIT_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

# Resolves once the page shows its final math and figures.
READY_JS = """async () => {
  if (document.readyState !== "complete")
    await new Promise((r) => window.addEventListener("load", r, {once: true}));
  if (window.MathJax && window.MathJax.startup && window.MathJax.startup.promise)
    await window.MathJax.startup.promise;
  await document.fonts.ready;
  await Promise.all([...document.querySelectorAll("figure img")].map((i) => i.decode().catch(() => null)));
  return performance.now();
}"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass

    def handle(self) -> None:
        try:
            super().handle()
        except (BrokenPipeError, ConnectionResetError):
            pass  # a context closed while a lazily loaded file was still being sent


def serve(folder: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def post_paths(site: Path) -> list[str]:
    """The post pages of a site (blog/posts/... or dated URLs), as URL paths."""
    pages = []
    for html in sorted(site.rglob("index.html")):
        rel = html.parent.relative_to(site).as_posix()
        text = html.read_text(encoding="utf-8", errors="replace")
        if 'class="bk-source"' in text:  # the credit line only posts carry
            pages.append(rel + "/")
    return pages


def load(browser, url: str) -> tuple[float, int, int]:
    """One cold load: (ms to ready, bytes transferred, requests)."""
    ctx = browser.new_context()
    page = ctx.new_page()
    responses = []
    page.on("requestfinished", lambda req: responses.append(req))
    page.goto(url, wait_until="commit")
    ms = page.evaluate(READY_JS)
    total = 0
    for req in responses:
        try:
            sizes = req.sizes()
            total += sizes["responseBodySize"] + sizes["responseHeadersSize"]
        except Exception:  # a request without sizes counts as 0 bytes
            pass
    n = len(responses)
    ctx.close()
    return ms, total, n


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("sites", nargs="+", type=Path)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--posts", type=int, default=0, help="only the first K posts (0: all)")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    servers = [serve(s) for s in args.sites]
    paths = post_paths(args.sites[-1])
    if args.posts:
        paths = paths[:args.posts]
    times: dict[tuple[str, int], list[float]] = {}
    first: dict[tuple[str, int], tuple[int, int]] = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        for path in paths:
            for r in range(args.runs):
                order = range(len(servers)) if r % 2 == 0 else reversed(range(len(servers)))
                for k in order:
                    ms, size, n = load(browser, servers[k][1] + path)
                    times.setdefault((path, k), []).append(ms)
                    first.setdefault((path, k), (size, n))
        browser.close()
    for server, _ in servers:
        server.shutdown()

    names = [s.name for s in args.sites]
    head = " | ".join(f"{n}: ms | KB | req" for n in names)
    print(f"| post | {head} |")
    print("|:--|" + "--:|--:|--:|" * len(names))
    med = {k: statistics.median(v) for k, v in times.items()}
    for path in paths:
        cells = []
        for k in range(len(names)):
            size, n = first[(path, k)]
            cells.append(f"{med[(path, k)]:.0f} | {size / 1024:.0f} | {n}")
        print(f"| {path.rstrip('/').rsplit('/', 1)[-1]} | " + " | ".join(cells) + " |")
    cells = []
    for k in range(len(names)):
        ms = statistics.median(med[(p, k)] for p in paths)
        kb = statistics.median(first[(p, k)][0] for p in paths) / 1024
        req = statistics.median(first[(p, k)][1] for p in paths)
        cells.append(f"**{ms:.0f}** | **{kb:.0f}** | **{req:.0f}**")
    print("| median over posts | " + " | ".join(cells) + " |")
    if len(names) > 1:
        ratios = []
        for k in range(1, len(names)):
            r = statistics.median(med[(p, k)] / med[(p, 0)] for p in paths)
            ratios.append(f"{names[k]}/{names[0]} time: {r:.2f}×")
        worst = {names[k]: max(med[(p, k)] for p in paths) for k in range(len(names))}
        print("\n" + "; ".join(ratios) + "; slowest post: "
              + ", ".join(f"{n} {v:.0f} ms" for n, v in worst.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
