"""The dashboard page and the drill-down page on SQLite and PostgreSQL: the dashboard renders in sv, nb, nn, da and
en; every number and chart element links to a drill-down page whose voices are as many as the figure says (or to
its wish theme's page); the drill-down lists the voices masked for analysts, with case links for agents, the
filter in words and the way back; the report downloads in the reader's language."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from dashboard_factories import APP_TITLE, MARKUP, NAME, PHONE, build_store
from ombud.insight.report_words import period_text
from ombud.locale import Translator, catalogue
from ombud.store import Database
from web_helpers import LANGUAGES, add_users, csrf_of, log_in, web_client

TABLE_LINK = re.compile(r'<a href="(/voices\?[^"]*)"[^>]*>([^<]*)</a>')
CHART_LINK = re.compile(r'xlink:href="([^"]*)"')
THEME_LINK = re.compile(r'<a href="(/wishes/\d+)"[^>]*>([^<]*)</a>')
TOTAL = re.compile(r'data-test="voice-count" data-total="(\d+)"')
SECTIONS = ("overview", "mix", "wishes", "feelings", "sentiment", "gaps", "flags", "presence", "barometer")


def voices_behind(client: TestClient, address: str) -> int:
    page = client.get(address)
    assert page.status_code == 200, (address, page.text[:500])
    found = TOTAL.search(page.text)
    assert found, page.text[:2000]
    return int(found.group(1))


def check_links(client: TestClient, address: str) -> list[tuple[str, int]]:
    """Follow every link of the dashboard at ``address``; return (link, voices) of the tables' links."""
    page = client.get(address)
    assert page.status_code == 200, page.text[:500]
    links = [(html.unescape(href), html.unescape(text)) for href, text in TABLE_LINK.findall(page.text)]
    charted = {html.unescape(href) for href in CHART_LINK.findall(page.text)}
    themes = {html.unescape(href): html.unescape(text) for href, text in THEME_LINK.findall(page.text)}
    assert charted, "the charts link to nothing"
    # Each bar, point and cell of a chart leads where the number in its table does (or to a theme's page).
    assert charted <= {href for href, _ in links} | set(themes)
    checked = []
    for href, text in links:
        figure = re.match(r"\d+", text)
        assert figure, (href, text)
        assert voices_behind(client, href) == int(figure.group()), (href, text)
        checked.append((href, int(figure.group())))
    for href, title in themes.items():
        theme = client.get(href)
        assert theme.status_code == 200 and html.escape(title) in theme.text.replace("&#34;", '"'), href
    return checked


def test_every_figure_leads_to_its_voices(database: Database, tmp_path: Path) -> None:
    add_users(database)
    ids = build_store(database)
    with web_client(database, tmp_path) as client:
        log_in(client, "agent")
        checked = dict(check_links(client, "/dashboard"))
        assert len(checked) >= 40
        back = "back=period%3Dmonth"
        known = {
            f"/voices?from=2026-02-01&to=2026-02-28&act=complaint&{back}": 1,  # the mix by month
            f"/voices?channel=email&act=complaint&{back}": 2,  # the mix by channel
            f"/voices?emotion=anger&topic=delivery&{back}": 2,  # topic × emotion
            f"/voices?topic=staff&sentiment=positive&{back}": 1,  # topic × sentiment
            f"/voices?topic=delivery&flag=expectation_gap&{back}": 2,  # gaps by topic
            f"/voices?from=2026-02-01&to=2026-02-28&flag=legal_claim&{back}": 1,  # flags over time
            f"/voices?channel=chat&{back}": 2,  # presence by channel
            f"/voices?from=2026-01-01&to=2026-01-31&{back}": 2,  # the barometer's January
            f"/voices?emotion=anger&{back}": 4,
        }
        assert {href: checked.get(href) for href in known} == known
        # A filtered dashboard keeps its filter in every link, and the drill-down leads back to it.
        narrowed = dict(check_links(client, "/dashboard?company=Ljusbanken&period=week&from=2026-02-01"))
        assert narrowed and all("company=Ljusbanken" in href for href in narrowed)
        drill = client.get(next(iter(narrowed)))
        assert 'href="/dashboard?period=week&amp;from=2026-02-01&amp;company=Ljusbanken"' in drill.text
        page = client.get("/dashboard").text
    assert f'href="/wishes/{ids["theme:app"]}"' in page and html.escape(APP_TITLE) in page and APP_TITLE not in page


