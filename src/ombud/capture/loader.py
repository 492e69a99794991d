"""Writing voices to the store in batches, each batch one transaction.

A batch ties each voice to its customer (found by any of its identities, or
created), then adds the voices whose dedup key is new. Because every voice
carries a unique dedup key, a run killed halfway and run again adds each
voice exactly once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ombud.capture.prepare import Identity, PreparedVoice
from ombud.store.bulk import insert_ignoring_conflicts, select_where_in
from ombud.store.models import Customer, customers_table, identities_table, voices_table

VOICE_COLUMNS = (
    "customer_id",
    "channel",
    "received_at",
    "text",
    "subject",
    "source_file",
    "source_line",
    "message_id",
    "in_reply_to",
    "external_id",
    "content_hash",
    "dedup_key",
    "metadata",
    "import_id",
    "created_at",
)
CUSTOMER_COLUMNS = ("id", "name", "preferred_language", "created_at")
IDENTITY_COLUMNS = ("customer_id", "kind", "value")


@dataclass(frozen=True)
class BatchResult:
    added: int
    duplicates: int


class VoiceWriter:
    """Writes batches of prepared voices for one import run."""

    session: Session

    def __init__(self, import_id: int | None, source: str, started_at: datetime) -> None:
        self.import_id = import_id
        self.source = source
        self.started_at = started_at

    def _new_only(self, prepared: list[PreparedVoice]) -> list[PreparedVoice]:
        keys = {item.key for item in prepared}
        connection = self.session.connection()
        existing = {key for (key,) in select_where_in(connection, voices_table, ["dedup_key"], "dedup_key", keys)}
        fresh: dict[str, PreparedVoice] = {}
        for item in prepared:
            if item.key not in existing and item.key not in fresh:
                fresh[item.key] = item
        return list(fresh.values())

    def _allocate_customer_ids(self, count: int) -> list[int]:
        """Ids for new customers, taken before the insert so that it needs no RETURNING (which
        SQLite can only give in order one row at a time)."""
        connection = self.session.connection()
        if connection.dialect.name == "postgresql":
            sequence = "pg_get_serial_sequence('customers', 'id')"
            rows = connection.exec_driver_sql(
                f"SELECT nextval({sequence}) FROM generate_series(1, %(count)s)", {"count": count}
            )
            return [int(value) for (value,) in rows]
        # SQLite: the write transaction this batch holds keeps other writers out until commit.
        connection.exec_driver_sql("UPDATE customers SET id = id WHERE 0")  # take the write lock now
        highest = connection.scalar(select(func.max(Customer.id))) or 0
        return list(range(highest + 1, highest + 1 + count))

    def _customers(self, prepared: list[PreparedVoice]) -> dict[Identity, int]:
        """Map every identity in the batch to a customer id, creating customers that are new."""
        by_kind: dict[str, set[str]] = {}
        for item in prepared:
            for kind, value in item.identities:
                by_kind.setdefault(kind, set()).add(value)
        known: dict[Identity, int] = {}
        for kind, values in by_kind.items():
            # By kind and value: the unique index on (kind, value) serves the lookup.
            found = select_where_in(
                self.session.connection(), identities_table, IDENTITY_COLUMNS, "value", values, ("kind", kind)
            )
            known.update({(kind, value): customer_id for customer_id, kind, value in found})
        # New customers: rows that share any identity are one customer.
        pending: dict[Identity, int] = {}
        new_customers: list[tuple[Any, ...]] = []
        for item in prepared:
            if any(identity in known for identity in item.identities):
                continue
            slot = next((pending[i] for i in item.identities if i in pending), None)
            if slot is None:
                slot = len(new_customers)
                new_customers.append((item.customer_name, item.customer_language, self.started_at))
            for identity in item.identities:
                pending.setdefault(identity, slot)
        if new_customers:
            ids = self._allocate_customer_ids(len(new_customers))
            rows = [(customer_id, *row) for customer_id, row in zip(ids, new_customers, strict=True)]
            insert_ignoring_conflicts(self.session.connection(), customers_table, CUSTOMER_COLUMNS, rows, ["id"])
            known.update({identity: ids[slot] for identity, slot in pending.items()})
        # Identities a known customer shows for the first time are added to that customer.
        to_add: dict[Identity, int] = {identity: known[identity] for identity in pending}
        for item in prepared:
            owner = next(known[i] for i in item.identities if i in known)
            for identity in item.identities:
                if identity not in known:
                    known[identity] = to_add[identity] = owner
        identities = [(owner, kind, value) for (kind, value), owner in to_add.items()]
        insert_ignoring_conflicts(
            self.session.connection(),
            identities_table,
            IDENTITY_COLUMNS,
            identities,
            ["kind", "value"],
        )
        return known

    def write(self, session: Session, prepared: list[PreparedVoice]) -> BatchResult:
        """Add the prepared voices that are new, in the session's transaction; commit is the caller's."""
        self.session = session
        fresh = self._new_only(prepared)
        duplicates = len(prepared) - len(fresh)
        if not fresh:
            return BatchResult(0, duplicates)
        customers = self._customers(fresh)
        rows = [
            (
                customers[item.identities[0]],
                item.channel,
                item.received_at,
                item.text,
                item.subject,
                self.source,
                item.source_line,
                item.message_id,
                item.in_reply_to,
                item.external_id,
                item.text_hash,
                item.key,
                item.meta,
                self.import_id,
                self.started_at,
            )
            for item in fresh
        ]
        connection = self.session.connection()
        added = insert_ignoring_conflicts(connection, voices_table, VOICE_COLUMNS, rows, ["dedup_key"])
        return BatchResult(added, duplicates + len(rows) - added)
