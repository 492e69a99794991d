"""Suggested replies in sv, nb, nn, da and en: greeting, the emotion, each act, the customer's rights for a
legal claim, a company's own templates, and a broken template explained."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from ombud.cli import app
from ombud.errors import MessageTemplateError, ReplyError
from ombud.loop.drafts import (
    EMOTIONS,
    DraftInput,
    acknowledged_emotion,
    compose,
    customer_country,
    first_name,
    reply_language,
    reply_subject,
)
from ombud.loop.replies import send_reply, suggest_reply
from ombud.settings import get_settings
from ombud.store import Database
from ombud.store.models import CaseEvent, Customer, OutboundMessage
from reply_factories import one_case


@pytest.fixture(autouse=True)
def fresh_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("OMBUD_MAIL_FROM", "Kundservice <kundservice@butik.example>")
    monkeypatch.delenv("OMBUD_TEMPLATES_DIR", raising=False)
    monkeypatch.delenv("OMBUD_PHONE_COUNTRY", raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


# Per language: the customer's name as typed, four sentences (complaint, praise, wish, question, written as
# customers write), the emotion read, and what the draft must say for each.
CUSTOMERS = {
    "sv": {
        "name": "Anna Svensson",
        "sentences": [
            ("complaint", "Paketet kom tre veckor för sent och ingen svarade på mina mejl!!"),
            ("praise", "Men chauffören var jättetrevlig 😊"),
            ("wish", "Jag önskar att ni hade oppet pa sondagar."),
            ("question", "När kommer återbetalningen?"),
        ],
        "emotion": "anger",
        "expect": [
            "Hej Anna,",
            "Jag förstår att det här har varit frustrerande för dig.",
            "jag ber om ursäkt",
            "Tack för dina vänliga ord",
            "”Jag önskar att ni hade oppet pa sondagar.”",
            "du får höra av oss",
            "”När kommer återbetalningen?”",
        ],
        "closing": "Vänliga hälsningar\nKundservice\n",
    },
    "nb": {
        "name": "kari nordmann",
        "sentences": [
            ("complaint", "Pakken kom aldri frem, helt utrolig."),
            ("praise", "Takk for rask hjelp sist gang!"),
            ("wish", "Det hadde vaert fint med en app."),
            ("question", "Hvordan endrer jeg adressen?"),
        ],
        "emotion": "fear",
        "expect": [
            "Hei Kari,",
            "Jeg forstår at dette har vært bekymringsfullt",
            "det beklager jeg",
            "Takk for de hyggelige ordene",
            "«Det hadde vaert fint med en app.»",
            "du hører fra oss",
            "«Hvordan endrer jeg adressen?»",
        ],
        "closing": "Vennlig hilsen\nKundservice\n",
    },
    "nn": {
        "name": "Ingrid Haugen",
        "sentences": [
            ("complaint", "Eg har venta i to veker på pakken."),
            ("praise", "Takk for god hjelp i butikken."),
            ("wish", "Det hadde vore fint om de opna tidlegare."),
            ("question", "Kva tid kjem pakken?"),
        ],
        "emotion": "sadness",
        "expect": [
            "Hei Ingrid,",
            "Det gjer meg lei meg å høyre",
            "det beklagar eg",
            "Takk for dei gode orda",
            "«Det hadde vore fint om de opna tidlegare.»",
            "du høyrer frå oss",
            "«Kva tid kjem pakken?»",
        ],
        "closing": "Venleg helsing\nKundservice\n",
    },
    "da": {
        "name": "METTE HANSEN",
        "sentences": [
            ("complaint", "Varen var i stykker da den kom."),
            ("praise", "Personalet var meget venlige."),
            ("wish", "I kunne godt sende en SMS naar pakken er paa vej."),
            ("question", "Kan I se om betalingen er gået igennem?"),
        ],
        "emotion": "disgust",
        "expect": [
            "Hej Mette,",
            "har føltes helt uacceptabelt",
            "det beklager jeg",
            "Tak for de pæne ord",
            "»I kunne godt sende en SMS naar pakken er paa vej.«",
            "du hører fra os",
            "»Kan I se om betalingen er gået igennem?«",
        ],
        "closing": "Venlig hilsen\nKundservice\n",
    },
    "en": {
        "name": "John Smith",
        "sentences": [
            ("complaint", "The parcel arrived broken."),
            ("praise", "Your staff were lovely though."),
            ("wish", "Why can't I pay with Swish?"),
            ("question", "When will I get a refund?"),
        ],
        "emotion": "surprise",
        "expect": [
            "Hi John,",
            "this came as a surprise to you",
            "I apologise",
            "Thank you for your kind words",
            "“Why can't I pay with Swish?”",
            "you will hear from us",
            "“When will I get a refund?”",
        ],
        "closing": "Kind regards\nKundservice\n",
    },
}
PLACEHOLDERS = {
    "sv": "[[Skriv svaret här.]]",
    "nb": "[[Skriv svaret her.]]",
    "nn": "[[Skriv svaret her.]]",
    "da": "[[Skriv svaret her.]]",
    "en": "[[Write the answer here.]]",
}
SUBJECTS = {"sv": "Min beställning", "nb": "Bestillingen min", "nn": "Tinginga mi", "da": "Min ordre", "en": "My order"}


@pytest.mark.parametrize("language", list(CUSTOMERS))
def test_a_draft_greets_acknowledges_and_takes_each_act_in_turn(database: Database, language: str) -> None:
    sample = CUSTOMERS[language]
    with database.session() as session:
        case = one_case(
            session,
            sample["sentences"],
            language=language,
            name=sample["name"],
            emotions={sample["emotion"]: 0.8, "joy": 0.4},
            subject=SUBJECTS[language],
        )
        draft = suggest_reply(session, case.id)
    assert draft.language == language
    assert draft.subject == f"Re: {SUBJECTS[language]}"
    assert draft.emotion == sample["emotion"]
    assert draft.acts == ["complaint", "praise", "wish", "question"]
    positions = []
    for expected in sample["expect"]:
        assert expected in draft.body, f"{language}: {expected!r} missing from\n{draft.body}"
        positions.append(draft.body.index(expected))
    assert positions == sorted(positions), "the acts are taken in the order the customer wrote them"
    assert PLACEHOLDERS[language] in draft.body and draft.needs_filling_in
    assert draft.body.endswith(sample["closing"])
    assert not draft.legal_claim and draft.routed_to is None
    assert "owns the complaint" in draft.reasons and f"acknowledges {sample['emotion']}" in draft.reasons


def test_without_a_first_name_the_greeting_is_neutral(database: Database) -> None:
    greetings = {"sv": "Hej,\n", "nb": "Hei,\n", "nn": "Hei,\n", "da": "Hej,\n", "en": "Hello,\n"}
    with database.session() as session:
        for language, greeting in greetings.items():
            case = one_case(session, [("praise", "Supert!")], language=language, name="info@firma.example", email=None)
            draft = suggest_reply(session, case.id)
            assert draft.body.startswith(greeting), draft.body
            assert "greets neutrally (no first name known)" in draft.reasons


def test_first_names_as_customers_type_them() -> None:
    assert first_name("anna-karin lindqvist") == "Anna-Karin"
    assert first_name("ØYVIND") == "Øyvind"
    assert first_name("Svensson, Åsa") == "Åsa"
    assert first_name("McDonald Smith") == "McDonald"
    assert first_name("  Kari   Nordmann ") == "Kari"
    for not_a_name in (None, "", "kund@example.com", "Kund 4711", "A"):
        assert first_name(not_a_name) is None


def test_one_phrasing_per_emotion_and_language() -> None:
    for language in CUSTOMERS:
        plain = compose(DraftInput(language=language, signature="X")).body
        phrasings = set()
        for emotion in EMOTIONS:
            body = compose(DraftInput(language=language, emotion=emotion, signature="X")).body
            assert body != plain, f"{language}/{emotion} says nothing about the emotion"
            phrasings.add(body)
        assert len(phrasings) == len(EMOTIONS), f"{language}: two emotions share a phrasing"


def test_the_acknowledged_emotion_is_the_strongest_negative_one() -> None:
    assert acknowledged_emotion(["joy", "anger", "fear"], {"joy": 0.9, "anger": 0.5, "fear": 0.7}) == "fear"
    assert acknowledged_emotion(["joy", "surprise"], {"joy": 0.9, "surprise": 0.4}) == "surprise"
    assert acknowledged_emotion(["trust", "joy"], {"trust": 0.6, "joy": 0.8}) == "joy"
    assert acknowledged_emotion([], {"anger": 0.2}) is None


LEGAL = {
    "sv": (
        "Jag vill reklamera tvättmaskinen, den gick sönder efter en månad.",
        [
            "konsumentköplagen (2022:260)",
            "inom tre år",
            "inom två år från leveransen",
            "14 dagars ångerrätt",
            "lagen om distansavtal och avtal utanför affärslokaler",
            "inom två månader",
        ],
    ),
    "nb": (
        "Jeg krever pengene tilbake, vaskemaskinen er ødelagt.",
        [
            "forbrukerkjøpsloven",
            "senest to år",
            "fem år",
            "vesentlig lenger",
            "14 dagers angrerett",
            "angrerettloven",
            "aldri kortere enn to måneder",
        ],
    ),
    "nn": (
        "Eg vil reklamere på vaskemaskina, ho er øydelagd.",
        ["forbrukerkjøpsloven", "seinast to år", "fem år", "vesentleg lenger", "14 dagars angrerett", "angrerettloven"],
    ),
    "da": (
        "Jeg vil reklamere over vaskemaskinen, den virker ikke.",
        ["købeloven", "op til to år", "14 dages fortrydelsesret", "forbrugeraftaleloven", "inden for to måneder"],
    ),
}


@pytest.mark.parametrize("language", list(LEGAL))
def test_a_legal_claim_states_the_rights_of_the_country_and_goes_to_claims(database: Database, language: str) -> None:
    text, rights = LEGAL[language]
    with database.session() as session:
        case = one_case(session, [("complaint", text)], language=language, emotions={"anger": 0.9}, legal_claim=True)
        draft = suggest_reply(session, case.id)
        session.commit()
        assert draft.legal_claim and draft.routed_to == "claims"
        for right in rights:
            assert right in draft.body, f"{language}: {right!r} missing from\n{draft.body}"
        assert case.team == "claims"
        events = session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id)).all()
        assert [event.detail.get("team") for event in events if event.kind == "assigned"] == ["claims"]
        # Drafting again does not route it twice.
        suggest_reply(session, case.id)
        session.commit()
        events = session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id)).all()
        assert sum(1 for event in events if event.kind == "assigned") == 1


@pytest.mark.parametrize(
    ("phone", "setting", "expected"),
    [
        ("+46701234567", None, "konsumentköplagen, 2022:260"),
        ("+4791234567", None, "forbrukerkjøpsloven"),
        ("+4520123456", None, "købeloven"),
        (None, "NO", "forbrukerkjøpsloven"),
        (None, "DK", "købeloven"),
        (None, None, "konsumentköplagen, 2022:260"),  # OMBUD_PHONE_COUNTRY defaults to SE
        ("+358401234567", None, "within the EU and EEA"),
    ],
)
def test_in_english_the_rights_follow_the_phone_number_or_the_setting(
    database: Database, monkeypatch: pytest.MonkeyPatch, phone: str | None, setting: str | None, expected: str
) -> None:
    if setting:
        monkeypatch.setenv("OMBUD_PHONE_COUNTRY", setting)
        get_settings.cache_clear()
    with database.session() as session:
        case = one_case(
            session,
            [("complaint", "I want to return the washing machine under consumer law, it broke after a week.")],
            language="en",
            name="Sam Taylor",
            phone=phone,
            legal_claim=True,
        )
        draft = suggest_reply(session, case.id)
    assert expected in draft.body, draft.body
    assert "passed on to the colleagues who handle claims" in draft.body
    others = {"konsumentköplagen, 2022:260", "forbrukerkjøpsloven", "købeloven", "within the EU and EEA"} - {expected}
    assert not any(other in draft.body for other in others)


def test_no_rights_paragraph_without_a_legal_claim(database: Database) -> None:
    with database.session() as session:
        case = one_case(session, [("complaint", "Paketet var trasigt.")], language="sv")
        draft = suggest_reply(session, case.id)
        assert "konsumentköplagen" not in draft.body and case.team is None


def test_the_preferred_language_wins_over_the_language_read(database: Database) -> None:
    with database.session() as session:
        case = one_case(session, [("praise", "Tack!")], language="sv", name="Mette", preferred_language="da")
        assert suggest_reply(session, case.id).body.startswith("Hej Mette,\n\nTak, fordi du skrev til os.")
        finnish = one_case(session, [("praise", "Kiitos!")], language="fi", name="Aino", email="aino@example.fi")
        assert suggest_reply(session, finnish.id).language == "en"
    assert reply_language("no", "sv") == "nb"
    assert reply_language("nn-NO", None) == "nn"
    assert reply_language(None, "da") == "da"
    assert reply_language("fi", "sv") == "en"


def test_subjects_and_countries() -> None:
    assert reply_subject("SV: Leverans", "sv") == "SV: Leverans"
    assert reply_subject("  Fel   på varan ", "sv") == "Re: Fel på varan"
    assert reply_subject(None, "nn") == "Svar på førespurnaden din"
    assert customer_country("sv", ["+4791234567"], "DK") == "SE"
    assert customer_country("en", ["+4791234567"], "DK") == "NO"
    assert customer_country("en", [], "dk") == "DK"


def test_a_voice_not_yet_read_still_gets_a_greeting_and_a_note(database: Database) -> None:
    from reply_factories import case as new_case
    from reply_factories import customer, voice

    with database.session() as session:
        who = customer(session, name="Per Olsson")
        spoken = voice(session, who, [("other", "Hallå?")], language="sv", read=False)
        found = new_case(session, who, [spoken], language="sv")
        draft = suggest_reply(session, found.id)
    assert draft.body.startswith("Hej Per,")
    assert any("not read yet" in reason for reason in draft.reasons)


def test_a_company_template_overrides_ombuds(database: Database, tmp_path: Path, monkeypatch) -> None:
    company = tmp_path / "templates"
    (company / "sv").mkdir(parents=True)
    (company / "sv" / "reply.txt.j2").write_text(
        "Tjena {{ first_name or 'du' }}!\n{% if 'wish' in acts %}Kul idé: {{ wishes[0] }}{% endif %}\n"
        "{% if legal_claim %}{% include 'sv/reply_legal.txt.j2' %}{% endif %}\n/{{ signature }}\n",
        encoding="utf-8",
    )
    (company / "nb").mkdir()
    (company / "nb" / "reply_legal.txt.j2").write_text("Våre jurister ser på saken etter forbrukerkjøpsloven.\n")
    monkeypatch.setenv("OMBUD_TEMPLATES_DIR", str(company))
    get_settings.cache_clear()
    with database.session() as session:
        swedish = one_case(
            session,
            [("wish", "Öppna på söndagar!"), ("complaint", "Jag vill reklamera.")],
            language="sv",
            legal_claim=True,
        )
        body = suggest_reply(session, swedish.id).body
        assert body.startswith("Tjena Anna!\nKul idé: Öppna på söndagar!")
        assert "konsumentköplagen (2022:260)" in body  # the partial the company kept comes from ombud
        assert body.endswith("/Kundservice\n")
        norwegian = one_case(
            session,
            [("complaint", "Jeg vil reklamere.")],
            language="nb",
            name="Kari",
            email="kari@example.no",
            legal_claim=True,
        )
        body = suggest_reply(session, norwegian.id).body
        assert body.startswith("Hei Kari,")  # ombud's reply around the company's own legal paragraph
        assert "Våre jurister ser på saken etter forbrukerkjøpsloven." in body
        assert "angrerettloven" not in body


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Hej {{ first_name }\n", r"sv/reply\.txt\.j2, line 1"),
        ("Hej {{ kundnamn }}\n", r"'kundnamn' is undefined"),
        ("{% include 'sv/saknas.txt.j2' %}\n", r"sv/saknas\.txt\.j2"),
    ],
)
def test_a_broken_company_template_is_explained(
    database: Database, tmp_path: Path, monkeypatch, text: str, message: str
) -> None:
    (tmp_path / "sv").mkdir()
    (tmp_path / "sv" / "reply.txt.j2").write_text(text, encoding="utf-8")
    monkeypatch.setenv("OMBUD_TEMPLATES_DIR", str(tmp_path))
    get_settings.cache_clear()
    with database.session() as session:
        case = one_case(session, [("praise", "Bra!")], language="sv")
        session.commit()
        with pytest.raises(MessageTemplateError, match=message):
            suggest_reply(session, case.id)
        case_id = case.id
    result = CliRunner().invoke(app, ["reply", str(case_id), "--db", database.url])
    assert result.exit_code == 2
    assert "Error: template" in result.stderr and "Traceback" not in result.output + result.stderr


def test_a_reply_with_a_part_left_to_fill_in_is_refused(database: Database) -> None:
    with database.session() as session:
        case = one_case(session, [("question", "Var är mitt paket?")], language="sv")
        draft = suggest_reply(session, case.id)
        with pytest.raises(ReplyError, match=r"\[\[Skriv svaret här\.\]\]"):
            send_reply(session, case.id, draft.body, author="eva")
        with pytest.raises(ReplyError, match="empty"):
            send_reply(session, case.id, "  \n ", author="eva")
        filled = draft.body.replace("[[Skriv svaret här.]]", "Paketet kommer på fredag.")
        message = send_reply(session, case.id, filled, author="eva")
        assert message.status == "queued" and "Paketet kommer på fredag." in message.body


def test_no_reply_to_a_customer_who_opted_out_or_was_erased(database: Database) -> None:
    from ombud.store.types import utc_now

    with database.session() as session:
        case = one_case(session, [("praise", "Tack!")], language="sv")
        customer = session.get_one(Customer, case.customer_id)
        customer.contact_opt_out = True
        with pytest.raises(ReplyError, match="opted out"):
            send_reply(session, case.id, "Tack själv!", author="eva")
        customer.contact_opt_out, customer.erased_at = False, utc_now()
        with pytest.raises(ReplyError, match="erased"):
            send_reply(session, case.id, "Tack själv!", author="eva")
        assert session.scalars(select(OutboundMessage)).all() == []


def test_reply_command_shows_the_draft_and_sends_only_what_the_agent_confirms(
    database: Database, runner: CliRunner, tmp_path: Path
) -> None:
    with database.session() as session:
        case_id = one_case(session, [("wish", "Kan ni inte ha öppet på söndagar?")], language="sv").id
        session.commit()
    shown = runner.invoke(app, ["reply", str(case_id), "--db", database.url])
    assert shown.exit_code == 0, shown.output
    assert "Hej Anna," in shown.output and "Nothing sent" in shown.output
    declined = runner.invoke(
        app, ["reply", str(case_id), "--body", "Hej Anna! Vi noterar det.", "--db", database.url], input="n\n"
    )
    assert declined.exit_code == 1 and "Nothing sent." in declined.output
    reply = tmp_path / "svar.txt"
    reply.write_text("Hej Anna!\n\nTack, vi har noterat ditt önskemål om söndagsöppet.\n\nEva", encoding="utf-8")
    sent = runner.invoke(
        app, ["reply", str(case_id), "--file", str(reply), "--yes", "--author", "eva", "--db", database.url]
    )
    assert sent.exit_code == 0, sent.output
    assert "Queued reply" in sent.output and "anna@example.se" in sent.output
    with database.session() as session:
        [message] = session.scalars(select(OutboundMessage)).all()
        assert message.body == reply.read_text(encoding="utf-8") + "\n" and message.author == "eva"
        assert message.subject == "Svar på ditt meddelande"
