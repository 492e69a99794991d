"""A web app over a test database, its users, and logging in with the test client."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from ombud.access.users import add_user
from ombud.settings import Settings
from ombud.store import Database
from ombud.web import create_app

PASSWORD = "correct horse battery staple"
EMAILS = {"admin": "admin@example.com", "agent": "agent@example.com", "analyst": "analyst@example.com"}
LANGUAGES = ("sv", "nb", "nn", "da", "en")


def add_users(database: Database, language: str | None = None) -> None:
    with database.session() as session:
        for role, email in EMAILS.items():
            add_user(session, email, role=role, password=PASSWORD, name=role.title(), language=language)
        session.commit()


@contextmanager
def web_client(database: Database, tmp_path: Path, **settings: Any) -> Iterator[TestClient]:
    chosen = Settings(upload_dir=str(tmp_path / "uploads"), database_url=database.url, **settings)
    app = create_app(settings=chosen, database=database)
    scheme = "https" if settings.get("cookie_secure") else "http"  # a Secure cookie goes back over HTTPS only
    with TestClient(app, base_url=f"{scheme}://testserver") as client:
        yield client


def login_token(client: TestClient, language: str | None = None) -> str:
    page = client.get("/login" + (f"?lang={language}" if language else ""))
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, page.text
    return found.group(1)


def log_in(client: TestClient, role: str, *, password: str = PASSWORD) -> Any:
    token = login_token(client)
    return client.post(
        "/login",
        data={"email": EMAILS[role], "password": password, "csrf_token": token},
        follow_redirects=False,
    )


def csrf_of(client: TestClient, path: str = "/inbox") -> str:
    page = client.get(path)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, page.text[:2000]
    return found.group(1)
