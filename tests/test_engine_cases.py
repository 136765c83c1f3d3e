"""Regression tests for the engine's promises, one per case of the engine issue.

Each test builds a tiny temporary project (``conftest.Project``) and checks what a user would
see: the page, the build's exit status and log, and how many units ran.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from conftest import Project, block, ok


def _set_option(project: Project, line: str) -> None:
    """Add an option line under the blogkit plugin of the project's mkdocs.yml."""
    cfg = project.path / "mkdocs.yml"
    text = cfg.read_text(encoding="utf-8")
    cfg.write_text(text.replace("  - blogkit:\n", f"  - blogkit:\n      {line}\n", 1),
                   encoding="utf-8")


def test_case01_same_code_in_two_sessions_shows_each_sessions_output(project: Project) -> None:
    project.write("snippets/a/one.py", "x = 'value-of-session-one'\n")
    project.write("snippets/a/two.py", "x = 'value-of-session-two'\n")
    project.write("snippets/a/show.py", "print(x)\n")
    project.post("a", "\n".join([block("a/one.py", ' session="s1"'),
                                 block("a/show.py", ' session="s1"'),
                                 block("a/two.py", ' session="s2"'),
                                 block("a/show.py", ' session="s2"')]))
    ok(project.build())
    page = project.page("a")
    assert "value-of-session-one" in page and "value-of-session-two" in page


def test_case02_module_saved_while_its_unit_runs_is_not_cached_stale(project: Project) -> None:
    # The unit imports v1 and then (as an editor would, mid-run) saves v2 of the module.
    project.write("src/blogkit/zz_mid.py", "VALUE = 'mid-v1'\n")
    project.write("snippets/a/mid.py",
                  "import pathlib\nimport time\n\nfrom blogkit.zz_mid import VALUE\n\n"
                  "print(VALUE)\ntime.sleep(0.2)\n"
                  "pathlib.Path('src/blogkit/zz_mid.py').write_text(\"VALUE = 'mid-v2'\\n\")\n")
    project.post("a", block("a/mid.py"))
    ok(project.build())
    assert "mid-v1" in project.page("a")
    ok(project.build())  # the stored hash must not pair v2's bytes with v1's output
    assert project.report()["executed"] == 1
    assert "mid-v2" in project.page("a")


def test_case03_missing_files_and_listed_folders_are_dependencies(project: Project) -> None:
    project.write("data/present.txt", "p\n")
    project.write("snippets/a/probe.py",
                  "import os\n\ntry:\n    print(open('data/extra.txt').read().strip())\n"
                  "except FileNotFoundError:\n    print('extra-absent')\n")
    project.write("snippets/a/listing.py", "import os\n\nprint('files:', sorted(os.listdir('data')))\n")
    project.post("a", block("a/probe.py") + "\n" + block("a/listing.py"))
    ok(project.build())
    assert "extra-absent" in project.page("a") and "present.txt" in project.page("a")
    ok(project.build())
    assert project.report()["executed"] == 0
    project.write("data/extra.txt", "extra-now-here\n")
    ok(project.build())
    assert project.report()["executed"] == 2  # the failed open and the folder listing
    page = project.page("a")
    assert "extra-now-here" in page and "extra.txt" in page


def test_case04_a_unit_cannot_write_into_docs_or_snippets(project: Project) -> None:
    project.write("snippets/a/writer.py",
                  "open('docs/blog/posts/generated.md', 'w').write('loop')\n")
    project.post("a", block("a/writer.py"))
    proc = project.build()
    assert proc.returncode != 0
    log = proc.stdout + proc.stderr
    assert "PermissionError" in log and "may not write into the docs or snippets" in log
    assert "docs/blog/posts/a.md:" in log
    assert not (project.path / "docs/blog/posts/generated.md").exists()


def test_case05_crash_with_a_live_child_is_noticed_at_once(project: Project) -> None:
    project.write("snippets/a/orphan.py",
                  "import os\nimport time\n\nif os.fork() == 0:\n    time.sleep(120)\n"
                  "    os._exit(0)\nprint('parent-before-exit', flush=True)\nos._exit(7)\n")
    project.write("snippets/a/bg.py",
                  "import subprocess\nimport sys\n\n"
                  "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)'])\n"
                  "print('started a background child')\n")
    project.post("a", block("a/orphan.py") + "\n" + block("a/bg.py"))
    t0 = time.perf_counter()
    proc = project.build()  # returns only once no process holds mkdocs' output pipes
    elapsed = time.perf_counter() - t0
    assert elapsed < 60, f"the build waited {elapsed:.0f} s for a dead unit or its children"
    log = proc.stdout + proc.stderr
    assert proc.returncode != 0 and "exit code 7" in log and "parent-before-exit" in log
    assert "TimeoutError" not in log


