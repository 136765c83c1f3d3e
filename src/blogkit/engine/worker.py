"""Running one unit in a fresh process, with its output captured and its inputs recorded.

Processes are forked from a *forkserver* that has imported the heavy third-party libraries
(numpy, torch, matplotlib) once, but no project module. Each unit therefore starts in a few
milliseconds, sees the current source of every ``blogkit`` module on disk (nothing stale is
kept between ``mkdocs serve`` rebuilds), shares no globals with other pages, and can be
killed on timeout.

What the unit may do, and what is recorded:

* **Output** is captured at the file-descriptor level, as Jupyter kernels do: file
  descriptors 1 and 2 of the unit's process point to one capture file, so ``print`` anywhere,
  ``sys.__stdout__``, ``os.write(1, ...)``, ``os.system`` and child processes all land on the
  page. The parent watches the file's size and stops a unit that prints more than its limit.
* **Processes**: the unit is not a daemon, so it may start processes (``multiprocessing``,
  ``torch.distributed``); it leads its own process group, and when it ends (normally, by an
  error, a signal or the timeout) the whole group is killed, so no child outlives it.
* **Dependencies**: every project file it imported or opened (a data file), every project
  file it tried to open that did not exist, and every project folder it listed (``os.listdir``,
  ``os.scandir``, ``glob``, ``Path.iterdir``) outside the import system. The cache entry is
  valid while each of them is unchanged (same bytes, still absent, same names).
* **Writes** into the docs or snippets folders by the unit's Python code are refused with a
  ``PermissionError``: a unit that rewrote its own sources would make ``mkdocs serve`` rebuild
  forever.
"""

from __future__ import annotations

import io
import linecache
import multiprocessing as mp
import multiprocessing.connection
import os
import signal
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

__all__ = ["run_unit"]

PRELOAD = ["numpy", "torch", "matplotlib", "matplotlib.figure", "matplotlib.backends.backend_svg"]
DEFAULT_MAX_OUTPUT = 20 * 2**20  # bytes a unit may print (all its blocks together)
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
_ctx: Any = None


def _context() -> Any:
    global _ctx
    if _ctx is None:
        _ctx = mp.get_context("forkserver")
        _ctx.set_forkserver_preload(PRELOAD)
    return _ctx


def _is_write(event: str, args: tuple[Any, ...]) -> bool:
    if event == "open":
        mode, flags = (*args, None, None)[1:3]
        if isinstance(mode, str) and any(c in mode for c in "wax+"):
            return True
        return isinstance(flags, int) and bool(flags & _WRITE_FLAGS)
    return event in {"os.remove", "os.rename", "os.mkdir", "os.rmdir", "os.truncate",
                     "os.symlink", "os.link", "shutil.rmtree", "os.chmod", "os.utime"}


def _from_import_system() -> bool:
    """Whether the audited call comes from Python's import machinery (its own listings)."""
    f = sys._getframe(2)
    return f is not None and f.f_code.co_filename.startswith("<frozen importlib")


