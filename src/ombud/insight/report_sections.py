"""The sections of the dashboard and the report (types in report_figures.py): the overview, the voice mix, the
top wish themes, emotions by topic, sentiment by topic, expectation gaps with quotes, and legal claims and churn
risk over time; presence and the barometer are in report_presence.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ombud.insight.charts import Chart, Point, Series, bar_chart, heatmap, heatmap_html
from ombud.insight.dashboard import Dashboard
from ombud.insight.filters import NO_VALUE
from ombud.insight.mix import MixRow, VoiceMix
from ombud.insight.report_figures import Context, Figure, KeyFigure, Link, Quote, QuoteGroup, Section
from ombud.insight.report_presence import barometer_section, index_text, presence_section
from ombud.insight.report_tables import Cell, Row, table_html
from ombud.insight.report_words import day_text, hours_text, period_text, place_text, span_text
from ombud.labels import ACTS, SENTIMENTS
from ombud.locale import Translator

REPORTED_FLAGS = ("legal_claim", "churn_risk")
Narrow = Callable[[MixRow], dict[str, Any]]


def sections(
    board: Dashboard,
    t: Translator,
    *,
    link: Link | None = None,
    theme_link: Callable[[int], str] | None = None,
    shown_title: Callable[[str], str] = str,
) -> list[Section]:
    """Every section, in order: overview, voice mix, wish themes, emotions, sentiment, expectation gaps, legal
    claims and churn risk, presence, barometer."""
    context = Context(board, t, link, theme_link, shown_title)
    return [
        overview_section(context),
        mix_section(context),
        wishes_section(context),
        feelings_section(context),
        sentiment_section(context),
        gaps_section(context),
        flags_section(context),
        presence_section(context),
        barometer_section(context),
    ]


def covered_days(board: Dashboard, t: Translator) -> str:
    """The days the figures cover: the filter's, else those of the first and the last period with voices."""
    rows = board.mix_by_period.rows
    start = board.filter.start or (rows[0].start if rows else None)
    end = board.filter.end or (rows[-1].end if rows else None)
    return span_text(t, start, end)


def overview_section(c: Context) -> Section:
    t, board = c.t, c.board
    total = board.mix_by_period.total
    flags = board.flags.total
    presence = board.presence.total
    return Section(
        name="overview",
        heading=t("insight.overview.heading"),
        explanation=t("insight.overview.explanation", voices=c.count(board.voices), days=covered_days(board, t)),
        key_figures=[
            KeyFigure(t("insight.overview.voices"), c.count(board.voices)),
            KeyFigure(t("insight.overview.barometer"), index_text(c, board.barometer.overall)),
            KeyFigure(t("insight.overview.wishes"), c.share(total.shares["wish"])),
            KeyFigure(t("insight.overview.complaints"), c.share(total.shares["complaint"])),
            KeyFigure(t("insight.overview.praise"), c.share(total.shares["praise"])),
            KeyFigure(t("insight.overview.gaps"), c.share(board.gaps.share)),
            KeyFigure(t("insight.overview.legal_claims"), c.count(flags.counts["legal_claim"])),
            KeyFigure(t("insight.overview.churn_risk"), c.count(flags.counts["churn_risk"])),
            KeyFigure(t("insight.overview.answered"), c.share(presence.answered_share)),
            KeyFigure(t("insight.overview.first_response"), hours_text(t, presence.median_first_response_hours)),
        ],
    )


