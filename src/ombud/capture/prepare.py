"""Preparing voices for the store without touching it: who the customer is, the dedup key.

Preparation is pure, so it runs in the reader process beside the writer. A
prepared voice is a plain tuple so that it crosses between processes cheaply.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import NamedTuple

from ombud.capture.identity import content_hash, dedup_key, identities_of
from ombud.capture.records import RowError, RowRejected, SourceVoice
from ombud.store.bulk import EncodedJson, encode_json

Identity = tuple[str, str]


class PreparedVoice(NamedTuple):
    identities: tuple[Identity, ...]
    key: str
    text_hash: str
    received_at: datetime
    channel: str
    text: str
    subject: str | None
    source_line: int | None
    message_id: str | None
    in_reply_to: str | None
    external_id: str | None
    meta: EncodedJson
    customer_name: str | None
    customer_language: str | None


class Preparer:
    def __init__(self, source: str, default_channel: str, phone_country: str, started_at: datetime) -> None:
        self.source = source
        self.default_channel = default_channel
        self.phone_country = phone_country
        self.started_at = started_at

    def prepare(self, voice: SourceVoice) -> PreparedVoice | RowError:
        try:
            identities = identities_of(voice, self.phone_country)
        except RowRejected as rejected:
            return RowError(self.source, voice.source_line, rejected.reason)
        channel = voice.channel or self.default_channel
        text_hash = content_hash(voice.text)
        when = voice.received_at.astimezone(UTC) if voice.received_at else None
        return PreparedVoice(
            identities=tuple(identities),
            key=dedup_key(voice, channel, identities[0], text_hash, when),
            text_hash=text_hash,
            received_at=when or self.started_at,
            channel=channel,
            text=voice.text,
            subject=voice.subject,
            source_line=voice.source_line,
            message_id=voice.message_id,
            in_reply_to=voice.in_reply_to,
            external_id=voice.external_id,
            meta=encode_json(voice.meta),
            customer_name=voice.customer_name,
            customer_language=voice.customer_language,
        )
