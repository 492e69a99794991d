"""Charts for the dashboard and the report: SVG drawn on the server with pygal, and HTML tables.

Every chart is a :class:`Chart` — a title, a description, categories and series of points — drawn by
:func:`bar_chart` (stacked or grouped, vertical or horizontal) or :func:`line_chart` (with an optional confidence
band), and readable without the picture through :func:`data_table`. :func:`heatmap` shades a table of counts
(topic × emotion, topic × sentiment) and :func:`heatmap_html` writes it.

What they promise:

- no network and no script: pygal's JavaScript is left out (``js=[]``), its comments with their web addresses
  are removed, and the only URLs in the SVG are its namespaces and the links the caller gives;
- every bar, point and cell can link to the voices behind it (``Point.link``) for drill-down;
- the caller's words (already translated) are text, never markup: ``<script>`` in a label stays text;
- the same colour for an act, an emotion or a sentiment in every chart (colour-blind-safe Okabe–Ito hues
  for acts and sentiment), on white, so charts print as they show;
- accessible: ``role="img"`` with a ``<title>`` and ``<desc>``, a ``<title>`` on every bar and point (what a
  mouse or a screen reader gets), and the data as a table;
- readable from 600 to 900 px: the SVG scales to its container, fonts stay 12–16 px at 800.

The result is ``markupsafe.Markup``, which Jinja2 templates insert as it is. Import everything from here; the
parts live in charts_data.py (what a chart shows), charts_colours.py and charts_tables.py (tables, heatmaps).
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable, Sequence
from typing import Any

import pygal
from markupsafe import Markup
from pygal.style import Style

from ombud.insight.charts_colours import (
    ACT_COLOURS,
    EMOTION_COLOURS,
    FLAG_COLOURS,
    KEY_COLOURS,
    PALETTE,
    SENTIMENT_COLOURS,
    css_variables,
    shade,
)
from ombud.insight.charts_colours import colours_for as colours_for_keys
from ombud.insight.charts_data import Band, Chart, Point, Series, check_link, format_number
from ombud.insight.charts_tables import HeatCell, Heatmap, data_table, heatmap, heatmap_html

__all__ = [
    "ACT_COLOURS",
    "EMOTION_COLOURS",
    "FLAG_COLOURS",
    "KEY_COLOURS",
    "PALETTE",
    "SENTIMENT_COLOURS",
    "Band",
    "Chart",
    "HeatCell",
    "Heatmap",
    "Point",
    "Series",
    "bar_chart",
    "colours_for",
    "css_variables",
    "data_table",
    "format_number",
    "heatmap",
    "heatmap_html",
    "line_chart",
    "shade",
]

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
ElementTree.register_namespace("", SVG_NS)
ElementTree.register_namespace("xlink", XLINK_NS)
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, 'Noto Sans', sans-serif"


def colours_for(series: Sequence[Series]) -> list[str]:
    """One colour per series: its key's own (an act's, an emotion's…), else a palette colour no other has."""
    return colours_for_keys([item.key for item in series])


def _style(colours: Sequence[str], line_width: float = 1.0) -> Style:
    return Style(
        background="#FFFFFF",
        plot_background="#FFFFFF",
        foreground="#222222",
        foreground_strong="#111111",
        foreground_subtle="#5A5A5A",
        guide_stroke_color="#D0D0D0",
        major_guide_stroke_color="#B0B0B0",
        font_family=FONT,
        label_font_size=13,
        major_label_font_size=13,
        legend_font_size=13,
        title_font_size=16,
        value_font_size=12,
        tooltip_font_size=13,
        no_data_font_size=20,
        opacity="1",
        opacity_hover=".85",
        transition="0ms",
        stroke_width=str(line_width),
        stroke_width_hover=str(line_width + 1),
        colors=tuple(colours),
    )


