"""mkdocs hook: the Performance page's figures as charts, drawn at build time from the benchmark file.

A page asks for the charts with a marker on a line of its own::

    <!-- benchmark-chart -->

and the hook replaces it with two SVG bar charts read from ``benchmarks/results.md`` (the file
``benchmarks/bench_engine.py`` writes): each engine's time relative to plain numpy for every
figure of the first table, and the times of the million-operation chain from the second.  The
tables themselves stay on the page below the charts.

Each chart is an accessible picture: ``role="img"`` named by its ``<title>``, with a ``<desc>``
that says every number the bars show, in words, for a screen reader.  Colours come from the
stylesheet (``.benchmark-chart`` in ``docs/stylesheets/extra.css``), so the charts follow the
light and dark themes.  A marker whose tables cannot be read fails the build.
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass
from pathlib import Path

MARKER = re.compile(r"^[ \t]*<!--\s*benchmark-chart\s*-->[ \t]*$", re.MULTILINE)
RESULTS = Path("benchmarks") / "results.md"
OURS = "autograd_lite"


class ChartError(ValueError):
    """The benchmark results could not be read into a chart."""


@dataclass
class Bar:
    label: str
    value: float
    text: str  # the value as the bar's label shows it
    ours: bool = False
    target: float | None = None
    target_text: str = ""


@dataclass
class Group:
    title: str
    bars: list[Bar]


def markdown_tables(markdown: str) -> list[list[dict[str, str]]]:
    """Every pipe table in ``markdown``, as a list of rows keyed by the header's column names."""
    tables, lines = [], markdown.splitlines()
    index = 0
    while index < len(lines) - 1:
        header, rule = lines[index].strip(), lines[index + 1].strip()
        if header.startswith("|") and re.fullmatch(r"\|(\s*:?-+:?\s*\|)+", rule):
            names = [cell.strip() for cell in header.strip("|").split("|")]
            rows, index = [], index + 2
            while index < len(lines) and lines[index].strip().startswith("|"):
                cells = [cell.strip() for cell in lines[index].strip().strip("|").split("|")]
                rows.append(dict(zip(names, cells)))
                index += 1
            tables.append(rows)
        else:
            index += 1
    return tables


def number(text: str, where: str) -> float:
    """The first number in a cell such as ``4.02x``, ``2.877 µs/op (2.934)`` or ``≤ 3x``."""
    match = re.search(r"\d+(?:\.\d+)?", text.replace(",", ""))
    if not match:
        raise ChartError(f"{where}: expected a number, found {text!r}")
    return float(match.group())


def ratio_groups(markdown: str) -> list[Group]:
    """Groups of bars (one group per figure) from the table with a "ratio to numpy" column."""
    for table in markdown_tables(markdown):
        if table and {"figure", "engine", "ratio to numpy"} <= table[0].keys():
            groups: dict[str, Group] = {}
            for row in table:
                where = f"{RESULTS}: row {row['figure']!r} / {row['engine']!r}"
                target = row.get("target", "")
                groups.setdefault(row["figure"], Group(row["figure"], [])).bars.append(
                    Bar(
                        label=row["engine"],
                        value=number(row["ratio to numpy"], where),
                        text=row["ratio to numpy"],
                        ours=row["engine"] == OURS,
                        target=number(target, where) if target else None,
                        target_text=target,
                    )
                )
            return list(groups.values())
    raise ChartError(
        f"{RESULTS} has no table with the columns 'figure', 'engine' and 'ratio to numpy'; "
        "regenerate it with benchmarks/bench_engine.py"
    )


def chain_groups(markdown: str) -> list[Group]:
    """Groups of bars (forward, backward, their sum, freeing) from the million-operation chain table."""
    for table in markdown_tables(markdown):
        if table and {"engine", "forward", "backward"} <= table[0].keys():
            phases = [name for name in table[0] if name not in {"engine", "peak memory per node"}]
            return [
                Group(
                    phase,
                    [
                        Bar(row["engine"], number(row[phase], f"{RESULTS}: {row['engine']} {phase}"),
                            row[phase], ours=row["engine"] == OURS)
                        for row in table
                    ],
                )
                for phase in phases
            ]
    return []


