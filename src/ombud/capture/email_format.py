"""E-mail: single .eml files (or folders of them) and mbox files.

The sender becomes the customer; the subject and the customer's own words
(quoted replies and signatures removed, HTML made into text) become the text.
Message-ID, In-Reply-To and References are kept so that replies find their case.
"""

from __future__ import annotations

import email
import mailbox
import re
from collections.abc import Iterator
from datetime import datetime
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import ClassVar, cast

from ombud.capture.email_text import customer_words
from ombud.capture.options import ImportOptions
from ombud.capture.problems import in_message, problem
from ombud.capture.records import RowError, RowRejected, SourceVoice

_REPLY_PREFIX = re.compile(r"^\s*((re|sv|vs|aw|fw|fwd|vb|vl|antw|ang)\s*(\[\d+\])?\s*:\s*)+", re.IGNORECASE)


def _header(message: EmailMessage, name: str) -> str | None:
    try:
        value = message.get(name)
    except (ValueError, IndexError, TypeError):
        return None
    return str(value).strip() if value is not None and str(value).strip() else None


def _body(message: EmailMessage) -> tuple[str, bool]:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        raise RowRejected(problem("mail_no_body"))
    try:
        content = part.get_content()
    except (LookupError, UnicodeError):
        payload = cast(bytes, part.get_payload(decode=True) or b"")
        content = payload.decode("latin-1")
    return str(content), part.get_content_subtype() == "html"


def _sender(message: EmailMessage) -> tuple[str | None, str]:
    header = message.get("From")
    addresses = getattr(header, "addresses", ()) if header is not None else ()
    if not addresses or not addresses[0].addr_spec or "@" not in addresses[0].addr_spec:
        raise RowRejected(problem("mail_no_sender", value=str(header or "")))
    return (addresses[0].display_name or None), addresses[0].addr_spec


def _received_at(message: EmailMessage, options: ImportOptions) -> datetime:
    header = message.get("Date")
    moment: datetime | None = getattr(header, "datetime", None) if header is not None else None
    if moment is None:
        raise RowRejected(problem("mail_no_date", value=str(header or "")))
    return moment if moment.tzinfo else moment.replace(tzinfo=options.timezone)


def voice_from_message(message: EmailMessage, number: int | None, options: ImportOptions) -> SourceVoice:
    name, address = _sender(message)
    body, is_html = _body(message)
    words = customer_words(body, html=is_html)
    subject = _header(message, "Subject")
    is_reply = bool(subject and _REPLY_PREFIX.match(subject))
    text = f"{subject}\n\n{words}" if subject and not is_reply and words else (words or subject or "")
    if not text.strip():
        raise RowRejected(problem("mail_no_text"))
    if len(text) > options.max_text_chars:
        raise RowRejected(problem("text_too_long", length=len(text), limit=options.max_text_chars))
    references = _header(message, "References")
    voice = SourceVoice(
        text=text.strip(),
        source_line=number,
        received_at=_received_at(message, options),
        channel=options.channel or "email",
        customer_name=name,
        customer_email=address,
        subject=subject,
        message_id=_header(message, "Message-ID"),
        in_reply_to=_header(message, "In-Reply-To"),
    )
    language = _header(message, "Content-Language")
    if language:
        voice.customer_language = language.split(",")[0].strip().lower().split("-")[0][:8]
        voice.meta["language"] = voice.customer_language
    if references:
        voice.meta["references"] = references.split()
    voice.meta.update(options.tags)
    if is_html:
        voice.meta["html_only"] = True
    return voice


def _parse(data: bytes) -> EmailMessage:
    return email.message_from_bytes(data, policy=default_policy)


class EmlImporter:
    name: ClassVar[str] = "eml"
    suffixes: ClassVar[tuple[str, ...]] = (".eml", ".msg822")
    default_channel: ClassVar[str] = "email"
    progress_unit: ClassVar[str] = "mails"

    def __init__(self, path: Path, options: ImportOptions) -> None:
        self.path = path
        self.options = options
        self._done = 0

    @classmethod
    def sniff(cls, path: Path, head: bytes) -> bool:
        return bool(re.match(rb"(?i)^(received|return-path|from|message-id|date|mime-version|delivered-to):", head))

    def progress(self) -> tuple[int, int]:
        return self._done, 1

    def read(self) -> Iterator[SourceVoice | RowError]:
        try:
            yield voice_from_message(_parse(self.path.read_bytes()), None, self.options)
        except RowRejected as rejected:
            yield RowError.of(str(self.path), None, rejected.problem)
        self._done = 1


class MboxImporter:
    """An mbox file; a row's line number is the number of the message in the file."""

    name: ClassVar[str] = "mbox"
    suffixes: ClassVar[tuple[str, ...]] = (".mbox", ".mbx")
    default_channel: ClassVar[str] = "email"
    progress_unit: ClassVar[str] = "mails"

    def __init__(self, path: Path, options: ImportOptions) -> None:
        self.path = path
        self.options = options
        self._done = 0
        self._total = 0

    @classmethod
    def sniff(cls, path: Path, head: bytes) -> bool:
        return head.startswith(b"From ")

    def progress(self) -> tuple[int, int]:
        return self._done, self._total

    def read(self) -> Iterator[SourceVoice | RowError]:
        box = mailbox.mbox(self.path, create=False)
        try:
            keys = box.keys()
            self._total = len(keys)
            for number, key in enumerate(keys, start=1):
                try:
                    yield voice_from_message(_parse(box.get_bytes(key)), number, self.options)
                except RowRejected as rejected:
                    yield RowError.of(str(self.path), number, in_message(number, rejected.problem))
                self._done = number
        finally:
            box.close()