def _config(chart: Chart, width: int, height: int, format_value: Callable[[float], str]) -> dict[str, Any]:
    longest = max((len(category) for category in chart.categories), default=0)
    return {
        "js": [],
        "title": chart.title,
        "width": width,
        "height": height,
        "style": _style(colours_for(chart.series)),
        "value_formatter": format_value,
        "show_legend": len(chart.series) > 1,
        "legend_at_bottom": True,
        "legend_at_bottom_columns": min(len(chart.series), 5) or 1,
        "truncate_legend": 40,
        "truncate_label": 28,
        "x_label_rotation": 30 if longest * len(chart.categories) > width // 9 else 0,
        # Many periods (52 weeks, a year of days): name every n-th, about one per 50 px, not all on top of each other.
        "show_minor_x_labels": len(chart.categories) <= width // 50,
        "x_labels_major_every": max(1, -(-len(chart.categories) // max(1, width // 50))),
        "no_data_text": chart.empty,
        "disable_xml_declaration": True,
        "margin": 16,
        # pygal reserves too little below the plot for a second row of legends; each row needs about 22 px.
        "margin_bottom": 16 + 22 * max(0, -(-len(chart.series) // 5) - 1),
    }


def _values(chart: Chart, series: Series, format_value: Callable[[float], str]) -> list[dict[str, Any] | None]:
    """pygal's values of one series, each with its own link and its own title ("series – category: value").

    pygal writes a value's ``tooltip`` into the very bar or dot it draws for that value (a stacked chart also
    draws a zero bar for a missing value, a grouped one none), so a title never lands on another bar."""
    values: list[dict[str, Any] | None] = []
    for category, point in zip(chart.categories, series.points, strict=False):
        if point.value is None:
            values.append(None)
            continue
        shown = format_value(point.value)
        title = f"{series.name} – {category}: {shown}" if len(chart.series) > 1 else f"{category}: {shown}"
        value: dict[str, Any] = {"value": point.value, "tooltip": title}
        if check_link(point.link):
            value["xlink"] = {"href": point.link, "target": "_top"}
        values.append(value)
    return values


def bar_chart(
    chart: Chart,
    *,
    stacked: bool = False,
    horizontal: bool = False,
    width: int = 800,
    height: int = 400,
    value_range: tuple[float, float] | None = None,
    format_value: Callable[[float], str] = format_number,
) -> Markup:
    """Bars per category: one bar per series side by side (grouped), or one bar of all series (stacked);
    horizontal for long labels (top wish themes) or a ranking (emotions). ``value_range`` fixes the value
    axis (0–100 for shares, whatever the values: no share shows as all of the axis)."""
    kinds = {
        (False, False): pygal.Bar,
        (True, False): pygal.StackedBar,
        (False, True): pygal.HorizontalBar,
        (True, True): pygal.HorizontalStackedBar,
    }
    config = _config(chart, width, height, format_value)
    if value_range is not None:
        config["range"] = value_range
    across = {"x_label_rotation": 0, "show_minor_x_labels": True}  # a horizontal chart has room for every label
    drawing = kinds[stacked, horizontal](**(config | across if horizontal else config))
    # pygal draws the first category of a horizontal chart at the bottom; a ranking reads from the top.
    order = slice(None, None, -1) if horizontal else slice(None)
    drawing.x_labels = [_shortened(category) for category in chart.categories][order]
    for series in chart.series:
        drawing.add(series.name, _values(chart, series, format_value)[order])
    svg = drawing.render(is_unicode=True)
    return _finish(svg, chart, width, height)


def _shortened(label: str, longest: int = 40) -> str:
    return label if len(label) <= longest else label[: longest - 1].rstrip() + "…"


class _BandedLine(pygal.Line):  # type: ignore[misc]
    """A line chart that shades each series' band beneath its line (pygal has error bars, not bands)."""

    def __init__(self, bands: list[tuple[Band, str]], **config: Any) -> None:
        super().__init__(**config)
        self._ombud_bands = bands

    def _plot(self) -> None:
        for band, colour in self._ombud_bands:
            for run in _runs(band):
                upper = [self.view((self._x_pos[index], band.high[index])) for index in run]
                lower = [self.view((self._x_pos[index], band.low[index])) for index in reversed(run)]
                if len(run) == 1:  # a lone period: a narrow box, as wide as its dot
                    (x, high), (_, low) = upper[0], lower[0]
                    upper, lower = [(x - 5, high), (x + 5, high)], [(x + 5, low), (x - 5, low)]
                outline = " ".join(f"{x:.2f},{y:.2f}" for x, y in upper + lower)
                self.svg.node(
                    self.nodes["plot"],
                    "path",
                    d=f"M{outline}Z",
                    class_="band",
                    style=f"fill:{colour};fill-opacity:0.18;stroke:none",
                )
        super()._plot()


def _runs(band: Band) -> list[list[int]]:
    """The stretches of consecutive categories where the band has both ends."""
    runs: list[list[int]] = [[]]
    for index, (low, high) in enumerate(zip(band.low, band.high, strict=True)):
        if low is None or high is None:
            runs.append([])
        else:
            runs[-1].append(index)
    return [run for run in runs if run]


def line_chart(
    chart: Chart,
    *,
    width: int = 800,
    height: int = 360,
    value_range: tuple[float, float] | None = None,
    format_value: Callable[[float], str] = format_number,
) -> Markup:
    """Lines over the categories (periods), each series with its band if it has one (the barometer's
    confidence interval); ``value_range`` fixes the axis (0–100 for the barometer)."""
    colours = colours_for(chart.series)
    bands = [(series.band, colour) for series, colour in zip(chart.series, colours, strict=True) if series.band]
    config = _config(chart, width, height, format_value)
    config |= {"allow_interruptions": True, "dots_size": 4, "style": _style(colours, line_width=2.5)}
    if value_range is None and bands:
        values = [point.value for series in chart.series for point in series.points if point.value is not None]
        values += [value for band, _ in bands for value in (*band.low, *band.high) if value is not None]
        value_range = (min(values), max(values)) if values else None
    if value_range is not None:
        config["range"] = value_range
    drawing = _BandedLine(bands, **config)
    drawing.x_labels = list(chart.categories)
    for series in chart.series:
        drawing.add(series.name, _values(chart, series, format_value))
    return _finish(drawing.render(is_unicode=True), chart, width, height)


def _finish(svg: str, chart: Chart, width: int, height: int) -> Markup:
    """pygal's SVG made self-contained and accessible: no comments (they hold web addresses), role and
    labels on the root, a title on every bar and point, and a size that scales to its container."""
    root = ElementTree.fromstring(svg)  # the parser drops comments
    for parent in list(root.iter()):
        for child in list(parent):
            if child.tag == f"{{{SVG_NS}}}script":  # pygal's configuration for its JavaScript, unused here
                parent.remove(child)
    chart_id = f"chart-{uuid.uuid4().hex[:12]}"
    root.set("role", "img")
    root.set("width", str(width))
    root.set("height", str(height))
    root.set("style", "max-width:100%;height:auto")
    root.set("aria-labelledby", f"{chart_id}-title {chart_id}-desc")
    title = root.find(f"{{{SVG_NS}}}title")
    if title is None:
        title = ElementTree.SubElement(root, f"{{{SVG_NS}}}title")
    title.set("id", f"{chart_id}-title")
    title.text = chart.title
    description = ElementTree.Element(f"{{{SVG_NS}}}desc", {"id": f"{chart_id}-desc"})
    description.text = chart.description or chart.title
    root.insert(list(root).index(title) + 1, description)
    _title_marks(root)
    return Markup(ElementTree.tostring(root, encoding="unicode"))


def _title_marks(root: ElementTree.Element) -> None:
    """Move each bar's or dot's <title>, which pygal writes beside it (in its group or link), into the mark
    itself, where a mouse and a screen reader find it."""
    marks = (f"{{{SVG_NS}}}rect", f"{{{SVG_NS}}}circle")
    for group in root.iter(f"{{{SVG_NS}}}g"):
        if group.get("class") not in ("bar", "dots"):
            continue
        link = group.find(f"{{{SVG_NS}}}a")
        holder = group if link is None else link
        title = holder.find(f"{{{SVG_NS}}}title")
        mark = next((node for node in holder.iter() if node.tag in marks), None)
        if title is not None and mark is not None:
            holder.remove(title)
            mark.append(title)
