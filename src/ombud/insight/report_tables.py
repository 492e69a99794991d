"""Tables of figures for the dashboard and the report: a caption, a header row, and rows of cells that may link
to the voices behind them. Every text is escaped; the result is ``markupsafe.Markup`` for Jinja2."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

from ombud.insight.charts_data import check_link


@dataclass(frozen=True)
class Cell:
    text: str
    link: str | None = None
    number: bool = True  # right-aligned, tabular figures
    voices: int | None = None  # the voices behind a linked figure, for whoever checks the link (data-voices)


@dataclass(frozen=True)
class Row:
    label: str
    cells: Sequence[Cell]
    link: str | None = None  # where the row's label leads (a wish theme's page)
    total: bool = False  # the sum of the rows above


def table_html(caption: str, corner: str, columns: Sequence[str], rows: Sequence[Row], *, name: str = "") -> Markup:
    """An HTML table: one header row (``corner`` above the row labels), one row per ``Row``."""
    head = "".join(f'<th scope="col">{escape(column)}</th>' for column in columns)
    body = []
    for row in rows:
        label = _linked(row.label, row.link, None)
        cells = "".join(
            f'<td class="number">{_linked(cell.text, cell.link, cell.voices)}</td>'
            if cell.number
            else f"<td>{_linked(cell.text, cell.link, cell.voices)}</td>"
            for cell in row.cells
        )
        total = ' class="total"' if row.total else ""
        body.append(f'<tr{total}><th scope="row">{label}</th>{cells}</tr>')
    data = f' data-table="{escape(name, quote=True)}"' if name else ""
    css = "figures narrow" if len(columns) < 2 else "figures"
    return Markup(
        f'<table class="{css}"{data}><caption>{escape(caption)}</caption>'
        f'<thead><tr><th scope="col">{escape(corner)}</th>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
    )


def _linked(text: str, link: str | None, voices: int | None) -> str:
    if not text or check_link(link) is None:
        return escape(text)
    count = f' data-voices="{voices}"' if voices is not None else ""
    return f'<a href="{escape(link or "", quote=True)}"{count}>{escape(text)}</a>'
