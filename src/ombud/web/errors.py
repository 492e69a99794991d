"""Errors from the core, turned into HTTP answers in one place: JSON ``{"detail", "error"}`` for the API, a page
in the user's language for the pages (and the login page for a browser that is not logged in)."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from ombud.access.throttle import TooManyAttempts
from ombud.errors import (
    AuthenticationError,
    ColumnMappingError,
    DatabaseError,
    FileFormatError,
    MappingOptionError,
    OmbudError,
    PermissionDenied,
    UnknownFormatError,
    UploadError,
)
from ombud.locale import Translator
from ombud.web.deps import CsrfRejected, NotLoggedIn, translator
from ombud.web.words import error_text

# The core says "there is no …" when what a request names does not exist.
NOT_FOUND_START = "there is no "


def status_of(error: OmbudError) -> int:
    if isinstance(error, TooManyAttempts):
        return 429
    if isinstance(error, CsrfRejected | PermissionDenied):
        return 403
    if isinstance(error, AuthenticationError):
        return 401
    if isinstance(error, UploadError) and error.too_large:
        return 413
    if str(error).startswith(NOT_FOUND_START):
        return 404
    if isinstance(error, ColumnMappingError | FileFormatError | UnknownFormatError | MappingOptionError):
        return 422
    if isinstance(error, DatabaseError):
        return 503
    return 422


def page_message(t: Translator, error: OmbudError, status: int) -> str:
    """What the error page says below the status's own explanation: the problem in the reader's language; for
    "not logged in", "not allowed" and "not found" the explanation says it all, in any language."""
    if error.problem is None and status in (401, 403, 404):
        return ""
    return error_text(t, error)


def is_api(request: Request) -> bool:
    path = request.url.path
    return path.startswith("/api/") or path.endswith(".json") or "application/json" in request.headers.get("accept", "")


async def handle_ombud_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, OmbudError)
    status = status_of(error)
    if not is_api(request):
        if isinstance(error, NotLoggedIn):
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
        from ombud.web.deps import principal_from_cookie
        from ombud.web.rendering import render

        principal = None if isinstance(error, NotLoggedIn) else principal_from_cookie(request)
        message = page_message(translator(request, principal), error, status)
        return render(request, "error.html", principal, status_code=status, status=status, message=message)
    headers = {}
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    if isinstance(error, TooManyAttempts):
        headers["Retry-After"] = str(max(1, round(error.retry_after)))
    return JSONResponse({"detail": str(error), "error": type(error).__name__}, status_code=status, headers=headers)


def install(app: FastAPI) -> None:
    app.add_exception_handler(OmbudError, handle_ombud_error)
