#!/usr/bin/env python3
"""How the build's cost grows with the number of posts (``python bench/build.py --synthetic``).

Usage: python bench/build.py --synthetic 30 100 300 [--runs 1] [--no-serve] [--profile]

For each N, a temporary copy of the project (configuration, ``src/``, theme, the guide pages; no
real posts) gets N synthetic posts. Each has an excerpt, two labelled equations and an
``\\eqref``, an executed block that prints a table, an inline value and a figure. The table
reports, per N: the cold build (every unit runs), the warm build (all cached), the no-exec
build, the warm/no-exec ratio, the ``mkdocs serve`` reload after a prose edit and its ratio to
the same reload without execution (both ratios: median of pairs timed interleaved, with the
10–90 % range, see bench/_timing.py; the no-exec reload is served from a second copy of the
project), the cache's size, and the build process's peak memory. ``--profile`` adds the
functions that take the most time in the warm build at the largest N (cProfile), to find where
the build grows faster than the number of posts.
"""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import Paired
from build import PY, copy_project, env, serve_reload_pairs

POST = """---
date: 2020-{month:02d}-{day:02d}
authors: [blogkit]
categories: [数值计算]
slug: syn-{i}
source:
  author: 某人
  title: 合成文章 {i}
  date: 2020-01-01
---

# 合成文章 {i}

这是第 {i} 篇合成文章的摘要，用来衡量构建随文章数增长的代价。

<!-- more -->

## 公式

\\begin{{equation}}
f_{{{i}}}(x) = \\sum_{{k=1}}^{{n}} \\frac{{x^k}}{{k!}} \\label{{eq:syn-{i}-sum}}
\\end{{equation}}

\\begin{{equation}}
g_{{{i}}}(x) = e^{{x}} - 1 \\label{{eq:syn-{i}-exp}}
\\end{{equation}}

由 $\\eqref{{eq:syn-{i}-sum}}$ 与 $\\eqref{{eq:syn-{i}-exp}}$，截断误差为 [[v:syn-{i}-err]]。

```python exec="1" source="tabbed-right" title="syn-{i}/run.py"
--8<-- "syn-{i}/run.py"
```
"""

SNIPPET = """import math

from blogkit.display import figure, md_table, svg, value

n = {n}
x = 0.5 + {i} / 1000
partial = sum(x**k / math.factorial(k) for k in range(1, n + 1))
rows = [(k, x**k / math.factorial(k)) for k in range(1, n + 1)]
print(md_table(rows, ["k", "项"], [None, ".3e"]))
value("syn-{i}-err", math.expm1(x) - partial, ".2e")
fig, ax = figure(size=(4, 2.5))
ax.plot([r[0] for r in rows], [r[1] for r in rows], "o-")
ax.set_yscale("log")
print(svg(fig, caption="第 {i} 篇的各项大小"))
"""


def make_project(dest: Path, n_posts: int) -> Path:
    copy_project(dest)  # configuration, src/, theme and the guide pages; the real posts go
    shutil.rmtree(dest / "docs/blog/posts")
    shutil.rmtree(dest / "snippets")
    posts = dest / "docs/blog/posts"
    posts.mkdir(parents=True)
    for i in range(n_posts):
        (posts / f"syn-{i}.md").write_text(
            POST.format(i=i, month=1 + i % 12, day=1 + i % 28), encoding="utf-8")
        (dest / f"snippets/syn-{i}").mkdir(parents=True)
        (dest / f"snippets/syn-{i}/run.py").write_text(SNIPPET.format(i=i, n=4 + i % 5),
                                                       encoding="utf-8")
    # Golden comparison is for the real posts; synthetic ones have none.
    return dest


_RSS = ("import resource, runpy, sys; sys.argv = ['mkdocs', *sys.argv[1:]]\n"
        "try:\n    runpy.run_module('mkdocs', run_name='__main__')\n"
        "finally:\n    print('MAXRSS', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,"
        " file=sys.stderr)\n")


def build(proj: Path, **extra: str) -> tuple[float, float]:
    """Wall seconds and peak resident memory (MB) of the mkdocs process."""
    t0 = time.perf_counter()
    proc = subprocess.run([PY, "-c", _RSS, "build", "--strict", "-q", "-d", str(proj / "site")],
                          cwd=proj, env=env(BLOGKIT_GOLDEN="0", **extra), capture_output=True,
                          text=True)
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-3000:])
    rss = next(int(line.split()[1]) for line in proc.stderr.splitlines() if line.startswith("MAXRSS"))
    return seconds, rss / 1024


