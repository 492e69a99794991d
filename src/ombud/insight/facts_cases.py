"""The presence columns of the voice facts, in step with the cases (loop/cases.py).

For each voice in a case: its case, and whether a response followed it (an ``answered`` or ``waiting`` event at
or after the time it came in: the definition of loop/presence.py). The voice that opened its case (the one that
came in at the case's ``opened_at``; the lowest id of a tie) also carries the case's first-response time in
whole minutes, its first-response deadline and whether it is resolved, so that the cases of a filter are the
cases its opening voices pick.

Cases change when agents answer them and when new voices join them; triggers note each change (migration
0005), and facts.update_facts works the presence of the case's voices out again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, bindparam, func, select, update
from sqlalchemy.orm import Session

from ombud.loop.case_actions import RESPONSE_EVENTS
from ombud.store.models import Case, CaseEvent, CaseVoice, Voice, voice_facts_table

CHUNK = 2_000


@dataclass(frozen=True)
class VoicePresence:
    case_id: int | None = None
    answered: bool = False
    opens_case: bool = False
    first_response_minutes: int | None = None
    first_response_due: datetime | None = None
    case_resolved: bool = False


NOT_IN_A_CASE = VoicePresence()


def _chunks(values: Sequence[int], size: int = CHUNK) -> Iterable[Sequence[int]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def among(column: Any, ids: Sequence[int]) -> ColumnElement[bool]:
    """``column`` is one of ``ids`` (sorted): a range when they lie close together, which the database reads
    straight off its index and SQLAlchemy need not write out as thousands of parameters (a run that takes in
    every reading); the caller leaves out the rows in the range that are not among the ids."""
    found: ColumnElement[bool] = (
        column.between(ids[0], ids[-1]) if ids and ids[-1] - ids[0] < 2 * len(ids) else column.in_(ids)
    )
    return found


def first_response_minutes(opened_at: datetime, first_response_at: datetime | None) -> int | None:
    """Whole minutes from the case's first voice to our first response, halves up; None before a response."""
    if first_response_at is None:
        return None
    seconds = max(0.0, (first_response_at - opened_at).total_seconds())
    return int(seconds / 60 + 0.5)


def case_presence(session: Session, case_ids: Sequence[int]) -> dict[int, VoicePresence]:
    """voice id → its presence columns, for every voice of the given cases (the opening voice is found among all
    of them, read or not)."""
    found: dict[int, VoicePresence] = {}
    for chunk in _chunks(sorted(set(case_ids))):
        wanted = set(chunk)
        cases = {
            row.id: row
            for row in session.connection().execute(
                select(Case.id, Case.opened_at, Case.first_response_at, Case.first_response_due, Case.status).where(
                    among(Case.id, chunk)
                )
            )
        }
        last_response: dict[int, datetime] = {
            case_id: at
            for case_id, at in session.connection().execute(
                select(CaseEvent.case_id, func.max(CaseEvent.at))
                .where(among(CaseEvent.case_id, chunk), CaseEvent.kind.in_(RESPONSE_EVENTS))
                .group_by(CaseEvent.case_id)
            )
        }
        voices: dict[int, list[tuple[int, datetime]]] = defaultdict(list)
        for case_id, voice_id, received_at in session.connection().execute(
            select(CaseVoice.case_id, Voice.id, Voice.received_at)
            .join(Voice, Voice.id == CaseVoice.voice_id)
            .where(among(CaseVoice.case_id, chunk))
        ):
            voices[case_id].append((voice_id, received_at))
        for case_id, members in voices.items():
            if case_id not in wanted:
                continue
            case = cases[case_id]
            answered_until = last_response.get(case_id)
            opening = min((voice_id for voice_id, at in members if at == case.opened_at), default=None)
            for voice_id, received_at in members:
                answered = answered_until is not None and answered_until >= received_at
                if voice_id == opening:
                    found[voice_id] = VoicePresence(
                        case_id,
                        answered,
                        True,
                        first_response_minutes(case.opened_at, case.first_response_at),
                        case.first_response_due,
                        case.status == "resolved",
                    )
                else:
                    found[voice_id] = VoicePresence(case_id, answered)
    return found


def store_presence(session: Session, presence: dict[int, VoicePresence]) -> None:
    if not presence:
        return
    session.connection().execute(
        update(voice_facts_table)
        .where(voice_facts_table.c.voice_id == bindparam("fact"))
        .values(
            case_id=bindparam("case"),
            answered=bindparam("answered"),
            opens_case=bindparam("opens"),
            first_response_minutes=bindparam("minutes"),
            first_response_due=bindparam("due", type_=voice_facts_table.c.first_response_due.type),
            case_resolved=bindparam("resolved"),
        ),
        [
            {
                "fact": voice_id,
                "case": value.case_id,
                "answered": value.answered,
                "opens": value.opens_case,
                "minutes": value.first_response_minutes,
                "due": value.first_response_due,
                "resolved": value.case_resolved,
            }
            for voice_id, value in presence.items()
        ],
    )
