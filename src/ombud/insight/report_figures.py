"""What the dashboard page and the HTML report show, built once from a :class:`~ombud.insight.Dashboard` in the
reader's language: sections of key figures, charts (insight/charts.py), tables and quotes. Here are their
types; report_sections.py builds them (``sections()``), with report_presence.py for presence and the barometer.

Every count links to the voices behind it when the caller gives ``link`` (the page: a drill-down address; the
report, which goes by mail, none), and every wish theme to its page with ``theme_link``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from markupsafe import Markup

from ombud.insight.dashboard import Dashboard
from ombud.insight.filters import InsightFilter
from ombud.insight.report_words import number_format, percent_text
from ombud.locale import Translator

Link = Callable[[InsightFilter], str]


@dataclass
class Figure:
    name: str
    title: str
    chart: Markup | None  # an SVG chart or a shaded table (a heatmap)
    table: Markup | None  # the figures as a table: for screen readers, print and copying


@dataclass
class KeyFigure:
    label: str
    value: str
    note: str = ""


@dataclass
class Quote:
    when: str
    language: str
    text: str


@dataclass
class QuoteGroup:
    heading: str
    quotes: list[Quote]


@dataclass
class Section:
    name: str  # a stable id: the anchor on the page, the test's handle
    heading: str
    explanation: str  # what the section shows, in a sentence or two
    key_figures: list[KeyFigure] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    quotes: list[QuoteGroup] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Context:
    """The dashboard, the words, and where figures link to."""

    board: Dashboard
    t: Translator
    link: Link | None = None
    theme_link: Callable[[int], str] | None = None
    shown_title: Callable[[str], str] = str  # a wish theme's title as the reader may see it (masked or not)

    def to(self, chosen: InsightFilter) -> str | None:
        return self.link(chosen) if self.link is not None else None

    @property
    def base(self) -> InsightFilter:
        return self.board.filter

    def count(self, value: int) -> str:
        return self.t.number(value)

    def share(self, value: float | None) -> str:
        return percent_text(self.t, value)

    def counted(self, count: int, share: float | None) -> str:
        """ "12 (40 %)": a count and its share."""
        return f"{self.t.number(count)} ({percent_text(self.t, share)})" if share is not None else self.t.number(count)

    @property
    def numbers(self) -> Callable[[float], str]:
        return number_format(self.t, 1)
