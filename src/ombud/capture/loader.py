"""Writing voices to the store in batches, each batch one transaction.

A batch ties each voice to its customer (found by any of its identities, or
created), then adds the voices whose dedup key is new. Because every voice
carries a unique dedup key, a run killed halfway and run again adds each
voice exactly once.

Voices are tied to customers as if one at a time, in file order: a voice
belongs to the customer of its first identity (strongest first) that the
store or an earlier voice already knows, or else to a new customer; its other
identities that nobody holds yet join that customer. The outcome is the same
whatever the batch size, and whether or not a killed run was resumed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from ombud.capture.prepare import ROW_COLUMNS, Identity, PreparedBatch
from ombud.store.bulk import RowsClash, insert_ignoring_conflicts, insert_stored_rows, select_where_in
from ombud.store.models import customers_table, identities_table, voices_table

CUSTOMER_COLUMNS = ("id", "name", "preferred_language", "created_at")
IDENTITY_COLUMNS = ("customer_id", "kind", "value")
# Any fixed number: the key of the PostgreSQL advisory lock that lets one import batch at a time tie
# voices to customers, so that two imports running at once cannot both create the same customer.
IMPORT_LOCK = 0x6F6D6275


@dataclass(frozen=True)
class BatchResult:
    added: int
    duplicates: int


class VoiceWriter:
    """Writes batches of prepared voices for one import run."""

    def __init__(self, import_id: int | None, source: str, started_at: datetime) -> None:
        self.import_id = import_id
        self.source = source
        self.started_at = started_at
        # Whether to allow for rows that clash although the batch looked under the lock: only a writer that
        # ignores the lock can cause one (see RowsClash), and the run then stays careful.
        self.careful = False

    @staticmethod
    def _lock(connection: Connection) -> None:
        """Take the store's write lock now, before the batch reads anything it decides on: another import
        adding the same customers between this batch's lookups and its inserts would split them."""
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({IMPORT_LOCK})")
        else:
            # SQLite: the first write begins the transaction and takes the database's one write lock.
            connection.exec_driver_sql("UPDATE customers SET id = id WHERE 0")

    @staticmethod
    def _new_only(connection: Connection, batch: PreparedBatch) -> list[int]:
        """The numbers of the voices whose dedup key neither the store nor an earlier voice has."""
        keys = batch.keys
        existing = {key for (key,) in select_where_in(connection, voices_table, ["dedup_key"], "dedup_key", keys)}
        if not existing and len(set(keys)) == len(keys):
            return list(range(len(keys)))
        fresh: list[int] = []
        for number, key in enumerate(keys):
            if key not in existing:
                existing.add(key)
                fresh.append(number)
        return fresh

    @staticmethod
    def _allocate_customer_ids(connection: Connection, count: int) -> list[int]:
        """Ids for new customers, taken before the insert so that it needs no RETURNING (which
        SQLite can only give in order one row at a time)."""
        if connection.dialect.name == "postgresql":
            sequence = "pg_get_serial_sequence('customers', 'id')"
            rows = connection.exec_driver_sql(
                f"SELECT nextval({sequence}) FROM generate_series(1, %(count)s)", {"count": count}
            )
            return [int(value) for (value,) in rows]
        # SQLite: the write lock this batch holds keeps other writers out until commit.
        highest = connection.exec_driver_sql("SELECT max(id) FROM customers").scalar() or 0
        return list(range(highest + 1, highest + 1 + count))

    def _customers(self, connection: Connection, batch: PreparedBatch, fresh: list[int]) -> list[int]:
        """The customer id of each fresh voice, adding the customers and identities that are new."""
        all_identities = batch.identities
        identities = [all_identities[number] for number in fresh] if len(fresh) < len(batch) else all_identities
        by_kind: dict[str, set[str]] = {}
        for found in identities:
            for kind, value in found:
                values = by_kind.get(kind)
                if values is None:
                    values = by_kind[kind] = set()
                values.add(value)
        # Who holds each identity: a customer id from the store, or -n for the batch's n-th new customer.
        holder: dict[Identity, int] = {}
        for kind, values in by_kind.items():
            # By kind and value: the unique index on (kind, value) serves the lookup.
            rows = select_where_in(
                connection, identities_table, ["customer_id", "value"], "value", values, ("kind", kind)
            )
            holder.update({(kind, value): customer_id for customer_id, value in rows})
        owners: list[int] = []
        new_customers: list[int] = []  # the voice number that made each new customer
        new_identities: list[Identity] = []
        for position, found in enumerate(identities):
            owner = None
            for identity in found:
                owner = holder.get(identity)
                if owner is not None:
                    break
            if owner is None:
                new_customers.append(position)
                owner = -len(new_customers)
            if len(found) > 1 or owner < 0:
                for identity in found:
                    if identity not in holder:
                        holder[identity] = owner
                        new_identities.append(identity)
            owners.append(owner)
        if new_customers:
            ids = self._allocate_customer_ids(connection, len(new_customers))
            customers = [
                (customer_id, *batch.customer_of(fresh[position]), self.started_at)
                for customer_id, position in zip(ids, new_customers, strict=True)
            ]
            insert_ignoring_conflicts(
                connection, customers_table, CUSTOMER_COLUMNS, customers, ["id"], clashes_possible=self.careful
            )
            owners = [owner if owner > 0 else ids[-owner - 1] for owner in owners]
        else:
            ids = []
        rows = []
        for identity in new_identities:
            owner = holder[identity]
            rows.append((owner if owner > 0 else ids[-owner - 1], *identity))
        insert_stored_rows(
            connection, identities_table, IDENTITY_COLUMNS, rows, ["kind", "value"], clashes_possible=self.careful
        )
        return owners

    def write(self, session: Session, batch: PreparedBatch) -> BatchResult:
        """Add the prepared voices that are new, in the session's transaction; commit is the caller's.
        Raises RowsClash (the transaction spoilt, and ``careful`` now set) when another writer ignored the
        lock: roll back and write the batch again."""
        try:
            return self._write(session.connection(), batch)
        except RowsClash:
            self.careful = True
            raise

    def _write(self, connection: Connection, batch: PreparedBatch) -> BatchResult:
        self._lock(connection)
        fresh = self._new_only(connection, batch)
        duplicates = len(batch) - len(fresh)
        if not fresh:
            return BatchResult(0, duplicates)
        owners = self._customers(connection, batch, fresh)
        rows = batch.rows if len(fresh) == len(batch) else [batch.rows[number] for number in fresh]
        for row, owner in zip(rows, owners, strict=True):
            row[0] = owner
        constants: dict[str, Any] = {
            "source_file": self.source,
            "import_id": self.import_id,
            "created_at": self.started_at,
        }
        added = insert_stored_rows(
            connection, voices_table, ROW_COLUMNS, rows, ["dedup_key"], constants, clashes_possible=self.careful
        )
        return BatchResult(added, duplicates + len(rows) - added)
