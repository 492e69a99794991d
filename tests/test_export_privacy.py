"""Personal data in exports: masked by default in sv, nb, nn, da and en at every level and in every format, and
shown only to an active admin or agent who asks for it."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from export_factories import CPR, FODSELSNUMMER, FODSELSNUMMER_NN, PERSONNUMMER, SECRETS, ExportStore, build_store
from ombud.insight.export import ExportRequest, export
from ombud.insight.export_errors import PersonalDataRefused
from ombud.store import Database


@pytest.fixture
def out(tmp_path: Path) -> Path:
    folder = tmp_path / "exports"
    folder.mkdir()
    return folder


@pytest.fixture
def store(database: Database) -> ExportStore:
    with database.session() as session:
        return build_store(session)


def by_voice(path: Path) -> dict[int, dict[str, Any]]:
    return {row["voice_id"]: row for row in pq.read_table(path).to_pylist()}


@pytest.mark.parametrize("level", ["voice", "sentence", "theme"])
@pytest.mark.parametrize("format_name", ["csv", "parquet"])
def test_no_personal_data_leaves_a_masked_export(
    database: Database, store: ExportStore, out: Path, level: str, format_name: str
) -> None:
    path = out / f"{level}.{format_name}"
    with database.session() as session:
        export(session, ExportRequest(level=level, path=path))
    written = str(pq.read_table(path).to_pylist()) if format_name == "parquet" else path.read_text("utf-8-sig")
    leaked = [secret for secret in SECRETS if secret in written]
    assert leaked == []
    # A personnummer without its dash is no secret kept either.
    assert PERSONNUMMER.replace("-", "") not in written


def test_every_language_is_masked_where_it_stands(database: Database, store: ExportStore, out: Path) -> None:
    path = out / "voices.parquet"
    with database.session() as session:
        export(session, ExportRequest(level="voice", path=path))
    rows = by_voice(path)
    voices = store.voices
    assert rows[voices["sv"]]["text"] == (
        "Hej! Paketet kom tre veckor för sent. Mitt personnummer är [personnummer], ring [phone]. "
        "Koden [phone] funkar inte. Mvh [name] [name]"  # the code was a phone to the reading stored with the voice
    )
    assert rows[voices["sv"]]["subject"] == "Försenat paket – svara till [email]"
    assert rows[voices["sv"]]["personal_data"] == ["personnummer", "phone", "name", "email"]
    assert (
        rows[voices["nb"]]["text"]
        == "Hei! Fødselsnummer [fodselsnummer]. Dere burde ha Vipps i appen. Ring meg på [phone]."
    )
    assert rows[voices["nn"]]["text"] == (
        "Eg vil gjerne betale med Vipps. Fødselsnummeret mitt er [fodselsnummer], tlf [phone]."
    )
    assert rows[voices["da"]]["text"] == (
        "Mit CPR er [cpr]. Pakken kom aldrig, og nu opsiger jeg abonnementet. Skriv til [email] eller [phone]."
    )
    assert rows[voices["en"]]["text"] == (
        "Great service, thanks! My number is [personnummer], call [phone]. Customer no [external]."
    )
    assert rows[voices["unread"]]["text"] == "Hej, min mejl är [email]."  # not read yet, masked all the same
    identities = [(row["customer_identity"], row["customer_name"]) for row in rows.values()]
    assert identities == [
        ("[email]", "[name]"),
        ("[email]", "[name]"),
        ("[phone]", "[name]"),
        ("[email]", "[name]"),
        ("[external]", "[name]"),
        ("[email]", None),
    ]


def test_sentences_are_masked_with_the_spans_of_their_voice(database: Database, store: ExportStore, out: Path) -> None:
    path = out / "sentences.csv"
    with database.session() as session:
        export(session, ExportRequest(level="sentence", path=path))
    with path.open(encoding="utf-8-sig", newline="") as file:
        texts = [row["text"] for row in csv.DictReader(file)]
    assert "Mitt personnummer är [personnummer], ring [phone]." in texts
    assert "Koden [phone] funkar inte." in texts  # a stored span, found in the voice, masked in its sentence
    assert "Mvh [name] [name]" in texts
    assert "Mit CPR er [cpr]." in texts and "Fødselsnummer [fodselsnummer]." in texts


def read(path: Path) -> str:
    return str(pq.read_table(path).to_pylist())


@pytest.mark.parametrize("role", ["agent", "admin"])
def test_an_agent_or_admin_gets_the_personal_data(database: Database, store: ExportStore, out: Path, role: str) -> None:
    path = out / "voices.parquet"
    with database.session() as session:
        result = export(
            session,
            ExportRequest(level="voice", path=path, with_personal_data=True, user=f" {role.upper()}@example.org "),
        )
    assert result.personal_data
    rows = by_voice(path)
    swedish = rows[store.voices["sv"]]
    assert (swedish["customer_identity"], swedish["customer_name"]) == ("annika@example.com", "Annika Lövgren")
    assert PERSONNUMMER in swedish["text"] and "Annika Lövgren" in swedish["text"]
    assert rows[store.voices["en"]]["customer_identity"] == "TB-4471"
    written = read(path)
    assert all(secret in written for secret in (FODSELSNUMMER, FODSELSNUMMER_NN, CPR))
    metadata = pq.read_schema(path).metadata
    assert metadata[b"ombud.personal_data"] == b"included"
    assert metadata[b"ombud.exported_by"] == f"{role}@example.org".encode()


@pytest.mark.parametrize(
    ("user", "reason"),
    [
        ("analyst@example.org", "is an analyst, who sees personal data masked"),
        ("nobody@example.org", "there is no user 'nobody@example.org'"),
        ("gone@example.org", "is disabled"),
        (None, "needs --user"),
    ],
)
def test_anyone_else_is_refused_and_nothing_is_written(
    database: Database, store: ExportStore, out: Path, user: str | None, reason: str
) -> None:
    with database.session() as session, pytest.raises(PersonalDataRefused, match=reason):
        export(session, ExportRequest(level="voice", path=out / "voices.csv", with_personal_data=True, user=user))
    assert list(out.iterdir()) == []
