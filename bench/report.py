"""How fast the dashboard page, the drill-down and the HTML report are, and how much memory the report takes, on a
store of --voices analysed voices (bench/insight_data.py), on SQLite and PostgreSQL.

    .venv/bin/python bench/report.py                        # 100,000 voices, SQLite and PostgreSQL
    .venv/bin/python bench/report.py --voices 20000 --databases sqlite
    .venv/bin/python bench/report.py --reuse sqlite:////tmp/insight/insight-1000000.db   # a store bench/insight.py kept

Times (median of --repeat runs after a first, cold one): ``dashboard()`` alone (the figures), the sections built
from them (every chart drawn, every table written), ``render_report()`` whole, the dashboard page, a drill-down
page and the drill-down API, in-process with FastAPI's TestClient. Memory is the peak of Python's allocations
while one report is rendered (tracemalloc), and the report's size.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).parent))

from insight import NOW, build, drop_database, fresh_database  # bench/insight.py
from ombud.access.users import add_user, find_user
from ombud.insight import dashboard
from ombud.insight.report import render_report
from ombud.insight.report_sections import sections
from ombud.locale import Translator
from ombud.settings import Settings
from ombud.store import open_database
from ombud.web import create_app

POSTGRES_SERVER = os.environ.get("OMBUD_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
PASSWORD = "benchmark password"
EMAIL = "bench-report@example.com"
console = Console()


def timed(run: Callable[[], Any], repeat: int) -> tuple[float, float]:
    """(cold, warm median) seconds."""
    runs = []
    for _ in range(repeat + 1):
        started = time.perf_counter()
        run()
        runs.append(time.perf_counter() - started)
    return runs[0], statistics.median(runs[1:])


def measure(url: str, repeat: int, folder: Path) -> list[tuple[str, str, str]]:
    database = open_database(url)
    rows: list[tuple[str, str, str]] = []
    try:
        with database.session() as session:
            if find_user(session, EMAIL) is None:
                add_user(session, EMAIL, role="agent", password=PASSWORD)
            session.commit()

        def in_session(work: Callable[[Any], Any]) -> Callable[[], Any]:
            def run() -> Any:
                with database.session() as session:
                    result = work(session)
                    session.rollback()
                return result

            return run

        t = Translator("sv")
        board_run = in_session(lambda session: dashboard(session, now=NOW))
        for name, run in (
            ("dashboard() (the figures)", board_run),
            ("dashboard() and its sections drawn", lambda: sections(board_run(), t)),
            ("render_report() (sv)", in_session(lambda session: render_report(session, None, "sv", now=NOW))),
        ):
            cold, warm = timed(run, repeat)
            rows.append((name, f"{cold:.2f}", f"{warm:.2f}"))
        with database.session() as session:
            tracemalloc.start()
            document = render_report(session, None, "sv", now=NOW)
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            session.rollback()
        rows.append(("report: peak Python memory, size", f"{peak / 2**20:.0f} MB", f"{len(document) / 1024:.0f} KB"))

        settings = Settings(database_url=url, upload_dir=str(folder / "uploads"))
        with TestClient(create_app(settings=settings, database=database)) as client:
            page = client.get("/login")
            token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
            client.post("/login", data={"email": EMAIL, "password": PASSWORD, "csrf_token": token})
            for name, path in (
                ("GET /dashboard", "/dashboard"),
                ("GET /dashboard?period=week&company=…", "/dashboard?period=week&company=Kvikk+Mobil"),
                ("GET /voices (complaints with anger)", "/voices?act=complaint&emotion=anger"),
                ("GET /api/insight/voices?topic=delivery&limit=50", "/api/insight/voices?topic=delivery&limit=50"),
                ("GET /api/insight/dashboard", "/api/insight/dashboard"),
            ):

                def get(path: str = path) -> None:
                    answer = client.get(path)
                    assert answer.status_code == 200, (path, answer.status_code, answer.text[:300])

                cold, warm = timed(get, repeat)
                rows.append((name, f"{cold:.2f}", f"{warm:.2f}"))
    finally:
        database.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--voices", type=int, default=100_000)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--postgres-url", default=POSTGRES_SERVER, help="server to create the benchmark database on")
    parser.add_argument("--repeat", type=int, default=3, help="warm runs of each")
    parser.add_argument("--reuse", action="append", default=[], help="time this existing store instead (URL)")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ombud-bench-report-") as temporary:
        folder = Path(temporary)
        stores: list[tuple[str, str, str | None]] = [(url.split(":", 1)[0], url, None) for url in arguments.reuse]
        if not stores:
            for kind in arguments.databases.split(","):
                url, name = fresh_database(kind, folder, arguments.voices, arguments.postgres_url)
                console.print(f"[bold]{kind}[/]: {arguments.voices:,} voices")
                build(url, arguments.voices)
                stores.append((kind, url, name))
        try:
            for kind, url, _ in stores:
                table = Table(title=f"{kind}: the dashboard, drill-down and report (seconds)")
                for column in ("what", "cold", "warm (median)"):
                    table.add_column(column, justify="left" if column == "what" else "right")
                for row in measure(url, arguments.repeat, folder):
                    table.add_row(*row)
                console.print(table)
        finally:
            for _, _, name in stores:
                drop_database(arguments.postgres_url, name)
    console.print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
