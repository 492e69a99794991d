"""Fast bulk inserts: one DBAPI executemany with plain tuples, no per-row SQLAlchemy processing.

Imports write tens of thousands of rows a second; SQLAlchemy's per-parameter type
processing would cost more than the database itself. The values are converted
here exactly as SQLAlchemy stores them, so the ORM reads them back unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Index, Table
from sqlalchemy.engine import Connection, Engine

from ombud.store.types import UTCDateTime

Converter = Callable[[Any], Any]


class EncodedJson(str):
    """A value already encoded as JSON (encoding can then happen where there is time for it)."""


def encode_json(value: Any) -> EncodedJson:
    return EncodedJson(json.dumps(value, ensure_ascii=False))


def _utc_naive(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return value.replace(tzinfo=None)


def _sqlite_time(value: datetime | None) -> str | None:
    # Exactly SQLAlchemy's SQLite storage format (YYYY-MM-DD HH:MM:SS.ffffff), so string order is time order.
    return None if value is None else _utc_naive(value).isoformat(" ", "microseconds")


def _json(value: Any) -> str | None:
    if value is None or isinstance(value, EncodedJson):
        return value
    return json.dumps(value, ensure_ascii=False)


def _converter(column_type: Any, dialect: str) -> Converter | None:
    if isinstance(column_type, UTCDateTime):
        if dialect == "sqlite":
            return _sqlite_time
        return lambda value: None if value is None else _utc_naive(value)
    if isinstance(column_type, JSON) or getattr(column_type, "__visit_name__", "") == "JSONB":
        return _json
    return None


def insert_ignoring_conflicts(
    connection: Connection,
    table: Table,
    columns: Sequence[str],
    rows: list[tuple[Any, ...]],
    conflict: Sequence[str],
) -> int:
    """Insert ``rows`` (tuples in the order of ``columns``), skipping rows that clash on ``conflict``.

    Returns how many rows were added.
    """
    if not rows:
        return 0
    dialect = connection.dialect.name
    converters = []
    for index, name in enumerate(columns):
        column_type = table.c[name].type
        variant = column_type._variant_mapping.get(dialect, column_type)  # JSON().with_variant(JSONB)
        converter = _converter(variant, dialect) or _converter(column_type, dialect)
        if converter:
            converters.append((index, converter))
    if converters:
        converted = []
        # Many rows share a value (the import's start time): convert each distinct object once.
        last: dict[int, tuple[Any, Any]] = {}
        for row in rows:
            values = list(row)
            for index, converter in converters:
                value = values[index]
                seen = last.get(index)
                if seen is not None and seen[0] is value:
                    values[index] = seen[1]
                else:
                    values[index] = converter(value)
                    last[index] = (value, values[index])
            converted.append(tuple(values))
        rows = converted
    quoted = ", ".join(f'"{name}"' for name in columns)
    on_conflict = f"ON CONFLICT ({', '.join(conflict)}) DO NOTHING"
    if dialect == "postgresql":
        return _copy_then_insert(connection, table, columns, rows, on_conflict)
    if dialect != "sqlite":
        raise NotImplementedError(f"ombud supports SQLite and PostgreSQL, not {dialect}")
    placeholders = ", ".join("?" for _ in columns)
    sql = f'INSERT INTO "{table.name}" ({quoted}) VALUES ({placeholders}) {on_conflict}'
    result = connection.exec_driver_sql(sql, rows)
    return int(result.rowcount)


def _copy_then_insert(
    connection: Connection, table: Table, columns: Sequence[str], rows: list[tuple[Any, ...]], on_conflict: str
) -> int:
    """PostgreSQL: COPY the rows into a temporary table, then one INSERT … SELECT … ON CONFLICT.
    COPY is several times faster than any INSERT with parameters."""
    quoted = ", ".join(f'"{name}"' for name in columns)
    incoming = f"incoming_{table.name}"
    connection.exec_driver_sql(
        f'CREATE TEMP TABLE IF NOT EXISTS "{incoming}" ON COMMIT DROP AS '
        f'SELECT {quoted} FROM "{table.name}" WITH NO DATA'
    )
    connection.exec_driver_sql(f'TRUNCATE "{incoming}"')
    driver = connection.connection.driver_connection
    assert driver is not None
    with driver.cursor() as cursor, cursor.copy(f'COPY "{incoming}" ({quoted}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(row)
    result = connection.exec_driver_sql(
        f'INSERT INTO "{table.name}" ({quoted}) SELECT {quoted} FROM "{incoming}" {on_conflict}'
    )
    return int(result.rowcount)


def select_where_in(
    connection: Connection,
    table: Table,
    columns: Sequence[str],
    key: str,
    values: Iterable[Any],
    where: tuple[str, Any] | None = None,
) -> list[tuple[Any, ...]]:
    """``SELECT columns FROM table WHERE key IN values [AND column = value]`` for thousands of values,
    in chunks, without SQLAlchemy's per-value statement expansion. ``where`` can name the leading
    column of a composite index, so that the lookup uses it."""
    found: list[tuple[Any, ...]] = []
    selected = ", ".join(f'"{name}"' for name in columns)
    values = list(values)
    postgres = connection.dialect.name == "postgresql"
    also = ""
    also_parameters: tuple[Any, ...] = ()
    if where is not None:
        also = f' AND "{where[0]}" = {"%s" if postgres else "?"}'
        also_parameters = (where[1],)
    if postgres:
        # One array parameter: PostgreSQL plans "= ANY(array)" far faster than thousands of placeholders.
        sql = f'SELECT {selected} FROM "{table.name}" WHERE "{key}" = ANY(%s){also}'
        return [tuple(row) for row in connection.exec_driver_sql(sql, (values, *also_parameters))]
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        for start in range(0, len(values), 10_000):  # SQLite allows 32,766 parameters
            chunk = values[start : start + 10_000]
            placeholders = ", ".join(["?"] * len(chunk))
            sql = f'SELECT {selected} FROM "{table.name}" WHERE "{key}" IN ({placeholders}){also}'
            # The DBAPI cursor directly: a SQLAlchemy result costs more per row than SQLite's lookup.
            found.extend(cursor.execute(sql, (*chunk, *also_parameters)).fetchall())
    finally:
        cursor.close()
    return found


# Indexes a large import may drop and rebuild afterwards: building one over a million rows takes about a
# second, keeping it up to date row by row during the import costs far more (docs/benchmarks.md).
DEFERRABLE_INDEXES = ("ix_voices_customer_received", "ix_voices_received_at")


def _deferrable(table: Table) -> list[Index]:
    return [index for index in table.indexes if index.name in DEFERRABLE_INDEXES]


def drop_deferrable_indexes(engine: Engine, table: Table) -> None:
    with engine.begin() as connection:
        for index in _deferrable(table):
            index.drop(connection, checkfirst=True)


def restore_deferrable_indexes(engine: Engine, table: Table) -> None:
    """Build the deferrable indexes that are missing, e.g. after an import was killed."""
    with engine.begin() as connection:
        for index in _deferrable(table):
            index.create(connection, checkfirst=True)
