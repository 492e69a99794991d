"""Exports at the voice, sentence and theme level, as CSV and Parquet, on SQLite and PostgreSQL: what goes in
comes back out, the filters choose, and a failed export leaves nothing under the file's name."""

from __future__ import annotations

import csv
import re
import stat
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from export_factories import ExportStore, build_store
from ombud.insight import export_parquet
from ombud.insight.export import ExportProgress, ExportRequest, export
from ombud.insight.export_columns import COLUMNS
from ombud.insight.export_errors import ExportError
from ombud.insight.export_filter import ExportFilter
from ombud.insight.export_formats import writers
from ombud.store import Database

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """A folder of its own for the exports (the SQLite database is in tmp_path)."""
    folder = tmp_path / "exports"
    folder.mkdir()
    return folder


@pytest.fixture
def store(database: Database) -> ExportStore:
    with database.session() as session:
        return build_store(session)


def read_back(path: Path, format_name: str) -> list[dict[str, Any]]:
    """The rows of an export as dicts: Parquet typed by pyarrow, CSV as text by the csv module."""
    if format_name == "parquet":
        return list(pq.read_table(path).to_pylist())
    with path.open(encoding="utf-8-sig", newline="") as file:
        return list(csv.DictReader(file))


def run(database: Database, out: Path, level: str, format_name: str, **options: Any) -> list[dict[str, Any]]:
    path = out / f"{level}.{format_name}"
    with database.session() as session:
        result = export(session, ExportRequest(level=level, path=path, format=format_name, **options))
    rows = read_back(path, format_name)
    assert result.rows == len(rows)
    return rows


@pytest.mark.parametrize("format_name", ["csv", "parquet"])
def test_voice_level_round_trips(database: Database, store: ExportStore, out: Path, format_name: str) -> None:
    rows = run(database, out, "voice", format_name)
    assert [row["voice_id"] for row in rows] == [
        str(store.voices[key]) if format_name == "csv" else store.voices[key]
        for key in ("sv", "nb", "nn", "da", "en", "unread")
    ]
    assert list(rows[0]) == [column.name for column in COLUMNS["voice"]]
    swedish, danish, unread = rows[0], rows[3], rows[5]
    if format_name == "parquet":
        assert swedish["received_at"] == datetime(2026, 1, 31, 23, 30, tzinfo=UTC)
        assert swedish["acts"] == ["complaint"] and danish["topics"] == ["delivery", "contract"]
        assert (swedish["expectation_gap"], danish["churn_risk"], danish["legal_claim"]) == (True, True, False)
        assert swedish["sentiment_score"] == pytest.approx(-0.8)
        assert (swedish["case_id"], swedish["case_status"], danish["case_id"]) == (store.case_id, "answered", None)
        assert unread["dominant_act"] is None and unread["emotions"] is None and unread["expectation_gap"] is None
    else:
        assert swedish["received_at"] == "2026-01-31T23:30:00Z"
        assert (swedish["acts"], danish["topics"], danish["emotions"]) == (
            "complaint",
            "delivery|contract",
            "anger|sadness",
        )
        assert (swedish["expectation_gap"], danish["churn_risk"], danish["legal_claim"]) == ("true", "true", "false")
        assert swedish["sentiment_score"] == "-0.8"
        assert (swedish["case_id"], swedish["case_status"], danish["case_id"]) == (str(store.case_id), "answered", "")
        assert (unread["dominant_act"], unread["emotions"], unread["expectation_gap"]) == ("", "", "")
    assert (swedish["channel"], swedish["company"], swedish["industry"], swedish["language"]) == (
        "email",
        "Testbutiken",
        "retail",
        "sv",
    )
    assert (swedish["dominant_act"], danish["sentiment"], swedish["model"]) == ("complaint", "negative", "test 1.0")
    assert [row["customer_identity_kind"] for row in rows] == ["email", "email", "phone", "email", "external", "email"]


