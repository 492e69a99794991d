"""Preparing voices for the store without touching it: who the customer is, the dedup key, and the
voice's row exactly as the store keeps it.

Preparation is pure, so it runs in the reader process beside the writer. A batch crosses between
the processes as a few plain lists of strings and tuples, which pickle several times faster than a
list of objects, and its rows are already in the store's representation (times as the database
keeps them, metadata as JSON text), so that the writer only adds the customer id.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ombud.capture.identity import content_hash, dedup_key, identities_of
from ombud.capture.records import RowError, RowRejected, SourceVoice

Identity = tuple[str, str]

# The columns of a prepared row, in order. The writer fills customer_id (None until then) and adds
# the import's own columns (source_file, import_id, created_at).
ROW_COLUMNS = (
    "customer_id",
    "channel",
    "received_at",
    "text",
    "subject",
    "source_line",
    "message_id",
    "in_reply_to",
    "external_id",
    "content_hash",
    "dedup_key",
    "metadata",
)

# One encoder for every row: json.dumps with a keyword argument builds a new encoder per call.
_encoder = json.JSONEncoder(ensure_ascii=False).encode
_quote = json.encoder.encode_basestring  # a JSON string, exactly as that encoder writes it


def encode_meta(meta: dict[str, Any]) -> str:
    """``json.dumps(meta, ensure_ascii=False)``; a dict of strings (every CSV row's) is written directly."""
    if not meta:
        return "{}"
    parts = []
    for key, value in meta.items():
        if key.__class__ is not str or value.__class__ is not str:
            return _encoder(meta)
        parts.append(f"{_quote(key)}: {_quote(value)}")
    return "{" + ", ".join(parts) + "}"


@dataclass(slots=True)
class PreparedBatch:
    """Prepared voices as parallel lists: voice ``n`` is ``keys[n]``, ``identities[n]``, ``rows[n]``."""

    keys: list[str] = field(default_factory=list)
    # The (kind, value) identities each voice names its customer by, strongest first.
    identities: list[tuple[Identity, ...]] = field(default_factory=list)
    rows: list[list[Any]] = field(default_factory=list)
    # (name, language) for the voices that give either; most give neither.
    customers: dict[int, tuple[str | None, str | None]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.keys)

    def customer_of(self, number: int) -> tuple[str | None, str | None]:
        return self.customers.get(number, (None, None))


class Preparer:
    def __init__(
        self,
        source: str,
        default_channel: str,
        phone_country: str,
        started_at: datetime,
        store_time: Callable[[datetime], Any],
    ) -> None:
        """``store_time`` turns an aware UTC time into the database's representation of it
        (``ombud.store.bulk.store_time``)."""
        self.source = source
        self.default_channel = default_channel
        self.phone_country = phone_country
        self.started_at = started_at
        self.store_time = store_time
        self._started_stored = store_time(started_at.astimezone(UTC))

    def prepare(self, voice: SourceVoice, batch: PreparedBatch) -> RowError | None:
        """Add ``voice`` to ``batch``, or return why it cannot be imported."""
        try:
            identities = identities_of(voice, self.phone_country)
        except RowRejected as rejected:
            return RowError.of(self.source, voice.source_line, rejected.problem)
        channel = voice.channel or self.default_channel
        text_hash = content_hash(voice.text)
        when = voice.received_at.astimezone(UTC) if voice.received_at else None
        key = dedup_key(voice, channel, identities[0], text_hash, when)
        if voice.customer_name is not None or voice.customer_language is not None:
            batch.customers[len(batch.keys)] = (voice.customer_name, voice.customer_language)
        batch.keys.append(key)
        batch.identities.append(tuple(identities))
        batch.rows.append(
            [
                None,
                channel,
                self._started_stored if when is None else self.store_time(when),
                voice.text,
                voice.subject,
                voice.source_line,
                voice.message_id,
                voice.in_reply_to,
                voice.external_id,
                text_hash,
                key,
                encode_meta(voice.meta),
            ]
        )
        return None
