"""The execution engine: persistent dependency-aware cache, isolated timed runs, located errors.

See ``core.Engine`` for the flow. Nothing here imports torch or matplotlib: they are loaded
only inside the worker processes, and only when a unit actually has to run.
"""

from __future__ import annotations

from .cache import ExecCache
from .core import Engine, UnitResult, build_date, environment, git_commit
from .units import Block, Unit, group_units, parse_blocks

__all__ = ["Block", "Engine", "ExecCache", "Unit", "UnitResult", "build_date", "environment",
           "git_commit", "group_units", "parse_blocks"]
