"""ombud user add|list|disable, ombud token add|list|revoke, and ombud serve's refusal to listen beyond this
machine without a secret key."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from ombud.access.tokens import user_for_token
from ombud.access.users import authenticate
from ombud.cli import app
from ombud.cli.serve import check_secret, is_loopback
from ombud.errors import AuthenticationError, SettingError
from ombud.store import open_database

PASSWORD = "correct horse battery staple"


def test_user_and_token_commands(runner: CliRunner, database_url: str) -> None:
    added = runner.invoke(
        app,
        [
            "user",
            "add",
            "kari@example.no",
            "--role",
            "agent",
            "--password",
            PASSWORD,
            "--language",
            "nb",
            "--db",
            database_url,
        ],
    )
    assert added.exit_code == 0, added.output
    prompted = runner.invoke(
        app,
        ["user", "add", "nils@example.dk", "--role", "analyst", "--db", database_url],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert prompted.exit_code == 0, prompted.output
    listed = runner.invoke(app, ["user", "list", "--db", database_url])
    assert "kari@example.no" in listed.output and "analyst" in listed.output
    twice = runner.invoke(
        app, ["user", "add", "kari@example.no", "--role", "agent", "--password", PASSWORD, "--db", database_url]
    )
    assert twice.exit_code == 2 and "already" in twice.output
    short = runner.invoke(
        app, ["user", "add", "x@example.se", "--role", "agent", "--password", "kort", "--db", database_url]
    )
    assert short.exit_code == 2 and "too short" in short.output

    made = runner.invoke(app, ["token", "add", "kari@example.no", "--name", "helpdesk", "--db", database_url])
    assert made.exit_code == 0, made.output
    secret = made.output.strip().splitlines()[-1]
    assert secret.startswith("ombud_")
    listed = runner.invoke(app, ["token", "list", "--db", database_url])
    assert "helpdesk" in listed.output and secret not in listed.output
    database = open_database(database_url)
    try:
        with database.session() as session:
            user, token = user_for_token(session, secret)
            assert user.email == "kari@example.no"
            token_id = token.id
        revoked = runner.invoke(app, ["token", "revoke", str(token_id), "--db", database_url])
        assert revoked.exit_code == 0 and "revoked" in revoked.output
        disabled = runner.invoke(app, ["user", "disable", "kari@example.no", "--db", database_url])
        assert disabled.exit_code == 0
        with database.session() as session:
            with pytest.raises(AuthenticationError):
                user_for_token(session, secret)
            with pytest.raises(AuthenticationError):
                authenticate(session, "kari@example.no", PASSWORD)
            assert authenticate(session, "nils@example.dk", PASSWORD).role == "analyst"
    finally:
        database.close()


def test_serve_needs_a_secret_beyond_this_machine(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.10")
    check_secret("127.0.0.1", None)
    check_secret("0.0.0.0", "x" * 40)
    with pytest.raises(SettingError, match="OMBUD_SECRET_KEY"):
        check_secret("0.0.0.0", None)
    from ombud.settings import get_settings

    monkeypatch.delenv("OMBUD_SECRET_KEY", raising=False)
    get_settings.cache_clear()
    try:
        refused = runner.invoke(app, ["serve", "--host", "0.0.0.0", "--db", "sqlite:///:memory:"])
    finally:
        get_settings.cache_clear()
    assert refused.exit_code == 2
    assert "OMBUD_SECRET_KEY" in refused.output
