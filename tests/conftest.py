"""Shared fixtures: the project layout, one strict build of the whole site, a loopback server."""

from __future__ import annotations

import datetime as dt
import functools
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
POSTS_DIR = ROOT / "docs" / "blog" / "posts"
SNIPPETS_DIR = ROOT / "snippets"
# Fixed build date, so that two builds are comparable byte for byte.
SOURCE_DATE_EPOCH = "1700000000"


@dataclass(frozen=True)
class Post:
    path: Path
    slug: str
    date: dt.date
    meta_text: str
    body: str

    @property
    def url(self) -> str:
        """Site-relative URL, as the blog plugin's post_url_format "{date}/{slug}" makes it."""
        return f"{self.date:%Y/%m/%d}/{self.slug}/"


def read_posts() -> list[Post]:
    posts = []
    for path in sorted(POSTS_DIR.glob("*.md")):
        text = path.read_text(encoding="utf-8")
        m = re.match(r"^---\n(.*?)\n---\n(.*)$", text, flags=re.S)
        assert m, f"{path}: no front matter"
        meta, body = m.groups()
        date = dt.date.fromisoformat(re.search(r"^date:\s*(\S+)", meta, flags=re.M).group(1))
        slug = re.search(r"^slug:\s*(\S+)", meta, flags=re.M).group(1)
        posts.append(Post(path, slug, date, meta, body))
    return posts


def mkdocs_build(project: Path, site_dir: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH}
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(project / "mkdocs.yml"),
         "-d", str(site_dir), *extra],
        capture_output=True, text=True, env=env, cwd=project, timeout=900,
    )


@pytest.fixture(scope="session")
def posts() -> list[Post]:
    return read_posts()


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The whole site, built once per test session with ``mkdocs build --strict``."""
    site_dir = tmp_path_factory.mktemp("site")
    proc = mkdocs_build(ROOT, site_dir)
    if proc.returncode != 0:
        pytest.fail(f"mkdocs build --strict failed:\n{proc.stdout[-4000:]}\n{proc.stderr[-8000:]}")
    return site_dir


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="session")
def site_url(site: Path) -> Iterator[str]:
    """The built site served over HTTP on 127.0.0.1 (a free port), for the browser tests."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


POST = """---
date: 2020-01-0{n}
authors: [blogkit]
categories: [数值计算]
slug: {slug}
source:
  author: 某人
  title: 某文
  date: 2020-01-01
---

# 文章 {slug}

摘要。

<!-- more -->

{body}
"""


def block(snippet: str, extra: str = "") -> str:
    return f'```python exec="1"{extra}\n--8<-- "{snippet}"\n```\n'


class Project:
    def __init__(self, path: Path) -> None:
        self.path = path
        shutil.copy2(ROOT / "mkdocs.yml", path / "mkdocs.yml")
        shutil.copytree(ROOT / "src", path / "src", ignore=shutil.ignore_patterns("*.egg-info",
                                                                                  "__pycache__"))
        shutil.copytree(ROOT / "docs", path / "docs", ignore=shutil.ignore_patterns("posts"))
        if (ROOT / "overrides").is_dir():
            shutil.copytree(ROOT / "overrides", path / "overrides")
        (path / "docs/blog/posts").mkdir(parents=True)
        (path / "snippets").mkdir()
        if (ROOT / "node_modules").is_dir():  # MathJax for the build-time math, shared
            (path / "node_modules").symlink_to(ROOT / "node_modules", target_is_directory=True)
        self.site = path / "site"

    def write(self, rel: str, text: str) -> None:
        f = self.path / rel
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text(text, encoding="utf-8")

    def post(self, slug: str, body: str, n: int = 1) -> None:
        self.write(f"docs/blog/posts/{slug}.md", POST.format(slug=slug, body=body, n=n))

    def build(self, *extra: str, env: dict[str, str] | None = None,
              strict: bool = True) -> subprocess.CompletedProcess[str]:
        if env:
            old = {k: os.environ.get(k) for k in env}
            os.environ.update(env)
        try:
            if strict:
                return mkdocs_build(self.path, self.site, *extra)
            return subprocess.run(
                [sys.executable, "-m", "mkdocs", "build", "-f", str(self.path / "mkdocs.yml"),
                 "-d", str(self.site)], capture_output=True, text=True, cwd=self.path,
                env={**os.environ, "NO_MKDOCS_2_WARNING": "1"}, timeout=600)
        finally:
            if env:
                for k, v in old.items():
                    if v is None:
                        os.environ.pop(k, None)
                    else:
                        os.environ[k] = v

    def report(self) -> dict:
        return json.loads((self.site / "execution-report.json").read_text(encoding="utf-8"))

    def page(self, slug: str, n: int = 1) -> str:
        return (self.site / f"2020/01/0{n}/{slug}/index.html").read_text(encoding="utf-8")


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """A temporary copy of the project's configuration and src/, with no posts."""
    return Project(tmp_path)


def ok(proc: subprocess.CompletedProcess[str]) -> None:
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-6000:]
