"""Insight benchmark: the dashboard's queries on a store of analysed voices, on SQLite and PostgreSQL.

    python bench/insight.py                      # 1,000,000 voices, SQLite and PostgreSQL
    python bench/insight.py --voices 50000 --databases sqlite
    python bench/insight.py --keep /tmp/insight  # keep the SQLite file (and the PostgreSQL database) for another run
    python bench/insight.py --reuse sqlite:////tmp/insight/insight-1000000.db   # time an existing store again

Each database gets a fresh store (bench/insight_data.py: bulk inserts, COPY on PostgreSQL) in a SQLite file of
a temporary folder or a PostgreSQL database of its own (created on --postgres-url, dropped afterwards). The
facts are then brought up to date as ombud does on first use (timed), and each dashboard query and the whole
``dashboard()`` is timed: cold is the first run on a new connection (SQLite's page cache and PostgreSQL's
backend are new; the operating system's file cache is not emptied), warm the median of --repeat runs after it.
The CPU column adds up the CPU seconds of this process and of PostgreSQL's backend in one more run with all the
work on one connection (the dashboard's queries one after the other, PostgreSQL's parallel workers off): what
the work takes on one idle core, whatever else the machine is doing. The PostgreSQL database is vacuumed and
analysed after the load, as autovacuum would.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).parent))

from insight_data import END, generate_store
from ombud.insight.barometer import barometer_from
from ombud.insight.dashboard import dashboard
from ombud.insight.facts import topic_bits, update_facts
from ombud.insight.filters import InsightFilter
from ombud.insight.gaps import add_quotes, gap_counts_from
from ombud.insight.periods import period_series
from ombud.insight.presence import feedback_coverage, presence_rows
from ombud.insight.scans import feelings, places, timeline
from ombud.insight.wish_demand import wish_demand
from ombud.settings import get_settings
from ombud.store import open_database

POSTGRES_SERVER = os.environ.get("OMBUD_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
NOW = END
EVERYTHING = InsightFilter()


def _quotes(session: Session) -> None:
    bits = topic_bits(session)
    add_quotes(session, EVERYTHING, gap_counts_from(feelings(session, EVERYTHING), bits), bits, 3)


def _barometer(session: Session) -> None:
    rows = timeline(session, EVERYTHING, "month")
    barometer_from(
        rows, "month", period_series(None, None, "month", (r.period for r in rows)), min_voices=30, resamples=1000
    )


QUERIES: dict[str, Callable[[Session], Any]] = {
    "facts up to date (nothing new)": lambda session: update_facts(session),
    "timeline: mix, flags, barometer by month": lambda session: timeline(session, EVERYTHING, "month"),
    "places: mix by channel, company, industry, language, segment": lambda session: places(session, EVERYTHING),
    "feelings: topic × emotion, × sentiment, gaps": lambda session: feelings(session, EVERYTHING),
    "gap quotes (feelings + 3 quotes per topic)": _quotes,
    "top 10 wish themes with their trend": lambda session: wish_demand(session, EVERYTHING, refresh=False),
    "presence by channel": lambda session: presence_rows(session, EVERYTHING, NOW),
    "feedback coverage": lambda session: feedback_coverage(session, EVERYTHING),
    "barometer (timeline + bootstrap)": _barometer,
    "dashboard(), queries one after the other": lambda session: dashboard(session, now=NOW, workers=1),
    "dashboard(), two queries at once (the default)": lambda session: dashboard(session, now=NOW),
}


def fresh_database(kind: str, folder: Path, voices: int, server: str) -> tuple[str, str | None]:
    if kind == "sqlite":
        return f"sqlite:///{folder / f'insight-{voices}-{uuid.uuid4().hex[:6]}.db'}", None
    name = f"ombud_bench_insight_{uuid.uuid4().hex[:8]}"
    engine = create_engine(server, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return make_url(server).set(database=name).render_as_string(hide_password=False), name


def drop_database(server: str, name: str | None) -> None:
    if name:
        engine = create_engine(server, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


def build(url: str, voices: int) -> None:
    database = open_database(url)
    try:
        started = time.perf_counter()
        sizes = generate_store(database, voices, on_step=lambda step: print(f"  writing {step}…", flush=True))
        print(f"  store written in {time.perf_counter() - started:.0f} s: {sizes}", flush=True)
        started = time.perf_counter()
        with database.session() as session:
            report = update_facts(session)
            session.commit()
        seconds = time.perf_counter() - started
        print(f"  facts written in {seconds:.0f} s ({report.readings / seconds:,.0f} voices/s): {report}", flush=True)
        if database.dialect == "postgresql":
            # What autovacuum does after a bulk load: the planner learns the tables' sizes, and the index-only
            # scans the dashboard relies on need the visibility map.
            with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.exec_driver_sql("VACUUM ANALYZE")
    finally:
        database.close()


Timing = tuple[float, float, float]
TICK = os.sysconf("SC_CLK_TCK")


def _backend_cpu(session: Session) -> Callable[[], float]:
    """A clock of the CPU seconds the PostgreSQL backend of this session has used (0 for SQLite, whose work is
    this process's)."""
    if session.get_bind().dialect.name != "postgresql":
        return lambda: 0.0
    session.execute(text("SET max_parallel_workers_per_gather = 0"))  # all the work in the one backend
    stat = Path(f"/proc/{session.scalar(text('SELECT pg_backend_pid()'))}/stat")

    def used() -> float:
        fields = stat.read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK

    return used


def timed(url: str, query: Callable[[Session], Any], repeat: int) -> Timing:
    """Cold (first run on a new connection) and warm (median of ``repeat``) seconds; then the CPU seconds of
    one more run, with the dashboard's queries one after the other: this process and the PostgreSQL backend
    (without its parallel workers) together — what the run takes on one idle core."""
    database = open_database(url, upgrade=False)
    try:
        runs = []
        for _ in range(repeat + 1):
            with database.session() as session:
                started = time.perf_counter()
                query(session)
                runs.append(time.perf_counter() - started)
                session.rollback()
        with database.session() as session, _one_connection():
            server = _backend_cpu(session)
            before, used = server(), time.process_time()
            query(session)
            cpu = time.process_time() - used + server() - before
            session.rollback()
        return runs[0], statistics.median(runs[1:]), cpu
    finally:
        database.close()


@contextmanager
def _one_connection() -> Iterator[None]:
    """Run the dashboard's queries in the caller's session, so that one backend does all the work."""
    previous = os.environ.get("OMBUD_INSIGHT_WORKERS")
    os.environ["OMBUD_INSIGHT_WORKERS"] = "1"
    get_settings.cache_clear()
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("OMBUD_INSIGHT_WORKERS", None)
        else:
            os.environ["OMBUD_INSIGHT_WORKERS"] = previous
        get_settings.cache_clear()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--voices", type=int, default=1_000_000)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--postgres-url", default=POSTGRES_SERVER, help="server to create the benchmark database on")
    parser.add_argument("--repeat", type=int, default=5, help="warm runs of each query")
    parser.add_argument("--keep", type=Path, help="keep the stores, the SQLite file in this folder")
    parser.add_argument("--reuse", action="append", default=[], help="time this existing store instead (URL)")
    arguments = parser.parse_args()
    results: dict[str, dict[str, Timing]] = {}
    with tempfile.TemporaryDirectory(prefix="ombud-bench-insight-") as scratch:
        folder = arguments.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        targets = [(make_url(url).get_backend_name(), url, None) for url in arguments.reuse]
        if not targets:
            for kind in arguments.databases.split(","):
                url, name = fresh_database(kind, folder, arguments.voices, arguments.postgres_url)
                print(f"{kind}: {arguments.voices:,} voices", flush=True)
                build(url, arguments.voices)
                targets.append((kind, url, name))
        try:
            for kind, url, _ in targets:
                results[kind] = {}
                for label, query in QUERIES.items():
                    results[kind][label] = timed(url, query, arguments.repeat)
                    cold, warm, cpu = results[kind][label]
                    print(
                        f"  {kind:<10} {label:<62} cold {cold:6.3f} s  warm {warm:6.3f} s  cpu {cpu:6.3f} s", flush=True
                    )
        finally:
            if not arguments.keep:
                for _, _, name in targets:
                    drop_database(arguments.postgres_url, name)
    kinds = list(results)
    print(f"\n{arguments.voices:,} voices, {datetime.now(UTC):%Y-%m-%d}, median of {arguments.repeat} warm runs")
    print(f"| query | {' | '.join(f'{kind} cold s | {kind} warm s | {kind} CPU s, one core' for kind in kinds)} |")
    print(f"|---|{'---:|---:|---:|' * len(kinds)}")
    for label in QUERIES:
        cells = " | ".join("{:.3f} | {:.3f} | {:.3f}".format(*results[kind][label]) for kind in kinds)
        print(f"| {label} | {cells} |")
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
