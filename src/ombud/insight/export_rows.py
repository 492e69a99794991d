"""The rows of the voice and sentence levels, read from the store in batches of voices (by voice id).

Each batch is a few queries whatever its size, and nothing is kept from one batch to the next, so a million
voices stream in the memory of one batch. Rows are tuples in the order of export_columns.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ombud.access.masking import (
    NAME,
    Person,
    customer_identities,
    kinds_of,
    mask_of,
    masked,
    masked_part,
    personal_spans,
)
from ombud.capture.identity import identity_rank
from ombud.insight.export_filter import COMPANY, INDUSTRY, LANGUAGE, ExportFilter
from ombud.store.models import Case, CaseVoice, Customer, SentenceAnalysisRow, Voice, VoiceAnalysis

Row = tuple[Any, ...]
# Ids per IN (…) list: below SQLite's oldest limit of 999 bound parameters.
_CHUNK = 900


def count_voices(session: Session, export_filter: ExportFilter) -> int:
    query = select(func.count()).select_from(Voice).outerjoin(VoiceAnalysis, VoiceAnalysis.voice_id == Voice.id)
    return int(session.scalar(query.where(*export_filter.conditions())) or 0)


def count_sentences(session: Session, export_filter: ExportFilter) -> int:
    query = (
        select(func.count())
        .select_from(SentenceAnalysisRow)
        .join(VoiceAnalysis, VoiceAnalysis.voice_id == SentenceAnalysisRow.voice_id)
        .join(Voice, Voice.id == VoiceAnalysis.voice_id)
    )
    return int(session.scalar(query.where(*export_filter.conditions())) or 0)


def voice_rows(
    session: Session, export_filter: ExportFilter, *, personal_data: bool, batch_size: int
) -> Iterator[list[Row]]:
    """Batches of voice-level rows, in the order of voice ids."""
    last_id = 0
    while True:
        found = session.execute(
            select(
                Voice.id,
                Voice.received_at,
                Voice.channel,
                COMPANY,
                INDUSTRY,
                LANGUAGE,
                Voice.customer_id,
                Customer.name,
                Voice.text,
                Voice.subject,
                VoiceAnalysis.dominant_act,
                VoiceAnalysis.acts,
                VoiceAnalysis.sentiment,
                VoiceAnalysis.sentiment_score,
                VoiceAnalysis.emotions,
                VoiceAnalysis.topics,
                VoiceAnalysis.expectation_gap,
                VoiceAnalysis.legal_claim,
                VoiceAnalysis.churn_risk,
                CaseVoice.case_id,
                Case.status,
                VoiceAnalysis.model,
                VoiceAnalysis.details["personal_data"],
            )
            .join(Customer, Customer.id == Voice.customer_id)
            .outerjoin(VoiceAnalysis, VoiceAnalysis.voice_id == Voice.id)
            .outerjoin(CaseVoice, CaseVoice.voice_id == Voice.id)
            .outerjoin(Case, Case.id == CaseVoice.case_id)
            .where(*export_filter.conditions(), Voice.id > last_id)
            .order_by(Voice.id)
            .limit(batch_size)
        ).all()
        if not found:
            return
        last_id = found[-1][0]
        identities = customer_identities(session, sorted({row[6] for row in found}))
        people = {row[6]: Person(row[7], identities.get(row[6], [])) for row in found}
        yield [_voice_row(row, people[row[6]], personal_data) for row in found]


def _voice_row(row: Any, person: Person, personal_data: bool) -> Row:
    (voice_id, received_at, channel, company, industry, language, customer_id, name, text, subject) = row[:10]
    reading = tuple(row[10:22])
    kind, identity = _primary(person.identities)
    spans = personal_spans(text, language, person, row[22])
    subject_spans = personal_spans(subject, language, person)
    found_kinds = kinds_of(spans) + [kind for kind in kinds_of(subject_spans) if kind not in kinds_of(spans)]
    if not personal_data:
        identity = mask_of(kind) if identity is not None and kind is not None else None
        name = mask_of(NAME) if name else None
        text, subject = masked(text, spans), masked(subject, subject_spans)
    head = (voice_id, received_at, channel, company, industry, language, customer_id, kind, identity, name)
    return (*head, text, subject, found_kinds, *reading)


def _primary(identities: Sequence[tuple[str, str]]) -> tuple[str | None, str | None]:
    """The customer's e-mail, else phone, else customer number in another system, else any identity."""
    if not identities:
        return None, None
    return sorted(identities, key=lambda item: identity_rank(item[0]))[0]


def sentence_rows(
    session: Session, export_filter: ExportFilter, *, personal_data: bool, batch_size: int
) -> Iterator[list[Row]]:
    """Batches of sentence-level rows: the sentences of a batch of read voices, by voice id and position."""
    last_id = 0
    while True:
        voices = session.execute(
            select(
                Voice.id,
                Voice.received_at,
                Voice.channel,
                COMPANY,
                Voice.text,
                VoiceAnalysis.language,
                Voice.customer_id,
                Customer.name,
                VoiceAnalysis.details["personal_data"],
            )
            .join(VoiceAnalysis, VoiceAnalysis.voice_id == Voice.id)
            .join(Customer, Customer.id == Voice.customer_id)
            .where(*export_filter.conditions(), Voice.id > last_id)
            .order_by(Voice.id)
            .limit(batch_size)
        ).all()
        if not voices:
            return
        last_id = voices[-1][0]
        ids = [voice[0] for voice in voices]
        sentences = _sentences(session, ids)
        identities = {} if personal_data else customer_identities(session, sorted({voice[6] for voice in voices}))
        people = {voice[6]: Person(voice[7], identities.get(voice[6], [])) for voice in voices}
        batch: list[Row] = []
        for voice_id, received_at, channel, company, text, language, customer_id, _name, stored in voices:
            spans = [] if personal_data else personal_spans(text, language, people[customer_id], stored)
            for position, start, end, *reading in sentences.get(voice_id, []):
                part = text[start:end] if personal_data else masked_part(text, spans, start, end)
                batch.append((voice_id, position, received_at, channel, company, part, *reading))
        yield batch


def _sentences(session: Session, voice_ids: Sequence[int]) -> dict[int, list[Row]]:
    found: dict[int, list[Row]] = defaultdict(list)
    for start in range(0, len(voice_ids), _CHUNK):
        for row in session.execute(
            select(
                SentenceAnalysisRow.voice_id,
                SentenceAnalysisRow.position,
                SentenceAnalysisRow.start,
                SentenceAnalysisRow.end,
                SentenceAnalysisRow.language,
                SentenceAnalysisRow.act,
                SentenceAnalysisRow.act_probability,
                SentenceAnalysisRow.sentiment,
                SentenceAnalysisRow.sentiment_score,
                SentenceAnalysisRow.topics,
            )
            .where(SentenceAnalysisRow.voice_id.in_(voice_ids[start : start + _CHUNK]))
            .order_by(SentenceAnalysisRow.voice_id, SentenceAnalysisRow.position)
        ):
            found[row[0]].append(tuple(row[1:]))
    return found
