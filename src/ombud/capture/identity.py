"""How ombud recognises the same customer and the same voice again."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import datetime

from ombud.capture.problems import problem
from ombud.capture.records import RowRejected, SourceVoice

# The kinds of identity a customer is known by (``customer_identities.kind``), strongest first: the one order
# in which every listing picks the identity it shows, and the names masks take (``[email]``, ``[external]``).
EMAIL, PHONE, EXTERNAL = IDENTITY_KINDS = ("email", "phone", "external")

_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
_PHONE_NOISE = re.compile(r"[\s\-()./]")


def normalise_email(value: str) -> str:
    email = value.strip().lower()
    if email.startswith("mailto:"):
        email = email[len("mailto:") :]
    if not _EMAIL.match(email):
        raise RowRejected(problem("email_invalid", value=value.strip()))
    return email


# Country calling codes, and whether the country dials a trunk 0 before national numbers.
CALLING_CODES = {"SE": ("46", True), "FI": ("358", True), "NO": ("47", False), "DK": ("45", False)}


def normalise_phone(value: str, country: str = "SE") -> str:
    """E.164 where it can be told (+46701234567), so that 070-123 45 67 and +46 70 123 45 67 match."""
    phone = value.strip()
    if not phone.isdigit():
        phone = _PHONE_NOISE.sub("", phone)
    if phone.startswith("00"):
        phone = "+" + phone[2:]
    digits = phone[1:] if phone.startswith("+") else phone
    if not digits.isdigit() or not 5 <= len(digits) <= 15:
        raise RowRejected(problem("phone_invalid", value=value.strip()))
    if phone.startswith("+") or country not in CALLING_CODES:
        return phone
    code, trunk_zero = CALLING_CODES[country]
    if trunk_zero and phone.startswith("0") and 7 <= len(phone) <= 11:
        return f"+{code}{phone[1:]}"
    if not trunk_zero and len(phone) == 8 and not phone.startswith("0"):
        return f"+{code}{phone}"
    return phone


def identity_rank(kind: str) -> int:
    """Where ``kind`` stands in ``IDENTITY_KINDS`` (an unknown kind after all of them)."""
    return IDENTITY_KINDS.index(kind) if kind in IDENTITY_KINDS else len(IDENTITY_KINDS)


def identities_of(voice: SourceVoice, phone_country: str = "SE") -> list[tuple[str, str]]:
    """The (kind, value) identities a voice names its customer by, strongest first."""
    found: list[tuple[str, str]] = []
    if voice.customer_email:
        found.append((EMAIL, normalise_email(voice.customer_email)))
    if voice.customer_phone:
        found.append((PHONE, normalise_phone(voice.customer_phone, phone_country)))
    if voice.customer_external_id and voice.customer_external_id.strip():
        found.append((EXTERNAL, voice.customer_external_id.strip()))
    if not found:
        raise RowRejected(problem("no_customer"))
    return found


def normalise_text(text: str) -> str:
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return " ".join(text.split()).casefold()


def content_hash(text: str) -> str:
    return hashlib.sha256(normalise_text(text).encode("utf-8")).hexdigest()


def _digest(*parts: str) -> str:
    # 128 bits are plenty to tell voices apart, and a short key keeps the unique index small and fast.
    return hashlib.blake2b("\x1f".join(parts).encode("utf-8"), digest_size=16).hexdigest()


def dedup_key(
    voice: SourceVoice, channel: str, first_identity: tuple[str, str], text_hash: str, at: datetime | None
) -> str:
    """The key that makes a second import of the same voice add nothing.

    An e-mail is known by its Message-ID, a row by its external id within its
    channel, and anything else by who said what, when.
    """
    if voice.message_id:
        return "m:" + _digest(voice.message_id)
    if voice.external_id:
        return "x:" + _digest(channel, voice.external_id)
    moment = at.isoformat() if at else ""
    return "h:" + _digest(*first_identity, moment, text_hash)
