"""Running one unit in a fresh process, with its output captured and its inputs recorded.

Processes are forked from a *forkserver* that has imported the heavy third-party libraries
(numpy, torch, matplotlib) once, but no project module. Each unit therefore starts in a few
milliseconds, sees the current source of every ``blogkit`` module on disk (nothing stale is
kept between ``mkdocs serve`` rebuilds), shares no globals with other pages, and can be
killed on timeout. Whatever project file the unit imported or opened is recorded, with its
hash, as a dependency of the unit.
"""

from __future__ import annotations

import contextlib
import io
import linecache
import multiprocessing as mp
import os
import sys
import time
import traceback
from pathlib import Path
from typing import Any

__all__ = ["run_unit"]

PRELOAD = ["numpy", "torch", "matplotlib", "matplotlib.figure", "matplotlib.backends.backend_svg"]
_ctx: Any = None


def _context() -> Any:
    global _ctx
    if _ctx is None:
        _ctx = mp.get_context("forkserver")
        _ctx.set_forkserver_preload(PRELOAD)
    return _ctx


def _child(conn: Any, payload: dict[str, Any]) -> None:
    """Entry point in the forked process: run the blocks, send back one result dict."""
    root = Path(payload["root"]).resolve()
    opened: set[str] = set()

    def audit(event: str, args: tuple[Any, ...]) -> None:
        if event == "open" and isinstance(args[0], str | os.PathLike):
            opened.add(os.path.abspath(os.fspath(args[0])))

    before = set(sys.modules)
    sys.addaudithook(audit)
    os.chdir(payload.get("workdir") or root)
    src = root / "src"
    if str(src) not in sys.path:
        sys.path.insert(0, str(src))
    # This process imported the engine from wherever blogkit is installed; the unit's own
    # topic modules must come from the project being built (they are the same folder except
    # when building a copy of the project).
    import blogkit

    if (src / "blogkit").is_dir() and str(src / "blogkit") not in blogkit.__path__:
        blogkit.__path__.insert(0, str(src / "blogkit"))
    outputs: list[str] = []
    error = None
    g: dict[str, Any] = {"__name__": "__main__"}
    t0 = time.perf_counter()
    for block in payload["blocks"]:
        out = io.StringIO()
        try:
            # Register the code so that tracebacks can quote its lines.
            linecache.cache[block["filename"]] = (len(block["code"]), None,
                                                  block["code"].splitlines(True), block["filename"])
            code = compile(block["code"], block["filename"], "exec")
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
                exec(code, g)
        except BaseException as exc:
            outputs.append(out.getvalue())
            error = {"block": len(outputs) - 1, "type": type(exc).__name__,
                     "traceback": _user_traceback(exc, block["filename"]),
                     "output": out.getvalue()}
            break
        outputs.append(out.getvalue())
    seconds = time.perf_counter() - t0
    deps = set()
    for name in set(sys.modules) - before:
        f = getattr(sys.modules.get(name), "__file__", None)
        if f:
            deps.add(os.path.abspath(f))
    deps |= {p for p in opened if not p.endswith(".py") and os.path.isfile(p)}  # data files
    project = [p for p in deps if _inside(p, root)]
    device = "cpu"
    if "torch" in sys.modules:
        with contextlib.suppress(Exception):
            from blogkit.device import device_kind

            device = device_kind()
    conn.send({"outputs": outputs, "error": error, "seconds": seconds,
               "deps": sorted(str(Path(p).relative_to(root)) for p in project),
               "device": device})
    conn.close()


def _inside(path: str, root: Path) -> bool:
    try:
        rel = Path(path).relative_to(root)
    except ValueError:
        return False
    return not rel.parts or rel.parts[0] not in {".venv", ".cache", "site", ".git"}


def _user_traceback(exc: BaseException, first_file: str) -> str:
    """The traceback without the engine's own frames."""
    tb = traceback.TracebackException.from_exception(exc)
    frames = [f for f in tb.stack if not f.filename.endswith(("engine/worker.py",))]
    tb.stack = traceback.StackSummary.from_list(frames)
    text = "".join(tb.format())
    if isinstance(exc, SystemExit):  # would end a build silently in stock markdown-exec
        text += f"(the block called sys.exit({exc.code!r}); a block must not end the process)\n"
    return text


def run_unit(blocks: list[dict[str, str]], root: Path, timeout: float,
             workdir: str | None = None) -> dict[str, Any]:
    """Run ``blocks`` (dicts with ``code`` and ``filename``) in one fresh process.

    Returns the child's result dict; a child that dies or outlives ``timeout`` seconds gives
    an ``error`` entry instead of hanging the build.
    """
    ctx = _context()
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, {"blocks": blocks, "root": str(root),
                                                    "workdir": workdir}), daemon=True)
    t0 = time.perf_counter()
    proc.start()
    child.close()
    result: dict[str, Any] | None = None
    try:
        if parent.poll(timeout):
            result = parent.recv()
    except EOFError:
        result = None
    finally:
        if result is None and proc.is_alive():
            proc.kill()
        proc.join(5)
        parent.close()
    elapsed = time.perf_counter() - t0
    if result is None:
        if elapsed >= timeout:
            msg = f"TimeoutError: the unit did not finish within {timeout:g} s and was stopped"
        else:
            msg = f"the process running the unit died (exit code {proc.exitcode})"
        result = {"outputs": [], "error": {"block": 0, "type": "Timeout" if elapsed >= timeout
                                           else "Crash", "traceback": msg, "output": ""},
                  "seconds": elapsed, "deps": [], "device": "cpu"}
    return result
