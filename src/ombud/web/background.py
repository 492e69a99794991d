"""What `ombud serve` does besides answering requests, each in a thread of its own, every
OMBUD_SERVE_INTERVAL_SECONDS:

- ``Delivery``: sends what the outbox queued (``deliver_due``, as `ombud send --loop`);
- ``Upkeep``: reads the voices not read yet, places new voices in cases and new wishes on the wish board —
  what `ombud analyze`, `ombud cases` and `ombud wishes` do before they show anything — and takes what changed
  into insight's facts, so the inbox, the wish board and the dashboard are current without anyone running
  those commands, and a large import's facts are written here rather than in the first dashboard request.
  An import finished in the web app wakes it.

Only one upkeep pass runs at a time in the process, so two passes never place the same voice twice.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from ombud.insight.facts import update_facts
from ombud.loop.cases import update_cases
from ombud.loop.delivery import deliver_due
from ombud.loop.wishes import update_themes
from ombud.store import Database
from ombud.understand.backlog import analyse_stored_voices
from ombud.understand.tiers import load_reader

log = logging.getLogger("ombud.serve")


@dataclass
class UpkeepReport:
    read: int
    cases_opened: int
    voices_placed: int
    wishes_added: int
    facts_written: int


def upkeep_pass(database: Database, *, tier: str | None = None) -> UpkeepReport:
    """One pass: read the unread voices with ``tier``, place voices in cases, wishes in themes, and bring
    insight's facts up to date."""
    read = analyse_stored_voices(database, load_reader(tier))
    with database.session() as session:
        cases = update_cases(session)
        session.commit()
        themes = update_themes(session)
        session.commit()
        facts = update_facts(session)
        session.commit()
    return UpkeepReport(read, cases.opened, cases.voices, themes.wishes_added, facts.readings + facts.wishes)


class Worker(threading.Thread):
    """Runs ``work`` every ``interval`` seconds (and at once when woken) until stopped."""

    def __init__(self, name: str, interval: float) -> None:
        super().__init__(name=name, daemon=True)
        self.interval = interval
        self.stopping = threading.Event()
        self.woken = threading.Event()

    def work(self) -> None:
        raise NotImplementedError

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                self.work()
            except Exception:  # a failed pass is logged and tried again next time; the server keeps serving
                log.exception("%s: the pass failed", self.name)
            self.woken.wait(self.interval)
            self.woken.clear()

    def wake(self) -> None:
        self.woken.set()

    def stop(self, timeout: float = 30.0) -> None:
        self.stopping.set()
        self.woken.set()
        if self.is_alive():
            self.join(timeout)


class Delivery(Worker):
    def __init__(self, database: Database, interval: float) -> None:
        super().__init__("delivery", interval)
        self.database = database

    def work(self) -> None:
        report = deliver_due(self.database, stop=self.stopping)
        if report.attempted or report.cancelled:
            log.info("delivery: %d sent, %d to retry, %d failed", report.sent, report.retrying, report.failed)
        if report.stopped:
            log.warning("delivery: %s", report.stopped)


class Upkeep(Worker):
    def __init__(self, database: Database, interval: float, tier: str | None = None) -> None:
        super().__init__("upkeep", interval)
        self.database = database
        self.tier = tier

    def work(self) -> None:
        report = upkeep_pass(self.database, tier=self.tier)
        if report.read or report.voices_placed or report.wishes_added:
            log.info(
                "upkeep: %d voices read, %d placed in cases (%d new), %d wishes on the board",
                report.read,
                report.voices_placed,
                report.cases_opened,
                report.wishes_added,
            )
