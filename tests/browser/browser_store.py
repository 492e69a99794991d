"""The store the browser tests click through, built as a company would build it: a JSONL export imported through
``ombud.capture`` and three users made with ``ombud.access``; then `ombud serve`'s upkeep reads the voices with
the fast tier, places them in cases and puts their wishes on the wish board (the loop's functions), once, in
the server's process, before the first test."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from ombud.access.users import add_user
from ombud.capture import ImportOptions, import_file
from ombud.loop.wishes import board
from ombud.store import open_database
from ombud.store.models import (
    CaseVoice,
    CustomerIdentity,
    OutboundMessage,
    SentenceAnalysisRow,
    Voice,
    WishTheme,
)

LANGUAGES = ("sv", "nb", "nn", "da", "en")
PASSWORD = "correct horse battery staple"
# admin switches the page language (the choice is kept on the user); agent works cases and the wish board in
# the browser's language; analyst reads.
USERS = {
    "admin": ("admin@example.com", "Admin Adamsson"),
    "agent": ("agent@example.com", "Agnes Agent"),
    "analyst": ("analyst@example.com", "Anders Analytiker"),
}
COMPANY = "Testbutiken"
PERSONNUMMER = "811218-9876"


@dataclass(frozen=True)
class Customer5:
    """One customer of each language: who they are and what they wrote (a complaint and the same wish)."""

    language: str
    name: str
    email: str
    text: str
    wish: str


CUSTOMERS = {
    customer.language: customer
    for customer in (
        Customer5(
            "sv",
            "Anna Svensson",
            "anna.svensson@example.se",
            f"Paketet kom två veckor för sent. Mitt personnummer är {PERSONNUMMER}. "
            "Jag önskar att ni hade öppet på söndagar.",
            "Jag önskar att ni hade öppet på söndagar.",
        ),
        Customer5(
            "nb",
            "Kari Nordmann",
            "kari.nordmann@example.no",
            "Pakken kom to uker for sent, og ingen svarte meg. Det hadde vært fint om dere hadde åpent på søndager.",
            "Det hadde vært fint om dere hadde åpent på søndager.",
        ),
        Customer5(
            "nn",
            "Olav Haugen",
            "olav.haugen@example.no",
            "Eg har venta i tre veker på pakken. Eg skulle ønskje de hadde ope på søndagar.",
            "Eg skulle ønskje de hadde ope på søndagar.",
        ),
        Customer5(
            "da",
            "Mette Jensen",
            "mette.jensen@example.dk",
            "Pakken kom for sent igen. I burde holde åbent om søndagen.",
            "I burde holde åbent om søndagen.",
        ),
        Customer5(
            "en",
            "John Smith",
            "john.smith@example.com",
            "My parcel arrived two weeks late. Please be open on Sundays.",
            "Please be open on Sundays.",
        ),
    )
}


# Two more customers, so that the dashboard's charts have more than one act to link to and the wish board more
# than one theme: (language, name, e-mail, text).
OTHERS = (
    ("sv", "Erik Lund", "erik.lund@example.se", "Tack för snabb och vänlig hjälp i butiken i går, ni är bäst!"),
    ("en", "Mary Brown", "mary.brown@example.com", "Could you add Apple Pay at the checkout?"),
)


@dataclass(frozen=True)
class Store:
    url: str
    cases: dict[str, int]  # the case of each language's customer
    theme: int  # the wish theme the five Sunday wishes gathered in


def write_export(path: Path) -> Path:
    now = datetime.now(UTC).replace(microsecond=0)
    # received lately, so the inbox shows cases both within and past their first-response time (24 h)
    written = [(customer.name, customer.email, customer.text) for customer in CUSTOMERS.values()]
    written += [(name, email, text) for _language, name, email, text in OTHERS]
    rows = [
        {
            "text": text,
            "customer": {"email": email, "name": name},
            "channel": "email",
            "subject": "Leverans",
            "received_at": (now - timedelta(hours=hours)).isoformat(timespec="seconds"),
            "company": COMPANY,
        }
        for hours, (name, email, text) in zip((30, 26, 20, 6, 2, 40, 12), written, strict=True)
    ]
    path.write_text("\n".join(json.dumps(row, ensure_ascii=False) for row in rows) + "\n", encoding="utf-8")
    return path


def fill_store(url: str, folder: Path) -> None:
    """Import the customers' voices through ``ombud.capture`` and add the users with ``ombud.access``."""
    database = open_database(url)
    try:
        report = import_file(database, write_export(folder / "voices.jsonl"), options=ImportOptions.from_settings())
        assert (report.voices_added, report.error_count) == (len(CUSTOMERS) + len(OTHERS), 0), report.errors
        with database.session() as session:
            for role, (email, name) in USERS.items():
                add_user(session, email, role=role, password=PASSWORD, name=name)
            session.commit()
    finally:
        database.close()


