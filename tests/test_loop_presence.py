"""Presence figures on a small known data set: answered share, exact medians and 90th percentiles, overdue,
feedback coverage; and `ombud presence`."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from case_factories import customer, read, voice
from ombud.cli import app
from ombud.errors import OmbudError
from ombud.loop.cases import record_reply, set_status, update_cases
from ombud.loop.outbox import enqueue
from ombud.loop.presence import percentile, presence
from ombud.loop.sla import SlaPolicy, parse_first_response
from ombud.store import Database
from ombud.store.models import Case, CaseVoice, Customer, Voice, Wish, WishTheme

STOCKHOLM = ZoneInfo("Europe/Stockholm")
NOW = datetime(2026, 3, 1, 0, 0, tzinfo=UTC)
POLICY = SlaPolicy(parse_first_response("email=24h,chat=2h,review=72h,default=24h"))

# (name, language, channel, received (UTC), hours to our first response or None, resolved without one)
CASES = [
    ("e1", "sv", "email", datetime(2026, 1, 10, 10, 0, tzinfo=UTC), 1.0, False),
    ("e2", "nb", "email", datetime(2026, 1, 20, 10, 0, tzinfo=UTC), 2.0, False),
    ("e3", "nn", "email", datetime(2026, 1, 31, 23, 30, tzinfo=UTC), 3.0, False),  # 1 February in Stockholm
    ("e4", "da", "email", datetime(2026, 2, 10, 10, 0, tzinfo=UTC), 10.0, False),
    ("e5", "en", "email", datetime(2026, 2, 15, 10, 0, tzinfo=UTC), None, False),  # overdue
    ("c1", "sv", "chat", datetime(2026, 1, 5, 12, 0, tzinfo=UTC), 0.5, False),
    ("c2", "da", "chat", datetime(2026, 2, 20, 12, 0, tzinfo=UTC), None, True),  # resolved unanswered
    ("r1", "nb", "review", datetime(2026, 2, 25, 9, 0, tzinfo=UTC), None, False),  # overdue on 28 February
]
TEXTS = {
    "sv": "Hej! Leveransen var sen och ingen svarar",
    "nb": "Hei, pakken kom aldri fram",
    "nn": "Hei, pakka kom aldri fram",
    "da": "Hej, pakken er ikke kommet",
    "en": "hi, my parcel never came",
}


def build(database: Database) -> dict[str, int]:
    """The known data set; returns {name: customer id}."""
    people: dict[str, int] = {}
    with database.session() as session:
        spoken = {}
        for name, language, channel, received, _, _ in CASES:
            who = customer(session, f"{name}@example.com", language=language)
            people[name] = who.id
            spoken[name] = voice(session, who, TEXTS[language], received, channel=channel)
            read(session, spoken[name], language=language, topics=[["delivery"]])
        # e1's customer thanks us after the answer: a voice no response followed.
        thanks = voice(session, session.get_one(Customer, people["e1"]), "Tack!", CASES[0][3] + timedelta(hours=5))
        read(session, thanks, language="sv", act="praise", topics=[["delivery"]])
        session.commit()
        update_cases(session, NOW, policy=POLICY, window=timedelta(hours=168))
        case_of = dict(session.execute(select(CaseVoice.voice_id, CaseVoice.case_id)).all())
        assert case_of[thanks.id] == case_of[spoken["e1"].id]
        for name, _, _, received, hours, resolved in CASES:
            case = session.get_one(Case, case_of[spoken[name].id])
            if hours is not None:
                record_reply(session, case, at=received + timedelta(hours=hours), actor="agent")
            if resolved:
                set_status(session, case, "resolved", at=received + timedelta(days=1))
        session.commit()
    return people


def test_percentiles_interpolate_between_ranks() -> None:
    assert percentile([], 0.5) is None
    assert percentile([4.0], 0.9) == 4.0
    assert percentile([10.0, 1.0, 3.0, 2.0], 0.5) == 2.5
    assert percentile([1.0, 2.0, 3.0, 10.0], 0.9) == pytest.approx(7.9)
    assert percentile([1.0, 2.0, 3.0, 10.0], 1.0) == 10.0


def test_presence_by_channel(database: Database) -> None:
    build(database)
    with database.session() as session:
        figures = presence(session, by="channel", now=NOW, zone=STOCKHOLM)
    rows = {row.key: row for row in figures.rows}
    assert list(rows) == ["chat", "email", "review"]
    email = rows["email"]
    assert (email.voices, email.voices_answered, email.cases, email.cases_answered, email.overdue) == (6, 4, 5, 4, 1)
    assert email.answered_share == pytest.approx(4 / 6)
    assert email.median_first_response_hours == pytest.approx(2.5)
    assert email.p90_first_response_hours == pytest.approx(7.9)
    chat = rows["chat"]
    assert (chat.voices, chat.voices_answered, chat.cases, chat.cases_answered, chat.overdue) == (2, 1, 2, 1, 0)
    assert chat.median_first_response_hours == chat.p90_first_response_hours == pytest.approx(0.5)
    review = rows["review"]
    assert (review.voices_answered, review.cases, review.overdue, review.median_first_response_hours) == (0, 1, 1, None)
    total = figures.total
    assert (total.voices, total.voices_answered, total.cases, total.cases_answered, total.overdue) == (9, 5, 8, 5, 2)
    assert total.median_first_response_hours == pytest.approx(2.0)
    assert total.p90_first_response_hours == pytest.approx(7.2)


def test_presence_by_month_in_local_time(database: Database) -> None:
    build(database)
    with database.session() as session:
        figures = presence(session, by="month", now=NOW, zone=STOCKHOLM)
        assert [row.key for row in presence(session, by="month", now=NOW, zone=ZoneInfo("UTC")).rows] == [
            "2026-01",
            "2026-02",
        ]
    january, february = figures.rows
    assert (january.key, january.voices, january.voices_answered, january.cases, january.overdue) == (
        "2026-01",
        4,
        3,
        3,
        0,
    )
    assert january.median_first_response_hours == pytest.approx(1.0)
    assert january.p90_first_response_hours == pytest.approx(1.8)
    assert (february.key, february.voices, february.voices_answered, february.cases, february.overdue) == (
        "2026-02",
        5,
        2,
        5,
        2,
    )
    assert february.median_first_response_hours == pytest.approx(6.5)
    assert february.p90_first_response_hours == pytest.approx(9.3)


def test_presence_of_an_empty_store_and_a_bad_grouping(database: Database) -> None:
    with database.session() as session:
        figures = presence(session, now=NOW, zone=STOCKHOLM)
        assert figures.rows == [] and figures.total.answered_share is None
        assert figures.feedback.share is None
        with pytest.raises(OmbudError, match="grouped by channel or month, not 'week'"):
            presence(session, by="week")


def test_feedback_coverage(database: Database) -> None:
    people = build(database)
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
        # e1: feedback sent; e2: queued, not yet out; e3: opted out (not counted at all); e4: posted by hand.
        for name, channel, status in (("e1", "email", "sent"), ("e2", "email", None), ("e4", "review", None)):
            message = enqueue(
                session,
                key=f"feedback:1:{people[name]}",
                kind="feedback",
                customer_id=people[name],
                channel=channel,
                recipient=f"{name}@example.com",
                language="sv",
                subject="Vi har öppet på söndagar",
                body="Hej!",
            )
            if status:
                message.status = status
        session.get_one(Customer, people["e3"]).contact_opt_out = True
        session.commit()
        coverage = presence(session, now=NOW, zone=STOCKHOLM).feedback
    assert (coverage.customers_with_wish, coverage.customers_with_feedback) == (3, 2)
    assert coverage.share == pytest.approx(2 / 3)


def test_cli_presence(runner: CliRunner, database_url: str) -> None:
    from ombud.store import open_database

    database = open_database(database_url)
    build(database)
    database.close()
    result = runner.invoke(app, ["presence", "--json", "--db", database_url])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    assert figures["by"] == "channel"
    email = next(row for row in figures["rows"] if row["key"] == "email")
    assert (email["voices"], email["voices_answered"], email["median_first_response_hours"]) == (6, 4, 2.5)
    assert email["answered_share"] == pytest.approx(4 / 6)
    assert figures["total"]["overdue"] == 2 and figures["feedback"]["share"] is None
    monthly = json.loads(runner.invoke(app, ["presence", "--by", "month", "--json", "--db", database_url]).output)
    assert [row["key"] for row in monthly["rows"]] == ["2026-01", "2026-02"]  # OMBUD_TIMEZONE: Stockholm
    table = runner.invoke(app, ["presence", "--db", database_url])
    said = " ".join(table.output.split())
    assert table.exit_code == 0 and "Presence by channel" in said and "2.5 h" in said and "67%" in said
    assert "Feedback: 0 of 0 customers with a wish got feedback (—)." in said
    bad = runner.invoke(app, ["presence", "--by", "week", "--db", database_url])
    assert bad.exit_code == 2 and "--by is channel or month, not 'week'" in bad.output
