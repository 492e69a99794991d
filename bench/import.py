"""Import benchmark: voices per second and peak memory, end to end through `ombud import`.

    python bench/import.py                 # 100,000 and 1,000,000 voices, SQLite and PostgreSQL
    python bench/import.py --sizes 100000 --databases sqlite

Each run is a fresh process importing a freshly generated CSV into a fresh
database; peak memory is the largest resident set size of that process and its
reader process, CPU seconds are theirs together (user and system), which tells
more than the wall time when other work shares the machine.
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
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

POSTGRES_SERVER = os.environ.get("OMBUD_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
OPENINGS = ["Hej!", "Hei,", "Hej", "Hello,", "Morn.", "Godmorgen", "", "", ""]
BODIES = [
    "Paketet kom tre veckor för sent och ingen svarade på mina mejl.",
    "Det hadde vært fint med en app der man kan se fakturaen.",
    "Eg vil gjerne at de har ope på søndagar.",
    "Pakken kom aldrig, og kundeservice var uhøflige.",
    "Great service, the staff were really helpful!",
    "Varför kan man inte betala med Swish?",
    "Jeg sier opp abonnementet om dette ikke blir fikset.",
    "Tack för snabb hjälp med kortet.",
]
ENDINGS = ["Mvh Kari", "/Anna", "Hilsen Jens", "", "", "Ordernr 123456"]


def generate(path: Path, count: int, seed: int = 7) -> None:
    randomness = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as file:
        file.write("Svar-ID;Datum;E-post;Telefon;Kommentar;Betyg\r\n")
        for number in range(count):
            body = " ".join(
                part
                for part in (
                    randomness.choice(OPENINGS),
                    randomness.choice(BODIES),
                    randomness.choice(BODIES),
                    randomness.choice(ENDINGS),
                )
                if part
            )
            day = 1 + number % 28
            month = 1 + (number // 28) % 12
            customer = randomness.randrange(count // 3 + 1)
            file.write(
                f"{number};{day:02d}.{month:02d}.2026 {number % 24:02d}:{number % 60:02d};"
                f'kund{customer}@example.com;070{customer:07d};"{body} (#{number})";{1 + number % 5}\r\n'
            )


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


def run_import(export: Path, url: str) -> tuple[float, float, float, str]:
    # Create the schema first, so that the timing is the import alone.
    subprocess.run([sys.executable, "-m", "ombud", "db", "upgrade", "--db", url], check=True, capture_output=True)
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "ombud", "import", str(export), "--db", url, "--allow-errors"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, "COLUMNS": "120"},
    )
    output = process.stdout.read().decode() if process.stdout else ""
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"the import failed:\n{output}")
    return seconds, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime, output


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each size and database")
    arguments = parser.parse_args()
    print(f"{'voices':>10} {'database':<11} {'seconds':>8} {'voices/s':>10} {'peak MB':>8} {'CPU s':>6}")
    with tempfile.TemporaryDirectory(prefix="ombud-bench-") as folder_name:
        folder = Path(folder_name)
        for size in (int(value) for value in arguments.sizes.split(",")):
            export = folder / f"voices-{size}.csv"
            generate(export, size)
            for _ in range(arguments.repeat):
                for kind in arguments.databases.split(","):
                    url, name = fresh_database(kind, folder)
                    try:
                        seconds, peak, cpu, _ = run_import(export, url)
                    finally:
                        drop_database(name)
                    print(
                        f"{size:>10,} {kind:<11} {seconds:>8.1f} {size / seconds:>10,.0f} {peak:>8.0f} {cpu:>6.1f}",
                        flush=True,
                    )


if __name__ == "__main__":
    main()
