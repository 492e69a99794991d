"""A case in the browser, in each of the five languages: from the inbox to the case, the reading marked on every
sentence, the suggested reply in the customer's language, sent, delivered by the server's worker exactly once.
An analyst sees the same cases with personal data masked and no way to answer."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from browser_mail import MailSink, body_of
from browser_pages import Camera, eventually, log_in, reload_until
from browser_server import Server
from browser_store import CUSTOMERS, LANGUAGES, PERSONNUMMER, Store, sentence_acts
from playwright.sync_api import Page, expect

from ombud.insight.charts import ACT_COLOURS
from ombud.locale import catalogue

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

# How the suggested reply closes in each language (loop/templates/<language>/reply.txt.j2).
CLOSING = {
    "sv": "Vänliga hälsningar",
    "nb": "Vennlig hilsen",
    "nn": "Venleg helsing",
    "da": "Venlig hilsen",
    "en": "Kind regards",
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_case_from_the_inbox_to_the_customers_mailbox(
    open_page: Callable[..., Page],
    camera: Camera,
    browser_store: Store,
    mail_sink: MailSink,
    server: Server,
    language: str,
) -> None:
    customer = CUSTOMERS[language]
    case_id = browser_store.cases[language]
    text = catalogue(language)
    page = open_page(language)  # the agent's pages follow the browser's language: the customer's here
    log_in(page, "agent")
    camera.shoot(page, "inbox")

    page.get_by_test_id("case-table").get_by_role("link", name=customer.name).click()
    expect(page, f"{customer.name}'s row in the inbox leads to case {case_id}").to_have_url(
        re.compile(rf"/cases/{case_id}$")
    )
    expect(page.get_by_test_id("customer"), "the case page names the customer").to_contain_text(customer.name)

    stored = sentence_acts(browser_store.url, case_id)
    sentences = page.get_by_test_id("sentence")
    expect(sentences, f"every sentence the reader stored is marked: {stored}").to_have_count(len(stored))
    colours: dict[str, set[str]] = {}
    for index, (sentence_text, act) in enumerate(stored):
        mark = sentences.nth(index)
        expect(mark, f"sentence {index} «{sentence_text}» is marked as {act}").to_have_attribute("data-act", act)
        expect(mark, f"sentence {index} shows its text").to_contain_text(sentence_text.strip())
        expect(mark.locator(".act-label"), f"the act of sentence {index} is named in {language}").to_have_text(
            text[f"act.{act}"]
        )
        colours.setdefault(act, set()).add(mark.evaluate("element => getComputedStyle(element).borderBottomColor"))
    assert all(len(shades) == 1 for shades in colours.values()), f"one colour per act, got {colours}"
    assert len({next(iter(shades)) for shades in colours.values()}) == len(colours), (
        f"each act its own colour, got {colours}"
    )
    charted = {act: "rgb({}, {}, {})".format(*bytes.fromhex(ACT_COLOURS[act][1:])) for act in colours}
    assert {act: next(iter(shades)) for act, shades in colours.items()} == charted, "the acts in the charts' colours"
    wish = sentences.filter(has_text=customer.wish)
    expect(wish, f"the wish «{customer.wish}» is marked as a wish").to_have_attribute("data-act", "wish")
    camera.shoot(page, "case")

    body = page.get_by_label(text["reply.body"])
    draft = body.input_value()
    first_name = customer.name.split()[0]
    assert draft.startswith(("Hej", "Hei", "Hi")) and first_name in draft.splitlines()[0], (
        f"the suggested reply greets {first_name} in {language}, got:\n{draft}"
    )
    assert CLOSING[language] in draft, f"the suggested reply closes in {language} («{CLOSING[language]}»):\n{draft}"
    others = [closing for other, closing in CLOSING.items() if other != language and closing in draft]
    assert not others, f"the {language} draft has another language's closing {others}:\n{draft}"
    assert "[[" not in draft, f"a complaint and a wish leave the agent nothing to fill in, got:\n{draft}"
    subject = page.get_by_label(text["reply.subject"]).input_value()
    assert subject, "the composer suggests a subject"

    page.get_by_role("button", name=text["reply.send"]).click()
    expect(page.get_by_test_id("notice"), "sending says the reply is on its way").to_have_text(text["case.done.sent"])
    message = page.get_by_test_id("message")
    expect(message, "the reply is listed on the case").to_have_count(1)
    expect(message.locator("pre"), "the reply listed is the text sent").to_have_text(draft.replace("\r\n", "\n"))
    camera.shoot(page, "reply-queued")

    reload_until(
        page, page.locator('[data-test="message"][data-status="sent"]'), "the delivery worker to send it", timeout=60
    )
    expect(message.locator("header"), f"the message's status is shown in {language}").to_contain_text(
        text["message.status.sent"]
    )
    expect(page.get_by_test_id("notice"), "reloaded, the notice says the reply went, not that it waits").to_have_text(
        text["case.done.delivered"]
    )
    expect(body, "the composer holds no second draft of what was answered").to_have_value("")
    camera.shoot(page, "reply-sent")
    eventually(lambda: bool(mail_sink.to(customer.email, subject=subject)), f"the reply in {customer.email}'s inbox")
    delivered = mail_sink.to(customer.email, subject=subject)
    assert len(delivered) == 1, f"the reply must arrive exactly once; the sink holds {mail_sink.summary()}"
    assert body_of(delivered[0]) == draft.replace("\r\n", "\n").strip(), "the customer gets the text the agent sent"


def test_an_analyst_reads_cases_masked_and_cannot_answer(
    open_page: Callable[..., Page], camera: Camera, browser_store: Store
) -> None:
    page = open_page("sv")
    log_in(page, "analyst")
    text = catalogue("sv")
    table = page.get_by_test_id("case-table")
    for language, case_id in browser_store.cases.items():
        expect(table.locator(f'[data-case-id="{case_id}"]'), f"the analyst sees the {language} case").to_have_count(1)
    for customer in CUSTOMERS.values():
        expect(table, f"{customer.name}'s name is masked in the inbox").not_to_contain_text(customer.name)
        expect(table, f"{customer.email} is masked in the inbox").not_to_contain_text(customer.email)
    camera.shoot(page, "inbox")

    for language, customer in CUSTOMERS.items():
        page.goto(f"/cases/{browser_store.cases[language]}")
        main = page.locator("main")
        expect(page.get_by_test_id("customer"), f"the {language} customer's name is masked").to_contain_text("[name]")
        expect(main, f"{customer.name} appears nowhere on the case").not_to_contain_text(customer.name)
        expect(main, f"{customer.email} appears nowhere on the case").not_to_contain_text(customer.email)
        expect(page.get_by_test_id("sentence").first, "the reading is shown to the analyst").to_be_visible()
        expect(page.get_by_test_id("reply-form"), "an analyst has no reply form").to_have_count(0)
        expect(page.get_by_test_id("status-form"), "an analyst cannot change the status").to_have_count(0)
        expect(page.get_by_test_id("assign-form"), "an analyst cannot assign").to_have_count(0)
        expect(page.get_by_role("button", name=text["reply.send"]), "no send button").to_have_count(0)
        if language == "sv":
            expect(main, "the personnummer is masked").not_to_contain_text(PERSONNUMMER)
            expect(main, "in its place the kind of data stands").to_contain_text("[personnummer]")
        camera.shoot(page, f"case-{language}")
    refused = page.goto("/import")
    assert refused is not None and refused.status == 403, "an analyst may not import"
    expect(page.get_by_role("heading", level=1), "the refusal is a page in the analyst's language").to_contain_text(
        text["error.title"]
    )
    camera.shoot(page, "import-refused")
