"""The OpenAPI document of the API, for logged-in users (FastAPI's own route would need no login)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from ombud.web.deps import CurrentUser

router = APIRouter(tags=["openapi"])


@router.get("/openapi.json", name="openapi", include_in_schema=False)
def openapi(request: Request, _principal: CurrentUser) -> dict[str, Any]:
    schema: dict[str, Any] = request.app.openapi()
    return schema
