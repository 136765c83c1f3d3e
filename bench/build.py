#!/usr/bin/env python3
"""Benchmark the site build: cold, warm (all cached), no execution, and `mkdocs serve` reload.

Usage: python bench/build.py [--runs N] [--no-serve]
       python bench/build.py --synthetic 30 100 300 [--runs N] [--no-serve] [--profile]

Each scenario runs N times (default 3) in a temporary copy of the project and the table
reports the median wall time and its ratio to the no-execution build (code shown, not run).

* cold:    empty execution cache: every unit runs (in parallel, one per core).
* warm:    everything cached: nothing runs, torch and matplotlib are not imported.
* no-exec: BLOGKIT_EXEC=0: the same pages with code shown but not executed.
* serve:   `mkdocs serve` running; time from a prose edit of one post to the end of the
           rebuild (the "Reloading browsers" log line), with the cache warm. Its ratio is to
           the same reload with BLOGKIT_EXEC=0.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


def copy_project(dest: Path) -> Path:
    dest.mkdir(parents=True)
    for name in ("mkdocs.yml", "docs", "snippets", "src", "overrides"):
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=shutil.ignore_patterns("__pycache__",
                                                                             "*.egg-info"))
        else:
            shutil.copy2(src, dest / name)
    return dest


def env(**extra: str) -> dict[str, str]:
    e = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    e.update(extra)
    return e


def timed_build(proj: Path, **extra: str) -> float:
    t0 = time.perf_counter()
    subprocess.run([PY, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(proj / "site")],
                   cwd=proj, env=env(**extra), check=True)
    return time.perf_counter() - t0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def quiet_for(lines: list[tuple[float, str]], seconds: float, limit: float = 300.0) -> None:
    """Wait until no line has arrived for ``seconds`` (the server is idle), at most ``limit`` s."""
    end = time.perf_counter() + limit
    while time.perf_counter() < end:
        last = lines[-1][0] if lines else 0.0
        if time.perf_counter() - last >= seconds:
            return
        time.sleep(0.05)
    raise RuntimeError("mkdocs serve never went quiet")


def serve_reload(proj: Path, edits: int, **extra: str) -> list[float]:
    """Start `mkdocs serve`, make `edits` prose edits, time each until the rebuild is done."""
    post = sorted((proj / "docs/blog/posts").glob("*.md"))[0]
    port = free_port()
    proc = subprocess.Popen([PY, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}"], cwd=proj,
                            env=env(**extra), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    lines: list[tuple[float, str]] = []
    ready = threading.Event()

    def reader() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append((time.perf_counter(), line))
            if "Serving on" in line:
                ready.set()

    threading.Thread(target=reader, daemon=True).start()
    times = []
    try:
        if not ready.wait(600):
            raise RuntimeError("mkdocs serve did not start")
        for k in range(edits):
            # A rebuild still running (or a late watcher event of the previous edit) would
            # end this measurement early: edit only once the server has been quiet a while.
            quiet_for(lines, 2.0)
            text = post.read_text(encoding="utf-8")
            n = len(lines)
            t0 = time.perf_counter()
            post.write_text(re.sub(r"(<!-- more -->)", rf"\1\n\n(编辑 {k})", text, count=1),
                            encoding="utf-8")
            deadline = t0 + 300
            done = None
            while time.perf_counter() < deadline and done is None:
                time.sleep(0.02)
                done = next((t for t, line in lines[n:] if t >= t0 and "Reloading browsers" in line),
                            None)
            if done is None:
                raise RuntimeError("no reload seen")
            times.append(done - t0)
    finally:
        proc.terminate()
        proc.wait(10)
    return times


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--no-serve", action="store_true", help="skip the serve measurements")
    ap.add_argument("--synthetic", type=int, nargs="+", metavar="N",
                    help="instead: how the cost grows with N synthetic posts (bench/synthetic.py)")
    ap.add_argument("--profile", action="store_true", help="with --synthetic: profile a warm build")
    args = ap.parse_args()
    if args.synthetic:
        from synthetic import run

        return run(args.synthetic, args.runs if "--runs" in sys.argv else 1, not args.no_serve,
                   args.profile)
    with tempfile.TemporaryDirectory() as tmp:
        proj = copy_project(Path(tmp) / "proj")
        cache = proj / ".cache"
        res: dict[str, list[float]] = {"cold": [], "warm": [], "no-exec": []}
        for _ in range(args.runs):
            shutil.rmtree(cache, ignore_errors=True)
            res["cold"].append(timed_build(proj))
            res["warm"].append(timed_build(proj))
            res["no-exec"].append(timed_build(proj, BLOGKIT_EXEC="0"))
        if not args.no_serve:
            res["serve reload (prose edit)"] = serve_reload(proj, args.runs)
            res["serve reload, no-exec"] = serve_reload(proj, args.runs, BLOGKIT_EXEC="0")
    med = {k: statistics.median(v) for k, v in res.items()}
    base = med["no-exec"]
    print(f"cpu cores: {os.cpu_count()}, runs: {args.runs}\n")
    print("| scenario | median (s) | runs (s) | ratio |")
    print("|:--|--:|:--|--:|")
    for k, v in res.items():
        ref = med.get("serve reload, no-exec") if k.startswith("serve reload (") else base
        ratio = f"{med[k] / ref:.2f} ×" if ref and not k.startswith("serve reload,") else ""
        if k == "no-exec":
            ratio = "1.00 ×"
        print(f"| {k} | {med[k]:.2f} | {', '.join(f'{x:.2f}' for x in v)} | {ratio} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
