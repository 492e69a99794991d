"""Cookies and CSRF tokens.

The session cookie holds a random token (only its SHA-256 is stored, access/sessions.py), HttpOnly, SameSite=Lax,
Secure when OMBUD_COOKIE_SECURE is set. Every unsafe request authenticated by that cookie must carry the
session's CSRF token, as the form field ``csrf_token`` or the header ``X-CSRF-Token`` (htmx sends it); requests
with an API token are not sent by a browser on its own and need none. The login form, which has no session yet,
is protected by a signed double-submit token: a random nonce in a cookie, and its HMAC with OMBUD_SECRET_KEY in
the form.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from fastapi import Response

SESSION_COOKIE = "ombud_session"
LOGIN_COOKIE = "ombud_login"
LANGUAGE_COOKIE = "ombud_language"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def same(expected: str | None, given: str | None) -> bool:
    """Constant-time equality of two tokens; False when either is missing."""
    if not expected or not given:
        return False
    return hmac.compare_digest(expected.encode("utf-8"), given.encode("utf-8"))


def login_nonce() -> str:
    return secrets.token_urlsafe(24)


def sign(secret_key: str, nonce: str) -> str:
    return hmac.new(secret_key.encode("utf-8"), nonce.encode("utf-8"), hashlib.sha256).hexdigest()


def set_cookie(
    response: Response, name: str, value: str, *, max_age: int, secure: bool, http_only: bool = True
) -> None:
    response.set_cookie(name, value, max_age=max_age, path="/", secure=secure, httponly=http_only, samesite="lax")