def _mix_figure(
    c: Context, name: str, title: str, corner: str, mix: VoiceMix, labels: list[str], narrow: Narrow
) -> Figure:
    """A voice mix as stacked bars (one per period or place) and as a table of counts and shares."""
    t = c.t
    series = [
        Series(
            t.label("act", act),
            [Point(row.counts[act] or None, c.to(c.base.narrowed(**narrow(row), act=act))) for row in mix.rows],
            key=act,
        )
        for act in ACTS
    ]
    horizontal = mix.by != "period"
    chart = Chart(title, labels, series, t("insight.mix.description"), t("insight.no_voices"))
    height = max(220, 110 + 34 * len(labels)) if horizontal else 400
    drawn = bar_chart(chart, stacked=True, horizontal=horizontal, height=height, format_value=c.numbers)
    rows = [
        Row(label, [_voices_cell(c, row.voices, narrow(row)), *_act_cells(c, row, narrow(row))])
        for label, row in zip(labels, mix.rows, strict=True)
    ]
    rows.append(
        Row(t("insight.all"), [_voices_cell(c, mix.total.voices, {}), *_act_cells(c, mix.total, {})], total=True)
    )
    columns = [t("insight.voices"), *(t.label("act", act) for act in ACTS)]
    return Figure(name, title, drawn, table_html(title, corner, columns, rows, name=name))


def _voices_cell(c: Context, voices: int, narrowed: dict[str, Any]) -> Cell:
    return Cell(c.count(voices), c.to(c.base.narrowed(**narrowed)) if voices else None)


def _act_cells(c: Context, row: MixRow, narrowed: dict[str, Any]) -> list[Cell]:
    shares = row.shares
    return [
        Cell(
            c.counted(row.counts[act], shares[act]),
            c.to(c.base.narrowed(**narrowed, act=act)) if row.counts[act] else None,
        )
        for act in ACTS
    ]


def _place_of(by: str) -> Narrow:
    return lambda row: {by: row.key}


def mix_section(c: Context) -> Section:
    t, board = c.t, c.board
    period = t(f"insight.period.{board.period}")
    by_period = board.mix_by_period
    figures = [
        _mix_figure(
            c,
            "mix-period",
            t("insight.mix.by_period", period=period),
            t("insight.period"),
            by_period,
            [period_text(t, row.key) for row in by_period.rows],
            lambda row: {"start": row.start, "end": row.end},
        )
    ]
    for by, mix in board.mix_by_place.items():
        if len(mix.rows) < 2 or all(row.key == NO_VALUE for row in mix.rows):
            continue  # one place only (the filter's, say), or no voice names any
        figures.append(
            _mix_figure(
                c,
                f"mix-{by}",
                t(f"insight.mix.by_{by}"),
                t(f"insight.filter.{by}"),
                mix,
                [place_text(t, by, row.key) for row in mix.rows],
                _place_of(by),
            )
        )
    return Section("mix", t("insight.mix.heading"), t("insight.mix.explanation"), figures=figures)


def _change(c: Context, change: int | None) -> str:
    if change is None:
        return "—"
    return f"+{c.count(change)}" if change > 0 else ("−" + c.count(-change) if change < 0 else c.count(0))


def wishes_section(c: Context) -> Section:
    t, themes = c.t, c.board.wishes.themes
    title = t("insight.wishes.chart")
    labels = [c.shown_title(theme.title) for theme in themes]
    links = [c.theme_link(theme.theme_id) if c.theme_link else None for theme in themes]
    points = [Point(theme.customers, link) for theme, link in zip(themes, links, strict=True)]
    chart = Chart(
        title, labels, [Series(t("insight.wishes.customers"), points, key="wish")], "", t("insight.no_wishes")
    )
    drawn = bar_chart(chart, horizontal=True, height=max(220, 90 + 34 * len(themes)), format_value=c.numbers)
    rows = [
        Row(
            label,
            [
                Cell(theme.company or "—", number=False),
                Cell(t(f"theme_status.{theme.status}"), number=False),
                Cell(c.count(theme.customers)),
                Cell(c.count(theme.wishes)),
                Cell(_change(c, theme.change)),
            ],
            link=link,
        )
        for label, theme, link in zip(labels, themes, links, strict=True)
    ]
    columns = [
        t("insight.filter.company"),
        t("insight.wishes.status"),
        t("insight.wishes.customers"),
        t("insight.wishes.wishes"),
        t("insight.wishes.change"),
    ]
    explanation = t("insight.wishes.explanation", period=t(f"insight.period.{c.board.period}"))
    table = table_html(title, t("insight.wishes.theme"), columns, rows, name="wishes")
    return Section("wishes", t("insight.wishes.heading"), explanation, figures=[Figure("wishes", title, drawn, table)])


