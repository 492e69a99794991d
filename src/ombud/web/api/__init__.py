"""The JSON API: one router per resource, every one behind a login (session cookie with CSRF, or API token)."""

from fastapi import APIRouter

from ombud.web.api import analysis, cases, imports, insight, replies, tokens, users, voices, wishes

api_router = APIRouter()
for module in (voices, analysis, cases, replies, wishes, imports, users, tokens, insight):
    api_router.include_router(module.router)
