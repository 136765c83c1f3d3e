"""Downloads: each post's code as one runnable ``slug.py`` and as a Jupyter ``slug.ipynb``.

The .py prints readable text in a terminal (plain tables, figures saved as SVG files); the
notebook shows rich tables and figures when run, and arrives with the outputs of this build
already in it. Both say how to install blogkit. They are written next to the post's page, and
the post links them at its foot.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from blogkit.engine import UnitResult
from blogkit.pages import notebook
from blogkit.posts import Post, PostIndex

from .figures import FIGURE_RE
from .prose import VALUE_RE

__all__ = ["downloads_line", "notebook_outputs", "write_downloads"]


def downloads_line(post: Post, results: list[UnitResult]) -> str:
    """The links to the post's downloads (empty for a post without executed code)."""
    if not results:
        return ""
    return (f'<p class="bk-downloads">下载本文的全部代码：<a href="{post.slug}.py" download>'
            f'{post.slug}.py</a> · <a href="{post.slug}.ipynb" download>{post.slug}.ipynb</a>'
            "（需要 <code>pip install -e .</code> 安装本仓库的 blogkit）</p>")


def write_downloads(site_dir: Path, index: PostIndex, results: dict[str, list[UnitResult]],
                    page_urls: dict[str, str], repo_url: str | None) -> None:
    """Write ``slug.py`` and ``slug.ipynb`` into the folder of each post (at its URL in
    ``page_urls``) that has unit ``results``; ``repo_url`` says where to install blogkit from."""
    repo = (repo_url or "").rstrip("/")
    install = (f'pip install "blogkit @ git+{repo}"' if repo
               else "在本仓库的根目录运行 pip install -e .")
    for src_uri, post in index.posts.items():
        post_results = results.get(src_uri) or []
        url = page_urls.get(src_uri)
        if not post_results or url is None:
            continue
        src = post.meta["source"]
        header = (f'"""{post.title}\n\n本文代码：依次运行页面中的每个代码块，表格以文字打印，'
                  "图保存为当前目录下的 SVG 文件。"
                  f"据{src['author']}《{src['title']}》（{src['date']}）改写。\n"
                  f"先安装 blogkit：{install}\n\"\"\"\n\n"
                  'import os\n\nos.environ.setdefault("BLOGKIT_OUTPUT", "text")\n')
        parts = [header]
        cells: list[tuple[str, str] | tuple[str, str, list[dict[str, Any]]]] = [
            ("markdown", f"先安装 blogkit：`{install}`。下面的输出来自本站构建时的运行；"
                         "重新运行时表格与图同样会显示在这里。\n"),
            ("code", 'import os\n\nos.environ["BLOGKIT_OUTPUT"] = "notebook"\n', [])]
        for res in post_results:
            for j, b in enumerate(res.unit.blocks):
                name = ", ".join(b.includes) or f"{post.path}:{b.line}"
                parts.append(f"\n# %% {name}\n{b.code.rstrip()}\n")
                out = res.outputs[j] if j < len(res.outputs) else ""
                cells += [("markdown", f"## `{name}`\n"),
                          ("code", b.code.rstrip() + "\n", notebook_outputs(out))]
        folder = site_dir / url
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{post.slug}.py").write_text("".join(parts), encoding="utf-8")
        (folder / f"{post.slug}.ipynb").write_text(notebook(cells, post.title), encoding="utf-8")


def notebook_outputs(output: str) -> list[dict[str, Any]]:
    """A block's page output as notebook outputs: each figure a rich HTML display (its SVG
    and caption), the Markdown between them (tables, text) a Markdown display; the inline
    value markers, which only the site reads, are dropped."""
    output = VALUE_RE.sub("", output)
    outs: list[dict[str, Any]] = []
    last = 0
    for m in [*FIGURE_RE.finditer(output), None]:
        text = output[last:m.start() if m else len(output)].strip()
        if text:
            outs.append({"output_type": "display_data", "metadata": {},
                         "data": {"text/markdown": text, "text/plain": text}})
        if m is None:
            break
        caption = re.sub(r"<[^>]+>", "", m.group(0).split("<figcaption>")[-1]) \
            if "<figcaption>" in m.group(0) else "figure"
        outs.append({"output_type": "display_data", "metadata": {},
                     "data": {"text/html": m.group(0), "text/plain": f"<图：{caption}>"}})
        last = m.end()
    return outs
