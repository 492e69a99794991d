"""Read every stored voice not yet read, in batches, and keep what was read.

Each batch is committed on its own, so a stopped run keeps its work and the
next run takes up the voices still without an analysis. ``again`` re-reads
voices read by another model (after an upgrade, say).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, delete, func, select

from ombud.store import Database, Voice
from ombud.store.models import SentenceAnalysisRow, VoiceAnalysis
from ombud.understand.analysis import Analysis, analysis_json
from ombud.understand.reader import Reader

BATCH = 128


@dataclass
class BacklogProgress:
    done: int
    total: int


def _pending(reader: Reader, again: bool) -> ColumnElement[bool]:
    """Voices with no analysis, or (again) with one from another model."""
    read = select(VoiceAnalysis.voice_id)
    if again:
        read = read.where(VoiceAnalysis.model == reader.model.label)
    return Voice.id.not_in(read)


def count_unanalysed(database: Database, reader: Reader, *, again: bool = False) -> int:
    with database.session() as session:
        return int(session.scalar(select(func.count()).select_from(Voice).where(_pending(reader, again))) or 0)


def analyse_stored_voices(
    database: Database,
    reader: Reader,
    *,
    again: bool = False,
    batch_size: int = BATCH,
    on_progress: Callable[[BacklogProgress], None] | None = None,
) -> int:
    """Read the stored voices that need it; returns how many were read."""
    total = count_unanalysed(database, reader, again=again)
    done = 0
    last_id = 0
    while True:
        with database.session() as session:
            rows = session.execute(
                select(Voice.id, Voice.text)
                .where(_pending(reader, again), Voice.id > last_id)
                .order_by(Voice.id)
                .limit(batch_size)
            ).all()
            if not rows:
                break
            analyses = reader.analyze([text for _, text in rows])
            ids = [voice_id for voice_id, _ in rows]
            session.execute(delete(VoiceAnalysis).where(VoiceAnalysis.voice_id.in_(ids)))
            session.add_all(_row(voice_id, analysis) for voice_id, analysis in zip(ids, analyses, strict=True))
            session.commit()
        last_id = ids[-1]
        done += len(rows)
        if on_progress:
            on_progress(BacklogProgress(done, max(total, done)))
    return done


def _row(voice_id: int, analysis: Analysis) -> VoiceAnalysis:
    public = analysis_json(analysis)
    return VoiceAnalysis(
        voice_id=voice_id,
        model=analysis.model,
        tier=analysis.tier,
        language=analysis.language.language,
        language_confidence=analysis.language.confidence,
        dominant_act=analysis.dominant_act,
        acts=analysis.acts,
        sentiment=analysis.sentiment.label,
        sentiment_score=analysis.sentiment.score,
        emotions=analysis.present_emotions,
        topics=analysis.topics,
        expectation_gap=analysis.flags["expectation_gap"].present,
        legal_claim=analysis.flags["legal_claim"].present,
        churn_risk=analysis.flags["churn_risk"].present,
        details={
            key: public[key]
            for key in ("emotion_probabilities", "flag_details", "personal_data", "language_confidence")
        },
        sentences=[
            SentenceAnalysisRow(
                position=position,
                start=sentence.start,
                end=sentence.end,
                language=sentence.language.language,
                act=sentence.act,
                act_probability=sentence.act_probability,
                sentiment=sentence.sentiment.label,
                sentiment_score=sentence.sentiment.score,
                topics=sentence.topic_names,
            )
            for position, sentence in enumerate(analysis.sentences)
        ],
    )
