"""Every snippet runs standalone, is included by a post, and every include resolves."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from blogkit import golden
from conftest import POSTS_DIR, ROOT, SNIPPETS_DIR

SNIPPETS = sorted(p for p in SNIPPETS_DIR.rglob("*.py") if "__pycache__" not in p.parts)
INCLUDE_RE = re.compile(r'^--8<--\s+"([^"]+)"\s*$', flags=re.M)


def _includes() -> dict[str, list[Path]]:
    found: dict[str, list[Path]] = {}
    for post in POSTS_DIR.glob("*.md"):
        for name in INCLUDE_RE.findall(post.read_text(encoding="utf-8")):
            found.setdefault(name, []).append(post)
    return found


@pytest.mark.parametrize("snippet", SNIPPETS, ids=lambda p: str(p.relative_to(SNIPPETS_DIR)))
def test_snippet_runs_standalone_and_matches_golden(snippet: Path) -> None:
    """Each snippet runs on its own and prints its approved output (numbers within tolerance).

    After an intended change: ``python -m blogkit.golden approve snippets/<slug>``.
    """
    env = {**os.environ, "BLOGKIT_DEVICE": os.environ.get("BLOGKIT_DEVICE", "cpu")}
    proc = subprocess.run([sys.executable, str(snippet)], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=300)
    assert proc.returncode == 0, f"{snippet} failed:\n{proc.stderr[-4000:]}"
    assert proc.stdout.strip(), f"{snippet} printed nothing"
    gold = golden.golden_path(snippet)
    assert gold.is_file(), f"no approved output {gold}: run python -m blogkit.golden approve"
    problems = golden.compare(gold.read_text(encoding="utf-8"), golden.normalise(proc.stdout))
    assert not problems, "\n".join(f"line {m.line}: {m.why}\n  approved: {m.expected}\n"
                                    f"  now:      {m.actual}" for m in problems[:10])


def test_snippets_are_deterministic() -> None:
    """Two runs of a snippet print the same bytes (seeded randomness, stable SVG)."""
    for snippet in SNIPPETS[:: max(1, len(SNIPPETS) // 4)]:
        outs = {subprocess.run([sys.executable, str(snippet)], capture_output=True, text=True,
                               cwd=ROOT, timeout=300).stdout for _ in range(2)}
        assert len(outs) == 1, f"{snippet} prints different output on two runs"


def test_every_include_resolves_and_every_snippet_is_used() -> None:
    includes = _includes()
    for name, posts in includes.items():
        assert (SNIPPETS_DIR / name).is_file(), f"{posts[0]} includes missing snippet {name}"
    unused = [p for p in SNIPPETS
              if str(p.relative_to(SNIPPETS_DIR)).replace(os.sep, "/") not in includes]
    assert not unused, f"snippets not included by any post: {unused}"


def test_snippet_folder_matches_post_slug() -> None:
    from conftest import read_posts

    slugs = {p.slug for p in read_posts()}
    for name, posts in _includes().items():
        folder = name.split("/", 1)[0]
        for post in posts:
            assert folder in slugs, f"{post}: snippet folder {folder!r} names no post slug"


def test_snippets_define_no_math() -> None:
    """Snippets import their math from blogkit: no function or class definitions in them."""
    for snippet in SNIPPETS:
        text = snippet.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(def|class)\s", text, flags=re.M), \
            f"{snippet} defines a function or class; move the math into src/blogkit/"
        assert "blogkit" in text, f"{snippet} does not use blogkit"


def test_every_golden_output_belongs_to_a_snippet() -> None:
    orphans = [g for g in golden.GOLDEN.rglob("*.txt")
               if not (SNIPPETS_DIR / g.relative_to(golden.GOLDEN).with_suffix(".py")).is_file()]
    assert not orphans, f"golden outputs without a snippet (delete them): {orphans}"

