"""Cases: e-mail threads, joining by customer, topic and window, reopening, priority, assignment, the CLI."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from case_factories import customer, read, voice
from ombud.cli import app
from ombud.errors import CaseError
from ombud.loop.case_views import case_detail, list_cases
from ombud.loop.cases import assign, main_topic, message_ids, record_reply, set_status, update_cases
from ombud.loop.outbox import enqueue
from ombud.loop.priority import Priority, Reason, VoiceReading, case_priority, stored_reasons
from ombud.loop.sla import SlaPolicy, parse_first_response
from ombud.store import Database
from ombud.store.models import Case, CaseEvent, CaseVoice, Voice

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday
POLICY = SlaPolicy(parse_first_response("email=24h,chat=2h,review=72h,default=24h"))
WEEK = timedelta(hours=168)


def english(reasons: list[Reason]) -> list[str]:
    return [reason.english for reason in reasons]


def place(session: Session, now: datetime | None = None, window: timedelta = WEEK) -> dict[int, int]:
    """Run update_cases; return {voice id: case id}."""
    update_cases(session, now or T0 + timedelta(days=30), policy=POLICY, window=window)
    return dict(session.execute(select(CaseVoice.voice_id, CaseVoice.case_id)).all())


def events(session: Session, case_id: int) -> list[tuple[str, dict[str, object]]]:
    rows = session.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id))
    return [(row.kind, row.detail) for row in rows]


def test_message_ids_and_main_topic() -> None:
    assert message_ids("<a@x> (comment) <b@y>") == ["a@x", "b@y"]
    assert message_ids("plain@id") == ["plain@id"]
    assert message_ids("  ") == []
    assert main_topic([["price"], ["delivery"], ["delivery", "communication"]], ["price", "delivery"]) == "delivery"
    assert main_topic([["price"], ["delivery"]], ["price", "delivery"]) == "price"  # a tie: raised first
    assert main_topic([], []) is None


def test_email_threads_by_in_reply_to_and_references(database: Database) -> None:
    with database.session() as session:
        anna = customer(session, "anna@example.se", language="sv")
        first = voice(session, anna, "Paketet har inte kommit. Var ar det??", T0, message_id="<1@kund.se>")
        read(session, first, language="sv", topics=[["delivery"]])
        # Days later, about the price, but in the same thread (References only): the thread wins over topic.
        second = voice(
            session,
            anna,
            "Och fakturan ar fel ocksa",
            T0 + timedelta(days=3),
            references=["<1@kund.se>"],
            message_id="<2@kund.se>",
        )
        read(session, second, language="sv", topics=[["price"]])
        third = voice(
            session,
            anna,
            "Hallå?? 😡",
            T0 + timedelta(days=20),
            in_reply_to="<2@kund.se>",
            references=["<1@kund.se>", "<2@kund.se>"],
        )
        # A new mail, not in the thread, on another topic: a case of its own.
        fourth = voice(session, anna, "Kan ni öppna på söndagar?", T0 + timedelta(days=4), message_id="<9@kund.se>")
        read(session, fourth, language="sv", act="wish", topics=[["availability"]])
        session.commit()
        placed = place(session)
        assert placed[first.id] == placed[second.id] == placed[third.id] != placed[fourth.id]
        case = session.get_one(Case, placed[first.id])
        assert (case.topic, case.language, case.channel) == ("delivery", "sv", "email")
        assert case.opened_at == T0 and case.last_customer_at == T0 + timedelta(days=20)
        assert case.first_response_due == T0 + timedelta(hours=24)
        assert [kind for kind, _ in events(session, case.id)] == ["opened", "voice", "voice"]
        assert events(session, case.id)[1][1]["joined_by"] == "thread"


def test_a_reply_imported_before_the_mail_it_answers(database: Database) -> None:
    with database.session() as session:
        ole = customer(session, "ole@example.no")
        reply = voice(session, ole, "Eg ventar framleis på svar.", T0, in_reply_to="<orig@ole.no>")
        session.commit()
        place(session)
        original = voice(session, ole, "Hei, eg fekk feil vare.", T0 - timedelta(days=20), message_id="<orig@ole.no>")
        session.commit()
        placed = place(session)
        assert placed[original.id] == placed[reply.id]
        assert session.get_one(Case, placed[reply.id]).opened_at == T0 - timedelta(days=20)


def test_answer_to_our_outbound_message_threads_back_and_reopens(database: Database) -> None:
    with database.session() as session:
        kari = customer(session, "kari@example.no", name="Kari", language="nb")
        asked = voice(session, kari, "Hvor er pakken min? Bestilte for to uker siden", T0, channel="email")
        read(session, asked, language="nb", topics=[["delivery"]])
        session.commit()
        case = session.get_one(Case, place(session)[asked.id])
        outbound = enqueue(
            session,
            key=f"reply:{case.id}:1",
            kind="reply",
            customer_id=kari.id,
            channel="email",
            recipient="kari@example.no",
            language="nb",
            subject="Re: pakken",
            body="Hei Kari, …",
            case_id=case.id,
        )
        record_reply(session, case, at=T0 + timedelta(hours=3), actor="agent.lena", waiting_for_customer=True)
        session.commit()
        assert (case.status, case.first_response_at, case.unanswered_since) == (
            "waiting",
            T0 + timedelta(hours=3),
            None,
        )
        # Kari answers our mail weeks later, outside the window and on no topic: the thread still holds.
        answer = voice(
            session,
            kari,
            "Takk, men den har fortsatt ikke kommet",
            T0 + timedelta(days=30),
            in_reply_to=outbound.message_id,
            references=[outbound.message_id],
        )
        session.commit()
        placed = place(session, now=T0 + timedelta(days=31))
        assert placed[answer.id] == case.id
        session.refresh(case)
        assert (case.status, case.unanswered_since, case.reopened_count) == ("open", T0 + timedelta(days=30), 0)
        assert events(session, case.id)[-1] == (
            "voice",
            {"voice_id": answer.id, "joined_by": "thread", "channel": "email", "status_from": "waiting"},
        )
        assert set_status(session, case, "resolved", actor="agent.lena", at=T0 + timedelta(days=31))
        session.commit()
        again = voice(session, kari, "Nå kom den i stykker!!", T0 + timedelta(days=40), in_reply_to=outbound.message_id)
        session.commit()
        placed = place(session, now=T0 + timedelta(days=41))
        session.refresh(case)
        assert placed[again.id] == case.id
        assert (case.status, case.reopened_count, case.resolved_at) == ("open", 1, None)
        assert case.first_response_at == T0 + timedelta(hours=3)  # the first response stays the first
        assert [kind for kind, _ in events(session, case.id)][-3:] == ["voice", "resolved", "reopened"]


def test_other_channels_join_by_customer_topic_and_window(database: Database) -> None:
    with database.session() as session:
        mette = customer(session, "mette@example.dk", language="da")
        sigrid = customer(session, "sigrid@example.no", language="nn")
        texts = [
            # (who, text, hours after T0, channel, language, topics or None for "not read yet")
            (mette, "Pakken er ikke kommet endnu", 0, "chat", "da", [["delivery"]]),
            (mette, "Hvor bliver pakken af?? 😤", 10, "chat", "da", [["delivery"], []]),
            (mette, "Og prisen paa fragt er for hoj", 11, "chat", "da", [["price"]]),
            (mette, "Er der nogen?", 12, "chat", "da", None),  # not read: the latest open case (price)
            (mette, "Pakken kom aldrig", 10 + 169, "review", "da", [["delivery"]]),  # past the window: new
            (sigrid, "Pakka kom ikkje fram", 1, "chat", "nn", [["delivery"]]),  # another customer: her own
        ]
        spoken = []
        for who, text, hours, channel, language, topics in texts:
            found = voice(session, who, text, T0 + timedelta(hours=hours), channel=channel)
            if topics is not None:
                read(session, found, language=language, topics=topics)
            spoken.append(found)
        session.commit()
        placed = place(session)
        cases = [placed[found.id] for found in spoken]
        assert cases[0] == cases[1]
        assert cases[2] == cases[3] != cases[0]
        assert len({cases[0], cases[2], cases[4], cases[5]}) == 4
        chat = session.get_one(Case, cases[0])
        assert (chat.topic, chat.channel, chat.first_response_due) == ("delivery", "chat", T0 + timedelta(hours=2))
        review = session.get_one(Case, cases[4])
        assert (review.channel, review.first_response_due) == ("review", T0 + timedelta(hours=10 + 169 + 72))
        assert events(session, cases[2])[1][1]["joined_by"] == "latest"


def test_resolved_cases_are_not_joined_by_topic(database: Database) -> None:
    with database.session() as session:
        john = customer(session, "john@example.com", language="en")
        first = voice(session, john, "My parcel is late", T0, channel="chat")
        read(session, first, language="en", topics=[["delivery"]])
        session.commit()
        case_id = place(session)[first.id]
        set_status(session, session.get_one(Case, case_id), "resolved", at=T0 + timedelta(hours=1))
        later = voice(session, john, "parcel still late tbh", T0 + timedelta(hours=5), channel="chat")
        read(session, later, language="en", topics=[["delivery"]])
        session.commit()
        assert place(session)[later.id] != case_id


def test_a_case_opened_unread_takes_its_topic_from_a_later_reading(database: Database) -> None:
    with database.session() as session:
        lisa = customer(session, "lisa@example.se")
        spoken = voice(session, lisa, "Hej! Min faktura stämmer inte, ni har dragit dubbelt", T0, channel="chat")
        session.commit()
        case = session.get_one(Case, place(session, now=T0)[spoken.id])
        assert (case.topic, case.language, case.priority) == (None, None, 0)
        read(session, spoken, language="sv", topics=[["price"], ["price"]], sentiment=-0.8)
        session.commit()
        update = update_cases(session, T0 + timedelta(hours=1), policy=POLICY, window=WEEK)
        assert (update.voices, update.read_later) == (0, 1)
        session.refresh(case)
        assert (case.topic, case.language) == ("price", "sv")
        assert case.priority_reasons == [
            {"code": "waiting_hours", "params": {"hours": 1}},
            {"code": "complaint", "params": {}},
            {"code": "very_negative", "params": {}},
        ]
        assert [reason.english for reason in stored_reasons(case.priority_reasons)] == [
            "waiting 1 h",
            "complaint",
            "very negative",
        ]
        assert events(session, case.id)[-1] == ("read", {"topic": "price", "voice_id": spoken.id, "language": "sv"})
        assert update_cases(session, T0 + timedelta(hours=1), policy=POLICY, window=WEEK).read_later == 0


def test_update_cases_is_idempotent(database: Database) -> None:
    with database.session() as session:
        people = [customer(session, f"k{number}@example.com") for number in range(5)]
        for number in range(40):
            found = voice(
                session,
                people[number % 5],
                f"Röst {number}",
                T0 + timedelta(hours=number * 7),
                channel=("email", "chat", "review", "survey")[number % 4],
                message_id=f"<{number}@x>",
                in_reply_to=f"<{number - 5}@x>" if number % 3 == 0 else None,
            )
            read(session, found, language="sv", topics=[[("delivery", "price", "staff")[number % 3]]])
        session.commit()
        first = update_cases(session, T0 + timedelta(days=20), policy=POLICY, window=WEEK, batch_size=7)
        assert first.voices == 40 and first.opened >= 5
        counts = [session.scalar(select(func.count()).select_from(table)) for table in (Case, CaseVoice, CaseEvent)]
        second = update_cases(session, T0 + timedelta(days=20), policy=POLICY, window=WEEK, batch_size=7)
        assert (second.voices, second.opened, second.read_later) == (0, 0, 0)
        assert [session.scalar(select(func.count()).select_from(t)) for t in (Case, CaseVoice, CaseEvent)] == counts
        assert counts[1] == 40


def test_batches_do_not_change_the_grouping(database: Database) -> None:
    with database.session() as session:
        people = [customer(session, f"b{number}@example.com") for number in range(3)]
        for number in range(30):
            found = voice(
                session,
                people[number % 3],
                f"Voice {number}",
                T0 + timedelta(hours=number * 5),
                channel="chat",
                message_id=f"<b{number}@x>",
                in_reply_to=f"<b{number - 6}@x>" if number % 4 == 0 else None,
            )
            read(session, found, language="en", topics=[[("delivery", "price")[number % 2]]])
        session.commit()
        update_cases(session, T0 + timedelta(days=20), policy=POLICY, window=timedelta(hours=24), batch_size=4)
        small = sorted(
            tuple(sorted(session.scalars(select(CaseVoice.voice_id).where(CaseVoice.case_id == case_id))))
            for case_id in session.scalars(select(Case.id))
        )
        session.execute(CaseVoice.__table__.delete())
        session.execute(CaseEvent.__table__.delete())
        session.execute(Case.__table__.delete())
        session.commit()
        update_cases(session, T0 + timedelta(days=20), policy=POLICY, window=timedelta(hours=24), batch_size=1000)
        large = sorted(
            tuple(sorted(session.scalars(select(CaseVoice.voice_id).where(CaseVoice.case_id == case_id))))
            for case_id in session.scalars(select(Case.id))
        )
        assert small == large


def test_many_voices_take_a_few_queries_per_batch(database: Database) -> None:
    with database.session() as session:
        people = [customer(session, f"m{number}@example.com") for number in range(300)]
        session.flush()
        session.add_all(
            Voice(
                customer_id=people[number % 300].id,
                channel="email",
                received_at=T0 + timedelta(minutes=number),
                text=f"Meddelande {number}",
                content_hash=str(number),
                dedup_key=f"m{number}",
                message_id=f"<m{number}@x>",
                in_reply_to=f"<m{number - 300}@x>" if number >= 300 else None,
                meta={},
            )
            for number in range(3000)
        )
        session.commit()
        statements: list[str] = []

        def count(*args: object) -> None:
            statements.append(str(args[2]))

        event.listen(database.engine, "before_cursor_execute", count)
        try:
            update = update_cases(session, T0 + timedelta(days=5), policy=POLICY, window=WEEK, batch_size=1000)
        finally:
            event.remove(database.engine, "before_cursor_execute", count)
        assert (update.voices, update.opened, update.threaded) == (3000, 300, 2700)
        # Three batches of 1,000 voices: the work is set-based, not a statement per voice.
        assert len(statements) < 60, len(statements)


def test_assign_and_status_make_events(database: Database) -> None:
    with database.session() as session:
        erik = customer(session, "erik@example.se")
        spoken = voice(session, erik, "Jag vill reklamera tvättmaskinen", T0, channel="email")
        session.commit()
        case = session.get_one(Case, place(session)[spoken.id])
        assert assign(session, case, assignee="lena", actor="boss")
        assert not assign(session, case, assignee="lena")
        assert assign(session, case, team="claims")
        assert (case.assignee, case.team) == ("lena", "claims")
        with pytest.raises(CaseError, match="name an agent, a team or both"):
            assign(session, case)
        with pytest.raises(CaseError, match="unknown status 'closed'"):
            set_status(session, case, "closed")
        assert set_status(session, case, "answered", actor="lena", at=T0 + timedelta(hours=2))
        assert case.first_response_at == T0 + timedelta(hours=2)
        assert not set_status(session, case, "answered")
        assert set_status(session, case, "resolved", at=T0 + timedelta(hours=3))
        assert set_status(session, case, "open", at=T0 + timedelta(hours=4))
        session.commit()
        assert (case.status, case.reopened_count, case.unanswered_since) == ("open", 1, T0 + timedelta(hours=4))
        assert [(kind, detail.get("status_from")) for kind, detail in events(session, case.id)] == [
            ("opened", None),
            ("assigned", None),
            ("assigned", None),
            ("answered", "open"),
            ("resolved", "answered"),
            ("reopened", "resolved"),
        ]


def test_priority_in_words() -> None:
    angry_claim = VoiceReading(
        dominant_act="complaint",
        sentiment_score=-0.9,
        emotions=("anger", "sadness"),
        emotion_probabilities={"anger": 0.9, "sadness": 0.6},
        legal_claim=True,
        churn_risk=True,
    )
    priority = case_priority([angry_claim], waiting=timedelta(hours=30))
    assert [reason.code for reason in priority.reasons] == [
        "legal_claim",
        "churn_risk",
        "waiting_hours",
        "complaint",
        "emotion",
        "very_negative",
    ]
    assert priority.reasons[2].params == {"hours": 30}
    assert priority.reasons[4].params == {"emotion": "anger", "percent": 90}
    assert english(priority.reasons) == [
        "legal claim",
        "churn risk",
        "waiting 30 h",
        "complaint",
        "anger (90%)",
        "very negative",
    ]
    assert (priority.score, priority.reading) == (100, 100)  # 35 + 25 + 16 + 15 + 18 + 9, capped; without waiting 102
    calm = VoiceReading(dominant_act="wish", sentiment_score=0.3)
    assert case_priority([calm]) == case_priority([]) == Priority(score=0, reasons=[], reading=0)
    assert english(case_priority([calm], waiting=timedelta(hours=24)).reasons) == ["waiting 24 h"]
    assert english(case_priority([calm], waiting=timedelta(days=5), overdue=True).reasons) == ["waiting 5 d", "overdue"]
    worried = VoiceReading(dominant_act="question", sentiment_score=-0.4, emotions=("fear",))  # no probability kept
    both = case_priority([worried, calm])
    assert (both.score, english(both.reasons), both.reading) == (14, ["fear (50%)", "negative"], 14)
    # A reason stored as words before reasons had codes reads as those words.
    assert stored_reasons(["waiting 3 h", {"code": "overdue"}]) == [
        Reason("text", {"text": "waiting 3 h"}),
        Reason("overdue"),
    ]
    assert english(stored_reasons(["waiting 3 h"])) == ["waiting 3 h"]


def test_priority_grows_while_the_customer_waits(database: Database) -> None:
    with database.session() as session:
        nils = customer(session, "nils@example.se")
        spoken = voice(session, nils, "Jag säger upp mitt abonnemang. Jag vill ha pengarna tillbaka enligt lag.", T0)
        read(
            session,
            spoken,
            language="sv",
            topics=[["contract"], ["price"]],
            legal_claim=True,
            churn_risk=True,
            emotions={"anger": 0.7, "trust": 0.6},
        )
        calm = customer(session, "calm@example.se")
        read(session, voice(session, calm, "Tack för hjälpen!", T0, channel="chat"), language="sv", act="praise")
        session.commit()
        place(session, now=T0)
        early = list_cases(session, now=T0 + timedelta(minutes=30))
        assert [summary.customer for summary in early] == ["nils@example.se", "calm@example.se"]
        assert english(early[0].reasons) == [
            "legal claim",
            "churn risk",
            "complaint",
            "anger (70%)",
        ]  # 30 min: 0 points
        late = list_cases(session, now=T0 + timedelta(hours=30))
        assert english(late[0].reasons) == [
            "legal claim",
            "churn risk",
            "waiting 30 h",
            "complaint",
            "anger (70%)",
            "overdue",
        ]
        assert late[0].priority > early[0].priority and late[0].overdue and late[0].waiting_hours == 30.0
        assert english(late[1].reasons) == ["waiting 30 h", "overdue"]  # the chat's 2 h passed too


def test_case_detail_has_every_voice_with_its_reading(database: Database) -> None:
    with database.session() as session:
        anna = customer(session, "anna@example.dk", name="Anna")
        first = voice(session, anna, "Varen er i stykker. Jeg vil reklamere.", T0, message_id="<a@dk>")
        read(session, first, language="da", topics=[["product"], []], legal_claim=True, evidence=1)
        voice(session, anna, "Nogen der?", T0 + timedelta(hours=1), in_reply_to="<a@dk>")
        session.commit()
        case_id = place(session)[first.id]
        detail = case_detail(session, case_id, now=T0 + timedelta(hours=2))
        assert [view.voice.text for view in detail.voices] == ["Varen er i stykker. Jeg vil reklamere.", "Nogen der?"]
        assert [sentence.topics for sentence in detail.voices[0].sentences] == [["product"], []]
        assert detail.voices[0].flags[0].name == "legal_claim"
        assert detail.voices[0].flags[0].evidence == detail.voices[0].sentences[1].text
        assert detail.voices[1].analysis is None
        assert detail.as_json()["customer"]["identities"] == [{"kind": "email", "value": "anna@example.dk"}]
        with pytest.raises(CaseError, match="there is no case 999"):
            case_detail(session, 999)


def test_real_reader_readings_group_voices(database: Database) -> None:
    """Voices read by the shipped fast reader: each case takes the main topic of its first voice."""
    from ombud.understand.backlog import analyse_stored_voices
    from ombud.understand.tiers import load_reader

    texts = {
        "sv": ["Paketet har inte kommit, det skulle vara här i måndags!", "Var är mitt paket? Spårningen visar inget"],
        "nb": ["Pakken min har ikke kommet enda", "Hvor blir pakken av? Sporingen sier ingenting"],
        "nn": ["Pakka mi har ikkje kome enno", "Kvar blir pakka av? Sporinga seier ingenting"],
        "da": ["Min pakke er ikke kommet endnu", "Hvor bliver pakken af? Sporingen viser intet"],
        "en": ["My parcel still hasnt arrived", "Where is my parcel?? tracking shows nothing 😡"],
    }
    with database.session() as session:
        for language, (first, second) in texts.items():
            who = customer(session, f"{language}@example.com", language=language)
            voice(session, who, first, T0, channel="chat")
            voice(session, who, second, T0 + timedelta(hours=2), channel="chat")
        session.commit()
    assert analyse_stored_voices(database, load_reader("fast")) == 10
    with database.session() as session:
        update = update_cases(session, T0 + timedelta(hours=3), policy=POLICY, window=WEEK)
        assert update.voices == 10
        for case in session.scalars(select(Case)):
            [first] = case_detail(session, case.id).voices[:1]
            assert first.analysis is not None
            assert case.topic == main_topic([s.topics for s in first.sentences], first.analysis.topics)
            assert case.language == first.analysis.language or case.language == case.customer.preferred_language
        # Both voices of a customer share one case when the reader heard the same topic (or none) in them.
        for language in texts:
            voices = session.scalars(
                select(Voice).join(Voice.customer).where(Voice.customer.has(preferred_language=language))
            ).all()
            cases = {session.scalar(select(CaseVoice.case_id).where(CaseVoice.voice_id == v.id)) for v in voices}
            topics = [
                main_topic([s.topics for s in view.sentences], view.analysis.topics)
                for case_id in cases
                for view in case_detail(session, case_id).voices
                if view.analysis is not None
            ]
            assert len(cases) == (1 if len(set(topics)) == 1 or None in topics else 2), (language, topics)


# --- the command line ------------------------------------------------------------------------------------------


def _store_for_cli(database_url: str) -> tuple[int, int]:
    from ombud.store import open_database

    database = open_database(database_url)
    now = datetime.now(UTC)
    with database.session() as session:
        kari = customer(session, "kari@example.no", name="Kari Nordmann", language="nb")
        claim = voice(
            session,
            kari,
            "Jeg vil reklamere på vaskemaskinen. Jeg bytter leverandør!",
            now - timedelta(hours=30),
            subject="Reklamasjon",
        )
        read(session, claim, language="nb", topics=[["product"], ["contract"]], legal_claim=True, churn_risk=True)
        bo = customer(session, "bo@example.dk", language="da")
        praise = voice(session, bo, "Tak for hurtig hjaelp!", now - timedelta(minutes=20), channel="chat")
        read(session, praise, language="da", act="praise", sentiment=0.8)
        session.commit()
        ids = (claim.id, praise.id)
    database.close()
    return ids


def test_cli_cases_lists_by_priority_and_filters(runner: CliRunner, database_url: str) -> None:
    _store_for_cli(database_url)
    result = runner.invoke(app, ["cases", "--json", "--db", database_url])
    assert result.exit_code == 0, result.output
    listed = json.loads(result.output)
    assert [row["customer"] for row in listed] == ["kari@example.no", "bo@example.dk"]
    assert listed[0]["reasons"][:3] == ["legal claim", "churn risk", "waiting 30 h"]
    assert listed[0]["overdue"] and listed[0]["status"] == "open" and not listed[1]["overdue"]
    overdue = json.loads(runner.invoke(app, ["cases", "--overdue", "--json", "--db", database_url]).output)
    assert [row["id"] for row in overdue] == [listed[0]["id"]]
    table = runner.invoke(app, ["cases", "--db", database_url])
    assert table.exit_code == 0, table.output
    assert "Cases are up to date." in table.output and "kari@example.no" in table.output
    assert "legal claim;" in table.output and "overdue" in table.output
    bad = runner.invoke(app, ["cases", "--status", "closed", "--db", database_url])
    assert bad.exit_code == 2 and "unknown status 'closed'" in bad.output


def test_cli_case_show_assign_and_status(runner: CliRunner, database_url: str) -> None:
    _store_for_cli(database_url)
    listed = json.loads(runner.invoke(app, ["cases", "--json", "--db", database_url]).output)
    case_id = str(listed[0]["id"])
    shown = runner.invoke(app, ["case", "show", case_id, "--db", database_url])
    assert shown.exit_code == 0, shown.output
    said = " ".join(shown.output.split())
    assert "Kari Nordmann" in said and "email kari@example.no" in said
    assert "Jeg vil reklamere på vaskemaskinen." in said and "legal_claim 0.90" in said and "opened" in said
    assigned = runner.invoke(app, ["case", "assign", case_id, "--to", "lena", "--team", "claims", "--db", database_url])
    assert assigned.exit_code == 0 and "is now with lena / claims" in assigned.output
    mine = json.loads(runner.invoke(app, ["cases", "--team", "claims", "--json", "--db", database_url]).output)
    assert [row["assignee"] for row in mine] == ["lena"]
    assert (
        json.loads(runner.invoke(app, ["cases", "--assignee", "nobody", "--json", "--db", database_url]).output) == []
    )
    done = runner.invoke(app, ["case", "status", case_id, "resolved", "--by", "lena", "--db", database_url])
    assert done.exit_code == 0 and f"Case {case_id} is now resolved." in done.output
    assert len(json.loads(runner.invoke(app, ["cases", "--json", "--db", database_url]).output)) == 1
    resolved = json.loads(runner.invoke(app, ["cases", "--status", "resolved", "--json", "--db", database_url]).output)
    assert [row["id"] for row in resolved] == [int(case_id)]
    detail = json.loads(runner.invoke(app, ["case", "show", case_id, "--json", "--db", database_url]).output)
    assert [event["kind"] for event in detail["events"]] == ["opened", "assigned", "resolved"]
    assert detail["events"][-1]["actor"] == "lena"
    wrong = runner.invoke(app, ["case", "status", case_id, "done", "--db", database_url])
    assert wrong.exit_code == 2 and "unknown status 'done'" in wrong.output
    missing = runner.invoke(app, ["case", "show", "4711", "--db", database_url])
    assert missing.exit_code == 2 and "there is no case 4711" in missing.output
    nothing = runner.invoke(app, ["case", "assign", case_id, "--db", database_url])
    assert nothing.exit_code == 2 and "name an agent, a team or both" in nothing.output


def test_another_customers_thread_is_not_joined(database: Database) -> None:
    with database.session() as session:
        anna = customer(session, "anna@example.se")
        boss = customer(session, "chef@example.se")
        first = voice(session, anna, "Min order saknas", T0, message_id="<o@anna.se>")
        forwarded = voice(session, boss, "Fwd: Min order saknas", T0 + timedelta(hours=1), in_reply_to="<o@anna.se>")
        session.commit()
        placed = place(session)
        assert placed[first.id] != placed[forwarded.id]
        assert session.get_one(Case, placed[forwarded.id]).customer_id == boss.id


def test_priority_in_sql_is_the_priority_in_words(database: Database) -> None:
    """Listing orders by the priority worked out in SQL; it must be the number case_priority gives."""
    from ombud.loop.priority import priority_now, refresh_priorities

    with database.session() as session:
        for number, (hours, claim) in enumerate([(0.2, False), (0.96, False), (1.92, True), (30, False), (50, True)]):
            who = customer(session, f"p{number}@example.com")
            spoken = voice(session, who, "Ni har inte svarat!", T0 - timedelta(hours=hours), channel="chat")
            read(session, spoken, language="sv", legal_claim=claim, sentiment=-0.5, emotions={"anger": 0.55})
        session.commit()
        place(session, now=T0)
        for later in (timedelta(0), timedelta(minutes=37), timedelta(hours=5), timedelta(days=3)):
            now = T0 + later
            refresh_priorities(session, session.scalars(select(Case.id)).all(), now=now)
            in_sql = dict(session.execute(select(Case.id, priority_now(session, now))).all())
            stored = dict(session.execute(select(Case.id, Case.priority)).all())
            assert {case_id: int(value) for case_id, value in in_sql.items()} == stored, later
            listed = list_cases(session, now=now)
            assert [summary.priority for summary in listed] == sorted(stored.values(), reverse=True)


def test_a_bad_sla_setting_is_a_clear_cli_error(
    runner: CliRunner, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ombud.settings import get_settings

    _store_for_cli(database_url)
    monkeypatch.setenv("OMBUD_SLA_FIRST_RESPONSE", "email=tomorrow")
    get_settings.cache_clear()
    try:
        result = runner.invoke(app, ["cases", "--db", database_url])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2
    assert "OMBUD_SLA_FIRST_RESPONSE='email=tomorrow': cannot read 'email=tomorrow'" in " ".join(result.output.split())
