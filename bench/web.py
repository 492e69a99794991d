"""How fast the web app answers: the inbox, a case page, the case list and the voices of the API, on a store of
--cases cases (one read voice each), in-process with FastAPI's TestClient, on SQLite (and PostgreSQL with
--postgres-url). Prints the median and 90th percentile of --repeats requests per page.

    .venv/bin/python bench/web.py --cases 5000
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from rich.console import Console
from rich.progress import track
from rich.table import Table
from sqlalchemy import create_engine, text

from ombud.access.users import add_user
from ombud.settings import Settings
from ombud.store import open_database
from ombud.store.models import (
    Case,
    CaseVoice,
    Customer,
    CustomerIdentity,
    SentenceAnalysisRow,
    Voice,
    VoiceAnalysis,
)
from ombud.web import create_app

PASSWORD = "benchmark password"
TEXTS = {
    "sv": "Paketet kom aldrig fram. När kommer det? Jag önskar att ni svarade snabbare.",
    "nb": "Pakken kom aldri. Når kommer den? Det hadde vært fint om dere svarte raskere.",
    "nn": "Pakken kom aldri. Når kjem han? Eg skulle ønskje de svara raskare.",
    "da": "Pakken kom aldrig. Hvornår kommer den? I burde svare hurtigere.",
    "en": "The parcel never came. When will it come? I wish you answered faster.",
}
ACTS = ("complaint", "question", "wish")


def fill(url: str, cases: int) -> None:
    database = open_database(url)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    languages = list(TEXTS)
    with database.session() as session:
        add_user(session, "agent@example.com", role="agent", password=PASSWORD)
        for number in track(range(cases), description=f"{cases:,} cases"):
            language = languages[number % 5]
            body = TEXTS[language]
            customer = Customer(name=f"Kund {number}", preferred_language=language)
            session.add(customer)
            session.flush()
            session.add(CustomerIdentity(customer_id=customer.id, kind="email", value=f"k{number}@example.com"))
            at = start + timedelta(minutes=7 * number)
            voice = Voice(
                customer_id=customer.id,
                channel=("email", "chat", "review")[number % 3],
                received_at=at,
                text=body,
                content_hash=uuid.uuid4().hex,
                dedup_key=uuid.uuid4().hex,
                meta={},
            )
            session.add(voice)
            session.flush()
            bounds = [(match.start(), match.end()) for match in re.finditer(r"[^.?!]+[.?!]", body)]
            session.add(
                VoiceAnalysis(
                    voice_id=voice.id,
                    model="bench",
                    tier="fast",
                    language=language,
                    language_confidence=0.9,
                    dominant_act="complaint",
                    acts=list(ACTS),
                    sentiment="negative",
                    sentiment_score=-0.5,
                    emotions=["anger"] if number % 2 else [],
                    topics=["delivery"],
                    expectation_gap=False,
                    legal_claim=number % 10 == 0,
                    churn_risk=False,
                    details={"emotion_probabilities": {"anger": 0.8}, "flag_details": {}, "personal_data": []},
                    sentences=[
                        SentenceAnalysisRow(
                            position=position,
                            start=begin,
                            end=end,
                            language=language,
                            act=ACTS[position],
                            act_probability=0.9,
                            sentiment="negative",
                            sentiment_score=-0.5,
                            topics=["delivery"],
                        )
                        for position, (begin, end) in enumerate(bounds)
                    ],
                )
            )
            case = Case(
                customer_id=customer.id,
                channel=voice.channel,
                topic="delivery",
                language=language,
                status="open",
                priority=50,
                priority_reasons=[],
                reading_priority=40 + number % 30,
                opened_at=at,
                last_customer_at=at,
                first_response_due=at + timedelta(hours=24),
                unanswered_since=at,
            )
            session.add(case)
            session.flush()
            session.add(CaseVoice(voice_id=voice.id, case_id=case.id))
            if number % 500 == 499:
                session.commit()
        session.commit()
    database.close()


def measure(url: str, repeats: int, folder: Path) -> list[tuple[str, float, float]]:
    settings = Settings(database_url=url, upload_dir=str(folder / "uploads"))
    app = create_app(settings=settings)
    rows = []
    with TestClient(app) as client:
        page = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)[1]  # type: ignore[index]
        client.post("/login", data={"email": "agent@example.com", "password": PASSWORD, "csrf_token": token})
        for name, path in (
            ("inbox", "/inbox"),
            ("inbox, emotion and flag filter", "/inbox?emotion=anger&flag=legal_claim"),
            ("case page (with draft)", "/cases/7"),
            ("GET /api/cases", "/api/cases"),
            ("GET /api/voices", "/api/voices"),
        ):
            client.get(path)  # warm
            times = []
            for _ in range(repeats):
                began = time.perf_counter()
                answer = client.get(path)
                times.append((time.perf_counter() - began) * 1000)
                assert answer.status_code == 200, (path, answer.status_code)
            times.sort()
            rows.append((name, statistics.median(times), times[int(0.9 * (len(times) - 1))]))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=5000)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--postgres-url", default=None, help="a server to create and drop a database on")
    arguments = parser.parse_args()
    console = Console()
    with tempfile.TemporaryDirectory() as folder:
        targets = [("SQLite", f"sqlite:///{folder}/bench.db")]
        server = None
        if arguments.postgres_url:
            name = f"ombud_bench_{uuid.uuid4().hex[:8]}"
            server = create_engine(arguments.postgres_url, isolation_level="AUTOCOMMIT")
            with server.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
            targets.append(("PostgreSQL", server.url.set(database=name).render_as_string(hide_password=False)))
        try:
            for label, url in targets:
                fill(url, arguments.cases)
                table = Table(title=f"{label}, {arguments.cases:,} open cases, {arguments.repeats} requests each")
                for column in ("page", "median ms", "p90 ms"):
                    table.add_column(column, justify="left" if column == "page" else "right")
                for name, median, p90 in measure(url, arguments.repeats, Path(folder)):
                    table.add_row(name, f"{median:.1f}", f"{p90:.1f}")
                console.print(table)
        finally:
            if server is not None:
                with server.connect() as connection:
                    connection.execute(
                        text(f'DROP DATABASE IF EXISTS "{targets[-1][1].rsplit("/", 1)[1]}" WITH (FORCE)')
                    )
                server.dispose()


if __name__ == "__main__":
    main()
