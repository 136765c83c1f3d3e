"""The ``blogkit`` command: write, check, run and approve executable posts.

    blogkit new "标题" --slug my-post [--series 名称] [--source-url URL] ...
    blogkit check                 # lint every post without building the site
    blogkit run [POST...] [-j N]  # execute posts' snippets, filling the build's cache
    blogkit approve [POST...]     # re-approve golden outputs, showing the diff

POST is a post file (``docs/blog/posts/x.md``) or its slug (``x``). Run from the project root
(the folder with ``mkdocs.yml``), or pass ``--root``.
"""

from __future__ import annotations

import ast
import datetime as dt
import importlib
import json
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

__all__ = ["Problem", "check_project", "main"]

POSTS = Path("docs/blog/posts")


def _root(root: str | None) -> Path:
    path = Path(root or os.getcwd()).resolve()
    for p in (path, *path.parents):
        if (p / "mkdocs.yml").is_file():
            return p
    raise click.ClickException(f"no mkdocs.yml in {path} or above; run from the project root")


def _mkdocs_config(root: Path) -> dict[str, Any]:
    """mkdocs.yml as plain data: MkDocs' own tags (!ENV, !relative, python objects) read as None.

    Only the plugins' options are needed here, so nothing of MkDocs is loaded."""
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    def ignore(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> None:
        return None

    Loader.add_multi_constructor("!", ignore)
    Loader.add_multi_constructor("tag:yaml.org,2002:python/", ignore)
    with open(root / "mkdocs.yml", encoding="utf-8") as f:
        return yaml.load(f, Loader=Loader) or {}


def _plugin_options(cfg: dict[str, Any], name: str) -> dict[str, Any]:
    for entry in cfg.get("plugins") or []:
        if isinstance(entry, dict) and name in entry:
            return entry[name] or {}
    return {}


def _select_posts(root: Path, names: tuple[str, ...]) -> list[Path]:
    posts = sorted((root / POSTS).glob("*.md"))
    if not names:
        return posts
    out = []
    for name in names:
        p = Path(name)
        hit = [q for q in posts if q.resolve() == (root / p).resolve() or q.stem == name]
        if not hit:
            raise click.ClickException(f"no post {name!r} (give a file under {POSTS} or a slug)")
        out += hit
    return out


# -- new ----------------------------------------------------------------------------------------
_SNIPPET = '''"""First snippet of the post {slug}: replace the call with your own blogkit function."""

import numpy as np

from blogkit.display import md_table

x = np.linspace(0.0, 1.0, 5)
print(md_table([(float(a), float(np.exp(a))) for a in x], ["x", "exp(x)"], [".2f", ".6f"]))
'''

_TEST = '''"""Tests for the post {slug}: properties, closed forms, an independent cross-check."""

import pytest


def test_{ident}_has_a_real_assertion() -> None:
    pytest.fail("write the tests of {slug}: invariants, closed forms, a slow oracle, a "
                "cross-check against an independent implementation; then delete this stub")
'''


@click.group(help=__doc__)
@click.option("--root", type=click.Path(file_okay=False), default=None,
              help="project root (default: the folder with mkdocs.yml, from here upwards)")
@click.pass_context
def main(ctx: click.Context, root: str | None) -> None:
    ctx.obj = {"root": root}


@main.command()
@click.argument("title")
@click.option("--slug", required=True, help="URL name; also names snippets/<slug>/")
@click.option("--series", default=None, help="a series listed in mkdocs.yml (blogkit → series)")
@click.option("--series-index", type=float, default=None, help="place in the series")
@click.option("--category", default=None, help="blog category (default: the series, if any)")
@click.option("--date", "date_", default=None, help="date of the source article (YYYY-MM-DD)")
@click.option("--source-title", default=None, help="title of the source article")
@click.option("--source-author", default="苏剑林", show_default=True)
@click.option("--source-url", default=None)
@click.pass_context
def new(ctx: click.Context, title: str, slug: str, series: str | None,
        series_index: float | None, category: str | None, date_: str | None,
        source_title: str | None, source_author: str, source_url: str | None) -> None:
    """Create a post, its first snippet and a failing test stub."""
    root = _root(ctx.obj["root"])
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", slug):
        raise click.ClickException("--slug must be lowercase letters, digits and dashes")
    cfg = _mkdocs_config(root)
    known = [s["name"] for s in _plugin_options(cfg, "blogkit").get("series", [])]
    if series and series not in known:
        raise click.ClickException(f"unknown series {series!r}; known: {', '.join(known)}")
    allowed = (_plugin_options(cfg, "blog").get("categories_allowed") or [])
    category = category or series or (allowed[0] if allowed else "未分类")
    if allowed and category not in allowed:
        raise click.ClickException(f"category {category!r} is not in categories_allowed: "
                                   f"{', '.join(allowed)} (mkdocs.yml)")
    date = dt.date.fromisoformat(date_) if date_ else dt.date.today()
    post = root / POSTS / f"{slug}.md"
    snip = root / "snippets" / slug / "first.py"
    ident = slug.replace("-", "_")
    test = root / "tests" / f"test_{ident}.py"
    for path in (post, snip, test):
        if path.exists():
            raise click.ClickException(f"{path.relative_to(root)} already exists")
    front = [f"date: {date.isoformat()}", "authors: [blogkit]", f"categories: [{category}]",
             f"slug: {slug}"]
    if series:
        front.append(f"series: {series}")
        if series_index is not None:
            front.append(f"series_index: {series_index:g}")
    front += ["source:", f"  author: {source_author}", f"  title: {source_title or title}",
              f"  date: {date.isoformat()}"]
    if source_url:
        front.append(f"  url: {source_url}")
    body = (f"---\n{chr(10).join(front)}\n---\n\n# {title}\n\n"
            "开头一段：它会作为摘要出现在首页。\n\n<!-- more -->\n\n## 第一节\n\n"
            "\\begin{equation}\nf(x) = e^{x} \\label{eq:" + slug + "-first}\n\\end{equation}\n\n"
            "由 $\\eqref{eq:" + slug + "-first}$ 得到下表：\n\n"
            f'```python exec="1" source="tabbed-right" title="{slug}/first.py"\n'
            f'--8<-- "{slug}/first.py"\n```\n')
    post.parent.mkdir(parents=True, exist_ok=True)
    snip.parent.mkdir(parents=True, exist_ok=True)
    test.parent.mkdir(parents=True, exist_ok=True)
    post.write_text(body, encoding="utf-8")
    snip.write_text(_SNIPPET.format(slug=slug), encoding="utf-8")
    test.write_text(_TEST.format(slug=slug, ident=ident), encoding="utf-8")
    from blogkit import golden

    gold = golden.golden_path(snip) if root == golden.ROOT else None
    if gold is not None:
        gold.parent.mkdir(parents=True, exist_ok=True)
        gold.write_text(golden.normalise(golden.run_snippet(snip)), encoding="utf-8")
    click.echo(f"created {post.relative_to(root)}\ncreated {snip.relative_to(root)}\n"
               f"created {test.relative_to(root)} (fails until you write real tests)")
    click.echo("\nnext:\n  1. put the math in src/blogkit/<topic>.py and call it from the snippet\n"
               "  2. python3 dev.py serve            # write with live reload\n"
               f"  3. blogkit check && blogkit run {slug}\n"
               f"  4. blogkit approve {slug}          # approve the snippets' output\n"
               "  5. python3 dev.py test")


# -- check --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


_INCLUDE_RE = re.compile(r'^\s*--8<--\s+"([^"]+)"\s*$')
_API_RE = re.compile(r"`?\bblogkit((?:\.[A-Za-z_]\w*)+)")
_IMPORT_RE = re.compile(r"^\s*from blogkit\.(\w+) import|^\s*import blogkit\.(\w+)", re.M)
_INFRA = {"display", "device", "golden", "engine", "site", "pages", "posts", "cli"}


def _resolves(dotted: str) -> bool:
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj: Any = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        try:
            for attr in parts[cut:]:
                obj = getattr(obj, attr)
        except AttributeError:
            return False
        return True
    return False


def check_project(root: Path) -> list[Problem]:
    """Every problem ``blogkit check`` finds, as file:line messages."""
    from blogkit.posts import FrontMatterError, PostIndex, read_post
    from blogkit.site import EQREF_RE, blank_code

    problems: list[Problem] = []
    cfg = _mkdocs_config(root)
    known = [s["name"] for s in _plugin_options(cfg, "blogkit").get("series", [])]
    allowed = _plugin_options(cfg, "blog").get("categories_allowed") or []
    snippets_dir = root / "snippets"
    tests = {p: p.read_text(encoding="utf-8") for p in (root / "tests").glob("test_*.py")}
    posts = []
    if str(root / "src") not in sys.path:
        sys.path.insert(0, str(root / "src"))
    for path in sorted((root / POSTS).glob("*.md")):
        rel = path.relative_to(root).as_posix()
        try:
            post = read_post(path.relative_to(root / "docs").as_posix(), path, rel, known)
        except FrontMatterError as exc:
            m = re.match(r"^(.*?):(\d+): (.*)$", str(exc), flags=re.S)
            problems.append(Problem(m.group(1), int(m.group(2)), m.group(3)) if m
                            else Problem(rel, 1, str(exc)))
            continue
        posts.append(post)
        for cat in post.meta.get("categories") or []:
            if allowed and cat not in allowed:
                problems.append(Problem(rel, post.line_of("categories"),
                                        f"category {cat!r} is not in categories_allowed"))
        text = path.read_text(encoding="utf-8")
        lines = text.split("\n")
        n_exec, modules = 0, set()
        for i, line in enumerate(lines, start=1):
            if re.match(r"^\s*(```|~~~)\s*(python|py)\b.*\bexec=\"(1|true|on|yes)\"", line):
                n_exec += 1
            m = _INCLUDE_RE.match(line)
            if m:
                snip = snippets_dir / m.group(1)
                if not snip.is_file():
                    problems.append(Problem(rel, i, f"included snippet {m.group(1)} does not exist"))
                else:
                    code = snip.read_text(encoding="utf-8")
                    modules |= {a or b for a, b in _IMPORT_RE.findall(code)} - _INFRA
                    if m.group(1).split("/")[0] != post.slug:
                        problems.append(Problem(rel, i, f"snippet {m.group(1)} is outside "
                                                        f"snippets/{post.slug}/"))
            for api in _API_RE.findall(line):
                if not _resolves("blogkit" + api.rstrip(".")):
                    problems.append(Problem(rel, i, f"blogkit{api} does not resolve"))
        if n_exec == 0:
            problems.append(Problem(rel, 1, "the post has no executed block"))
        # A post is tested by tests/test_<slug>.py or by the tests of the modules it uses.
        own_test = root / "tests" / f"test_{post.slug.replace('-', '_')}.py"
        tested = own_test.is_file() or any(
            re.search(rf"\bblogkit\.{mod}\b|from blogkit import .*\b{mod}\b", t)
            for mod in modules for t in tests.values())
        if not tested:
            problems.append(Problem(rel, 1, f"no test: write {own_test.relative_to(root)}"
                                    + (f" or test blogkit.{', blogkit.'.join(sorted(modules))}"
                                       if modules else "")))
        own = {lb.name for lb in post.labels}
        body = blank_code(post.markdown)
        for m in EQREF_RE.finditer(body):
            name = m.group("name") or m.group("name2")
            line = body.count("\n", 0, m.start()) + post.body_line
            if name not in own and not any(name in {lb.name for lb in p.labels} for p in posts):
                problems.append(Problem(rel, line, f"\\eqref{{{name}}} names no label of this "
                                                   "post (cross-post labels are checked below)"))
    # Tags that differ only in case become one tag page with two colliding anchors.
    spelled: dict[str, tuple[str, str]] = {}
    for post in posts:
        for tag in post.meta.get("tags") or []:
            first = spelled.setdefault(str(tag).casefold(), (str(tag), post.path))
            if first[0] != str(tag):
                problems.append(Problem(post.path, post.line_of("tags"),
                                        f"tag {tag!r} differs only in case from {first[0]!r} "
                                        f"({first[1]}): spell it the same way"))
    try:
        index = PostIndex(posts)
    except FrontMatterError as exc:
        m = re.match(r"^(.*?):(\d+): (.*)$", str(exc), flags=re.S)
        problems.append(Problem(m.group(1), int(m.group(2)), m.group(3)))
        index = None
    if index is not None:  # references to other posts' labels resolve now that all are known
        problems = [p for p in problems if not (p.message.startswith("\\eqref{")
                                                and re.search(r"\{(.+?)\}", p.message).group(1)
                                                in index.label_owner)]
    problems += _check_docstrings(root)
    problems += _check_typography(root)
    return sorted(set(problems), key=lambda p: (p.path, p.line, p.message))


# autocorrect (a kept CJK copywriting linter) with only its full-width punctuation rule: the
# spacing rules would ask to rewrite every post, which is a matter of house style.
_AUTOCORRECT_RULES = json.dumps({"rules": {
    "fullwidth": 1, "space-word": 0, "space-punctuation": 0, "space-bracket": 0,
    "space-backticks": 0, "space-dash": 0, "space-dollar": 0, "no-space-fullwidth": 0,
    "no-space-fullwidth-quote": 0, "halfwidth-word": 0, "halfwidth-punctuation": 0,
    "spellcheck": 0}})
_HAND_FIG_RE = re.compile(r"(?<!\[)图\s*\d+(?![\d.])")
_CAPTION_NUM_RE = re.compile(r"caption\s*=\s*f?[\"']图\s*\d")


def _check_typography(root: Path) -> list[Problem]:
    """House typography: full-width punctuation in Chinese prose, figure numbers left to the
    build (captions carry none; prose refers with [[fig:label]]), headings without inline
    values or equation references."""
    import autocorrect_py

    from blogkit import typography

    autocorrect_py.load_config(_AUTOCORRECT_RULES)
    out: list[Problem] = []
    for path in sorted((root / POSTS).glob("*.md")):
        rel = path.relative_to(root).as_posix()
        text = path.read_text(encoding="utf-8")
        prose = typography.prose_lines(text)
        by_line = {i + 1: line for i, line in prose}
        shown = "\n".join(by_line.get(k + 1, "") for k in range(text.count("\n") + 1))
        flagged = {r.line for r in autocorrect_py.lint_for(shown, "md").lines}
        flagged |= {n for n, _ in typography.problems(text)}
        out += [Problem(rel, n, "half-width punctuation next to Chinese text: use ，：；？！（） "
                                "(blogkit check --fix rewrites it)") for n in sorted(flagged)]
        for n, line in by_line.items():
            if _HAND_FIG_RE.search(line):
                out.append(Problem(rel, n, "a hand-typed figure number: refer to a figure with "
                                           "[[fig:label]] (numbers are given at build time)"))
        for n, line in enumerate(text.split("\n"), start=1):
            if line.startswith("#") and ("[[v:" in line or "\\eqref" in line):
                out.append(Problem(rel, n, "an inline value or \\eqref inside a heading (it "
                                           "would show in the table of contents and links)"))
    for snip in sorted((root / "snippets").rglob("*.py")):
        for n, line in enumerate(snip.read_text(encoding="utf-8").split("\n"), start=1):
            if _CAPTION_NUM_RE.search(line):
                out.append(Problem(snip.relative_to(root).as_posix(), n, "a hand-typed figure "
                                   "number in a caption: figures are numbered at build time"))
    return out


def _check_docstrings(root: Path) -> list[Problem]:
    out = []
    for path in sorted((root / "src/blogkit").rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef | ast.AsyncFunctionDef):
                doc = ast.get_docstring(node, clean=False)
                if not doc:
                    continue
                start = node.body[0].lineno if node.body else 1
                for k, line in enumerate(doc.split("\n")):
                    for api in _API_RE.findall(line):
                        if not _resolves("blogkit" + api.rstrip(".")):
                            out.append(Problem(rel, start + k, f"blogkit{api} does not resolve"))
    return out


@main.command()
@click.option("--fix", is_flag=True, help="rewrite half-width punctuation next to Chinese text")
@click.pass_context
def check(ctx: click.Context, fix: bool) -> None:
    """Lint every post without building: front matter, series, includes, labels, APIs, tests,
    typography. With --fix, first make half-width punctuation next to Chinese text full-width."""
    root = _root(ctx.obj["root"])
    if fix:
        from blogkit import typography

        for path in sorted((root / POSTS).glob("*.md")):
            text = path.read_text(encoding="utf-8")
            new = typography.fix(text)
            if new != text:
                path.write_text(new, encoding="utf-8")
                click.echo(f"fixed punctuation in {path.relative_to(root).as_posix()}")
    problems = check_project(root)
    for p in problems:
        click.echo(str(p))
    n = len(list((root / POSTS).glob("*.md")))
    if problems:
        click.echo(f"{len(problems)} problem(s) in {n} post(s)", err=True)
        sys.exit(1)
    click.echo(f"{n} post(s) checked, no problems")


# -- run ------------------------------------------------------------------------------------------
@main.command()
@click.argument("posts", nargs=-1)
@click.option("-j", "--jobs", type=int, default=None, help="units run in parallel (default: cores)")
@click.option("--refresh", is_flag=True, help="ignore the cache and re-run everything")
@click.option("--shard", default=None, metavar="K/N",
              help="run only the K-th of N deterministic shares of the units (balanced by the "
                   "run times the cache knows); export the cache afterwards to merge shards")
@click.pass_context
def run(ctx: click.Context, posts: tuple[str, ...], jobs: int | None, refresh: bool,
        shard: str | None) -> None:
    """Execute posts' snippets into the execution cache that `mkdocs build` reads."""
    part = None
    if shard is not None:
        m = re.fullmatch(r"(\d+)/(\d+)", shard)
        if not m or not 1 <= int(m.group(1)) <= int(m.group(2)):
            raise click.BadParameter("write K/N with 1 <= K <= N, e.g. 2/3", param_hint="--shard")
        part = (int(m.group(1)), int(m.group(2)))
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    from rich.table import Table

    from blogkit.engine import Engine

    root = _root(ctx.obj["root"])
    opts = _plugin_options(_mkdocs_config(root), "blogkit")
    cache_dir = os.environ.get("BLOGKIT_CACHE_DIR", opts.get("cache_dir", ".cache/blogkit-exec"))
    engine = Engine(root, root / "docs", root / opts.get("snippets_dir", "snippets"),
                    root / cache_dir, jobs=jobs or os.cpu_count() or 1,
                    timeout=float(opts.get("timeout", 600)), refresh=refresh)
    pages = {p.relative_to(root / "docs").as_posix(): p.read_text(encoding="utf-8")
             for p in _select_posts(root, posts)}
    console = Console(stderr=True)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=console, transient=False) as bar:
        task = bar.add_task("running", total=None)

        def planned(total: int, to_run: int) -> None:
            bar.update(task, total=to_run, description=f"running {to_run} of {total} units "
                                                       f"({total - to_run} cached)")

        engine.prepare(pages, progress=lambda r: bar.advance(task), planned=planned, shard=part)
    table = Table(title="execution")
    for col in ("post", "unit", "cache", "time (s)", "device", "result"):
        table.add_column(col, justify="right" if col == "time (s)" else "left")
    for page, results in sorted(engine.results.items()):
        for r in results:
            table.add_row(page.rsplit("/", 1)[-1], r.unit.name, "hit" if r.hit else "miss",
                          f"{r.seconds:.2f}", r.device, "ok" if r.error is None else "FAILED")
    Console().print(table)
    for msg in engine.errors:
        console.print(msg, markup=False, highlight=False)
    if engine.errors:
        sys.exit(1)


