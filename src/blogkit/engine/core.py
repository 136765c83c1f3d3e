"""The execution engine behind the site's ``python exec="1"`` blocks.

It plugs into markdown-exec through its public extension point (``markdown_exec.formatters``
with ``markdown_exec.base_format`` and our own ``run``) and is driven by the ``blogkit`` MkDocs
plugin:

1. ``prepare(files)`` (MkDocs ``on_files``) reads every page, finds its executed blocks,
   groups them into units and looks each unit up in the persistent cache. Missing units run
   in parallel, each in a fresh forked process (``worker.run_unit``).
2. ``run(code, ...)`` is markdown-exec's ``run`` hook: it only looks the block's output up, so
   the extra renders done by the blog plugin (excerpts in listings) cost nothing.
3. Errors are reported once per unit with the page and line of the block, the snippet file
   and line inside it, and the exception; the page shows them in an admonition.
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import logging
import os
import platform
import re
import subprocess
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .cache import ExecCache
from .units import Unit, group_units, parse_blocks

__all__ = ["Engine", "UnitResult", "environment", "shard_keys"]

log = logging.getLogger("mkdocs.plugins.blogkit")
ENGINE_VERSION = "1"


def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "absent"


def device_hint() -> str:
    """The device kind without importing torch: ``$BLOGKIT_DEVICE`` or whether a GPU driver is up."""
    forced = os.environ.get("BLOGKIT_DEVICE", "").strip().lower()
    if forced:
        return forced.split(":")[0]
    return "cuda" if Path("/proc/driver/nvidia/version").exists() else "cpu"


def environment() -> dict[str, str]:
    """What, besides code and imported files, decides a unit's output (part of its key)."""
    return {"engine": ENGINE_VERSION, "python": platform.python_version(),
            "numpy": _version("numpy"), "torch": _version("torch"),
            "matplotlib": _version("matplotlib"), "device": device_hint()}


def _norm(code: str) -> str:
    return "\n".join(line.rstrip() for line in code.strip("\n").split("\n"))


@dataclass
class UnitResult:
    unit: Unit
    key: str
    outputs: list[str]
    error: dict[str, Any] | None
    seconds: float
    hit: bool
    device: str
    deps: list[str] = field(default_factory=list)
    message: str = ""  # the located error message, when error is set
    # per block index: "ok", "drift", "missing" or "none" (no goldens for the device)
    golden: dict[int, str] = field(default_factory=dict)


