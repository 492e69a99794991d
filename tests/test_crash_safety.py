"""A process killed halfway through an import and run again leaves every row exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text

from ombud.capture.history import recent_imports
from ombud.store import Voice, open_database

ROWS = 40_000


def write_big_csv(path: Path) -> None:
    with path.open("w", encoding="utf-8") as file:
        file.write("ID;Datum;E-post;Kommentar\n")
        for number in range(ROWS):
            file.write(
                f"{number};2026-0{1 + number % 9}-1{number % 10} 10:00;kund{number % 5000}@example.com;"
                f"Meddelande nummer {number}: leveransen var sen och jag vill ha SMS-avisering\n"
            )


def voices_in(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            exists = connection.execute(text("SELECT 1 FROM voices LIMIT 1")).first() is not None
            return connection.scalar(select(func.count()).select_from(Voice.__table__)) if exists else 0
    except Exception:
        return 0  # the schema is not there yet
    finally:
        engine.dispose()


def _children(pid: int) -> list[int]:
    found = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in found.read_text().split()] if found.exists() else []


def _wait_until_gone(pids: list[int], seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while any(Path(f"/proc/{pid}").exists() and "Z" not in _state(pid) for pid in pids):
        assert time.monotonic() < deadline, "the reader process outlived the killed import"
        time.sleep(0.1)


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1].split()[0]
    except (FileNotFoundError, IndexError):
        return "Z"


@pytest.mark.slow
def test_kill_halfway_then_rerun(database_url: str, tmp_path: Path) -> None:
    export = tmp_path / "big.csv"
    write_big_csv(export)
    open_database(database_url).close()
    command = [sys.executable, "-m", "ombud", "import", str(export), "--db", database_url]
    # A reader process of its own, as large files get: the kill must not leave it behind either.
    environment = {**os.environ, "OMBUD_IMPORT_BATCH_SIZE": "500", "OMBUD_READER_PROCESS_MIN_BYTES": "0"}
    process = subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while voices_in(database_url) < 2_000:
        assert process.poll() is None, "the import ended before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.05)
    children = _children(process.pid)
    assert children, "the import should read in a child process"
    process.send_signal(signal.SIGKILL)
    process.wait()
    _wait_until_gone(children)
    halfway = voices_in(database_url)
    assert 0 < halfway < ROWS, "kill it while it is working"

    rerun = subprocess.run(command, env=environment, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr

    database = open_database(database_url)
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(Voice)) == ROWS
        assert session.scalar(select(func.count(func.distinct(Voice.external_id)))) == ROWS
    assert [run.status for run in recent_imports(database)] == ["completed", "interrupted"]
    database.close()
