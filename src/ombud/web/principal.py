"""Who is asking: the user, how they proved it (a session cookie or an API token), and what follows for them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ombud.access.masking import Masker
from ombud.access.roles import Permission, can
from ombud.store.models import User


@dataclass
class Principal:
    user: User
    via: str  # "session" or "token"
    csrf_token: str | None = None  # the session's; None for API tokens

    @property
    def role(self) -> str:
        return self.user.role

    @property
    def sees_personal_data(self) -> bool:
        return can(self.user.role, Permission.PERSONAL_DATA)

    def can(self, permission: Permission) -> bool:
        return can(self.user.role, permission)

    def masker(self, name: str | None = None, identities: Iterable[tuple[str, str]] = ()) -> Masker | None:
        """A masker for one customer's data, or None when this user sees personal data."""
        return None if self.sees_personal_data else Masker.for_customer(name, identities)
