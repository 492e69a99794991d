"""ombud's one masker (``ombud.access.masking``) and its one list of identity kinds: stored spans, personal data
found now and the customer's own name parts and identities as whole words in any case, each as ``[kind]``; and a
customer known only by a customer number shows it to agents and masks it for analysts on the case page, in the
inbox and on the wish board, and in exports — in sv, nb, nn, da and en."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

import reply_factories
from ombud.access.masking import Masker, Person, customer_people, mask_of, personal_spans, stored_spans
from ombud.access.users import add_user
from ombud.capture.identity import IDENTITY_KINDS, identities_of, identity_rank
from ombud.capture.records import SourceVoice
from ombud.insight.export import ExportRequest, export
from ombud.loop.wishes import update_themes
from ombud.store import Database
from ombud.store.models import Customer, CustomerIdentity, WishTheme
from web_helpers import LANGUAGES, add_users, log_in, web_client
from wish_factories import SUNDAY, Shop

NUMBER = "KN-40711"  # the customer's number in the company's own system: their only identity
NAME = "Åsa Lind-Øberg"
# Each customer writes their number, their name in lower case, and an e-mail ombud finds on its own.
WORDS = {
    "sv": f"Mitt kundnummer är {NUMBER}, mvh åsa lind-øberg. Skriv till asa@example.se.",
    "nb": f"Kundenummeret mitt er {NUMBER.lower()}, hilsen Åsa. Svar til asa@example.no.",
    "nn": f"Kundenummeret mitt er {NUMBER}, helsing ÅSA LIND-ØBERG. Svar til asa@example.no.",
    "da": f"Mit kundenummer er {NUMBER}, hilsen Øberg. Skriv til asa@example.dk.",
    "en": f"My customer number is {NUMBER}, regards Lind. Write to asa@example.co.uk.",
}


def test_one_list_of_identity_kinds_as_capture_stores_them() -> None:
    voice = SourceVoice(text="x", source_line=1, customer_external_id=f" {NUMBER} ", customer_phone="070-123 45 67")
    kinds = [kind for kind, _ in identities_of(voice)]
    assert kinds == ["phone", "external"] and set(kinds) <= set(IDENTITY_KINDS)
    assert IDENTITY_KINDS == ("email", "phone", "external")
    assert sorted(["external", "other", "email", "phone"], key=identity_rank) == ["email", "phone", "external", "other"]
    sources = Path(__file__).resolve().parents[1] / "src" / "ombud"
    copies = [path.name for path in sources.rglob("*.py") if "IDENTITY_ORDER" in path.read_text(encoding="utf-8")]
    assert copies == []  # one constant, capture.identity.IDENTITY_KINDS
    assert "external_id" not in (sources / "access" / "masking.py").read_text(encoding="utf-8")


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_masker_joins_stored_spans_fresh_detection_and_the_customers_own_words(language: str) -> None:
    text = WORDS[language]
    start = text.index("er " if language != "en" else "is ") + 3
    stored = {"personal_data": [{"kind": "customer_number", "start": start, "end": start + len(NUMBER)}]}
    masker = Masker.for_customer(NAME, [("external", NUMBER)])
    masked = masker.text(text, stored_spans(stored), language=language) or ""
    for secret in (NUMBER, NUMBER.lower(), "Åsa", "ÅSA", "åsa", "Lind", "LIND", "Øberg", "ØBERG", "@"):
        assert secret not in masked, (language, secret, masked)
    assert "[email]" in masked and "[name]" in masked
    assert "[customer_number]" in masked  # the stored span wins where it stands; the rest by kind
    # Without the stored span, the number is known as the customer's own identity.
    assert mask_of("external") in (masker.text(text, language=language) or "")
    # A sentence of the text is masked with the spans of the whole text that touch it.
    sentence = text[: text.index(",")]
    assert NUMBER not in (masker.text(sentence, stored_spans(stored), language=language) or "")
    assert masker.identity("external", NUMBER) == "[external]" and masker.name(NAME) == "[name]"


def test_a_name_part_is_masked_as_a_whole_word_only() -> None:
    person = Person("Bo Ek", [("email", "bo@example.se")])
    assert (
        Masker([person]).text("Bo sa att eken var bra; BO EK, bo@example.se")
        == "[name] sa att eken var bra; [name] [name], [email]"
    )
    assert [span.kind for span in personal_spans("Hej Bo!", "sv", person)] == ["name"]


def test_a_masker_of_many_customers_finds_what_each_of_theirs_finds() -> None:
    people = [
        Person("Bo Ek", [("email", "bo@example.se")]),
        Person("Anna-Lena Åberg", [("phone", "070-123 45 67")]),
        Person("Kari Nordmann", [("external", "K-1001")]),
        Person("Ek", [("external", "ek")]),  # an identity spelt as another customer's name part: the identity wins
    ]
    texts = [
        "Bo sa att eken var bra; BO EK, bo@example.se",
        "Anna-Lena ringde från 070-123 45 67 (Anna och Lena?) om K-1001.",
        "Hilsen Kari, kundenummer k-1001. Nordmannsgata 2",
        "İstanbul, Åberg: ek!",  # a letter whose lower case is longer
        "",
    ]
    for text in texts:
        each = {(span.start, span.end) for person in people for span in person.spans(text)}
        together = {(span.start, span.end) for span in Masker(people)._people_spans(text)}
        assert together == each, text
    assert Masker(people).text("Bo Ek och Anna-Lena, 070-123 45 67") == "[name] [external] och [name], [phone]"


def customer_known_by_number(session: Session) -> Customer:
    found = Customer(name=NAME, preferred_language="sv")
    session.add(found)
    session.flush()
    session.add(CustomerIdentity(customer_id=found.id, kind="external", value=NUMBER))
    session.flush()
    return found


def build(database: Database) -> dict[str, int]:
    """A customer known only by number with a case and a wish on the board."""
    with database.session() as session:
        who = customer_known_by_number(session)
        spoken = reply_factories.voice(session, who, [("complaint", WORDS["sv"])], language="sv", subject=NUMBER)
        case = reply_factories.case(session, who, [spoken], language="sv", subject=f"Ärende {NUMBER}")
        shop = Shop(session)
        shop.wish(f"{SUNDAY['sv']} /{NAME}, {NUMBER}", "sv", who)
        update_themes(session)
        theme = session.scalars(select(WishTheme)).one()
        session.commit()
        return {"case": case.id, "theme": theme.id, "customer": who.id}


def test_a_customer_known_by_number_in_the_pages(database: Database, tmp_path: Path) -> None:
    add_users(database, language="sv")
    ids = build(database)
    with web_client(database, tmp_path) as client:
        log_in(client, "agent")
        case_page = client.get(f"/cases/{ids['case']}").text
        assert f'<span class="identity">{NUMBER}</span>' in case_page and NAME in case_page
        inbox = client.get("/inbox").text
        assert NUMBER in inbox
        theme = client.get(f"/api/wish-themes/{ids['theme']}").json()
        assert {wish["customer"] for wish in theme["wish_list"]} == {NUMBER}
        client.cookies.clear()
        log_in(client, "analyst")
        pages = {
            "case": client.get(f"/cases/{ids['case']}").text,
            "inbox": client.get("/inbox").text,
            "theme": client.get(f"/wishes/{ids['theme']}").text,
        }
        for where, page in pages.items():
            shown = html.unescape(page)
            for secret in (NUMBER, "Åsa", "åsa", "Lind", "Øberg", "asa@example"):
                assert secret not in shown, (where, secret)
        assert '<span class="identity">[external]</span>' in pages["case"]
        assert "[external]" in html.unescape(pages["inbox"])
        theme = client.get(f"/api/wish-themes/{ids['theme']}").json()
        assert {wish["customer"] for wish in theme["wish_list"]} == {"[external]"}
        assert all(NUMBER not in wish["text"] and "[external]" in wish["text"] for wish in theme["wish_list"])
        [listed] = client.get("/api/cases").json()["cases"]
        assert (listed["customer"], listed["customer_kind"], listed["customer_name"]) == (
            "[external]",
            "external",
            "[name]",
        )
        assert NUMBER not in listed["subject"]


def rows(path: Path) -> dict[int, dict[str, Any]]:
    return {row["voice_id"]: row for row in pq.read_table(path).to_pylist()}


def test_a_customer_known_by_number_in_exports(database: Database, tmp_path: Path) -> None:
    build(database)
    with database.session() as session:
        add_user(session, "agent@example.org", role="agent", password="correct horse battery staple")
        session.commit()
        masked_path, open_path = tmp_path / "masked.parquet", tmp_path / "open.parquet"
        export(session, ExportRequest(level="voice", path=masked_path))
        export(session, ExportRequest(level="voice", path=open_path, with_personal_data=True, user="agent@example.org"))
        people = customer_people(session, [session.scalars(select(Customer.id)).first() or 0])
    masked_rows, open_rows = rows(masked_path), rows(open_path)
    assert len(masked_rows) == 2
    for row in masked_rows.values():
        assert (row["customer_identity_kind"], row["customer_identity"], row["customer_name"]) == (
            "external",
            "[external]",
            "[name]",
        )
        for secret in (NUMBER, "Åsa", "åsa", "Lind", "Øberg"):
            assert secret not in str(row), secret
    assert {row["customer_identity"] for row in open_rows.values()} == {NUMBER}
    assert any(NUMBER in (row["text"] or "") for row in open_rows.values())
    [person] = people.values()
    assert (person.name, list(person.identities)) == (NAME, [("external", NUMBER)])
    assert re.search(r"\[external\]|\[customer_number\]", str(masked_rows))
