"""The schema: migrations build exactly the tables the models describe, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from ombud.store import Customer, Database
from ombud.store.database import current_revision, head_revision
from ombud.store.models import Base


def test_migrations_match_the_models(database: Database) -> None:
    with database.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []
    assert current_revision(database.engine) == head_revision()


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path) -> None:
    from ombud.store import open_database

    database = open_database(f"sqlite:///{tmp_path / 'w.db'}")
    with database.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    database.close()


def test_times_come_back_as_aware_utc(database: Database) -> None:
    oslo_summer = timezone(timedelta(hours=2))
    with database.session() as session:
        customer = Customer(name="Kari", created_at=datetime(2026, 6, 1, 12, 0, tzinfo=oslo_summer))
        session.add(customer)
        session.commit()
        customer_id = customer.id
    with database.session() as session:
        stored = session.get_one(Customer, customer_id).created_at
    assert stored == datetime(2026, 6, 1, 10, 0, tzinfo=UTC)
    assert stored.tzinfo is UTC


def test_a_naive_time_is_refused(database: Database) -> None:
    with database.session() as session:
        session.add(Customer(name="X", created_at=datetime(2026, 1, 1)))
        with pytest.raises(Exception, match="naive time"):
            session.commit()


def test_expected_tables(database: Database) -> None:
    tables = set(inspect(database.engine).get_table_names())
    assert {"customers", "customer_identities", "voices", "imports", "import_errors"} <= tables
