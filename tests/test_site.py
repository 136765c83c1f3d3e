"""The strict build succeeds and every post page carries what the post promises."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import ROOT, Post, mkdocs_build

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
        # Every display equation of the source reaches the page for MathJax.
        assert html.count(r"\begin{") >= n_eq, post.path.name
        assert re.search(r"<table>", html), f"{post.path.name}: no executed table"
        assert re.search(r'<figure class="bk-figure"><svg', html), f"{post.path.name}: no figure"
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
    positions = [html.find(f'href="{p.url}"') for p in newest[:5]]
    assert all(i >= 0 for i in positions), "home page does not link every recent post"
    assert positions == sorted(positions), "home page is not newest first"
    assert "md-post__action" in html  # the "continue reading" link under each excerpt


def test_archive_categories_and_pagination_exist(site: Path, posts: list[Post]) -> None:
    assert list((site / "archive").rglob("index.html")), "no archive pages"
    cats = list((site / "category").rglob("index.html"))
    assert cats, "no category pages"
    categories = {re.search(r"^categories:\s*\[(.+?)\]", p.meta_text, flags=re.M).group(1)
                  for p in posts}
    text = "".join(c.read_text(encoding="utf-8") for c in cats)
    for cat in categories:
        assert cat in text, f"category {cat} has no page"


def test_math_and_assets_are_served_locally(site: Path) -> None:
    assert (site / "assets/mathjax/tex-chtml.js").is_file()
    assert list((site / "assets/mathjax/output/chtml/fonts/woff-v2").glob("*.woff"))
    fetched = re.compile(r"<(script|img|iframe|source)\b[^>]*\bsrc=\"([^\"]+)\""
                         r"|<link\b(?=[^>]*\brel=\"(?:stylesheet|icon|preload|modulepreload)\")"
                         r"[^>]*\bhref=\"([^\"]+)\"")
    for page in site.rglob("*.html"):
        for m in fetched.finditer(page.read_text(encoding="utf-8")):
            url = m.group(2) or m.group(3)
            assert not re.match(r"^(https?:)?//", url), \
                f"{page.relative_to(site)}: {m.group(0)[:80]} would fetch from another host"


def test_failing_snippet_fails_the_strict_build(tmp_path: Path) -> None:
    """A deliberately broken post, built from a temporary copy, must fail --strict."""
    import shutil

    proj = tmp_path / "proj"
    proj.mkdir()
    for name in ("mkdocs.yml", "overrides", "snippets"):
        src = ROOT / name
        if not src.exists():
            continue
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, proj / name)
    shutil.copytree(ROOT / "docs", proj / "docs",
                    ignore=shutil.ignore_patterns("posts"))
    posts = proj / "docs/blog/posts"
    posts.mkdir(parents=True)
    (proj / "snippets/broken").mkdir()
    (proj / "snippets/broken/boom.py").write_text(
        "from blogkit.display import md_table\n\nprint(md_table([(1,)], ['x']))\n"
        "raise ValueError('deliberate failure 42')\n", encoding="utf-8")
    (posts / "broken.md").write_text(
        "---\ndate: 2020-01-01\nauthors: [blogkit]\ncategories: [数值计算]\nslug: broken\n"
        "source:\n  author: 某人\n  title: 某文\n  date: 2020-01-01\n---\n\n# 坏文章\n\n"
        "摘要。\n\n<!-- more -->\n\n```python exec=\"1\"\n--8<-- \"broken/boom.py\"\n```\n",
        encoding="utf-8")
    proc = mkdocs_build(proj, tmp_path / "site")
    assert proc.returncode != 0, "a raising snippet did not fail mkdocs build --strict"
    assert "deliberate failure 42" in proc.stderr + proc.stdout
