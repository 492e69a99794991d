"""`ombud export`: a thin command over the core, with its messages and exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from export_factories import CPR, ExportStore, build_store
from ombud.cli import app
from ombud.store import Database


@pytest.fixture
def out(tmp_path: Path) -> Path:
    folder = tmp_path / "exports"
    folder.mkdir()
    return folder


@pytest.fixture
def store(database: Database) -> ExportStore:
    with database.session() as session:
        return build_store(session)


def test_the_command_exports_with_a_progress_line_and_refuses_an_analyst(
    runner: CliRunner, database_url: str, database: Database, store: ExportStore, out: Path
) -> None:
    target = out / "themes.csv"
    done = runner.invoke(app, ["export", "--level", "theme", "--out", str(target), "--db", database_url])
    assert done.exit_code == 0, done.output
    assert "Wrote 2 theme rows" in done.output and "personal data masked" in done.output
    assert target.read_text(encoding="utf-8-sig").startswith("theme_id,company,title,")

    refused = out / "voices.parquet"
    arguments = ["export", "--out", str(refused), "--with-personal-data", "--user", "analyst@example.org"]
    result = runner.invoke(app, [*arguments, "--db", database_url])
    assert result.exit_code == 2
    assert "analyst, who sees personal data masked" in result.output
    assert not refused.exists()

    allowed = runner.invoke(
        app,
        [
            "export",
            "--out",
            str(out / "mine.csv"),
            "--with-personal-data",
            "--user",
            "agent@example.org",
            "--language",
            "da",
            "--db",
            database_url,
        ],
    )
    assert allowed.exit_code == 0, allowed.output
    assert "Wrote 1 voice rows" in allowed.output and "with personal data" in allowed.output
    assert CPR in (out / "mine.csv").read_text(encoding="utf-8-sig")

    bad_day = runner.invoke(app, ["export", "--out", str(out / "x.csv"), "--from", "31.1.2026", "--db", database_url])
    assert bad_day.exit_code == 2 and "YYYY-MM-DD" in bad_day.output
