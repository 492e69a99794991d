"""Typed dependencies of the routes: the store session, who is asking, what their role allows, their language.

``CurrentUser`` accepts a session cookie or an ``Authorization: Bearer`` API token; with the cookie, an unsafe
method must also carry the session's CSRF token. ``Reader``, ``Worker`` and ``Admin`` add the role's check.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from ombud.access.roles import Permission, require
from ombud.access.sessions import session_for_token
from ombud.access.tokens import user_for_token
from ombud.errors import AuthenticationError, Problem
from ombud.locale import DEFAULT_LANGUAGE, Translator, known_language, negotiate
from ombud.settings import Settings
from ombud.store import Database
from ombud.web.principal import Principal
from ombud.web.security import CSRF_FIELD, CSRF_HEADER, LANGUAGE_COOKIE, SAFE_METHODS, SESSION_COOKIE, same


class NotLoggedIn(AuthenticationError):
    """No valid session or token: the API answers 401, a page sends the browser to the login page."""


class CsrfRejected(AuthenticationError):
    """An unsafe request by session cookie without the session's CSRF token (403)."""


def get_database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


def get_settings_of_app(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


DatabaseDep = Annotated[Database, Depends(get_database)]
SettingsDep = Annotated[Settings, Depends(get_settings_of_app)]


def get_session(database: DatabaseDep) -> Iterator[Session]:
    with database.session() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def get_principal(request: Request, session: SessionDep) -> Principal:
    authorization = request.headers.get("authorization", "")
    if authorization[:7].lower() == "bearer ":
        user, _ = user_for_token(session, authorization[7:])
        session.commit()
        return Principal(user=user, via="token")
    row = session_for_token(session, request.cookies.get(SESSION_COOKIE))
    session.commit()
    if row is None:
        raise NotLoggedIn("log in first")
    return Principal(user=row.user, via="session", csrf_token=row.csrf_token)


def principal_from_cookie(request: Request) -> Principal | None:
    """The logged-in user of a page request, if any, for pages that render without requiring one (errors)."""
    database: Database = request.app.state.database
    try:
        with database.session() as session:
            row = session_for_token(session, request.cookies.get(SESSION_COOKIE))
            if row is None:
                return None
            user = row.user
            session.expunge(user)
            return Principal(user=user, via="session", csrf_token=row.csrf_token)
    except Exception:  # an error page must render even when the store cannot answer
        return None


async def checked_principal(request: Request, principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
    """The principal, after the CSRF check every unsafe request by session cookie must pass."""
    if principal.via == "session" and request.method not in SAFE_METHODS:
        given = request.headers.get(CSRF_HEADER)
        if given is None and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")
        ):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            given = value if isinstance(value, str) else None
        if not same(principal.csrf_token, given):
            message = "the form has expired or did not come from ombud's page: reload the page and try again"
            raise CsrfRejected(problem=Problem("csrf_rejected", message))
    return principal


CurrentUser = Annotated[Principal, Depends(checked_principal)]


class PermissionCheck:
    """The dependency that lets a request through only with ``permission``; the navigation reads it off each
    route (``routes.route_entries``), so a link is shown exactly to those the page lets in."""

    def __init__(self, permission: Permission) -> None:
        self.permission = permission

    def __call__(self, principal: CurrentUser) -> Principal:
        require(principal.role, self.permission)
        return principal


def requires(permission: Permission) -> object:
    return Depends(PermissionCheck(permission))


Reader = Annotated[Principal, requires(Permission.READ)]
Worker = Annotated[Principal, requires(Permission.WORK)]
Admin = Annotated[Principal, requires(Permission.ADMINISTER)]


def page_language(request: Request, principal: Principal | None = None) -> str:
    """The user's language, else the language cookie, else the browser's Accept-Language, else English."""
    if principal is not None and principal.user.language:
        return principal.user.language
    return (
        known_language(request.cookies.get(LANGUAGE_COOKIE))
        or negotiate(request.headers.get("accept-language"))
        or DEFAULT_LANGUAGE
    )


def translator(request: Request, principal: Principal | None = None) -> Translator:
    settings: Settings = request.app.state.settings
    return Translator(page_language(request, principal), settings.timezone)
