"""The facts behind insight stay in step with the store, whatever writes it: re-readings, voices that change,
new time zones, a company's own topics, cases answered, wishes moved; presence read from them agrees with
loop/presence.py; queries run at once give what they give one after the other; the migration goes both ways."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import delete, func, insert, select

from case_factories import read
from ombud.insight import InsightFilter, dashboard, presence, topic_emotions, update_facts, voice_mix, wish_demand
from ombud.insight.concurrent import run_queries
from ombud.loop import presence as loop_presence
from ombud.loop.cases import record_reply
from ombud.loop.outbox import enqueue
from ombud.settings import get_settings
from ombud.store import Database, open_database
from ombud.store.database import _alembic_config
from ombud.store.models import (
    Case,
    Customer,
    InsightChange,
    Voice,
    VoiceAnalysis,
    VoiceFact,
    Wish,
    WishFact,
    WishTheme,
)
from test_insight import NOW, build_store, counts
from test_loop_presence import NOW as PRESENCE_NOW
from test_loop_presence import STOCKHOLM
from test_loop_presence import build as build_cases


def rounded(document: Any) -> Any:
    """A JSON document with its numbers rounded, for comparing figures worked out in another order."""
    if isinstance(document, dict):
        return {key: rounded(value) for key, value in document.items()}
    if isinstance(document, list):
        return [rounded(value) for value in document]
    return round(document, 9) if isinstance(document, float) else document


@pytest.fixture
def utc_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("OMBUD_TIMEZONE", "UTC")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_nothing_to_do_when_nothing_changed(database: Database) -> None:
    build_store(database)
    with database.session() as session:
        first = update_facts(session)
        session.commit()
        again = update_facts(session)
        assert session.scalar(select(func.count()).select_from(InsightChange)) == 0
        assert session.scalar(select(func.count()).select_from(WishFact)) == 5
    assert (first.readings, first.wishes) == (6, 5)
    assert (again.readings, again.cases, again.wishes, again.redated) == (0, 0, 0, 0)


def test_a_reading_written_again_or_by_hand_is_taken_in(database: Database) -> None:
    ids = build_store(database)
    with database.session() as session:
        assert voice_mix(session, by="channel").total.counts["complaint"] == 2
        session.commit()
        # Read again (as `ombud analyze --again` does: the old reading goes, a new one comes).
        session.execute(delete(VoiceAnalysis).where(VoiceAnalysis.voice_id == ids["nb1"]))
        read(session, session.get_one(Voice, ids["nb1"]), language="nb", act="complaint", topics=[["price"]])
        session.commit()
        mix = voice_mix(session, by="channel")
        assert mix.total.counts["complaint"] == 3 and mix.total.counts["wish"] == 1
        # Its wish fact came back with it.
        assert wish_demand(session).themes[1].customers == 2
        # A reading written without the ORM (a bulk path) is taken in the same way.
        spoken = session.get_one(Voice, ids["en1"])
        session.execute(delete(VoiceAnalysis).where(VoiceAnalysis.voice_id == spoken.id))
        row = {
            "voice_id": spoken.id,
            "model": "bulk 1.0",
            "tier": "fast",
            "analysed_at": NOW,
            "language": "en",
            "language_confidence": 0.9,
            "dominant_act": "praise",
            "acts": ["praise"],
            "sentiment": "positive",
            "sentiment_score": 0.9,
            "emotions": ["joy"],
            "topics": ["staff"],
            "expectation_gap": False,
            "legal_claim": False,
            "churn_risk": False,
            "details": {},
        }
        session.execute(insert(VoiceAnalysis), [row])
        session.commit()
        assert counts(voice_mix(session, by="language"))["en"] == {"praise": 1}
        assert topic_emotions(session).counts["staff"]["joy"] == 2


def test_a_voice_that_changes_is_taken_in(database: Database) -> None:
    ids = build_store(database)
    with database.session() as session:
        voice_mix(session)
        session.commit()
        spoken = session.get_one(Voice, ids["en1"])
        spoken.meta = {"company": "Ljusbanken", "industry": "bank", "segment": "business"}
        session.commit()
        by_company = {row.key: row.voices for row in voice_mix(session, by="company").rows}
        by_segment = {row.key: row.voices for row in voice_mix(session, by="segment").rows}
    assert by_company == {"Ljusbanken": 4, "Kvikk Mobil": 2}
    assert by_segment == {"business": 3, "private": 3}


def test_a_new_time_zone_redates_every_fact(database: Database, utc_settings: None) -> None:
    build_store(database)
    with database.session() as session:
        stockholm = voice_mix(session, chosen=InsightFilter(), refresh=False)  # facts not written yet
        assert stockholm.rows == []
        update_facts(session, zone=STOCKHOLM)
        session.commit()
        assert counts(voice_mix(session, refresh=False))["2026-04"] == {"wish": 1}
        # The setting says UTC now: nb1 falls in January and sv2 in March.
        utc = voice_mix(session)
        report = update_facts(session)
        session.commit()
        demand = wish_demand(session)
    assert counts(utc) == {
        "2026-01": {"complaint": 1, "wish": 1},
        "2026-02": {"praise": 1, "complaint": 1},
        "2026-03": {"question": 1, "wish": 1},
    }
    assert report.redated == 0  # done once, by the call before
    assert demand.themes[1].series == [("2026-01", 2), ("2026-02", 0), ("2026-03", 0)]


def test_a_company_s_own_topics_get_bits(database: Database) -> None:
    ids = build_store(database)
    with database.session() as session:
        session.execute(delete(VoiceAnalysis).where(VoiceAnalysis.voice_id == ids["nn1"]))
        read(
            session,
            session.get_one(Voice, ids["nn1"]),
            language="nn",
            act="praise",
            sentiment=0.8,
            topics=[["bonusprogram", "staff"]],
            emotions={"joy": 0.9},
        )
        session.commit()
        felt = topic_emotions(session)
        chosen = topic_emotions(session, InsightFilter(topic="bonusprogram"))
        unknown = voice_mix(session, InsightFilter(topic="not-a-topic"))
    assert felt.counts["bonusprogram"]["joy"] == 1 and felt.topic_voices["staff"] == 1
    assert chosen.voices == 1 and unknown.total.voices == 0


def test_presence_agrees_with_the_loop(database: Database) -> None:
    build_cases(database)
    with database.session() as session:
        mine = presence(session, now=PRESENCE_NOW)
        theirs = loop_presence.presence(session, by="channel", now=PRESENCE_NOW, zone=STOCKHOLM)
        assert rounded(mine.as_json()) == rounded(theirs.as_json())
        session.commit()
        # Answering the overdue review case is taken in at once.
        review = session.scalars(select(Case).where(Case.channel == "review")).one()
        record_reply(session, review, at=PRESENCE_NOW - timedelta(hours=1), actor="agent")
        session.commit()
        after = presence(session, now=PRESENCE_NOW)
        loop_after = loop_presence.presence(session, now=PRESENCE_NOW, zone=STOCKHOLM)
        assert rounded(after.as_json()) == rounded(loop_after.as_json())
        assert after.total.overdue == 1 and after.total.cases_answered == 6
        january = presence(session, InsightFilter(end=datetime(2026, 1, 31).date()), now=PRESENCE_NOW)
    # e1 (with its thanks), e2, c1; e3 came in on 1 February in Stockholm.
    assert (january.total.cases, january.total.voices, january.total.voices_answered) == (3, 4, 3)
    assert january.total.median_first_response_hours == pytest.approx(1.0)


def test_feedback_coverage_agrees_with_the_loop(database: Database) -> None:
    people = build_cases(database)
    with database.session() as session:
        theme = WishTheme(title="Söndagsöppet", status="planned")
        session.add(theme)
        session.flush()
        for name in ("e1", "e2", "e3", "e4"):
            first = session.scalars(select(Voice).where(Voice.customer_id == people[name]).order_by(Voice.id)).first()
            assert first is not None
            session.add(
                Wish(
                    theme_id=theme.id,
                    voice_id=first.id,
                    position=0,
                    customer_id=people[name],
                    text=first.text,
                    language="sv",
                    vector=b"\0" * 8,
                )
            )
        for name, status in (("e1", "sent"), ("e2", None), ("e4", "manual")):
            message = enqueue(
                session,
                key=f"feedback:1:{people[name]}",
                kind="feedback",
                customer_id=people[name],
                channel="email",
                recipient=f"{name}@example.com",
                language="sv",
                subject="Vi har öppet på söndagar",
                body="Hej!",
            )
            if status:
                message.status = status
        session.get_one(Customer, people["e3"]).contact_opt_out = True
        session.commit()
        mine = presence(session, now=PRESENCE_NOW).feedback
        theirs = loop_presence.feedback_coverage(session)
        chat_only = presence(session, InsightFilter(channel="chat"), now=PRESENCE_NOW).feedback
    assert mine == theirs and (mine.customers_with_wish, mine.customers_with_feedback) == (3, 2)
    assert chat_only.customers_with_wish == 0 and chat_only.share is None


def test_queries_at_once_give_what_they_give_in_turn(database: Database) -> None:
    build_store(database)
    with database.session() as session:
        update_facts(session)
        session.commit()
        alone = dashboard(session, now=NOW, workers=1, min_voices=1).as_json()
        together = dashboard(session, now=NOW, workers=3, min_voices=1).as_json()
        assert together == alone
        # Written and not committed: other connections would not see it, so the queries stay in this session.
        session.execute(delete(VoiceAnalysis).where(VoiceAnalysis.voice_id.in_(select(Voice.id).limit(1))))
        pending = dashboard(session, now=NOW, workers=3)
        assert pending.voices == 5
        threads = run_queries(session, {"a": lambda reading: reading is session}, workers=3)
        assert threads == {"a": True}
        session.rollback()


def test_the_migration_goes_down_and_up(database_url: str) -> None:
    database = open_database(database_url)
    build_store(database)
    with database.session() as session:
        update_facts(session)
        session.commit()
    config = _alembic_config()
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0004")
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    with database.session() as session:
        # Upgrading notes every stored reading; the facts come back on first use.
        assert session.scalar(select(func.count()).select_from(VoiceFact)) == 0
        assert voice_mix(session).total.voices == 6
        assert session.scalar(select(func.count()).select_from(WishFact)) == 5
    database.close()


def test_both_databases_give_the_same_dashboard(
    tmp_path: Path, postgres_url: str, empty_postgres: Callable[[str], None]
) -> None:
    documents = []
    empty_postgres(postgres_url)
    for url in (f"sqlite:///{tmp_path / 'same.db'}", postgres_url):
        database = open_database(url)
        build_store(database)
        with database.session() as session:
            board = dashboard(session, now=NOW, min_voices=1)
            session.commit()
        database.close()
        documents.append(board.as_json())
    empty_postgres(postgres_url)
    sqlite, postgresql = documents
    assert sqlite == postgresql
    assert sqlite["at"] == NOW.isoformat() and datetime.fromisoformat(sqlite["at"]).tzinfo == UTC
