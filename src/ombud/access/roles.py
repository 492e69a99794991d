"""Roles and what they allow.

- admin: everything, users and tokens of others included;
- agent: the inbox, cases, replies, the wish board, imports; sees personal data;
- analyst: reads voices, cases, the wish board and the insight, with personal data masked; changes nothing.
"""

from __future__ import annotations

from enum import StrEnum

from ombud.errors import PermissionDenied


class Permission(StrEnum):
    READ = "read"  # voices, cases, wish themes, insight
    PERSONAL_DATA = "personal_data"  # see e-mails, phones, names and identity numbers unmasked
    WORK = "work"  # answer, assign, change statuses, merge and split themes, import
    ADMINISTER = "administer"  # users, and the API tokens of others


ROLES: dict[str, frozenset[Permission]] = {
    "admin": frozenset(Permission),
    "agent": frozenset({Permission.READ, Permission.PERSONAL_DATA, Permission.WORK}),
    "analyst": frozenset({Permission.READ}),
}


def can(role: str, permission: Permission) -> bool:
    return permission in ROLES.get(role, frozenset())


def require(role: str, permission: Permission) -> None:
    """Raise PermissionDenied unless ``role`` carries ``permission``."""
    if not can(role, permission):
        raise PermissionDenied(f"the role {role!r} does not allow this ({permission.value})")
