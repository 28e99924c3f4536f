"""The Performance page's charts (hooks/benchmark_chart.py) say what the results file says."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path
from types import SimpleNamespace

import pytest

from hooks.benchmark_chart import ChartError, charts_html, chain_groups, on_page_markdown, ratio_groups

ROOT = Path(__file__).resolve().parents[1]
RESULTS = (ROOT / "benchmarks" / "results.md").read_text(encoding="utf-8")
SMALL = """| figure | engine | time | ratio to numpy | target |
| --- | --- | --- | --- | --- |
| per-node overhead | numpy | 0.7 µs/op (0.7) | 1.00x |  |
| per-node overhead | autograd_lite | 2.9 µs/op (2.9) | 4.02x | ≤ 3x |
"""
SVG = "{http://www.w3.org/2000/svg}"


def svgs(html: str) -> list[ET.Element]:
    return [ET.fromstring(svg) for svg in re.findall(r"<svg.*?</svg>", html, re.S)]


def test_every_row_of_the_results_is_a_bar():
    groups = ratio_groups(RESULTS)
    rows = [line for line in RESULTS.splitlines() if re.match(r"\| [^|]+ \| [^|]+ \| .* \| [\d.]+x \|", line)]
    assert sum(len(group.bars) for group in groups) == len(rows) > 0
    ratios = svgs(charts_html(RESULTS))[0]
    assert len(ratios.findall(f".//{SVG}rect")) == len(rows)


def test_bars_are_as_long_as_their_numbers():
    chart = svgs(charts_html(SMALL))[0]
    widths = [float(rect.get("width")) for rect in chart.findall(f".//{SVG}rect")]
    assert widths[1] / widths[0] == pytest.approx(4.02, rel=1e-3)
    assert len(chart.findall(f".//{SVG}line[@class='target']")) == 1


def test_a_screen_reader_gets_every_number_in_words():
    for chart in svgs(charts_html(RESULTS)):
        assert chart.get("role") == "img"
        title_id, desc_id = chart.get("aria-labelledby").split()
        assert chart.find(f"{SVG}title").get("id") == title_id
        desc = chart.find(f"{SVG}desc")
        assert desc.get("id") == desc_id
        values = [text.text for text in chart.findall(f".//{SVG}text[@class='value']")]
        assert values and all(value in desc.text for value in values), (values, desc.text)
    assert "autograd_lite 4.02x (target ≤ 3x)" in svgs(charts_html(SMALL))[0].find(f"{SVG}desc").text


def test_the_chain_table_is_charted_when_present():
    assert [group.title for group in chain_groups(RESULTS)] == ["forward", "backward", "forward + backward", "freeing the chain"]
    assert len(svgs(charts_html(RESULTS))) == 2
    assert len(svgs(charts_html(SMALL))) == 1


def test_results_without_the_table_fail_the_build(tmp_path):
    with pytest.raises(ChartError, match="ratio to numpy"):
        charts_html("# Engine benchmarks\n\nno table here\n")
    (tmp_path / "benchmarks").mkdir()
    (tmp_path / "benchmarks" / "results.md").write_text("nothing\n")
    config = {"config_file_path": str(tmp_path / "mkdocs.yml")}
    page = SimpleNamespace(file=SimpleNamespace(src_uri="performance.md"))
    from mkdocs.exceptions import PluginError

    with pytest.raises(PluginError, match="benchmark-chart"):
        on_page_markdown("# P\n\n<!-- benchmark-chart -->\n", page, config, None)
    assert on_page_markdown("# No marker\n", page, config, None) == "# No marker\n"


def test_the_performance_page_asks_for_the_chart_above_the_table():
    page = (ROOT / "docs" / "performance.md").read_text(encoding="utf-8")
    assert page.index("<!-- benchmark-chart -->") < page.index('--8<-- "benchmarks/results.md')
