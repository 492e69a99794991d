"""Voices as agents and analysts look them up: the list, newest first, narrowed by channel, language, act,
emotion and flag; and one voice with what ombud read in it and the case it belongs to."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, exists, func, select
from sqlalchemy.orm import Session, selectinload

from ombud.errors import OmbudError
from ombud.loop.case_views import VoiceView, _voice_view, check_reading_names, reading_conditions
from ombud.store.models import CaseVoice, Customer, SentenceAnalysisRow, Voice, VoiceAnalysis


class VoiceError(OmbudError):
    """No such voice, or a filter that names an unknown act, emotion or flag."""


@dataclass(frozen=True)
class VoiceFilter:
    channel: str | None = None
    language: str | None = None  # as read
    act: str | None = None  # in any sentence
    emotion: str | None = None
    flag: str | None = None
    customer_id: int | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        check_reading_names(self.act, self.emotion, self.flag, VoiceError)
        conditions: list[ColumnElement[bool]] = []
        if self.channel is not None:
            conditions.append(Voice.channel == self.channel)
        if self.customer_id is not None:
            conditions.append(Voice.customer_id == self.customer_id)
        if self.act is not None:
            conditions.append(
                exists().where(SentenceAnalysisRow.voice_id == Voice.id, SentenceAnalysisRow.act == self.act)
            )
        read: list[ColumnElement[bool]] = []
        if self.language is not None:
            read.append(VoiceAnalysis.language == self.language)
        read += reading_conditions(self.emotion, self.flag)
        if read:
            conditions.append(exists().where(VoiceAnalysis.voice_id == Voice.id, *read))
        return conditions


@dataclass
class VoiceEntry:
    view: VoiceView
    case_id: int | None


@dataclass
class VoicePage:
    total: int
    voices: list[VoiceEntry]


def list_voices(session: Session, narrow: VoiceFilter | None = None, *, limit: int = 50, offset: int = 0) -> VoicePage:
    """The voices that fit ``narrow``, newest first, ``limit`` from ``offset``, with the total that fit."""
    conditions = (narrow or VoiceFilter()).conditions()
    total = int(session.scalar(select(func.count()).select_from(Voice).where(*conditions)) or 0)
    ids = list(
        session.scalars(
            select(Voice.id)
            .where(*conditions)
            .order_by(Voice.received_at.desc(), Voice.id.desc())
            .limit(limit)
            .offset(offset)
        )
    )
    return VoicePage(total=total, voices=voice_entries(session, ids))


def voice_entry(session: Session, voice_id: int) -> VoiceEntry:
    """One voice with its reading and its case; an unknown id is a VoiceError."""
    found = voice_entries(session, [voice_id])
    if not found:
        raise VoiceError(f"there is no voice {voice_id}")
    return found[0]


def voice_entries(session: Session, voice_ids: Sequence[int]) -> list[VoiceEntry]:
    """These voices (in this order; unknown ids left out) with their customers and identities, readings,
    sentences and cases: the same six queries for one voice or a page of them."""
    if not voice_ids:
        return []
    ids = list(dict.fromkeys(voice_ids))
    voices = {
        voice.id: voice
        for voice in session.scalars(
            select(Voice)
            .where(Voice.id.in_(ids))
            .options(selectinload(Voice.customer).selectinload(Customer.identities))
        )
    }
    analyses = {
        analysis.voice_id: analysis
        for analysis in session.scalars(select(VoiceAnalysis).where(VoiceAnalysis.voice_id.in_(ids)))
    }
    rows: dict[int, list[SentenceAnalysisRow]] = defaultdict(list)
    for row in session.scalars(
        select(SentenceAnalysisRow)
        .where(SentenceAnalysisRow.voice_id.in_(ids))
        .order_by(SentenceAnalysisRow.voice_id, SentenceAnalysisRow.position)
    ):
        rows[row.voice_id].append(row)
    cases = dict(
        session.execute(select(CaseVoice.voice_id, CaseVoice.case_id).where(CaseVoice.voice_id.in_(ids))).all()
    )
    return [
        VoiceEntry(
            view=_voice_view(voices[voice_id], analyses.get(voice_id), rows[voice_id]), case_id=cases.get(voice_id)
        )
        for voice_id in ids
        if voice_id in voices
    ]
