"""The wish board in the browser: the five customers' Sunday wish gathered in one theme; a status change shows
each customer's feedback first (nothing changes), then, confirmed, queues it; the server's worker delivers it to
every customer once, in their own language."""

from __future__ import annotations

import re

import pytest
from browser_mail import MailSink, body_of
from browser_pages import Camera, eventually, log_in
from browser_store import CUSTOMERS, Store, theme_state
from playwright.sync_api import Page, expect

from ombud.locale import catalogue

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

# How feedback closes in each language (loop/templates/<language>/feedback.txt.j2).
CLOSING = {
    "sv": "Vänliga hälsningar",
    "nb": "Vennlig hilsen",
    "nn": "Venleg helsing",
    "da": "Venlig hilsen",
    "en": "Best regards",
}
NOTE = "We open every Sunday from 1 May, 10–16. / Vi har öppet varje söndag från 1 maj."


def test_a_wish_status_change_previews_then_sends_feedback_in_each_language(
    page: Page, camera: Camera, browser_store: Store, mail_sink: MailSink
) -> None:
    text = catalogue("en")
    log_in(page, "agent")
    page.get_by_test_id("nav-wish_board").click()
    expect(page.get_by_role("heading", level=1), "the wish board").to_have_text(text["wishes.title"])
    row = page.locator(f'[data-test="theme-row"][data-theme-id="{browser_store.theme}"]')
    expect(row, "the Sunday theme gathers the five customers").to_contain_text("5")
    camera.shoot(page, "board")

    row.get_by_test_id("theme-link").click()
    expect(page, "the theme's page").to_have_url(re.compile(rf"/wishes/{browser_store.theme}$"))
    expect(page.get_by_test_id("wish-row"), "one wish from each customer").to_have_count(len(CUSTOMERS))
    camera.shoot(page, "theme")

    page.get_by_label(text["filter.status"]).select_option("planned")
    page.get_by_label(text["wishes.note"]).fill(NOTE)
    page.get_by_role("button", name=text["wishes.preview"]).click()
    expect(page.get_by_role("heading", level=1), "the feedback preview").to_have_text(text["wishes.preview_title"])
    messages = page.get_by_test_id("feedback-message")
    expect(messages, "one feedback message per customer").to_have_count(len(CUSTOMERS))
    camera.shoot(page, "preview")
    assert theme_state(browser_store.url, browser_store.theme) == ("new", 0), (
        "the preview changes nothing and queues nothing"
    )

    previewed: dict[str, tuple[str, str]] = {}
    for index in range(len(CUSTOMERS)):
        message = messages.nth(index)
        header = message.locator("header").inner_text()
        [customer] = [customer for customer in CUSTOMERS.values() if customer.email in header]
        assert text[f"language.{customer.language}"] in header, (
            f"{customer.email}'s feedback is in {customer.language}, the preview says: {header}"
        )
        subject = message.locator("strong").inner_text()
        body = message.locator("pre").inner_text().strip()
        assert CLOSING[customer.language] in body, f"{customer.email} gets feedback in {customer.language}:\n{body}"
        assert customer.wish.rstrip(".!") in body, f"the feedback quotes {customer.email}'s own wish:\n{body}"
        assert NOTE in body, f"the feedback carries the note:\n{body}"
        previewed[customer.email] = (subject, body)

    page.get_by_role("button", name=text["wishes.confirm"].format(count=len(CUSTOMERS))).click()
    expect(page, "confirming leads back to the theme").to_have_url(re.compile(rf"/wishes/{browser_store.theme}\?"))
    expect(page.get_by_test_id("notice"), "the change is confirmed").to_have_text(text["wishes.done.status"])
    expect(page.get_by_test_id("theme-status"), "the theme is planned").to_have_text(text["theme_status.planned"])
    camera.shoot(page, "planned")

    for email, (subject, body) in previewed.items():
        eventually(
            lambda email=email, subject=subject: bool(mail_sink.to(email, subject=subject)), f"feedback to {email}"
        )
        delivered = mail_sink.to(email, subject=subject)
        assert len(delivered) == 1, f"feedback must reach {email} exactly once; the sink holds {mail_sink.summary()}"
        assert body_of(delivered[0]) == body, f"{email} gets the feedback the preview showed"
    assert theme_state(browser_store.url, browser_store.theme) == ("planned", len(CUSTOMERS))
