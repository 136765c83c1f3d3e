#!/usr/bin/env python3
"""Benchmark the site build: cold, warm (all cached), no execution, and `mkdocs serve` reload.

Usage: python bench/build.py [--runs N] [--no-serve]
       python bench/build.py --synthetic 30 100 300 [--runs N] [--no-serve] [--profile]

Each scenario runs N times (default 5) in a temporary copy of the project. A scenario and its
reference are timed interleaved (bench/_timing.py): each no-execution build (code shown, not
run) sits next to a cold and a warm build, before them or after them in turn, and the two
`mkdocs serve` reloads alternate between two servers. The table reports each scenario's median
wall time and the median of its paired ratios to the reference with their 10–90 % range, so a
burst of load on a shared machine spoils a pair, not a whole column.

* cold:    empty execution cache: every unit runs (in parallel, one per core).
* warm:    everything cached: nothing runs, torch and matplotlib are not imported.
* no-exec: BLOGKIT_EXEC=0: the same pages with code shown but not executed.
* serve:   `mkdocs serve` running; time from a prose edit of one post to the end of the
           rebuild (the "Reloading browsers" log line), with the cache warm. Its ratio is to
           the same reload with BLOGKIT_EXEC=0, served from a second copy of the project.
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

from _timing import Paired, interleave

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
    # MathJax for the build-time math (53 MB): shared, not copied
    if (ROOT / "node_modules").is_dir():
        (dest / "node_modules").symlink_to(ROOT / "node_modules", target_is_directory=True)
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


class Server:
    """`mkdocs serve` on a project copy; :meth:`reload` times one prose edit until the rebuild."""

    def __init__(self, proj: Path, **extra: str) -> None:
        self.post = sorted((proj / "docs/blog/posts").glob("*.md"))[0]
        self.edits = 0
        self.lines: list[tuple[float, str]] = []
        self.ready = threading.Event()
        self.proc = subprocess.Popen([PY, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{free_port()}"],
                                     cwd=proj, env=env(**extra), stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append((time.perf_counter(), line))
            if "Serving on" in line:
                self.ready.set()

    def wait_ready(self) -> None:
        if not self.ready.wait(600):
            raise RuntimeError("mkdocs serve did not start")

    def reload(self) -> float:
        """Edit the post once the server is idle; seconds until the rebuild is logged."""
        # A rebuild still running (or a late watcher event of the previous edit) would end
        # this measurement early: edit only once the server has been quiet a while.
        quiet_for(self.lines, 2.0)
        text = self.post.read_text(encoding="utf-8")
        n = len(self.lines)
        t0 = time.perf_counter()
        self.post.write_text(re.sub(r"(<!-- more -->)", rf"\1\n\n(编辑 {self.edits})", text,
                                    count=1), encoding="utf-8")
        self.edits += 1
        deadline = t0 + 300
        while time.perf_counter() < deadline:
            time.sleep(0.02)
            done = next((t for t, line in self.lines[n:]
                         if t >= t0 and "Reloading browsers" in line), None)
            if done is not None:
                return done - t0
        raise RuntimeError("no reload seen")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


def serve_reload(proj: Path, edits: int, **extra: str) -> list[float]:
    """Start `mkdocs serve`, make `edits` prose edits, time each until the rebuild is done."""
    server = Server(proj, **extra)
    try:
        server.wait_ready()
        return [server.reload() for _ in range(edits)]
    finally:
        server.stop()


def serve_reload_pairs(proj: Path, proj_ref: Path, pairs: int, extra: dict[str, str],
                       extra_ref: dict[str, str]) -> Paired:
    """Reloads of two servers, interleaved: ``a`` on ``proj`` with ``extra``, ``b`` on
    ``proj_ref`` (a second copy, so an edit rebuilds one server only) with ``extra_ref``."""
    servers = [Server(proj, **extra), Server(proj_ref, **extra_ref)]
    try:
        for server in servers:
            server.wait_ready()
        return interleave(servers[0].reload, servers[1].reload, pairs)
    finally:
        for server in servers:
            server.stop()


def builds_paired(proj: Path, runs: int, **extra: str) -> dict[str, list[float]]:
    """``runs`` rounds of cold, warm and no-exec builds; no-exec goes before the cold/warm pair
    in odd rounds and after it in even ones (cold must precede warm: it fills the cache)."""
    res: dict[str, list[float]] = {"cold": [], "warm": [], "no-exec": []}
    # typeset the formulas once: "cold" is about executing the code (the math cache stays)
    timed_build(proj, BLOGKIT_EXEC="0", **extra)
    for k in range(runs):
        shutil.rmtree(proj / ".cache" / "blogkit-exec", ignore_errors=True)
        if k % 2:
            res["no-exec"].append(timed_build(proj, BLOGKIT_EXEC="0", **extra))
        res["cold"].append(timed_build(proj, **extra))
        res["warm"].append(timed_build(proj, **extra))
        if not k % 2:
            res["no-exec"].append(timed_build(proj, BLOGKIT_EXEC="0", **extra))
    return res


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5)
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
        res = builds_paired(proj, args.runs)
        rows: list[tuple[str, list[float], Paired | None]] = [
            ("cold", res["cold"], Paired(res["no-exec"], res["cold"])),
            ("warm", res["warm"], Paired(res["no-exec"], res["warm"])),
            ("no-exec", res["no-exec"], None),
        ]
        if not args.no_serve:
            serve = serve_reload_pairs(proj, copy_project(Path(tmp) / "proj-noexec"), args.runs,
                                       {}, {"BLOGKIT_EXEC": "0"})
            rows += [("serve reload (prose edit)", serve.a, Paired(serve.b, serve.a)),
                     ("serve reload, no-exec", serve.b, None)]
    print(f"cpu cores: {os.cpu_count()}, runs: {args.runs}\n")
    print("| scenario | median (s) | runs (s) | paired ratio to no-exec, median [10–90 %] |")
    print("|:--|--:|:--|--:|")
    for name, times, ratio in rows:
        cell = f"{ratio.ratio_text()} ×" if ratio is not None else "1 ×"
        print(f"| {name} | {statistics.median(times):.2f} | "
              f"{', '.join(f'{x:.2f}' for x in times)} | {cell} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
