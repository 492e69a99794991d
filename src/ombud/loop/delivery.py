"""The delivery worker: sends what the outbox queued, over SMTP, with retries and back-off.

One pass (``deliver_due``) takes the due messages one at a time. For each it

1. claims the message in its own short, committed transaction (status ``sending``, ``claimed_at``; the
   attempt is counted here, so a message that kills the worker every time still ends ``failed``). A claim
   is a compare-and-set on the row, so two workers never hold the same message. A message whose customer
   opted out or was erased is ``cancelled`` instead, and never sent;
2. sends it: a proper MIME message with the Message-ID, Date and threading headers fixed when it was queued;
3. records the server's answer at once in a second short transaction: ``sent`` after the server's 250; a
   4xx, a refused connection or a timeout puts it back to ``queued`` with ``next_attempt_at`` doubling from
   one minute (at most six hours) until ``OMBUD_SEND_MAX_ATTEMPTS``, then ``failed``; a 5xx is ``failed``
   at once with the server's answer. ``last_error`` always says what happened.

What is guaranteed, and what SMTP cannot give. A message recorded as ``sent`` is never sent again: only
``queued`` messages and stale ``sending`` claims are ever picked. SMTP has no way to ask a server whether it
took a message, so if the worker dies (or the connection drops) after the server accepted a message and
before ``sent`` is committed, the message stays ``sending``; once its claim is older than the lease (ten
times the SMTP timeout, at least five minutes) the next pass sends it again — with the same Message-ID,
Date and headers, so the receiving mailbox, which keeps one message per Message-ID, shows it once. The
window in which this can happen is only the time between the server's 250 and one small UPDATE. So: every
queued message is delivered at least once in the end (or ends ``failed`` with its reason), and exactly once
as the customer sees it in any mailbox that removes duplicates by Message-ID; a mailbox that does not may,
after such a crash, show the same message twice.
"""

from __future__ import annotations

import smtplib
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from typing import Any, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Connection, Table, or_, select, update
from sqlalchemy.orm import Session

from ombud.errors import OutboxError
from ombud.settings import Settings, get_settings
from ombud.store import Database
from ombud.store.models import Customer, OutboundMessage
from ombud.store.types import utc_now

FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=6)
MIN_LEASE = timedelta(minutes=5)

messages = cast(Table, OutboundMessage.__table__)


@dataclass
class DeliveryProblem:
    message_id: int  # the outbound message's id (not its Message-ID header)
    status: str  # queued (retried later) or failed
    error: str


