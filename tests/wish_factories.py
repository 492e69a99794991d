"""Customers and voices with wish sentences, read straight into the store, for the tests of wish themes and feedback."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ombud.store.models import Customer, CustomerIdentity, SentenceAnalysisRow, Voice, VoiceAnalysis, Wish

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)

# The same wishes in the five languages, written as customers write (typos, no å/ä/ö, emoji).
SUNDAY = {
    "sv": "Jag önskar att ni hade öppet på söndagar.",
    "nb": "Hadde vært fint om dere hadde åpent på søndager!",
    "nn": "Eg skulle ønskje de hadde ope på søndagar.",
    "da": "I burde holde aabent om soendagen 🙏",
    "en": "Please be open on Sundays.",
}
APP = {
    "sv": "Det hade varit toppen med en app där man kan se sina beställningar.",
    "nb": "Dere burde lage en app så man kan følge bestillingene sine.",
    "nn": "Ein app der eg kan sjå bestillingane mine hadde vore fint.",
    "da": "Lav nu en app hvor man kan se sine ordrer!",
    "en": "Would love an app where I can track my orders.",
}
GIFT_WRAP = {
    "sv": "Kunde ni inte erbjuda presentinslagning?",
    "nb": "Hadde vært kjekt om dere tilbød gaveinnpakning.",
    "nn": "Kunne de tilby gåveinnpakking?",
    "da": "I burde tilbyde gaveindpakning 🎁",
    "en": "Could you offer gift wrapping?",
}


class Shop:
    """Writes customers and their read voices; each voice arrives an hour after the one before."""

    def __init__(self, session: Session, company: str | None = "Testbutiken") -> None:
        self.session = session
        self.company = company
        self.at = START
        self.count = 0

    def customer(
        self,
        *,
        name: str | None = "Alex Berg",
        email: str | None = None,
        phone: str | None = None,
        language: str | None = None,
    ) -> Customer:
        self.count += 1
        found = Customer(name=name, preferred_language=language)
        self.session.add(found)
        self.session.flush()
        if email is not None or phone is None:
            address = email or f"customer{self.count}.{uuid.uuid4().hex[:6]}@example.com"
            self.session.add(CustomerIdentity(customer_id=found.id, kind="email", value=address))
        if phone is not None:
            self.session.add(CustomerIdentity(customer_id=found.id, kind="phone", value=phone))
        self.session.flush()
        return found

    def voice(
        self,
        who: Customer,
        sentences: Sequence[tuple[str, str]],
        *,
        language: str,
        channel: str = "email",
        company: str | None = "",
        emotions: Sequence[str] = (),
        message_id: str | None = None,
    ) -> Voice:
        """A voice of ``(text, act)`` sentences, read as such (sentence languages = ``language``)."""
        self.at += timedelta(hours=1)
        text = " ".join(sentence for sentence, _ in sentences)
        board = self.company if company == "" else company
        meta = {"company": board} if board is not None else {}
        spoken = Voice(
            customer_id=who.id,
            channel=channel,
            received_at=self.at,
            text=text,
            message_id=message_id,
            content_hash=uuid.uuid4().hex,
            dedup_key=uuid.uuid4().hex,
            meta=meta,
        )
        self.session.add(spoken)
        self.session.flush()
        acts = [act for _, act in sentences]
        analysis = VoiceAnalysis(
            voice_id=spoken.id,
            model="test 1.0",
            tier="fast",
            language=language,
            language_confidence=0.9,
            dominant_act="wish" if "wish" in acts else acts[0],
            acts=sorted(set(acts)),
            sentiment="neutral",
            sentiment_score=0.0,
            emotions=list(emotions),
            topics=[],
            expectation_gap=False,
            legal_claim=False,
            churn_risk=False,
            details={},
        )
        self.session.add(analysis)
        start = 0
        for position, (sentence, act) in enumerate(sentences):
            self.session.add(
                SentenceAnalysisRow(
                    voice_id=spoken.id,
                    position=position,
                    start=start,
                    end=start + len(sentence),
                    language=language,
                    act=act,
                    act_probability=0.9,
                    sentiment="neutral",
                    sentiment_score=0.0,
                    topics=[],
                )
            )
            start += len(sentence) + 1
        self.session.flush()
        return spoken

    def wish(self, text: str, language: str, who: Customer | None = None, **options: object) -> Voice:
        """A voice that is one wish, after a greeting."""
        greeting = {"sv": "Hej!", "nb": "Hei!", "nn": "Hei!", "da": "Hej!", "en": "Hi!"}[language]
        return self.voice(
            who or self.customer(),
            [(greeting, "other"), (text, "wish")],
            language=language,
            **options,  # type: ignore[arg-type]
        )


# A wish in five languages and its near-miss: longer phone hours for support is not the shop open on Sundays.
PHONE_EVENINGS = {
    "sv": "Det hade varit bra om kundtjänst svarade i telefon på kvällarna också, jag jobbar till fem.",
    "nb": "Kunne dere hatt telefonen til kundeservice åpen etter kl 17? Da er jeg endelig ferdig på jobb",
    "nn": "Eg skulle ønskje kundeservice tok telefonen om kvelden og, ikkje berre på dagtid.",
    "da": "Hold gerne kundeservice telefonen aaben om aftenen, jeg kan ikke ringe fra arbejdet",
    "en": "wish your support line stayed open in the evenings, can never call during work hours",
}


def theme_of(session: Session, text: str) -> int:
    """The theme of the one wish with this text."""
    return session.scalars(select(Wish.theme_id).where(Wish.text == text)).one()
