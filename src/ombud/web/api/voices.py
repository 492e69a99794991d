"""/api/voices: the stored voices with what ombud read in them (personal data masked for analysts)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from ombud.loop.voice_views import VoiceFilter, list_voices, voice_entry
from ombud.web.deps import Reader, SessionDep
from ombud.web.schemas.voices import VoicePublic, VoicesPublic
from ombud.web.views import voice_entry_json

router = APIRouter(prefix="/voices", tags=["voices"])


@router.get("", response_model=VoicesPublic)
def read_voices(
    session: SessionDep,
    principal: Reader,
    channel: str | None = None,
    language: str | None = None,
    act: str | None = None,
    emotion: str | None = None,
    flag: str | None = None,
    customer_id: int | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, object]:
    """Voices newest first, narrowed by channel, read language, act (any sentence), emotion or flag."""
    narrow = VoiceFilter(channel, language, act, emotion, flag, customer_id)
    page = list_voices(session, narrow, limit=limit, offset=offset)
    return {
        "total": page.total,
        "limit": limit,
        "offset": offset,
        "voices": [voice_entry_json(entry, principal) for entry in page.voices],
    }


@router.get("/{voice_id}", response_model=VoicePublic)
def read_voice(voice_id: int, session: SessionDep, principal: Reader) -> dict[str, object]:
    """One voice with its reading per sentence, its emotions and flags with their evidence, and its case."""
    return voice_entry_json(voice_entry(session, voice_id), principal)
