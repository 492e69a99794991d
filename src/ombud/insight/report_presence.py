"""The presence and barometer sections of the dashboard and the report (types in report_figures.py)."""

from __future__ import annotations

from datetime import date

from ombud.insight.barometer import BarometerValue
from ombud.insight.charts import Band, Chart, Point, Series, bar_chart, line_chart
from ombud.insight.filters import NO_VALUE
from ombud.insight.report_figures import Context, Figure, KeyFigure, Section
from ombud.insight.report_tables import Cell, Row, table_html
from ombud.insight.report_words import hours_text, percent_format, period_text, place_text

# More segments than this make the barometer's chart unreadable; the table still has every one.
CHARTED_SEGMENTS = 5


def index_text(c: Context, value: BarometerValue) -> str:
    """ "38 (35–41)": the index and its 95 % interval, or "too few voices"."""
    if value.too_few or value.index is None:
        return c.t("insight.barometer.too_few")
    whole = c.t.number(round(value.index))
    if value.low is None or value.high is None:
        return whole
    return f"{whole} ({c.t.number(round(value.low))}–{c.t.number(round(value.high))})"


def presence_section(c: Context) -> Section:
    t, presence = c.t, c.board.presence
    total, feedback = presence.total, presence.feedback
    channels = [place_text(t, "channel", row.key) for row in presence.rows]
    links = [c.to(c.base.narrowed(channel=row.key)) for row in presence.rows]
    answered_title = t("insight.presence.answered_chart")
    answered = Chart(
        answered_title,
        channels,
        [
            Series(
                t("insight.presence.answered"),
                [
                    Point(None if row.answered_share is None else 100 * row.answered_share, link)
                    for row, link in zip(presence.rows, links, strict=True)
                ],
                key="praise",
            )
        ],
        "",
        t("insight.no_cases"),
    )
    hours_title = t("insight.presence.hours_chart")
    hours = Chart(
        hours_title,
        channels,
        [
            Series(
                t("insight.presence.median"),
                [Point(row.median_first_response_hours, link) for row, link in zip(presence.rows, links, strict=True)],
            ),
            Series(
                t("insight.presence.p90"),
                [Point(row.p90_first_response_hours, link) for row, link in zip(presence.rows, links, strict=True)],
            ),
        ],
        "",
        t("insight.no_answers"),
    )
    rows = [
        Row(
            label,
            [
                Cell(c.count(row.voices), link if row.voices else None),
                Cell(c.share(row.answered_share)),
                Cell(c.count(row.cases)),
                Cell(hours_text(t, row.median_first_response_hours)),
                Cell(hours_text(t, row.p90_first_response_hours)),
                Cell(c.count(row.overdue)),
            ],
        )
        for label, row, link in zip(channels, presence.rows, links, strict=True)
    ]
    rows.append(
        Row(
            t("insight.all"),
            [
                Cell(c.count(total.voices)),
                Cell(c.share(total.answered_share)),
                Cell(c.count(total.cases)),
                Cell(hours_text(t, total.median_first_response_hours)),
                Cell(hours_text(t, total.p90_first_response_hours)),
                Cell(c.count(total.overdue)),
            ],
            total=True,
        )
    )
    columns = [
        t("insight.presence.voices"),
        t("insight.presence.answered"),
        t("insight.presence.cases"),
        t("insight.presence.median"),
        t("insight.presence.p90"),
        t("insight.presence.overdue"),
    ]
    table = table_html(t("insight.presence.table"), t("insight.filter.channel"), columns, rows, name="presence")
    coverage = t(
        "insight.presence.feedback_value",
        told=c.count(feedback.customers_with_feedback),
        wishing=c.count(feedback.customers_with_wish),
    )
    return Section(
        "presence",
        t("insight.presence.heading"),
        t("insight.presence.explanation"),
        key_figures=[
            KeyFigure(t("insight.presence.answered"), c.share(total.answered_share)),
            KeyFigure(t("insight.presence.median"), hours_text(t, total.median_first_response_hours)),
            KeyFigure(t("insight.presence.p90"), hours_text(t, total.p90_first_response_hours)),
            KeyFigure(t("insight.presence.overdue"), c.count(total.overdue)),
            KeyFigure(t("insight.presence.feedback"), c.share(feedback.share), coverage),
        ],
        figures=[
            Figure(
                "presence-answered",
                answered_title,
                bar_chart(answered, height=320, value_range=(0, 100), format_value=percent_format(t)),
                table,
            ),
            Figure("presence-hours", hours_title, bar_chart(hours, height=320, format_value=c.numbers), None),
        ],
    )


