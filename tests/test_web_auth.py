"""Logging in and out, the session cookie, CSRF, API tokens, and that nothing but the login page and /health
opens without a login — with FastAPI's TestClient on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from pathlib import Path

from ombud.store import Database
from ombud.store.models import WebSession
from ombud.web.routes import route_entries
from web_helpers import EMAILS, PASSWORD, add_users, csrf_of, log_in, login_token, web_client

OPEN_PATHS = {"/login", "/health"}


def test_login_sets_a_safe_cookie_and_logout_deletes_the_session(database: Database, tmp_path: Path) -> None:
    add_users(database)
    with web_client(database, tmp_path) as client:
        answer = log_in(client, "agent")
        assert answer.status_code == 303 and answer.headers["location"] == "/inbox"
        cookie = next(value for value in answer.headers.get_list("set-cookie") if value.startswith("ombud_session="))
        assert "HttpOnly" in cookie and "samesite=lax" in cookie.lower() and "Secure" not in cookie
        token = cookie.split(";")[0].split("=", 1)[1]
        with database.session() as session:
            stored = session.query(WebSession).all()
            assert len(stored) == 1 and stored[0].token_hash != token
        assert client.get("/inbox").status_code == 200
        assert client.get("/api/users/me").json()["email"] == EMAILS["agent"]
        csrf = csrf_of(client)
        assert client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False).status_code == 303
        with database.session() as session:
            assert session.query(WebSession).count() == 0
        client.cookies.set("ombud_session", token)  # the old cookie is worth nothing now
        assert client.get("/inbox", follow_redirects=False).status_code == 303
        assert client.get("/api/cases").status_code == 401


def test_secure_cookies_when_configured(database: Database, tmp_path: Path) -> None:
    add_users(database)
    with web_client(database, tmp_path, cookie_secure=True) as client:
        answer = log_in(client, "admin")
        cookie = next(value for value in answer.headers.get_list("set-cookie") if value.startswith("ombud_session="))
        assert "Secure" in cookie


def test_wrong_password_and_unknown_user_look_the_same(database: Database, tmp_path: Path) -> None:
    add_users(database)
    with web_client(database, tmp_path) as client:
        wrong = log_in(client, "agent", password="not the password")
        token = login_token(client)
        unknown = client.post("/login", data={"email": "nobody@example.com", "password": PASSWORD, "csrf_token": token})
        assert wrong.status_code == unknown.status_code == 401
        problem = re.compile(r'data-test="problem">([^<]+)<')
        assert problem.search(wrong.text)[1] == problem.search(unknown.text)[1]  # type: ignore[index]
        assert "ombud_session" not in client.cookies


def test_failed_logins_are_slowed_down(database: Database, tmp_path: Path) -> None:
    add_users(database)
    with web_client(database, tmp_path) as client:
        for _ in range(5):
            assert log_in(client, "agent", password="guessing wrong").status_code == 401
        assert log_in(client, "agent").status_code == 429  # even the right password waits now


def test_the_login_form_needs_its_own_csrf_token(database: Database, tmp_path: Path) -> None:
    add_users(database)
    with web_client(database, tmp_path) as client:
        client.get("/login")
        forged = client.post("/login", data={"email": EMAILS["agent"], "password": PASSWORD, "csrf_token": "forged"})
        assert forged.status_code == 403 and "ombud_session" not in client.cookies


def test_forms_without_the_csrf_token_are_refused(database: Database, tmp_path: Path) -> None:
    add_users(database)
    with web_client(database, tmp_path) as client:
        log_in(client, "admin")
        refused = client.post("/language", data={"language": "da"})
        assert refused.status_code == 403
        wrong = client.post("/language", data={"language": "da", "csrf_token": "guess"})
        assert wrong.status_code == 403
        api = client.post("/api/tokens", json={"name": "no header"})
        assert api.status_code == 403
        csrf = csrf_of(client)
        assert (
            client.post("/api/tokens", json={"name": "with header"}, headers={"X-CSRF-Token": csrf}).status_code == 201
        )
        changed = client.post("/language", data={"language": "da", "csrf_token": csrf}, follow_redirects=False)
        assert changed.status_code == 303
        assert 'lang="da"' in client.get("/inbox").text


def test_api_tokens_need_no_csrf_and_stop_when_revoked(database: Database, tmp_path: Path) -> None:
    add_users(database)
    with web_client(database, tmp_path) as client:
        log_in(client, "agent")
        csrf = csrf_of(client)
        made = client.post("/api/tokens", json={"name": "crm"}, headers={"X-CSRF-Token": csrf}).json()
        secret = made["token"]
        client.cookies.clear()
    with web_client(database, tmp_path) as client:
        bearer = {"Authorization": f"Bearer {secret}"}
        assert client.get("/api/users/me", headers=bearer).json()["email"] == EMAILS["agent"]
        listed = client.get("/api/tokens", headers=bearer).json()
        assert [token["name"] for token in listed] == ["crm"] and listed[0]["last_used_at"] is not None
        assert "token" not in listed[0] and secret not in str(listed)
        revoked = client.delete(f"/api/tokens/{made['id']}", headers=bearer)  # unsafe method, no CSRF needed
        assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
        answer = client.get("/api/users/me", headers=bearer)
        assert answer.status_code == 401 and answer.headers["www-authenticate"] == "Bearer"
        assert client.get("/api/users/me", headers={"Authorization": "Bearer ombud_madeup"}).status_code == 401


def test_no_route_opens_without_a_login_but_the_login_page_and_health(database: Database, tmp_path: Path) -> None:
    with web_client(database, tmp_path) as client:
        app = client.app
        checked = 0
        for route in route_entries(app):
            if not route.methods:
                assert route.path == "/static"  # CSS and htmx, which the login page needs; no data
                continue
            path = re.sub(r"\{[^}]+\}", "1", route.path)
            for method in route.methods - {"HEAD"}:
                answer = client.request(method, path, follow_redirects=False)
                checked += 1
                if route.path in OPEN_PATHS:
                    assert answer.status_code in (200, 422), (method, path)
                    continue
                if path.startswith("/api/") or path == "/openapi.json":
                    assert answer.status_code == 401, (method, path, answer.status_code)
                else:
                    assert answer.status_code == 303, (method, path, answer.status_code)
                    assert answer.headers["location"].startswith("/login"), (method, path)
        assert checked > 40
        assert client.get("/health").json() == {"status": "ok", "database": "ok"}
        assert client.get("/docs").status_code == 404  # Swagger UI would load from a CDN: not served
        assert client.get("/static/htmx.min.js").status_code == 200


def test_the_openapi_document_is_there_for_users(database: Database, tmp_path: Path) -> None:
    add_users(database)
    with web_client(database, tmp_path) as client:
        log_in(client, "analyst")
        document = client.get("/openapi.json").json()
        paths = document["paths"]
        for path in (
            "/api/voices",
            "/api/analysis",
            "/api/cases",
            "/api/cases/{case_id}/replies",
            "/api/wish-themes",
            "/api/imports/uploads",
            "/api/users",
            "/api/tokens",
        ):
            assert path in paths, path
        assert not any(path.startswith(("/inbox", "/login")) for path in paths)


def test_login_returns_to_the_page_asked_for_but_not_elsewhere(database: Database, tmp_path: Path) -> None:
    add_users(database)
    with web_client(database, tmp_path) as client:
        sent = client.get("/wishes?status=new", follow_redirects=False)
        assert sent.headers["location"] == "/login?next=%2Fwishes%3Fstatus%3Dnew"
        page = client.get(sent.headers["location"])
        assert 'name="next" value="/wishes?status=new"' in page.text
        token = login_token(client)
        back = client.post(
            "/login",
            data={"email": EMAILS["agent"], "password": PASSWORD, "csrf_token": token, "next": "//evil.example/"},
            follow_redirects=False,
        )
        assert back.headers["location"] == "/inbox"