def cache_size(proj: Path) -> tuple[float, int]:
    files = [p for p in (proj / ".cache" / "blogkit-exec").rglob("*.json") if p.is_file()]
    return sum(p.stat().st_size for p in files) / 2**20, len(files)


def profile_warm(proj: Path, top: int = 15) -> str:
    """cProfile of a warm build, in this process: the functions with the most own time."""
    os.chdir(proj)
    os.environ.update(env(BLOGKIT_GOLDEN="0"))
    from mkdocs.commands.build import build as mk_build
    from mkdocs.config import load_config

    cfg = load_config(str(proj / "mkdocs.yml"), site_dir=str(proj / "site-prof"))
    prof = cProfile.Profile()
    prof.enable()
    mk_build(cfg)
    prof.disable()
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(top)
    return out.getvalue()


def run(sizes: list[int], runs: int, serve: bool, profile: bool) -> int:
    rows = []
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            proj = make_project(Path(tmp) / "proj", n)
            res: dict[str, list[float]] = {"cold": [], "warm": [], "no-exec": []}
            rss: list[float] = []
            scenarios = [("cold", {}), ("warm", {}), ("no-exec", {"BLOGKIT_EXEC": "0"})]
            build(proj, BLOGKIT_EXEC="0")  # the formulas typeset once: "cold" is about code
            for k in range(runs):
                shutil.rmtree(proj / ".cache" / "blogkit-exec", ignore_errors=True)
                # no-exec before the cold/warm pair or after it in turn (bench/_timing.py)
                for name, extra in (scenarios[2:] + scenarios[:2]) if k % 2 else scenarios:
                    t, m = build(proj, **extra)
                    res[name].append(t)
                    rss.append(m)
            mb, entries = cache_size(proj)
            med = {k: statistics.median(v) for k, v in res.items()}
            reload, reload_ratio = float("nan"), "–"
            if serve:
                # a copy without the build outputs: the top-level .cache/ and site/ only
                # (src/blogkit/site/ is the plugin)
                ref = shutil.copytree(
                    proj, Path(tmp) / "proj-noexec", symlinks=True,
                    ignore=lambda folder, names, top=str(proj): [
                        n for n in names if folder == top and n in (".cache", "site")])
                pair = serve_reload_pairs(proj, ref, max(runs, 2), {"BLOGKIT_GOLDEN": "0"},
                                          {"BLOGKIT_EXEC": "0"})
                reload, reload_ratio = pair.median_a, Paired(pair.b, pair.a).ratio_text()
            rows.append((n, med["cold"], med["warm"], med["no-exec"],
                         Paired(res["no-exec"], res["warm"]).ratio_text(), reload, reload_ratio,
                         mb, entries, max(rss)))
            if profile and n == max(sizes):
                prof = profile_warm(proj)
    print(f"cpu cores: {os.cpu_count()}, runs per size: {runs}\n")
    print("| posts | cold (s) | warm (s) | no-exec (s) | warm / no-exec [10–90 %] | serve reload (s) "
          "| reload / no-exec reload [10–90 %] | cache (MB) | cache entries | peak memory (MB) |")
    print("|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    for r in rows:
        print(f"| {r[0]} | {r[1]:.1f} | {r[2]:.1f} | {r[3]:.1f} | {r[4]} × | {r[5]:.2f} | "
              f"{r[6]} × | {r[7]:.2f} | {r[8]} | {r[9]:.0f} |")
    if len(rows) > 1:
        a, b = rows[0], rows[-1]
        k = b[0] / a[0]
        print(f"\nFrom {a[0]} to {b[0]} posts ({k:.0f}× as many): warm build {b[2] / a[2]:.1f}×, "
              f"no-exec {b[3] / a[3]:.1f}×, cache {b[7] / a[7]:.1f}×, peak memory "
              f"{b[9] / a[9]:.1f}×.")
    if profile:
        print("\nWarm build at the largest size, top functions by own time:\n")
        print(prof)
    return 0


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("sizes", type=int, nargs="*", default=[30, 100, 300])
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--no-serve", action="store_true")
    ap.add_argument("--profile", action="store_true")
    a = ap.parse_args()
    sys.exit(run(a.sizes, a.runs, not a.no_serve, a.profile))