def _child(conn: Any, payload: dict[str, Any]) -> None:
    """Entry point in the forked process: run the blocks, report block ends and the result."""
    os.setsid()  # its own process group: the parent ends every process the unit started
    import resource

    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a crashing unit writes no core dump
    if payload.get("max_memory"):
        limit = int(payload["max_memory"])
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    out_fd = os.open(payload["out"], os.O_WRONLY | os.O_APPEND)
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        if stream is not None:
            stream.flush()
    os.dup2(out_fd, 1)
    os.dup2(out_fd, 2)
    os.close(out_fd)
    sys.stdout = sys.stderr = io.TextIOWrapper(io.FileIO(1, "w", closefd=False),
                                               encoding="utf-8", errors="backslashreplace",
                                               line_buffering=True)

    root = Path(payload["root"]).resolve()
    guarded = [os.path.join(os.path.realpath(d), "") for d in payload.get("guard", [])]
    opened: set[str] = set()
    listed: set[str] = set()

    def audit(event: str, args: tuple[Any, ...]) -> None:
        if event in {"open", "os.listdir", "os.scandir"} or _is_write(event, args):
            if not args or not isinstance(args[0], str | bytes | os.PathLike):
                return  # a file descriptor, or a listing of the current folder by default
            path = os.path.abspath(os.fsdecode(os.fspath(args[0])) or ".")
            if _is_write(event, args) and any(os.path.join(os.path.realpath(path), "")
                                              .startswith(g) for g in guarded):
                raise PermissionError(f"a unit may not write into the docs or snippets folders: "
                                      f"{path} ({event})")
            if event == "open":
                opened.add(path)
            elif event in {"os.listdir", "os.scandir"} and not _from_import_system():
                listed.add(path)

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
    error = None
    g: dict[str, Any] = {"__name__": "__main__"}
    t0 = time.perf_counter()
    for i, block in enumerate(payload["blocks"]):
        try:
            # Register the code so that tracebacks can quote its lines.
            linecache.cache[block["filename"]] = (len(block["code"]), None,
                                                  block["code"].splitlines(True), block["filename"])
            code = compile(block["code"], block["filename"], "exec")
            exec(code, g)
        except BaseException as exc:
            error = {"block": i, "type": type(exc).__name__,
                     "traceback": _user_traceback(exc, block["filename"], payload)}
            break
        finally:
            for stream in (sys.stdout, sys.__stdout__, sys.__stderr__):
                if stream is not None:
                    try:
                        stream.flush()
                    except (OSError, ValueError):
                        pass
        conn.send(("block", i))
    seconds = time.perf_counter() - t0
    deps: set[str] = set()
    for name in set(sys.modules) - before:
        f = getattr(sys.modules.get(name), "__file__", None)
        if f:
            deps.add(os.path.abspath(f))
    deps |= {p for p in opened if not p.endswith(".py") and not os.path.isdir(p)}
    folders = {p for p in listed if os.path.isdir(p)}
    rel = sorted(str(Path(p).relative_to(root)) for p in deps if _inside(p, root))
    rel += sorted(str(Path(p).relative_to(root)).rstrip("/") + "/" for p in folders
                  if _inside(p, root) and Path(p).resolve() != root)
    device = "cpu"
    if "torch" in sys.modules:
        try:
            from blogkit.device import device_kind

            device = device_kind()
        except Exception:  # the device is informational only
            pass
    conn.send(("done", {"error": error, "seconds": seconds, "deps": rel, "device": device}))
    conn.close()


def _inside(path: str, root: Path) -> bool:
    try:
        rel = Path(path).relative_to(root)
    except ValueError:
        return False
    return not rel.parts or rel.parts[0] not in {".venv", ".cache", "site", ".git"}


def _user_traceback(exc: BaseException, first_file: str, payload: dict[str, Any]) -> str:
    """The traceback without the engine's own frames."""
    tb = traceback.TracebackException.from_exception(exc)
    frames = [f for f in tb.stack if not f.filename.endswith(("engine/worker.py",))]
    tb.stack = traceback.StackSummary.from_list(frames)
    text = "".join(tb.format())
    if isinstance(exc, SystemExit):  # would end a build silently in stock markdown-exec
        text += f"(the block called sys.exit({exc.code!r}); a block must not end the process)\n"
    if isinstance(exc, MemoryError) and payload.get("max_memory"):
        text += (f"(the unit reached its memory limit of {payload['max_memory'] / 2**20:.0f} MB; "
                 "raise the plugin option max_memory_mb)\n")
    return text


def _signal_name(exitcode: int | None) -> str:
    if exitcode is None:
        return "unknown"
    if exitcode < 0:
        try:
            return f"signal {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"signal {-exitcode}"
    return f"exit code {exitcode}"


