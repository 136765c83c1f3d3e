"""Finding the executed blocks of a post and grouping them into units of execution.

A *block* is a fenced ``python exec="1"`` code block. Its code is the fence body with every
``--8<-- "path"`` line replaced by the file it names (relative to ``snippets/``), which is
what pymdownx.snippets feeds markdown-exec. A *unit* is what runs in one fresh process: all
blocks of one ``session="..."`` of one page, or a single block without a session.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Block", "IncludeError", "Unit", "group_units", "parse_blocks"]

_FENCE_RE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<lang>python|py)\b(?P<opts>[^\n]*)$")
_ANY_FENCE_RE = re.compile(r"^[ \t]*(?P<fence>`{3,}|~{3,})")
_OPT_RE = re.compile(r'(\w+)="([^"]*)"|(\w+)=(\S+)')
_INCLUDE_RE = re.compile(r'^\s*--8<--\s+"([^"]+)"\s*$')
_EXEC_KEYS = ("session", "timeout", "workdir", "returncode")  # options that change execution


@dataclass
class Block:
    """One executed fence: where it is, what it runs, and which snippet files it includes."""

    page: str  # docs-relative path of the page, e.g. blog/posts/mitchell.md
    line: int  # 1-based line of the opening fence in the page
    code: str  # the code after include expansion: exactly what markdown-exec receives
    options: dict[str, str]
    # For each line of `code`: (file, line) it came from. Pages are named by their docs path,
    # snippets by their path relative to the project root.
    origin: list[tuple[str, int]] = field(default_factory=list)

    @property
    def includes(self) -> list[str]:
        return sorted({f for f, _ in self.origin if not f.endswith(".md")})

    @property
    def session(self) -> str:
        return self.options.get("session", "")


@dataclass
class Unit:
    page: str
    blocks: list[Block]

    @property
    def name(self) -> str:
        b = self.blocks[0]
        if b.session:
            return f"session {b.session}"
        return b.includes[0] if len(b.includes) == 1 else f"line {b.line}"

    @property
    def timeout(self) -> float | None:
        values = [float(b.options["timeout"]) for b in self.blocks if "timeout" in b.options]
        return max(values) if values else None

    def code_key(self, environment: dict[str, str]) -> str:
        """Hash of everything known before running: code, execution options, environment."""
        payload = {
            "blocks": [[b.code, {k: b.options[k] for k in _EXEC_KEYS if k in b.options}]
                       for b in self.blocks],
            "env": environment,
        }
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def parse_options(text: str) -> dict[str, str]:
    opts: dict[str, str] = {}
    for m in _OPT_RE.finditer(text):
        key = m.group(1) or m.group(3)
        opts[key] = m.group(2) if m.group(1) else m.group(4)
    return opts


def _is_exec(opts: dict[str, str]) -> bool:
    return opts.get("exec", "").lower() not in {"", "no", "off", "false", "0"}


class IncludeError(ValueError):
    """An executed block includes a snippet that does not exist or only part of a file."""


def parse_blocks(markdown: str, page: str, snippets_dir: Path, project_root: Path,
                 docs_name: str = "") -> list[Block]:
    """The executed python blocks of a page, with includes expanded as pymdownx.snippets does.

    Raises ``IncludeError`` (naming the page, as ``<docs_name>/<page>``, and line) for an
    include of a missing file or of a section or line range of one.
    """
    lines = markdown.split("\n")
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        m = _FENCE_RE.match(lines[i])
        if not m or not _is_exec(opts := parse_options(m.group("opts"))):
            other = _ANY_FENCE_RE.match(lines[i])
            i += 1
            if other:  # skip a code block that is not executed: it may show fences as text
                close = other.group("fence")
                while i < len(lines) and not (lines[i].strip().startswith(close[0] * len(close))
                                              and lines[i].strip().strip(close[0]) == ""):
                    i += 1
                i += 1
            continue
        fence, indent = m.group("fence"), m.group("indent")
        start = i
        body: list[str] = []
        origin: list[tuple[str, int]] = []
        i += 1
        while i < len(lines) and not lines[i].strip().startswith(fence):
            raw = lines[i][len(indent):] if lines[i].startswith(indent) else lines[i]
            inc = _INCLUDE_RE.match(raw)
            if inc:
                name = inc.group(1)
                path = snippets_dir / name
                where = f"{docs_name}/{page}:{i + 1}" if docs_name else f"{page}:{i + 1}"
                if not path.is_file() and re.search(r"\.\w+:", name):
                    raise IncludeError(f"{where}: --8<-- \"{name}\": an executed block includes "
                                       "whole snippet files only (no :section or :line "
                                       "ranges); put the part in a file of its own")
                if not path.is_file():
                    raise IncludeError(f"{where}: --8<-- \"{name}\": the snippet "
                                       f"{_rel(path, project_root)} does not exist")
                rel = _rel(path, project_root)
                text = path.read_text(encoding="utf-8")
                sub = text.split("\n")
                if sub and sub[-1] == "":
                    sub.pop()
                body += sub
                origin += [(rel, k + 1) for k in range(len(sub))]
            else:
                body.append(raw)
                origin.append((page, i + 1))
            i += 1
        blocks.append(Block(page, start + 1, "\n".join(body), opts, origin))
        i += 1
    return blocks


def _rel(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def group_units(blocks: list[Block]) -> list[Unit]:
    units: list[Unit] = []
    sessions: dict[str, Unit] = {}
    for b in blocks:
        if b.session:
            if b.session not in sessions:
                sessions[b.session] = Unit(b.page, [])
                units.append(sessions[b.session])
            sessions[b.session].blocks.append(b)
        else:
            units.append(Unit(b.page, [b]))
    return units
