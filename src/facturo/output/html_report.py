"""A report as one self-contained HTML page: its table and SVG bar charts, no outside file.

Every text is escaped (a client named `<script>` is shown, not run); the page links to
nothing, so it opens the same anywhere, offline.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape
from typing import Any

from facturo.reports.table import Table

BAR_HEIGHT = 22
CHART_WIDTH = 640
LABEL_WIDTH = 110
VALUE_WIDTH = 130
STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.9em; }
th, td { padding: 0.25em 0.7em; border-bottom: 1px solid #ddd; text-align: left; }
th, td { white-space: nowrap; }
td.amount, th.amount { text-align: right; font-variant-numeric: tabular-nums; }
svg text { font-size: 12px; }
"""


@dataclass(frozen=True)
class Series:
    """One bar chart: a title (the currency), labels and their values."""

    title: str
    labels: Sequence[str]
    values: Sequence[Decimal]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    return escape(format(value, "f") if isinstance(value, Decimal) else str(value))


def svg_chart(series: Series) -> str:
    """Horizontal bars, the largest value filling the chart's width."""
    largest = max((abs(v) for v in series.values), default=Decimal(0))
    room = CHART_WIDTH - LABEL_WIDTH - VALUE_WIDTH
    height = BAR_HEIGHT * len(series.labels) + 4
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{CHART_WIDTH}" height="{height}" '
        f'role="img" aria-label="{escape(series.title)}">'
    ]
    for index, (label, value) in enumerate(zip(series.labels, series.values, strict=True)):
        y = index * BAR_HEIGHT + 2
        width = int(abs(value) * room / largest) if largest else 0
        colour = "#1f6f5c" if value >= 0 else "#b04a3a"
        parts.append(
            f'<text x="0" y="{y + 15}">{escape(label)}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y + 3}" width="{width}" height="{BAR_HEIGHT - 6}" '
            f'fill="{colour}"><title>{escape(label)}: {_cell(value)}</title></rect>'
            f'<text x="{LABEL_WIDTH + width + 6}" y="{y + 15}">{_cell(value)} '
            f"{escape(series.title)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def page(title: str, table: Table, charts: Sequence[Series] = ()) -> str:
    """The whole page: a title, a chart per series, the table."""
    head = "".join(
        f'<th class="amount">{escape(c)}</th>' if c in table.amounts else f"<th>{escape(c)}</th>"
        for c in table.columns
    )
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="amount">{_cell(row.get(c))}</td>'
            if c in table.amounts
            else f"<td>{_cell(row.get(c))}</td>"
            for c in table.columns
        )
        + "</tr>"
        for row in table.rows
    )
    figures = "".join(
        f"<h2>{escape(series.title)}</h2><figure>{svg_chart(series)}</figure>" for series in charts
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"/>'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>"
        f"<h1>{escape(title)}</h1>{figures}"
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        "</body></html>\n"
    )
