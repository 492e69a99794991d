"""The command line: ombud import, ombud db upgrade, exit codes and error reports."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from sqlalchemy import func, select
from typer.testing import CliRunner

from ombud.cli import app
from ombud.store import Voice, open_database
from ombud.store.database import head_revision


def write_export(path: Path) -> Path:
    path.write_bytes(
        (
            "Datum;E-post;Kommentar\r\n"
            "2026-01-01 10:00;a@example.com;Öppna på söndagar!\r\n"
            "not a date;b@example.com;Fel\r\n"
            "2026-01-03 12:00;c@example.com;Tack för hjälpen\r\n"
        ).encode("cp1252")
    )
    return path


def said(result) -> str:
    """What a command printed, with Rich's line wrapping undone."""
    return " ".join(result.output.split())


def count(url: str) -> int:
    database = open_database(url)
    with database.session() as session:
        total = session.scalar(select(func.count()).select_from(Voice)) or 0
    database.close()
    return total


def test_import_reports_errors_and_exits_nonzero(runner: CliRunner, database_url: str, tmp_path: Path) -> None:
    export = write_export(tmp_path / "export.csv")
    errors = tmp_path / "errors.jsonl"
    result = runner.invoke(app, ["import", str(export), "--db", database_url, "--errors", str(errors)])
    assert result.exit_code == 1, result.output
    assert "Import summary" in result.output
    assert "cannot read the date 'not a date'" in result.output
    assert [json.loads(line) for line in errors.read_text().splitlines()] == [
        {"file": str(export), "line": 3, "reason": "cannot read the date 'not a date'"}
    ]
    assert count(database_url) == 2


def test_allow_errors_and_csv_error_report(runner: CliRunner, database_url: str, tmp_path: Path) -> None:
    export = write_export(tmp_path / "export.csv")
    errors = tmp_path / "errors.csv"
    result = runner.invoke(
        app, ["import", str(export), "--db", database_url, "--errors", str(errors), "--allow-errors"]
    )
    assert result.exit_code == 0, result.output
    assert list(csv.reader(errors.open())) == [
        ["file", "line", "reason"],
        [str(export), "3", "cannot read the date 'not a date'"],
    ]
    again = runner.invoke(app, ["import", str(export), "--db", database_url, "--allow-errors"])
    assert again.exit_code == 0
    assert count(database_url) == 2


def test_map_channel_and_tag_options(runner: CliRunner, database_url: str, tmp_path: Path) -> None:
    export = tmp_path / "survey.csv"
    export.write_text("Svar;Kontakt\nBra app\tmen saknar Swish;k@example.com\n", encoding="utf-8")
    result = runner.invoke(
        app,
        [
            "import",
            str(export),
            "--db",
            database_url,
            "--map",
            "text=Svar,customer_email=Kontakt",
            "--channel",
            "enkät",
            "--tag",
            "company=Acme",
            "--tag",
            "segment=privat",
        ],
    )
    assert result.exit_code == 0, result.output
    database = open_database(database_url)
    with database.session() as session:
        voice = session.scalars(select(Voice)).one()
        assert (voice.channel, voice.meta) == ("survey", {"company": "Acme", "segment": "privat"})
    database.close()


def test_bad_options_are_explained(runner: CliRunner, tmp_path: Path) -> None:
    export = write_export(tmp_path / "export.csv")
    url = f"sqlite:///{tmp_path / 'x.db'}"
    result = runner.invoke(app, ["import", str(export), "--db", url, "--map", "text"])
    assert result.exit_code == 2
    assert "--map: 'text' is not FIELD=COLUMN" in result.output
    result = runner.invoke(app, ["import", str(export), "--db", url, "--map", "body=Kommentar"])
    assert "unknown field 'body'" in result.output
    result = runner.invoke(app, ["import", str(export), "--db", url, "--format", "xlsx"])
    assert result.exit_code == 2
    assert "choose one of auto, csv, eml, jsonl, mbox" in result.output


def test_missing_column_is_named_on_the_command_line(runner: CliRunner, tmp_path: Path) -> None:
    export = tmp_path / "x.csv"
    export.write_text("Datum;E-post\n2026-01-01;a@example.com\n", encoding="utf-8")
    result = runner.invoke(app, ["import", str(export), "--db", f"sqlite:///{tmp_path / 'x.db'}"])
    assert result.exit_code == 1
    assert "found no column with the customer's text" in said(result)


def test_unreachable_database(runner: CliRunner, tmp_path: Path) -> None:
    export = write_export(tmp_path / "export.csv")
    result = runner.invoke(app, ["import", str(export), "--db", f"sqlite:///{tmp_path / 'missing' / 'x.db'}"])
    assert result.exit_code == 2
    assert "does not exist" in said(result)
    assert "missing" in said(result)


def test_db_upgrade(runner: CliRunner, database_url: str) -> None:
    first = runner.invoke(app, ["db", "upgrade", "--db", database_url])
    assert first.exit_code == 0, first.output
    assert head_revision() in first.output
    second = runner.invoke(app, ["db", "upgrade", "--db", database_url])
    assert "up to date" in second.output


def test_unreachable_postgresql(runner: CliRunner) -> None:
    result = runner.invoke(app, ["db", "upgrade", "--db", "postgresql+psycopg://nobody:secret@127.0.0.1:1/none"])
    assert result.exit_code == 2
    assert "cannot open the database" in said(result)
    assert "secret" not in result.output


def test_database_from_environment(runner: CliRunner, tmp_path: Path, monkeypatch) -> None:
    url = f"sqlite:///{tmp_path / 'env.db'}"
    monkeypatch.setenv("OMBUD_DATABASE_URL", url)
    result = runner.invoke(app, ["import", str(write_export(tmp_path / "e.csv")), "--allow-errors"])
    assert result.exit_code == 0, result.output
    assert count(url) == 2


def test_imports_lists_runs_and_shows_their_errors(runner: CliRunner, database_url: str, tmp_path: Path) -> None:
    export = write_export(tmp_path / "export.csv")
    runner.invoke(app, ["import", str(export), "--db", database_url, "--allow-errors"])
    listing = runner.invoke(app, ["imports", "--db", database_url])
    assert listing.exit_code == 0, listing.output
    assert "completed" in listing.output
    import_id = said(listing).split("│")[1].strip()
    shown = runner.invoke(app, ["imports", "--show", import_id, "--db", database_url])
    assert shown.exit_code == 0, shown.output
    assert "cannot read the date 'not a date'" in said(shown)
    missing = runner.invoke(app, ["imports", "--show", "999", "--db", database_url])
    assert missing.exit_code == 2
    assert "there is no import 999" in said(missing)
