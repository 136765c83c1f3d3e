"""The execution engine, end to end on small temporary projects.

Each test copies the project's configuration and ``src/`` into a temporary folder, writes
tiny posts there, and builds with ``mkdocs build``. The engine's JSON report tells how many
units actually ran.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from blogkit.engine.cache import ExecCache
from conftest import Project, block, ok


def test_cache_follows_imported_modules_prose_and_blocks(project: Project) -> None:
    project.write("src/blogkit/zz_probe.py", "def value():\n    return 'probe-v1'\n")
    project.write("snippets/a/uses.py", "from blogkit.zz_probe import value\n\nprint(value())\n")
    project.write("snippets/b/plain.py", "print('plain-' + str(6 * 7))\n")
    project.post("a", block("a/uses.py"), n=1)
    project.post("b", "一段文字。\n\n" + block("b/plain.py"), n=2)
    ok(project.build())
    assert project.report()["executed"] == 2
    assert "probe-v1" in project.page("a", 1) and "plain-42" in project.page("b", 2)

    # Everything cached: nothing runs.
    ok(project.build())
    assert project.report()["executed"] == 0
    assert {u["cache"] for u in project.report()["units"]} == {"hit"}

    # A prose edit re-runs nothing.
    post_b = project.path / "docs/blog/posts/b.md"
    post_b.write_text(post_b.read_text(encoding="utf-8").replace("一段文字", "另一段文字"),
                      encoding="utf-8")
    ok(project.build())
    assert project.report()["executed"] == 0

    # Editing the module re-runs exactly the unit that imported it, and the page changes.
    project.write("src/blogkit/zz_probe.py", "def value():\n    return 'probe-v2'\n")
    ok(project.build())
    rep = project.report()
    assert rep["executed"] == 1
    assert [u["unit"] for u in rep["units"] if u["cache"] == "miss"] == ["snippets/a/uses.py"]
    assert "probe-v2" in project.page("a", 1) and "probe-v1" not in project.page("a", 1)

    # Editing one block re-runs only its unit.
    project.write("snippets/b/plain.py", "print('plain-' + str(6 * 8))\n")
    ok(project.build())
    assert project.report()["executed"] == 1 and "plain-48" in project.page("b", 2)

    # The switch forces a full re-run.
    ok(project.build(env={"BLOGKIT_REFRESH": "1"}))
    assert project.report()["executed"] == 2


def test_corrupt_or_half_written_entries_are_rebuilt(project: Project) -> None:
    project.write("snippets/a/plain.py", "print('value-' + str(2 ** 10))\n")
    project.post("a", block("a/plain.py"))
    ok(project.build())
    entries = list((project.path / ".cache/blogkit-exec").glob("??/*.json"))  # not timings.json
    assert len(entries) == 1
    text = entries[0].read_text(encoding="utf-8")
    for bad in (text[: len(text) // 2], text.replace("value-1024", "value-9999"), "", "[]"):
        entries[0].write_text(bad, encoding="utf-8")
        ok(project.build())
        assert project.report()["executed"] == 1, "a damaged entry was served"
        assert "value-1024" in project.page("a") and "value-9999" not in project.page("a")


def test_prune_keeps_used_and_recent_entries(tmp_path: Path) -> None:
    cache = ExecCache(tmp_path / "c", tmp_path)
    for key in ("aa01", "aa02", "bb03", "bb04"):
        cache.put(key, {"outputs": [key], "deps": []})
    old = time.time() - 30 * 86400
    for key in ("aa01", "aa02", "bb03"):  # last used a month ago; bb04 is recent
        os.utime(tmp_path / "c" / key[:2] / f"{key}.json", (old, old))
    tmp = tmp_path / "c/aa/.tmp-x.json"
    tmp.write_text("{", encoding="utf-8")
    os.utime(tmp, (old, old))
    removed, freed = cache.prune({"aa01"}, max_age_s=14 * 86400)
    assert removed == 3 and freed > 0  # aa02, bb03 and the interrupted write
    left = sorted(p.stem for p in (tmp_path / "c").rglob("*.json"))
    assert left == ["aa01", "bb04"]
    assert cache.get("aa01")["outputs"] == ["aa01"]  # type: ignore[index]
    # A hit counts as use: the old entry that was read survives the next prune with no keep set.
    assert cache.prune(set(), max_age_s=14 * 86400) == (0, 0)


def test_build_prunes_entries_of_deleted_blocks(project: Project) -> None:
    project.write("snippets/a/one.py", "print('one')\n")
    project.post("a", block("a/one.py"))
    ok(project.build())
    project.write("snippets/a/one.py", "print('two')\n")
    ok(project.build())
    entries = list((project.path / ".cache/blogkit-exec").glob("??/*.json"))  # not timings.json
    assert len(entries) == 2  # the superseded entry stays within the grace period ...
    old = time.time() - 30 * 86400
    for e in entries:
        os.utime(e, (old, old))
    ok(project.build())  # ... and goes once unused for longer; the live one is kept
    assert project.report()["executed"] == 0
    assert len(list((project.path / ".cache/blogkit-exec").glob("??/*.json"))) == 1


def test_fully_cached_build_imports_neither_torch_nor_matplotlib(project: Project) -> None:
    project.write("snippets/a/fig.py",
                  "import torch\n\nfrom blogkit.display import figure, svg\n\n"
                  "fig, ax = figure()\nax.plot(torch.arange(3).tolist())\nprint(svg(fig))\n")
    project.post("a", block("a/fig.py"))
    ok(project.build())
    code = (
        "import sys\nfrom mkdocs.commands.build import build\nfrom mkdocs.config import load_config\n"
        f"build(load_config({str(project.path / 'mkdocs.yml')!r}, site_dir={str(project.site)!r}))\n"
        "print(sorted(m for m in ('torch', 'matplotlib') if m in sys.modules))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=project.path, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    ok(proc)
    assert proc.stdout.strip().splitlines()[-1] == "[]"
    assert project.report()["executed"] == 0
    assert "<svg" in project.page("a")


def test_errors_are_located_and_never_hang(project: Project) -> None:
    project.write("snippets/a/boom.py", "x = 1\nprint('partial')\nraise ValueError('boom 42')\n")
    project.write("snippets/a/exit.py", "import sys\n\nsys.exit(3)\n")
    project.write("snippets/a/loop.py", "while True:\n    pass\n")
    project.post("a", "\n".join([block("a/boom.py"), block("a/exit.py"),
                                 block("a/loop.py", ' timeout="2"')]))
    proc = project.build()
    assert proc.returncode != 0
    log = proc.stdout + proc.stderr
    # Post file and line of the block, snippet file and line inside it, the exception.
    assert "docs/blog/posts/a.md:18: executed python block (snippet snippets/a/boom.py)" in log
    assert 'File "snippets/a/boom.py", line 3' in log and "ValueError: boom 42" in log
    assert "docs/blog/posts/a.md:22" in log and "sys.exit(3)" in log
    assert 'File "snippets/a/exit.py", line 3' in log
    assert "docs/blog/posts/a.md:26" in log and "within 2 s" in log


def test_plain_build_fails_unless_errors_are_allowed(project: Project) -> None:
    project.write("snippets/a/boom.py", "raise RuntimeError('nope')\n")
    project.post("a", block("a/boom.py"))
    assert project.build(strict=False).returncode != 0
    proc = project.build(strict=False, env={"BLOGKIT_ALLOW_ERRORS": "1"})
    ok(proc)
    assert "admonition failure" in project.page("a") and "RuntimeError: nope" in project.page("a")


def test_output_printed_inside_blogkit_is_captured(project: Project) -> None:
    project.write("src/blogkit/zz_talk.py", "def talk():\n    print('said-inside-blogkit')\n")
    project.write("snippets/a/talk.py", "from blogkit.zz_talk import talk\n\ntalk()\n")
    project.post("a", block("a/talk.py"))
    proc = project.build()
    ok(proc)
    assert "said-inside-blogkit" in project.page("a")
    assert "said-inside-blogkit" not in proc.stdout + proc.stderr


def test_sessions_are_per_page(project: Project) -> None:
    project.write("snippets/a/set.py", "x = 'page-a-state'\n")
    project.write("snippets/a/get.py", "print(globals().get('x', 'unset'))\n")
    project.post("a", block("a/set.py", ' session="s"') + "\n" + block("a/get.py", ' session="s"'))
    project.post("b", block("a/get.py", ' session="s"'), n=2)
    ok(project.build())
    assert "page-a-state" in project.page("a", 1)
    assert "unset" in project.page("b", 2) and "page-a-state" not in project.page("b", 2)


def test_serve_follows_module_edits_and_shows_errors_in_page(project: Project) -> None:
    """Under `mkdocs serve`: a module edit changes the page; a failing block is shown in the
    page as an error box while the server keeps serving."""
    import re
    import socket
    import time
    import urllib.request

    project.write("src/blogkit/zz_live.py", "def value():\n    return 'live-v1'\n")
    project.write("snippets/a/live.py", "from blogkit.zz_live import value\n\nprint(value())\n")
    project.post("a", block("a/live.py"))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log_path = project.path / "serve.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}"],
            cwd=project.path, stdout=log, stderr=subprocess.STDOUT,
            env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    url = f"http://127.0.0.1:{port}/2020/01/01/a/"

    def page_when(pattern: str, timeout: float = 60) -> str:
        deadline = time.time() + timeout
        text = ""
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(url, timeout=5) as r:
                    text = r.read().decode("utf-8")
                if re.search(pattern, text):
                    return text
            except OSError:
                pass
            time.sleep(0.3)
        raise AssertionError(f"page never matched {pattern!r}; log:\n{log_path.read_text()[-3000:]}")

    try:
        page_when("live-v1")
        time.sleep(1.0)
        project.write("src/blogkit/zz_live.py", "def value():\n    return 'live-v2'\n")
        page_when("live-v2")
        time.sleep(1.0)
        project.write("src/blogkit/zz_live.py", "def value():\n    raise KeyError('live-broken')\n")
        text = page_when("admonition failure")
        assert "live-broken" in text and "snippets/a/live.py" in text
        assert proc.poll() is None, "the server stopped on a failing block"
        time.sleep(1.0)
        project.write("src/blogkit/zz_live.py", "def value():\n    return 'live-v3'\n")
        text = page_when("live-v3")
        assert "admonition failure" not in text
        # a TeX error is shown in the page too, with the post's file and line; fixed, typeset
        time.sleep(1.0)
        project.post("a", block("a/live.py") + "\n公式 $\\frac{1}{2$ 写错了。\n")
        text = page_when("公式排版失败")
        assert re.search(r"docs/blog/posts/a\.md:\d+: TeX error", text)
        assert proc.poll() is None, "the server stopped on a bad formula"
        time.sleep(1.0)
        project.post("a", block("a/live.py") + "\n公式 $\\frac{1}{2}$ 改好了。\n")
        text = page_when("改好了")
        assert "公式排版失败" not in text and "<mjx-container" in text
    finally:
        proc.terminate()
        proc.wait(10)


def test_fences_shown_as_text_are_not_executed() -> None:
    from pathlib import Path

    from blogkit.engine.units import parse_blocks

    md = ('text\n````markdown\n```python exec="1"\nprint("shown, not run")\n```\n````\n\n'
          '```python\nx = 1\n```\n\n```python exec="1" session="s" timeout="5"\nprint(2)\n```\n')
    blocks = parse_blocks(md, "p.md", Path("snippets"), Path("."))
    assert [(b.line, b.code, b.session, b.options["timeout"]) for b in blocks] == \
        [(12, "print(2)", "s", "5")]