class Engine:
    def __init__(self, root: Path, docs_dir: Path, snippets_dir: Path, cache_dir: Path, *,
                 jobs: int = 2, timeout: float = 600.0, refresh: bool = False,
                 execute: bool = True, max_output: int = 20 * 2**20,
                 max_memory: int | None = None, golden_root: Path | None = None) -> None:
        self.root, self.docs_dir, self.snippets_dir = root, docs_dir, snippets_dir
        self.cache = ExecCache(cache_dir, root)
        self.jobs, self.timeout, self.refresh, self.execute = jobs, timeout, refresh, execute
        self.max_output, self.max_memory = max_output, max_memory
        self.require_cache = False  # a miss is an error (the merge job of a sharded run)
        self.golden_root = golden_root  # approved outputs, compared during the build
        self.golden_drift: list[str] = []
        self.results: dict[str, list[UnitResult]] = {}
        self._by_code: dict[str, list[tuple[UnitResult, int]]] = {}
        self.errors: list[str] = []
        self.executions = 0  # units actually run in this process (for tests and the report)
        self.env: dict[str, str] = {}  # environment() of the current build, set by prepare()

    # -- before rendering ------------------------------------------------------------------
    def prepare(self, pages: dict[str, str],
                progress: Callable[[UnitResult], None] | None = None,
                planned: Callable[[int, int], None] | None = None,
                shard: tuple[int, int] | None = None) -> None:
        """Find, look up and (if needed) run every unit of ``pages`` ({docs path: markdown}).

        ``planned(total, to_run)`` is called once the cache has been consulted and
        ``progress(result)`` after each unit that had to run (for progress bars). With
        ``shard=(k, n)`` only the k-th of n deterministic shares of the units is looked up
        and run (``blogkit run --shard k/n``); the others are left out of ``results``.
        """
        self.cache.forget_digests()
        self.results.clear()
        self._by_code.clear()
        self.errors.clear()
        self.golden_drift.clear()
        self.env = env = environment()  # once per build: package versions are slow to look up
        todo: list[tuple[str, int, Unit, str]] = []
        parsed = {page: group_units(parse_blocks(text, page, self.snippets_dir, self.root,
                                                 self.docs_dir.name))
                  for page, text in sorted(pages.items())}
        mine = None
        if shard is not None:
            mine = shard_keys({u.code_key(env): f"{page}::{u.name}"
                               for page, units in parsed.items() for u in units},
                              self.cache.timings(), *shard)
        for page, units in parsed.items():
            if mine is not None:
                units = [u for u in units if u.code_key(env) in mine]
                if not units:
                    continue
            self.results[page] = [None] * len(units)  # type: ignore[list-item]
            for i, unit in enumerate(units):
                key = unit.code_key(env)
                entry = None if (self.refresh or not self.execute) else self.cache.get(key)
                if entry is None and self.execute and self.require_cache:
                    msg = (f"{self.docs_dir.name}/{page}:{unit.blocks[0].line}: unit {unit.name} "
                           "is not in the cache and execution is forbidden "
                           "(BLOGKIT_REQUIRE_CACHE=1): was a shard lost?")
                    self.results[page][i] = UnitResult(unit, key, [""] * len(unit.blocks),
                                                       {"block": 0, "type": "Missing",
                                                        "traceback": msg}, 0.0, False, "none")
                    continue
                if entry is not None:
                    self.results[page][i] = UnitResult(unit, key, entry["outputs"],
                                                       entry.get("error"), entry["seconds"],
                                                       True, entry["device"],
                                                       list(entry.get("deps", {})))
                elif self.execute:
                    todo.append((page, i, unit, key))
                else:
                    self.results[page][i] = UnitResult(unit, key, [""] * len(unit.blocks),
                                                       None, 0.0, False, "not executed")
        if planned is not None:
            planned(sum(len(r) for r in self.results.values()), len(todo))
        ran: dict[str, float] = {}
        if todo:
            with ThreadPoolExecutor(max_workers=max(1, self.jobs)) as pool:
                futures = {pool.submit(self._execute, unit, key): (page, i)
                            for page, i, unit, key in todo}
                for fut in as_completed(futures):
                    page, i = futures[fut]
                    self.results[page][i] = res = fut.result()
                    ran[f"{page}::{res.unit.name}"] = res.seconds
                    if progress is not None:
                        progress(res)
            self.cache.record_timings(ran)
        for page_results in self.results.values():
            for res in page_results:
                for j, block in enumerate(res.unit.blocks):
                    self._by_code.setdefault(_norm(block.code), []).append((res, j))
                if res.error:
                    res.message = self._locate(res)
                    self.errors.append(res.message)
                    log.error(res.message)
                elif self.golden_root is not None and self.execute:
                    self._check_golden(res)

    def _check_golden(self, res: UnitResult) -> None:
        """Compare each block that shows exactly one snippet with that snippet's approved
        output (``tests/golden`` on the CPU, ``tests/golden-<device>`` elsewhere; a device
        with no goldens of its own is guarded by the snippets' asserts alone). A drift is a
        warning naming post, snippet and line, which fails a strict build."""
        from blogkit.golden import compare, normalise

        assert self.golden_root is not None
        folder = self.golden_root if res.device == "cpu" else \
            self.golden_root.with_name(f"{self.golden_root.name}-{res.device}")
        for j, block in enumerate(res.unit.blocks):
            inc = block.includes
            if len(inc) != 1 or any(f != inc[0] for f, _ in block.origin) or j >= len(res.outputs):
                continue
            rel = Path(inc[0])
            snippet = rel.relative_to(rel.parts[0]) if rel.parts[0] == self.snippets_dir.name else rel
            gold = folder / snippet.with_suffix(".txt")
            if not folder.is_dir():
                res.golden[j] = "none"
                continue
            if not gold.is_file():
                res.golden[j] = "missing"
                msg = (f"{self.docs_dir.name}/{block.page}:{block.line}: {inc[0]} has no approved "
                       f"output {_rel_to(gold, self.root)} (blogkit approve {snippet.parts[0]})")
                self.golden_drift.append(msg)
                log.warning(msg)
                continue
            problems = compare(gold.read_text(encoding="utf-8"), normalise(res.outputs[j]))
            res.golden[j] = "drift" if problems else "ok"
            if problems:
                m = problems[0]
                msg = (f"{self.docs_dir.name}/{block.page}:{block.line}: the output of {inc[0]} "
                       f"drifted from {_rel_to(gold, self.root)}, line {m.line}: {m.why}\n"
                       f"  approved: {m.expected}\n  now:      {m.actual}\n"
                       f"({len(problems)} line(s) differ; after an intended change: "
                       f"blogkit approve {snippet.parts[0]})")
                self.golden_drift.append(msg)
                log.warning(msg)

    def _execute(self, unit: Unit, key: str) -> UnitResult:
        # One run per key at a time, across builds sharing the cache: a second build waits for
        # the first and then finds its entry.
        with self.cache.lock(key):
            entry = None if self.refresh else self.cache.get(key)
            if entry is not None:
                return UnitResult(unit, key, entry["outputs"], entry.get("error"),
                                  entry["seconds"], True, entry["device"],
                                  list(entry.get("deps", {})))
            return self._run_and_store(unit, key)

    def _run_and_store(self, unit: Unit, key: str) -> UnitResult:
        blocks = [{"code": b.code, "filename": f"<block {b.page}:{b.line}>"} for b in unit.blocks]
        workdir = unit.blocks[0].options.get("workdir")
        t0 = time.perf_counter()
        start_ns = time.time_ns()
        raw = _run_unit(blocks, self.root, unit.timeout or self.timeout, workdir,
                        max_output=self.max_output, max_memory=self.max_memory,
                        guard=[str(self.docs_dir), str(self.snippets_dir)])
        self.executions += 1
        res = UnitResult(unit, key, raw["outputs"], raw["error"], time.perf_counter() - t0,
                         False, raw["device"], raw["deps"])
        if raw["error"] is not None:  # failures are never cached: the next build tries again
            return res
        changed = self.cache.changed_since(raw["deps"], start_ns)
        if changed:  # saved while the unit ran: its output may be from the old version
            log.info("blogkit: %s: not cached, %s changed while it ran", unit.page,
                     ", ".join(changed))
            return res
        self.cache.put(key, {"outputs": res.outputs, "error": None, "seconds": res.seconds,
                             "device": res.device, "deps": raw["deps"], "env": self.env,
                             "unit": f"{unit.page}: {unit.name}"})
        return res

    def _locate(self, res: UnitResult) -> str:
        err = res.error or {}
        if err.get("type") == "Missing":
            return str(err["traceback"])
        block = res.unit.blocks[min(err.get("block", 0), len(res.unit.blocks) - 1)]
        tb = err.get("traceback", "")

        def where(m: re.Match[str]) -> str:
            n = int(m.group(2))
            f, line = block.origin[n - 1] if 0 < n <= len(block.origin) else (block.page, 0)
            if f.endswith(".md"):
                f = f"{self.docs_dir.name}/{f}"
            return f'File "{f}", line {line}'

        tb = re.sub(r'File "<block ([^">]+)>", line (\d+)', where, tb)
        inc = f" (snippet {', '.join(block.includes)})" if block.includes else ""
        return (f"{self.docs_dir.name}/{block.page}:{block.line}: executed python block"
                f"{inc} failed\n{tb.rstrip()}")

    def prune_cache(self, max_age_s: float) -> tuple[int, int]:
        """After ``prepare`` saw every page: drop cache entries this build did not use and
        nothing used in the last ``max_age_s`` seconds. Returns (files removed, bytes freed)."""
        keep = {r.key for results in self.results.values() for r in results}
        return self.cache.prune(keep, max_age_s)

    # -- while rendering ------------------------------------------------------------------
    def lookup(self, code: str, page: str | None,
               session: str | None = None) -> tuple[UnitResult, int] | None:
        """The result of a block, found by its code, page and session (two sessions of one
        page may hold blocks with the same code and different outputs)."""
        found = self._by_code.get(_norm(code), [])
        same_page = [(res, j) for res, j in found if res.unit.page == page]
        for res, j in same_page:
            if res.unit.blocks[j].session == (session or ""):
                return res, j
        if same_page:
            return same_page[0]
        return found[0] if found else None

    # -- after ------------------------------------------------------------------------------
    def report(self) -> dict[str, Any]:
        units = []
        for page, results in sorted(self.results.items()):
            for r in results:
                units.append({"page": page, "unit": r.unit.name, "blocks": len(r.unit.blocks),
                              "line": r.unit.blocks[0].line, "cache": "hit" if r.hit else "miss",
                              # Under SOURCE_DATE_EPOCH builds are byte-identical: no times.
                              "seconds": (None if os.environ.get("SOURCE_DATE_EPOCH")
                                          else round(r.seconds, 4)), "device": r.device,
                              "ok": r.error is None, "deps": sorted(r.deps),
                              "golden": _worst(r.golden)})
        return {"environment": self.env or environment(), "git_commit": git_commit(self.root),
                "units": units, "executed": self.executions,
                "blocks": sum(u["blocks"] for u in units)}


