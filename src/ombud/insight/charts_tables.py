"""Charts as HTML tables: the data behind any chart (for screen readers, print and copying), and heatmaps —
a table of counts (topic × emotion, topic × sentiment) whose cells are shaded by size and link to their voices.

Every label is escaped; the results are ``markupsafe.Markup`` for Jinja2 templates.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

from ombud.insight.charts_colours import HEAT_COLOUR, KEY_COLOURS, shade
from ombud.insight.charts_data import Chart, Point, check_link, format_number


def data_table(chart: Chart, *, format_value: Callable[[float], str] = format_number) -> Markup:
    """The chart's numbers as an HTML table (caption = title): one row per category, one column per series,
    each value linked like its bar, and a band as "value (low–high)"."""
    head = "".join(f'<th scope="col">{escape(series.name)}</th>' for series in chart.series)
    rows = []
    for index, category in enumerate(chart.categories):
        cells = []
        for series in chart.series:
            point = series.points[index] if index < len(series.points) else Point(None)
            text = "" if point.value is None else format_value(point.value)
            band = series.band
            if band and point.value is not None and band.low[index] is not None and band.high[index] is not None:
                text += f" ({format_value(band.low[index] or 0)}–{format_value(band.high[index] or 0)})"
            cells.append(f"<td>{_linked(text, point.link)}</td>")
        rows.append(f'<tr><th scope="row">{escape(category)}</th>{"".join(cells)}</tr>')
    caption = f"<caption>{escape(chart.title)}</caption>"
    header = f"<thead><tr><td></td>{head}</tr></thead>"
    return Markup(f'<table class="ombud-chart-data">{caption}{header}<tbody>{"".join(rows)}</tbody></table>')


def _linked(text: str, link: str | None, colour: str | None = None) -> str:
    if not text or check_link(link) is None:
        return escape(text)
    style = f' style="color:{colour}"' if colour else ""
    return f'<a href="{escape(link or "", quote=True)}"{style}>{escape(text)}</a>'


@dataclass(frozen=True)
class HeatCell:
    value: float
    text: str  # the value as written
    background: str  # #RRGGBB
    foreground: str  # black or white, whichever reads better on the background
    link: str | None = None


@dataclass(frozen=True)
class Heatmap:
    title: str
    row_labels: Sequence[str]
    column_labels: Sequence[str]
    cells: Sequence[Sequence[HeatCell]]
    description: str = ""
    corner: str = ""  # the label of the first column (what the rows are: "Topic")


def heatmap(
    title: str,
    row_labels: Sequence[str],
    column_labels: Sequence[str],
    values: Sequence[Sequence[float]],
    *,
    links: Sequence[Sequence[str | None]] | None = None,
    column_keys: Sequence[str | None] | None = None,
    description: str = "",
    corner: str = "",
    format_value: Callable[[float], str] = format_number,
) -> Heatmap:
    """A table of ``values`` (rows × columns) shaded by size against the largest: each column in its key's
    colour (an emotion's, a sentiment's) when ``column_keys`` are given, else in one blue."""
    if len(values) != len(row_labels) or any(len(row) != len(column_labels) for row in values):
        raise ValueError("heatmap values must have one row per row label and one value per column label")
    largest = max((abs(value) for row in values for value in row), default=0) or 1
    keys = list(column_keys) if column_keys is not None else [None] * len(column_labels)
    cells = []
    for row_index, row in enumerate(values):
        cells.append(
            [
                HeatCell(
                    value,
                    format_value(value),
                    *shade(KEY_COLOURS.get(keys[column] or "", HEAT_COLOUR), abs(value) / largest),
                    link=check_link(links[row_index][column] if links else None),
                )
                for column, value in enumerate(row)
            ]
        )
    return Heatmap(title, list(row_labels), list(column_labels), cells, description, corner)


def heatmap_html(table: Heatmap) -> Markup:
    """The heatmap as an HTML table, every label escaped, each cell linked to its voices; the shading prints
    (print-color-adjust) and the numbers are there for anyone who cannot see it."""
    head = "".join(f'<th scope="col">{escape(label)}</th>' for label in table.column_labels)
    rows = []
    for label, cells in zip(table.row_labels, table.cells, strict=True):
        tds = "".join(
            f'<td style="background-color:{cell.background};color:{cell.foreground}">'
            f"{_linked(cell.text, cell.link, cell.foreground)}</td>"
            for cell in cells
        )
        rows.append(f'<tr><th scope="row">{escape(label)}</th>{tds}</tr>')
    style = "print-color-adjust:exact;-webkit-print-color-adjust:exact;border-collapse:collapse"
    description = f'<br><span class="description">{escape(table.description)}</span>' if table.description else ""
    return Markup(
        f'<table class="ombud-heatmap" style="{style}"><caption>{escape(table.title)}{description}</caption>'
        f'<thead><tr><th scope="col">{escape(table.corner)}</th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )
