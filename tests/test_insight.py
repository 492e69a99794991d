"""Insight figures on a small store whose figures are known by hand: the voice mix by period (month boundaries in
Europe/Stockholm) and by place, flags over time, topics × emotions and × sentiment, expectation gaps with their
quotes, wish demand and trend, the barometer, and the dashboard that gathers them — on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy.orm import Session

from case_factories import customer, read, voice
from ombud.errors import InsightError
from ombud.insight import (
    InsightFilter,
    barometer,
    dashboard,
    expectation_gaps,
    flags_over_time,
    topic_emotions,
    topic_sentiment,
    voice_mix,
    wish_demand,
)
from ombud.store import Database
from ombud.store.models import Voice, Wish, WishTheme

NOW = datetime(2026, 5, 1, tzinfo=UTC)

# name: language, company, industry, segment, channel, received (UTC), act, sentiment score, emotions,
# topics per sentence, flags, the sentence that shows them, text
VOICES: dict[str, tuple[Any, ...]] = {
    "sv1": (
        "sv", "Kvikk Mobil", "telecom", "private", "email", datetime(2026, 1, 10, 10, 0, tzinfo=UTC),
        "complaint", -0.9, ["anger"], [[], ["delivery"]], {"expectation_gap"}, 1,
        "Hej! Ni lovade leverans inom två dagar, men det tog två veckor.",
    ),
    # 23:30 UTC on 31 January is 00:30 on 1 February in Stockholm.
    "nb1": (
        "nb", "Kvikk Mobil", "telecom", "private", "chat", datetime(2026, 1, 31, 23, 30, tzinfo=UTC),
        "wish", 0.1, ["anticipation"], [["digital"]], set(), 0,
        "Det hadde vært fint med en app for fakturaene.",
    ),
    "nn1": (
        "nn", "Ljusbanken", "bank", "business", "review", datetime(2026, 2, 15, 12, 0, tzinfo=UTC),
        "praise", 0.8, ["joy"], [["staff"]], set(), 0,
        "Takk for god hjelp i dag, de var svært hjelpsame.",
    ),
    "da1": (
        "da", "Ljusbanken", "bank", "business", "email", datetime(2026, 2, 20, 9, 0, tzinfo=UTC),
        "complaint", -0.4, ["fear", "anger"], [["price"], ["contract"]],
        {"expectation_gap", "legal_claim", "churn_risk"}, 1,
        "Prisen steg uden varsel. I lovede at ringe mig på 20 12 34 56, men ingen ringede.",
    ),
    "en1": (
        "en", "Kvikk Mobil", "telecom", None, "chat", datetime(2026, 3, 1, 8, 0, tzinfo=UTC),
        "question", 0.0, [], [[]], set(), 0,
        "When will my new SIM card arrive?",
    ),
    # 22:30 UTC on 31 March is 00:30 on 1 April in Stockholm (summer time since 29 March).
    "sv2": (
        "sv", "Ljusbanken", "bank", "private", "email", datetime(2026, 3, 31, 22, 30, tzinfo=UTC),
        "wish", -0.3, ["anger"], [["availability"]], {"expectation_gap"}, 0,
        "Ni sa att kundtjänsten har öppet på helger, så öppna på söndagar.",
    ),
}  # fmt: skip


def build_store(database: Database) -> dict[str, int]:
    """The known store; returns {name: voice id}. Themes: "app" (sv1, nb1: two customers, two wishes) and
    "sunday" (sv2 twice, en1: two customers, three wishes)."""
    ids: dict[str, int] = {}
    with database.session() as session:
        for name, row in VOICES.items():
            language, company, industry, segment, channel, received, act, score, felt, topics, flags, at, text = row
            who = customer(session, f"{name}@example.com", language=language)
            spoken = voice(session, who, text, received, channel=channel)
            spoken.meta = {"company": company, "industry": industry, **({"segment": segment} if segment else {})}
            read(
                session,
                spoken,
                language=language,
                act=act,
                topics=topics,
                sentiment=score,
                emotions=dict.fromkeys(felt, 0.9),
                evidence=at,
                **{flag: True for flag in flags},
            )
            ids[name] = spoken.id
        themes = {}
        for key, company, title in (("app", "Kvikk Mobil", "En app"), ("sunday", "Ljusbanken", "Söndagsöppet")):
            theme = WishTheme(company=company, title=title, language="sv")
            session.add(theme)
            session.flush()
            themes[key] = theme.id
        for key, name, position in (("app", "sv1", 0), ("app", "nb1", 0), ("sunday", "sv2", 0), ("sunday", "sv2", 1),
                                    ("sunday", "en1", 0)):  # fmt: skip
            spoken = session.get_one(Voice, ids[name])
            session.add(
                Wish(
                    theme_id=themes[key],
                    voice_id=spoken.id,
                    position=position,
                    customer_id=spoken.customer_id,
                    text=spoken.text,
                    language=VOICES[name][0],
                    vector=b"\0" * 8,
                )
            )
        session.commit()
    ids.update({f"theme:{key}": theme_id for key, theme_id in themes.items()})
    return ids


def counts(mix: Any) -> dict[str, dict[str, int]]:
    return {row.key: {act: n for act, n in row.counts.items() if n} for row in mix.rows}


def test_voice_mix_by_month_in_local_time(database: Database) -> None:
    build_store(database)
    with database.session() as session:
        mix = voice_mix(session)
    assert counts(mix) == {
        "2026-01": {"complaint": 1},
        "2026-02": {"wish": 1, "praise": 1, "complaint": 1},
        "2026-03": {"question": 1},
        "2026-04": {"wish": 1},
    }
    february = mix.rows[1]
    assert (february.start, february.end, february.voices) == (date(2026, 2, 1), date(2026, 2, 28), 3)
    assert february.shares["complaint"] == pytest.approx(1 / 3)
    assert mix.total.voices == 6 and mix.total.counts["wish"] == 2


def test_periods_day_week_quarter(database: Database) -> None:
    build_store(database)
    with database.session() as session:
        quarters = voice_mix(session, period="quarter")
        weeks = voice_mix(session, InsightFilter(start=date(2026, 1, 26), end=date(2026, 2, 8)), period="week")
        days = voice_mix(session, InsightFilter(start=date(2026, 2, 1), end=date(2026, 2, 1)), period="day")
    assert counts(quarters) == {
        "2026-Q1": {"complaint": 2, "wish": 1, "praise": 1, "question": 1},
        "2026-Q2": {"wish": 1},
    }
    # Monday 26 January to Sunday 1 February holds nb1 (1 February, 00:30 local); the week after, nothing.
    assert [(row.key, row.voices) for row in weeks.rows] == [("2026-W05", 1), ("2026-W06", 0)]
    assert (weeks.rows[0].start, weeks.rows[0].end) == (date(2026, 1, 26), date(2026, 2, 1))
    assert [(row.key, row.voices) for row in days.rows] == [("2026-02-01", 1)]


def test_voice_mix_by_place(database: Database) -> None:
    build_store(database)
    with database.session() as session:
        by_channel = voice_mix(session, by="channel")
        by_company = voice_mix(session, by="company")
        by_segment = voice_mix(session, by="segment")
        by_language = voice_mix(session, by="language")
        by_industry = voice_mix(session, by="industry", chosen=InsightFilter(channel="email"))
        with pytest.raises(InsightError, match="cannot mix voices by 'colour'"):
            voice_mix(session, by="colour")
    assert counts(by_channel) == {
        "email": {"complaint": 2, "wish": 1},
        "chat": {"wish": 1, "question": 1},
        "review": {"praise": 1},
    }
    assert [row.key for row in by_company.rows] == ["Kvikk Mobil", "Ljusbanken"]
    assert counts(by_segment) == {
        "private": {"complaint": 1, "wish": 2},
        "business": {"praise": 1, "complaint": 1},
        "(none)": {"question": 1},
    }
    assert {row.key: row.voices for row in by_language.rows} == {"sv": 2, "nb": 1, "nn": 1, "da": 1, "en": 1}
    assert counts(by_industry) == {"bank": {"complaint": 1, "wish": 1}, "telecom": {"complaint": 1}}


def test_flags_over_time(database: Database) -> None:
    build_store(database)
    with database.session() as session:
        flags = flags_over_time(session)
    assert {row.key: {f: n for f, n in row.counts.items() if n} for row in flags.rows} == {
        "2026-01": {"expectation_gap": 1},
        "2026-02": {"expectation_gap": 1, "legal_claim": 1, "churn_risk": 1},
        "2026-03": {},
        "2026-04": {"expectation_gap": 1},
    }
    assert flags.total.counts == {"expectation_gap": 3, "legal_claim": 1, "churn_risk": 1}
    assert flags.rows[1].shares["legal_claim"] == pytest.approx(1 / 3)


def test_topics_by_emotion_and_sentiment(database: Database) -> None:
    build_store(database)
    with database.session() as session:
        emotions = topic_emotions(session)
        sentiment = topic_sentiment(session)
        angry_email = topic_emotions(session, InsightFilter(channel="email", emotion="anger"))
    felt = {topic: {e: n for e, n in row.items() if n} for topic, row in emotions.counts.items()}
    assert felt == {
        "delivery": {"anger": 1},
        "digital": {"anticipation": 1},
        "staff": {"joy": 1},
        "price": {"anger": 1, "fear": 1},
        "contract": {"anger": 1, "fear": 1},
        "availability": {"anger": 1},
    }
    assert emotions.emotion_voices["anger"] == 3 and emotions.voices == 6
    assert {topic: {s: n for s, n in row.items() if n} for topic, row in sentiment.counts.items()} == {
        "delivery": {"negative": 1},
        "digital": {"neutral": 1},
        "staff": {"positive": 1},
        "price": {"negative": 1},
        "contract": {"negative": 1},
        "availability": {"negative": 1},
    }
    assert sentiment.shares("staff") == {"negative": 0.0, "neutral": 0.0, "positive": 1.0}
    assert set(angry_email.topics) == {"delivery", "price", "contract", "availability"}


def test_expectation_gaps_with_masked_quotes(database: Database) -> None:
    build_store(database)
    with database.session() as session:
        gaps = expectation_gaps(session)
        danish = expectation_gaps(session, InsightFilter(language="da"), quotes=1)
    assert (gaps.voices, gaps.gaps) == (6, 3)
    assert [(t.topic, t.voices, t.gaps) for t in gaps.topics] == [
        ("availability", 1, 1),
        ("contract", 1, 1),
        ("delivery", 1, 1),
        ("price", 1, 1),
    ]
    quotes = {t.topic: [q.text for q in t.quotes] for t in gaps.topics}
    # The sentence that shows the gap, not the whole voice; the phone number is masked.
    assert quotes["delivery"] == ["Ni lovade leverans inom två dagar, men det tog två veckor."]
    assert quotes["price"] == quotes["contract"] == ["I lovede at ringe mig på [phone], men ingen ringede."]
    assert quotes["availability"] == ["Ni sa att kundtjänsten har öppet på helger, så öppna på söndagar."]
    assert [t.topic for t in danish.topics] == ["contract", "price"] and danish.share == 1.0


def test_wish_demand_counts_customers_and_follows_merges(database: Database) -> None:
    ids = build_store(database)
    with database.session() as session:
        demand = wish_demand(session)
        assert [(t.title, t.customers, t.wishes) for t in demand.themes] == [("Söndagsöppet", 2, 3), ("En app", 2, 2)]
        sunday, app = demand.themes
        assert sunday.series == [("2026-01", 0), ("2026-02", 0), ("2026-03", 1), ("2026-04", 1)]
        assert app.series == [("2026-01", 1), ("2026-02", 1), ("2026-03", 0), ("2026-04", 0)]
        assert (sunday.change, app.change) == (0, 0)
        narrowed = wish_demand(session, InsightFilter(company="Ljusbanken"))
        assert [(t.title, t.customers, t.wishes) for t in narrowed.themes] == [("Söndagsöppet", 1, 2)]
        assert wish_demand(session, InsightFilter(act="question")).themes[0].customers == 1  # en1 only
        # Merging moves the wishes (as loop.themes_changes.merge_themes does), and the demand follows at once.
        for wish in session.query(Wish).filter(Wish.theme_id == ids["theme:app"]):
            wish.theme_id = ids["theme:sunday"]
        session.get_one(WishTheme, ids["theme:app"]).merged_into_id = ids["theme:sunday"]
        session.commit()
        merged = wish_demand(session)
    assert [(t.title, t.customers, t.wishes) for t in merged.themes] == [("Söndagsöppet", 4, 5)]


def test_barometer_by_period_and_segment(database: Database) -> None:
    build_store(database)
    with database.session() as session:
        few = barometer(session)
        enough = barometer(session, min_voices=1)
        again = barometer(session, min_voices=1)
    # Too few voices everywhere by default (30): counted, but no index.
    assert few.overall.too_few and few.overall.voices == 6 and few.overall.index is None
    # Contributions: sv1 −1 (strong complaint and a gap, clipped), nb1 0, nn1 +1, da1 −1 (churn), en1 0,
    # sv2 −0.5 (a wish with a gap): mean −0.25, index 50 × 0.75.
    assert enough.overall.index == pytest.approx(37.5)
    assert [(v.period, v.index) for v in enough.by_period] == [
        ("2026-01", 0.0),
        ("2026-02", 50.0),
        ("2026-03", 50.0),
        ("2026-04", 25.0),
    ]
    assert {v.segment: v.index for v in enough.by_segment} == {"(none)": 50.0, "business": 50.0, "private": 25.0}
    cell = {(v.period, v.segment): v for v in enough.by_period_and_segment}
    assert cell[("2026-02", "business")].voices == 2 and cell[("2026-02", "business")].index == 50.0
    assert cell[("2026-03", "private")].voices == 0 and cell[("2026-03", "private")].too_few
    overall = enough.overall
    assert overall.low is not None and overall.high is not None
    assert overall.low <= overall.index <= overall.high
    assert (again.overall.low, again.overall.high) == (overall.low, overall.high)  # seeded


def test_filters_are_checked() -> None:
    with pytest.raises(InsightError, match="unknown act 'rant'"):
        InsightFilter(act="rant")
    with pytest.raises(InsightError, match=r"starts .* after it ends"):
        InsightFilter(start=date(2026, 3, 1), end=date(2026, 2, 1))
    with pytest.raises(InsightError, match="is not a date"):
        InsightFilter.from_query({"from": "1 mars"})
    with pytest.raises(InsightError, match="unknown filter colour"):
        InsightFilter.from_query({"colour": "red"})
    chosen = InsightFilter.from_query({"from": "2026-02-01", "to": "", "emotion": "fear", "wish_theme": "7"})
    assert chosen == InsightFilter(start=date(2026, 2, 1), emotion="fear", wish_theme=7)
    assert InsightFilter.from_query(chosen.as_query()) == chosen
    assert chosen.within("month", 2026 * 12 + 2) == chosen.narrowed(start=date(2026, 3, 1), end=date(2026, 3, 31))


def test_dashboard_gathers_everything(database: Database) -> None:
    build_store(database)
    with database.session() as session:
        board = dashboard(session, now=NOW, min_voices=1)
        quarter = dashboard(session, InsightFilter(start=date(2026, 2, 1), end=date(2026, 3, 31)), now=NOW)
        document = board.as_json()
    assert board.voices == 6 and board.mix_by_period.rows[0].key == "2026-01"
    assert set(board.mix_by_place) == {"channel", "company", "industry", "language", "segment"}
    assert board.barometer.overall.index == pytest.approx(37.5)
    assert [t.title for t in board.wishes.themes] == ["Söndagsöppet", "En app"]
    assert board.wishes.themes[0].series[-1] == ("2026-04", 1)
    assert board.gaps.gaps == 3 and board.topic_emotions.emotion_voices["anger"] == 3
    assert document["filter"]["start"] is None and document["mix_by_period"]["rows"][1]["start"] == "2026-02-01"
    # A quarter: nb1 (1 February local) and sv2 (1 April local) are in and out by their local days.
    assert quarter.voices == 4 and [row.key for row in quarter.mix_by_period.rows] == ["2026-02", "2026-03"]


def same(session: Session, chosen: InsightFilter) -> int:
    from ombud.insight import voices_behind

    return voices_behind(session, chosen, limit=1).total


def test_every_figure_maps_to_the_voices_behind_it(database: Database) -> None:
    build_store(database)
    with database.session() as session:
        board = dashboard(session, now=NOW, min_voices=1)
        everything = InsightFilter()
        for row in board.mix_by_period.rows:
            assert same(session, everything.narrowed(start=row.start, end=row.end)) == row.voices
            for act, count in row.counts.items():
                assert same(session, everything.narrowed(start=row.start, end=row.end, act=act)) == count
        for by, mix in board.mix_by_place.items():
            for row in mix.rows:
                assert same(session, everything.narrowed(**{by: row.key})) == row.voices, (by, row.key)
        for row in board.flags.rows:
            for flag, count in row.counts.items():
                assert same(session, everything.narrowed(start=row.start, end=row.end, flag=flag)) == count
        for topic, row in board.topic_emotions.counts.items():
            for emotion, count in row.items():
                assert same(session, everything.narrowed(topic=topic, emotion=emotion)) == count
        for topic, row in board.topic_sentiment.counts.items():
            for sentiment, count in row.items():
                assert same(session, everything.narrowed(topic=topic, sentiment=sentiment)) == count
        for entry in board.gaps.topics:
            assert same(session, everything.narrowed(topic=entry.topic, flag="expectation_gap")) == entry.gaps
        for theme in board.wishes.themes:
            voices = {wish.voice_id for wish in session.query(Wish).filter(Wish.theme_id == theme.theme_id)}
            assert same(session, everything.narrowed(wish_theme=theme.theme_id)) == len(voices)
        for value in board.barometer.by_period_and_segment:
            period = next(row for row in board.mix_by_period.rows if row.key == value.period)
            narrowed = everything.narrowed(start=period.start, end=period.end, segment=value.segment)
            assert same(session, narrowed) == value.voices


def test_the_barometer_formula_and_its_interval() -> None:
    from ombud.insight.barometer import contribution, value_of

    assert contribution("praise", 3, False, False) == 1.0
    assert contribution("praise", 0, False, False) == 0.4
    assert contribution("complaint", 1, False, False) == -0.6
    assert contribution("complaint", 2, True, False) == -1.0  # −0.8 − 1, clipped
    assert contribution("praise", 3, True, False) == 0.0
    assert contribution("wish", 3, False, True) == -0.5
    assert contribution("question", 2, False, False) == 0.0
    # docs/insight.md's worked example: forty voices, index 48.75.
    forty = {1.0: 10, -1.0: 10, 0.0: 18, -0.5: 2}
    small = value_of(forty, "2026-03", "private", min_voices=30, resamples=1000)
    large = value_of({value: 10 * n for value, n in forty.items()}, "2026-03", "private", min_voices=30, resamples=1000)
    assert small.index == large.index == pytest.approx(48.75)
    assert small.low is not None and small.high is not None and large.low is not None and large.high is not None
    assert small.low < small.index < small.high and large.low < large.index < large.high
    assert large.high - large.low < (small.high - small.low) / 2  # ten times the voices: about a third as wide
    assert value_of(forty, "2026-03", "private", min_voices=30, resamples=1000) == small  # seeded by the group
    too_few = value_of(forty, "2026-03", "private", min_voices=41, resamples=1000)
    assert too_few.too_few and too_few.voices == 40 and too_few.index is None and too_few.low is None


def test_planner_settings_are_put_back(database: Database) -> None:
    from sqlalchemy import text

    build_store(database)
    with database.session() as session:
        voice_mix(session)
        if database.dialect == "postgresql":
            assert session.scalar(text("SELECT current_setting('enable_hashagg')")) == "on"
            session.execute(text("SET LOCAL enable_hashagg = off"))
            voice_mix(session, by="channel")
            assert session.scalar(text("SELECT current_setting('enable_hashagg')")) == "off"
