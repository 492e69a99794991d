"""A small store for the export tests: read voices in sv, nb, nn, da and en full of personal data, one voice not
read yet, a case, wish themes with vectors, and users of every role."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from ombud.labels import dominant_act
from ombud.store.models import (
    Case,
    CaseVoice,
    Customer,
    CustomerIdentity,
    SentenceAnalysisRow,
    User,
    Voice,
    VoiceAnalysis,
    Wish,
    WishTheme,
)

# Valid by their check digits, so the detection takes them for what they are.
PERSONNUMMER = "811218-9876"
FODSELSNUMMER = "15076500565"
FODSELSNUMMER_NN = "23058710024"
CPR = "070761-4285"
PERSONNUMMER_EN = "811228-9874"
# What must never be in a masked export: identity numbers, phones, e-mails, names, customer numbers.
SECRETS = (
    PERSONNUMMER,
    FODSELSNUMMER,
    FODSELSNUMMER_NN,
    CPR,
    PERSONNUMMER_EN,
    "070-123 45 67",
    "+47 912 34 567",
    "912 34 567",
    "+45 20 12 34 56",
    "+44 7700 900123",
    "annika@example.com",
    "annika.privat@example.com",
    "kari@example.no",
    "mette.privat@example.dk",
    "lasse@example.se",
    "produkt@fjord.example",
    "+46701234567",
    "TB-4471",
    "Annika",
    "Lövgren",
    "Nordmann",
    "Raman",
    "4471 2203",
)


@dataclass
class ExportStore:
    voices: dict[str, int] = field(default_factory=dict)  # by language (and "unread")
    customers: dict[str, int] = field(default_factory=dict)
    themes: dict[str, int] = field(default_factory=dict)
    case_id: int = 0


def _customer(session: Session, name: str | None, *identities: tuple[str, str]) -> Customer:
    found = Customer(name=name)
    session.add(found)
    session.flush()
    session.add_all(CustomerIdentity(customer_id=found.id, kind=kind, value=value) for kind, value in identities)
    session.flush()
    return found


def _voice(
    session: Session,
    who: Customer,
    sentences: Sequence[tuple[str, str, list[str]]],
    at: datetime,
    *,
    language: str | None,
    channel: str,
    company: str | None,
    subject: str | None = None,
    reading: dict[str, Any] | None = None,
    stored: Sequence[tuple[str, str]] = (),
) -> Voice:
    """A voice of (text, act, topics) sentences, read as such when ``language`` is given; ``stored`` are
    (kind, text) personal data spans kept with the reading."""
    text = " ".join(sentence for sentence, _, _ in sentences)
    meta: dict[str, Any] = {"industry": "retail"}
    if company is not None:
        meta["company"] = company
    spoken = Voice(
        customer_id=who.id,
        channel=channel,
        received_at=at,
        text=text,
        subject=subject,
        content_hash=uuid.uuid4().hex,
        dedup_key=uuid.uuid4().hex,
        meta=meta,
    )
    session.add(spoken)
    session.flush()
    if language is None:
        return spoken
    reading = reading or {}
    acts = [act for _, act, _ in sentences]
    spans = [{"kind": kind, "start": text.index(part), "end": text.index(part) + len(part)} for kind, part in stored]
    session.add(
        VoiceAnalysis(
            voice_id=spoken.id,
            model="test 1.0",
            tier="fast",
            language=language,
            language_confidence=0.9,
            dominant_act=dominant_act(acts),
            acts=list(dict.fromkeys(act for act in acts if act != "other")) or ["other"],
            sentiment=reading.get("sentiment", "neutral"),
            sentiment_score=reading.get("score", 0.0),
            emotions=reading.get("emotions", []),
            topics=list(dict.fromkeys(topic for _, _, topics in sentences for topic in topics)),
            expectation_gap=reading.get("expectation_gap", False),
            legal_claim=reading.get("legal_claim", False),
            churn_risk=reading.get("churn_risk", False),
            details={"personal_data": spans},
        )
    )
    start = 0
    for position, (sentence, act, topics) in enumerate(sentences):
        session.add(
            SentenceAnalysisRow(
                voice_id=spoken.id,
                position=position,
                start=start,
                end=start + len(sentence),
                language=language,
                act=act,
                act_probability=0.75,
                sentiment="negative" if act == "complaint" else "neutral",
                sentiment_score=-0.5 if act == "complaint" else 0.0,
                topics=topics,
            )
        )
        start += len(sentence) + 1
    session.flush()
    return spoken


def _vector(*values: float) -> bytes:
    return np.array(values, dtype=np.float32).tobytes()


def build_store(session: Session) -> ExportStore:
    store = ExportStore()
    annika = _customer(session, "Annika Lövgren", ("email", "annika@example.com"), ("phone", "+46701234567"))
    kari = _customer(session, "Kari Nordmann", ("email", "kari@example.no"))
    ola = _customer(session, "Ola Vik", ("phone", "+4791234567"))
    mette = _customer(session, "Mette Hansen", ("email", "mette@example.dk"))
    priya = _customer(session, "Priya Raman", ("external", "TB-4471"))
    lasse = _customer(session, None, ("email", "lasse@example.se"))
    store.customers = {"sv": annika.id, "nb": kari.id, "nn": ola.id, "da": mette.id, "en": priya.id, "unread": lasse.id}

    # 23:30 UTC on 31 January is half past midnight on 1 February in Stockholm.
    swedish = _voice(
        session,
        annika,
        [
            ("Hej!", "other", []),
            ("Paketet kom tre veckor för sent.", "complaint", ["delivery"]),
            (f"Mitt personnummer är {PERSONNUMMER}, ring 070-123 45 67.", "other", []),
            ("Koden 4471 2203 funkar inte.", "complaint", ["digital"]),
            ("Mvh Annika Lövgren", "other", []),
        ],
        datetime(2026, 1, 31, 23, 30, tzinfo=UTC),
        language="sv",
        channel="email",
        company="Testbutiken",
        subject="Försenat paket – svara till annika.privat@example.com",
        reading={"sentiment": "negative", "score": -0.8, "emotions": ["anger"], "expectation_gap": True},
        stored=[("phone", "4471 2203")],  # an older reading took it for a phone; the detection now does not
    )
    norwegian = _voice(
        session,
        kari,
        [
            ("Hei!", "other", []),
            (f"Fødselsnummer {FODSELSNUMMER}.", "other", []),
            ("Dere burde ha Vipps i appen.", "wish", ["digital"]),
            ("Ring meg på +47 912 34 567.", "other", []),
        ],
        datetime(2026, 2, 10, 9, 0, tzinfo=UTC),
        language="nb",
        channel="chat",
        company="Fjordbutikken",
        reading={"sentiment": "neutral", "score": 0.1},
    )
    nynorsk = _voice(
        session,
        ola,
        [
            ("Eg vil gjerne betale med Vipps.", "wish", ["digital"]),
            (f"Fødselsnummeret mitt er {FODSELSNUMMER_NN}, tlf 912 34 567.", "other", []),
        ],
        datetime(2026, 3, 5, 12, 0, tzinfo=UTC),
        language="nn",
        channel="review",
        company="Fjordbutikken",
        reading={"sentiment": "positive", "score": 0.4, "emotions": ["anticipation"]},
    )
    danish = _voice(
        session,
        mette,
        [
            (f"Mit CPR er {CPR}.", "other", []),
            ("Pakken kom aldrig, og nu opsiger jeg abonnementet.", "complaint", ["delivery", "contract"]),
            ("Skriv til mette.privat@example.dk eller +45 20 12 34 56.", "other", []),
        ],
        datetime(2026, 3, 20, 15, 0, tzinfo=UTC),
        language="da",
        channel="email",
        company="Hjemmebutikken",
        reading={"sentiment": "negative", "score": -0.9, "emotions": ["anger", "sadness"], "churn_risk": True},
    )
    english = _voice(
        session,
        priya,
        [
            ("Great service, thanks!", "praise", ["staff"]),
            (f"My number is {PERSONNUMMER_EN}, call +44 7700 900123.", "other", []),
            ("Customer no TB-4471.", "other", []),
        ],
        datetime(2026, 4, 2, 8, 15, tzinfo=UTC),
        language="en",
        channel="survey",
        company="Testbutiken",
        reading={"sentiment": "positive", "score": 0.9, "emotions": ["joy"]},
    )
    unread = _voice(
        session,
        lasse,
        [("Hej, min mejl är lasse@example.se.", "other", [])],
        datetime(2026, 4, 10, 10, 0, tzinfo=UTC),
        language=None,
        channel="email",
        company=None,
    )
    store.voices = {
        "sv": swedish.id,
        "nb": norwegian.id,
        "nn": nynorsk.id,
        "da": danish.id,
        "en": english.id,
        "unread": unread.id,
    }

    case = Case(
        customer_id=annika.id,
        channel="email",
        status="answered",
        opened_at=swedish.received_at,
        last_customer_at=swedish.received_at,
    )
    session.add(case)
    session.flush()
    session.add(CaseVoice(voice_id=swedish.id, case_id=case.id))
    store.case_id = case.id

    vipps = WishTheme(
        company="Fjordbutikken",
        title="Vipps i appen",
        language="nb",
        status="planned",
        status_note="Kommer i mars; spørsmål til produkt@fjord.example",
    )
    merged = WishTheme(company="Fjordbutikken", title="Betale med Vipps", language="nb", status="new")
    session.add_all([vipps, merged])
    session.flush()
    merged.merged_into_id = vipps.id
    sundays = WishTheme(company="Testbutiken", title="Søndagsåpent", language="sv", status="new")
    session.add(sundays)
    session.flush()
    wishes = [
        # (theme, voice, position, customer, text, language, vector); the nn wish is the most central of Vipps.
        (vipps, norwegian, 2, kari, "Dere burde ha Vipps i appen.", "nb", _vector(1, 0, 0, 0)),
        (vipps, nynorsk, 0, ola, "Eg vil gjerne betale med Vipps, tlf 912 34 567.", "nn", _vector(0.8, 0.3, 0, 0)),
        (vipps, nynorsk, 1, ola, "Vipps, takk.", "nn", _vector(0, 1, 0, 0)),
        (merged, norwegian, 3, kari, "Vipps!", "nb", _vector(1, 0, 0, 0)),
        (sundays, swedish, 1, annika, "Öppna på söndagar, Annika Lövgren", "sv", _vector(0, 0, 1, 0)),
    ]
    for theme, voice, position, who, text, language, vector in wishes:
        session.add(
            Wish(
                theme_id=theme.id,
                voice_id=voice.id,
                position=position,
                customer_id=who.id,
                text=text,
                language=language,
                vector=vector,
            )
        )
    store.themes = {"vipps": vipps.id, "merged": merged.id, "sundays": sundays.id}

    for email, role, disabled in (
        ("admin@example.org", "admin", False),
        ("agent@example.org", "agent", False),
        ("analyst@example.org", "analyst", False),
        ("gone@example.org", "agent", True),
    ):
        session.add(
            User(
                email=email,
                role=role,
                password_hash="not a login",
                disabled_at=datetime(2026, 1, 1, tzinfo=UTC) if disabled else None,
            )
        )
    session.commit()
    return store
