"""What `ombud serve` runs beside the app: the upkeep pass (read new voices, place them in cases) and the
worker threads, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from sqlalchemy import func, select

import case_factories
from ombud.store import Database
from ombud.store.models import CaseVoice, VoiceAnalysis, VoiceFact
from ombud.web.background import Upkeep, Worker, upkeep_pass

VOICES = {
    "sv": "Paketet kom aldrig fram. Varför svarar ingen?",
    "nb": "Pakken kom aldri. Hvorfor svarer ingen?",
    "nn": "Pakken kom aldri. Kvifor svarar ingen?",
    "da": "Pakken kom aldrig. Hvorfor svarer ingen?",
    "en": "The parcel never came. Why does nobody answer?",
}


def test_an_upkeep_pass_reads_new_voices_and_places_them_in_cases(database: Database) -> None:
    with database.session() as session:
        for number, (language, text) in enumerate(VOICES.items()):
            who = case_factories.customer(session, f"kund{number}@example.com", language=language)
            case_factories.voice(session, who, text, datetime(2026, 3, 2, 9, number, tzinfo=UTC))
        session.commit()
    report = upkeep_pass(database, tier="fast")
    assert (report.read, report.voices_placed, report.cases_opened) == (5, 5, 5)
    assert report.facts_written >= 5
    with database.session() as session:
        languages = list(session.scalars(select(VoiceAnalysis.language)))
        assert len(languages) == 5 and set(languages) <= {"sv", "nb", "nn", "da", "en"}
        assert session.scalar(select(func.count()).select_from(CaseVoice)) == 5
        assert session.scalar(select(func.count()).select_from(VoiceFact)) == 5
    again = upkeep_pass(database, tier="fast")
    assert (again.read, again.voices_placed, again.facts_written) == (0, 0, 0)


def test_a_worker_runs_when_woken_and_stops(database: Database) -> None:
    class Counting(Worker):
        def __init__(self) -> None:
            super().__init__("counting", interval=3600)
            self.passes = 0
            self.ran = threading.Event()

        def work(self) -> None:
            self.passes += 1
            self.ran.set()
            if self.passes == 1:
                raise RuntimeError("a failed pass is logged, not fatal")

    worker = Counting()
    worker.start()
    assert worker.ran.wait(5)
    worker.ran.clear()
    worker.wake()
    assert worker.ran.wait(5) and worker.passes == 2
    worker.stop()
    assert not worker.is_alive()
    upkeep = Upkeep(database, interval=3600, tier="fast")
    upkeep.start()
    upkeep.stop()
    assert not upkeep.is_alive()
