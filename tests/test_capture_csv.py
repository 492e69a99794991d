"""CSV import edge cases, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from ombud.capture import ImportOptions, import_file
from ombud.store import Customer, CustomerIdentity, Database, Import, ImportProblem, Voice

NORDIC_ROWS = [
    (
        "2026-03-01 10:00",
        "anna@example.com",
        "Anna Öberg",
        "Kön var lång men personalen var trevlig 😊",
        "sv",
    ),
    ("02.03.2026 11:15", "ola@example.no", "Ola Nordmann", "Eg vil gjerne ha ope på søndagar.", "nn"),
    ("03/03/2026", "kari@example.no", "Kari Bø", "Det hadde vært fint med en app for æ, ø og å.", "nb"),
    ("2026-03-04T08:00:00+01:00", "jens@example.dk", "Jens Ærø", "Pakken kom ikke, hvorfor?", "da"),
    ("2026-03-05 09:30", "sam@example.com", "Sam Smith", "Great service, thanks!", "en"),
]


def write_csv(
    path: Path,
    rows: list[tuple[str, ...]],
    *,
    delimiter: str = ";",
    encoding: str = "utf-8",
    header: tuple[str, ...] = ("Datum", "E-post", "Namn", "Kommentar", "Språk"),
) -> Path:
    def quote(value: str) -> str:
        if any(char in value for char in (delimiter, '"', "\n", "\r")):
            return '"' + value.replace('"', '""') + '"'
        return value

    lines = [delimiter.join(quote(value) for value in row) for row in [header, *rows]]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def texts(database: Database) -> list[str]:
    with database.session() as session:
        return list(session.scalars(select(Voice.text).order_by(Voice.received_at)))


def cp1252_rows() -> list[tuple[str, ...]]:
    # cp1252 cannot hold emoji; a real Excel export would not have them either.
    return [(d, e, n, t.replace(" 😊", ""), lang) for d, e, n, t, lang in NORDIC_ROWS]


@pytest.mark.parametrize(
    ("encoding", "rows"),
    [
        ("utf-8", NORDIC_ROWS),
        ("utf-8-sig", NORDIC_ROWS),
        ("utf-16", NORDIC_ROWS),
        ("cp1252", cp1252_rows()),
        ("latin-1", [(d, e, n, t.replace(" 😊", ""), lang) for d, e, n, t, lang in NORDIC_ROWS]),
    ],
)
def test_each_encoding_keeps_nordic_letters(database: Database, tmp_path: Path, encoding: str, rows) -> None:
    path = write_csv(tmp_path / "export.csv", rows, encoding=encoding)
    report = import_file(database, path)
    assert report.ok, report.errors
    assert report.voices_added == 5
    assert texts(database) == [row[3] for row in rows]


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_each_delimiter(database: Database, tmp_path: Path, delimiter: str) -> None:
    rows = [*NORDIC_ROWS, ("2026-03-06", "per@example.se", "Per", "Pris, kvalitet; allt bra", "sv")]
    report = import_file(database, write_csv(tmp_path / "export.csv", rows, delimiter=delimiter))
    assert report.ok, report.errors
    assert texts(database)[-1] == "Pris, kvalitet; allt bra"


def test_quoted_multiline_fields(database: Database, tmp_path: Path) -> None:
    rows = [
        ("2026-03-01", "a@example.com", "A", 'Rad ett\nrad två med "citat"\r\nrad tre', "sv"),
        *NORDIC_ROWS[1:],
    ]
    report = import_file(database, write_csv(tmp_path / "export.csv", rows))
    assert report.ok, report.errors
    assert texts(database)[0] == 'Rad ett\nrad två med "citat"\nrad tre'


def test_broken_quote_is_reported_and_the_rows_after_it_are_kept(database: Database, tmp_path: Path) -> None:
    path = tmp_path / "broken.csv"
    path.write_text(
        "Datum;E-post;Kommentar\n"
        "2026-01-01;a@example.com;Bra\n"
        '2026-01-02;b@example.com;"Trasig rad utan slut\n'
        "2026-01-03;c@example.com;Tredje\n"
        "2026-01-04;d@example.com;Fjärde\n",
        encoding="utf-8",
    )
    report = import_file(database, path)
    assert report.voices_added == 3
    assert [(error.line, "quote" in error.reason) for error in report.errors] == [(3, True)]
    assert texts(database) == ["Bra", "Tredje", "Fjärde"]


def test_a_missing_text_column_is_named(database: Database, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "x.csv", [("2026-01-01", "a@example.com", "A")], header=("Datum", "E-post", "Namn"))
    report = import_file(database, path)
    assert report.status == "failed"
    reason = report.errors[0].reason
    assert "found no column with the customer's text" in reason
    assert "--map text=COLUMN" in reason
    assert "Datum, E-post, Namn" in reason


def test_a_missing_customer_column_is_named(database: Database, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "x.csv", [("2026-01-01", "Hej")], header=("Datum", "Kommentar"))
    report = import_file(database, path)
    assert report.status == "failed"
    assert "identifies the customer" in report.errors[0].reason


def test_map_option_picks_columns(database: Database, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "x.csv",
        [("a@example.com", "2026-02-01", "Svar här")],
        header=("Kontakt", "När", "Fritt svar"),
    )
    options = ImportOptions(mapping={"text": "Fritt svar", "customer_email": "Kontakt", "received_at": "När"})
    report = import_file(database, path, options=options)
    assert report.ok, report.errors
    assert texts(database) == ["Svar här"]


def test_map_option_naming_an_absent_column(database: Database, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "x.csv", NORDIC_ROWS)
    report = import_file(database, path, options=ImportOptions(mapping={"text": "Fritext"}))
    assert report.status == "failed"
    assert "there is no column 'Fritext'" in report.errors[0].reason


def test_empty_file(database: Database, tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    report = import_file(database, path)
    assert report.status == "failed"
    assert report.errors[0].reason == "the file is empty"


def test_binary_junk(database: Database, tmp_path: Path) -> None:
    path = tmp_path / "junk.csv"
    path.write_bytes(bytes(range(256)) * 100)
    report = import_file(database, path)
    assert report.status == "failed"
    assert "binary" in report.errors[0].reason
    with database.session() as session:
        run = session.scalars(select(Import)).one()
        assert run.status == "failed"
        assert session.scalars(select(ImportProblem.reason)).one() == report.errors[0].reason


def test_a_ten_megabyte_field_is_refused_and_the_rest_kept(database: Database, tmp_path: Path) -> None:
    huge = "å" * (10 * 1024 * 1024)
    rows = [NORDIC_ROWS[0], ("2026-03-02", "big@example.com", "Big", huge, "sv"), NORDIC_ROWS[4]]
    report = import_file(database, write_csv(tmp_path / "big.csv", rows))
    assert report.voices_added == 2
    assert len(report.errors) == 1
    assert report.errors[0].line == 3
    assert "more than the limit of 100,000" in report.errors[0].reason


def test_bad_rows_are_reported_with_line_and_reason(database: Database, tmp_path: Path) -> None:
    rows = [
        NORDIC_ROWS[0],
        ("32.13.2026", "x@example.com", "X", "Fel datum", "sv"),
        ("2026-03-02", "not-an-address", "Y", "Fel e-post", "sv"),
        ("2026-03-02", "z@example.com", "Z", "   ", "sv"),
        ("2026-03-02", "", "W", "Ingen kund", "sv"),
        NORDIC_ROWS[1],
    ]
    report = import_file(database, write_csv(tmp_path / "bad.csv", rows))
    assert report.voices_added == 2
    assert [(error.line, error.reason) for error in report.errors] == [
        (3, "cannot read the date '32.13.2026': month must be in 1..12"),
        (4, "'not-an-address' is not an e-mail address"),
        (5, "the text (Kommentar) is empty"),
        (6, "no customer: the row has no e-mail, phone or customer id"),
    ]
    with database.session() as session:
        stored = session.scalars(select(ImportProblem.line).order_by(ImportProblem.line)).all()
        assert stored == [3, 4, 5, 6]
        run = session.scalars(select(Import)).one()
        assert (run.rows_read, run.voices_added, run.error_count, run.status) == (6, 2, 4, "completed")


def test_importing_the_same_file_twice_adds_nothing(database: Database, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "export.csv", NORDIC_ROWS)
    first = import_file(database, path)
    second = import_file(database, path)
    assert (first.voices_added, second.voices_added, second.duplicates) == (5, 0, 5)
    # The same rows in another file, with other line endings, are still the same voices.
    again = write_csv(tmp_path / "copy.csv", NORDIC_ROWS, delimiter=",", encoding="utf-8-sig")
    assert import_file(database, again).voices_added == 0
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(Voice)) == 5


def test_external_ids_decide_sameness(database: Database, tmp_path: Path) -> None:
    header = ("ID", "E-post", "Kommentar")
    first = write_csv(tmp_path / "a.csv", [("1", "a@example.com", "Hej"), ("2", "a@example.com", "Hej")], header=header)
    assert import_file(database, first).voices_added == 2
    edited = write_csv(
        tmp_path / "b.csv",
        [("1", "a@example.com", "Hej, ändrad"), ("3", "b@example.com", "Ny")],
        header=header,
    )
    report = import_file(database, edited)
    assert (report.voices_added, report.duplicates) == (1, 1)


def test_customers_are_found_by_any_identity(database: Database, tmp_path: Path) -> None:
    header = ("Datum", "E-post", "Telefon", "Namn", "Kommentar")
    rows = [
        ("2026-01-01", "Anna@Example.com", "070-123 45 67", "Anna", "Första"),
        ("2026-01-02", "", "+46 70 123 45 67", "Anna", "Andra"),
        ("2026-01-03", "", "0701234567", "Anna", "Tredje"),
        ("2026-01-04", "anna@example.com", "", "Anna", "Fjärde"),
        ("2026-01-05", "bo@example.com", "", "Bo", "Annan kund"),
    ]
    report = import_file(database, write_csv(tmp_path / "c.csv", rows, header=header))
    assert report.ok, report.errors
    with database.session() as session:
        owners = [
            owner for _, owner in session.execute(select(Voice.text, Voice.customer_id).order_by(Voice.received_at))
        ]
        assert owners[:4] == [owners[0]] * 4
        assert owners[4] != owners[0]
        assert session.scalar(select(func.count()).select_from(Customer)) == 2
        assert session.get_one(Customer, owners[0]).name == "Anna"


IDENTITY_ROWS = [
    # A voice with a known e-mail brings a new phone; a later voice gives only that phone.
    ("2026-02-01", "eva@example.com", "", "Eva", "Ett"),
    ("2026-02-02", "eva@example.com", "0705550001", "Eva", "Två"),
    ("2026-02-03", "", "0705550001", "Eva", "Tre"),
    # Two voices of a new customer, then one naming both her and someone else: she keeps it.
    ("2026-02-04", "per@example.com", "", "Per", "Fyra"),
    ("2026-02-05", "", "0705550002", "Pia", "Fem"),
    ("2026-02-06", "per@example.com", "0705550002", "Per", "Sex"),
    ("2026-02-07", "", "0705550002", "Pia", "Sju"),
]


def _owners(database: Database) -> list[tuple[str, str | None]]:
    """Who said each voice, as the name of the customer, in time order."""
    with database.session() as session:
        rows = session.execute(
            select(Voice.text, Customer.name)
            .join(Customer, Voice.customer_id == Customer.id)
            .order_by(Voice.received_at)
        )
        return [(text, name) for text, name in rows]


@pytest.mark.parametrize("batch_size", [1, 2, 3, 1000])
def test_customers_come_out_the_same_whatever_the_batch_size(
    database: Database, tmp_path: Path, batch_size: int
) -> None:
    header = ("Datum", "E-post", "Telefon", "Namn", "Kommentar")
    # Eva is in the store already when the rest come.
    known = import_file(database, write_csv(tmp_path / "known.csv", IDENTITY_ROWS[:1], header=header))
    assert known.ok, known.errors
    path = write_csv(tmp_path / "identities.csv", IDENTITY_ROWS[1:], header=header)
    report = import_file(database, path, batch_size=batch_size)
    assert report.ok, report.errors
    # As if one voice at a time: the first identity someone already holds decides.
    assert _owners(database) == [
        ("Ett", "Eva"),
        ("Två", "Eva"),
        ("Tre", "Eva"),
        ("Fyra", "Per"),
        ("Fem", "Pia"),
        ("Sex", "Per"),
        ("Sju", "Pia"),
    ]
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(Customer)) == 3
        assert session.scalar(select(func.count()).select_from(CustomerIdentity)) == 4
    assert import_file(database, path, batch_size=batch_size).voices_added == 0
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(Customer)) == 3


def test_rows_another_writer_added_meanwhile_are_not_added_twice(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A writer that ignores the import lock can add a voice between a batch's look and its insert; the
    batch then goes again, the slow way, and the voice is still there once."""
    from ombud.capture.loader import VoiceWriter

    path = write_csv(tmp_path / "export.csv", NORDIC_ROWS)
    assert import_file(database, path).voices_added == 5
    with database.session() as session:
        session.execute(Voice.__table__.delete().where(Voice.text == NORDIC_ROWS[0][3]))
        session.commit()
    # Every key looks new, as if the other four voices had been added after the look.
    monkeypatch.setattr(VoiceWriter, "_new_only", staticmethod(lambda connection, batch: list(range(len(batch)))))
    report = import_file(database, path)
    assert (report.voices_added, report.duplicates, report.status) == (1, 4, "completed")
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(Voice)) == 5
        assert session.scalar(select(func.count()).select_from(Customer)) == 5


