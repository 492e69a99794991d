"""The dashboard in the browser: every bar of the voice-mix charts leads to the voices behind it, and the number
on the bar is the number of voices listed; the way back returns to the dashboard. An analyst follows the same
links and reads the voices masked."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import parse_qsl, urlsplit

import pytest
from browser_pages import Camera, log_in
from browser_store import CUSTOMERS
from playwright.sync_api import Locator, Page, expect

from ombud.locale import catalogue

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

CHARTS = ("figure-mix-period", "figure-mix-language")


def bars(page: Page, figure: str) -> Locator:
    """The linked bars of one chart: SVG links around a bar with its value."""
    return page.get_by_test_id(figure).locator("svg a").filter(has=page.locator("desc.value"))


def follow_every_bar(page: Page, camera: Camera, language: str) -> int:
    """Click each linked bar of the charts in turn; check the list behind it; come back. Returns how many."""
    text = catalogue(language)
    followed = 0
    for figure in CHARTS:
        expect(bars(page, figure).first, f"the chart {figure} has a linked bar").to_be_attached()
        count = bars(page, figure).count()
        for index in range(count):
            bar = bars(page, figure).nth(index)
            value = int((bar.locator("desc.value").text_content() or "").strip())
            href = bar.get_attribute("xlink:href") or ""
            title = f"{bar.locator('desc.x_label').text_content()}: {href.split('&back=')[0]}"
            bar.locator("rect").click()
            expect(page, f"the bar «{title}» of {figure} leads to its voices").to_have_url(re.compile(r"/voices\?"))
            expect(page.get_by_role("heading", level=1), "the drill-down page").to_have_text(text["voices.title"])
            expect(
                page.get_by_test_id("voice-count"), f"«{title}» says {value}: so many voices behind it"
            ).to_have_attribute("data-total", str(value))
            expect(page.get_by_test_id("voice"), f"all {value} voices of «{title}» are listed").to_have_count(value)
            expect(page.get_by_test_id("voices-filter"), "the filter is said in words").to_be_visible()
            chosen = dict(parse_qsl(urlsplit(href).query))
            listed = page.get_by_test_id("voice")
            if "act" in chosen:
                expect(listed.locator(".act-label"), f"every voice behind «{title}» has that act").to_have_text(
                    [text[f"act.{chosen['act']}"]] * value
                )
            if "language" in chosen:
                for number in range(value):
                    expect(listed.nth(number).locator("header"), f"voice {number} is in that language").to_contain_text(
                        text[f"language.{chosen['language']}"]
                    )
            if followed == 0:
                camera.shoot(page, "voices")
            followed += 1
            page.get_by_test_id("voices-back").click()
            expect(page, "the way back leads to the dashboard").to_have_url(re.compile(r"/dashboard(\?|$)"))
    return followed


def test_every_bar_of_the_voice_mix_leads_to_as_many_voices(open_page: Callable[..., Page], camera: Camera) -> None:
    page = open_page("nb")
    text = catalogue("nb")
    log_in(page, "agent")
    page.get_by_test_id("nav-dashboard").click()
    expect(page.get_by_role("heading", level=1), "the dashboard, in the browser's language").to_have_text(
        text["dashboard.title"]
    )
    for figure in CHARTS:
        expect(page.get_by_test_id(figure).locator("svg"), f"the chart {figure} is drawn").to_be_visible()
    camera.shoot(page, "dashboard")
    assert follow_every_bar(page, camera, "nb") >= 1 + len(CUSTOMERS)  # a period, and each language at least
    page.get_by_test_id(CHARTS[0]).locator("svg a").first.locator("rect").click()
    expect(page.get_by_test_id("voice-case").first, "an agent can open a voice's case").to_be_visible()

    page.get_by_test_id("voices-back").click()
    wanted = bars(page, "figure-wishes").first
    customers = int((wanted.locator("desc.value").text_content() or "").strip())
    wanted.locator("rect").click()
    expect(page, "the most wanted theme's bar leads to the theme").to_have_url(re.compile(r"/wishes/\d+$"))
    expect(page.get_by_test_id("theme-demand"), f"the bar says {customers} customers, so does the theme").to_have_text(
        re.compile(rf"^{customers}\b")
    )
    expect(page.get_by_test_id("wish-row"), "one wish per customer here").to_have_count(customers)


def test_an_analyst_drills_down_to_masked_voices(open_page: Callable[..., Page], camera: Camera) -> None:
    page = open_page("da")
    log_in(page, "analyst")
    page.get_by_test_id("nav-dashboard").click()
    bars(page, CHARTS[0]).first.locator("rect").click()
    voices = page.get_by_test_id("voice")
    expect(voices.first, "the analyst sees the voices behind the figure").to_be_visible()
    main = page.locator("main")
    for customer in CUSTOMERS.values():
        expect(main, f"{customer.email} is masked").not_to_contain_text(customer.email)
        expect(main, f"{customer.name} is masked").not_to_contain_text(customer.name)
    expect(page.get_by_test_id("voice-case"), "an analyst gets no link to the cases").to_have_count(0)
    camera.shoot(page, "voices-masked")
