"""CSV: comma, semicolon or tab separated, any Nordic encoding, quoted multi-line fields.

Rows are streamed. When a row has the wrong number of fields and spans several
physical lines, its quoting is broken: it is reported, and the lines after its
first are read again, so one stray quote cannot swallow the rows behind it.
"""

from __future__ import annotations

import csv
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar, TextIO

from ombud.capture.columns import map_columns
from ombud.capture.options import ImportOptions
from ombud.capture.problems import problem
from ombud.capture.records import RowError, RowRejected, SourceVoice
from ombud.capture.rows import RowPlan
from ombud.capture.textfiles import detect_encoding
from ombud.errors import FileFormatError

DELIMITERS = ";,\t|"
# Large enough for any real field; the text length limit is checked per row.
csv.field_size_limit(64 * 1024 * 1024)


class _Lines:
    """Physical lines with their numbers, able to take lines back to be read again."""

    def __init__(self, file: TextIO) -> None:
        self._file = file
        self._number = 0
        self._pending: deque[tuple[int, str]] = deque()
        self.taken: list[tuple[int, str]] = []

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        if self._pending:
            item = self._pending.popleft()
        else:
            line = self._file.readline()
            if not line:
                raise StopIteration
            self._number += 1
            item = (self._number, line)
        self.taken.append(item)
        return item[1]

    def start_record(self) -> None:
        self.taken = []

    def read_again(self, items: list[tuple[int, str]]) -> None:
        self._pending.extendleft(reversed(items))


def sniff_delimiter(sample: str) -> str:
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        header = sample.splitlines()[0] if sample else ""
        return max(DELIMITERS, key=header.count)


class CsvImporter:
    name: ClassVar[str] = "csv"
    suffixes: ClassVar[tuple[str, ...]] = (".csv", ".tsv", ".txt")
    default_channel: ClassVar[str] = "unknown"
    progress_unit: ClassVar[str] = "bytes"

    def __init__(self, path: Path, options: ImportOptions) -> None:
        self.path = path
        self.options = options
        self.encoding = "utf-8"
        self.delimiter = ","
        self._file: TextIO | None = None
        self._total = path.stat().st_size

    @classmethod
    def sniff(cls, path: Path, head: bytes) -> bool:
        first = head.split(b"\n", 1)[0]
        return any(first.count(delimiter.encode()) >= 1 for delimiter in DELIMITERS)

    def progress(self) -> tuple[int, int]:
        if self._file is None or self._file.closed:
            return self._total, self._total
        return min(self._file.buffer.tell(), self._total), self._total

    def read(self) -> Iterator[SourceVoice | RowError]:
        self.encoding = detect_encoding(self.path)
        with self.path.open(encoding=self.encoding, newline="", errors="replace") as file:
            self._file = file
            sample = file.read(65536)
            if not sample.strip():
                raise FileFormatError(self.path, problem("file_empty"))
            self.delimiter = sniff_delimiter(sample)
            file.seek(0)
            yield from self._rows(file)

    def _rows(self, file: TextIO) -> Iterator[SourceVoice | RowError]:
        lines = _Lines(file)
        reader = csv.reader(lines, delimiter=self.delimiter)
        headers = self._header(reader)
        plan = RowPlan(map_columns(self.path, headers, self.options.mapping), self.options)
        source = str(self.path)
        width = len(headers)
        while True:
            lines.start_record()
            try:
                fields = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                first = lines.taken[0][0] if lines.taken else None
                yield RowError.of(source, first, problem("row_unreadable", detail=str(error)))
                lines.read_again(lines.taken[1:])
                continue
            if not lines.taken:
                return
            first_line = lines.taken[0][0]
            if not "".join(fields).strip():
                continue  # a blank line is not a row
            if len(fields) > width and not "".join(fields[width:]).strip():
                fields = fields[:width]
            spanned = len(lines.taken) > 1
            # Proper quoting doubles every quote inside a field, so an odd count means one is not
            # closed: the reader ran on to the end of the file.
            unclosed = spanned and sum(line.count('"') for _, line in lines.taken) % 2 == 1
            if len(fields) != width or unclosed:
                counts = {"expected": len(headers), "found": len(fields)}
                span = {"first": first_line, "last": lines.taken[-1][0]}
                if spanned:
                    found = (
                        problem("quote_unclosed_lines", **span)
                        if unclosed
                        else problem("field_count_lines", **counts, **span)
                    )
                    lines.read_again(lines.taken[1:])
                else:
                    found = problem("quote_unclosed") if unclosed else problem("field_count", **counts)
                yield RowError.of(source, first_line, found)
                continue
            try:
                yield plan.voice(dict(zip(headers, fields, strict=True)), first_line)
            except RowRejected as rejected:
                yield RowError.of(source, first_line, rejected.problem)

    def _header(self, reader: Iterator[list[str]]) -> list[str]:
        try:
            headers = [header.strip() for header in next(reader)]
        except StopIteration:
            raise FileFormatError(self.path, problem("file_empty")) from None
        except csv.Error as error:
            raise FileFormatError(self.path, problem("header_unreadable", detail=str(error))) from None
        seen: dict[str, int] = {}
        unique = []
        for header in headers:
            name = header or "column"
            seen[name] = seen.get(name, 0) + 1
            unique.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
        return unique
