"""How many voices there are, by channel, company, industry or language."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ombud.store.models import Voice

# What voices can be counted by: a column, or a key of their metadata.
COUNTABLE: dict[str, Any] = {
    "channel": Voice.channel,
    "company": Voice.meta["company"].as_string(),
    "industry": Voice.meta["industry"].as_string(),
    "language": Voice.meta["language"].as_string(),
}


def voice_counts(session: Session, by: str) -> list[tuple[str, int]]:
    """(value, number of voices) for each value of ``by``, most voices first; no value is "(none)"."""
    if by not in COUNTABLE:
        raise ValueError(f"cannot count voices by {by!r}; choose one of {', '.join(COUNTABLE)}")
    key = COUNTABLE[by]
    rows = session.execute(select(key, func.count()).group_by(key).order_by(func.count().desc(), key))
    return [(value if value is not None else "(none)", count) for value, count in rows]
