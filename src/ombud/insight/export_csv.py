"""The CSV writer and its dialects.

- ``standard``: comma, UTF-8 with a byte-order mark (so that Excel reads the Nordic letters right), decimal
  point, times as ISO 8601 with Z. Every value as it is: what tools and scripts read.
- ``excel-nordic``: semicolon, UTF-8 with a byte-order mark, decimal comma, times as ``YYYY-MM-DD HH:MM:SS``
  (UTC): what Excel with Swedish, Norwegian or Danish settings opens straight into columns and numbers.
- ``excel-nordic-cp1252``: the same in Windows-1252, for older Excel and programs that read only that. It cannot
  hold emoji or letters such as č, đ, ŋ (Northern Sámi) or ł: a letter is written without its mark (č → c), any
  other character as ``?``, and the number of values changed is reported.

Both Excel dialects write a text that Excel would take for a formula (one starting with =, +, -, @, a tab or a
carriage return — "+47 924 18 337", "=HYPERLINK(…)") with a ``'`` before it, so that it opens as text.

Lists are joined with ``|``, flags are ``true``/``false``, and an empty cell is a missing value.
"""

from __future__ import annotations

import csv
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar, TextIO

from ombud.insight.export_columns import Column
from ombud.insight.export_errors import ExportError
from ombud.insight.export_formats import Row, WriterOptions

LIST_SEPARATOR = "|"
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class CsvDialect:
    delimiter: str
    encoding: str
    decimal: str
    excel: bool


DIALECTS = {
    "standard": CsvDialect(",", "utf-8-sig", ".", excel=False),
    "excel-nordic": CsvDialect(";", "utf-8-sig", ",", excel=True),
    "excel-nordic-cp1252": CsvDialect(";", "cp1252", ",", excel=True),
}


def dialect_named(name: str) -> CsvDialect:
    if name not in DIALECTS:
        raise ExportError(f"unknown CSV dialect {name!r}; choose one of {', '.join(DIALECTS)}")
    return DIALECTS[name]


def _number(value: float, decimal: str) -> str:
    text = repr(float(value))
    if "e" in text or "E" in text:
        text = format(Decimal(text), "f")  # 1e-07 → 0.0000001: spreadsheets read both, people only one
    return text.replace(".", decimal) if decimal != "." else text


def _time(value: datetime, dialect: CsvDialect) -> str:
    moment = value.astimezone(UTC)
    if dialect.excel:
        return moment.strftime("%Y-%m-%d %H:%M:%S")
    # 2026-01-05T09:00:00Z, with microseconds only when there are any.
    return moment.isoformat(timespec="microseconds" if moment.microsecond else "seconds").replace("+00:00", "Z")


def _cp1252_safe(text: str) -> tuple[str, bool]:
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        pass
    else:
        return text, False
    written: list[str] = []
    for character in text:
        try:
            character.encode("cp1252")
        except UnicodeEncodeError:
            base = unicodedata.normalize("NFKD", character)[:1]
            written.append(base if base and base != character and _fits_cp1252(base) else "?")
        else:
            written.append(character)
    return "".join(written), True


def _fits_cp1252(text: str) -> bool:
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


class CsvWriter:
    name: ClassVar[str] = "csv"
    suffixes: ClassVar[tuple[str, ...]] = (".csv",)

    def __init__(self, path: Path, columns: Sequence[Column], options: WriterOptions) -> None:
        self.dialect = dialect_named(options.csv_dialect)
        self.changed = 0
        self._formats: list[Callable[[Any], str]] = [self._format_of(column) for column in columns]
        self._file: TextIO = path.open("w", encoding=self.dialect.encoding, newline="")
        self._csv = csv.writer(self._file, delimiter=self.dialect.delimiter, lineterminator="\r\n")
        self._csv.writerow([self._text(column.name) for column in columns])

    def _format_of(self, column: Column) -> Callable[[Any], str]:
        dialect = self.dialect
        if column.kind == "number":
            return lambda value: _number(value, dialect.decimal)
        if column.kind == "integer":
            return str
        if column.kind == "flag":
            return lambda value: "true" if value else "false"
        if column.kind == "time":
            return lambda value: _time(value, dialect)
        if column.kind == "labels":
            return lambda value: self._text(LIST_SEPARATOR.join(value))
        return self._text

    def _text(self, value: Any) -> str:
        text = str(value)
        if self.dialect.encoding == "cp1252":
            text, changed = _cp1252_safe(text)
            self.changed += changed
        if self.dialect.excel and text.startswith(_FORMULA_STARTS):
            text = "'" + text
        return text

    def write(self, rows: Sequence[Row]) -> None:
        formats = self._formats
        self._csv.writerows(
            ["" if value is None else write(value) for write, value in zip(formats, row, strict=True)] for row in rows
        )

    def close(self) -> int:
        self._file.close()
        return self.changed

    def abort(self) -> None:
        self._file.close()
