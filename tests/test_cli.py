"""The `blogkit` command end to end, in temporary copies of the project."""

from __future__ import annotations

import subprocess
import sys

from conftest import Project, block, ok

EQ = "\\begin{{equation}}\nx \\label{{{label}}}\n\\end{{equation}}\n"


def cli(project: Project, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "blogkit", "--root", str(project.path), *args],
                          capture_output=True, text=True, cwd=project.path, timeout=600)


def test_new_then_check_then_build_shows_the_post(project: Project) -> None:
    proc = cli(project, "new", "我的新文章", "--slug", "my-post", "--series", "自然极值",
               "--date", "2021-02-03", "--source-title", "某篇原文")
    ok(proc)
    assert "next:" in proc.stdout
    assert (project.path / "snippets/my-post/first.py").is_file()
    stub = project.path / "tests/test_my_post.py"
    assert "pytest.fail" in stub.read_text(encoding="utf-8")  # fails until a real test exists
    ok(cli(project, "check"))
    ok(project.build())
    page = (project.site / "2021/02/03/my-post/index.html").read_text(encoding="utf-8")
    assert "我的新文章" in page and "exp(x)" in page and "某篇原文" in page
    # The stub really fails.
    res = subprocess.run([sys.executable, "-m", "pytest", "-q", str(stub)], capture_output=True,
                         text=True, cwd=project.path)
    assert res.returncode != 0
    # A second `new` with the same slug is refused.
    assert cli(project, "new", "又一篇", "--slug", "my-post").returncode != 0


def test_check_reports_each_problem_with_file_and_line(project: Project) -> None:
    project.write("snippets/a/ok.py",
                  "from blogkit.display import md_table\n\nprint(md_table([(1,)], ['x']))\n")
    project.post("a", "\n".join([
        block("a/ok.py"),                     # lines 18-20, then a blank line
        block("a/missing.py"),                # 22-24, the include on 23
        "用到 `blogkit.display.nope`。",      # 26
        "见 $\\eqref{eq:nowhere}$。",         # 27
    ]))
    project.post("b", "没有代码块。", n=2)
    path = project.path / "docs/blog/posts/b.md"
    path.write_text(path.read_text(encoding="utf-8").replace("slug:", "series: 无此系列\nslug:"),
                    encoding="utf-8")
    project.post("c", EQ.format(label="eq:c") + "\n" + EQ.format(label="eq:c"), n=3)
    project.write("src/blogkit/zz_doc.py", '"""Uses blogkit.display.svg and blogkit.nothing.here."""\n')
    proc = cli(project, "check")
    assert proc.returncode == 1
    out = proc.stdout
    for expected in [
        "docs/blog/posts/a.md:23: included snippet a/missing.py does not exist",
        "docs/blog/posts/a.md:26: blogkit.display.nope does not resolve",
        "docs/blog/posts/a.md:27: \\eqref{eq:nowhere} names no label",
        "docs/blog/posts/a.md:1: no test: write tests/test_a.py",
        "docs/blog/posts/b.md:5: unknown series '无此系列'",
        "docs/blog/posts/c.md:23: duplicate equation label \\label{eq:c}",
        "src/blogkit/zz_doc.py:1: blogkit.nothing.here does not resolve",
    ]:
        assert expected in out, f"missing: {expected}\n---\n{out}"
    assert "blogkit.display.svg does not resolve" not in out


def test_run_fills_the_cache_so_the_build_executes_nothing(project: Project) -> None:
    for name in ("one", "two", "three"):
        project.write(f"snippets/a/{name}.py", f"print('{name}-' + str(len('{name}')))\n")
    project.post("a", "\n".join(block(f"a/{n}.py") for n in ("one", "two", "three")))
    project.write("tests/test_a.py", "def test_a():\n    assert 1 + 1 == 2\n")
    proc = cli(project, "run", "-j", "2", "a")
    ok(proc)
    assert "miss" in proc.stdout and "three-5" not in proc.stdout
    ok(project.build())
    assert project.report()["executed"] == 0
    assert "three-5" in project.page("a")
    # A second run finds everything cached.
    proc = cli(project, "run", "a")
    ok(proc)
    assert "miss" not in proc.stdout and proc.stdout.count("hit") == 3


def test_python_dash_m_blogkit_has_help() -> None:
    proc = subprocess.run([sys.executable, "-m", "blogkit", "--help"], capture_output=True, text=True)
    ok(proc)
    for cmd in ("new", "check", "run", "approve"):
        assert cmd in proc.stdout


def test_check_passes_on_the_real_posts() -> None:
    from blogkit.cli import check_project
    from conftest import ROOT

    problems = check_project(ROOT)
    assert not problems, "\n".join(map(str, problems))


def test_check_flags_typography_and_fix_repairs_punctuation(project: Project) -> None:
    project.write("snippets/a/fig.py", "from blogkit.display import figure, svg\n\n"
                  "fig, ax = figure()\nprint(svg(fig, caption='图 1:手写的编号'))\n")
    project.write("tests/test_a.py", "def test_a():\n    assert 1 + 1 == 2\n")
    project.post("a", "\n".join([
        block("a/fig.py"),                          # 18-20, then a blank line
        "这是一句话,后面跟着半角逗号。",              # 22
        "括号(里面是中文)也一样。",                  # 23
        "如图 1 所示。",                             # 24
        "",
        "## 标题里有 [[v:x]]",                       # 26
        "",
        "代码 `a,b` 与公式 $x,y$ 不算,链接 [文](https://x.org/a,b) 也不算。",  # 28
    ]))
    proc = cli(project, "check")
    assert proc.returncode == 1
    out = proc.stdout
    for expected in [
        "docs/blog/posts/a.md:22: half-width punctuation",
        "docs/blog/posts/a.md:23: half-width punctuation",
        "docs/blog/posts/a.md:24: a hand-typed figure number",
        "docs/blog/posts/a.md:26: an inline value or \\eqref inside a heading",
        "docs/blog/posts/a.md:28: half-width punctuation",
        "snippets/a/fig.py:4: a hand-typed figure number in a caption",
    ]:
        assert expected in out, f"missing: {expected}\n---\n{out}"
    cli(project, "check", "--fix")
    text = (project.path / "docs/blog/posts/a.md").read_text(encoding="utf-8")
    assert "这是一句话，后面跟着半角逗号。" in text and "括号（里面是中文）也一样。" in text
    # Inside code, math and link targets nothing changed; the prose comma did.
    assert "代码 `a,b` 与公式 $x,y$ 不算，链接 [文](https://x.org/a,b) 也不算。" in text
    out = cli(project, "check").stdout
    assert "half-width punctuation" not in out
