"""Every route of the app with its full path, methods, name and the permissions its dependencies require,
whichever way FastAPI keeps included routers (flattened in app.routes, or, in newer releases, behind
``iter_route_contexts``)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import fastapi.routing

from ombud.access.roles import Permission


@dataclass(frozen=True)
class RouteEntry:
    path: str
    methods: frozenset[str]  # empty for a mount (the static files)
    name: str | None
    permissions: frozenset[Permission] = frozenset()  # what its dependencies require (Reader, Worker, Admin)


def route_entries(app: Any) -> Iterator[RouteEntry]:
    iterate = getattr(fastapi.routing, "iter_route_contexts", None)
    items = iterate(app.routes) if iterate is not None else app.routes
    for item in items:
        yield RouteEntry(
            path=str(getattr(item, "path", "")),
            methods=frozenset(getattr(item, "methods", None) or ()),
            name=getattr(item, "name", None),
            permissions=_permissions(getattr(getattr(item, "original_route", item), "dependant", None)),
        )


def _permissions(dependant: Any) -> frozenset[Permission]:
    """The permissions the route's dependencies (and theirs) check: each ``web.deps.PermissionCheck``."""
    found: set[Permission] = set()
    waiting = [dependant] if dependant is not None else []
    while waiting:
        current = waiting.pop()
        permission = getattr(current.call, "permission", None)
        if isinstance(permission, Permission):
            found.add(permission)
        waiting.extend(current.dependencies)
    return frozenset(found)
