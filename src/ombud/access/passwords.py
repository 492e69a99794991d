"""Passwords hashed with Argon2id (argon2-cffi's RFC 9106 parameters), checked in the same time whether or not
the user exists, so the time of an answer does not tell which e-mails have an account."""

from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from ombud.errors import UserError

MIN_LENGTH = 10

_hasher = PasswordHasher()


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """A hash to check against when there is no user, so that case costs as much as a wrong password."""
    return _hasher.hash("no user has this password, it is only checked to take time")


def check_strength(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise UserError(f"the password is too short: use at least {MIN_LENGTH} characters")


def hash_password(password: str) -> str:
    check_strength(password)
    return _hasher.hash(password)


def rehash(password: str) -> str:
    """A new hash of a password that was just checked against an older one (no strength rule: it is theirs)."""
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches ``stored_hash``; with no hash, a dummy is checked and False returned."""
    try:
        return _hasher.verify(stored_hash or _dummy_hash(), password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """Whether the hash was made with weaker parameters than today's (it is replaced at the next login)."""
    try:
        return _hasher.check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True
