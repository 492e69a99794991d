"""The language switcher: the user's choice is kept on the user (and in a cookie for the login page)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from ombud.access.users import update_user
from ombud.web.deps import CurrentUser, SessionDep, SettingsDep
from ombud.web.security import LANGUAGE_COOKIE, set_cookie

router = APIRouter()


@router.post("/language", name="set_language")
def set_language(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    principal: CurrentUser,
    language: Annotated[str, Form()],
) -> Response:
    user = session.merge(principal.user)
    update_user(session, user, language=language)
    session.commit()
    back = urlsplit(request.headers.get("referer", ""))
    target = back.path if back.path.startswith("/") and back.netloc in ("", request.url.netloc) else "/inbox"
    response = RedirectResponse(target + (f"?{back.query}" if back.query and target == back.path else ""), 303)
    set_cookie(response, LANGUAGE_COOKIE, language, max_age=365 * 24 * 3600, secure=settings.cookie_secure)
    return response