def test_reading_in_a_process_gives_the_same_result(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ombud.settings import get_settings

    monkeypatch.setenv("OMBUD_READER_PROCESS_MIN_BYTES", "0")
    get_settings.cache_clear()
    try:
        rows = [*NORDIC_ROWS, ("bad date", "x@example.com", "X", "Fel", "sv")]
        report = import_file(database, write_csv(tmp_path / "export.csv", rows), batch_size=2)
        assert (report.voices_added, report.rows_read) == (5, 6)
        assert [(error.line, error.reason) for error in report.errors] == [(7, "cannot read the date 'bad date'")]
        assert texts(database) == [row[3] for row in NORDIC_ROWS]
        junk = tmp_path / "junk.csv"
        junk.write_bytes(bytes(range(256)) * 10)
        failed = import_file(database, junk)
        assert failed.status == "failed"
        assert "binary" in failed.errors[0].reason
    finally:
        get_settings.cache_clear()


def test_a_bulk_load_rebuilds_the_indexes_it_dropped(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy import inspect

    from ombud.settings import get_settings
    from ombud.store import open_database
    from ombud.store.bulk import DEFERRABLE_INDEXES

    def voice_indexes() -> set[str]:
        return {index["name"] for index in inspect(database.engine).get_indexes("voices") if index["name"]}

    monkeypatch.setenv("OMBUD_BULK_LOAD_MIN_BYTES", "0")
    get_settings.cache_clear()
    try:
        report = import_file(database, write_csv(tmp_path / "export.csv", NORDIC_ROWS))
    finally:
        get_settings.cache_clear()
    assert report.voices_added == 5
    assert set(DEFERRABLE_INDEXES) <= voice_indexes()
    # A bulk import killed before it could rebuild them: the next opening of the database does.
    with database.engine.begin() as connection:
        for name in DEFERRABLE_INDEXES:
            connection.exec_driver_sql(f"DROP INDEX {name}")
    assert not set(DEFERRABLE_INDEXES) & voice_indexes()
    reopened = open_database(database.url)
    assert set(DEFERRABLE_INDEXES) <= voice_indexes()
    if reopened.dialect == "sqlite":
        # The rebuild sorts in a small cache spilling to files; the connection gets its settings back.
        with reopened.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA temp_store").scalar() == 2
            assert connection.exec_driver_sql("PRAGMA cache_size").scalar() == -get_settings().sqlite_cache_mb * 1024
    reopened.close()