def feelings_section(c: Context) -> Section:
    t, felt = c.t, c.board.topic_emotions
    ranked = sorted((e for e in felt.emotions if felt.emotion_voices[e]), key=lambda e: -felt.emotion_voices[e])
    title = t("insight.feelings.emotions")
    series = [
        Series(
            t.label("emotion", emotion),
            [
                Point(
                    felt.emotion_voices[emotion] if other == emotion else None, c.to(c.base.narrowed(emotion=emotion))
                )
                for other in ranked
            ],
            key=emotion,
        )
        for emotion in ranked
    ]
    labels = [t.label("emotion", emotion) for emotion in ranked]
    chart = Chart(title, labels, series, "", t("insight.no_voices"))
    drawn = bar_chart(
        chart, stacked=True, horizontal=True, height=max(220, 110 + 34 * len(ranked)), format_value=c.numbers
    )
    rows = [
        Row(label, [Cell(c.count(felt.emotion_voices[emotion]), c.to(c.base.narrowed(emotion=emotion)))])
        for label, emotion in zip(labels, ranked, strict=True)
    ]
    table = table_html(title, t("insight.filter.emotion"), [t("insight.voices")], rows, name="emotions")
    topics = [topic for topic in felt.topics if any(felt.counts[topic].values())]
    cells_title = t("insight.feelings.by_topic")
    shaded = heatmap(
        cells_title,
        [t.label("topic", topic) for topic in topics],
        [t.label("emotion", emotion) for emotion in felt.emotions],
        [[felt.counts[topic][emotion] for emotion in felt.emotions] for topic in topics],
        links=[
            [
                c.to(c.base.narrowed(topic=topic, emotion=emotion)) if felt.counts[topic][emotion] else None
                for emotion in felt.emotions
            ]
            for topic in topics
        ],
        column_keys=felt.emotions,
        corner=t("insight.filter.topic"),
        format_value=c.numbers,
    )
    figures = [Figure("emotions", title, drawn, table)]
    if topics:
        figures.append(Figure("topic-emotions", cells_title, heatmap_html(shaded), None))
    return Section("feelings", t("insight.feelings.heading"), t("insight.feelings.explanation"), figures=figures)


def sentiment_section(c: Context) -> Section:
    t, felt = c.t, c.board.topic_sentiment
    title = t("insight.sentiment.chart")
    labels = [t.label("topic", topic) for topic in felt.topics]
    series = [
        Series(
            t.label("sentiment", sentiment),
            [
                Point(felt.counts[topic][sentiment] or None, c.to(c.base.narrowed(topic=topic, sentiment=sentiment)))
                for topic in felt.topics
            ],
            key=sentiment,
        )
        for sentiment in SENTIMENTS
    ]
    chart = Chart(title, labels, series, "", t("insight.no_voices"))
    drawn = bar_chart(
        chart, stacked=True, horizontal=True, height=max(220, 110 + 34 * len(labels)), format_value=c.numbers
    )
    rows = []
    for label, topic in zip(labels, felt.topics, strict=True):
        counts, shares = felt.counts[topic], felt.shares(topic)
        rows.append(
            Row(
                label,
                [
                    Cell(
                        c.counted(counts[sentiment], shares[sentiment]),
                        c.to(c.base.narrowed(topic=topic, sentiment=sentiment)) if counts[sentiment] else None,
                    )
                    for sentiment in SENTIMENTS
                ],
            )
        )
    columns = [t.label("sentiment", sentiment) for sentiment in SENTIMENTS]
    table = table_html(title, t("insight.filter.topic"), columns, rows, name="topic-sentiment")
    figure = Figure("topic-sentiment", title, drawn, table)
    return Section("sentiment", t("insight.sentiment.heading"), t("insight.sentiment.explanation"), figures=[figure])