@pytest.mark.parametrize("format_name", ["csv", "parquet"])
def test_sentence_level_round_trips(database: Database, store: ExportStore, out: Path, format_name: str) -> None:
    rows = run(database, out, "sentence", format_name, with_personal_data=True, user="agent@example.org")
    assert list(rows[0]) == [column.name for column in COLUMNS["sentence"]]
    # The five read voices' sentences, in voice order and position; the voice not read has none.
    assert len(rows) == 5 + 4 + 2 + 3 + 3
    first = rows[1]
    if format_name == "parquet":
        assert (first["voice_id"], first["position"], first["topics"]) == (store.voices["sv"], 1, ["delivery"])
        assert first["act_probability"] == pytest.approx(0.75) and first["sentiment_score"] == pytest.approx(-0.5)
        assert first["received_at"] == datetime(2026, 1, 31, 23, 30, tzinfo=UTC)
    else:
        assert (first["voice_id"], first["position"], first["topics"]) == (str(store.voices["sv"]), "1", "delivery")
        assert (first["act_probability"], first["sentiment_score"]) == ("0.75", "-0.5")
    assert (first["text"], first["act"], first["language"], first["company"]) == (
        "Paketet kom tre veckor för sent.",
        "complaint",
        "sv",
        "Testbutiken",
    )
    assert [row["text"] for row in rows if row["language"] == "nn"] == [
        "Eg vil gjerne betale med Vipps.",
        "Fødselsnummeret mitt er 23058710024, tlf 912 34 567.",
    ]


@pytest.mark.parametrize("format_name", ["csv", "parquet"])
def test_theme_level_round_trips(database: Database, store: ExportStore, out: Path, format_name: str) -> None:
    rows = run(database, out, "theme", format_name)
    assert list(rows[0]) == [column.name for column in COLUMNS["theme"]]
    # The merged theme's wishes are in the theme it was merged into; it is not a row of its own.
    vipps, sundays = rows
    if format_name == "parquet":
        assert (vipps["theme_id"], vipps["customers"], vipps["wishes"]) == (store.themes["vipps"], 2, 3)
        assert vipps["first_wish_at"] == datetime(2026, 2, 10, 9, 0, tzinfo=UTC)
        assert vipps["last_wish_at"] == datetime(2026, 3, 5, 12, 0, tzinfo=UTC)
        assert (vipps["languages"], vipps["channels"]) == (["nn", "nb"], ["review", "chat"])
        assert (sundays["theme_id"], sundays["customers"]) == (store.themes["sundays"], 1)
    else:
        assert (vipps["customers"], vipps["wishes"], vipps["languages"]) == ("2", "3", "nn|nb")
        assert (vipps["first_wish_at"], vipps["last_wish_at"]) == ("2026-02-10T09:00:00Z", "2026-03-05T12:00:00Z")
    assert (vipps["title"], vipps["status"], vipps["company"]) == ("Vipps i appen", "planned", "Fjordbutikken")
    assert vipps["status_note"] == "Kommer i mars; spørsmål til [email]"
    assert vipps["quote"] == "Eg vil gjerne betale med Vipps, tlf [phone]."  # the most central wish, masked


def test_parquet_columns_are_typed_and_written_in_row_groups(
    database: Database, store: ExportStore, out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export_parquet, "ROW_GROUP_ROWS", 2)
    path = out / "voices.parquet"
    with database.session() as session:
        export(session, ExportRequest(level="voice", path=path), batch_size=1)
    parquet = pq.ParquetFile(path)
    schema = parquet.schema_arrow
    assert schema.field("received_at").type == pa.timestamp("us", tz="UTC")
    assert schema.field("voice_id").type == pa.int64()
    assert schema.field("churn_risk").type == pa.bool_()
    assert schema.field("emotions").type == pa.list_(pa.string())
    assert schema.field("sentiment_score").type == pa.float64()
    assert parquet.metadata.num_row_groups == 3 and parquet.metadata.num_rows == 6
    assert schema.metadata[b"ombud.level"] == b"voice" and schema.metadata[b"ombud.personal_data"] == b"masked"


def test_the_format_follows_the_suffix(database: Database, store: ExportStore, out: Path) -> None:
    assert {"csv", "parquet"} <= set(writers())
    with database.session() as session:
        for name, expected in (("a.parquet", "parquet"), ("b.CSV", "csv")):
            assert export(session, ExportRequest(level="theme", path=out / name)).format == expected
        with pytest.raises(ExportError, match="--format"):
            export(session, ExportRequest(level="theme", path=out / "c.xlsx"))
    assert sorted(path.name for path in out.iterdir()) == ["a.parquet", "b.CSV"]
    # It may hold personal data: only its owner reads it.
    assert {stat.S_IMODE(path.stat().st_mode) for path in out.iterdir()} == {0o600}


def ids(rows: list[dict[str, Any]]) -> list[int]:
    return [int(row["voice_id"]) for row in rows]


