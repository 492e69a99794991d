"""/api/voices on SQLite and PostgreSQL: a page of voices costs the same few queries however many voices it holds,
and says the same as one voice asked for alone (its reading, case and masking), in sv, nb, nn, da and en."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event

import reply_factories
from ombud.store import Database
from web_helpers import LANGUAGES, add_users, log_in, web_client

SENTENCES = {
    "sv": [("complaint", "Paketet kom aldrig fram."), ("question", "Ring mig på 070-123 45 67?")],
    "nb": [("complaint", "Pakken kom aldri."), ("wish", "Dere burde svare raskere, Kari.")],
    "nn": [("complaint", "Pakken kom aldri."), ("question", "Kvifor svarar de ikkje?")],
    "da": [("praise", "Tak for hjælpen."), ("wish", "I burde åbne om søndagen.")],
    "en": [("complaint", "The parcel never came."), ("question", "When will it come?")],
}


def build(database: Database, per_language: int) -> None:
    with database.session() as session:
        for number in range(per_language):
            for language in LANGUAGES:
                reply_factories.one_case(
                    session,
                    SENTENCES[language],
                    language=language,
                    name="Kari Nordmann",
                    email=f"kunde{number}.{language}@example.com",
                    emotions={"anger": 0.8},
                )
        session.commit()


@contextmanager
def counted(database: Database) -> Iterator[list[str]]:
    statements: list[str] = []

    def note(*arguments: Any) -> None:
        statements.append(str(arguments[2]))

    event.listen(database.engine, "before_cursor_execute", note)
    try:
        yield statements
    finally:
        event.remove(database.engine, "before_cursor_execute", note)


def test_a_page_of_voices_takes_the_same_few_queries_however_long(database: Database, tmp_path: Path) -> None:
    add_users(database)
    build(database, per_language=6)
    with web_client(database, tmp_path) as client:
        for role in ("agent", "analyst"):
            client.cookies.clear()
            log_in(client, role)
            client.get("/api/voices?limit=1")  # warm: the session row, the user
            costs = {}
            for limit in (1, 5, 30):
                with counted(database) as statements:
                    answer = client.get(f"/api/voices?limit={limit}")
                assert answer.status_code == 200 and len(answer.json()["voices"]) == limit
                costs[limit] = len(statements)
            assert costs[1] == costs[5] == costs[30], (role, costs)
            assert costs[30] <= 12, (role, costs)


def test_a_voice_in_a_page_reads_as_it_does_alone(database: Database, tmp_path: Path) -> None:
    add_users(database)
    build(database, per_language=1)
    with web_client(database, tmp_path) as client:
        for role in ("agent", "analyst"):
            client.cookies.clear()
            log_in(client, role)
            page = client.get("/api/voices?limit=50").json()
            assert page["total"] == 5 and len(page["voices"]) == 5
            for listed in page["voices"]:
                alone = client.get(f"/api/voices/{listed['id']}").json()
                assert listed == alone
                assert listed["case_id"] is not None and listed["reading"]["language"] in LANGUAGES
                sentences = [sentence["text"] for sentence in listed["reading"]["sentences"]]
                assert len(sentences) == 2
                if role == "analyst":
                    assert "070-123" not in str(listed) and "Kari" not in str(listed)
                    assert listed["reading"]["personal_data"] == []
            swedish = next(voice for voice in page["voices"] if voice["reading"]["language"] == "sv")
            shown = swedish["reading"]["sentences"][1]["text"]
            assert ("[phone]" in shown) == (role == "analyst") and ("070-123 45 67" in shown) == (role == "agent")
