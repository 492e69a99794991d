"""The words of the dashboard and the report in one language: periods, dates, places and a filter said the way
the reader says them (Babel for dates and numbers, the locale catalogues for everything else)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime

from babel.dates import format_date, format_skeleton, format_time
from babel.numbers import format_decimal, format_percent

from ombud.insight.filters import NO_VALUE, InsightFilter
from ombud.locale import Translator

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
# A place's word group in the catalogues: a channel is "channel.email", a language "language.sv".
_PLACE_WORDS = {"channel": "channel", "language": "language"}


def day_text(t: Translator, day: date, length: str = "medium") -> str:
    """A day as the reader writes it ("9 mars 2026", "Mar 9, 2026")."""
    return format_date(day, format=length, locale=t.language)


def moment_text(t: Translator, moment: datetime) -> str:
    """A moment as a long day and a short time in the reader's time zone ("7 december 2026 18:20")."""
    local = moment.astimezone(t.zone)
    day = format_date(local.date(), format="long", locale=t.language)
    return f"{day} {format_time(local, format='short', locale=t.language)}"


def period_text(t: Translator, label: str) -> str:
    """A period's label (``2026-03``, ``2026-W11``, ``2026-Q1``, ``2026-03-09``) in the reader's words."""
    if (found := _MONTH.match(label)) is not None:
        return format_skeleton("yMMM", date(int(found[1]), int(found[2]), 1), locale=t.language)
    if (found := _QUARTER.match(label)) is not None:
        return format_skeleton("yQQQ", date(int(found[1]), 3 * int(found[2]) - 2, 1), locale=t.language)
    if (found := _WEEK.match(label)) is not None:
        return t("insight.week", week=int(found[2]), year=found[1])
    try:
        return day_text(t, date.fromisoformat(label))
    except ValueError:
        return label


def span_text(t: Translator, start: date | None, end: date | None) -> str:
    """A span of days: "1 mars 2026 – 31 mars 2026", "from …", "until …", or every day."""
    if start and end:
        return day_text(t, start) if start == end else f"{day_text(t, start)} – {day_text(t, end)}"
    if start:
        return t("insight.since", day=day_text(t, start))
    if end:
        return t("insight.until", day=day_text(t, end))
    return t("insight.all_days")


def place_text(t: Translator, by: str, value: str | None) -> str:
    """A channel, company, industry, language or segment as shown: channels and languages in words, a voice
    without one as "none"."""
    if value is None or value == NO_VALUE:
        return t("insight.none")
    group = _PLACE_WORDS.get(by)
    return t.label(group, value) if group else value


def number_format(t: Translator, digits: int = 0) -> Callable[[float], str]:
    """Numbers for charts and tables in the reader's way (1 234 or 1,234; 12,5 or 12.5)."""

    def written(value: float) -> str:
        shown = digits if digits and not float(value).is_integer() else 0
        pattern = "#,##0" + ("." + "0" * shown if shown else "")
        return format_decimal(value, format=pattern, locale=t.language)

    return written


def percent_text(t: Translator, share: float | None) -> str:
    """A share as a whole percent, the reader's way ("12 %", "12%")."""
    return "—" if share is None else format_percent(share, locale=t.language)


def percent_format(t: Translator) -> Callable[[float], str]:
    """Percentages (0–100) for a chart's axis and tooltips, with one decimal where it has one ("0,5 %")."""

    def written(value: float) -> str:
        return format_percent(round(value, 1) / 100, locale=t.language, decimal_quantization=False)

    return written


def hours_text(t: Translator, hours: float | None) -> str:
    if hours is None:
        return "—"
    return t("insight.hours", hours=number_format(t, 1)(round(hours, 1)))


def filter_words(t: Translator, chosen: InsightFilter, theme_title: str | None = None) -> list[tuple[str, str]]:
    """The filter in words, one (name, value) per part that is set: what the voices of a drill-down are."""
    words: list[tuple[str, str]] = []
    if chosen.start or chosen.end:
        words.append((t("insight.filter.days"), span_text(t, chosen.start, chosen.end)))
    for name in ("channel", "company", "industry", "language", "segment"):
        value = getattr(chosen, name)
        if value is not None:
            words.append((t(f"insight.filter.{name}"), place_text(t, name, value)))
    for name in ("act", "emotion", "topic", "flag", "sentiment"):
        value = getattr(chosen, name)
        if value is not None:
            words.append((t(f"insight.filter.{name}"), t.label(name, value)))
    if chosen.wish_theme is not None:
        words.append((t("insight.filter.wish_theme"), theme_title or f"#{chosen.wish_theme}"))
    return words
