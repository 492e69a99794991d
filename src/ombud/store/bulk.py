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
    if value is None:
        return None
    if value.tzinfo is UTC:
        return value.isoformat(" ", "microseconds")[:26]  # without its "+00:00"
    return _utc_naive(value).isoformat(" ", "microseconds")


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


def store_time(dialect: str) -> Converter:
    """How ``dialect`` keeps an aware time: what the bulk paths give the driver for a UTCDateTime."""
    if dialect == "sqlite":
        return _sqlite_time
    return lambda value: None if value is None else _utc_naive(value)


def _convert(table: Table, columns: Sequence[str], rows: list[Any], dialect: str) -> list[Any]:
    converters = []
    for index, name in enumerate(columns):
        column_type = table.c[name].type
        variant = column_type._variant_mapping.get(dialect, column_type)  # JSON().with_variant(JSONB)
        converter = _converter(variant, dialect) or _converter(column_type, dialect)
        if converter:
            converters.append((index, converter))
    if not converters:
        return rows
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
    return converted


def insert_ignoring_conflicts(
    connection: Connection,
    table: Table,
    columns: Sequence[str],
    rows: list[tuple[Any, ...]],
    conflict: Sequence[str],
    *,
    clashes_possible: bool = True,
) -> int:
    """Insert ``rows`` (tuples in the order of ``columns``), skipping rows that clash on ``conflict``
    (``clashes_possible`` as for insert_stored_rows).

    Returns how many rows were added.
    """
    if not rows:
        return 0
    converted = _convert(table, columns, rows, connection.dialect.name)
    return insert_stored_rows(connection, table, columns, converted, conflict, clashes_possible=clashes_possible)


