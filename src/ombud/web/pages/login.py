"""The login page (the one page open without a login), logging in and out."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from ombud.access.sessions import end_session, start_session
from ombud.access.users import authenticate, normalise_email
from ombud.errors import AuthenticationError
from ombud.locale import known_language
from ombud.web.deps import CurrentUser, SessionDep, SettingsDep
from ombud.web.rendering import render
from ombud.web.security import (
    CSRF_FIELD,
    LANGUAGE_COOKIE,
    LOGIN_COOKIE,
    SESSION_COOKIE,
    login_nonce,
    same,
    set_cookie,
    sign,
)

router = APIRouter()
YEAR = 365 * 24 * 3600


def safe_next(target: str | None) -> str:
    """Where to go after logging in: only a path on this site."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/inbox"


def login_form(
    request: Request,
    settings: SettingsDep,
    *,
    next_page: str,
    email: str = "",
    problem: str | None = None,
    status_code: int = 200,
    language: str | None = None,
) -> Response:
    nonce = login_nonce()
    response = render(
        request,
        "login.html",
        None,
        status_code=status_code,
        language=language,
        login_token=sign(request.app.state.secret_key, nonce),
        next=next_page,
        email=email,
        problem=problem,
    )
    set_cookie(response, LOGIN_COOKIE, nonce, max_age=3600, secure=settings.cookie_secure)
    if language:
        set_cookie(response, LANGUAGE_COOKIE, language, max_age=YEAR, secure=settings.cookie_secure)
    return response


@router.get("/login", name="login_page")
def login_page(request: Request, settings: SettingsDep, next: str | None = None, lang: str | None = None) -> Response:
    return login_form(request, settings, next_page=safe_next(next), language=known_language(lang))


@router.post("/login", name="login")
def login(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    email: Annotated[str, Form()],
    password: Annotated[str, Form()],
    csrf_token: Annotated[str, Form(alias=CSRF_FIELD)] = "",
    next: Annotated[str, Form()] = "/inbox",
) -> Response:
    target = safe_next(next)
    nonce = request.cookies.get(LOGIN_COOKIE)
    if not nonce or not same(sign(request.app.state.secret_key, nonce), csrf_token):
        from ombud.web.deps import translator

        message = translator(request)("login.expired")
        return login_form(request, settings, next_page=target, email=email, problem=message, status_code=403)
    throttle = request.app.state.throttle
    keys = (f"email:{normalise_email(email)}", f"client:{request.client.host if request.client else '-'}")
    try:
        throttle.check(*keys)
        user = authenticate(session, email, password)
    except AuthenticationError as error:
        from ombud.access.throttle import TooManyAttempts
        from ombud.web.deps import translator

        t = translator(request)
        if isinstance(error, TooManyAttempts):
            problem, status = t("login.too_many", seconds=t.number(round(error.retry_after))), 429
        else:
            throttle.failed(*keys)
            problem, status = t("login.wrong"), 401
        session.rollback()
        return login_form(request, settings, next_page=target, email=email, problem=problem, status_code=status)
    throttle.succeeded(keys[0])
    started = start_session(session, user)
    session.commit()
    response = RedirectResponse(target, status_code=303)
    max_age = int(settings.session_hours * 3600)
    set_cookie(response, SESSION_COOKIE, started.token, max_age=max_age, secure=settings.cookie_secure)
    response.delete_cookie(LOGIN_COOKIE, path="/")
    return response


@router.post("/logout", name="logout")
def logout(request: Request, session: SessionDep, _principal: CurrentUser) -> Response:
    end_session(session, request.cookies.get(SESSION_COOKIE))
    session.commit()
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
