"""Insight results as the reader may see them: the voices behind a figure with their texts masked for analysts
(the stored personal-data spans, those found again, and the customer's own name and identities, as everywhere in
the web app), wish theme titles masked for analysts, and every quote masked for everyone (a quote names nobody)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ombud.access.masking import Masker, customer_maskers, stored_spans, theme_maskers
from ombud.insight import Dashboard, ExpectationGaps, VoicesPage, WishDemand
from ombud.insight.report_masking import mask_quotes, mask_titles, masked_title
from ombud.store.models import VoiceAnalysis, WishTheme
from ombud.web.principal import Principal


def shown_title(principal: Principal) -> Any:
    """How this reader sees a wish theme's title: as it is, or masked (analysts); titles masked already with
    their theme's customers (``mask_titles``) pass unchanged."""
    return str if principal.sees_personal_data else masked_title


def theme_title(session: Session, theme: WishTheme, principal: Principal) -> str:
    """One theme's title as this reader sees it: masked for analysts with the theme's customers too."""
    if principal.sees_personal_data:
        return theme.title
    return (theme_maskers(session, [theme.id]).get(theme.id) or Masker()).text(theme.title) or ""


def mask_board_titles(session: Session, board: Dashboard, principal: Principal) -> None:
    """The dashboard's wish theme titles masked for a reader who may not see personal data (in place)."""
    if not principal.sees_personal_data:
        mask_titles(session, board.wishes)


def mask_voices(session: Session, page: VoicesPage, principal: Principal) -> VoicesPage:
    """The page with its texts masked and its customers left out, for a reader who may not see personal data."""
    if principal.sees_personal_data or not page.voices:
        return page
    maskers = customer_maskers(session, {voice.customer_id for voice in page.voices})
    details: dict[int, dict[str, Any] | None] = dict(
        session.execute(
            select(VoiceAnalysis.voice_id, VoiceAnalysis.details).where(
                VoiceAnalysis.voice_id.in_([voice.voice_id for voice in page.voices])
            )
        ).all()
    )
    for voice in page.voices:
        spans = stored_spans(details.get(voice.voice_id))
        masker = maskers.get(voice.customer_id) or Masker()
        voice.text = masker.text(voice.text, spans, language=voice.language) or ""
        voice.customer = None
    return page


def voices_json(session: Session, page: VoicesPage, principal: Principal) -> dict[str, Any]:
    return mask_voices(session, page, principal).as_json()


def demand_json(session: Session, demand: WishDemand, principal: Principal) -> dict[str, Any]:
    if not principal.sees_personal_data:
        mask_titles(session, demand)
    document = demand.as_json()
    title = shown_title(principal)
    for theme in document["themes"]:
        theme["title"] = title(theme["title"])
    return document


def gaps_json(session: Session, gaps: ExpectationGaps) -> dict[str, Any]:
    mask_quotes(session, gaps)
    return gaps.as_json()


def dashboard_json(session: Session, board: Dashboard, principal: Principal) -> dict[str, Any]:
    mask_quotes(session, board.gaps)
    document = board.as_json()
    document["wishes"] = demand_json(session, board.wishes, principal)
    return document
