"""Every route of the app with its full path, methods and name, whichever way FastAPI keeps included routers
(flattened in app.routes, or, in newer releases, behind ``iter_route_contexts``)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import fastapi.routing


@dataclass(frozen=True)
class RouteEntry:
    path: str
    methods: frozenset[str]  # empty for a mount (the static files)
    name: str | None


def route_entries(app: Any) -> Iterator[RouteEntry]:
    iterate = getattr(fastapi.routing, "iter_route_contexts", None)
    items = iterate(app.routes) if iterate is not None else app.routes
    for item in items:
        yield RouteEntry(
            path=str(getattr(item, "path", "")),
            methods=frozenset(getattr(item, "methods", None) or ()),
            name=getattr(item, "name", None),
        )