def test_case06_output_is_captured_at_the_file_descriptor_level(project: Project) -> None:
    project.write("snippets/a/fd.py",
                  "import os\nimport subprocess\nimport sys\n\n"
                  "print('from-print')\n"
                  "print('from-dunder-stdout', file=sys.__stdout__)\n"
                  "os.write(1, b'from-os-write\\n')\n"
                  "os.system('echo from-os-system')\n"
                  "subprocess.run(['echo', 'from-subprocess'], check=True)\n")
    project.post("a", block("a/fd.py"))
    proc = project.build()
    ok(proc)
    page = project.page("a")
    for text in ("from-print", "from-dunder-stdout", "from-os-write", "from-os-system",
                 "from-subprocess"):
        assert text in page, text
        assert text not in proc.stdout + proc.stderr, text


def test_case07_units_can_start_processes(project: Project) -> None:
    project.write("snippets/a/pool.py",
                  "import multiprocessing as mp\n\n"
                  "with mp.get_context('fork').Pool(2) as pool:\n"
                  "    print('pool-sum', sum(pool.map(abs, [-1, -2, -3])))\n"
                  "p = mp.get_context('spawn').Process(target=print, args=('spawned-child',))\n"
                  "p.start()\np.join()\nprint('spawn-exit', p.exitcode)\n")
    project.post("a", block("a/pool.py"))
    ok(project.build())
    page = project.page("a")
    assert "pool-sum 6" in page and "spawned-child" in page and "spawn-exit 0" in page


def test_case08_a_block_with_timeout_renders_its_source(project: Project) -> None:
    project.write("snippets/a/quick.py", "answer = 6 * 7\nprint('answer', answer)\n")
    project.post("a", block("a/quick.py", ' source="tabbed-right" title="a/quick.py" timeout="30"'))
    ok(project.build())
    page = project.page("a")
    assert "answer 42" in page
    assert "<p><code>python" not in page and 'timeout="30"' not in page
    assert 'class="highlight"' in page


def test_case09_error_box_stands_after_a_printed_table(project: Project) -> None:
    project.write("snippets/a/table_then_fail.py",
                  "print('| a | b |\\n|--|--|\\n| 1 | 2 |')\nraise ValueError('after-table')\n")
    project.post("a", block("a/table_then_fail.py"))
    ok(project.build(strict=False, env={"BLOGKIT_ALLOW_ERRORS": "1"}))
    page = project.page("a")
    table = page.index("<table>")
    box = page.index("admonition failure")
    assert table < page.index("</table>") < box
    assert "after-table" not in page[table:page.index("</table>")]


def test_case10_signals_are_named_and_output_kept(project: Project) -> None:
    project.write("snippets/a/segv.py",
                  "import ctypes\n\nprint('said-before-segfault', flush=True)\nctypes.string_at(0)\n")
    project.write("snippets/a/slow.py",
                  "import time\n\nprint('said-before-timeout', flush=True)\ntime.sleep(60)\n")
    project.post("a", block("a/segv.py") + "\n" + block("a/slow.py", ' timeout="2"'))
    proc = project.build()
    log = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "signal SIGSEGV" in log and "said-before-segfault" in log
    assert "within 2 s" in log and "said-before-timeout" in log


def test_case12_output_size_is_limited(project: Project) -> None:
    _set_option(project, "max_output_mb: 1")
    project.write("snippets/a/flood.py", "for _ in range(3000):\n    print('x' * 1000)\n")
    project.post("a", block("a/flood.py"))
    t0 = time.perf_counter()
    proc = project.build()
    assert time.perf_counter() - t0 < 60
    log = proc.stdout + proc.stderr
    assert proc.returncode != 0 and "printed more than 1 MB" in log


def test_case12_memory_limit_gives_a_clear_error(project: Project) -> None:
    _set_option(project, "max_memory_mb: 2000")
    project.write("snippets/a/hog.py", "block = bytearray(4 * 2**30)\n")
    project.post("a", block("a/hog.py"))
    proc = project.build()
    log = proc.stdout + proc.stderr
    assert proc.returncode != 0 and "MemoryError" in log and "memory limit of 2000 MB" in log


