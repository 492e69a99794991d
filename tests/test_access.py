"""The access core: users with roles, Argon2 passwords, browser sessions, API tokens, throttling, masking —
on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ombud.access.masking import Masker, stored_spans
from ombud.access.passwords import verify_password
from ombud.access.roles import Permission, can, require
from ombud.access.sessions import end_session, session_for_token, start_session, token_hash
from ombud.access.throttle import LoginThrottle, TooManyAttempts
from ombud.access.tokens import create_token, list_tokens, revoke_token, user_for_token
from ombud.access.users import add_user, authenticate, disable_user, find_user, list_users
from ombud.errors import AuthenticationError, PermissionDenied, TokenError, UserError
from ombud.store import Database
from ombud.store.models import ApiToken, WebSession
from ombud.store.types import utc_now

PASSWORD = "correct horse battery staple"


def test_users_are_added_with_an_argon2_hash_and_log_in(database: Database) -> None:
    with database.session() as session:
        user = add_user(session, " Agent@Example.COM ", role="agent", password=PASSWORD, language="nn")
        session.commit()
        assert user.email == "agent@example.com"
        assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash
        assert verify_password(user.password_hash, PASSWORD)
        assert authenticate(session, "AGENT@example.com", PASSWORD).id == user.id
        assert user.last_login_at is not None
        assert [u.email for u in list_users(session)] == ["agent@example.com"]


@pytest.mark.parametrize(
    ("email", "role", "password", "language", "message"),
    [
        ("not-an-address", "agent", PASSWORD, None, "not an e-mail"),
        ("a@example.com", "boss", PASSWORD, None, "unknown role"),
        ("a@example.com", "agent", "short", None, "too short"),
        ("a@example.com", "agent", PASSWORD, "de", "unknown language"),
    ],
)
def test_bad_users_are_refused(
    database: Database, email: str, role: str, password: str, language: str | None, message: str
) -> None:
    with database.session() as session, pytest.raises(UserError, match=message):
        add_user(session, email, role=role, password=password, language=language)


def test_one_user_per_email(database: Database) -> None:
    with database.session() as session:
        add_user(session, "a@example.com", role="agent", password=PASSWORD)
        with pytest.raises(UserError, match="already"):
            add_user(session, "A@example.com", role="admin", password=PASSWORD)


def test_wrong_password_unknown_user_and_disabled_user_get_the_same_answer(database: Database) -> None:
    with database.session() as session:
        user = add_user(session, "a@example.com", role="agent", password=PASSWORD)
        messages = []
        for email, password in (("a@example.com", "wrong password!"), ("nobody@example.com", PASSWORD)):
            with pytest.raises(AuthenticationError) as error:
                authenticate(session, email, password)
            messages.append(str(error.value))
        disable_user(session, user)
        with pytest.raises(AuthenticationError) as error:
            authenticate(session, "a@example.com", PASSWORD)
        messages.append(str(error.value))
        assert len(set(messages)) == 1


def test_a_session_keeps_only_the_hash_expires_and_ends_at_logout(database: Database) -> None:
    with database.session() as session:
        user = add_user(session, "a@example.com", role="analyst", password=PASSWORD)
        started = start_session(session, user, lifetime=timedelta(hours=1))
        session.commit()
        stored = session.get(WebSession, token_hash(started.token))
        assert stored is not None and stored.token_hash != started.token
        assert session.get(WebSession, started.token) is None
        assert session_for_token(session, started.token) is not None
        assert session_for_token(session, "made-up") is None
        later = utc_now() + timedelta(hours=2)
        assert session_for_token(session, started.token, at=later) is None  # expired, and deleted
        session.commit()
        assert session.get(WebSession, token_hash(started.token)) is None
        again = start_session(session, user)
        assert end_session(session, again.token)
        session.commit()
        assert session_for_token(session, again.token) is None


def test_disabling_a_user_ends_their_sessions_and_tokens(database: Database) -> None:
    with database.session() as session:
        user = add_user(session, "a@example.com", role="agent", password=PASSWORD)
        started = start_session(session, user)
        created = create_token(session, user, "helpdesk")
        session.commit()
        disable_user(session, user)
        session.commit()
        assert session_for_token(session, started.token) is None
        with pytest.raises(AuthenticationError):
            user_for_token(session, created.secret)


def test_api_tokens_are_shown_once_stored_hashed_used_and_revoked(database: Database) -> None:
    with database.session() as session:
        user = add_user(session, "a@example.com", role="agent", password=PASSWORD)
        created = create_token(session, user, "Zendesk sync")
        session.commit()
        stored = session.get(ApiToken, created.token.id)
        assert stored is not None and created.secret not in (stored.token_hash, stored.prefix)
        assert created.secret.startswith(stored.prefix)
        found, token = user_for_token(session, created.secret)
        assert found.id == user.id and token.last_used_at is not None
        assert revoke_token(session, token) and not revoke_token(session, token)
        session.commit()
        with pytest.raises(AuthenticationError, match="revoked"):
            user_for_token(session, created.secret)
        assert [t.id for t in list_tokens(session, user)] == [token.id]
        with pytest.raises(TokenError):
            create_token(session, user, "   ")
        assert find_user(session, "a@example.com") is not None


def test_roles() -> None:
    assert all(can("admin", permission) for permission in Permission)
    assert can("agent", Permission.PERSONAL_DATA) and can("agent", Permission.WORK)
    assert not can("agent", Permission.ADMINISTER)
    assert can("analyst", Permission.READ)
    assert not can("analyst", Permission.WORK) and not can("analyst", Permission.PERSONAL_DATA)
    with pytest.raises(PermissionDenied):
        require("analyst", Permission.WORK)
    assert not can("nobody", Permission.READ)


def test_failed_logins_are_throttled_and_forgiven() -> None:
    now = [0.0]
    throttle = LoginThrottle(limit=3, window=60, clock=lambda: now[0])
    for _ in range(3):
        throttle.check("email:a")
        throttle.failed("email:a")
    with pytest.raises(TooManyAttempts) as error:
        throttle.check("email:a")
    assert error.value.retry_after == pytest.approx(60)
    throttle.check("email:b")
    now[0] = 61
    throttle.check("email:a")
    throttle.failed("email:a")
    throttle.succeeded("email:a")
    throttle.check("email:a")


# Personal data as customers write it, in each language: an identity number, an e-mail and a phone.
PERSONAL = {
    "sv": ("Mitt personnummer är 811218-9876, mejla anna.svensson@example.se eller ring 070-123 45 67.", "811218-9876"),
    "nb": ("Fødselsnummeret mitt er 01010112345? Send til kari@example.no, tlf 912 34 567.", None),
    "nn": ("Fødselsnummeret mitt er 15076500565, skriv til eg@example.no eller ring +47 912 34 567.", "15076500565"),
    "da": ("Mit CPR er 070761-4285, skriv til jens@example.dk eller ring 20 12 34 56.", "070761-4285"),
    "en": ("My number is +44 7700 900412 and my e-mail is john.smith@example.co.uk.", None),
}


@pytest.mark.parametrize("language", list(PERSONAL))
def test_masking_removes_identity_numbers_emails_and_phones(language: str) -> None:
    text, identity = PERSONAL[language]
    masked = Masker().text(text, language=language)
    assert masked is not None
    assert "@" not in masked
    assert "[email]" in masked and "[phone]" in masked
    if identity is not None:
        assert identity not in masked


def test_masking_a_sentence_uses_the_stored_spans_and_the_customers_own_identities() -> None:
    text = "Hej! Jag heter Anna Svensson och mitt kundnummer är K-55512."
    start = text.index("55512")
    details = {"personal_data": [{"kind": "customer_number", "start": start, "end": start + 5, "confidence": 1.0}]}
    masker = Masker.for_customer("Anna Svensson", [("email", "anna@example.se")])
    sentence_start = 5
    masked = masker.text(text[sentence_start:], stored_spans(details), start=sentence_start, language="sv")
    assert masked == "Jag heter [name] [name] och mitt kundnummer är K-[customer_number]."  # each part of the name
    assert masker.identity("email", "anna@example.se") == "[email]"
    assert masker.name("Anna Svensson") == "[name]"