def gaps_section(c: Context) -> Section:
    t, gaps = c.t, c.board.gaps
    title = t("insight.gaps.chart")
    labels = [t.label("topic", entry.topic) for entry in gaps.topics]
    points = [
        Point(entry.gaps, c.to(c.base.narrowed(topic=entry.topic, flag="expectation_gap"))) for entry in gaps.topics
    ]
    chart = Chart(
        title,
        labels,
        [Series(t.label("flag", "expectation_gap"), points, key="expectation_gap")],
        "",
        t("insight.no_gaps"),
    )
    drawn = bar_chart(chart, horizontal=True, height=max(220, 90 + 34 * len(labels)), format_value=c.numbers)
    rows = [
        Row(
            label,
            [
                Cell(c.count(entry.voices), c.to(c.base.narrowed(topic=entry.topic))),
                Cell(c.count(entry.gaps), point.link),
                Cell(c.share(entry.share)),
            ],
        )
        for label, entry, point in zip(labels, gaps.topics, points, strict=True)
    ]
    columns = [t("insight.gaps.voices"), t("insight.gaps.gaps"), t("insight.gaps.share")]
    table = table_html(title, t("insight.filter.topic"), columns, rows, name="gaps")
    quotes = [
        QuoteGroup(
            label,
            [
                Quote(
                    day_text(c.t, quote.received_at.astimezone(t.zone).date()),
                    t.label("language", quote.language),
                    quote.text,
                )
                for quote in entry.quotes
            ],
        )
        for label, entry in zip(labels, gaps.topics, strict=True)
        if entry.quotes
    ]
    explanation = t("insight.gaps.explanation", share=c.share(gaps.share))
    return Section(
        "gaps", t("insight.gaps.heading"), explanation, figures=[Figure("gaps", title, drawn, table)], quotes=quotes
    )


def flags_section(c: Context) -> Section:
    t, flags = c.t, c.board.flags
    title = t("insight.flags.chart", period=t(f"insight.period.{flags.period}"))
    labels = [period_text(t, row.key) for row in flags.rows]
    series = [
        Series(
            t.label("flag", flag),
            [
                Point(row.counts[flag] or None, c.to(c.base.narrowed(start=row.start, end=row.end, flag=flag)))
                for row in flags.rows
            ],
            key=flag,
        )
        for flag in REPORTED_FLAGS
    ]
    chart = Chart(title, labels, series, "", t("insight.no_voices"))
    drawn = bar_chart(chart, height=360, format_value=c.numbers)
    rows = [
        Row(
            label,
            [
                Cell(c.count(row.voices)),
                *(
                    Cell(
                        c.counted(row.counts[flag], row.shares[flag]),
                        c.to(c.base.narrowed(start=row.start, end=row.end, flag=flag)) if row.counts[flag] else None,
                    )
                    for flag in REPORTED_FLAGS
                ),
            ],
        )
        for label, row in zip(labels, flags.rows, strict=True)
    ]
    total = flags.total
    rows.append(
        Row(
            t("insight.all"),
            [
                Cell(c.count(total.voices)),
                *(
                    Cell(
                        c.counted(total.counts[flag], total.shares[flag]),
                        c.to(c.base.narrowed(flag=flag)) if total.counts[flag] else None,
                    )
                    for flag in REPORTED_FLAGS
                ),
            ],
            total=True,
        )
    )
    columns = [t("insight.voices"), *(t.label("flag", flag) for flag in REPORTED_FLAGS)]
    table = table_html(title, t("insight.period"), columns, rows, name="flags")
    return Section(
        "flags",
        t("insight.flags.heading"),
        t("insight.flags.explanation"),
        figures=[Figure("flags", title, drawn, table)],
    )