def test_case14_two_builds_sharing_a_cache_run_a_unit_once(project: Project,
                                                           tmp_path: Path) -> None:
    project.write("snippets/a/slow.py", "import time\n\ntime.sleep(3)\nprint('ran-once')\n")
    project.post("a", block("a/slow.py"))
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1",
           "BLOGKIT_CACHE_DIR": str(tmp_path / "shared-cache")}
    procs = [subprocess.Popen([sys.executable, "-m", "mkdocs", "build", "--strict", "-f",
                               str(project.path / "mkdocs.yml"), "-d", str(tmp_path / f"s{k}")],
                              cwd=project.path, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for k in range(2)]
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, out[-2000:] + err[-4000:]
    import json

    executed = [json.loads((tmp_path / f"s{k}/execution-report.json").read_text())["executed"]
                for k in range(2)]
    assert sorted(executed) == [0, 1]


def _bad_post(project: Project, text: bytes) -> str:
    """Build a project whose post ``bad.md`` has the given bytes; return the build log."""
    (project.path / "docs/blog/posts").mkdir(parents=True, exist_ok=True)
    (project.path / "docs/blog/posts/bad.md").write_bytes(text)
    proc = project.build()
    assert proc.returncode != 0
    return proc.stdout + proc.stderr


_GOOD_FRONT = ("---\ndate: 2020-01-01\nauthors: [blogkit]\ncategories: [数值计算]\nslug: bad\n"
               "source:\n  author: 某人\n  title: 某文\n  date: 2020-01-01\n---\n\n# 标题\n\n摘要。\n\n"
               "<!-- more -->\n\n")


def test_case11_non_utf8_post_names_file_and_line(project: Project) -> None:
    log = _bad_post(project, (_GOOD_FRONT + "第一行\n坏的一行:").encode() + b"\xff\xfe\n")
    assert "docs/blog/posts/bad.md:19: the file is not valid UTF-8" in log
    assert "Traceback" not in log


def test_case11_invalid_date_names_file_and_line(project: Project) -> None:
    log = _bad_post(project, _GOOD_FRONT.replace("date: 2020-01-01\nauthors",
                                                 "date: 2020-13-45\nauthors").encode())
    assert "docs/blog/posts/bad.md:2:" in log and "month must be in 1..12" in log
    assert "Traceback" not in log


def test_case11_yaml_error_line_is_the_broken_line(project: Project) -> None:
    log = _bad_post(project, _GOOD_FRONT.replace("categories: [数值计算]",
                                                 "categories: [数值计算").encode())
    assert "docs/blog/posts/bad.md:4: front matter is not valid YAML" in log


def test_case11_missing_include_names_file_and_line(project: Project) -> None:
    log = _bad_post(project, (_GOOD_FRONT + "正文。\n\n" + block("nowhere/missing.py")).encode())
    assert "docs/blog/posts/bad.md:21:" in log and "nowhere/missing.py" in log
    assert "does not exist" in log and "printed by no snippet" not in log


def test_case11_section_include_is_a_located_error(project: Project) -> None:
    project.write("snippets/bad/part.py", "print('whole file')\n")
    log = _bad_post(project, (_GOOD_FRONT + block("bad/part.py:first")).encode())
    assert "docs/blog/posts/bad.md:19:" in log and "bad/part.py:first" in log
    assert log.count("an executed block was not found") == 0


def test_case13_duplicate_label_in_dollar_display_is_an_error(project: Project) -> None:
    body = ("$$\na = b \\tag{1} \\label{eq:twice}\n$$\n\n\\begin{equation}\nc = d "
            "\\label{eq:twice}\n\\end{equation}\n")
    log = _bad_post(project, (_GOOD_FRONT + body).encode())
    assert "duplicate equation label \\label{eq:twice}" in log and "bad.md:23" in log


def test_build_compares_outputs_with_goldens(project: Project) -> None:
    """The build is the regression test: a block's output is compared with its snippet's
    approved output; a drift fails the strict build naming post, snippet and line."""
    project.write("snippets/a/num.py", "print('| x | y |\\n|--|--|\\n| 1 | 0.5000 |')\n")
    project.write("tests/golden/a/num.txt", "| x | y |\n|--|--|\n| 1 | 0.5000 |\n")
    project.post("a", block("a/num.py"))
    ok(project.build())
    assert [u["golden"] for u in project.report()["units"]] == ["ok"]
    project.write("tests/golden/a/num.txt", "| x | y |\n|--|--|\n| 1 | 0.7500 |\n")
    proc = project.build()  # cached output, new golden: still compared
    log = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert ("docs/blog/posts/a.md:18: the output of snippets/a/num.py drifted from "
            "tests/golden/a/num.txt, line 3") in log
    assert "blogkit approve a" in log
    ok(project.build(env={"BLOGKIT_GOLDEN": "0"}))
