"""Golden outputs: the approved text output of every snippet, compared with tolerance.

The approved output of ``snippets/<slug>/<name>.py`` lives in ``tests/golden/<slug>/<name>.txt``
in normalised form: inline SVG figures are reduced to a placeholder (their bytes depend on the
matplotlib version; figures are checked in the browser tests), everything else is kept.
Comparison treats text exactly and numbers with a tolerance: integers exactly, any other number may move by
``rtol`` relative or by two units of its last printed digit, so CPU/GPU rounding passes and a
real drift fails. Two numbers that are both at most ``ATOL`` (1e-12) in size are equal: a
printed round-off residue such as ``1.7e-16`` is exact-to-rounding on every machine, but its
digits depend on the BLAS kernel and the CPU's vector width.

    python -m blogkit.golden check [SNIPPET...]     # compare, print differences, exit 1 on any
    python -m blogkit.golden approve [SNIPPET...]   # re-run, show the diff, write the goldens
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Mismatch", "compare", "golden_dir", "golden_path", "normalise", "run_snippet"]

ROOT = Path(__file__).resolve().parents[2]
SNIPPETS = ROOT / "snippets"
GOLDEN = ROOT / "tests" / "golden"
RTOL = 1e-4
ATOL = 1e-12
_SVG_RE = re.compile(r"<svg\b.*?</svg>", flags=re.S)
_NUM_RE = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")


def normalise(output: str) -> str:
    """Output as stored: SVG bodies replaced by ``<svg/>``, trailing spaces dropped."""
    text = _SVG_RE.sub("<svg/>", output)
    return "\n".join(line.rstrip() for line in text.strip("\n").split("\n")) + "\n"


@dataclass
class Mismatch:
    line: int
    expected: str
    actual: str
    why: str


def _last_digit(token: str) -> float:
    mant = re.split(r"[eE]", token)[0]
    exp = int(re.split(r"[eE]", token)[1]) if re.search(r"[eE]", token) else 0
    decimals = len(mant.split(".")[1]) if "." in mant else 0
    return 10.0 ** (exp - decimals)


def compare(expected: str, actual: str, rtol: float = RTOL) -> list[Mismatch]:
    """Differences between two normalised outputs: text exactly, numbers with tolerance."""
    exp_lines, act_lines = expected.split("\n"), actual.split("\n")
    out: list[Mismatch] = []
    if len(exp_lines) != len(act_lines):
        out.append(Mismatch(0, f"{len(exp_lines)} lines", f"{len(act_lines)} lines",
                            "line count differs"))
    for n, (e, a) in enumerate(zip(exp_lines, act_lines, strict=False), start=1):
        if e == a:
            continue
        if _NUM_RE.sub("#", e) != _NUM_RE.sub("#", a):
            out.append(Mismatch(n, e, a, "text differs"))
            continue
        for te, ta in zip(_NUM_RE.findall(e), _NUM_RE.findall(a), strict=True):
            x, y = float(te), float(ta)
            if abs(x) <= ATOL and abs(y) <= ATOL:
                continue  # both round-off residues
            if re.fullmatch(r"[-+]?\d+", te) and re.fullmatch(r"[-+]?\d+", ta):
                tol = 0.0  # integers (counts, indices, sizes) must match exactly
            else:
                tol = max(rtol * abs(x), 2 * max(_last_digit(te), _last_digit(ta)))
            if abs(x - y) > tol:
                out.append(Mismatch(n, e, a, f"{te} -> {ta} beyond tolerance {tol:.3g}"))
                break
    return out


def golden_dir(device: str | None = None) -> Path:
    """Where approved outputs of a device kind live: ``tests/golden`` for the CPU (the
    default, ``$BLOGKIT_DEVICE`` unset), ``tests/golden-<device>`` for another kind."""
    device = (device or os.environ.get("BLOGKIT_DEVICE") or "cpu").split(":")[0]
    return GOLDEN if device == "cpu" else GOLDEN.with_name(f"golden-{device}")


def golden_path(snippet: Path, device: str | None = None) -> Path:
    return golden_dir(device) / snippet.resolve().relative_to(SNIPPETS).with_suffix(".txt")


def run_snippet(snippet: Path, timeout: float = 600) -> str:
    env = {**os.environ, "BLOGKIT_DEVICE": os.environ.get("BLOGKIT_DEVICE", "cpu")}
    proc = subprocess.run([sys.executable, str(snippet)], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(f"{snippet} failed:\n{proc.stderr[-4000:]}")
    return proc.stdout


def _snippets(names: list[str]) -> list[Path]:
    if not names:
        return sorted(p for p in SNIPPETS.rglob("*.py") if "__pycache__" not in p.parts)
    out = []
    for name in names:
        p = Path(name)
        p = p if p.exists() else SNIPPETS / name
        out += sorted(p.rglob("*.py")) if p.is_dir() else [p]
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m blogkit.golden", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("action", choices=["check", "approve"])
    ap.add_argument("snippets", nargs="*", help="snippet files or folders (default: all)")
    args = ap.parse_args(argv)
    bad = 0
    for snippet in _snippets(args.snippets):
        gold = golden_path(snippet)
        new = normalise(run_snippet(snippet))
        old = gold.read_text(encoding="utf-8") if gold.exists() else ""
        rel = snippet.resolve().relative_to(ROOT)
        if args.action == "approve":
            if new != old:
                sys.stdout.writelines(difflib.unified_diff(
                    old.splitlines(True), new.splitlines(True), f"{gold.relative_to(ROOT)} (old)",
                    f"{gold.relative_to(ROOT)} (new)"))
                gold.parent.mkdir(parents=True, exist_ok=True)
                gold.write_text(new, encoding="utf-8")
                print(f"approved {rel}")
            continue
        problems = [Mismatch(0, "", "", "no golden output")] if not old else compare(old, new)
        for m in problems:
            bad += 1
            print(f"{rel}: line {m.line}: {m.why}\n  approved: {m.expected}\n  now:      {m.actual}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