def read_store(url: str) -> Store | None:
    """The store once `ombud serve`'s upkeep has read every voice with the fast tier, placed it in a case and put
    its wishes on the board (None until then). Fails when the result is not the one the tests are built on."""
    database = open_database(url)
    try:
        with database.session() as session:
            cases = dict(
                session.execute(
                    select(CustomerIdentity.value, CaseVoice.case_id)
                    .join(Voice, Voice.id == CaseVoice.voice_id)
                    .join(CustomerIdentity, CustomerIdentity.customer_id == Voice.customer_id)
                    .where(CustomerIdentity.kind == "email")
                ).all()
            )
            themes = board(session)
    finally:
        database.close()
    if len(cases) < len(CUSTOMERS) + len(OTHERS) or not themes:
        return None
    assert len(set(cases.values())) == len(CUSTOMERS) + len(OTHERS), f"expected one case per customer: {cases}"
    assert themes[0].customers == len(CUSTOMERS), (
        "expected the five Sunday wishes (sv, nb, nn, da, en) to gather in one theme of five customers, got "
        + str([(entry.theme.title, entry.customers) for entry in themes])
    )
    by_language = {language: cases[customer.email] for language, customer in CUSTOMERS.items()}
    return Store(url=url, cases=by_language, theme=themes[0].theme.id)


def sentence_acts(url: str, case_id: int) -> list[tuple[str, str]]:
    """Each sentence of the case's voices (oldest voice first) with the act the reader stored for it."""
    database = open_database(url)
    try:
        with database.session() as session:
            rows = session.execute(
                select(Voice.text, SentenceAnalysisRow.start, SentenceAnalysisRow.end, SentenceAnalysisRow.act)
                .join(CaseVoice, CaseVoice.voice_id == Voice.id)
                .join(SentenceAnalysisRow, SentenceAnalysisRow.voice_id == Voice.id)
                .where(CaseVoice.case_id == case_id)
                .order_by(Voice.received_at, Voice.id, SentenceAnalysisRow.position)
            ).all()
        return [(text[start:end], act) for text, start, end, act in rows]
    finally:
        database.close()


def theme_state(url: str, theme_id: int) -> tuple[str, int]:
    """The theme's status and how many feedback messages the outbox holds."""
    database = open_database(url)
    try:
        with database.session() as session:
            status = session.get_one(WishTheme, theme_id).status
            queued = session.scalar(
                select(func.count()).select_from(OutboundMessage).where(OutboundMessage.kind == "feedback")
            )
        return status, int(queued or 0)
    finally:
        database.close()


def placed_in_cases(url: str, emails: list[str]) -> int:
    """How many of these customers' voices were read and placed in a case."""
    database = open_database(url)
    try:
        with database.session() as session:
            placed = session.scalar(
                select(func.count(func.distinct(CustomerIdentity.value)))
                .select_from(CaseVoice)
                .join(Voice, Voice.id == CaseVoice.voice_id)
                .join(SentenceAnalysisRow, SentenceAnalysisRow.voice_id == Voice.id)
                .join(CustomerIdentity, CustomerIdentity.customer_id == Voice.customer_id)
                .where(CustomerIdentity.value.in_(emails))
            )
        return int(placed or 0)
    finally:
        database.close()
