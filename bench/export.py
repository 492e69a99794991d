"""Export benchmark: rows per second and peak memory of `ombud export` at every level and in both formats.

    python bench/export.py                                  # 100,000 voices, SQLite and PostgreSQL
    python bench/export.py --voices 20000,100000 --databases sqlite

Rows per second leave out what a run costs before its first row (Python starting, the store opened), measured
by an export that matches nothing and printed first.

For each size and database it writes a fresh store with bulk inserts (COPY on PostgreSQL): customers with names
and e-mails, read voices in sv, nb, nn, da and en (a third with phones, e-mails or identity numbers in the text),
four sentences each, wish themes with their wishes and vectors, and cases. Then each export runs as its own
process (`ombud export …`, masked, as a user would run it); peak memory is that process's largest resident set
(VmHWM), so comparing sizes shows whether memory stays flat.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import Table, create_engine, text
from sqlalchemy.engine import make_url

from ombud.store import open_database
from ombud.store.bulk import insert_ignoring_conflicts
from ombud.store.models import (
    Case,
    CaseVoice,
    SentenceAnalysisRow,
    User,
    VoiceAnalysis,
    Wish,
    WishTheme,
    customers_table,
    identities_table,
    voices_table,
)

POSTGRES_SERVER = os.environ.get("OMBUD_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
BATCH = 20_000
# `ombud …` that tells its own peak resident memory when it ends. The process's own high-water mark (VmHWM), not
# ru_maxrss: on Linux that also counts the parent's memory at the fork, and this parent holds the store's plan.
MEASURED = """
import atexit, sys
def peak():
    with open("/proc/self/status") as status:
        kilobytes = next(line.split()[1] for line in status if line.startswith("VmHWM"))
    print(f"peak kB {kilobytes}", flush=True)
