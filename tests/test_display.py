"""blogkit.display: deterministic, id-safe SVG and Markdown tables."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from blogkit import display


def _plot(seed: int) -> object:
    fig, ax = display.figure()
    x = np.linspace(0, 1, 20)
    ax.plot(x, np.random.default_rng(seed).random(20))
    ax.fill_between(x, 0, x)  # uses a clip path
    ax.set_title(r"$\log_2(1+x)$")
    return fig


def test_svg_is_byte_stable() -> None:
    a = display.svg(_plot(0))
    display._seen_prefixes.clear()
    b = display.svg(_plot(0))
    assert a == b


def test_svg_is_well_formed_html_block() -> None:
    out = display.svg(_plot(1), caption="图 <b>1</b>")
    assert out.startswith('<figure class="bk-figure"><svg')
    assert "<?xml" not in out and "DOCTYPE" not in out
    assert "\n" not in out  # one line: a raw HTML block inside Markdown output
    svg = re.search(r"<svg.*</svg>", out).group(0)
    ET.fromstring(svg)  # parses as XML
    assert "<figcaption>图 <b>1</b></figcaption>" in out
    assert 'aria-label="图 1"' in out


def test_two_images_in_one_figure_get_distinct_ids() -> None:
    fig, axes = display.figure(1, 2)
    axes[0].imshow(np.eye(3))
    axes[1].imshow(np.ones((3, 3)))
    out = display.svg(fig)
    ids = re.findall(r'\bid="([^"]+)"', out)
    assert len(ids) == len(set(ids))


def test_ids_unique_across_figures_and_references_rewritten() -> None:
    outs = [display.svg(_plot(s)) for s in (2, 3)]
    outs.append(display.svg(_plot(2)))  # an identical figure twice on one page
    ids = [i for o in outs for i in re.findall(r'\bid="([^"]+)"', o)]
    assert len(ids) == len(set(ids)) and ids
    for o in outs:
        own = set(re.findall(r'\bid="([^"]+)"', o))
        refs = re.findall(r'(?:url\(#|href="#)([^")]+)', o)
        assert refs and set(refs) <= own  # every internal reference points inside its figure


@pytest.mark.parametrize(("value", "spec", "text"), [(1 / 9, ".6f", "0.111111"),
                                                      (0.0385, ".2%", "3.85%"), (7, None, "7")])
def test_md_table_formats(value: object, spec: str | None, text: str) -> None:
    table = display.md_table([("a", value)], ["name", "v"], [None, spec])
    lines = table.splitlines()
    assert lines[0] == "| name | v |"
    assert lines[1] == "|:--|--:|"  # strings left-aligned, numbers right-aligned
    assert lines[2] == f"| a | {text} |"


def test_md_table_rejects_ragged_rows() -> None:
    with pytest.raises(ValueError):
        display.md_table([(1, 2), (3,)], ["a", "b"])


def test_chinese_text_in_figures_has_glyphs() -> None:
    import os
    import warnings

    from matplotlib import font_manager

    if not any("CJK" in p for p in font_manager.findSystemFonts()):
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("no CJK font: dev.py installs fonts-noto-cjk")
        pytest.skip("no CJK font installed")
    fig, ax = display.figure()
    ax.set_title("中文标题:误差热图")
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*missing from font.*")
        display.svg(fig)


@pytest.mark.parametrize("n", [3, 8, 19])
def test_heatmap_ticks_are_matrix_indices(n: int) -> None:
    fig, ax = display.figure()
    display.heatmap(ax, np.arange(n * n, dtype=float).reshape(n, n))
    fig.canvas.draw()
    for axis in (ax.xaxis, ax.yaxis):
        ticks = [t for t in axis.get_majorticklocs() if -0.5 <= t <= n - 0.5]
        assert ticks and all(float(t).is_integer() for t in ticks)


def test_heatmap_symmetric_scale_and_colorbar() -> None:
    fig, ax = display.figure()
    z = np.array([[-1.0, 0.5], [2.0, 0.0]])
    im = display.heatmap(ax, z, xlabel="x", ylabel="y", symmetric=True)
    assert im.get_clim() == (-2.0, 2.0)
    assert len(fig.axes) == 2  # the image axes and its colour bar
    assert ax.get_xlabel() == "x" and not ax.xaxis._major_tick_kw.get("gridOn", False)


def test_caption_math_is_typeset_like_the_body() -> None:
    """``$...$`` in a caption (raw HTML, unseen by Markdown) becomes an arithmatex span, with
    TeX escaped for HTML; a lone escaped dollar stays text; the aria label has no dollars."""
    from blogkit.display import figure, svg

    fig, ax = figure()
    ax.plot([0, 1], [0, 1])
    html = svg(fig, caption=r"分数 $q^\top R_{n-m} k$ 随 $m<n$ 的变化，代价 \$5")
    cap = html[html.index("<figcaption>"):]
    assert r'<span class="arithmatex">\(q^\top R_{n-m} k\)</span>' in cap
    assert r'<span class="arithmatex">\(m&lt;n\)</span>' in cap and r"\$5" in cap
    label = html[html.index('aria-label="'):].split('"')[1]
    assert "$" not in label and "q^\\top" in label


def test_heavy_figures_are_rasterized_light_ones_stay_vector() -> None:
    """A dense point cloud is embedded as an image (the page stays light); a few curves stay
    vector paths. Both are byte-stable."""
    import numpy as np

    from blogkit.display import figure, svg

    rng = np.random.default_rng(0)
    fig, ax = figure()
    ax.scatter(*rng.normal(size=(2, 60_000)), s=1)
    heavy = svg(fig, caption="点云")
    fig, ax = figure()
    ax.plot(np.linspace(0, 1, 200), np.linspace(0, 1, 200) ** 2)
    light = svg(fig, caption="曲线")
    assert "<image" in heavy and len(heavy) < 400_000
    assert "<image" not in light and "<path" in light
    fig, ax = figure()
    ax.scatter(*np.random.default_rng(0).normal(size=(2, 60_000)), s=1)
    again = svg(fig, caption="点云")
    import re

    def strip(t: str) -> str:  # the id prefix numbers repeats of one figure within a process
        return re.sub(r"bk[0-9a-f]{10}\d*-", "", t)

    assert strip(again) == strip(heavy)


def test_md_table_escapes_pipes_and_refuses_them_inside_formulas() -> None:
    """A '|' in a cell would end the cell: escaped in text, an error inside $...$ (where the
    escape would be TeX's double bar). Python-Markdown, the site's renderer, reads the table
    back with every cell intact."""
    import markdown

    from blogkit.display import md_table

    table = md_table([("a|b", 1.5), ("$x^2$ | y", 2.5)], ["名|称", "值"], [None, ".1f"])
    html = markdown.markdown(table, extensions=["tables"])
    assert html.count("<tr>") == 3 and html.count("<td") == 4
    assert ">名|称</th>" in html and ">a|b</td>" in html and ">$x^2$ | y</td>" in html
    with pytest.raises(ValueError, match=r"\\vert"):
        md_table([("$|x|$", 1)], ["a", "b"])
