"""A look at a file before it is imported: its format and encoding, its columns, which column ombud takes for
which field, the first rows as they stand, and the first voices as the import would read them.

The import page shows this so the user can check and change the column mapping before anything is stored;
nothing here writes to the store.
"""

from __future__ import annotations

import csv
import itertools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ombud.capture.columns import FIELDS, HEADER_NAMES, fold_header, map_columns
from ombud.capture.csv_format import sniff_delimiter
from ombud.capture.options import ImportOptions
from ombud.capture.problems import problem
from ombud.capture.records import RowError, SourceVoice
from ombud.capture.registry import importer_for
from ombud.capture.textfiles import detect_encoding
from ombud.errors import ColumnMappingError, FileFormatError, OmbudError, Problem

TABLE_FORMATS = ("csv", "jsonl")


@dataclass
class PreviewVoice:
    """One row as the import would read it: a voice, or the reason it would be refused."""

    line: int | None
    text: str | None = None
    customer: str | None = None  # e-mail, else phone, else customer number
    customer_name: str | None = None
    received_at: str | None = None
    error: str | None = None  # in English
    error_code: str | None = None  # the problem's code and parameters, for the pages' words
    error_params: dict[str, Any] | None = None


@dataclass
class FilePreview:
    format: str
    encoding: str | None = None
    delimiter: str | None = None
    columns: list[str] = field(default_factory=list)  # CSV headers or JSON keys; empty for e-mail
    mapping: dict[str, str] = field(default_factory=dict)  # field → column, as the import would take them
    problem: str | None = None  # why the import could not run with this mapping, in English
    problem_code: str | None = None  # its code and parameters (capture/problems.py), for the pages' words
    problem_params: dict[str, Any] | None = None
    rows: list[list[str]] = field(default_factory=list)  # the first rows, one value per column
    voices: list[PreviewVoice] = field(default_factory=list)

    @property
    def fields(self) -> tuple[str, ...]:
        return FIELDS

    @property
    def ready(self) -> bool:
        return self.problem is None

    def note(self, message: str, found: Problem | None) -> None:
        """Why the import could not run: the English ``message``, and the problem's code where there is one."""
        self.problem = message
        if found is not None:
            self.problem_code, self.problem_params = found.code, dict(found.params)

    def as_json(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "encoding": self.encoding,
            "delimiter": self.delimiter,
            "columns": self.columns,
            "mapping": self.mapping,
            "problem": self.problem,
            "problem_code": self.problem_code,
            "problem_params": self.problem_params,
            "rows": self.rows,
            "voices": [vars(voice) for voice in self.voices],
        }


def guess_mapping(columns: list[str], explicit: dict[str, str]) -> dict[str, str]:
    """The mapping the import would take (``map_columns``), without its checks: for showing a partial one."""
    by_fold = {fold_header(column): column for column in reversed(columns)}
    mapping = {name: column for name, column in explicit.items() if column in columns}
    taken = set(mapping.values())
    for name, spellings in HEADER_NAMES.items():
        if name in mapping:
            continue
        for spelling in spellings:
            column = by_fold.get(spelling)
            if column is not None and column not in taken:
                mapping[name] = column
                taken.add(column)
                break
    return mapping


def preview_file(
    path: Path, *, format_name: str = "auto", options: ImportOptions | None = None, rows: int = 5
) -> FilePreview:
    """What importing ``path`` with ``options`` (its mapping, channel, …) would read from its first rows."""
    options = options or ImportOptions.from_settings()
    preview = FilePreview(format=importer_for(path, format_name).name)
    if preview.format == "csv":
        _table_csv(path, preview, rows)
    elif preview.format == "jsonl":
        _table_jsonl(path, preview, rows)
    if preview.format in TABLE_FORMATS:
        try:
            preview.mapping = map_columns(path, preview.columns, options.mapping)
        except ColumnMappingError as error:
            preview.note(error.reason, error.problem)
            preview.mapping = guess_mapping(preview.columns, options.mapping)
            return preview
    _voices(path, preview, options, rows)
    return preview


def _table_csv(path: Path, preview: FilePreview, rows: int) -> None:
    preview.encoding = detect_encoding(path)
    with path.open(encoding=preview.encoding, newline="", errors="replace") as file:
        sample = file.read(65536)
        if not sample.strip():
            raise FileFormatError(path, problem("file_empty"))
        preview.delimiter = sniff_delimiter(sample)
        file.seek(0)
        reader = csv.reader(file, delimiter=preview.delimiter)
        try:
            preview.columns = [column.strip() for column in next(reader)]
            preview.rows = [row for row in itertools.islice(reader, rows)]
        except (StopIteration, csv.Error) as error:
            raise FileFormatError(path, problem("rows_unreadable", detail=str(error))) from error


def _table_jsonl(path: Path, preview: FilePreview, rows: int) -> None:
    preview.encoding = detect_encoding(path)
    objects: list[dict[str, Any]] = []
    with path.open(encoding=preview.encoding, errors="replace") as file:
        for line in file:
            if len(objects) == rows:
                break
            try:
                value = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(value, dict):
                customer = value.pop("customer", None)
                if isinstance(customer, dict):
                    value.update({f"customer_{key}": item for key, item in customer.items()})
                objects.append(value)
    preview.columns = list(dict.fromkeys(key for item in objects for key in item))
    preview.rows = [
        ["" if item.get(key) is None else str(item.get(key)) for key in preview.columns] for item in objects
    ]


def _voices(path: Path, preview: FilePreview, options: ImportOptions, rows: int) -> None:
    importer = importer_for(path, preview.format)(path, options)
    items = importer.read()
    try:
        for item in itertools.islice(items, rows):
            preview.voices.append(_shown(item))
    except OmbudError as error:
        preview.note(str(error), error.problem)
    finally:
        close = getattr(items, "close", None)
        if close is not None:
            close()


def _shown(item: SourceVoice | RowError) -> PreviewVoice:
    if isinstance(item, RowError):
        return PreviewVoice(line=item.line, error=item.reason, error_code=item.code, error_params=item.params)
    return PreviewVoice(
        line=item.source_line,
        text=item.text,
        customer=item.customer_email or item.customer_phone or item.customer_external_id,
        customer_name=item.customer_name,
        received_at=item.received_at.isoformat() if item.received_at else None,
    )