def test_filters_choose_the_same_voices_at_every_level(database: Database, store: ExportStore, out: Path) -> None:
    voices = store.voices
    by_day = {"filter": ExportFilter(start=date(2026, 2, 1), end=date(2026, 3, 5))}
    # 23:30 UTC on 31 January is 1 February in Stockholm; 3 March 12:00 is within the last day.
    assert ids(run(database, out, "voice", "parquet", **by_day)) == [voices["sv"], voices["nb"], voices["nn"]]
    before = {"filter": ExportFilter(end=date(2026, 1, 31))}
    assert ids(run(database, out, "voice", "parquet", **before)) == []
    channel = {"filter": ExportFilter(channel="email")}
    assert ids(run(database, out, "voice", "csv", **channel)) == [voices["sv"], voices["da"], voices["unread"]]
    company = {"filter": ExportFilter(company="Fjordbutikken")}
    assert ids(run(database, out, "voice", "csv", **company)) == [voices["nb"], voices["nn"]]
    assert set(ids(run(database, out, "sentence", "csv", **company))) == {voices["nb"], voices["nn"]}
    language = {"filter": ExportFilter(language="nn")}
    assert ids(run(database, out, "voice", "parquet", **language)) == [voices["nn"]]
    # The theme level counts only the chosen voices' wishes.
    themes = run(database, out, "theme", "parquet", **language)
    assert [(row["theme_id"], row["customers"], row["wishes"], row["languages"]) for row in themes] == [
        (store.themes["vipps"], 1, 2, ["nn"])
    ]
    assert run(database, out, "theme", "parquet", filter=ExportFilter(channel="survey")) == []
    # A voice not read yet is chosen by the language its import gave.
    with database.session() as session:
        from ombud.store.models import Voice

        unread = session.get(Voice, voices["unread"])
        assert unread is not None
        unread.meta = {**unread.meta, "language": "sv"}
        session.commit()
    swedish = {"filter": ExportFilter(language="sv")}
    assert ids(run(database, out, "voice", "csv", **swedish)) == [voices["sv"], voices["unread"]]


def test_filter_days_are_checked() -> None:
    assert ExportFilter.parse("2026-01-01", " 2026-01-31 ", channel="chat") == ExportFilter(
        date(2026, 1, 1), date(2026, 1, 31), channel="chat"
    )
    with pytest.raises(ExportError, match="--from '1/2/2026' is not a day"):
        ExportFilter.parse("1/2/2026")
    with pytest.raises(ExportError, match=r"ends .* before it starts"):
        ExportFilter.parse("2026-02-01", "2026-01-01")


def test_a_failed_export_leaves_nothing_under_the_name(database: Database, store: ExportStore, out: Path) -> None:
    target = out / "voices.csv"
    target.write_text("the export of yesterday\n", encoding="utf-8")

    def interrupt(update: ExportProgress) -> None:
        if update.rows >= 2:
            raise KeyboardInterrupt

    with database.session() as session, pytest.raises(KeyboardInterrupt):
        export(session, ExportRequest(level="voice", path=target), on_progress=interrupt, batch_size=1)
    assert target.read_text(encoding="utf-8") == "the export of yesterday\n"
    assert [path.name for path in out.iterdir()] == ["voices.csv"]  # no temporary file left either


def test_bad_requests_are_refused_before_writing(database: Database, store: ExportStore, out: Path) -> None:
    with database.session() as session:
        for request, message in (
            (ExportRequest(level="customer", path=out / "a.csv"), "unknown level 'customer'"),
            (ExportRequest(level="voice", path=out / "a.csv", format="xlsx"), "unknown export format 'xlsx'"),
            (ExportRequest(level="voice", path=out / "a.csv", csv_dialect="excel"), "unknown CSV dialect"),
            (ExportRequest(level="voice", path=out / "a.parquet", csv_dialect="excel"), "unknown CSV dialect"),
            (ExportRequest(level="voice", path=out / "missing" / "a.csv"), "does not exist"),
            (ExportRequest(level="voice", path=out, format="csv"), "is a folder"),
        ):
            with pytest.raises(ExportError, match=message):
                export(session, request)
    assert list(out.iterdir()) == []


def test_docs_describe_every_column() -> None:
    docs = (ROOT / "docs" / "export.md").read_text(encoding="utf-8")
    for level, columns in COLUMNS.items():
        section = re.search(rf"^## {level} level\n(.*?)(?=^## |\Z)", docs, re.S | re.M | re.I)
        assert section, f"docs/export.md has no section '## {level} level'"
        missing = [column.name for column in columns if f"| `{column.name}` |" not in section.group(1)]
        assert missing == [], f"{level} level"
