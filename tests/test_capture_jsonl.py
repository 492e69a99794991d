"""JSONL import: flat and nested rows, broken lines."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from ombud.capture import import_file
from ombud.store import Customer, Database, Voice


def test_jsonl_rows_nested_customer_and_bad_lines(database: Database, tmp_path: Path) -> None:
    rows = [
        {
            "id": "c-1",
            "received_at": "2026-05-01T10:00:00+02:00",
            "channel": "chatt",
            "text": "Hei! Når åpner dere?",
            "customer": {"email": "kari@example.no", "name": "Kari", "language": "nb"},
            "company": "Kvikk",
        },
        {
            "id": "c-2",
            "received_at": "2026-05-01T11:00:00+02:00",
            "text": "Eg vil ha SMS-varsel 📱",
            "customer_phone": "+47 912 34 567",
            "rating": 4,
            "source": "app",
        },
        "not an object",
        {"id": "c-3", "text": "Ingen kund här"},
        {"id": "c-4", "received_at": "2026-05-01", "text": "", "email": "x@example.com"},
    ]
    lines = [json.dumps(row, ensure_ascii=False) for row in rows]
    lines.insert(3, '{"id": "broken", "text": ')
    path = tmp_path / "chats.jsonl"
    path.write_text("\n".join(lines) + "\n\n", encoding="utf-8")
    report = import_file(database, path)
    assert report.voices_added == 2
    assert [(error.line, error.reason) for error in report.errors] == [
        (3, "not a JSON object"),
        (4, "not valid JSON: Expecting value at column 26"),
        (5, report.errors[2].reason),
        (6, "the text (text) is empty"),
    ]
    assert "identifies the customer" in report.errors[2].reason
    with database.session() as session:
        first, second = session.scalars(select(Voice).order_by(Voice.id))
        assert (first.channel, first.external_id, first.meta) == (
            "chat",
            "c-1",
            {"company": "Kvikk", "language": "nb"},
        )
        assert second.channel == "unknown"
        assert second.meta == {"rating": "4", "source": "app"}
        assert second.text == "Eg vil ha SMS-varsel 📱"
        customer = session.get_one(Customer, first.customer_id)
        assert (customer.name, customer.preferred_language) == ("Kari", "nb")
    assert import_file(database, path).voices_added == 0