def test_the_dashboard_in_every_language(database: Database, tmp_path: Path) -> None:
    add_users(database)
    build_store(database)
    with web_client(database, tmp_path) as client:
        log_in(client, "analyst")
        for language in LANGUAGES:
            client.post("/language", data={"language": language, "csrf_token": csrf_of(client)})
            page = client.get("/dashboard").text
            words = catalogue(language)
            assert f'<html lang="{language}">' in page
            assert f"<h1>{html.escape(words['dashboard.title'])}</h1>" in page
            assert 'data-test="nav-dashboard"' in page
            for section in SECTIONS:
                assert f'data-test="section-{section}"' in page, (language, section)
            for key in ("insight.mix.heading", "insight.gaps.heading", "insight.barometer.heading", "dashboard.report"):
                assert html.escape(words[key]) in page, (language, key)
            assert html.escape(period_text(Translator(language), "2026-02")) in page
            assert "insight." not in re.sub(r"<[^>]+>", " ", page), language  # no key left untranslated
        assert "feb. 2026" in page.lower() or "feb 2026" in page.lower()


def test_the_drill_down_page(database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    add_users(database, language="sv")
    ids = build_store(database)
    address = "/voices?flag=expectation_gap&back=company%3DKvikk%2BMobil%26period%3Dquarter"
    with web_client(database, tmp_path) as client:
        log_in(client, "analyst")
        masked = client.get(address).text
        log_in(client, "agent")
        whole = client.get(address).text
        monkeypatch.setattr("ombud.web.pages.voices.PAGE_SIZE", 2)
        second = client.get(address + "&page=2").text
        beyond = client.get(address + "&page=99").text
        bad = client.get("/voices?act=rant")
    words = catalogue("sv")
    assert PHONE not in masked and NAME not in masked and "[phone]" in masked and "[name]" in masked
    assert 'data-test="voice-case"' not in masked
    assert PHONE in whole and 'data-test="voice-case"' in whole
    assert MARKUP not in whole and html.escape(MARKUP) in whole
    assert masked.count('data-test="voice"') == 3 and 'data-total="3"' in masked
    # Newest first: en1 (20 February), da1 (15 February), sv1 (12 January).
    assert re.findall(r'data-voice-id="(\d+)"', masked) == [str(ids[name]) for name in ("en1", "da1", "sv1")]
    assert f"<dd>{words['flag.expectation_gap']}</dd>" in masked
    assert 'href="/dashboard?period=quarter&amp;company=Kvikk+Mobil"' in masked
    assert re.findall(r'data-voice-id="(\d+)"', second) == [str(ids["sv1"])]
    assert words["pager.page"].format(page=2, pages=2) in beyond
    assert bad.status_code == 422 and words["error.title"] in bad.text


def test_the_report_from_the_dashboard(database: Database, tmp_path: Path) -> None:
    add_users(database, language="da")
    build_store(database)
    with web_client(database, tmp_path) as client:
        log_in(client, "agent")
        answer = client.get("/dashboard/report?company=Ljusbanken")
    assert answer.status_code == 200 and "attachment" in answer.headers["content-disposition"]
    assert '<html lang="da">' in answer.text
    assert catalogue("da")["report.title_of"].format(company="Ljusbanken") in answer.text
    assert NAME not in answer.text and "/voices?" not in answer.text
