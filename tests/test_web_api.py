"""The JSON API, resource by resource, on SQLite and PostgreSQL: what agents may do and see, and that an
analyst gets 403 on every change and never sees an e-mail address or a personal identity number."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

import reply_factories
from ombud.loop.wishes import update_themes
from ombud.store import Database
from ombud.store.models import OutboundMessage, WishTheme
from web_helpers import EMAILS, add_users, csrf_of, log_in, web_client
from wish_factories import APP, SUNDAY, Shop

PERSONNUMMER = "811218-9876"
EMAIL = "anna.svensson@example.se"
COMPLAINT = f"Paketet kom aldrig och ingen svarar på {EMAIL}, mitt personnummer är {PERSONNUMMER}."


def build_cases(database: Database) -> dict[str, int]:
    """Two cases: a Swedish complaint with personal data and anger, and a Danish legal claim by chat."""
    with database.session() as session:
        angry = reply_factories.one_case(
            session,
            [("complaint", COMPLAINT), ("question", "När kommer det?")],
            language="sv",
            email=EMAIL,
            emotions={"anger": 0.9},
            subject="Var är paketet?",
        )
        claim = reply_factories.one_case(
            session,
            [("complaint", "Jeg vil reklamere over vaskemaskinen."), ("wish", "I burde svare hurtigere.")],
            language="da",
            name="Jens Hansen",
            email="jens@example.dk",
            legal_claim=True,
            channel="chat",
        )
        session.commit()
        return {"angry": angry.id, "claim": claim.id}


def logged_in(client: TestClient, role: str) -> dict[str, str]:
    log_in(client, role)
    return {"X-CSRF-Token": csrf_of(client)}


def assert_no_personal_data(document: Any) -> None:
    text = json.dumps(document, ensure_ascii=False)
    assert "@" not in text, text
    assert PERSONNUMMER not in text and "8112189876" not in text
    assert "Anna Svensson" not in text and "Jens Hansen" not in text


def test_cases_for_an_agent(database: Database, tmp_path: Path) -> None:
    add_users(database)
    ids = build_cases(database)
    with web_client(database, tmp_path) as client:
        headers = logged_in(client, "agent")
        listed = client.get("/api/cases").json()
        assert listed["total"] == 2 and {case["id"] for case in listed["cases"]} == set(ids.values())
        assert listed["cases"][0]["priority"] >= listed["cases"][1]["priority"]
        narrowed = {
            "channel=chat": {ids["claim"]},
            "language=sv": {ids["angry"]},
            "act=question": {ids["angry"]},
            "act=wish": {ids["claim"]},
            "emotion=anger": {ids["angry"]},
            "flag=legal_claim": {ids["claim"]},
            "flag=churn_risk": set(),
        }
        for query, expected in narrowed.items():
            found = client.get(f"/api/cases?{query}").json()
            assert {case["id"] for case in found["cases"]} == expected, query
            assert found["total"] == len(expected)
        assert client.get("/api/cases?limit=1&offset=1").json()["cases"][0]["id"] == listed["cases"][1]["id"]
        assert client.get("/api/cases?act=rant").status_code == 422
        detail = client.get(f"/api/cases/{ids['angry']}").json()
        assert detail["customer"]["identities"] == [{"kind": "email", "value": EMAIL}]
        sentences = detail["voices"][0]["reading"]["sentences"]
        assert [s["act"] for s in sentences] == ["complaint", "question"] and PERSONNUMMER in sentences[0]["text"]
        assert client.get("/api/cases/999").status_code == 404

        assigned = client.post(f"/api/cases/{ids['angry']}/assign", json={"assignee": "Kim"}, headers=headers)
        assert assigned.json() == {
            "id": ids["angry"],
            "changed": True,
            "status": "open",
            "assignee": "Kim",
            "team": None,
        }
        resolved = client.post(f"/api/cases/{ids['angry']}/status", json={"status": "resolved"}, headers=headers)
        assert resolved.json()["status"] == "resolved"
        assert (
            client.post(f"/api/cases/{ids['angry']}/status", json={"status": "lost"}, headers=headers).status_code
            == 422
        )
        events = [event["kind"] for event in client.get(f"/api/cases/{ids['angry']}").json()["events"]]
        assert events[-2:] == ["assigned", "resolved"]


def test_replies_from_the_api_land_in_the_outbox(database: Database, tmp_path: Path) -> None:
    add_users(database)
    ids = build_cases(database)
    with web_client(database, tmp_path) as client:
        headers = logged_in(client, "agent")
        draft = client.get(f"/api/cases/{ids['claim']}/draft").json()
        assert (draft["language"] == "da" and "[[" in draft["body"]) or draft["body"]
        assert draft["routed_to"] == "claims"
        unfilled = client.post(
            f"/api/cases/{ids['angry']}/replies", json={"body": "Hej! [[svar här]]"}, headers=headers
        )
        assert unfilled.status_code == 422 and "[[svar här]]" in unfilled.json()["detail"]
        body = "Hej Anna! Paketet är på väg och kommer på torsdag. Vänliga hälsningar, Kundservice"
        sent = client.post(f"/api/cases/{ids['angry']}/replies", json={"body": body}, headers=headers)
        assert sent.status_code == 201, sent.text
        reply = sent.json()
        assert reply["status"] == "queued" and reply["recipient"] == EMAIL and reply["author"] == "Agent"
    with database.session() as session:
        queued = session.scalars(select(OutboundMessage)).all()
        assert [(m.case_id, m.status, m.body.strip()) for m in queued] == [(ids["angry"], "queued", body)]


def test_an_analyst_reads_masked_and_changes_nothing(database: Database, tmp_path: Path) -> None:
    add_users(database)
    ids = build_cases(database)
    with web_client(database, tmp_path) as client:
        headers = logged_in(client, "analyst")
        listed = client.get("/api/cases").json()
        assert listed["total"] == 2
        assert_no_personal_data(listed)
        for case_id in ids.values():
            detail = client.get(f"/api/cases/{case_id}").json()
            assert_no_personal_data(detail)
        detail = client.get(f"/api/cases/{ids['angry']}").json()
        assert "[personnummer]" in detail["voices"][0]["text"]
        assert detail["voices"][0]["reading"]["sentences"][1]["text"] == "När kommer det?"  # the rest stays
        voices = client.get("/api/voices").json()
        assert voices["total"] == 2
        assert_no_personal_data(voices)
        writes = [
            ("post", f"/api/cases/{ids['angry']}/assign", {"assignee": "Kim"}),
            ("post", f"/api/cases/{ids['angry']}/status", {"status": "resolved"}),
            ("post", f"/api/cases/{ids['angry']}/replies", {"body": "Hej!"}),
            ("get", f"/api/cases/{ids['angry']}/draft", None),
            ("post", "/api/wish-themes/1/merge", {"other_id": 2}),
            ("post", "/api/wish-themes/1/split", {"wish_ids": [1]}),
            ("post", "/api/wish-themes/1/status", {"status": "planned", "note": "x", "preview": True}),
            ("get", "/api/imports", None),
            ("get", "/api/users", None),
            ("post", "/api/users", {"email": "x@example.com", "role": "admin", "password": "x" * 12}),
        ]
        for method, path, body in writes:
            answer = client.request(method.upper(), path, json=body, headers=headers)
            assert answer.status_code == 403, (method, path, answer.status_code)
    with database.session() as session:
        assert session.scalars(select(OutboundMessage)).all() == []


def test_voices_with_their_reading(database: Database, tmp_path: Path) -> None:
    add_users(database)
    build_cases(database)
    with web_client(database, tmp_path) as client:
        logged_in(client, "agent")
        voices = client.get("/api/voices?limit=1").json()
        assert voices["total"] == 2 and len(voices["voices"]) == 1
        newest = voices["voices"][0]
        one = client.get(f"/api/voices/{newest['id']}").json()
        assert one == newest and one["case_id"] is not None
        assert {v["reading"]["language"] for v in client.get("/api/voices").json()["voices"]} == {"sv", "da"}
        assert client.get("/api/voices?flag=legal_claim").json()["total"] == 1
        assert client.get("/api/voices?emotion=anger&language=sv").json()["total"] == 1
        assert client.get("/api/voices?emotion=anger&language=da").json()["total"] == 0
        assert client.get("/api/voices?act=wish").json()["total"] == 1
        assert client.get("/api/voices/12345").status_code == 404


def test_analysis_of_texts_in_five_languages(database: Database, tmp_path: Path) -> None:
    add_users(database)
    texts = [SUNDAY["sv"], SUNDAY["nb"], SUNDAY["nn"], SUNDAY["da"], "Call me on +44 7700 900412, it never arrived!"]
    with web_client(database, tmp_path) as client:
        headers = logged_in(client, "agent")
        answer = client.post("/api/analysis", json={"texts": texts}, headers=headers)
        assert answer.status_code == 200, answer.text
        analyses = answer.json()["analyses"]
        assert [a["tier"] for a in analyses] == ["fast"] * 5
        assert [a["language"] for a in analyses[:4]] == ["sv", "nb", "nn", "da"]
        assert analyses[4]["personal_data"][0]["kind"] == "phone"
        assert client.post("/api/analysis", json={"texts": []}, headers=headers).status_code == 422
        client.cookies.clear()
        headers = logged_in(client, "analyst")
        masked = client.post("/api/analysis", json={"texts": texts[4:]}, headers=headers).json()["analyses"][0]
        assert "7700" not in json.dumps(masked)


@pytest.fixture
def board(database: Database) -> dict[str, int]:
    """The Sunday wish in five languages, and an app wish by two customers."""
    with database.session() as session:
        shop = Shop(session)
        for language in ("sv", "nb", "nn", "da", "en"):
            shop.wish(SUNDAY[language], language)
        shop.wish(APP["sv"], "sv")
        shop.wish(APP["en"], "en")
        update_themes(session)
        session.commit()
        themes = session.scalars(select(WishTheme).order_by(WishTheme.id)).all()
        by_size = sorted(themes, key=lambda theme: -len(theme.wishes))
        return {"sunday": by_size[0].id, "app": by_size[1].id}


def test_the_wish_board(database: Database, tmp_path: Path, board: dict[str, int]) -> None:
    add_users(database)
    with web_client(database, tmp_path) as client:
        headers = logged_in(client, "agent")
        listed = client.get("/api/wish-themes").json()
        assert [(theme["id"], theme["customers"]) for theme in listed[:2]] == [(board["sunday"], 5), (board["app"], 2)]
        theme = client.get(f"/api/wish-themes/{board['sunday']}").json()
        assert theme["customers"] == 5 and len(theme["wish_list"]) == 5 and "planned" in theme["allowed_statuses"]
        assert any("@example.com" in wish["customer"] for wish in theme["wish_list"])

        preview = client.post(
            f"/api/wish-themes/{board['sunday']}/status",
            json={"status": "planned", "note": "Vi öppnar på söndagar från mars.", "preview": True},
            headers=headers,
        ).json()
        assert preview["previewed"] and preview["queued"] == 0 and len(preview["feedback"]) == 5
        assert {message["language"] for message in preview["feedback"]} == {"sv", "nb", "nn", "da", "en"}
        assert client.get(f"/api/wish-themes/{board['sunday']}").json()["status"] == "new"  # nothing changed
        missing_note = client.post(
            f"/api/wish-themes/{board['sunday']}/status", json={"status": "planned"}, headers=headers
        )
        assert missing_note.status_code == 422 and "note" in missing_note.json()["detail"]
        done = client.post(
            f"/api/wish-themes/{board['sunday']}/status",
            json={"status": "planned", "note": "Vi öppnar på söndagar från mars."},
            headers=headers,
        ).json()
        assert done["queued"] == 5 and done["change_id"] is not None

        wishes = client.get(f"/api/wish-themes/{board['app']}").json()["wish_list"]
        split = client.post(
            f"/api/wish-themes/{board['app']}/split", json={"wish_ids": [wishes[0]["id"]]}, headers=headers
        )
        assert split.status_code == 201 and split.json()["customers"] == 1
        new_id = split.json()["id"]
        merged = client.post(f"/api/wish-themes/{board['app']}/merge", json={"other_id": new_id}, headers=headers)
        assert merged.json()["customers"] == 2
        assert client.get(f"/api/wish-themes/{new_id}").json()["merged_into_id"] == board["app"]
    with database.session() as session:
        assert len(session.scalars(select(OutboundMessage).where(OutboundMessage.kind == "feedback")).all()) == 5


def test_the_wish_board_for_an_analyst_is_masked(database: Database, tmp_path: Path, board: dict[str, int]) -> None:
    add_users(database)
    with web_client(database, tmp_path) as client:
        logged_in(client, "analyst")
        theme = client.get(f"/api/wish-themes/{board['sunday']}").json()
        assert theme["customers"] == 5
        assert "@" not in json.dumps(theme)


def test_users_are_managed_by_admins(database: Database, tmp_path: Path) -> None:
    add_users(database)
    with web_client(database, tmp_path) as client:
        headers = logged_in(client, "admin")
        made = client.post(
            "/api/users",
            json={"email": "liv@example.no", "role": "analyst", "password": "long enough password", "language": "nn"},
            headers=headers,
        )
        assert made.status_code == 201 and made.json()["language"] == "nn"
        assert (
            client.post(
                "/api/users",
                json={"email": "liv@example.no", "role": "agent", "password": "long enough password"},
                headers=headers,
            ).status_code
            == 422
        )
        users = {user["email"]: user for user in client.get("/api/users").json()}
        assert set(users) == {*EMAILS.values(), "liv@example.no"}
        changed = client.patch(
            f"/api/users/{users['liv@example.no']['id']}", json={"disabled": True, "role": "agent"}, headers=headers
        )
        assert changed.json()["role"] == "agent" and changed.json()["disabled_at"] is not None
        me = users[EMAILS["admin"]]["id"]
        assert client.patch(f"/api/users/{me}", json={"disabled": True}, headers=headers).status_code == 422
        client.cookies.clear()
        headers = logged_in(client, "agent")
        assert client.get("/api/users").status_code == 403
