"""What a chart shows, apart from how it is drawn: categories, series of points with their links, and bands.

The SVG (charts.py) and the tables (charts_tables.py) are both drawn from a :class:`Chart`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

# A link is a path, a query or a fragment of this site, or an http(s) address: never javascript:, data:, …
_SAFE_LINK = re.compile(r"^(?:[/?#.]|https?://|(?![a-zA-Z][a-zA-Z0-9+.-]*:))")


@dataclass(frozen=True)
class Point:
    value: float | None  # None: no value (a gap in a line, no bar)
    link: str | None = None  # where the voices behind it are


@dataclass(frozen=True)
class Band:
    """A confidence band around a line: the low and high value at each category (None: none there)."""

    low: Sequence[float | None]
    high: Sequence[float | None]


@dataclass(frozen=True)
class Series:
    name: str  # shown in the legend, the tooltips and the table
    points: Sequence[Point]
    key: str | None = None  # an act, emotion, sentiment or flag gives the series its colour
    band: Band | None = None  # line charts only


@dataclass(frozen=True)
class Chart:
    title: str
    categories: Sequence[str]  # the periods, channels, themes … along the axis
    series: Sequence[Series]
    description: str = ""  # what the chart shows, in a sentence, for a screen reader
    empty: str = "–"  # shown when there is nothing to draw


def format_number(value: float) -> str:
    """1 234 and 12.5: whole numbers without decimals, others with one."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def check_link(link: str | None) -> str | None:
    """``link`` itself if it is a safe address for a chart or table to link to; ValueError if it is not."""
    if link is not None and not _SAFE_LINK.match(link.strip()):
        raise ValueError(f"a chart link must be a relative or http(s) address, not {link!r}")
    return link