# -- cache --------------------------------------------------------------------------------------
@main.group()
def cache() -> None:
    """Move execution-cache entries between machines (sharded runs)."""


def _cache(ctx: click.Context) -> Any:
    from blogkit.engine.cache import ExecCache

    root = _root(ctx.find_root().obj["root"])
    opts = _plugin_options(_mkdocs_config(root), "blogkit")
    return ExecCache(root / os.environ.get("BLOGKIT_CACHE_DIR",
                                           opts.get("cache_dir", ".cache/blogkit-exec")), root)


@cache.command("export")
@click.argument("archive", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def cache_export(ctx: click.Context, archive: Path) -> None:
    """Write every valid cache entry into ARCHIVE (.tar.gz)."""
    n = _cache(ctx).export(archive)
    click.echo(f"exported {n} entries to {archive}")


@cache.command("import")
@click.argument("archives", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_context
def cache_import(ctx: click.Context, archives: tuple[Path, ...]) -> None:
    """Add the entries of exported ARCHIVES: checksums verified, a valid entry never replaced."""
    store = _cache(ctx)
    bad = 0
    for archive in archives:
        c = store.import_(archive)
        bad += c["rejected"] + c["kept"]
        click.echo(f"{archive}: imported {c['imported']}, already present {c['present']}, "
                   f"kept ours over a different entry {c['kept']}, rejected {c['rejected']}")
    if bad:
        click.echo(f"{bad} entries were not imported (see above)", err=True)


# -- approve --------------------------------------------------------------------------------------
@main.command()
@click.argument("posts", nargs=-1)
@click.pass_context
def approve(ctx: click.Context, posts: tuple[str, ...]) -> None:
    """Re-run posts' snippets and approve their output as golden (shows the diff)."""
    from blogkit import golden

    root = _root(ctx.obj["root"])
    snippets: list[str] = []
    for post in _select_posts(root, posts):
        for line in post.read_text(encoding="utf-8").split("\n"):
            m = _INCLUDE_RE.match(line)
            if m:
                snippets.append(str(root / "snippets" / m.group(1)))
    if not snippets:
        raise click.ClickException("no snippets included by the selected posts")
    sys.exit(golden.main(["approve", *snippets]))


if __name__ == "__main__":
    main()
