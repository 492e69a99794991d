"""Feedback: when a theme is planned, done or declined, each of its customers hears it once, in their language."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from ombud.cli import app
from ombud.errors import FeedbackError
from ombud.loop.feedback import preview_feedback, queue_feedback
from ombud.loop.wishes import set_theme_status, update_themes
from ombud.store import Database
from ombud.store.models import OutboundMessage, Wish
from ombud.store.types import utc_now
from wish_factories import SUNDAY, Shop

NOTES = {
    "sv": "Från och med mars har alla våra butiker öppet på söndagar 11–16.",
    "nb": "Fra mars har alle butikkene våre åpent på søndager 11–16.",
    "nn": "Frå mars har alle butikkane våre ope på søndagar 11–16.",
    "da": "Fra marts har alle vores butikker åbent om søndagen 11–16.",
    "en": "From March all our shops are open on Sundays 11–16.",
}
# What each language's message says for each decision, and its thanks.
SAYS = {
    "sv": {
        "planned": "kommer vi att genomföra",
        "done": "Nu är det gjort",
        "declined": "inte genomföra",
        "thanks": "ack",
    },
    "nb": {
        "planned": "skal vi gjennomføre",
        "done": "Nå er det gjort",
        "declined": "ikke gjennomfører",
        "thanks": "akk",
    },
    "nn": {
        "planned": "skal vi gjennomføre",
        "done": "No er det gjort",
        "declined": "ikkje gjennomfører",
        "thanks": "akk",
    },
    "da": {"planned": "vil vi gennemføre", "done": "Nu er det gjort", "declined": "ikke at gennemføre", "thanks": "ak"},
    "en": {"planned": "we will do", "done": "It is done", "declined": "not to go ahead", "thanks": "hank"},
}


def sunday_theme(session, shop: Shop, languages=("sv", "nb", "nn", "da", "en")) -> int:
    for language in languages:
        who = shop.customer(name=f"Kim {language}", email=f"kim.{language}@example.com")
        shop.wish(SUNDAY[language], language, who)
    update_themes(session)
    themes = set(session.scalars(select(Wish.theme_id)))
    assert len(themes) == 1
    return themes.pop()


@pytest.mark.parametrize("status", ["planned", "done", "declined"])
def test_every_customer_hears_in_their_own_language_quoting_their_own_wish(database: Database, status: str) -> None:
    with database.session() as session:
        theme = sunday_theme(session, Shop(session))
        if status == "done":
            set_theme_status(session, theme, "planned", note="Planerat.")
        note = " / ".join(NOTES.values())
        change = set_theme_status(session, theme, status, note=note)
        batch = preview_feedback(session, change.id)
        assert session.scalar(select(func.count()).select_from(OutboundMessage)) == 0  # a preview queues nothing
        assert sorted(m.language for m in batch.messages) == ["da", "en", "nb", "nn", "sv"]
        for message in batch.messages:
            assert f"“{SUNDAY[message.language]}”" in message.body or SUNDAY[message.language] in message.body
            others = [text for language, text in SUNDAY.items() if language != message.language]
            assert not any(text in message.body for text in others)
            assert SAYS[message.language][status] in message.body
            assert SAYS[message.language]["thanks"] in message.body.lower()
            assert NOTES["sv"] in message.body
            assert message.body.startswith(("Hej Kim", "Hei Kim", "Hi Kim"))
            assert message.recipient == f"kim.{message.language}@example.com" and message.channel == "email"
        queued = queue_feedback(session, change.id)
        session.commit()
        assert len(queued) == 5 and {m.status for m in queued} == {"queued"}
        assert {m.idempotency_key for m in queued} == {f"feedback:{change.id}:{m.customer_id}" for m in queued}
        assert {m.kind for m in queued} == {"feedback"}


def test_feedback_is_queued_once_per_change(database: Database) -> None:
    with database.session() as session:
        theme = sunday_theme(session, Shop(session), ("sv", "en"))
        planned = set_theme_status(session, theme, "planned", note=NOTES["sv"])
        assert len(queue_feedback(session, planned.id)) == 2
        session.commit()
        assert queue_feedback(session, planned.id) == []
        assert [reason for _, reason in preview_feedback(session, planned.id).skipped] == ["already queued"] * 2
        session.commit()
        assert session.scalar(select(func.count()).select_from(OutboundMessage)) == 2
        set_theme_status(session, theme, "in_progress")
        done = set_theme_status(session, theme, "done", note=NOTES["en"])
        assert len(queue_feedback(session, done.id)) == 2  # a new change is new news
        session.commit()
        assert session.scalar(select(func.count()).select_from(OutboundMessage)) == 4


def test_no_feedback_after_opting_out_or_erasure(database: Database) -> None:
    with database.session() as session:
        shop = Shop(session)
        theme = sunday_theme(session, shop, ("sv", "nb", "da"))
        opted, erased = (w.customer for w in session.scalars(select(Wish).order_by(Wish.id)).all()[:2])
        opted.contact_opt_out = True
        erased.erased_at = utc_now()
        session.flush()
        change = set_theme_status(session, theme, "declined", note="Det blir tyvärr inte av.")
        batch = preview_feedback(session, change.id)
        assert sorted(batch.skipped) == sorted([(opted.id, "opted out"), (erased.id, "erased")])
        queued = queue_feedback(session, change.id)
        assert [m.customer_id for m in queued] != [] and {m.customer_id for m in queued}.isdisjoint(
            {opted.id, erased.id}
        )


def test_a_channel_without_email_is_kept_for_posting_by_hand(database: Database) -> None:
    with database.session() as session:
        shop = Shop(session)
        reviewer = shop.customer(name="Ola", phone="+4791548203", language="nn")
        shop.wish(SUNDAY["nb"], "nb", reviewer, channel="review")
        mailer = shop.customer(name=None, phone="+46701740621")
        shop.wish(SUNDAY["sv"], "sv", mailer, channel="email")
        update_themes(session)
        theme = session.scalars(select(Wish.theme_id)).first()
        assert theme is not None
        change = set_theme_status(session, theme, "planned", note=NOTES["nn"])
        messages = {m.customer_id: m for m in queue_feedback(session, change.id)}
        assert messages[reviewer.id].status == "manual" and messages[reviewer.id].recipient is None
        assert messages[reviewer.id].language == "nn"  # the customer's preferred language over their wish's
        assert messages[reviewer.id].body.startswith("Hei Ola")
        assert messages[mailer.id].status == "manual"  # e-mail channel, but no address to write to
        assert messages[mailer.id].body.startswith("Hej,")


def test_feedback_only_for_decisions(database: Database) -> None:
    with database.session() as session:
        theme = sunday_theme(session, Shop(session), ("en",))
        change = set_theme_status(session, theme, "under_review")
        with pytest.raises(FeedbackError, match="hear back only when"):
            preview_feedback(session, change.id)
        with pytest.raises(FeedbackError, match="no wish theme change 999"):
            queue_feedback(session, 999)


def test_wish_status_command_previews_then_queues(runner: CliRunner, database: Database, database_url: str) -> None:
    with database.session() as session:
        theme = sunday_theme(session, Shop(session), ("da", "en"))
        session.commit()
    arguments = ["wish", "status", str(theme), "planned", "--note", NOTES["da"], "--db", database_url]
    preview = runner.invoke(app, [*arguments, "--preview"])
    assert preview.exit_code == 0, preview.output
    assert SUNDAY["da"] in preview.output and "Preview only" in preview.output
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(OutboundMessage)) == 0
    declined = runner.invoke(app, arguments, input="n\n")
    assert declined.exit_code == 0 and "Nothing changed" in declined.output
    done = runner.invoke(app, [*arguments, "--yes"])
    assert done.exit_code == 0 and "Feedback queued for 2 customers (2 by e-mail" in done.output
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(OutboundMessage)) == 2
