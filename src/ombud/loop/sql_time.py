"""Time arithmetic in SQL that gives the same answer on SQLite and PostgreSQL.

Times are stored as UTC without an offset (store/types.py): text on SQLite, ``timestamp`` on PostgreSQL.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, cast, func, literal, literal_column
from sqlalchemy.orm import Session
from sqlalchemy.types import Integer

from ombud.store.types import UTCDateTime

_ZONE_NAME = re.compile(r"^[A-Za-z0-9_+\-/]+$")


def dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def moment(value: datetime) -> ColumnElement[datetime]:
    """A time as an SQL value stored the way the columns are."""
    return literal(value, UTCDateTime)


def seconds_between(session: Session, later: Any, earlier: Any) -> ColumnElement[Any]:
    if dialect(session) == "postgresql":
        return func.extract("epoch", later - earlier)
    return (func.julianday(later) - func.julianday(earlier)) * 86400.0


def half_up(session: Session, value: Any) -> ColumnElement[Any]:
    """``value`` (not negative) rounded to a whole number, halves up, as ``math.floor(value + 0.5)``."""
    if dialect(session) == "postgresql":
        return func.floor(value + 0.5)
    return cast(value + 0.5, Integer)  # SQLite's CAST truncates, which is floor for a positive number


def local_month(session: Session, column: Any, zone: ZoneInfo) -> ColumnElement[str]:
    """``YYYY-MM`` of a stored UTC time, in ``zone``.

    The constants are written into the SQL rather than bound, so that PostgreSQL sees the grouped
    expression and the selected one as the same.
    """
    if not _ZONE_NAME.match(zone.key):
        raise ValueError(f"cannot use the time zone {zone.key!r} in a query")
    name: ColumnElement[str] = literal_column(f"'{zone.key}'")
    if dialect(session) == "postgresql":
        local = func.timezone(name, func.timezone(literal_column("'UTC'"), column))
        return func.to_char(local, literal_column("'YYYY-MM'"))
    connection = session.connection().connection.driver_connection
    connection.create_function("ombud_local_month", 2, _sqlite_local_month, deterministic=True)  # type: ignore[union-attr]
    return func.ombud_local_month(column, name)


def _sqlite_local_month(stored: str | None, zone: str) -> str | None:
    if stored is None:
        return None
    return datetime.fromisoformat(stored).replace(tzinfo=UTC).astimezone(ZoneInfo(zone)).strftime("%Y-%m")
