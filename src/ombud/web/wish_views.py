"""Wish themes as the reader may see them: the board, one theme with its demand, quotes and wishes, and the
feedback a status change would send (customers' identities and words masked for analysts)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from ombud.access.masking import Masker, theme_maskers
from ombud.capture.identity import EMAIL, identity_rank
from ombud.loop.feedback import FeedbackBatch
from ombud.loop.themes_changes import allowed_moves, theme_or_error
from ombud.loop.wishes import BoardEntry, representative_quotes, theme_demand
from ombud.store.models import Wish
from ombud.web.principal import Principal


def title_maskers(session: Session, theme_ids: list[int], principal: Principal | None) -> dict[int, Masker] | None:
    """How each theme's title is masked for this reader: a title is a customer's words, masked like them — with
    every customer of the theme by name and identities — for those who may not see personal data (else None)."""
    if principal is None or principal.sees_personal_data:
        return None
    return theme_maskers(session, theme_ids)


def _title(title: str, theme_id: int, maskers: dict[int, Masker] | None) -> str:
    if maskers is None:
        return title
    return (maskers.get(theme_id) or Masker()).text(title) or ""


def boards_json(
    session: Session, entries: list[BoardEntry], principal: Principal | None = None
) -> list[dict[str, Any]]:
    """The board's themes as the reader may see them."""
    maskers = title_maskers(session, [entry.theme.id for entry in entries], principal)
    return [board_json(entry, maskers) for entry in entries]


def board_json(entry: BoardEntry, maskers: dict[int, Masker] | None = None) -> dict[str, Any]:
    theme = entry.theme
    return {
        "id": theme.id,
        "title": _title(theme.title, theme.id, maskers),
        "company": theme.company,
        "status": theme.status,
        "customers": entry.customers,
        "wishes": entry.wishes,
    }


def _wish_json(wish: Wish, principal: Principal) -> dict[str, Any]:
    identities = sorted(wish.customer.identities, key=lambda i: (identity_rank(i.kind), i.id))
    first = identities[0] if identities else None
    masker = principal.masker(wish.customer.name, [(i.kind, i.value) for i in identities])
    customer = first.value if first is not None else None
    return {
        "id": wish.id,
        "voice_id": wish.voice_id,
        "customer_id": wish.customer_id,
        "customer": customer if masker is None or first is None else masker.identity(first.kind, customer),
        "language": wish.language,
        "text": wish.text if masker is None else masker.text(wish.text, language=wish.language),
    }


def theme_json(session: Session, theme_id: int, principal: Principal) -> dict[str, Any]:
    theme = theme_or_error(session, theme_id, open_only=False)
    demand = theme_demand(session, theme_id)
    wishes = sorted(theme.wishes, key=lambda wish: wish.id)
    quotes = representative_quotes(session, theme_id) if wishes else []
    return {
        "id": theme.id,
        "title": _title(theme.title, theme.id, title_maskers(session, [theme.id], principal)),
        "company": theme.company,
        "status": theme.status,
        "language": theme.language,
        "status_note": theme.status_note,
        "merged_into_id": theme.merged_into_id,
        "customers": demand.customers,
        "wishes": demand.wishes,
        "voices": demand.voices,
        "by_month": demand.by_month,
        "channels": demand.channels,
        "emotions": demand.emotions,
        "quotes": [_wish_json(wish, principal) for wish in quotes],
        "wish_list": [_wish_json(wish, principal) for wish in wishes],
        "changes": [
            {
                "id": change.id,
                "status_from": change.status_from,
                "status": change.status,
                "note": change.note,
                "actor": change.actor,
                "changed_at": change.changed_at.isoformat(),
            }
            for change in theme.changes
        ],
        "allowed_statuses": list(allowed_moves(theme.status)) if theme.merged_into_id is None else [],
    }


def feedback_json(batch: FeedbackBatch | None, principal: Principal) -> list[dict[str, Any]]:
    """The messages of a batch (an agent or admin sees them as they go out; others never reach here)."""
    if batch is None:
        return []
    masker = None if principal.sees_personal_data else Masker()
    return [
        {
            "customer_id": message.customer_id,
            "channel": message.channel,
            "recipient": message.recipient if masker is None else masker.identity(EMAIL, message.recipient),
            "language": message.language,
            "subject": message.subject,
            "body": message.body if masker is None else masker.text(message.body),
            "wishes": message.wishes,
        }
        for message in batch.messages
    ]
