"""The Parquet writer: typed columns, written a row group at a time.

Integers are int64, numbers float64, times timestamp[us, UTC], flags boolean, lists list<string>, the rest string;
every column may be null. Each batch becomes an Arrow record batch at once (compact, typed memory), and a row
group is written whenever ``ROW_GROUP_ROWS`` rows are waiting, so memory stays that of one row group however many
rows the export has. The level, the filter and whether personal data is masked are kept in the file's metadata
(keys ``ombud.*``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

import pyarrow as pa
import pyarrow.parquet as pq

from ombud.insight.export_columns import Column, Kind
from ombud.insight.export_formats import Row, WriterOptions

ROW_GROUP_ROWS = 50_000
TYPES: dict[Kind, pa.DataType] = {
    "integer": pa.int64(),
    "number": pa.float64(),
    "text": pa.string(),
    "time": pa.timestamp("us", tz="UTC"),
    "flag": pa.bool_(),
    "labels": pa.list_(pa.string()),
}


def schema_of(columns: Sequence[Column], description: dict[str, str] | None = None) -> pa.Schema:
    fields = [pa.field(column.name, TYPES[column.kind], metadata={"meaning": column.meaning}) for column in columns]
    return pa.schema(fields, metadata={f"ombud.{key}": value for key, value in (description or {}).items()})


class ParquetWriter:
    name: ClassVar[str] = "parquet"
    suffixes: ClassVar[tuple[str, ...]] = (".parquet", ".pq")

    def __init__(self, path: Path, columns: Sequence[Column], options: WriterOptions) -> None:
        self.schema = schema_of(columns, options.description)
        self._writer = pq.ParquetWriter(path, self.schema)
        self._waiting: list[pa.RecordBatch] = []
        self._waiting_rows = 0

    def write(self, rows: Sequence[Row]) -> None:
        if not rows:
            return
        arrays = [
            pa.array(values, type=field.type)
            for values, field in zip(zip(*rows, strict=True), self.schema, strict=True)
        ]
        self._waiting.append(pa.RecordBatch.from_arrays(arrays, schema=self.schema))
        self._waiting_rows += len(rows)
        if self._waiting_rows >= ROW_GROUP_ROWS:
            self._flush()

    def _flush(self) -> None:
        if self._waiting:
            self._writer.write_table(pa.Table.from_batches(self._waiting, schema=self.schema), ROW_GROUP_ROWS)
            self._waiting, self._waiting_rows = [], 0

    def close(self) -> int:
        self._flush()
        self._writer.close()
        return 0

    def abort(self) -> None:
        self._waiting = []
        self._writer.close()