atexit.register(peak)
sys.argv[0] = "ombud"
from ombud.cli import app
app()
"""
START = datetime(2025, 1, 1, tzinfo=UTC)
SENTENCES = {
    "sv": ["Hej!", "Paketet kom tre veckor för sent.", "Jag önskar att ni hade öppet på söndagar.", "Mvh {name}"],
    "nb": ["Hei,", "Pakken kom aldri frem.", "Det hadde vært fint med Vipps i appen.", "Hilsen {name}"],
    "nn": ["Hei!", "Eg fekk aldri svar på e-posten.", "Eg vil gjerne ha ope på søndagar.", "Helsing {name}"],
    "da": ["Hej,", "Kundeservice var uhøflige.", "I burde sende en sms, når pakken er på vej.", "Mvh {name}"],
    "en": ["Hi,", "Great service, thanks!", "It would be nice to pay with Apple Pay.", "Best, {name}"],
}
ACTS = ["other", "complaint", "wish", "other"]
NAMES = ["Anna Berg", "Kari Nordmann", "Ola Vik", "Mette Hansen", "Priya Raman", "Lars Øster", "Åsa Ström"]
COMPANIES = ["Testbutiken", "Fjordbutikken", "Hjemmebutikken"]
CHANNELS = ["email", "chat", "review", "survey", "call_note"]


def _personnummer(randomness: random.Random) -> str:
    """A Swedish personnummer with a valid Luhn digit, so that the detection finds it."""
    digits = f"{randomness.randrange(50, 99):02d}{randomness.randrange(1, 13):02d}{randomness.randrange(1, 29):02d}"
    digits += f"{randomness.randrange(1000):03d}"
    total = 0
    for position, character in enumerate(digits):
        value = int(character) * (2 if position % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return f"{digits[:6]}-{digits[6:]}{(10 - total % 10) % 10}"


def _personal(randomness: random.Random, number: int) -> str:
    kind = number % 3
    if kind == 0:
        return f"Ring mig på 070-{randomness.randrange(100, 999)} {randomness.randrange(10, 99)} 67."
    if kind == 1:
        return f"Skriv till kund{number}@example.com."
    return f"Personnummer {_personnummer(randomness)}."


def generate(url: str, voices: int, seed: int = 11) -> None:
    """Fill the empty store at ``url`` with ``voices`` read voices and what goes with them."""
    database = open_database(url)
    randomness = random.Random(seed)
    customers = max(1, voices // 3)
    languages = list(SENTENCES)

    def write(table: Table, columns: list[str], rows: Any) -> None:
        batch: list[tuple[Any, ...]] = []
        key = [column.name for column in table.primary_key.columns]
        with database.engine.begin() as connection:
            for row in rows:
                batch.append(row)
                if len(batch) >= BATCH:
                    insert_ignoring_conflicts(connection, table, columns, batch, key, clashes_possible=False)
                    batch = []
            insert_ignoring_conflicts(connection, table, columns, batch, key, clashes_possible=False)

    write(
        customers_table,
        ["id", "name", "created_at", "contact_opt_out"],
        ((number, NAMES[number % len(NAMES)], START, False) for number in range(1, customers + 1)),
    )
    write(
        identities_table,
        ["id", "customer_id", "kind", "value"],
        ((number, number, "email", f"kund{number}@example.com") for number in range(1, customers + 1)),
    )
    plan = []
    for number in range(1, voices + 1):
        customer = randomness.randrange(1, customers + 1)
        language = languages[number % len(languages)]
        parts = [sentence.format(name=NAMES[customer % len(NAMES)]) for sentence in SENTENCES[language]]
        if number % 3 == 0:
            parts[1] += " " + _personal(randomness, number)
        at = START + timedelta(minutes=number * 5)
        plan.append((number, customer, language, parts, at))

    def voice_rows() -> Any:
        for number, customer, language, parts, at in plan:
            meta = {"company": COMPANIES[number % 3], "industry": "retail", "language": language}
            channel = CHANNELS[number % len(CHANNELS)]
            yield number, customer, channel, at, " ".join(parts), uuid.uuid4().hex, f"bench:{number}", meta, at

    write(
        voices_table,
        ["id", "customer_id", "channel", "received_at", "text", "content_hash", "dedup_key", "metadata", "created_at"],
        voice_rows(),
    )
    write(
        VoiceAnalysis.__table__,  # type: ignore[arg-type]
        [
            "voice_id",
            "model",
            "tier",
            "analysed_at",
            "language",
            "language_confidence",
            "dominant_act",
            "acts",
            "sentiment",
            "sentiment_score",
            "emotions",
            "topics",
            "expectation_gap",
            "legal_claim",
            "churn_risk",
            "details",
        ],
        (
            (
                number,
                "bench 1.0",
                "fast",
                at,
                language,
                0.9,
                "complaint",
                ["complaint", "wish"],
                "negative",
                -0.4,
                ["anger"] if number % 4 == 0 else [],
                ["delivery"],
                number % 7 == 0,
                False,
                number % 11 == 0,
                {"personal_data": []},
            )
            for number, _, language, _, at in plan
        ),
    )

    def sentence_rows() -> Any:
        identifier = 0
        for number, _, language, parts, _ in plan:
            start = 0
            for position, part in enumerate(parts):
                identifier += 1
                act = ACTS[position]
                yield identifier, number, position, start, start + len(part), language, act, 0.8, "neutral", 0.0, []
                start += len(part) + 1

    write(
        SentenceAnalysisRow.__table__,  # type: ignore[arg-type]
        [
            "id",
            "voice_id",
            "position",
            "start",
            "end",
            "language",
            "act",
            "act_probability",
            "sentiment",
            "sentiment_score",
            "topics",
        ],
        sentence_rows(),
    )
    themes = 60
    write(
        WishTheme.__table__,  # type: ignore[arg-type]
        ["id", "company", "title", "language", "status", "created_at", "updated_at"],
        ((number, COMPANIES[number % 3], f"Önskemål {number}", "sv", "new", START, START) for number in range(1, 61)),
    )
    vectors = np.random.default_rng(seed).standard_normal((themes, 384)).astype(np.float32)
    noise = np.random.default_rng(seed + 1)

    def wish_rows() -> Any:
        for number, customer, language, parts, at in plan:
            if number % 2 == 0:
                theme = 1 + (number // 2) % themes
                vector = vectors[theme - 1] + noise.standard_normal(384).astype(np.float32) * 0.3
                yield number, theme, number, 2, customer, parts[2], language, vector.tobytes(), at

    write(
        Wish.__table__,  # type: ignore[arg-type]
        ["id", "theme_id", "voice_id", "position", "customer_id", "text", "language", "vector", "created_at"],
        wish_rows(),
    )
    write(
        Case.__table__,  # type: ignore[arg-type]
        [
            "id",
            "customer_id",
            "channel",
            "status",
            "priority",
            "priority_reasons",
            "reading_priority",
            "opened_at",
            "last_customer_at",
            "reopened_count",
            "created_at",
            "updated_at",
        ],
        (
            (number, customer, "email", "open", 10, [], 10, at, at, 0, at, at)
            for number, customer, _, _, at in plan
            if number % 2 == 1
        ),
    )
    write(
        CaseVoice.__table__,  # type: ignore[arg-type]
        ["voice_id", "case_id", "added_at"],
        ((number, number, at) for number, _, _, _, at in plan if number % 2 == 1),
    )
    write(
        User.__table__,  # type: ignore[arg-type]
        ["id", "email", "role", "password_hash", "created_at"],
        iter([(1, "agent@example.org", "agent", "not a login", START)]),
    )
    database.close()


def fresh_database(kind: str, folder: Path) -> tuple[str, str | None]:
    if kind == "sqlite":
        return f"sqlite:///{folder / f'bench-{uuid.uuid4().hex[:8]}.db'}", None
    name = f"ombud_bench_{uuid.uuid4().hex[:8]}"
    server = create_engine(POSTGRES_SERVER, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    server.dispose()
    return make_url(POSTGRES_SERVER).set(database=name).render_as_string(hide_password=False), name


def drop_database(name: str | None) -> None:
    if name:
        server = create_engine(POSTGRES_SERVER, isolation_level="AUTOCOMMIT")
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


def run_export(url: str, level: str, out: Path, extra: list[str]) -> tuple[float, float, float, int]:
    """(seconds, peak MB, CPU seconds, rows) of one `ombud export` in a process of its own."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-c", MEASURED, "export", "--level", level, "--out", str(out), "--db", url, *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, "COLUMNS": "160"},
    )
    output = process.stdout.read().decode() if process.stdout else ""
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"the export failed:\n{output}")
    rows = int(output.split("Wrote ")[1].split()[0].replace(",", ""))
    peak = int(output.split("peak kB ")[1].split()[0]) / 1024
    return seconds, peak, usage.ru_utime + usage.ru_stime, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--voices", default="100000", help="store sizes, comma-separated")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--levels", default="voice,sentence,theme")
    parser.add_argument("--formats", default="csv,parquet")
    arguments = parser.parse_args()
    print(
        f"{'voices':>8} {'database':<10} {'level':<8} {'format':<18} {'rows':>9} {'seconds':>8} {'rows/s':>9} "
        f"{'peak MB':>8} {'CPU s':>6} {'file MB':>8}"
    )
    with tempfile.TemporaryDirectory(prefix="ombud-bench-export-") as folder_name:
        folder = Path(folder_name)
        for size in (int(value) for value in arguments.voices.split(",")):
            for kind in arguments.databases.split(","):
                url, name = fresh_database(kind, folder)
                try:
                    started = time.perf_counter()
                    generate(url, size)
                    print(f"# {size:,} voices written to {kind} in {time.perf_counter() - started:.0f} s", flush=True)
                    # What every run costs before its first row: starting Python, opening the store, no rows.
                    fixed, peak, cpu, _ = run_export(url, "voice", folder / "none.csv", ["--from", "2100-01-01"])
                    print(f"{size:>8,} {kind:<10} {'(none)':<8} {'csv':<18} {0:>9} {fixed:>8.1f} {'':>9} {peak:>8.0f}")
                    runs = [
                        (level, format_name, [])
                        for level in arguments.levels.split(",")
                        for format_name in arguments.formats.split(",")
                    ]
                    runs.append(("voice", "parquet", ["--with-personal-data", "--user", "agent@example.org"]))
                    for level, format_name, extra in runs:
                        out = folder / f"{level}.{format_name}"
                        seconds, peak, cpu, rows = run_export(url, level, out, extra)
                        label = format_name + (" (personal)" if extra else "")
                        print(
                            f"{size:>8,} {kind:<10} {level:<8} {label:<18} {rows:>9,} {seconds:>8.1f} "
                            f"{rows / max(seconds - fixed, 0.01):>9,.0f} {peak:>8.0f} {cpu:>6.1f} "
                            f"{out.stat().st_size / 1e6:>8.1f}",
                            flush=True,
                        )
                        out.unlink()
                finally:
                    drop_database(name)


if __name__ == "__main__":
    main()
