"""The persistent execution cache: one JSON file per unit, written atomically.

An entry is found by the unit's *code key* (its code, execution options and environment) and
is valid only while every project file the unit used when it ran (``deps``: the blogkit
modules it imported and the data files it opened) still has the recorded hash. An entry that
does not parse, fails its checksum or names a missing file is ignored, and rebuilt.

A hit refreshes the entry's modification time, so the mtime is the time of last use; after a
full build ``prune`` deletes the entries that build did not use and nothing has used for a
while (edits made while serving leave one dead entry per save; branches that come back
within the grace period still find theirs).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import tempfile
import time
from pathlib import Path
from typing import Any

__all__ = ["ExecCache", "file_digest"]


def file_digest(path: Path) -> str | None:
    """SHA-256 of a file's bytes; None for a file that does not exist (a recorded absence)."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def folder_digest(path: Path) -> str | None:
    """SHA-256 of a folder's sorted entry names; None when it is not a folder."""
    try:
        names = sorted(os.listdir(path))
    except OSError:
        return None
    return "dir:" + hashlib.sha256("\n".join(names).encode("utf-8", "surrogateescape")).hexdigest()


_KEY_RE = re.compile(r"[0-9a-f]{64}")


def _checksum(entry: dict[str, Any]) -> str:
    body = {k: v for k, v in entry.items() if k != "checksum"}
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


class ExecCache:
    def __init__(self, directory: Path, root: Path) -> None:
        self.dir = directory
        self.root = root
        self._digests: dict[str, str | None] = {}

    def forget_digests(self) -> None:
        """Re-hash files on the next lookup (called at the start of every build)."""
        self._digests.clear()

    def digest(self, rel: str) -> str | None:
        """The recorded state of a dependency: a file's hash (None while it does not exist),
        or for ``folder/`` (a listed folder) the hash of its entry names."""
        if rel not in self._digests:
            path = self.root / rel
            self._digests[rel] = folder_digest(path) if rel.endswith("/") else file_digest(path)
        return self._digests[rel]

    def _path(self, key: str) -> Path:
        return self.dir / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict[str, Any] | None:
        path = self._path(key)
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(entry, dict) or entry.get("checksum") != _checksum(entry):
            return None
        for rel, digest in entry.get("deps", {}).items():
            if self.digest(rel) != digest:
                return None
        try:
            os.utime(path)  # last use, for prune
        except OSError:
            pass
        return entry

    def prune(self, keep: set[str], max_age_s: float, now: float | None = None) -> tuple[int, int]:
        """Delete entries whose key is not in ``keep`` and that were last used (written or hit)
        more than ``max_age_s`` seconds ago, and temporary files left by an interrupted write.
        Returns (files removed, bytes freed)."""
        now = time.time() if now is None else now
        removed = freed = 0
        if not self.dir.is_dir():
            return removed, freed
        for path in self.dir.glob("??/*.json"):
            stale_tmp = path.name.startswith(".tmp-") and path.stat().st_mtime < now - 3600
            if not stale_tmp and (path.stem in keep or path.stat().st_mtime >= now - max_age_s):
                continue
            try:
                size = path.stat().st_size
                path.unlink()
            except OSError:
                continue
            removed, freed = removed + 1, freed + size
        return removed, freed

    def changed_since(self, deps: list[str], start_ns: int) -> list[str]:
        """The dependencies modified (or created) at or after ``start_ns`` (``time.time_ns()``),
        with 50 ms of slack for the file system's coarse clock: saved while the unit ran."""
        changed = []
        for rel in deps:
            try:
                mtime = os.stat(self.root / rel).st_mtime_ns
            except OSError:
                continue
            if mtime >= start_ns - 50_000_000:
                changed.append(rel)
        return changed

    def lock(self, key: str) -> Any:
        """An exclusive lock on one key (a context manager), so that two builds sharing the
        cache run a unit once: the second waits, then finds the first one's entry."""
        @contextlib.contextmanager
        def held() -> Any:
            path = self.dir / "locks" / f"{key}.lock"
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "a") as f:
                fcntl.flock(f, fcntl.LOCK_EX)
                try:
                    yield
                finally:
                    fcntl.flock(f, fcntl.LOCK_UN)

        return held()

    # -- run times, for balancing shards ------------------------------------------------------
    def timings(self) -> dict[str, float]:
        """Last known run time of each unit ("page::unit" -> seconds)."""
        try:
            data = json.loads((self.dir / "timings.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return {str(k): float(v) for k, v in data.items()} if isinstance(data, dict) else {}

    def record_timings(self, ran: dict[str, float]) -> None:
        if not ran:
            return
        data = {**self.timings(), **{k: round(v, 3) for k, v in ran.items()}}
        self.dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.dir, prefix=".tmp-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, sort_keys=True, indent=0)
        os.replace(tmp, self.dir / "timings.json")

    # -- moving entries between machines -------------------------------------------------------
    def entries(self) -> list[tuple[str, dict[str, Any]]]:
        """Every entry that parses and passes its checksum, as (key, entry)."""
        out = []
        for path in sorted(self.dir.glob("??/*.json")):
            if path.name.startswith(".tmp-"):
                continue
            try:
                entry = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if isinstance(entry, dict) and entry.get("checksum") == _checksum(entry):
                out.append((path.stem, entry))
        return out

    def export(self, archive: Path) -> int:
        """Write every valid entry into one ``.tar.gz`` (content-addressed by key, with the run
        times); returns how many."""
        import io
        import tarfile

        entries = self.entries()
        with tarfile.open(archive, "w:gz") as tar:
            for key, entry in [*entries, ("timings", self.timings())]:
                data = json.dumps(entry, ensure_ascii=False, sort_keys=True).encode("utf-8")
                info = tarfile.TarInfo(f"{key}.json")
                info.size, info.mtime = len(data), 0
                tar.addfile(info, io.BytesIO(data))
        return len(entries)

    def import_(self, archive: Path) -> dict[str, int]:
        """Add the entries of an exported archive. An entry must pass its checksum and be named
        by its key; one already here with the same key is kept (a valid entry is never
        replaced by a different one). Returns counts: imported, present, kept, rejected."""
        import tarfile

        counts = {"imported": 0, "present": 0, "kept": 0, "rejected": 0}
        have = dict(self.entries())
        timings: dict[str, float] = {}
        with tarfile.open(archive, "r:gz") as tar:
            for member in tar.getmembers():
                key = member.name.removesuffix(".json")
                f = tar.extractfile(member) if member.isfile() else None
                try:
                    entry = json.loads(f.read().decode("utf-8")) if f else None
                except ValueError:
                    entry = None
                if key == "timings" and isinstance(entry, dict):
                    timings = {str(k): float(v) for k, v in entry.items()}
                    continue
                if (not isinstance(entry, dict) or not _KEY_RE.fullmatch(key)
                        or entry.get("checksum") != _checksum(entry)):
                    counts["rejected"] += 1
                elif key in have:
                    counts["present" if have[key] == entry else "kept"] += 1
                else:
                    self._write(key, entry)
                    have[key] = entry
                    counts["imported"] += 1
        if timings:
            self.record_timings({k: v for k, v in timings.items() if k not in self.timings()})
        return counts

    def _write(self, key: str, entry: dict[str, Any]) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(entry, f, ensure_ascii=False)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def put(self, key: str, entry: dict[str, Any]) -> None:
        entry = dict(entry)
        self._digests.clear()  # the unit just ran: hash the files as they are now
        entry["deps"] = {rel: self.digest(rel) for rel in entry.get("deps", [])}
        entry["checksum"] = _checksum(entry)
        self._write(key, entry)
