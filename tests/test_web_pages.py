"""The pages, on SQLite and PostgreSQL: each renders in sv, nb, nn, da and en; the case page marks what was
read and sends a reply into the outbox; the wish board changes a status after a preview; analysts read masked."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from pathlib import Path

import pytest
from babel.numbers import format_percent
from sqlalchemy import select

import reply_factories
from ombud.insight.charts import ACT_COLOURS, EMOTION_COLOURS, KEY_COLOURS
from ombud.locale import catalogue
from ombud.loop.wishes import update_themes
from ombud.store import Database
from ombud.store.models import Case, CaseVoice, Customer, OutboundMessage, WishTheme
from ombud.store.types import utc_now
from ombud.web import rendering
from web_helpers import LANGUAGES, add_users, csrf_of, log_in, web_client
from wish_factories import SUNDAY, Shop

PERSONNUMMER = "811218-9876"
EMAIL = "anna.svensson@example.se"


def build(database: Database) -> dict[str, int]:
    with database.session() as session:
        case = reply_factories.one_case(
            session,
            [
                ("complaint", f"Ni lovade leverans i tisdags, mitt personnummer är {PERSONNUMMER}."),
                ("question", "När kommer paketet?"),
            ],
            language="sv",
            email=EMAIL,
            emotions={"anger": 0.9},
            legal_claim=True,
            subject="Försenad leverans",
        )
        shop = Shop(session)
        for language in LANGUAGES:
            shop.wish(SUNDAY[language], language)
        update_themes(session)
        session.commit()
        theme = session.scalars(select(WishTheme)).first()
        assert theme is not None
        return {"case": case.id, "theme": theme.id}


def test_every_page_in_every_language(database: Database, tmp_path: Path) -> None:
    add_users(database)
    ids = build(database)
    with web_client(database, tmp_path) as client:
        log_in(client, "agent")
        for language in LANGUAGES:
            csrf = csrf_of(client)
            client.post("/language", data={"language": language, "csrf_token": csrf})
            words = catalogue(language)
            pages = {
                "/inbox": words["inbox.title"],
                f"/cases/{ids['case']}": words["reply.send"],
                "/wishes": words["wishes.title"],
                f"/wishes/{ids['theme']}": words["wishes.change_status"],
                "/import": words["import.preview_button"],
            }
            for path, expected in pages.items():
                page = client.get(path)
                assert page.status_code == 200, (language, path)
                assert f'<html lang="{language}">' in page.text, (language, path)
                assert expected in page.text, (language, path, expected)
                assert words["nav.inbox"] in page.text
            case_page = client.get(f"/cases/{ids['case']}").text
            assert words["act.complaint"] in case_page and words["emotion.anger"] in case_page
            assert words["flag.legal_claim"] in case_page
        client.cookies.clear()
        for language in LANGUAGES:
            login = client.get(f"/login?lang={language}")
            assert f'<html lang="{language}">' in login.text and catalogue(language)["login.submit"] in login.text


def test_the_reasons_for_a_priority_in_every_language(database: Database, tmp_path: Path) -> None:
    add_users(database)
    ids = build(database)  # a legal claim, a complaint, anger at 90 %
    with web_client(database, tmp_path) as client:
        log_in(client, "agent")
        for language in LANGUAGES:
            client.post("/language", data={"language": language, "csrf_token": csrf_of(client)})
            words = catalogue(language)
            for path in ("/inbox", f"/cases/{ids['case']}"):
                found = re.search(r'data-test="case-reasons">([^<]*)<', client.get(path).text)
                assert found is not None, (language, path)
                shown = html.unescape(found[1]).split("; ")
                anger = f"{words['emotion.anger']} ({format_percent(0.9, locale=language)})"
                assert shown[0] == words["flag.legal_claim"] and anger in shown, (language, shown)
                assert words["act.complaint"] in shown, (language, shown)
                if path != "/inbox":  # the legal claim routed the case to the claims team, named in the language
                    team = re.search(r'data-test="case-team">([^<]*)<', client.get(path).text)
                    assert team is not None and team[1] == words["team.claims"], (language, team)
                if language != "en":
                    assert not {"legal claim", "complaint", "anger (90%)", "overdue"} & set(shown), (language, shown)
        [listed] = client.get("/api/cases").json()["cases"]
        assert listed["reasons"][0] == "legal claim"  # the API keeps the English words, and gives the codes
        assert listed["reason_codes"][0] == {"code": "legal_claim", "params": {}}
        assert {"code": "emotion", "params": {"emotion": "anger", "percent": 90}} in listed["reason_codes"]
        assert client.get(f"/api/cases/{ids['case']}").json()["reason_codes"] == listed["reason_codes"]


def test_the_language_follows_the_browser_until_the_user_chooses(database: Database, tmp_path: Path) -> None:
    add_users(database)
    with web_client(database, tmp_path) as client:
        page = client.get("/login", headers={"Accept-Language": "de-DE, nn;q=0.8, en;q=0.5"})
        assert '<html lang="nn">' in page.text
        assert '<html lang="nb">' in client.get("/login", headers={"Accept-Language": "no"}).text
        assert '<html lang="en">' in client.get("/login", headers={"Accept-Language": "fr"}).text


def nav_links(page: str) -> list[str]:
    navigation = re.search(r'<nav data-test="navigation">(.*?)</nav>', page, re.S)
    assert navigation is not None
    return re.findall(r'data-test="nav-(\w+)"', navigation[1])


def test_the_navigation_shows_only_what_the_role_may_open(database: Database, tmp_path: Path) -> None:
    add_users(database)
    with web_client(database, tmp_path) as client:
        log_in(client, "analyst")
        for path in ("/inbox", "/wishes", "/dashboard"):
            assert "import_page" not in nav_links(client.get(path).text)
        refused = client.get("/import")
        assert refused.status_code == 403 and "import_page" not in nav_links(refused.text)
        client.cookies.clear()
        log_in(client, "agent")
        assert "import_page" in nav_links(client.get("/inbox").text)


@pytest.mark.parametrize("role", ["admin", "agent", "analyst"])
def test_the_navigation_links_each_page_that_exists_and_the_user_may_open(
    database: Database, tmp_path: Path, role: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A page not built yet (no route of its name) gets no link, and breaks nothing.
    monkeypatch.setattr(rendering, "NAVIGATION", (*rendering.NAVIGATION, ("not_built_yet", "nav.dashboard")))
    add_users(database)
    with web_client(database, tmp_path) as client:
        log_in(client, role)
        page = client.get("/inbox").text
        navigation = re.search(r'<nav data-test="navigation">(.*?)</nav>', page, re.S)
        assert navigation is not None
        shown = {name: href for href, name in re.findall(r'<a href="([^"]+)" data-test="nav-(\w+)"', navigation[1])}
        assert "not_built_yet" not in shown
        pages = [name for name, _ in rendering.NAVIGATION if name != "not_built_yet"]
        assert {"inbox", "wish_board", "dashboard", "import_page"} <= set(pages)
        for name in pages:
            path = client.app.url_path_for(name)  # type: ignore[attr-defined]
            status = client.get(path).status_code
            assert status in (200, 403), (role, name, status)
            assert (name in shown) == (status == 200), (role, name, status)
            assert shown.get(name, path) == path
        expected = {"admin": 4, "agent": 4, "analyst": 3}[role]
        assert len(shown) == expected, shown


STYLE = Path(__file__).resolve().parents[1] / "src" / "ombud" / "web" / "static" / "style.css"


def test_the_pages_mark_acts_and_emotions_in_the_charts_colours(database: Database, tmp_path: Path) -> None:
    sheet = STYLE.read_text(encoding="utf-8")
    for key in KEY_COLOURS:
        name = key.replace("_", "-")
        assert not re.search(rf"--{name}\s*:", sheet), f"style.css defines --{name} itself"
    for act in ACT_COLOURS:
        assert re.search(rf"\.act-{act}\s*\{{[^}}]*var\(--{act}\)", sheet), act
    for emotion in EMOTION_COLOURS:
        assert re.search(rf"\.emotion-{emotion}\s*\{{[^}}]*var\(--{emotion}\)", sheet), emotion
    add_users(database)
    with web_client(database, tmp_path) as client:
        for page in (client.get("/login").text, (log_in(client, "agent"), client.get("/inbox").text)[1]):
            root = re.search(r"<style>:root \{(.*?)\}</style>", page)
            assert root is not None
            variables = dict(part.split(":") for part in root[1].strip().split(";") if part)
            for key, colour in KEY_COLOURS.items():
                assert variables[f"--{key.replace('_', '-')}"] == colour, key


def test_the_case_page_marks_the_reading_and_sends_a_reply(database: Database, tmp_path: Path) -> None:
    add_users(database, language="sv")
    ids = build(database)
    with web_client(database, tmp_path) as client:
        log_in(client, "agent")
        page = client.get(f"/cases/{ids['case']}").text
        acts = re.findall(r'data-test="sentence" data-act="(\w+)"', page)
        assert acts == ["complaint", "question"]
        assert 'data-flag="legal_claim"' in page and PERSONNUMMER in page and EMAIL in page
        draft = re.search(r'<textarea name="body" id="reply-body"[^>]*>(.*?)</textarea>', page, re.S)
        assert draft and "Anna" in draft[1] and "[[" in draft[1]  # a question waits for the agent's answer
        csrf = csrf_of(client, f"/cases/{ids['case']}")

        unfinished = client.post(f"/cases/{ids['case']}/reply", data={"body": draft[1], "csrf_token": csrf})
        assert unfinished.status_code == 422
        assert "[[" in unfinished.text and 'data-test="problem"' in unfinished.text  # the text is kept
        assert html.escape(catalogue("sv")["problem.reply_unfilled"].split(":")[0]) in unfinished.text
        body = "Hej Anna!\n\nPaketet kommer på torsdag, och din reklamation är registrerad.\n\nVänliga hälsningar"
        sent = client.post(
            f"/cases/{ids['case']}/reply",
            data={"body": body, "subject": "Din leverans", "csrf_token": csrf},
            follow_redirects=False,
        )
        assert sent.status_code == 303 and sent.headers["location"].endswith("?done=sent")
        after = client.get(sent.headers["location"]).text
        assert catalogue("sv")["case.done.sent"] in after and 'data-test="message"' in after
        assigned = client.post(f"/cases/{ids['case']}/assign", data={"assignee": "Kim", "team": "", "csrf_token": csrf})
        assert assigned.status_code == 200 and 'value="Kim"' in assigned.text
        resolved = client.post(f"/cases/{ids['case']}/status", data={"status": "resolved", "csrf_token": csrf})
        assert 'data-test="case-status">löst<' in resolved.text
    with database.session() as session:
        [message] = session.scalars(select(OutboundMessage)).all()
        assert (message.case_id, message.status, message.recipient, message.subject) == (
            ids["case"],
            "queued",
            EMAIL,
            "Din leverans",
        )
        assert message.body.startswith("Hej Anna!") and message.author == "Agent"


def composer(page: str) -> str:
    found = re.search(r'<textarea name="body" id="reply-body"[^>]*>(.*?)</textarea>', page, re.S)
    assert found is not None
    return html.unescape(found[1])


def test_after_a_reply_the_case_page_says_what_became_of_it_and_drafts_only_what_is_unanswered(
    database: Database, tmp_path: Path
) -> None:
    add_users(database, language="sv")
    ids = build(database)
    words = catalogue("sv")
    with web_client(database, tmp_path) as client:
        log_in(client, "agent")
        assert "[[" in composer(client.get(f"/cases/{ids['case']}").text)
        csrf = csrf_of(client, f"/cases/{ids['case']}")
        body = "Hej Anna!\n\nPaketet kommer på torsdag, och din reklamation är registrerad.\n\nVänliga hälsningar"
        sent = client.post(
            f"/cases/{ids['case']}/reply", data={"body": body, "csrf_token": csrf}, follow_redirects=False
        )
        queued = client.get(sent.headers["location"]).text
        assert words["case.done.sent"] in queued
        # Everything the customer said is answered: no draft of the same answer again.
        assert composer(queued) == "" and 'data-test="draft-reasons"' not in queued
        with database.session() as session:
            [message] = session.scalars(select(OutboundMessage)).all()
            message.status, message.sent_at = "sent", utc_now()
            session.commit()
        reloaded = client.get(sent.headers["location"]).text  # the same address, reloaded
        assert words["case.done.sent"] not in reloaded and words["case.done.delivered"] in reloaded
        with database.session() as session:
            case = session.get_one(Case, ids["case"])
            who = session.get_one(Customer, case.customer_id)
            later = reply_factories.voice(
                session, who, [("question", "Kommer det i morgon?")], language="sv", at=utc_now() + timedelta(minutes=1)
            )
            session.add(CaseVoice(case_id=case.id, voice_id=later.id))
            session.commit()
        again = composer(client.get(f"/cases/{ids['case']}").text)
        assert "Anna" in again and "[[" in again  # a draft for the new question


def test_the_inbox_says_how_long_a_customer_waited_once_and_the_same_way(database: Database, tmp_path: Path) -> None:
    add_users(database, language="sv")
    ids = build(database)
    words = catalogue("sv")
    for waited, column, reason in (
        (timedelta(hours=3, minutes=36), words["case.hours"], words["reason.waiting_hours"]),
        (timedelta(hours=101), words["case.days"], words["reason.waiting_days"]),
    ):
        with database.session() as session:
            session.get_one(Case, ids["case"]).unanswered_since = utc_now() - waited
            session.commit()
        count = "3" if waited < timedelta(days=1) else "4"
        with web_client(database, tmp_path) as client:
            log_in(client, "agent")
            for path in ("/inbox", f"/cases/{ids['case']}"):
                page = client.get(path).text
                shown = re.search(r'data-test="case-waiting">([^<]*)<', page)
                reasons = re.search(r'data-test="case-reasons">([^<]*)<', page)
                assert shown is not None and reasons is not None, path
                expected = column.format(hours=count, days=count)
                assert shown[1] == expected, (path, shown[1], expected)
                assert reason.format(hours=count, days=count) in html.unescape(reasons[1]).split("; "), path


def test_the_inbox_filters_and_pages(database: Database, tmp_path: Path) -> None:
    add_users(database)
    ids = build(database)
    with database.session() as session:
        for number in range(30):
            reply_factories.one_case(
                session,
                [("praise", f"Tack för hjälpen nummer {number}!")],
                language="sv",
                email=f"k{number}@example.se",
            )
        session.commit()
    with web_client(database, tmp_path) as client:
        log_in(client, "agent")
        first = client.get("/inbox").text
        assert len(re.findall(r'data-test="case-row"', first)) == 25 and 'data-test="page-next"' in first
        assert f'data-case-id="{ids["case"]}"' in first  # the legal claim comes first
        second = client.get("/inbox?page=2").text
        assert len(re.findall(r'data-test="case-row"', second)) == 6
        for query in ("flag=legal_claim", "emotion=anger", "act=question", "language=sv&act=complaint"):
            rows = re.findall(r'data-case-id="(\d+)"', client.get(f"/inbox?{query}").text)
            assert rows == [str(ids["case"])], query
        assert re.findall(r'data-case-id="(\d+)"', client.get("/inbox?channel=chat").text) == []


def test_a_split_of_no_wishes_says_so_in_the_page_language_without_a_command_line_option(
    database: Database, tmp_path: Path
) -> None:
    add_users(database)
    ids = build(database)
    with web_client(database, tmp_path) as client:
        log_in(client, "agent")
        for language in LANGUAGES:
            client.post("/language", data={"language": language, "csrf_token": csrf_of(client)})
            csrf = csrf_of(client, f"/wishes/{ids['theme']}")
            answer = client.post(f"/wishes/{ids['theme']}/split", data={"csrf_token": csrf})
            assert answer.status_code == 422
            assert html.escape(catalogue(language)["problem.split_nothing"]) in answer.text, language
            assert "--wishes" not in answer.text


def test_a_wish_status_change_shows_the_feedback_first(database: Database, tmp_path: Path) -> None:
    add_users(database)
    ids = build(database)
    note = "Vi öppnar på söndagar från mars."
    with web_client(database, tmp_path) as client:
        log_in(client, "agent")
        board = client.get("/wishes").text
        assert f'data-theme-id="{ids["theme"]}"' in board
        csrf = csrf_of(client, f"/wishes/{ids['theme']}")
        preview = client.post(
            f"/wishes/{ids['theme']}/status", data={"status": "planned", "note": note, "csrf_token": csrf}
        )
        assert preview.status_code == 200
        assert len(re.findall(r'data-test="feedback-message"', preview.text)) == 5
        assert 'data-test="theme-status-confirm"' in preview.text
        with database.session() as session:
            assert session.get(WishTheme, ids["theme"]).status == "new"  # type: ignore[union-attr]
            assert session.scalars(select(OutboundMessage)).all() == []
        confirmed = client.post(
            f"/wishes/{ids['theme']}/status",
            data={"status": "planned", "note": note, "confirm": "1", "csrf_token": csrf},
            follow_redirects=False,
        )
        assert confirmed.status_code == 303
        no_note = client.post(f"/wishes/{ids['theme']}/status", data={"status": "done", "csrf_token": csrf})
        assert no_note.status_code == 422 and 'data-test="problem"' in no_note.text
    with database.session() as session:
        assert session.get(WishTheme, ids["theme"]).status == "planned"  # type: ignore[union-attr]
        feedback = session.scalars(select(OutboundMessage).where(OutboundMessage.kind == "feedback")).all()
        assert sorted(message.language for message in feedback) == sorted(LANGUAGES)
        assert all(note in message.body for message in feedback)


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_analyst_sees_pages_masked_and_no_forms(database: Database, tmp_path: Path, language: str) -> None:
    add_users(database, language=language)
    ids = build(database)
    with web_client(database, tmp_path) as client:
        log_in(client, "analyst")
        for path in ("/inbox", f"/cases/{ids['case']}", "/wishes", f"/wishes/{ids['theme']}"):
            page = client.get(path)
            assert page.status_code == 200, path
            assert PERSONNUMMER not in page.text and "@example" not in page.text, path
            assert "Anna Svensson" not in page.text, path
        case_page = client.get(f"/cases/{ids['case']}").text
        assert 'id="reply-form"' not in case_page and "[personnummer]" in case_page
        assert client.get("/import").status_code == 403
        csrf = csrf_of(client)
        refused = client.post(f"/cases/{ids['case']}/reply", data={"body": "Hej", "csrf_token": csrf})
        assert refused.status_code == 403
        assert catalogue(language)["error.title"] in refused.text
