"""The voices behind a figure: every voice an insight filter picks, newest first, a page at a time.

Every figure of the dashboard is a filter (a period's complaints, a topic's angry voices, a theme's wishes…),
so the same function lists the voices behind any of them. ``redact_personal_data`` masks personal data in the
texts and leaves the customer out, for people who may see the figures but not who said what (analysts).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from ombud.access.masking import Masker
from ombud.capture.identity import IDENTITY_KINDS
from ombud.errors import InsightError
from ombud.insight.facts import EMOTION_BITS, mask_names, update_facts
from ombud.insight.filters import InsightFilter, conditions
from ombud.store.models import CaseVoice, CustomerIdentity, Voice, VoiceFact

LARGEST_PAGE = 500
FLAG_NAMES = ("expectation_gap", "legal_claim", "churn_risk")


@dataclass
class VoiceBehind:
    voice_id: int
    received_at: datetime
    channel: str
    company: str | None
    customer_id: int
    customer: str | None  # the primary identity: e-mail, else phone, else id elsewhere; None when redacted
    language: str
    text: str
    dominant_act: str
    sentiment: str
    sentiment_score: float
    emotions: list[str]
    flags: list[str]
    case_id: int | None

    def as_json(self) -> dict[str, Any]:
        return {
            "voice_id": self.voice_id,
            "received_at": self.received_at.isoformat(),
            "channel": self.channel,
            "company": self.company,
            "customer_id": self.customer_id,
            "customer": self.customer,
            "language": self.language,
            "text": self.text,
            "dominant_act": self.dominant_act,
            "sentiment": self.sentiment,
            "sentiment_score": self.sentiment_score,
            "emotions": self.emotions,
            "flags": self.flags,
            "case_id": self.case_id,
        }


@dataclass
class VoicesPage:
    filter: InsightFilter
    total: int
    offset: int
    limit: int
    voices: list[VoiceBehind]

    def as_json(self) -> dict[str, Any]:
        return {
            "filter": self.filter.as_json(),
            "total": self.total,
            "offset": self.offset,
            "limit": self.limit,
            "voices": [voice.as_json() for voice in self.voices],
        }


def _primary_identity() -> Any:
    """The customer's first identity in IDENTITY_KINDS (then any), as a correlated subquery."""
    rank = case(
        *((CustomerIdentity.kind == kind, position) for position, kind in enumerate(IDENTITY_KINDS)),
        else_=len(IDENTITY_KINDS),
    )
    return (
        select(CustomerIdentity.value)
        .where(CustomerIdentity.customer_id == VoiceFact.customer_id)
        .order_by(rank, CustomerIdentity.id)
        .limit(1)
        .scalar_subquery()
    )


def voices_behind(
    session: Session,
    chosen: InsightFilter | None = None,
    *,
    limit: int = 50,
    offset: int = 0,
    redact_personal_data: bool = False,
    refresh: bool = True,
) -> VoicesPage:
    """The voices of ``chosen``, newest first: ``limit`` of them from ``offset``, and how many there are."""
    if not 1 <= limit <= LARGEST_PAGE:
        raise InsightError(f"a page holds 1 to {LARGEST_PAGE} voices, not {limit}")
    if offset < 0:
        raise InsightError(f"the offset cannot be negative ({offset})")
    chosen = chosen or InsightFilter()
    if refresh:
        update_facts(session)
    where = conditions(session, chosen, by_time=True)
    total = int(session.scalar(select(func.count()).select_from(VoiceFact).where(*where)) or 0)
    rows = session.execute(
        select(
            VoiceFact.voice_id,
            VoiceFact.received_at,
            VoiceFact.channel,
            VoiceFact.company,
            VoiceFact.customer_id,
            VoiceFact.language,
            VoiceFact.dominant_act,
            VoiceFact.sentiment,
            VoiceFact.sentiment_score,
            VoiceFact.emotion_mask,
            VoiceFact.expectation_gap,
            VoiceFact.legal_claim,
            VoiceFact.churn_risk,
            Voice.text,
            CaseVoice.case_id,
            _primary_identity().label("customer"),
        )
        .join(Voice, Voice.id == VoiceFact.voice_id)
        .outerjoin(CaseVoice, CaseVoice.voice_id == VoiceFact.voice_id)
        .where(*where)
        .order_by(VoiceFact.received_at.desc(), VoiceFact.voice_id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    voices = []
    for row in rows:
        text = row.text
        if redact_personal_data:
            text = Masker().text(text, language=row.language) or ""
        voices.append(
            VoiceBehind(
                voice_id=row.voice_id,
                received_at=row.received_at,
                channel=row.channel,
                company=row.company,
                customer_id=row.customer_id,
                customer=None if redact_personal_data else row.customer,
                language=row.language,
                text=text,
                dominant_act=row.dominant_act,
                sentiment=row.sentiment,
                sentiment_score=row.sentiment_score,
                emotions=mask_names(row.emotion_mask, EMOTION_BITS),
                flags=[name for name in FLAG_NAMES if getattr(row, name)],
                case_id=row.case_id,
            )
        )
    return VoicesPage(filter=chosen, total=total, offset=offset, limit=limit, voices=voices)
