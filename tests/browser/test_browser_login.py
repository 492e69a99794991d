"""Logging in and choosing the language, in a real headless Chromium against `ombud serve`."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from browser_pages import Camera, log_in, words
from browser_store import LANGUAGES, PASSWORD, USERS
from playwright.sync_api import Page, expect

from ombud.locale import catalogue

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

# A word of the inbox in each language, written here rather than read from the catalogues, so that a catalogue
# that lost its translation (English in the Nynorsk one, say) fails this test.
NOT_RESOLVED = {"sv": "ej lösta", "nb": "ikke løst", "nn": "ikkje løyste", "da": "ikke løste", "en": "not resolved"}


def test_the_login_page_speaks_each_language(page: Page, camera: Camera) -> None:
    page.goto("/login")
    expect(page.locator("html"), "the login page follows the browser's language (en-GB)").to_have_attribute(
        "lang", "en"
    )
    for language in LANGUAGES:
        text = catalogue(language)
        page.get_by_test_id("language-links").get_by_role("link", name=text["language.name"], exact=True).click()
        expect(page.locator("html"), f"the login page in {language}").to_have_attribute("lang", language)
        expect(page.get_by_role("button", name=text["login.submit"]), f"the login button in {language}").to_be_visible()
        expect(page.get_by_label(text["login.password"]), f"the password field in {language}").to_be_visible()
        camera.shoot(page, f"login-{language}")


def test_a_wrong_password_is_refused(open_page: Callable[..., Page], camera: Camera) -> None:
    # Once only: the server refuses every login from one address after five failures in five minutes.
    page = open_page("da")
    page.goto("/login")
    text = catalogue("da")
    page.get_by_label(text["login.email"]).fill(USERS["agent"][0])
    page.get_by_label(text["login.password"]).fill(PASSWORD + " forkert")
    page.get_by_role("button", name=text["login.submit"]).click()
    expect(page.get_by_test_id("problem"), "a wrong password shows why, in the browser's language").to_have_text(
        text["login.wrong"]
    )
    expect(page, "a refused login stays on the login page").to_have_url(re.compile(r"/login$"))
    expect(page.get_by_label(text["login.email"]), "the e-mail typed is kept").to_have_value(USERS["agent"][0])
    assert not [cookie for cookie in page.context.cookies() if cookie["name"] == "ombud_session"], (
        "a refused login must not set a session cookie"
    )
    camera.shoot(page, "login-refused")


def test_logging_in_sets_an_httponly_session_cookie_and_logging_out_ends_it(page: Page, camera: Camera) -> None:
    log_in(page, "agent")
    expect(page.get_by_test_id("current-user"), "the header names who is logged in").to_contain_text(USERS["agent"][1])
    camera.shoot(page, "inbox")
    [session] = [cookie for cookie in page.context.cookies() if cookie["name"] == "ombud_session"]
    assert session["httpOnly"], f"the session cookie must be HttpOnly, got {session}"
    assert session["sameSite"] == "Lax", f"the session cookie must be SameSite=Lax, got {session}"
    assert "ombud_session" not in page.evaluate("document.cookie"), "scripts must not be able to read the session"

    page.get_by_test_id("logout").click()
    expect(page, "logging out leads to the login page").to_have_url(re.compile(r"/login$"))
    page.goto("/inbox")
    expect(page, "after logging out the inbox asks for a login again").to_have_url(re.compile(r"/login"))


def test_the_language_switcher_changes_every_word(page: Page, camera: Camera) -> None:
    log_in(page, "admin")
    for language in (*LANGUAGES[1:], LANGUAGES[0], "en"):
        switcher = page.get_by_test_id("language-select")
        expect(switcher, "the switcher is named in the page's language").to_have_accessible_name(
            words(page)["language.choose"]
        )
        switcher.select_option(language)
        expect(page.locator("html"), f"choosing {language} in the switcher").to_have_attribute("lang", language)
        text = catalogue(language)
        expect(page.get_by_role("heading", level=1), f"the inbox's title in {language}").to_have_text(
            text["inbox.title"]
        )
        expect(page.get_by_test_id("nav-inbox"), f"the navigation in {language}").to_have_text(text["nav.inbox"])
        expect(page.locator("#filter-status option").first, f"the status filter in {language}").to_have_text(
            NOT_RESOLVED[language]
        )
        camera.shoot(page, f"inbox-{language}")
    page.reload()
    expect(page.locator("html"), "the last choice (en) is kept on the user").to_have_attribute("lang", "en")
