"""The import page and API on SQLite and PostgreSQL: a file too large is refused with nothing kept; a Nordic
Excel CSV (cp1252, `;`) is previewed with its columns, its mapping can be changed, the import runs in the
background and ends with its row errors (file, line, reason)."""

from __future__ import annotations

import re
import time
from pathlib import Path
from unittest.mock import ANY

from fastapi.testclient import TestClient
from markupsafe import escape
from sqlalchemy import func, select

from ombud.locale import catalogue
from ombud.store import Database
from ombud.store.models import Import, Voice
from web_helpers import LANGUAGES, add_users, csrf_of, log_in, web_client

# A Nordic Excel export: cp1252, semicolons, the text in a column ombud would not guess, one row without a
# customer and one with an unreadable date.
ROWS = [
    "Datum;E-post;Namn;Fråga 3;Betyg",
    "2026-03-01 10:00;anna@example.se;Anna Åström;Leveransen var försenad – igen!;2",
    "2026-03-02 11:30;bo@example.se;Bo Ek;Öppna på söndagar, tack.;4",
    "2026-03-03 09:15;;Cecilia;Ingen e-post här;3",
    "igår;dag@example.se;Dag;Snälla svara på mitt mejl;1",
]
CSV = ("\r\n".join(ROWS) + "\r\n").encode("cp1252")


def wait_until_done(client: TestClient, key: str) -> dict[str, object]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        state = client.get(f"/api/imports/uploads/{key}").json()
        if state["state"] not in ("running", "waiting"):
            return state  # type: ignore[no-any-return]
        time.sleep(0.1)
    raise AssertionError("the import did not finish")


def test_a_cp1252_semicolon_csv_from_upload_to_report(database: Database, tmp_path: Path) -> None:
    add_users(database, language="sv")
    with web_client(database, tmp_path) as client:
        log_in(client, "agent")
        csrf = csrf_of(client, "/import")
        preview = client.post(
            "/import",
            data={"csrf_token": csrf, "channel": "survey", "company": "Testbutiken"},
            files={"file": ("kundenkät.csv", CSV, "text/csv")},
        )
        assert preview.status_code == 200, preview.text
        assert "csv" in preview.text and "cp1252" in preview.text and "semikolon" in preview.text
        assert 'data-test="mapping-problem"' in preview.text  # "Fråga 3" is no text column ombud knows
        assert "Leveransen var försenad – igen!" in preview.text  # read as cp1252, not mojibake
        key = re.search(r'action="/import/([0-9a-f]{32})/preview"', preview.text)[1]  # type: ignore[index]
        assert next(iter((tmp_path / "uploads" / key).iterdir())).name == "kundenkät.csv"

        mapped = client.post(
            f"/import/{key}/preview",
            data={"csrf_token": csrf, "map_text": "Fråga 3", "channel": "survey", "company": "Testbutiken"},
        )
        assert 'data-test="mapping-problem"' not in mapped.text
        assert re.search(
            r'<select name="map_customer_email"[^>]*>.*?<option value="E-post" selected>', mapped.text, re.S
        )
        assert re.search(r'<select name="map_text"[^>]*>.*?<option value="Fråga 3" selected>', mapped.text, re.S)
        mapping = re.search(r'name="mapping" value="([^"]+)"', mapped.text)[1]  # type: ignore[index]
        started = client.post(
            f"/import/{key}/run",
            data={
                "csrf_token": csrf,
                "mapping": mapping.replace("&#34;", '"'),
                "channel": "survey",
                "company": "Testbutiken",
            },
            follow_redirects=False,
        )
        assert started.status_code == 303 and started.headers["location"] == f"/import/{key}"
        state = wait_until_done(client, key)
        assert state["state"] == "completed", state
        run = state["run"]
        assert isinstance(run, dict)
        assert (run["rows_read"], run["voices_added"], run["error_count"]) == (4, 2, 2), state
        errors = state["errors"]
        assert isinstance(errors, list)
        assert [(error["file"], error["line"]) for error in errors] == [("kundenkät.csv", 4), ("kundenkät.csv", 5)]
        page = client.get(f"/import/{key}").text
        assert 'data-state="completed"' in page and "hx-get" not in page  # polling stops when it is done
        assert len(re.findall(r'data-test="import-error"', page)) == 2
        progress = client.get(f"/import/{key}/progress").text
        assert progress.startswith('<section id="import-progress"')
        assert "kundenkät.csv" in client.get("/import").text
    with database.session() as session:
        voices = session.scalars(select(Voice).order_by(Voice.id)).all()
        assert [voice.channel for voice in voices] == ["survey", "survey"]
        assert voices[0].text == "Leveransen var försenad – igen!" and voices[0].meta["company"] == "Testbutiken"


