"""Turning one mapped row of a table-like file (CSV, JSONL) into a SourceVoice."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ombud.capture.options import ImportOptions, normalise_channel
from ombud.capture.problems import problem
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
    text = (value if value.__class__ is str else str(value)).strip()
    return text or None


class RowPlan:
    """How one mapping reads rows, worked out once: a file's rows share their mapping, and this is the
    innermost loop of every import."""

    def __init__(self, mapping: Mapping[str, str], options: ImportOptions) -> None:
        self.mapping = mapping
        self.options = options
        self.text_column = mapping.get("text")
        self.direct = [(attribute, mapping[field]) for field, attribute in _DIRECT_FIELDS.items() if field in mapping]
        self.time_column = mapping.get("received_at")
        self.channel_column = mapping.get("channel")
        self.meta_fields = [(field, mapping[field]) for field in _META_FIELDS if field in mapping]
        self.used = set(mapping.values())
        # The columns left over for metadata, per set of row keys (rows of one file nearly always share theirs).
        self._unused: dict[tuple[str, ...], list[str]] = {}

    def _unused_columns(self, row: Mapping[str, Any]) -> list[str]:
        keys = tuple(row)
        unused = self._unused.get(keys)
        if unused is None:
            if len(self._unused) > 64:
                self._unused.clear()
            unused = self._unused[keys] = [column for column in keys if column not in self.used]
        return unused

    def voice(self, row: Mapping[str, Any], line: int) -> SourceVoice:
        """Build a voice from ``row`` ({column: value}); raises RowRejected for a row that cannot be one."""
        options = self.options
        text = _clean(row.get(self.text_column)) if self.text_column is not None else None
        if text is None:
            raise RowRejected(problem("text_empty", column=self.mapping.get("text", "text")))
        if len(text) > options.max_text_chars:
            raise RowRejected(problem("text_too_long", length=len(text), limit=options.max_text_chars))
        voice = SourceVoice(text=text.replace("\r\n", "\n") if "\r" in text else text, source_line=line)
        for attribute, column in self.direct:
            setattr(voice, attribute, _clean(row.get(column)))
        if self.time_column is not None:
            when = _clean(row.get(self.time_column))
            if when is None:
                raise RowRejected(problem("date_empty", column=self.time_column))
            voice.received_at = parse_time(when, options.timezone)
        if options.channel:
            voice.channel = options.channel
        elif self.channel_column is not None and (channel := _clean(row.get(self.channel_column))):
            voice.channel = normalise_channel(channel)
        meta = voice.meta
        for field, column in self.meta_fields:
            if (value := _clean(row.get(column))) is not None:
                meta[field] = value
        if options.tags:
            meta.update(options.tags)
        if voice.customer_language:
            meta["language"] = voice.customer_language
        for column in self._unused_columns(row):
            value = row[column]
            if (cleaned := _clean(value)) is not None and column not in meta:
                meta[column] = cleaned if isinstance(value, str) else value
        return voice


def voice_from_row(
    row: Mapping[str, Any], mapping: Mapping[str, str], line: int, options: ImportOptions
) -> SourceVoice:
    """Build a voice from ``row`` ({column: value}) using ``mapping`` ({field: column})."""
    return RowPlan(mapping, options).voice(row, line)
