"""The delivery worker against a real SMTP server (aiosmtpd, in-process, on a free localhost port): what the
customer's mailbox receives, and every fault — server down, 4xx, 5xx, timeouts, a worker killed mid-send."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import ssl
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from datetime import timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from sqlalchemy import func, select
from typer.testing import CliRunner

import reply_factories as factories
from ombud.cli import app
from ombud.errors import OutboxError
from ombud.loop.delivery import build_message, claim_lease, deliver_due, mark_posted, retry_delay
from ombud.loop.replies import send_reply
from ombud.settings import get_settings
from ombud.store import Database
from ombud.store.models import CaseEvent, Customer, OutboundMessage
from ombud.store.types import utc_now
from reply_factories import one_case

NORDIC = "Hej Åsa! Vi har ordnat det: ä ö å æ ø Æ Ø Å 😊\n\nVänliga hälsningar\nKundtjänst"


class Mailbox:
    """What an SMTP server received. ``messages`` keeps one message per Message-ID, as a real mailbox does;
    ``deliveries`` keeps every copy the server accepted, so a test can see a resend."""

    def __init__(self) -> None:
        self.deliveries: list[tuple[Any, EmailMessage]] = []
        self.messages: dict[str, EmailMessage] = {}
        self.rcpt_answer: str | None = None
        self.data_answer: str | None = None
        self.delay = 0.0
        self.on_data: Callable[[EmailMessage], None] | None = None

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if self.rcpt_answer:
            return self.rcpt_answer
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.data_answer:
            return self.data_answer
        message = BytesParser(policy=policy.default).parsebytes(envelope.content)
        self.deliveries.append((envelope, message))
        self.messages.setdefault(str(message["Message-ID"]), message)
        if self.on_data:
            self.on_data(message)
        if self.delay:
            await asyncio.sleep(self.delay)  # took the message, but answers too late
        return "250 2.0.0 Message accepted for delivery"

    def copies(self, message_id: str) -> int:
        return sum(1 for _, message in self.deliveries if message["Message-ID"] == message_id)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def use_smtp(monkeypatch: pytest.MonkeyPatch, port: int, **settings: str) -> None:
    monkeypatch.setenv("OMBUD_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("OMBUD_SMTP_PORT", str(port))
    monkeypatch.setenv("OMBUD_SMTP_TIMEOUT_SECONDS", "2")
    for name, value in settings.items():
        monkeypatch.setenv(f"OMBUD_{name.upper()}", value)
    get_settings.cache_clear()


@pytest.fixture(autouse=True)
def mail_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("OMBUD_MAIL_FROM", "Kundtjänst Åre <kundtjanst@butik.example>")
    for name in ("SMTP_TLS", "SMTP_USER", "SMTP_PASSWORD", "SEND_MAX_ATTEMPTS", "TEMPLATES_DIR"):
        monkeypatch.delenv(f"OMBUD_{name}", raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def mailbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[Mailbox]:
    box = Mailbox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    use_smtp(monkeypatch, port)
    yield box
    controller.stop()


def queue_replies(database: Database, count: int = 1, *, body: str = NORDIC, start: int = 0, **case: Any) -> list[int]:
    """``count`` customers, each with an e-mail case and a reply queued to it; returns the message ids."""
    ids = []
    with database.session() as session:
        for number in range(start, start + count):
            found = one_case(
                session,
                [("complaint", "Paketet kom aldrig fram!")],
                language="sv",
                email=f"kund{number}@example.se",
                subject="Paketet",
                message_id=f"<kund{number}-1@example.se>",
                **case,
            )
            ids.append(send_reply(session, found.id, f"{body}\n#{number}", author="eva").id)
        session.commit()
    return ids


def message(database: Database, message_id: int) -> OutboundMessage:
    with database.session() as session:
        return session.get_one(OutboundMessage, message_id)


def test_a_reply_arrives_with_its_headers_and_every_nordic_letter(database: Database, mailbox: Mailbox) -> None:
    with database.session() as session:
        found = one_case(
            session,
            [("complaint", "Paketet kom aldrig fram!")],
            language="sv",
            subject="Försenad leverans",
            message_id="<svar-2@kund.example>",
            references=["<fraga-1@kund.example>"],
        )
        queued = send_reply(session, found.id, NORDIC, author="eva")
        session.commit()
        queued_id, stored_message_id = queued.id, queued.message_id
    report = deliver_due(database)
    assert (report.sent, report.failed, report.retrying) == (1, 0, 0)
    [(envelope, received)] = mailbox.deliveries
    assert envelope.mail_from == "kundtjanst@butik.example" and envelope.rcpt_tos == ["anna@example.se"]
    assert str(received["From"]) == "Kundtjänst Åre <kundtjanst@butik.example>"
    assert str(received["To"]) == "anna@example.se"
    assert str(received["Subject"]) == "Re: Försenad leverans"
    assert str(received["Message-ID"]) == stored_message_id and stored_message_id.endswith("@butik.example>")
    assert str(received["In-Reply-To"]) == "<svar-2@kund.example>"
    assert str(received["References"]).split() == ["<fraga-1@kund.example>", "<svar-2@kund.example>"]
    assert str(received["Content-Language"]) == "sv"
    assert abs(parsedate_to_datetime(str(received["Date"])) - utc_now()) < timedelta(minutes=5)
    assert received.get_content_type() == "text/plain" and received.get_content_charset() == "utf-8"
    assert received.get_content().replace("\r\n", "\n").rstrip("\n") == NORDIC
    sent = message(database, queued_id)
    assert sent.status == "sent" and sent.sent_at is not None and sent.attempts == 1 and sent.last_error is None
    assert deliver_due(database).sent == 0  # sent is never sent again
    assert len(mailbox.deliveries) == 1


def test_the_same_message_is_written_the_same_way_every_time(database: Database, mailbox: Mailbox) -> None:
    [queued_id] = queue_replies(database)
    from ombud.store.models import OutboundMessage as Table

    with database.engine.connect() as connection:
        row = connection.execute(select(Table.__table__).where(Table.id == queued_id)).mappings().one()
    assert build_message(row).as_bytes() == build_message(row).as_bytes()


FROM_LINES = {
    "sv": "Hej Åsa!\nFrom now on svarar vi inom en dag, även på lördagar.\n>Citat står kvar.\nVänliga hälsningar",
    "nb": "Hei Øyvind!\nFrom now on svarer vi innen én dag, også på lørdager.\nVennlig hilsen, kundeservice på Ålesund",
    "nn": "Hei Åse!\nFrom now on svarar vi innan ein dag, òg på laurdagar.\nVenleg helsing frå Førde",
    "da": "Hej Søren!\nFrom now on svarer vi inden for én dag, også om lørdagen.\nHilsen fra Århus, Æblegade",
    "en": "Hi Zoë!\nFrom now on we answer within a day — Malmö, Tromsø and Aarhus alike.\nKind regards",
}


@pytest.mark.parametrize("language", sorted(FROM_LINES))
def test_a_body_line_starting_with_from_arrives_unchanged(database: Database, mailbox: Mailbox, language: str) -> None:
    body = FROM_LINES[language]
    with database.session() as session:
        found = one_case(session, [("complaint", "Paketet kom aldrig fram!")], language=language, subject="Svar")
        queued = send_reply(session, found.id, body, author="eva")
        session.commit()
        stored_message_id = queued.message_id
    assert deliver_due(database).sent == 1
    [(_, received)] = mailbox.deliveries
    assert str(received["Message-ID"]) == stored_message_id
    assert str(received["Content-Language"]) == language
    assert received.get_content().replace("\r\n", "\n").rstrip("\n") == body


def test_server_down_is_retried_later_with_back_off(database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = queue_replies(database, 2)
    port = free_port()  # nothing listens here
    use_smtp(monkeypatch, port)
    start = utc_now()
    report = deliver_due(database, now=start)
    assert report.retrying == 1 and report.sent == 0 and report.stopped and "could not be reached" in report.stopped
    waiting = message(database, first)
    assert waiting.status == "queued" and waiting.attempts == 1
    assert waiting.next_attempt_at == start + timedelta(minutes=1)
    assert waiting.last_error and "127.0.0.1" in waiting.last_error
    assert message(database, second).attempts == 0  # the pass stopped: the server is down for every message
    assert deliver_due(database, now=start + timedelta(seconds=30)).retrying == 1  # only the second one was due
    again = start + timedelta(minutes=1, seconds=1)
    deliver_due(database, now=again)
    assert message(database, first).attempts == 2
    assert message(database, first).next_attempt_at == again + timedelta(minutes=2)
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        report = deliver_due(database, now=again + timedelta(hours=1))
    finally:
        controller.stop()
    assert report.sent == 2 and len(box.messages) == 2
    assert message(database, first).status == "sent" and message(database, first).attempts == 3
    assert [retry_delay(n) for n in (1, 2, 3, 30)] == [
        timedelta(minutes=1),
        timedelta(minutes=2),
        timedelta(minutes=4),
        timedelta(hours=6),
    ]


def test_a_4xx_is_retried_and_then_sent(database: Database, mailbox: Mailbox) -> None:
    [queued_id] = queue_replies(database)
    mailbox.data_answer = "451 4.3.0 Mailbox busy, try again later"
    start = utc_now()
    report = deliver_due(database, now=start)
    assert report.retrying == 1 and not report.stopped
    waiting = message(database, queued_id)
    assert waiting.status == "queued" and "451" in (waiting.last_error or "") and "Mailbox busy" in waiting.last_error
    mailbox.data_answer = None
    assert deliver_due(database, now=start + timedelta(minutes=2)).sent == 1
    assert message(database, queued_id).status == "sent" and len(mailbox.messages) == 1


def test_after_the_last_attempt_a_message_fails(
    database: Database, mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OMBUD_SEND_MAX_ATTEMPTS", "2")
    get_settings.cache_clear()
    [queued_id] = queue_replies(database)
    mailbox.data_answer = "421 4.7.0 Too many connections"
    start = utc_now()
    deliver_due(database, now=start)
    report = deliver_due(database, now=start + timedelta(hours=1))
    assert report.failed == 1
    failed = message(database, queued_id)
    assert failed.status == "failed" and "421" in (failed.last_error or "") and "after 2 attempts" in failed.last_error
    assert deliver_due(database, now=start + timedelta(days=1)).attempted == 0


def test_a_5xx_fails_at_once_with_the_servers_answer(database: Database, mailbox: Mailbox) -> None:
    refused, *_ = queue_replies(database, 2)
    mailbox.rcpt_answer = "550 5.1.1 No such user here"
    report = deliver_due(database)
    assert report.failed == 2 and report.retrying == 0
    failed = message(database, refused)
    assert failed.status == "failed" and failed.attempts == 1
    assert failed.last_error == "recipient refused: 550 5.1.1 No such user here"
    mailbox.rcpt_answer = None
    assert deliver_due(database, now=utc_now() + timedelta(days=1)).attempted == 0
    assert mailbox.deliveries == []


def test_a_server_too_slow_to_answer_is_retried_and_the_mailbox_keeps_one_copy(
    database: Database, mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OMBUD_SMTP_TIMEOUT_SECONDS", "0.5")
    get_settings.cache_clear()
    [queued_id] = queue_replies(database)
    mailbox.delay = 1.5  # takes the message, answers after the worker gave up
    start = utc_now()
    report = deliver_due(database, now=start)
    assert report.retrying == 1 and report.stopped
    waiting = message(database, queued_id)
    assert waiting.status == "queued" and "no answer within 0.5 s" in (waiting.last_error or "")
    mailbox.delay = 0
    assert deliver_due(database, now=start + timedelta(minutes=2)).sent == 1
    sent = message(database, queued_id)
    assert sent.status == "sent"
    assert mailbox.copies(sent.message_id) == 2 and len(mailbox.messages) == 1  # same Message-ID: one message


def test_a_customer_who_opted_out_or_was_erased_gets_nothing(database: Database, mailbox: Mailbox) -> None:
    opted_out, erased, kept = queue_replies(database, 3)
    with database.session() as session:
        for queued_id, change in ((opted_out, "opt_out"), (erased, "erase")):
            customer = session.get_one(Customer, message(database, queued_id).customer_id)
            if change == "opt_out":
                customer.contact_opt_out = True
            else:
                customer.erased_at = utc_now()
        session.commit()
    report = deliver_due(database)
    assert (report.cancelled, report.sent) == (2, 1)
    assert message(database, opted_out).status == "cancelled"
    assert "opted out" in (message(database, opted_out).last_error or "")
    assert "erased" in (message(database, erased).last_error or "")
    assert [str(received["To"]) for _, received in mailbox.deliveries] == ["kund2@example.se"]
    assert message(database, kept).status == "sent"


WORKER = textwrap.dedent(
    """
    import os, smtplib, sys
    from ombud.loop.delivery import deliver_due
    from ombud.store import open_database

    die_after = int(os.environ["DIE_AFTER_SENDS"])
    real_send = smtplib.SMTP.sendmail
    sends = 0

    def send_then_die(self, *args, **kwargs):
        global sends
        result = real_send(self, *args, **kwargs)  # the server answered 250
        sends += 1
        if sends == die_after:
            os._exit(17)  # killed before 'sent' is recorded
        return result

    smtplib.SMTP.sendmail = send_then_die
    deliver_due(open_database(sys.argv[1]))
    """
)


def run_worker(database: Database, tmp_path: Path, die_after: int) -> subprocess.Popen[bytes]:
    script = tmp_path / "worker.py"
    script.write_text(WORKER, encoding="utf-8")
    environment = {**os.environ, "DIE_AFTER_SENDS": str(die_after)}
    return subprocess.Popen([sys.executable, str(script), database.url], env=environment)


def test_a_worker_killed_after_the_server_took_a_message_delivers_each_exactly_once(
    database: Database, mailbox: Mailbox, tmp_path: Path
) -> None:
    first, second, third = queue_replies(database, 3)
    worker = run_worker(database, tmp_path, die_after=2)
    assert worker.wait(timeout=60) == 17
    assert message(database, first).status == "sent"
    assert message(database, second).status == "sending"  # the server has it; the worker died before recording
    assert message(database, third).status == "queued"
    # A run within the lease leaves the dead worker's claim alone and sends the rest.
    report = deliver_due(database)
    assert (report.sent, report.taken_over) == (1, 0) and message(database, second).status == "sending"
    # After the lease the claim is taken over and the message sent again, with the same Message-ID.
    report = deliver_due(database, now=utc_now() + claim_lease() + timedelta(seconds=1))
    assert (report.sent, report.taken_over) == (1, 1)
    stored = {queued: message(database, queued) for queued in (first, second, third)}
    assert all(found.status == "sent" for found in stored.values())
    assert len(mailbox.messages) == 3  # each message exactly once in the customer's mailbox
    assert set(mailbox.messages) == {found.message_id for found in stored.values()}
    assert mailbox.copies(stored[first].message_id) == 1  # recorded as sent: never sent again
    assert mailbox.copies(stored[second].message_id) == 2  # the one resend SMTP cannot rule out
    assert mailbox.copies(stored[third].message_id) == 1
    first_copy, second_copy = (m for _, m in mailbox.deliveries if m["Message-ID"] == stored[second].message_id)
    assert first_copy.as_bytes() == second_copy.as_bytes()  # the very same message, headers and all


def test_a_worker_killed_while_the_server_answers_delivers_exactly_once(
    database: Database, mailbox: Mailbox, tmp_path: Path
) -> None:
    queued = queue_replies(database, 2)
    worker = run_worker(database, tmp_path, die_after=99)
    mailbox.on_data = lambda _message: os.kill(worker.pid, 9) if len(mailbox.deliveries) == 1 else None
    assert worker.wait(timeout=60) == -9
    mailbox.on_data = None
    assert message(database, queued[0]).status == "sending"
    deliver_due(database, now=utc_now() + claim_lease() + timedelta(seconds=1))
    assert [message(database, queued_id).status for queued_id in queued] == ["sent", "sent"]
    assert len(mailbox.messages) == 2


def test_a_double_submit_queues_one_message(database: Database, mailbox: Mailbox) -> None:
    with database.session() as session:
        found = one_case(session, [("praise", "Tack för hjälpen!")], language="sv", message_id="<t@kund.example>")
        once = send_reply(session, found.id, "Tack själv, Anna!\r\n", author="eva")
        session.commit()
        twice = send_reply(session, found.id, "Tack själv, Anna!  \n\n", author="eva")
        session.commit()
        assert once.id == twice.id
        assert len(session.scalars(select(OutboundMessage)).all()) == 1
        events = session.scalars(select(CaseEvent).where(CaseEvent.case_id == found.id)).all()
        assert [event.kind for event in events] == ["answered"]
        assert found.status == "answered" and found.first_response_at is not None
    assert deliver_due(database).sent == 1
    assert len(mailbox.deliveries) == 1


def test_a_review_reply_is_kept_for_posting_by_hand(database: Database, mailbox: Mailbox, runner: CliRunner) -> None:
    with database.session() as session:
        found = one_case(session, [("complaint", "Två stjärnor, sen leverans.")], language="sv", channel="review")
        manual = send_reply(session, found.id, "Hej Anna, förlåt dröjsmålet!", author="eva")
        session.commit()
        manual_id = manual.id
        assert manual.status == "manual" and manual.recipient is None
    assert deliver_due(database).attempted == 0 and mailbox.deliveries == []
    listed = runner.invoke(app, ["outbox", "--status", "manual", "--db", database.url])
    assert listed.exit_code == 0, listed.output
    assert "To post by hand" in listed.output and "förlåt dröjsmålet" in listed.output
    done = runner.invoke(app, ["outbox", "done", str(manual_id), "--db", database.url])
    assert done.exit_code == 0, done.output
    assert message(database, manual_id).status == "sent" and message(database, manual_id).sent_at is not None
    with database.session() as session, pytest.raises(OutboxError, match="no outbound message 999"):
        mark_posted(session, 999)
    queued = queue_replies(database)[0]
    refused = runner.invoke(app, ["outbox", "done", str(queued), "--db", database.url])
    assert refused.exit_code == 2 and "not manual" in refused.stderr


def test_send_and_outbox_commands(database: Database, mailbox: Mailbox, runner: CliRunner) -> None:
    queued = queue_replies(database, 2)
    mailbox.rcpt_answer = "550 5.7.1 Relaying denied"
    sent = runner.invoke(app, ["send", "--db", database.url])
    assert sent.exit_code == 0, sent.output
    assert "0 sent, 2 failed" in sent.output and "Relaying denied" in sent.stderr
    listed = runner.invoke(app, ["outbox", "--json", "--db", database.url])
    rows = __import__("json").loads(listed.output)
    assert {row["id"] for row in rows} == set(queued)
    assert {row["status"] for row in rows} == {"failed"} and all("550" in row["last_error"] for row in rows)
    table = runner.invoke(app, ["outbox", "--db", database.url])
    assert table.output.count("failed") == 2 and table.output.count("550") == 2
    bad = runner.invoke(app, ["outbox", "--status", "lost", "--db", database.url])
    assert bad.exit_code == 2 and "unknown status" in bad.stderr


# --- TLS -----------------------------------------------------------------------------------------------------


@pytest.fixture
def certificate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, trusted by this test's clients (SSL_CERT_FILE)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed: no certificate for the TLS tests")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost,IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    return cert, key


def _login(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
    good = isinstance(data, LoginPassword) and data.login == b"ombud" and data.password == b"hemligt"
    if good:
        return AuthResult(success=True)
    return AuthResult(success=False, handled=False, message="535 5.7.8 Authentication credentials invalid")


@pytest.mark.parametrize("password", ["hemligt", "fel"])
def test_starttls_with_login(
    database: Database, certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, password: str
) -> None:
    cert, key = certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    box, port = Mailbox(), free_port()
    controller = Controller(
        box,
        hostname="127.0.0.1",
        port=port,
        tls_context=context,
        require_starttls=True,
        authenticator=_login,
        auth_required=True,
    )
    controller.start()
    try:
        use_smtp(monkeypatch, port, smtp_tls="starttls", smtp_user="ombud", smtp_password=password)
        [queued_id] = queue_replies(database)
        report = deliver_due(database)
    finally:
        controller.stop()
    if password == "hemligt":
        assert report.sent == 1 and box.messages
        assert next(iter(box.messages.values())).get_content().startswith("Hej Åsa!")
    else:
        assert report.retrying == 1 and report.stopped and not box.deliveries
        assert "login refused" in (message(database, queued_id).last_error or "")


def test_implicit_tls(database: Database, certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    cert, key = certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    box, port = Mailbox(), free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port, ssl_context=context)
    controller.start()
    try:
        use_smtp(monkeypatch, port, smtp_tls="tls")
        queue_replies(database)
        report = deliver_due(database)
        use_smtp(monkeypatch, port, smtp_tls="none")  # plain SMTP against a TLS port: retried, not lost
        queue_replies(database, body="Hej igen", start=1)
        plain = deliver_due(database)
    finally:
        controller.stop()
    assert report.sent == 1 and len(box.messages) == 1
    assert plain.retrying == 1 and plain.stopped


def test_send_loop_keeps_sending_and_stops_cleanly_on_ctrl_c(database: Database, mailbox: Mailbox) -> None:
    import signal
    import time

    [first] = queue_replies(database)
    ombud = Path(sys.executable).with_name("ombud")
    worker = subprocess.Popen(
        [str(ombud), "send", "--loop", "--interval", "0.2", "--db", database.url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while message(database, first).status != "sent":
            assert time.monotonic() < deadline and worker.poll() is None, "the loop did not send"
            time.sleep(0.1)
        [second] = queue_replies(database, start=1)  # queued while the loop runs
        while message(database, second).status != "sent":
            assert time.monotonic() < deadline, "the loop did not send a message queued later"
            time.sleep(0.1)
        worker.send_signal(signal.SIGINT)
        _, stderr = worker.communicate(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert worker.returncode == 0 and b"Stopping" in stderr
    assert len(mailbox.messages) == 2


def test_enqueue_that_loses_a_race_returns_the_winner_and_keeps_the_callers_work(database: Database) -> None:
    """Two agents queue the same message at once: the one whose look-up saw nothing yet gets the other's row."""
    from ombud.loop.outbox import enqueue

    fields: dict[str, Any] = {
        "kind": "reply",
        "channel": "email",
        "recipient": "anna@example.se",
        "language": "sv",
        "subject": "Re: Paketet",
        "body": "Hej Anna, vi skickar ett nytt paket i dag.",
    }
    with database.session() as first:
        anna = factories.customer(first)
        first.commit()
        winner = enqueue(first, key="reply:race", customer_id=anna.id, **fields)
        first.commit()
    with database.session() as second:
        second.add(Customer(name="Kept"))  # the caller's own unflushed work in the same transaction
        real_scalars = second.scalars
        looked = []

        def first_look_misses(statement: Any, *args: Any, **kwargs: Any) -> Any:
            looked.append(statement)
            if len(looked) == 1:  # as if the other agent's commit came just after this look-up
                return real_scalars(select(OutboundMessage).where(OutboundMessage.id == -1))
            return real_scalars(statement, *args, **kwargs)

        second.scalars = first_look_misses  # type: ignore[method-assign]
        loser = enqueue(second, key="reply:race", customer_id=anna.id, **{**fields, "body": "Another text"})
        second.commit()
        assert loser.id == winner.id and loser.body == fields["body"]
    with database.session() as check:
        assert check.scalar(select(func.count()).select_from(OutboundMessage)) == 1
        assert check.scalars(select(Customer).where(Customer.name == "Kept")).one()
