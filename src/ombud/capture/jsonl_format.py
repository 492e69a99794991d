"""JSONL: one JSON object per line. Keys are mapped like CSV headers; a nested
``customer`` object ({"email", "phone", "name", "id", "language"}) is read too."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar, TextIO

from ombud.capture.columns import map_columns
from ombud.capture.options import ImportOptions
from ombud.capture.problems import problem
from ombud.capture.records import RowError, RowRejected, SourceVoice
from ombud.capture.rows import RowPlan
from ombud.capture.textfiles import detect_encoding
from ombud.errors import ColumnMappingError


def _flatten(row: dict[str, Any]) -> dict[str, Any]:
    customer = row.pop("customer", None)
    if isinstance(customer, dict):
        for key, value in customer.items():
            row.setdefault(f"customer_{'id' if key == 'external_id' else key}", value)
    elif customer is not None:
        row.setdefault("customer_name", customer)
    return row


class JsonlImporter:
    name: ClassVar[str] = "jsonl"
    suffixes: ClassVar[tuple[str, ...]] = (".jsonl", ".ndjson", ".json")
    default_channel: ClassVar[str] = "unknown"
    progress_unit: ClassVar[str] = "bytes"

    def __init__(self, path: Path, options: ImportOptions) -> None:
        self.path = path
        self.options = options
        self._file: TextIO | None = None
        self._total = path.stat().st_size
        self._plans: dict[tuple[str, ...], RowPlan] = {}

    @classmethod
    def sniff(cls, path: Path, head: bytes) -> bool:
        return head.lstrip().startswith(b"{")

    def progress(self) -> tuple[int, int]:
        if self._file is None or self._file.closed:
            return self._total, self._total
        return min(self._file.buffer.tell(), self._total), self._total

    def _plan_for(self, keys: tuple[str, ...]) -> RowPlan:
        # Rows of one file nearly always share their keys, so the mapping is worked out once per key set.
        if keys not in self._plans:
            self._plans[keys] = RowPlan(map_columns(self.path, list(keys), self.options.mapping), self.options)
        return self._plans[keys]

    def read(self) -> Iterator[SourceVoice | RowError]:
        source = str(self.path)
        encoding = detect_encoding(self.path)
        with self.path.open(encoding=encoding, errors="replace") as file:
            self._file = file
            for number, line in enumerate(iter(file.readline, ""), start=1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line.rstrip("\r\n"))
                except json.JSONDecodeError as error:
                    yield RowError.of(source, number, problem("json_invalid", detail=error.msg, column=error.colno))
                    continue
                if not isinstance(row, dict):
                    yield RowError.of(source, number, problem("json_not_object"))
                    continue
                row = _flatten(row)
                try:
                    plan = self._plan_for(tuple(row))
                except ColumnMappingError as error:
                    found = error.problem
                    yield RowError.of(source, number, found) if found else RowError(source, number, error.reason)
                    continue
                try:
                    yield plan.voice(row, number)
                except RowRejected as rejected:
                    yield RowError.of(source, number, rejected.problem)
