"""Sharded execution: three shards with separate caches, merged, give the single-machine site."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import tarfile
from pathlib import Path

from blogkit.engine.core import shard_keys
from conftest import Project, block, mkdocs_build, ok


def _cli(project: Project, cache: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BLOGKIT_CACHE_DIR": str(cache), "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run([sys.executable, "-m", "blogkit", "--root", str(project.path), *args],
                          capture_output=True, text=True, cwd=project.path, env=env, timeout=600)


def _files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}


def test_shards_partition_the_units_and_balance_known_times() -> None:
    units = {f"{i:064x}": f"p{i % 4}.md::u{i}" for i in range(20)}
    times = {name: float(i % 7 + 1) for i, name in enumerate(units.values())}
    shares = [shard_keys(units, times, k, 3) for k in (1, 2, 3)]
    assert set().union(*shares) == set(units) and sum(map(len, shares)) == len(units)
    loads = [sum(times[units[key]] for key in share) for share in shares]
    assert max(loads) - min(loads) <= max(times.values())  # greedy longest-first bound
    assert shares == [shard_keys(dict(reversed(units.items())), times, k, 3) for k in (1, 2, 3)]


def test_three_shards_merge_into_the_single_machine_site(project: Project, tmp_path: Path) -> None:
    for i in range(6):
        project.write(f"snippets/p{i}/s.py", f"print('| k | v |\\n|--|--|\\n| {i} | {i * i} |')\n")
        project.post(f"p{i}", block(f"p{i}/s.py"), n=i + 1)
    # One machine: run everything, then build from the cache.
    single = tmp_path / "single-cache"
    ok(_cli(project, single, "run", "-j", "2"))
    env = {"BLOGKIT_CACHE_DIR": str(single)}
    os.environ.update(env)
    try:
        ok(mkdocs_build(project.path, tmp_path / "site-single"))
    finally:
        os.environ.pop("BLOGKIT_CACHE_DIR")
    # Three shards, each with its own empty cache, exported and merged.
    archives = []
    ran = 0
    for k in (1, 2, 3):
        cache = tmp_path / f"cache-{k}"
        proc = _cli(project, cache, "run", "--shard", f"{k}/3", "-j", "1")
        ok(proc)
        ran += proc.stdout.count(" miss ")
        archives.append(tmp_path / f"shard-{k}.tar.gz")
        ok(_cli(project, cache, "cache", "export", str(archives[-1])))
    assert ran == 6  # every unit ran on exactly one shard
    merged = tmp_path / "merged-cache"
    proc = _cli(project, merged, "cache", "import", *map(str, archives))
    ok(proc)
    assert sum(int(x) for x in re.findall(r"imported (\d+)", proc.stdout)) == 6
    # The merging build may not execute: all from the cache, and the same site byte for byte.
    os.environ.update({"BLOGKIT_CACHE_DIR": str(merged), "BLOGKIT_REQUIRE_CACHE": "1"})
    try:
        ok(mkdocs_build(project.path, tmp_path / "site-merged"))
        assert _files(tmp_path / "site-merged") == _files(tmp_path / "site-single")
        # A lost shard fails the merging build instead of turning into local work.
        lost = tmp_path / "lost-cache"
        ok(_cli(project, lost, "cache", "import", str(archives[0]), str(archives[1])))
        os.environ["BLOGKIT_CACHE_DIR"] = str(lost)
        proc = mkdocs_build(project.path, tmp_path / "site-lost")
        assert proc.returncode != 0 and "was a shard lost?" in proc.stdout + proc.stderr
    finally:
        for k in ("BLOGKIT_CACHE_DIR", "BLOGKIT_REQUIRE_CACHE"):
            os.environ.pop(k, None)


def test_import_verifies_checksums_and_never_replaces_a_valid_entry(project: Project,
                                                                   tmp_path: Path) -> None:
    project.write("snippets/a/s.py", "print('hello')\n")
    project.post("a", block("a/s.py"))
    cache = tmp_path / "c"
    ok(_cli(project, cache, "run"))
    good = tmp_path / "good.tar.gz"
    ok(_cli(project, cache, "cache", "export", str(good)))
    # A tampered archive: same key, output changed, checksum now wrong.
    bad = tmp_path / "bad.tar.gz"
    with tarfile.open(good) as src, tarfile.open(bad, "w:gz") as dst:
        for m in src.getmembers():
            data = src.extractfile(m).read().replace(b"hello", b"HACKED")
            m.size = len(data)
            dst.addfile(m, io.BytesIO(data))
    other = tmp_path / "other"
    proc = _cli(project, other, "cache", "import", str(bad))
    assert "rejected 1" in proc.stdout and "imported 0" in proc.stdout
    proc = _cli(project, cache, "cache", "import", str(good))
    assert "already present 1" in proc.stdout