def barometer_section(c: Context) -> Section:
    t, meter = c.t, c.board.barometer
    days = {row.key: (row.start, row.end) for row in c.board.mix_by_period.rows}
    periods = [value.period or "" for value in meter.by_period]
    segments = [value.segment or NO_VALUE for value in meter.by_segment]
    cell_of = {(value.period, value.segment): value for value in meter.by_period_and_segment}

    def to(period: str | None, segment: str | None) -> str | None:
        start, end = days.get(period or "", (None, None)) if period else (None, None)
        narrowed: dict[str, date | str | None] = {"start": start, "end": end} if period else {}
        if segment is not None:
            narrowed["segment"] = segment
        return c.to(c.base.narrowed(**narrowed))

    def shown(value: BarometerValue) -> float | None:
        return None if value.too_few else value.index

    labels = [period_text(t, period) for period in periods]
    series = [
        Series(
            t("insight.barometer.all"),
            [Point(shown(value), to(value.period, None)) for value in meter.by_period],
            band=Band(
                [None if value.too_few else value.low for value in meter.by_period],
                [None if value.too_few else value.high for value in meter.by_period],
            ),
        )
    ]
    charted = [segment for segment in segments if segment != NO_VALUE][:CHARTED_SEGMENTS]
    if len(segments) > 1:
        for segment in charted:
            values = [cell_of[(period, segment)] for period in periods]
            series.append(
                Series(
                    place_text(t, "segment", segment),
                    [Point(shown(value), to(value.period, segment)) for value in values],
                )
            )
    title = t("insight.barometer.chart", period=t(f"insight.period.{meter.period}"))
    chart = Chart(title, labels, series, t("insight.barometer.description"), t("insight.barometer.too_few"))
    drawn = line_chart(chart, value_range=(0, 100), format_value=lambda value: c.t.number(round(value)))

    def cells(value: BarometerValue, period: str | None, segment: str | None) -> list[Cell]:
        return [Cell(index_text(c, value)), Cell(c.count(value.voices), to(period, segment) if value.voices else None)]

    shown_segments = segments if len(segments) > 1 else []
    rows = []
    for label, value in zip(labels, meter.by_period, strict=True):
        row = cells(value, value.period, None)
        for segment in shown_segments:
            row += cells(cell_of[(value.period, segment)], value.period, segment)
        rows.append(Row(label, row))
    total = cells(meter.overall, None, None)
    for value in meter.by_segment if shown_segments else []:
        total += cells(value, None, value.segment)
    rows.append(Row(t("insight.all"), total, total=True))
    columns = [t("insight.barometer.index"), t("insight.voices")]
    for segment in shown_segments:
        name = place_text(t, "segment", segment)
        columns += [t("insight.barometer.index_of", segment=name), t("insight.barometer.voices_of", segment=name)]
    table = table_html(title, t("insight.period"), columns, rows, name="barometer")
    return Section(
        "barometer",
        t("insight.barometer.heading"),
        t("insight.barometer.explanation"),
        key_figures=[KeyFigure(t("insight.barometer.all"), index_text(c, meter.overall))],
        figures=[Figure("barometer", title, drawn, table)],
        notes=[
            t("insight.barometer.formula"),
            t("insight.barometer.interval", resamples=c.count(meter.resamples)),
            t("insight.barometer.minimum", voices=c.count(meter.min_voices)),
        ],
    )