def _end_group(proc: Any) -> None:
    """Kill the unit's whole process group (the unit and anything it started)."""
    if proc.pid is None:
        return
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.join(5)


def run_unit(blocks: list[dict[str, str]], root: Path, timeout: float,
             workdir: str | None = None, *, max_output: int = DEFAULT_MAX_OUTPUT,
             max_memory: int | None = None, guard: list[str] | None = None) -> dict[str, Any]:
    """Run ``blocks`` (dicts with ``code`` and ``filename``) in one fresh process.

    Returns ``{"outputs", "error", "seconds", "deps", "device"}``. A unit that dies (a signal,
    ``os._exit``), outlives ``timeout`` seconds or prints more than ``max_output`` bytes gives
    an ``error`` saying so, with what it printed until then; it never hangs the build, and no
    process it started survives it. ``max_memory`` (bytes) caps its address space;
    ``guard`` lists folders its Python code may not write into.
    """
    ctx = _context()
    parent, child = ctx.Pipe(duplex=False)
    fd, out_path = tempfile.mkstemp(prefix="blogkit-unit-", suffix=".out")
    os.close(fd)
    payload = {"blocks": blocks, "root": str(root), "workdir": workdir, "out": out_path,
               "max_memory": max_memory, "guard": guard or []}
    proc = ctx.Process(target=_child, args=(child, payload), daemon=False)
    t0 = time.perf_counter()
    ends: list[int] = []  # byte offset in the capture file where each finished block ends
    done: dict[str, Any] | None = None
    stopped = ""
    try:
        proc.start()
        child.close()
        while done is None:
            left = t0 + timeout - time.perf_counter()
            if left <= 0:
                stopped = f"TimeoutError: the unit did not finish within {timeout:g} s and was stopped"
                break
            ready = mp.connection.wait([parent, proc.sentinel], timeout=min(left, 0.25))
            size = os.path.getsize(out_path)
            if size > max_output:
                stopped = (f"OutputLimitError: the unit printed more than {max_output / 2**20:g} MB "
                           "and was stopped (plugin option max_output_mb)")
                break
            if parent in ready or (ready and parent.poll()):
                try:
                    kind, data = parent.recv()
                except EOFError:
                    stopped = "died"
                    break
                if kind == "block":
                    ends.append(os.path.getsize(out_path))
                else:
                    done = data
            elif proc.sentinel in ready:
                stopped = "died"
                break
    finally:
        _end_group(proc)
        parent.close()
        captured = Path(out_path).read_bytes()
        Path(out_path).unlink(missing_ok=True)
    elapsed = time.perf_counter() - t0
    # Cut the capture at block ends (byte offsets), then decode each piece.
    bounds = [0, *ends]
    outputs = [captured[a:b].decode("utf-8", errors="replace") for a, b in zip(bounds, ends, strict=False)]
    if done is not None:
        if done["error"] is not None:  # the failing block's output is the rest of the file
            outputs.append(captured[bounds[-1]:].decode("utf-8", errors="replace"))
            done["error"]["output"] = outputs[-1]
        return {"outputs": outputs, **done}
    partial = captured[bounds[-1]:].decode("utf-8", errors="replace")
    outputs.append(partial)
    if stopped == "died":
        how = _signal_name(proc.exitcode)
        msg = f"the process running the unit died ({how}) before it finished"
        kind = "Crash"
    else:
        msg, kind = stopped, stopped.split(":")[0]
    if partial.strip():
        msg += f"\nwhat it printed before that (last lines):\n{_tail(partial)}"
    return {"outputs": outputs, "error": {"block": len(ends), "type": kind, "traceback": msg,
                                          "output": partial},
            "seconds": elapsed, "deps": [], "device": "cpu"}


def _tail(text: str, lines: int = 8, chars: int = 2000) -> str:
    return "\n".join(text[-chars:].rstrip().split("\n")[-lines:])