def _sqlite_literal(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError("a constant column cannot hold a NUL character")
        return "'" + value.replace("'", "''") + "'"
    raise TypeError(f"no SQLite literal for {type(value).__name__}")


class RowsClash(Exception):
    """Rows given as clashing with none clashed after all (another writer got there first)."""


def insert_stored_rows(
    connection: Connection,
    table: Table,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    conflict: Sequence[str],
    constants: dict[str, Any] | None = None,
    *,
    clashes_possible: bool = True,
) -> int:
    """Like insert_ignoring_conflicts, for rows (tuples or lists) already in the store's representation
    (times from ``store_time``, JSON as text). ``constants`` are columns with one value for every row,
    given in their Python form; they travel once in the statement rather than in each row.

    ``clashes_possible=False`` promises that no row clashes on ``conflict`` (the caller looked, under a
    lock that keeps other writers out): PostgreSQL then COPYs the rows straight into the table, about a
    quarter faster, and a clash, should another writer have ignored the lock, raises RowsClash with the
    transaction spoilt, for the caller to roll back and try again with ``clashes_possible=True``.

    Returns how many rows were added.
    """
    if not rows:
        return 0
    dialect = connection.dialect.name
    constants = constants or {}
    fixed = _convert(table, list(constants), [tuple(constants.values())], dialect)[0] if constants else ()
    names = [*columns, *constants]
    quoted = ", ".join(f'"{name}"' for name in names)
    on_conflict = f"ON CONFLICT ({', '.join(conflict)}) DO NOTHING"
    if dialect == "postgresql":
        if not clashes_possible:
            return _copy_straight(connection, table, names, rows, list(fixed))
        return _copy_then_insert(
            connection, table, columns, rows, on_conflict, dict(zip(constants, fixed, strict=True))
        )
    if dialect != "sqlite":
        raise NotImplementedError(f"ombud supports SQLite and PostgreSQL, not {dialect}")
    values = ", ".join(["?"] * len(columns) + [_sqlite_literal(value) for value in fixed])
    sql = f'INSERT INTO "{table.name}" ({quoted}) VALUES ({values}) {on_conflict}'
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        # The DBAPI cursor directly: SQLAlchemy's executemany adds nothing here but a copy of the rows.
        cursor.executemany(sql, rows)
        return int(cursor.rowcount)
    finally:
        cursor.close()


def _copy_straight(
    connection: Connection, table: Table, names: Sequence[str], rows: Sequence[Sequence[Any]], fixed: list[Any]
) -> int:
    driver = connection.connection.driver_connection
    assert driver is not None
    quoted = ", ".join(f'"{name}"' for name in names)
    clash = connection.dialect.loaded_dbapi.IntegrityError
    try:
        with driver.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy:
            write = copy.write_row
            if fixed:
                for row in rows:
                    write([*row, *fixed])
            else:
                for row in rows:
                    write(row)
    except clash as error:
        raise RowsClash(str(error)) from error
    return len(rows)


def _copy_then_insert(
    connection: Connection,
    table: Table,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    on_conflict: str,
    constants: dict[str, Any],
) -> int:
    """PostgreSQL: COPY the rows into a temporary table, then one INSERT … SELECT … ON CONFLICT.
    COPY is several times faster than any INSERT with parameters."""
    quoted = ", ".join(f'"{name}"' for name in columns)
    incoming = f"incoming_{table.name}"
    driver = connection.connection.driver_connection
    assert driver is not None
    with driver.cursor() as cursor:
        # Made once per connection and emptied by each commit: creating a table per batch costs more.
        cursor.execute(
            f'CREATE TEMP TABLE IF NOT EXISTS "{incoming}" ON COMMIT DELETE ROWS AS '
            f'SELECT {quoted} FROM "{table.name}" WITH NO DATA'
        )
        cursor.execute(f'DELETE FROM "{incoming}"')  # empty already, unless used twice in one transaction
        with cursor.copy(f'COPY "{incoming}" ({quoted}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)
        targets = ", ".join(f'"{name}"' for name in [*columns, *constants])
        fixed = "".join(f", CAST(%s AS {table.c[name].type.compile(dialect=connection.dialect)})" for name in constants)
        cursor.execute(
            f'INSERT INTO "{table.name}" ({targets}) SELECT {quoted}{fixed} FROM "{incoming}" {on_conflict}',
            tuple(constants.values()),
        )
        return int(cursor.rowcount)


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
    column of a composite index, so that the lookup uses it. The values must be strings or numbers."""
    selected = ", ".join(f'"{name}"' for name in columns)
    values = list(values)
    if not values:
        return []
    postgres = connection.dialect.name == "postgresql"
    also = ""
    also_parameters: tuple[Any, ...] = ()
    if where is not None:
        also = f' AND "{where[0]}" = {"%s" if postgres else "?"}'
        also_parameters = (where[1],)
    driver = connection.connection.driver_connection
    assert driver is not None
    # The DBAPI cursor directly: a SQLAlchemy result costs more per row than the database's lookup.
    cursor = driver.cursor()
    try:
        if postgres:
            # One array parameter: PostgreSQL plans "= ANY(array)" far faster than thousands of placeholders,
            # and, the array being a parameter's value, plans with its real length even where the table's
            # statistics are stale (early in a large import). It is written as one text literal, which is
            # much faster than psycopg's list adapter, value by value in Python.
            cast = table.c[key].type.compile(dialect=connection.dialect)
            sql = f'SELECT {selected} FROM "{table.name}" WHERE "{key}" = ANY(CAST(%s AS {cast}[])){also}'
            cursor.execute(sql, (_array_literal(values), *also_parameters))
            return cursor.fetchall()  # type: ignore[no-any-return]
        # SQLite: the values as one JSON array. A statement with thousands of placeholders costs more to
        # prepare than to run, and the connection's statement cache keeps one for every count of values
        # it has seen (about 60 MB over a large import); this one statement is prepared once.
        sql = f'SELECT {selected} FROM "{table.name}" WHERE "{key}" IN (SELECT value FROM json_each(?)){also}'
        return cursor.execute(sql, (json.dumps(values, ensure_ascii=False), *also_parameters)).fetchall()  # type: ignore[no-any-return]
    finally:
        cursor.close()


def _array_literal(values: list[Any]) -> str:
    """A PostgreSQL array literal of ``values`` (strings or numbers): {"a","b\\"c"}."""
    texts = [value if value.__class__ is str else str(value) for value in values]
    joined = '","'.join(texts)
    if "\\" in joined or '"' in joined:
        joined = '","'.join(text.replace("\\", "\\\\").replace('"', '\\"') for text in texts)
    return '{"' + joined + '"}'


# Indexes a large import may drop and rebuild afterwards: building one over a million rows takes about a
# second, keeping it up to date row by row during the import costs far more (docs/benchmarks.md).
DEFERRABLE_INDEXES = ("ix_voices_customer_received", "ix_voices_received_at")


def _deferrable(table: Table) -> list[Index]:
    return [index for index in table.indexes if index.name in DEFERRABLE_INDEXES]


def drop_deferrable_indexes(engine: Engine, table: Table) -> None:
    with engine.begin() as connection:
        for index in _deferrable(table):
            index.drop(connection, checkfirst=True)


# SQLite's page cache, in KiB, while it builds an index: the sort that builds it may use as much memory
# again as the cache before it spills to temporary files.
SQLITE_BUILD_CACHE_KIB = 16 * 1024


def restore_deferrable_indexes(engine: Engine, table: Table) -> None:
    """Build the deferrable indexes that are missing, e.g. after an import was killed."""
    with engine.begin() as connection:
        missing = [
            index
            for index in _deferrable(table)
            if index.name and not connection.dialect.has_index(connection, table.name, index.name)
        ]
        if not missing:
            return
        sqlite = connection.dialect.name == "sqlite"
        settings: dict[str, int] = {}
        if sqlite:
            # Sort in a small cache spilling to temporary files, not in memory: building the indexes over a
            # million voices would otherwise take 100 MB more at the very end of a large import (and is faster).
            settings = {
                name: int(connection.exec_driver_sql(f"PRAGMA {name}").scalar_one())
                for name in ("temp_store", "cache_size")
            }
            connection.exec_driver_sql("PRAGMA temp_store=FILE")
            connection.exec_driver_sql(f"PRAGMA cache_size=-{SQLITE_BUILD_CACHE_KIB}")
        try:
            for index in missing:
                index.create(connection)
        finally:
            if sqlite:
                for name, value in settings.items():
                    connection.exec_driver_sql(f"PRAGMA {name}={value}")
