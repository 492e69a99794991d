"""The insight API on SQLite and PostgreSQL: every endpoint answers with the figures of a store known by hand,
the filter changes them, a bad filter is a 422 that names it, and the voices behind a figure come masked for
analysts (the customer's phone and own name too) and whole for agents."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from dashboard_factories import NAME, PHONE, build_store
from ombud.store import Database
from web_helpers import add_users, log_in, web_client

ENDPOINTS = ("dashboard", "mix", "flags", "barometer", "wishes", "emotions", "sentiment", "gaps", "presence", "voices")


def get(client: TestClient, path: str, **query: Any) -> Any:
    answer = client.get(f"/api/insight/{path}", params=query)
    assert answer.status_code == 200, answer.text
    return answer.json()


def mix_counts(mix: dict[str, Any]) -> dict[str, dict[str, int]]:
    return {row["key"]: {act: n for act, n in row["counts"].items() if n} for row in mix["rows"]}


def test_every_endpoint(database: Database, tmp_path: Path) -> None:
    add_users(database)
    ids = build_store(database)
    with web_client(database, tmp_path) as client:
        log_in(client, "analyst")
        board = get(client, "dashboard")
        assert board["voices"] == 6 and board["period"] == "month"
        assert mix_counts(board["mix_by_period"]) == {
            "2026-01": {"complaint": 1, "wish": 1},
            "2026-02": {"praise": 1, "complaint": 1, "question": 1, "wish": 1},
        }
        assert mix_counts(board["mix_by_place"]["channel"]) == {
            "email": {"complaint": 2, "wish": 1},
            "chat": {"wish": 1, "question": 1},
            "review": {"praise": 1},
        }
        assert mix_counts(get(client, "mix", by="company")) == {
            "Kvikk Mobil": {"complaint": 1, "wish": 1, "question": 1},
            "Ljusbanken": {"praise": 1, "complaint": 1, "wish": 1},
        }
        flags = get(client, "flags")
        assert flags["total"]["counts"] == {"expectation_gap": 3, "legal_claim": 1, "churn_risk": 1}
        assert [row["counts"]["expectation_gap"] for row in flags["rows"]] == [1, 2]
        meter = get(client, "barometer")
        assert meter["overall"]["voices"] == 6 and meter["overall"]["too_few"] and meter["overall"]["index"] is None
        wishes = get(client, "wishes")
        assert [(theme["theme_id"], theme["customers"]) for theme in wishes["themes"]] == [
            (ids["theme:sunday"], 2),
            (ids["theme:app"], 1),
        ]
        assert wishes["themes"][1]["title"] == "En app <b>nu</b>"  # data in JSON, not markup
        emotions = get(client, "emotions")
        assert emotions["emotion_voices"]["anger"] == 4 and emotions["counts"]["delivery"]["anger"] == 2
        sentiment = get(client, "sentiment")
        assert sentiment["counts"]["staff"] == {"negative": 0, "neutral": 0, "positive": 1}
        gaps = get(client, "gaps")
        assert [(topic["topic"], topic["gaps"]) for topic in gaps["topics"]] == [
            ("delivery", 2),
            ("contract", 1),
            ("price", 1),
        ]
        presence = get(client, "presence")
        assert presence["total"]["voices"] == 6 and presence["total"]["cases"] >= 1
        assert {row["key"]: row["voices"] for row in presence["rows"]} == {"chat": 2, "email": 3, "review": 1}
        voices = get(client, "voices", act="complaint")
        assert voices["total"] == 2 and [voice["voice_id"] for voice in voices["voices"]] == [ids["da1"], ids["sv1"]]


def test_filters_change_the_figures(database: Database, tmp_path: Path) -> None:
    add_users(database)
    ids = build_store(database)
    with web_client(database, tmp_path) as client:
        log_in(client, "agent")
        bank = get(client, "dashboard", company="Ljusbanken")
        assert bank["voices"] == 3 and bank["filter"]["company"] == "Ljusbanken"
        assert [theme["theme_id"] for theme in bank["wishes"]["themes"]] == [ids["theme:sunday"]]
        february = get(client, "mix", **{"from": "2026-02-01", "to": "2026-02-28"})
        assert [row["key"] for row in february["rows"]] == ["2026-02"] and february["total"]["voices"] == 4
        quarter = get(client, "mix", period="quarter")
        assert [(row["key"], row["voices"]) for row in quarter["rows"]] == [("2026-Q1", 6)]
        assert get(client, "flags", channel="email")["total"]["counts"]["expectation_gap"] == 2
        assert get(client, "emotions", language="da")["emotion_voices"]["fear"] == 1
        assert get(client, "gaps", segment="(none)")["topics"][0]["topic"] == "delivery"
        assert get(client, "presence", channel="chat")["total"]["voices"] == 2
        assert get(client, "barometer", industry="bank")["overall"]["voices"] == 3
        behind = get(client, "voices", topic="delivery", emotion="anger", flag="expectation_gap", limit=1)
        assert (behind["total"], len(behind["voices"])) == (2, 1)
        assert get(client, "voices", wish_theme=ids["theme:sunday"])["total"] == 2
        assert get(client, "voices", sentiment="positive")["voices"][0]["voice_id"] == ids["nn1"]


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("act=rant", "unknown act 'rant'"),
        ("period=fortnight", "unknown period 'fortnight'"),
        ("from=2026-03-01&to=2026-02-01", "after it ends"),
        ("by=colour", "cannot mix voices by 'colour'"),
    ],
)
def test_a_bad_filter_is_a_422_that_names_it(database: Database, tmp_path: Path, query: str, named: str) -> None:
    add_users(database)
    with web_client(database, tmp_path) as client:
        log_in(client, "analyst")
        answer = client.get(f"/api/insight/mix?{query}")
        assert answer.status_code == 422 and named in answer.json()["detail"], answer.text
        assert client.get("/api/insight/voices?from=1%20mars").status_code == 422
        assert client.get("/api/insight/voices?limit=501").status_code == 422


def test_the_voices_behind_are_masked_for_analysts(database: Database, tmp_path: Path) -> None:
    add_users(database)
    ids = build_store(database)
    with web_client(database, tmp_path) as client:
        log_in(client, "analyst")
        masked = get(client, "voices", flag="expectation_gap")
        board = get(client, "dashboard")
        log_in(client, "agent")
        whole = get(client, "voices", flag="expectation_gap")
    text = json.dumps(masked, ensure_ascii=False)
    assert PHONE not in text and NAME not in text and "@example.com" not in text
    assert {voice["customer"] for voice in masked["voices"]} == {None}
    by_id = {voice["voice_id"]: voice["text"] for voice in masked["voices"]}
    assert "[phone]" in by_id[ids["sv1"]] and "[name]" in by_id[ids["da1"]]
    assert whole["total"] == masked["total"] == 3
    assert {voice["customer"] for voice in whole["voices"]} == {"sv1@example.com", "da1@example.com", "en1@example.com"}
    assert PHONE in {voice["voice_id"]: voice["text"] for voice in whole["voices"]}[ids["sv1"]]
    # A quote names nobody, whoever reads the dashboard.
    quotes = json.dumps(board["gaps"], ensure_ascii=False)
    assert PHONE not in quotes and NAME not in quotes and "[name]" in quotes


def test_the_insight_routes_are_documented_and_need_a_login(database: Database, tmp_path: Path) -> None:
    add_users(database)
    with web_client(database, tmp_path) as client:
        for name in ENDPOINTS:
            assert client.get(f"/api/insight/{name}").status_code == 401
        log_in(client, "analyst")
        document = client.get("/openapi.json").json()
    for name in ENDPOINTS:
        operation = document["paths"][f"/api/insight/{name}"]["get"]
        parameters = {parameter["name"] for parameter in operation["parameters"]}
        assert {"from", "to", "channel", "company", "industry", "language", "segment"} <= parameters, name
        assert {"act", "emotion", "topic", "flag", "sentiment", "wish_theme"} <= parameters, name
        schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
        assert schema["$ref"].startswith("#/components/schemas/"), name
    assert "DashboardPublic" in document["components"]["schemas"]
