"""access: the people who use ombud — users with roles, Argon2 passwords, browser sessions, API tokens, and what
each role may see and do. Plain functions over the store; the web app and the CLI call them.

- ``roles``: the three roles and the permissions they carry;
- ``passwords``: Argon2id hashing and a check that takes the same time whether or not the user exists;
- ``users``: adding, listing, disabling users, and logging in;
- ``sessions``: browser sessions, kept as a hash of the cookie's token, with a CSRF token each;
- ``tokens``: API tokens, random, shown once, kept as a hash, revocable;
- ``masking``: personal data masked for those who may not see it;
- ``throttle``: failed logins slowed down per e-mail and per address.
"""

from ombud.access.roles import ROLES, Permission, can, require
from ombud.access.sessions import end_session, session_for_token, start_session
from ombud.access.tokens import create_token, list_tokens, revoke_token, user_for_token
from ombud.access.users import add_user, authenticate, disable_user, find_user, list_users

__all__ = [
    "ROLES",
    "Permission",
    "add_user",
    "authenticate",
    "can",
    "create_token",
    "disable_user",
    "end_session",
    "find_user",
    "list_tokens",
    "list_users",
    "require",
    "revoke_token",
    "session_for_token",
    "start_session",
    "user_for_token",
]
