#!/usr/bin/env python3
"""One entry point for authors and CI: set everything up, then serve, build or test.

    python3 dev.py serve   # set up, then `mkdocs serve` on http://127.0.0.1:8000
    python3 dev.py build   # set up, then `mkdocs build --strict` into site/
    python3 dev.py test    # set up (with test tools and Chromium), then the whole test suite

Set-up is idempotent and cheap when nothing changed. It makes a virtual environment in
`.venv/` (override with BLOGKIT_VENV), installs torch there only when no torch is importable
(the CPU build, torch==2.13.0, from the PyTorch CPU index: a plain `pip install torch` would
pull several GB of CUDA wheels), installs this project in editable mode, and installs the
Debian packages it uses when they are missing and the machine allows it (root + apt-get):
`fonts-noto-cjk` (Chinese text in figures) and Node.js with npm (MathJax typesets the formulas
at build time; `npm ci` installs it from package-lock.json) always, `chromium` (the browser
tests) for `test`.
A machine that already has torch (a GPU runner's CUDA build) keeps it: the venv is created
with access to the system site-packages in that case, and torch is never reinstalled.
Only the standard library is used here, so this runs on a bare Python 3.11.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("BLOGKIT_VENV", ROOT / ".venv"))
TORCH_SPEC = os.environ.get("BLOGKIT_TORCH_SPEC", "torch==2.13.0")
TORCH_INDEX = os.environ.get("BLOGKIT_TORCH_INDEX", "https://download.pytorch.org/whl/cpu")
CHROMIUM = "/usr/bin/chromium"


def log(msg: str) -> None:
    print(f"[dev] {msg}", file=sys.stderr, flush=True)


def run(cmd: list[str], **kw: object) -> None:
    log("$ " + " ".join(cmd))
    subprocess.run(cmd, check=True, **kw)  # type: ignore[call-overload]


def vpy() -> str:
    return str(VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python"))


def venv_has(module: str) -> bool:
    code = f"import importlib.util,sys; sys.exit(importlib.util.find_spec({module!r}) is None)"
    return subprocess.run([vpy(), "-c", code], capture_output=True).returncode == 0


def ensure_venv() -> None:
    if Path(vpy()).exists():
        return
    system_torch = importlib.util.find_spec("torch") is not None
    cmd = [sys.executable, "-m", "venv", str(VENV)]
    if system_torch:  # keep the runner's (CUDA) torch visible instead of reinstalling it
        cmd.insert(3, "--system-site-packages")
    run(cmd)


def ensure_torch() -> None:
    if venv_has("torch"):
        return
    log(f"no torch found: installing the CPU build ({TORCH_SPEC})")
    pip = [vpy(), "-m", "pip", "install", "--retries", "1", "--timeout", "30"]
    try:
        run([*pip, "--index-url", TORCH_INDEX, TORCH_SPEC])
    except subprocess.CalledProcessError:
        sys.exit(f"dev.py: could not install {TORCH_SPEC} from {TORCH_INDEX}. Install a torch "
                 "build yourself (CPU or CUDA) and run again; it will be kept.")


def ensure_project(extras: str) -> None:
    stamp = VENV / f".blogkit-installed-{extras or 'base'}"
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == digest:
        return
    target = f"{ROOT}[{extras}]" if extras else str(ROOT)
    run([vpy(), "-m", "pip", "install", "--disable-pip-version-check", "-q", "-e", target])
    stamp.write_text(digest)


# Debian packages the project uses, each with a file that tells whether it is installed.
SYSTEM_PACKAGES = {
    "chromium": CHROMIUM,  # the real-browser tests
    "nodejs": "/usr/bin/node",  # MathJax typesets the formulas at build time
    "npm": "/usr/bin/npm",
    "fonts-noto-cjk": "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",  # 中文 in figures
}


def ensure_debian(packages: list[str]) -> None:
    """Install the Debian packages that are missing, where the machine allows it."""
    # Node and npm count as present when they are on PATH (the machine image ships its own)
    missing = [p for p in packages if not Path(SYSTEM_PACKAGES[p]).exists()
               and not (p in {"nodejs", "npm"} and shutil.which(Path(SYSTEM_PACKAGES[p]).name))]
    if not missing:
        return
    can_apt = shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0
    if not can_apt:
        log(f"missing {', '.join(missing)} and cannot install them here (needs root and apt-get); "
            "browser tests will skip (and fail under CI=true), Chinese in figures shows as boxes")
        return
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    try:
        run(["apt-get", "update", "-qq"], env=env)
        run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing], env=env)
    except subprocess.CalledProcessError as err:
        log(f"installing {', '.join(missing)} failed ({err})")


def ensure_mathjax() -> None:
    """MathJax for the build (package.json, pinned by package-lock.json): `npm ci` when
    node_modules is missing or older than the lockfile."""
    stamp = ROOT / "node_modules" / ".blogkit-installed"
    digest = hashlib.sha256((ROOT / "package-lock.json").read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == digest:
        return
    npm = shutil.which("npm")
    if npm is None:
        log("npm is missing and could not be installed: the build cannot typeset formulas")
        return
    run([npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"], cwd=ROOT)
    stamp.write_text(digest)


def setup(extras: str = "") -> None:
    base = ["fonts-noto-cjk", "nodejs", "npm"]
    ensure_debian([*base, "chromium"] if extras == "test" else base)
    ensure_mathjax()
    ensure_venv()
    ensure_torch()
    ensure_project(extras)


def mkdocs_env() -> dict[str, str]:
    return {**os.environ, "NO_MKDOCS_2_WARNING": "1"}


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"serve", "build", "test", "setup"}:
        print(__doc__)
        return 2
    cmd, rest = argv[0], argv[1:]
    os.chdir(ROOT)
    if cmd == "test":
        setup("test")
        # The slowest tests are listed at the end: where CI time goes (README, "CI").
        return subprocess.run([vpy(), "-m", "pytest", "--durations=15", *rest]).returncode
    setup()
    if cmd == "setup":
        return 0
    mkdocs = [vpy(), "-m", "mkdocs"]
    if cmd == "serve":
        args = rest or ["-a", "127.0.0.1:8000"]
        return subprocess.run([*mkdocs, "serve", *args], env=mkdocs_env()).returncode
    return subprocess.run([*mkdocs, "build", "--strict", *rest], env=mkdocs_env()).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
