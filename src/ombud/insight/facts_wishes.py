"""The wish facts: each wish of the wish board with its voice's period and places (``wish_facts``).

A wish fact is written from the wish and its voice's fact in one INSERT … SELECT, when the wish is added or its
voice's fact is written again; it goes when the wish goes or its voice's fact does (a re-reading). A trigger
moves it with its wish when themes are merged or split (migration 0005).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, exists, insert, select
from sqlalchemy.orm import Session

from ombud.store.models import VoiceFact, Wish, WishFact, wish_facts_table

PLACE_COLUMNS = ("local_day", "local_month", "channel", "company", "industry", "segment", "language")


def write_wish_facts(session: Session, which: ColumnElement[bool] | None = None) -> int:
    """Write the facts of the wishes that have none (of those ``which`` picks); returns how many."""
    query = (
        select(Wish.id, Wish.voice_id, Wish.theme_id, Wish.customer_id, *(getattr(VoiceFact, c) for c in PLACE_COLUMNS))
        .join(VoiceFact, VoiceFact.voice_id == Wish.voice_id)
        .where(~exists().where(WishFact.wish_id == Wish.id))
    )
    if which is not None:
        query = query.where(which)
    result: Any = session.connection().execute(
        insert(wish_facts_table)
        .from_select(["wish_id", "voice_id", "theme_id", "customer_id", *PLACE_COLUMNS], query)
        .execution_options(preserve_rowcount=True)
    )
    return int(result.rowcount or 0)
