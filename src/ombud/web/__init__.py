"""web: one FastAPI app — the JSON API under /api and the pages for agents and analysts.

``create_app(database_url)`` builds it; ``ombud serve`` runs it with uvicorn. Each API resource has its own
router in ``api/`` and each page its own in ``pages/``; both call the core and nothing else.
"""

from ombud.web.app import create_app

__all__ = ["create_app"]
