"""Every snippet runs standalone, is included by a post, and every include resolves."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

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


def test_the_build_compared_every_snippet_with_its_golden(site: Path) -> None:
    """The site build is the regression test: each block that shows one snippet was compared
    with the snippet's approved output while building (a drift fails ``--strict``), and the
    report says so for every unit."""
    report = json.loads((site / "execution-report.json").read_text(encoding="utf-8"))
    states = {u["unit"]: u["golden"] for u in report["units"] if u["unit"].startswith("snippets/")}
    # A device without approved outputs of its own (tests/golden-<device>) is guarded by the
    # snippets' asserts alone, never by the CPU's goldens.
    device = report["environment"]["device"]
    allowed = {"ok"} if device == "cpu" or golden.golden_dir(device).is_dir() else {"ok", "none"}
    assert states and set(states.values()) <= allowed, \
        {k: v for k, v in states.items() if v not in allowed}


def test_every_snippet_has_an_approved_output() -> None:
    missing = [p for p in SNIPPETS if not golden.golden_path(p, "cpu").is_file()]
    assert not missing, f"no approved output: run python -m blogkit.golden approve {missing}"


def _built_output(snippet: Path) -> str | None:
    """What the site build printed for the block that shows ``snippet`` (from its cache)."""
    from blogkit.engine.cache import ExecCache
    from blogkit.engine.core import environment
    from blogkit.engine.units import group_units, parse_blocks

    rel = str(snippet.relative_to(SNIPPETS_DIR)).replace(os.sep, "/")
    cache = ExecCache(ROOT / os.environ.get("BLOGKIT_CACHE_DIR", ".cache/blogkit-exec"), ROOT)
    env = environment()
    for post in POSTS_DIR.glob("*.md"):
        page = post.relative_to(ROOT / "docs").as_posix()
        for unit in group_units(parse_blocks(post.read_text(encoding="utf-8"), page,
                                             SNIPPETS_DIR, ROOT)):
            for j, block in enumerate(unit.blocks):
                if block.includes == [f"snippets/{rel}"] and len(unit.blocks) == 1:
                    entry = cache.get(unit.code_key(env))
                    return entry["outputs"][j] if entry else None
    return None


def test_snippets_run_standalone_as_on_the_page(site: Path) -> None:
    """A cheap standalone check that is also a determinism check: one snippet per post runs
    as ``python snippets/<slug>/<name>.py`` and prints, byte for byte (figures included), what
    the build's own run of it printed on the page."""
    firsts: dict[str, Path] = {}
    for p in SNIPPETS:
        if _built_output(p) is not None:
            firsts.setdefault(p.parent.name, p)
    assert firsts
    from blogkit.engine.core import environment

    env = {**os.environ, "BLOGKIT_DEVICE": environment()["device"]}

    def standalone(snippet: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, str(snippet)], capture_output=True, text=True,
                              cwd=ROOT, env=env, timeout=300)

    # one process per core: most of each run is importing torch and matplotlib
    from concurrent.futures import ThreadPoolExecutor

    order = sorted(firsts.values())
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        procs = list(pool.map(standalone, order))
    for snippet, proc in zip(order, procs, strict=True):
        assert proc.returncode == 0, f"{snippet} failed standalone:\n{proc.stderr[-4000:]}"
        assert proc.stdout == _built_output(snippet), \
            f"{snippet}: standalone output differs from the page's"


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