@dataclass
class DeliveryReport:
    """What one pass did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    cancelled: int = 0
    taken_over: int = 0  # stale claims of a worker that died mid-send, sent again
    stopped: str | None = None  # why the pass ended early: the server could not be reached
    problems: list[DeliveryProblem] = field(default_factory=list)

    @property
    def attempted(self) -> int:
        return self.sent + self.retrying + self.failed


class _Transient(Exception):
    """The server or the network said not now: try again later."""

    def __init__(self, reason: str, *, connection_lost: bool) -> None:
        super().__init__(reason)
        self.connection_lost = connection_lost


class _Permanent(Exception):
    """The server refused this message for good (5xx)."""


def retry_delay(attempts: int) -> timedelta:
    """Back-off after the ``attempts``-th failed attempt: 1, 2, 4, … minutes, at most six hours."""
    exponent = min(max(attempts - 1, 0), 20)
    return min(FIRST_RETRY * (1 << exponent), LONGEST_RETRY)


def claim_lease(settings: Settings | None = None) -> timedelta:
    """How long a claim holds; an older one belongs to a worker that died and is taken over."""
    settings = settings or get_settings()
    return max(MIN_LEASE, timedelta(seconds=10 * settings.smtp_timeout_seconds))


def deliver_due(
    database: Database,
    *,
    now: datetime | None = None,
    limit: int | None = None,
    stop: threading.Event | None = None,
    settings: Settings | None = None,
) -> DeliveryReport:
    """Send every message that is due (at most ``limit``); ``stop`` ends the pass between two messages.

    ``settings`` (default: the environment's) name the SMTP server and the sender."""
    settings = settings or get_settings()
    report = DeliveryReport()
    handled: set[int] = set()

    def clock() -> datetime:
        return now or utc_now()

    with _Mailer(settings) as mailer:
        while limit is None or len(handled) < limit:
            if stop is not None and stop.is_set():
                break
            claim = _claim_next(database, clock(), claim_lease(settings), handled)
            if claim is None:
                break
            row, claimed_at, took_over = claim
            handled.add(row["id"])
            if row["status"] == "cancelled":
                report.cancelled += 1
                continue
            report.taken_over += took_over
            try:
                email = build_message(row, settings)
            except (ValueError, TypeError, LookupError) as error:  # a header the e-mail format cannot carry
                reason = f"cannot be written as an e-mail: {error}"
                _finish(database, row["id"], claimed_at, status="failed", error=reason)
                report.failed += 1
                report.problems.append(DeliveryProblem(row["id"], "failed", reason))
                continue
            try:
                mailer.send(email, envelope_from(settings), row["recipient"])
            except _Permanent as error:
                _finish(database, row["id"], claimed_at, status="failed", error=str(error))
                report.failed += 1
                report.problems.append(DeliveryProblem(row["id"], "failed", str(error)))
                continue
            except _Transient as error:
                status = _retry(database, row, claimed_at, str(error), clock(), settings.send_max_attempts)
                if status == "failed":
                    report.failed += 1
                else:
                    report.retrying += 1
                report.problems.append(DeliveryProblem(row["id"], status, str(error)))
                if error.connection_lost:
                    report.stopped = f"the SMTP server could not be reached: {error}"
                    break
                continue
            _finish(database, row["id"], claimed_at, status="sent", at=clock())
            report.sent += 1
    return report


def envelope_from(settings: Settings) -> str:
    return parseaddr(settings.mail_from)[1] or settings.mail_from


def build_message(row: Any, settings: Settings | None = None) -> EmailMessage:
    """The e-mail of one outbound message, the same on every attempt (so a resend is recognised)."""
    settings = settings or get_settings()
    if not row["recipient"]:
        raise ValueError("it has no recipient address")
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = row["recipient"]
    message["Subject"] = row["subject"]
    message["Date"] = format_datetime(_local(row["created_at"], settings.timezone))
    message["Message-ID"] = row["message_id"]
    if row["in_reply_to"]:
        message["In-Reply-To"] = row["in_reply_to"]
    if row["references"]:
        message["References"] = row["references"]
    # Quoted-printable keeps the message 7-bit on the wire, whatever the server's 8BITMIME support,
    # and every å, ä, ö, æ and ø arrives as written.
    message.set_content(row["body"], charset="utf-8", cte="quoted-printable")
    message["Content-Language"] = row["language"]  # after set_content, which replaces every Content-* header
    return message


def wire_form(message: EmailMessage, sender: str, recipient: str) -> tuple[bytes, list[str]]:
    """The message's bytes as they go over SMTP, and the MAIL options they need.

    Written with ``email.policy.SMTP`` (CRLF line ends, no ``>From`` mangling: a body line "From now on …"
    arrives as written); smtplib's ``send_message`` would write it with a policy-less generator that mangles.
    An address outside ASCII needs SMTPUTF8, and then the headers go as UTF-8 too."""
    if sender.isascii() and recipient.isascii():
        return message.as_bytes(policy=policy.SMTP), []
    return message.as_bytes(policy=policy.SMTPUTF8), ["SMTPUTF8", "BODY=8BITMIME"]


def _local(moment: datetime, zone: str) -> datetime:
    try:
        return moment.astimezone(ZoneInfo(zone))
    except ZoneInfoNotFoundError:
        return moment


# --- the outbox rows -----------------------------------------------------------------------------------------


def _claim_next(
    database: Database, now: datetime, lease: timedelta, handled: set[int]
) -> tuple[Any, datetime, bool] | None:
    """Claim the next due message in its own committed transaction; cancel it if its customer is not to be
    contacted. Returns the row as claimed, the claim time, and whether a dead worker's claim was taken over."""
    while True:
        with database.engine.begin() as connection:
            candidate = connection.execute(
                select(messages.c.id, messages.c.status, messages.c.claimed_at)
                .where(
                    or_(
                        (messages.c.status == "queued")
                        & or_(messages.c.next_attempt_at.is_(None), messages.c.next_attempt_at <= now),
                        (messages.c.status == "sending") & (messages.c.claimed_at < now - lease),
                    ),
                    messages.c.id.not_in(handled) if handled else messages.c.id.isnot(None),
                )
                .order_by(messages.c.next_attempt_at, messages.c.id)
                .limit(1)
            ).first()
            if candidate is None:
                return None
            same_claim = (
                messages.c.claimed_at.is_(None)
                if candidate.claimed_at is None
                else messages.c.claimed_at == candidate.claimed_at
            )
            refusal = _refusal(connection, candidate.id)
            values: dict[str, Any] = (
                {"status": "cancelled", "last_error": refusal, "next_attempt_at": None}
                if refusal
                else {"status": "sending", "claimed_at": now, "attempts": messages.c.attempts + 1}
            )
            taken = connection.execute(
                update(messages)
                .where(messages.c.id == candidate.id, messages.c.status == candidate.status, same_claim)
                .values(**values)
            )
            if taken.rowcount != 1:
                continue  # another worker was quicker: look again
            row = connection.execute(select(messages).where(messages.c.id == candidate.id)).mappings().one()
            return row, now, candidate.status == "sending"


def _refusal(connection: Connection, message_id: int) -> str | None:
    customer = connection.execute(
        select(Customer.contact_opt_out, Customer.erased_at)
        .join(OutboundMessage, OutboundMessage.customer_id == Customer.id)
        .where(OutboundMessage.id == message_id)
    ).first()
    if customer is None:
        return "the customer no longer exists"
    if customer.erased_at is not None:
        return "cancelled: the customer was erased"
    if customer.contact_opt_out:
        return "cancelled: the customer opted out of contact"
    return None


def _finish(
    database: Database,
    message_id: int,
    claimed_at: datetime,
    *,
    status: str,
    error: str | None = None,
    at: datetime | None = None,
) -> None:
    values: dict[str, Any] = {"status": status, "last_error": error, "next_attempt_at": None}
    if status == "sent":
        values["sent_at"] = at or utc_now()
    with database.engine.begin() as connection:
        connection.execute(
            update(messages)
            .where(
                messages.c.id == message_id,
                messages.c.status == "sending",
                messages.c.claimed_at == claimed_at,
            )
            .values(**values)
        )


def _retry(database: Database, row: Any, claimed_at: datetime, error: str, now: datetime, max_attempts: int) -> str:
    attempts = int(row["attempts"])
    if attempts >= max_attempts:
        _finish(database, row["id"], claimed_at, status="failed", error=f"{error} (gave up after {attempts} attempts)")
        return "failed"
    with database.engine.begin() as connection:
        connection.execute(
            update(messages)
            .where(messages.c.id == row["id"], messages.c.status == "sending", messages.c.claimed_at == claimed_at)
            .values(status="queued", last_error=error, next_attempt_at=now + retry_delay(attempts))
        )
    return "queued"


# --- SMTP ----------------------------------------------------------------------------------------------------


class _Mailer:
    """One SMTP connection for a pass, opened when the first message goes and reopened after a failure."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.connection: smtplib.SMTP | None = None

    def __enter__(self) -> _Mailer:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.quit()
            except (smtplib.SMTPException, OSError):
                self.connection.close()
            self.connection = None

    def send(self, message: EmailMessage, sender: str, recipient: str) -> None:
        with self._answers():
            connection = self.connection or self._connect()
            self.connection = connection
            connection.sendmail(sender, [recipient], *wire_form(message, sender, recipient))

    def _connect(self) -> smtplib.SMTP:
        settings = self.settings
        timeout = settings.smtp_timeout_seconds
        connection: smtplib.SMTP
        if settings.smtp_tls == "tls":
            connection = smtplib.SMTP_SSL(
                settings.smtp_host, settings.smtp_port, timeout=timeout, context=ssl.create_default_context()
            )
        else:
            connection = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=timeout)
        try:
            connection.ehlo()
            if settings.smtp_tls == "starttls":
                connection.starttls(context=ssl.create_default_context())
                connection.ehlo()
            if settings.smtp_user:
                connection.login(settings.smtp_user, settings.smtp_password or "")
        except BaseException:
            connection.close()
            raise
        return connection

    @contextmanager
    def _answers(self) -> Iterator[None]:
        """Turn what smtplib raises into: try again later (and whether the connection is gone), or never."""
        where = f"{self.settings.smtp_host}:{self.settings.smtp_port}"
        try:
            yield
        except smtplib.SMTPRecipientsRefused as error:
            self._reset()
            code, said = next(iter(error.recipients.values()))
            raise _by_code(code, said, "recipient refused") from error
        except smtplib.SMTPAuthenticationError as error:
            self._drop()
            # Not this message's fault: keep it, and stop until the login is put right.
            answer = _answer(error.smtp_code, error.smtp_error)
            raise _Transient(f"login refused by {where}: {answer}", connection_lost=True) from error
        except (smtplib.SMTPConnectError, smtplib.SMTPHeloError) as error:
            self._drop()
            answer = _answer(error.smtp_code, error.smtp_error)
            raise _Transient(f"{where} would not talk: {answer}", connection_lost=True) from error
        except smtplib.SMTPResponseException as error:
            if error.smtp_code == 421:  # the server is closing the connection: nothing more goes this pass
                self._drop()
                answer = _answer(error.smtp_code, error.smtp_error)
                raise _Transient(f"{where} closed the connection: {answer}", connection_lost=True) from error
            self._reset()
            raise _by_code(error.smtp_code, error.smtp_error, "refused") from error
        except smtplib.SMTPServerDisconnected as error:
            self._drop()
            if isinstance(error.__context__, TimeoutError):  # smtplib reports a read timeout this way
                seconds = self.settings.smtp_timeout_seconds
                raise _Transient(f"{where}: no answer within {seconds:g} s", connection_lost=True) from error
            raise _Transient(f"{where}: connection lost ({error})", connection_lost=True) from error
        except smtplib.SMTPNotSupportedError as error:
            self._drop()
            raise _Transient(f"{where}: {error} (check OMBUD_SMTP_TLS)", connection_lost=True) from error
        except smtplib.SMTPException as error:
            self._drop()
            raise _Transient(f"{where}: {error}", connection_lost=True) from error
        except TimeoutError as error:
            self._drop()
            seconds = self.settings.smtp_timeout_seconds
            raise _Transient(f"{where}: no answer within {seconds:g} s", connection_lost=True) from error
        except ssl.SSLError as error:
            self._drop()
            raise _Transient(f"{where}: TLS failed ({error.reason or error})", connection_lost=True) from error
        except OSError as error:
            self._drop()
            raise _Transient(f"{where}: {error.strerror or error}", connection_lost=True) from error

    def _reset(self) -> None:
        if self.connection is None:
            return
        try:
            self.connection.rset()
        except (smtplib.SMTPException, OSError):
            self._drop()

    def _drop(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def _answer(code: int, text: bytes | str) -> str:
    said = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"{code} {' '.join(said.split())}"


def _by_code(code: int, text: bytes | str, what: str) -> Exception:
    answer = _answer(code, text)
    if 500 <= code < 600:
        return _Permanent(f"{what}: {answer}")
    return _Transient(f"{what}, try later: {answer}", connection_lost=False)


# --- the outbox as agents see it -----------------------------------------------------------------------------

STATUSES = ("queued", "sending", "sent", "failed", "manual", "cancelled")


def outbox_messages(session: Session, *, status: str | None = None, limit: int | None = None) -> list[OutboundMessage]:
    """The outbox, newest first, optionally of one status."""
    if status is not None and status not in STATUSES:
        raise OutboxError(f"unknown status {status!r}: a message is {', '.join(STATUSES)}")
    query = select(OutboundMessage).order_by(OutboundMessage.id.desc())
    if status is not None:
        query = query.where(OutboundMessage.status == status)
    if limit is not None:
        query = query.limit(limit)
    return list(session.scalars(query))


def mark_posted(
    session: Session, message_id: int, *, author: str | None = None, at: datetime | None = None
) -> OutboundMessage:
    """An agent posted a manual message by hand (a reply under a public review, say): it counts as sent.
    The caller commits."""
    message = session.get(OutboundMessage, message_id)
    if message is None:
        raise OutboxError(f"there is no outbound message {message_id}")
    if message.status == "sent" and message.recipient is None:
        return message  # posted already
    if message.status != "manual":
        raise OutboxError(
            f"message {message_id} is {message.status}, not manual: only messages for posting by hand are marked done"
        )
    message.status = "sent"
    message.sent_at = at or utc_now()
    if author:
        message.author = message.author or author
    session.flush()
    return message
