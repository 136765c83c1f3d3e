"""The strict build succeeds and every post page carries what the post promises."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import ROOT, Post, Project, block, mkdocs_build

pytestmark = pytest.mark.site


def _html(site: Path, post: Post) -> str:
    page = site / post.url / "index.html"
    assert page.is_file(), f"{post.path.name}: expected page {post.url} is missing"
    return page.read_text(encoding="utf-8")


def test_each_post_has_its_tables_figures_and_equations(site: Path, posts: list[Post]) -> None:
    assert posts, "no posts"
    for post in posts:
        html = _html(site, post)
        n_eq = len(re.findall(r"\\begin\{(equation|align|gather|multline)\*?\}", post.body))
        n_label = len(re.findall(r"\\label\{", post.body))
        n_blocks = len(re.findall(r'^```python exec="1"', post.body, flags=re.M))
        assert n_blocks >= 1, f"{post.path.name}: no executed block"
        assert n_eq >= 1 and n_label >= 1, f"{post.path.name}: no labelled equation"
        # Every display equation of the source reaches the page, typeset (its TeX kept).
        assert html.count(r"\begin{") >= n_eq, post.path.name
        assert 'class="arithmatex"' not in html and "<mjx-container" in html, post.path.name
        assert re.search(r"<table>", html), f"{post.path.name}: no executed table"
        assert re.search(r'<figure class="bk-figure"[^>]*><svg', html), f"{post.path.name}: no figure"
        # No table row made only of empty cells (a stray line glued to a printed table).
        assert not re.search(r"<tr>\s*(<td[^>]*>\s*</td>\s*)+</tr>", html), post.path.name
        # No execution failure shipped in the page.
        assert "Traceback (most recent call last)" not in html, post.path.name
        # The credit line names the source article.
        title = re.search(r"^\s+title:\s*(.+)$", post.meta_text, flags=re.M).group(1).strip()
        credit = re.search(r'<p class="bk-source">(.*?)</p>', html, flags=re.S)
        assert credit and title.strip("'\"") in credit.group(1), post.path.name


def test_svg_ids_are_unique_on_every_page(site: Path) -> None:
    for page in site.rglob("*.html"):
        ids = re.findall(r'\bid="([^"]+)"', page.read_text(encoding="utf-8"))
        dup = {i for i in ids if ids.count(i) > 1}
        assert not dup, f"{page.relative_to(site)} has duplicate ids {sorted(dup)[:5]}"


def test_home_lists_posts_newest_first_with_read_more(site: Path, posts: list[Post]) -> None:
    html = (site / "index.html").read_text(encoding="utf-8")
    newest = sorted(posts, key=lambda p: p.date, reverse=True)
    # the title link of each excerpt, in page order (excerpts may link to other posts too)
    listed = re.findall(r'<a class="toclink" href="([^"]+)"', html)
    assert listed == [p.url for p in newest[:5]], listed
    assert "md-post__action" in html  # the "continue reading" link under each excerpt


def test_archive_categories_and_pagination_exist(site: Path, posts: list[Post]) -> None:
    assert list((site / "archive").rglob("index.html")), "no archive pages"
    cats = list((site / "category").rglob("index.html"))
    assert cats, "no category pages"
    categories = {c.strip() for p in posts
                  for c in re.search(r"^categories:\s*\[(.+?)\]", p.meta_text, flags=re.M)
                  .group(1).split(",")}
    text = "".join(c.read_text(encoding="utf-8") for c in cats)
    for cat in categories:
        assert cat in text, f"category {cat} has no page"


def test_math_and_assets_are_served_locally(site: Path) -> None:
    # formulas are typeset at build time: a stylesheet and fonts, no MathJax script
    css = (site / "assets/blogkit/mathjax.css").read_text(encoding="utf-8")
    fonts = {f.name for f in (site / "assets/mathjax/fonts").glob("*.woff")}
    for url in re.findall(r'url\("\.\./mathjax/fonts/([^"]+)"\)', css):
        assert url in fonts, f"mathjax.css names a missing font {url}"
    assert not list(site.rglob("tex-*.js")), "a MathJax bundle is shipped"
    fetched = re.compile(r"<(script|img|iframe|source)\b[^>]*\bsrc=\"([^\"]+)\""
                         r"|<link\b(?=[^>]*\brel=\"(?:stylesheet|icon|preload|modulepreload)\")"
                         r"[^>]*\bhref=\"([^\"]+)\"")
    for page in site.rglob("*.html"):
        for m in fetched.finditer(page.read_text(encoding="utf-8")):
            url = m.group(2) or m.group(3)
            assert not re.match(r"^(https?:)?//", url), \
                f"{page.relative_to(site)}: {m.group(0)[:80]} would fetch from another host"


def test_rebuilds_are_byte_identical(site: Path, tmp_path: Path) -> None:
    """With SOURCE_DATE_EPOCH set, building again reproduces the site exactly, byte for byte.

    The second build takes the units' outputs from the first one's cache (CI executes each
    snippet once); that a fresh run of a snippet prints the same bytes is checked by
    ``test_snippets_run_standalone_as_on_the_page``. Only the execution report (page and JSON)
    may differ, and only in saying that this build found everything in the cache: it
    publishes no measured time under SOURCE_DATE_EPOCH.
    """
    proc = mkdocs_build(ROOT, tmp_path / "site")
    assert proc.returncode == 0, proc.stderr[-4000:]
    report = json.loads((tmp_path / "site/execution-report.json").read_text(encoding="utf-8"))
    assert report["units"] and all(u["cache"] == "hit" for u in report["units"])
    assert all(u["seconds"] is None for u in report["units"])
    skip = {"execution-report.json", "execution-report/index.html"}
    a = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}
    b = {p.relative_to(tmp_path / "site").as_posix() for p in (tmp_path / "site").rglob("*")
         if p.is_file()}
    assert a == b
    differ = [f for f in sorted(a - skip)
              if (site / f).read_bytes() != (tmp_path / "site" / f).read_bytes()]
    assert not differ, f"files differ between two clean builds: {differ[:10]}"


def test_failing_snippet_fails_the_strict_build(project: Project) -> None:
    """A deliberately broken post, built from a temporary copy, must fail --strict."""
    project.write("snippets/broken/boom.py",
                  "from blogkit.display import md_table\n\nprint(md_table([(1,)], ['x']))\n"
                  "raise ValueError('deliberate failure 42')\n")
    project.post("broken", block("broken/boom.py"))
    proc = project.build()
    assert proc.returncode != 0, "a raising snippet did not fail mkdocs build --strict"
    assert "deliberate failure 42" in proc.stderr + proc.stdout
