"""The execution report: a page (``execution-report.md``) and ``execution-report.json``.

Both come from ``Engine.report()``. Under ``SOURCE_DATE_EPOCH`` no measured time is published,
so that two clean builds are byte-identical, the report included.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from blogkit.posts import PostIndex

__all__ = ["report_markdown", "write_report_json"]


def report_markdown(rep: dict[str, Any], index: PostIndex) -> str:
    """The report page from ``rep`` (``Engine.report()``): totals first, then one short section
    per post (linked, titled from ``index``), with the per-unit detail folded."""
    env = rep["environment"]
    timed = not os.environ.get("SOURCE_DATE_EPOCH")
    units = rep["units"]
    hits = sum(u["cache"] == "hit" for u in units)
    failed = sum(not u["ok"] for u in units)
    by_page: dict[str, list[dict[str, Any]]] = {}
    for u in units:
        by_page.setdefault(u["page"], []).append(u)
    total = sum(u["seconds"] or 0.0 for u in units)
    lines = ["# 执行报告", "",
             "每篇文章的代码在构建时运行；一个执行单元是一个代码块，或同一页面里同一 session "
             "的全部代码块。", "",
             "| 文章 | 执行单元 | 代码块 | 命中缓存 | 本次运行 | 失败 | 计算用时 | 设备 |",
             "|--:|--:|--:|--:|--:|--:|--:|:--|",
             f"| {len(by_page)} | {len(units)} | {rep['blocks']} | {hits} | {rep['executed']} | "
             f"{failed} | {f'{total:.1f} s' if timed else '—'} | {env['device']} |", "",
             f"环境：Python {env['python']} · numpy {env['numpy']} · torch {env['torch']} · "
             f"matplotlib {env['matplotlib']} · 提交 `{rep['git_commit']}`。"
             + ("" if timed else "（可复现构建：不记录用时。）"), ""]
    for page, rows in sorted(by_page.items()):
        post = index.posts.get(page)
        title = post.title if post else page
        secs = sum(u["seconds"] or 0.0 for u in rows)
        state = "全部命中缓存" if all(u["cache"] == "hit" for u in rows) else \
            f"运行 {sum(u['cache'] == 'miss' for u in rows)} 个"
        bad = sum(not u["ok"] for u in rows)
        lines += [f"## [{title}]({page})", "",
                  f"{len(rows)} 个单元，{state}" + (f"，失败 {bad} 个" if bad else "")
                  + (f"，用时 {secs:.2f} s" if timed else "") + "。", "",
                  '??? note "逐单元明细"', "",
                  "    | 单元 | 行 | 缓存 | 用时 | 结果 |", "    |:--|--:|:-:|--:|:-:|"]
        for u in rows:
            name = u["unit"].rsplit("/", 1)[-1]
            t = f"{u['seconds']:.3f} s" if timed and u["seconds"] is not None else "—"
            lines.append(f"    | `{name}` | {u['line']} | {'命中' if u['cache'] == 'hit' else '运行'} "
                         f"| {t} | {'✓' if u['ok'] else '✗'} |")
        lines.append("")
    lines += ['同样的数据以 JSON 形式见 <a href="../execution-report.json">'
              "execution-report.json</a>。"]
    return "---\nsearch:\n  exclude: true\n---\n\n" + "\n".join(lines) + "\n"


def write_report_json(site_dir: Path, rep: dict[str, Any]) -> None:
    """``execution-report.json`` at the root of the site: ``rep`` as sorted, indented JSON."""
    (site_dir / "execution-report.json").write_text(
        json.dumps(rep, ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8")
