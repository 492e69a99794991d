"""API tokens: ``ombud_`` and 43 random characters, shown once when made and stored as a SHA-256 hash, with
their first characters to tell them apart; a request with one acts as its user. Revoked tokens stop at once."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ombud.errors import AuthenticationError, TokenError
from ombud.store.models import ApiToken, User
from ombud.store.types import utc_now

PREFIX = "ombud_"
SHOWN_CHARACTERS = 12  # of the token, kept to tell tokens apart in a list
BAD_TOKEN = "the API token is unknown or revoked"


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class CreatedToken:
    secret: str  # shown once; never stored
    token: ApiToken


def create_token(session: Session, user: User, name: str) -> CreatedToken:
    """A new token for ``user``; the caller commits and shows ``secret`` once."""
    label = name.strip()
    if not label:
        raise TokenError("give the token a name, to tell it apart (e.g. the system that uses it)")
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        name=label[:200],
        token_hash=_hash(secret),
        prefix=secret[:SHOWN_CHARACTERS],
        created_at=utc_now(),
    )
    session.add(token)
    session.flush()
    return CreatedToken(secret=secret, token=token)


def user_for_token(session: Session, secret: str, *, at: datetime | None = None) -> tuple[User, ApiToken]:
    """The user a token acts as, its last use noted; AuthenticationError for an unknown or revoked token or a
    disabled user. The caller commits."""
    token = session.scalars(select(ApiToken).where(ApiToken.token_hash == _hash(secret.strip()))).first()
    if token is None or token.revoked_at is not None or token.user.disabled_at is not None:
        raise AuthenticationError(BAD_TOKEN)
    token.last_used_at = at or utc_now()
    return token.user, token


def list_tokens(session: Session, user: User | None = None) -> list[ApiToken]:
    """Every token (of ``user``, when given), newest first."""
    query = select(ApiToken).order_by(ApiToken.id.desc())
    if user is not None:
        query = query.where(ApiToken.user_id == user.id)
    return list(session.scalars(query))


def get_token(session: Session, token_id: int) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None:
        raise TokenError(f"there is no API token {token_id}")
    return token


def revoke_token(session: Session, token: ApiToken, *, at: datetime | None = None) -> bool:
    """Revoke the token; False when it already was. The caller commits."""
    if token.revoked_at is not None:
        return False
    token.revoked_at = at or utc_now()
    session.flush()
    return True
