"""Pages rendered on the server with Jinja2, in the user's language, with what every page needs: the words
(``t``), dates and numbers in the user's locale, the user, the CSRF token for forms, and the navigation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from ombud.access.roles import Permission
from ombud.insight.charts_colours import css_variables
from ombud.labels import ACTS, EMOTIONS, FLAGS
from ombud.locale import LANGUAGES, Translator, catalogue
from ombud.web.deps import translator
from ombud.web.principal import Principal
from ombud.web.routes import route_entries
from ombud.web.security import CSRF_FIELD
from ombud.web.words import problem_text, reasons, waited

TEMPLATES = Path(__file__).parent / "templates"
templates = Jinja2Templates(directory=str(TEMPLATES))
templates.env.trim_blocks = True
templates.env.lstrip_blocks = True

# The navigation: (route name, catalogue key). A link is shown when a route of that name is registered (a page
# added later appears by itself) and the user's role has every permission the route checks (an analyst sees no
# Import link, which would only lead to a 403 page).
NAVIGATION = (
    ("inbox", "nav.inbox"),
    ("wish_board", "nav.wishes"),
    ("dashboard", "nav.dashboard"),
    ("import_page", "nav.import"),
)


def _route_permissions(request: Request) -> dict[str, frozenset[Permission]]:
    """Each named route of the app and the permissions it requires (read once per app)."""
    known: dict[str, frozenset[Permission]] | None = getattr(request.app.state, "route_permissions", None)
    if known is None:
        known = {entry.name: entry.permissions for entry in route_entries(request.app) if entry.name}
        request.app.state.route_permissions = known
    return known


def navigation_for(request: Request, principal: Principal | None) -> list[tuple[str, str]]:
    """The header's links for this user: (route name, catalogue key) of each page that exists and lets them in."""
    if principal is None:
        return []
    routes = _route_permissions(request)
    return [
        (name, key)
        for name, key in NAVIGATION
        if name in routes and all(principal.can(permission) for permission in routes[name])
    ]


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
    values = {
        "t": t,
        "path_for": lambda name, **params: str(request.app.url_path_for(name, **params)),
        "lang": t.language,
        "languages": [(code, catalogue(code)["language.name"]) for code in LANGUAGES],
        "user": principal.user if principal is not None else None,
        "principal": principal,
        "csrf_field": CSRF_FIELD,
        "csrf_token": principal.csrf_token if principal is not None else None,
        "navigation": navigation_for(request, principal),
        "colour_variables": css_variables(),  # the charts' colours of acts, emotions, …, for style.css
        "reasons": lambda items: reasons(t, items),
        "waited": lambda item: waited(t, item),
        "problem_text": lambda code, params, english: problem_text(t, code, params, english),
        "acts": ACTS,
        "emotions": EMOTIONS,
        "flags": FLAGS,
        **context,
    }
    return templates.TemplateResponse(request, template, values, status_code=status_code)
