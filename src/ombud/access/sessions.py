"""Browser sessions. The cookie holds a random token; the store keeps only its SHA-256, so a copy of the database
logs nobody in. Each session has its own CSRF token for the forms of its pages, and ends at ``expires_at``
(OMBUD_SESSION_HOURS after login) or at logout, which deletes the row."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ombud.settings import get_settings
from ombud.store.models import User, WebSession
from ombud.store.types import utc_now

TOKEN_BYTES = 32
# last_seen_at is written at most this often, so reading pages does not write on every request.
SEEN_EVERY = timedelta(minutes=5)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class StartedSession:
    token: str  # goes into the cookie; never stored
    csrf_token: str
    expires_at: datetime


def start_session(
    session: Session, user: User, *, at: datetime | None = None, lifetime: timedelta | None = None
) -> StartedSession:
    """A new browser session for ``user``; the caller commits and sets the cookie."""
    now = at or utc_now()
    lifetime = lifetime or timedelta(hours=get_settings().session_hours)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    row = WebSession(
        token_hash=token_hash(token),
        user_id=user.id,
        csrf_token=secrets.token_urlsafe(TOKEN_BYTES),
        created_at=now,
        last_seen_at=now,
        expires_at=now + lifetime,
    )
    session.add(row)
    session.flush()
    return StartedSession(token=token, csrf_token=row.csrf_token, expires_at=row.expires_at)


def session_for_token(session: Session, token: str | None, *, at: datetime | None = None) -> WebSession | None:
    """The live session of a cookie's token with its user, or None (unknown, expired, or the user disabled).
    An expired session's row is deleted; the caller commits."""
    if not token:
        return None
    now = at or utc_now()
    row = session.get(WebSession, token_hash(token))
    if row is None:
        return None
    if row.expires_at <= now:
        session.delete(row)
        session.flush()
        return None
    if row.user.disabled_at is not None:
        return None
    if now - row.last_seen_at >= SEEN_EVERY:
        row.last_seen_at = now
    return row


def end_session(session: Session, token: str | None) -> bool:
    """Log out: delete the session's row. The caller commits."""
    if not token:
        return False
    result = session.execute(delete(WebSession).where(WebSession.token_hash == token_hash(token)))
    return bool(getattr(result, "rowcount", 0))


def end_sessions_of(session: Session, user_id: int) -> None:
    session.execute(delete(WebSession).where(WebSession.user_id == user_id))


def remove_expired(session: Session, *, at: datetime | None = None) -> int:
    """Delete every expired session; returns how many. The caller commits."""
    now = at or utc_now()
    expired = list(session.scalars(select(WebSession.token_hash).where(WebSession.expires_at <= now)))
    if expired:
        session.execute(delete(WebSession).where(WebSession.token_hash.in_(expired)))
    return len(expired)
