"""Soft line breaks between CJK characters are joined in prose, and only there."""

from __future__ import annotations

import re

from blogkit.pages import join_cjk_breaks

CJK_BREAK = re.compile(r"[\u4e00-\u9fff，。：；？！）”]\n[\u4e00-\u9fff（“]")

SOURCE = """# 一个标题
第一段的第一行，
第二行接着写。English words
中文再起一行。

```python
# 注释里的中文
中文变量 = 1
```

$$
\\text{公式里}
\\text{的文字}
$$

\\begin{equation}
\\text{环境}
\\text{之内}
\\end{equation}

- 列表项写到一半，
  换行接着写。
| 表格 | 一行 |
| 表格 | 二行 |
行末两个空格是硬换行\x20\x20
下一行保留。
"""


def _regions(text: str) -> list[str]:
    """Fenced code and display math, which must come through byte for byte."""
    return re.findall(r"```.*?```|\$\$.*?\$\$|\\begin\{equation\}.*?\\end\{equation\}", text,
                      flags=re.S)


def test_prose_breaks_between_cjk_are_joined() -> None:
    out = join_cjk_breaks(SOURCE)
    assert "第一段的第一行，第二行接着写。" in out
    assert "列表项写到一半，换行接着写。" in out
    prose = re.sub(r"```.*?```|\$\$.*?\$\$|\\begin\{equation\}.*?\\end\{equation\}", "", out,
                   flags=re.S)
    leftover = [m.group(0) for m in CJK_BREAK.finditer(prose)]
    # Only the heading keeps its newline (the hard break has spaces before it).
    assert leftover == ["题\n第"], leftover


def test_code_math_tables_headings_and_latin_breaks_are_untouched() -> None:
    out = join_cjk_breaks(SOURCE)
    assert _regions(out) == _regions(SOURCE)
    assert "# 一个标题\n第一段" in out  # a heading never swallows the next line
    assert "English words\n中文再起一行。" in out  # Latin on one side: the break stays
    assert "| 表格 | 一行 |\n| 表格 | 二行 |" in out
    assert "硬换行  \n下一行" in out


def test_line_count_is_kept_and_joining_is_idempotent() -> None:
    out = join_cjk_breaks(SOURCE)
    assert out.count("\n") == SOURCE.count("\n")
    assert join_cjk_breaks(out) == out


def test_every_line_after_a_paragraph_keeps_its_number() -> None:
    src = "一行，\n二行，\n三行。\n\n```python\nx = 1\n```\n"
    out = join_cjk_breaks(src)
    assert out.split("\n").index("x = 1") == src.split("\n").index("x = 1")


def test_punctuation_fix_after_inline_math_only_in_chinese_lines() -> None:
    from blogkit.typography import fix, problems

    src = ("- $y\\to x$:$p(x,y)$，先选一个数字\n"
           "每个变量只依赖 $\\mathrm{pa}(v)$,\n"
           "英文 $x$, and $y$ here\n"
           "no Chinese: $a$, $b$:\n")
    out = fix(src)
    assert "$y\\to x$：$p(x,y)$" in out and "$\\mathrm{pa}(v)$，\n" in out
    assert "英文 $x$, and $y$ here" in out and "no Chinese: $a$, $b$:" in out
    assert problems(out) == [] and fix(out) == out
    assert [n for n, _ in problems(src)] == [1, 2]


def test_a_line_opening_with_inline_html_still_joins_a_block_tag_does_not() -> None:
    src = '<span class="bk-value">1</span>，舍入，\n它的结果。\n\n<div>\n中文</div>\n'
    out = join_cjk_breaks(src)
    assert "舍入，它的结果。" in out and "<div>\n中文</div>" in out


def test_emphasis_next_to_the_break_still_joins() -> None:
    out = join_cjk_breaks("当作无关；\n**近似四**：忽略常数。\n\n* 列表项\n")
    assert "当作无关；**近似四**：忽略常数。" in out and "\n* 列表项" in out


def test_inline_tags_at_the_break_are_looked_through() -> None:
    src = ('即舍入误差。\n<a class="bk-figref" href="#x">图&nbsp;2</a>的右图\n'
           '<span class="v">中</span>\n接着\n')
    out = join_cjk_breaks(src)
    assert '误差。<a class="bk-figref"' in out and "</span>接着" in out