def test_a_file_too_large_is_refused_and_nothing_is_kept(database: Database, tmp_path: Path) -> None:
    add_users(database)
    with web_client(database, tmp_path, max_upload_mb=0.01) as client:
        log_in(client, "agent")
        csrf = csrf_of(client, "/import")
        big = CSV * 200
        page = client.post("/import", data={"csrf_token": csrf}, files={"file": ("stor.csv", big, "text/csv")})
        assert page.status_code == 413 and "The file is larger than 0.01 MB; nothing was stored." in page.text
        api = client.post(
            "/api/imports/uploads", files={"file": ("stor.csv", big, "text/csv")}, headers={"X-CSRF-Token": csrf}
        )
        assert api.status_code == 413 and "nothing was stored" in api.json()["detail"]
        assert "OMBUD_MAX_UPLOAD_MB" in api.json()["detail"]  # the API's English names the setting
        uploads = tmp_path / "uploads"
        assert not uploads.exists() or list(uploads.iterdir()) == []
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(Import)) == 0


def test_the_import_api(database: Database, tmp_path: Path) -> None:
    add_users(database)
    jsonl = "\n".join(
        [
            '{"text": "Hadde vært fint med en app.", "customer": {"email": "kari@example.no"}, "channel": "chat"}',
            '{"text": "Eg vil ha svar på e-posten min.", "customer": {"email": "ola@example.no"}}',
            "not json",
        ]
    ).encode()
    with web_client(database, tmp_path) as client:
        log_in(client, "agent")
        headers = {"X-CSRF-Token": csrf_of(client)}
        uploaded = client.post("/api/imports/uploads", files={"file": ("n.jsonl", jsonl)}, headers=headers)
        assert uploaded.status_code == 201, uploaded.text
        body = uploaded.json()
        assert body["preview"]["format"] == "jsonl" and body["preview"]["mapping"]["text"] == "text"
        assert [voice["customer"] for voice in body["preview"]["voices"][:2]] == ["kari@example.no", "ola@example.no"]
        empty = client.post("/api/imports/uploads", files={"file": ("e.csv", b"")}, headers=headers)
        assert empty.status_code == 422
        started = client.post(f"/api/imports/uploads/{body['upload']}/run", data={"channel": "email"}, headers=headers)
        assert started.status_code == 202
        state = wait_until_done(client, body["upload"])
        run = state["run"]
        assert isinstance(run, dict) and run["voices_added"] == 2 and run["error_count"] == 1
        listed = client.get("/api/imports").json()
        assert [item["id"] for item in listed] == [run["id"]]
        errors = client.get(f"/api/imports/{run['id']}/errors").json()
        assert errors == [
            {"file": "n.jsonl", "line": 3, "reason": errors[0]["reason"], "code": "json_invalid", "params": ANY}
        ]
        assert "JSON" in errors[0]["reason"] and errors[0]["params"]["column"] == 1
        assert client.get("/api/imports/uploads/" + "0" * 32).status_code == 404
        assert client.get("/api/imports/uploads/../../etc").status_code == 404


def test_the_import_pages_say_every_problem_in_the_readers_language(database: Database, tmp_path: Path) -> None:
    add_users(database, language="sv")
    with web_client(database, tmp_path) as client:
        log_in(client, "agent")
        csrf = csrf_of(client, "/import")
        preview = client.post(
            "/import", data={"csrf_token": csrf}, files={"file": ("kundenkät.csv", CSV, "text/csv")}
        ).text
        key = re.search(r'action="/import/([0-9a-f]{32})/preview"', preview)[1]  # type: ignore[index]
        mapped = client.post(f"/import/{key}/preview", data={"csrf_token": csrf, "map_text": "Fråga 3"}).text
        mapping = re.search(r'name="mapping" value="([^"]+)"', mapped)[1].replace("&#34;", '"')  # type: ignore[index]
        client.post(f"/import/{key}/run", data={"csrf_token": csrf, "mapping": mapping})
        assert wait_until_done(client, key)["state"] == "completed"
        for language in LANGUAGES:
            client.post("/language", data={"language": language, "csrf_token": csrf_of(client, "/import")})
            words = catalogue(language)
            preview = client.post(f"/import/{key}/preview", data={"csrf_token": csrf_of(client, "/import")}).text
            problem = re.search(r'data-test="mapping-problem">(.*?)</p>', preview, re.S)
            assert problem is not None and problem[1] == escape(words["problem.no_text_column"]), language
            assert words["import.delimiter.semicolon"] in preview
            assert "--map" not in preview and "COLUMN" not in preview  # never a command-line option
            page = client.get(f"/import/{key}").text
            shown = re.findall(r'data-test="import-error">.*?<td>([^<]*)</td></tr>', page, re.S)
            expected = [words["problem.no_customer"], words["problem.date_unreadable"].format(value="igår")]
            assert shown == [str(escape(text)) for text in expected], language
            if language != "en":
                for english in ("semicolon", "cannot read the date", "no customer:", "found no column"):
                    assert english not in preview + page, (language, english)
