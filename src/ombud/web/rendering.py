"""Pages rendered on the server with Jinja2, in the user's language, with what every page needs: the words
(``t``), dates and numbers in the user's locale, the user, the CSRF token for forms, and the navigation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from ombud.labels import ACTS, EMOTIONS, FLAGS
from ombud.locale import LANGUAGES, Translator, catalogue
from ombud.web.deps import translator
from ombud.web.principal import Principal
from ombud.web.routes import route_entries
from ombud.web.security import CSRF_FIELD
from ombud.web.words import reasons

TEMPLATES = Path(__file__).parent / "templates"
templates = Jinja2Templates(directory=str(TEMPLATES))
templates.env.trim_blocks = True
templates.env.lstrip_blocks = True

# The navigation: (route name, catalogue key). A page router added later (the dashboard) appears here as soon
# as a route of that name is registered; until then its link is left out.
NAVIGATION = (
    ("inbox", "nav.inbox"),
    ("wish_board", "nav.wishes"),
    ("dashboard", "nav.dashboard"),
    ("import_page", "nav.import"),
)


def _route_names(request: Request) -> set[str]:
    names: set[str] | None = getattr(request.app.state, "route_names", None)
    if names is None:
        names = request.app.state.route_names = {entry.name for entry in route_entries(request.app) if entry.name}
    return names


def render(
    request: Request,
    template: str,
    principal: Principal | None = None,
    *,
    status_code: int = 200,
    language: str | None = None,
    **context: Any,
) -> HTMLResponse:
    t = translator(request, principal)
    if language is not None:
        t = Translator(language, t.zone.key)
    names = _route_names(request)
    navigation = [(name, key) for name, key in NAVIGATION if name in names] if principal is not None else []
    values = {
        "t": t,
        "path_for": lambda name, **params: str(request.app.url_path_for(name, **params)),
        "lang": t.language,
        "languages": [(code, catalogue(code)["language.name"]) for code in LANGUAGES],
        "user": principal.user if principal is not None else None,
        "principal": principal,
        "csrf_field": CSRF_FIELD,
        "csrf_token": principal.csrf_token if principal is not None else None,
        "navigation": navigation,
        "reasons": lambda texts: reasons(t, texts),
        "acts": ACTS,
        "emotions": EMOTIONS,
        "flags": FLAGS,
        **context,
    }
    return templates.TemplateResponse(request, template, values, status_code=status_code)
