"""Importing a Nordic Excel export in the browser: a cp1252 CSV with semicolons and a survey question as the text
column's header. The preview shows how each column is read; the agent picks the text column; the import runs in
the background with its progress polled by htmx; the report names the broken line; the server's upkeep reads the
new voices and they appear in the inbox."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from browser_pages import Camera, eventually, log_in
from browser_store import Store, placed_in_cases
from playwright.sync_api import Page, expect

from ombud.locale import catalogue

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

QUESTION = "Fråga 3: Vad kan vi göra bättre?"
BROKEN_LINE = 4  # its date, "igår", cannot be read
NEW_CUSTOMERS = {
    "sv": ("Lena Berg", "lena.berg@example.se", "Kundtjänst svarade aldrig på mitt mejl."),
    "nb": ("Per Hansen", "per.hansen@example.no", "Kundeservice svarte aldri på e-posten min."),
    "nn": ("Ingrid Vik", "ingrid.vik@example.no", "Eg fekk aldri svar på e-posten eg sende."),
    "da": ("Søren Møller", "soren.moller@example.dk", "Kundeservice svarede aldrig på min mail."),
    "en": ("Emma Jones", "emma.jones@example.com", "Customer service never answered my e-mail."),
}


def nordic_excel_csv() -> bytes:
    """What Excel saves as CSV on a Nordic Windows: cp1252, semicolons, CRLF."""
    at = datetime.now().replace(second=0, microsecond=0) - timedelta(hours=3)
    rows = [f"Datum;E-post;Namn;{QUESTION};Betyg"]
    for number, (name, email, text) in enumerate(NEW_CUSTOMERS.values()):
        rows.append(f"{(at + timedelta(minutes=number)):%Y-%m-%d %H:%M};{email};{name};{text};2")
    rows.insert(BROKEN_LINE - 1, "igår;nils.ek@example.se;Nils Ek;Snälla svara på mitt mejl;1")
    return ("\r\n".join(rows) + "\r\n").encode("cp1252")


def test_a_nordic_excel_csv_from_upload_to_the_inbox(
    open_page: Callable[..., Page], camera: Camera, browser_store: Store
) -> None:
    page = open_page("sv")
    text = catalogue("sv")
    log_in(page, "agent")
    page.get_by_test_id("nav-import_page").click()
    expect(page.get_by_role("heading", level=1), "the import page").to_have_text(text["import.title"])
    page.get_by_label(text["import.file"]).set_input_files(
        files=[{"name": "kundenkät.csv", "mimeType": "text/csv", "buffer": nordic_excel_csv()}]
    )
    page.get_by_label(text["filter.channel"]).fill("enkät")
    page.get_by_label(text["wishes.company"]).fill("Testbutiken")
    camera.shoot(page, "upload")
    page.get_by_role("button", name=text["import.preview_button"]).click()

    expect(page.get_by_role("heading", level=1), "the preview").to_have_text(text["import.preview_title"])
    detected = page.get_by_test_id("detected-format")
    for found in ("kundenkät.csv", "csv", "cp1252"):
        expect(detected, f"the preview says what it found: {found}").to_contain_text(found)
    expect(
        page.get_by_test_id("mapping-problem"), "no column is known as the text: the preview says so"
    ).to_be_visible()
    expect(page.get_by_test_id("run-form"), "nothing can be imported before the text column is chosen").to_have_count(0)
    for field, column in (("customer_email", "E-post"), ("customer_name", "Namn"), ("received_at", "Datum")):
        expect(page.get_by_test_id(f"map-{field}"), f"{column} is read as {field}").to_have_value(column)
    expect(page.get_by_test_id("preview-rows"), "the first rows read as cp1252, not mojibake").to_contain_text(
        NEW_CUSTOMERS["da"][0]
    )
    camera.shoot(page, "preview-unmapped")

    page.get_by_label(text["field.text"], exact=True).select_option(QUESTION)
    page.get_by_role("button", name=text["import.update_preview"]).click()
    expect(page.get_by_test_id("map-text"), "the chosen text column is kept").to_have_value(QUESTION)
    expect(page.get_by_test_id("mapping-problem"), "with a text column the mapping is whole").to_have_count(0)
    voices = page.get_by_test_id("preview-voices")
    expect(voices, "the preview shows the rows as voices").to_contain_text(NEW_CUSTOMERS["sv"][2])
    broken = voices.locator("tr", has=page.locator("td.problem"))
    expect(broken, "the preview shows the broken row's problem").to_have_count(1)
    expect(broken.locator("td").first, f"on line {BROKEN_LINE}").to_have_text(str(BROKEN_LINE))
    camera.shoot(page, "preview-mapped")

    page.get_by_role("button", name=text["import.run"], exact=True).click()
    expect(page, "the import runs on its own page").to_have_url(re.compile(r"/import/[0-9a-f]{32}$"))
    progress = page.get_by_test_id("import-progress")
    expect(progress, "the progress is shown while the import runs").to_be_visible()
    camera.shoot(page, "running")
    expect(progress, "htmx polls the progress until the import is completed").to_have_attribute(
        "data-state", "completed"
    )
    expect(page.get_by_test_id("import-counts"), "the counts: 6 rows, 5 voices, 1 error").to_have_text(
        text["import.counts"].format(rows=6, added=5, duplicates=0, errors=1)
    )
    errors = page.get_by_test_id("import-error")
    expect(errors, "one row was not imported").to_have_count(1)
    expect(errors.locator("td").nth(0), "its file").to_have_text("kundenkät.csv")
    expect(errors.locator("td").nth(1), "its line").to_have_text(str(BROKEN_LINE))
    expect(errors.locator("td").nth(2), "its reason names the date").to_contain_text("igår")
    camera.shoot(page, "report")

    emails = [email for _name, email, _text in NEW_CUSTOMERS.values()]
    eventually(
        lambda: placed_in_cases(browser_store.url, emails) == len(emails),
        "the server's upkeep to read the imported voices and place them in cases",
        timeout=120,
    )
    page.get_by_test_id("nav-inbox").click()
    table = page.get_by_test_id("case-table")
    for name, _email, _text in NEW_CUSTOMERS.values():
        expect(table.get_by_role("link", name=name), f"{name}'s case is in the inbox").to_be_visible()
    expect(page.get_by_text("Nils Ek"), "the broken row brought no voice").to_have_count(0)
    camera.shoot(page, "inbox")
    page.get_by_test_id("case-table").get_by_role("link", name=NEW_CUSTOMERS["da"][0]).click()
    expect(page.get_by_test_id("voice"), "the imported voice on its case").to_contain_text(NEW_CUSTOMERS["da"][2])
    expect(page.get_by_test_id("sentence").first, "read by the server's upkeep").to_have_attribute(
        "data-act", re.compile(r"\w+")
    )
    camera.shoot(page, "case")
