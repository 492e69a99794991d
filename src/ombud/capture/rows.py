"""Turning one mapped row of a table-like file (CSV, JSONL) into a SourceVoice."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ombud.capture.options import ImportOptions, normalise_channel
from ombud.capture.records import RowRejected, SourceVoice
from ombud.capture.times import parse_time

_DIRECT_FIELDS = {
    "customer_name": "customer_name",
    "customer_email": "customer_email",
    "customer_phone": "customer_phone",
    "customer_id": "customer_external_id",
    "customer_language": "customer_language",
    "external_id": "external_id",
    "subject": "subject",
}
_META_FIELDS = ("company", "industry", "rating")


def _clean(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def voice_from_row(
    row: Mapping[str, Any], mapping: Mapping[str, str], line: int, options: ImportOptions
) -> SourceVoice:
    """Build a voice from ``row`` ({column: value}) using ``mapping`` ({field: column})."""
    text = _clean(row.get(mapping["text"])) if "text" in mapping else None
    if text is None:
        raise RowRejected(f"the text ({mapping.get('text', 'text')}) is empty")
    if len(text) > options.max_text_chars:
        raise RowRejected(
            f"the text is {len(text):,} characters long, more than the limit of "
            f"{options.max_text_chars:,} (OMBUD_MAX_TEXT_CHARS)"
        )
    voice = SourceVoice(text=text.replace("\r\n", "\n"), source_line=line)
    for field, attribute in _DIRECT_FIELDS.items():
        if field in mapping:
            setattr(voice, attribute, _clean(row.get(mapping[field])))
    if "received_at" in mapping:
        when = _clean(row.get(mapping["received_at"]))
        if when is None:
            raise RowRejected(f"the date ({mapping['received_at']}) is empty")
        voice.received_at = parse_time(when, options.timezone)
    if options.channel:
        voice.channel = options.channel
    elif "channel" in mapping and (channel := _clean(row.get(mapping["channel"]))):
        voice.channel = normalise_channel(channel)
    used = set(mapping.values())
    for field in _META_FIELDS:
        if field in mapping and (value := _clean(row.get(mapping[field]))) is not None:
            voice.meta[field] = value
    voice.meta.update(options.tags)
    if voice.customer_language:
        voice.meta["language"] = voice.customer_language
    for column, value in row.items():
        if column not in used and (cleaned := _clean(value)) is not None:
            voice.meta.setdefault(column, cleaned if isinstance(value, str) else value)
    return voice
