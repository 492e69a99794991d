"""The app factory: one FastAPI app with the JSON API under /api, the pages, /health and the static files."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

import ombud
from ombud.access.throttle import LoginThrottle
from ombud.settings import Settings, get_settings
from ombud.store import Database, open_database
from ombud.web import errors
from ombud.web.api import api_router
from ombud.web.health import router as health_router
from ombud.web.import_jobs import ImportJobs
from ombud.web.limits import BodySizeLimit
from ombud.web.openapi import router as openapi_router
from ombud.web.pages import pages_router

STATIC = Path(__file__).parent / "static"


def create_app(
    database_url: str | None = None, *, settings: Settings | None = None, database: Database | None = None
) -> FastAPI:
    """The web app over the database at ``database_url`` (default: OMBUD_DATABASE_URL), or over ``database``.

    Swagger's /docs page would load its scripts from a CDN, so it is off; the OpenAPI document is at
    /openapi.json, for logged-in users."""
    settings = settings or get_settings()
    owned = database is None
    store = database or open_database(database_url or settings.database_url)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        app.state.imports.wait()
        if owned:
            store.close()

    app = FastAPI(
        title="ombud",
        version=ombud.__version__,
        description="Hear every customer: voices, their reading, cases, replies, the wish board and imports.",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=lifespan,
    )
    app.state.database = store
    app.state.settings = settings
    app.state.secret_key = settings.secret_key or secrets.token_urlsafe(32)
    app.state.throttle = LoginThrottle()
    app.state.imports = ImportJobs(store, settings)
    errors.install(app)
    app.add_middleware(BodySizeLimit)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(health_router)
    app.include_router(openapi_router)
    app.include_router(api_router, prefix="/api")
    app.include_router(pages_router)
    return app
