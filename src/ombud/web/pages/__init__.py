"""The pages: one router per page. A page added later (the dashboard) is one more module here, and its link
appears in the navigation once a route named in ``rendering.NAVIGATION`` exists."""

from fastapi import APIRouter

from ombud.web.pages import case, dashboard, imports, inbox, language, login, voices, wishes

pages_router = APIRouter(include_in_schema=False)
for module in (login, language, inbox, case, wishes, imports, dashboard, voices):
    pages_router.include_router(module.router)