def nice_limit(value: float) -> float:
    """An axis end a little above ``value``: 1, 2 or 5 times a power of ten."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def bar_chart_svg(chart_id: str, title: str, description: str, groups: list[Group],
                  unit: str, reference: float | None = None, reference_text: str = "") -> str:
    """A horizontal bar chart: a heading per group, one labelled bar per engine."""
    width, label_width, value_width = 540, 140, 92
    bar_area = width - label_width - value_width
    row, heading, gap, top = 20, 22, 10, 24
    limit = nice_limit(max(bar.value for group in groups for bar in group.bars) * 1.02)
    ticks = [limit * k / 4 for k in range(5)]
    x = lambda value: label_width + bar_area * value / limit  # noqa: E731 - one formula, named
    body, y = [], top
    for group in groups:
        body.append(f'<text class="group" x="0" y="{y + 15}">{html.escape(group.title)}</text>')
        y += heading
        for bar in group.bars:
            kind = "bar ours" if bar.ours else "bar"
            end = x(bar.value)
            body.append(
                f'<text class="label" x="{label_width - 6}" y="{y + 14}" text-anchor="end">'
                f"{html.escape(bar.label)}</text>"
                f'<rect class="{kind}" x="{label_width}" y="{y + 3}" width="{end - label_width:.1f}" height="{row - 6}"/>'
                f'<text class="value" x="{end + 4:.1f}" y="{y + 14}">{html.escape(bar.text.split(" (")[0])}</text>'
            )
            if bar.target is not None:
                tx = x(bar.target)
                body.append(
                    f'<line class="target" x1="{tx:.1f}" x2="{tx:.1f}" y1="{y}" y2="{y + row}"/>'
                )
            y += row
        y += gap
    height = y + 8
    axis = []
    for tick in ticks:
        tx = x(tick)
        axis.append(
            f'<line class="grid" x1="{tx:.1f}" x2="{tx:.1f}" y1="{top - 4}" y2="{height - 8}"/>'
            f'<text class="tick" x="{tx:.1f}" y="{top - 8}" text-anchor="middle">{tick:g}{unit}</text>'
        )
    if reference is not None:
        rx = x(reference)
        axis.append(
            f'<line class="reference" x1="{rx:.1f}" x2="{rx:.1f}" y1="{top - 4}" y2="{height - 8}"/>'
        )
    return (
        f'<svg class="benchmark-chart" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{chart_id}-title">{html.escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{html.escape(description)}</desc>'
        + "".join(axis) + "".join(body) + "</svg>"
    )


def describe(groups: list[Group], unit_words: str) -> str:
    """Every bar in words: "Per-node overhead: numpy 1.00x, autograd_lite 4.02x (target ≤ 3x)."."""
    sentences = []
    for group in groups:
        parts = [
            f"{bar.label} {bar.text.split(' (')[0]}"
            + (f" (target {bar.target_text})" if bar.target_text else "")
            for bar in group.bars
        ]
        sentences.append(f"{group.title}: " + ", ".join(parts) + ".")
    return f"{unit_words} " + " ".join(sentences)


def charts_html(markdown: str) -> str:
    """The figure(s) that replace the marker: the ratio chart, and the chain chart if present."""
    ratios = ratio_groups(markdown)
    figures = [
        bar_chart_svg(
            "benchmark-ratios",
            "Time of each engine relative to plain numpy doing the same work (shorter is faster)",
            describe(ratios, "Time relative to plain numpy, which is 1x; shorter is faster."),
            ratios, unit="x", reference=1.0,
        )
    ]
    chain = chain_groups(markdown)
    if chain:
        figures.append(
            bar_chart_svg(
                "benchmark-chain",
                "A chain of 1,000,000 operations: seconds to run it forward, backward, both, and free it",
                describe(chain, "Seconds for a chain of a million operations; shorter is faster."),
                chain, unit=" s",
            )
        )
    caption = (
        "The tables below as charts, drawn when the site is built from "
        "<code>benchmarks/results.md</code>. The vertical line marks plain numpy (1x); a short "
        "dashed mark on a bar is autograd_lite's target."
    )
    return (
        '<figure class="benchmark-figure">' + "".join(figures)
        + f"<figcaption>{caption}</figcaption></figure>"
    )


def on_page_markdown(markdown: str, page, config, files) -> str:
    if not MARKER.search(markdown):
        return markdown
    from mkdocs.exceptions import PluginError

    results = Path(config["config_file_path"]).parent / RESULTS
    try:
        chart = charts_html(results.read_text(encoding="utf-8"))
    except (OSError, ChartError) as error:
        raise PluginError(
            f"{page.file.src_uri}: the <!-- benchmark-chart --> marker could not be drawn: {error}"
        ) from error
    return MARKER.sub(lambda match: chart, markdown)
