"""Users: adding, listing and disabling them, and logging in with e-mail and password."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ombud.access.passwords import hash_password, needs_rehash, rehash, verify_password
from ombud.access.roles import ROLES
from ombud.errors import AuthenticationError, UserError
from ombud.store.models import User
from ombud.store.types import utc_now

LANGUAGES = ("sv", "nb", "nn", "da", "en")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
WRONG_LOGIN = "wrong e-mail or password"


def normalise_email(email: str) -> str:
    return email.strip().lower()


def _check(role: str | None, language: str | None) -> None:
    if role is not None and role not in ROLES:
        raise UserError(f"unknown role {role!r}: choose {', '.join(ROLES)}")
    if language is not None and language not in LANGUAGES:
        raise UserError(f"unknown language {language!r}: choose {', '.join(LANGUAGES)}")


def add_user(
    session: Session,
    email: str,
    *,
    role: str,
    password: str,
    name: str | None = None,
    language: str | None = None,
) -> User:
    """A new user with an Argon2 hash of ``password``; the caller commits."""
    address = normalise_email(email)
    if not _EMAIL.match(address):
        raise UserError(f"{email!r} is not an e-mail address")
    _check(role, language)
    if find_user(session, address) is not None:
        raise UserError(f"there is already a user {address}")
    user = User(
        email=address,
        name=(name or "").strip() or None,
        role=role,
        password_hash=hash_password(password),
        language=language,
        created_at=utc_now(),
    )
    session.add(user)
    session.flush()
    return user


def find_user(session: Session, email: str) -> User | None:
    return session.scalars(select(User).where(func.lower(User.email) == normalise_email(email))).first()


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise UserError(f"there is no user {user_id}")
    return user


def user_by_email(session: Session, email: str) -> User:
    user = find_user(session, email)
    if user is None:
        raise UserError(f"there is no user {normalise_email(email)}")
    return user


def list_users(session: Session, *, include_disabled: bool = True) -> list[User]:
    query = select(User).order_by(User.email)
    if not include_disabled:
        query = query.where(User.disabled_at.is_(None))
    return list(session.scalars(query))


def update_user(
    session: Session,
    user: User,
    *,
    role: str | None = None,
    name: str | None = None,
    language: str | None = None,
    password: str | None = None,
) -> User:
    """Change what is given; the caller commits."""
    _check(role, language)
    if role is not None:
        user.role = role
    if name is not None:
        user.name = name.strip() or None
    if language is not None:
        user.language = language
    if password is not None:
        user.password_hash = hash_password(password)
    session.flush()
    return user


def disable_user(session: Session, user: User, *, at: datetime | None = None) -> bool:
    """Disable the user and end their sessions (their tokens stop working too); False when already disabled."""
    from ombud.access.sessions import end_sessions_of

    if user.disabled_at is not None:
        return False
    user.disabled_at = at or utc_now()
    end_sessions_of(session, user.id)
    session.flush()
    return True


def enable_user(session: Session, user: User) -> bool:
    if user.disabled_at is None:
        return False
    user.disabled_at = None
    session.flush()
    return True


def authenticate(session: Session, email: str, password: str, *, at: datetime | None = None) -> User:
    """The active user with this e-mail and password; AuthenticationError otherwise, with one message whatever
    was wrong, after the same work (an Argon2 check) in every case. The caller commits (last login, rehash)."""
    user = find_user(session, email)
    matches = verify_password(user.password_hash if user is not None else None, password)
    if user is None or not matches or user.disabled_at is not None:
        raise AuthenticationError(WRONG_LOGIN)
    if needs_rehash(user.password_hash):
        user.password_hash = rehash(password)
    user.last_login_at = at or utc_now()
    session.flush()
    return user