def _run_unit(blocks: list[dict[str, str]], root: Path, timeout: float,
              workdir: str | None, **limits: Any) -> dict[str, Any]:
    from .worker import run_unit

    return run_unit(blocks, root, timeout, workdir, **limits)


def shard_keys(units: dict[str, str], timings: dict[str, float], k: int, n: int) -> set[str]:
    """The code keys of the k-th (1-based) of n shares of ``units`` ({key: "page::unit"}).

    Longest known run time first, each unit to the share with the least total so far (ties by
    key), so shares are balanced where the cache knows the run times and the split is the same
    on every machine that starts from the same cache; a unit with no known time counts 1 s.
    """
    if not 1 <= k <= n:
        raise ValueError(f"shard {k}/{n}: k must be between 1 and n")
    order = sorted(units, key=lambda key: (-timings.get(units[key], 1.0), key))
    load = [0.0] * n
    share: dict[str, int] = {}
    for key in order:
        j = min(range(n), key=lambda s: (load[s], s))
        share[key] = j
        load[j] += timings.get(units[key], 1.0)
    return {key for key, j in share.items() if j == k - 1}


def _worst(states: dict[int, str]) -> str:
    for state in ("drift", "missing", "ok", "none"):
        if state in states.values():
            return state
    return "n/a"


def _rel_to(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def git_commit(root: Path) -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root,
                             capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return out.stdout.strip() or "unknown"


def build_date() -> dt.date:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date()
    return dt.datetime.now(tz=dt.UTC).date()

