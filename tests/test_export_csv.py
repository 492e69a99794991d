"""The CSV dialects: what each writes for texts, numbers, times, lists and flags, and what Windows-1252 cannot hold."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ombud.insight.export_columns import Column
from ombud.insight.export_csv import CsvWriter
from ombud.insight.export_formats import WriterOptions

COLUMNS = (
    Column("text", "text", ""),
    Column("score", "number", ""),
    Column("at", "time", ""),
    Column("labels", "labels", ""),
    Column("flag", "flag", ""),
    Column("count", "integer", ""),
)
ROWS = [
    ("Blåbär, smør og æbler – «tack»", -0.71, datetime(2026, 1, 31, 23, 30, tzinfo=UTC), ["anger", "fear"], True, 3),
    ('=HYPERLINK("http://example.com")', 0.5, datetime(2026, 2, 1, 0, 0, 0, 250, tzinfo=UTC), [], False, 0),
    ("+47 924 18 337", 1e-07, None, None, None, None),
    ("Áillohaš čállá ŋ 🙂 dá", 0.0, None, ["joy"], None, 12),
]


def write(path: Path, dialect: str) -> int:
    writer = CsvWriter(path, COLUMNS, WriterOptions(csv_dialect=dialect))
    writer.write(ROWS[:2])
    writer.write(ROWS[2:])
    return writer.close()


def test_standard_is_comma_utf8_with_bom_and_every_value_as_it_is(tmp_path: Path) -> None:
    path = tmp_path / "standard.csv"
    assert write(path, "standard") == 0
    assert path.read_bytes().startswith(b"\xef\xbb\xbftext,score,at,labels,flag,count\r\n")
    with path.open(encoding="utf-8-sig", newline="") as file:
        rows = list(csv.reader(file))[1:]
    assert rows[0] == ["Blåbär, smør og æbler – «tack»", "-0.71", "2026-01-31T23:30:00Z", "anger|fear", "true", "3"]
    assert rows[1] == ['=HYPERLINK("http://example.com")', "0.5", "2026-02-01T00:00:00.000250Z", "", "false", "0"]
    assert rows[2] == ["+47 924 18 337", "0.0000001", "", "", "", ""]
    assert rows[3][0] == "Áillohaš čállá ŋ 🙂 dá"


def test_excel_nordic_is_semicolon_with_decimal_commas_and_no_formulas(tmp_path: Path) -> None:
    path = tmp_path / "nordic.csv"
    assert write(path, "excel-nordic") == 0
    assert path.read_bytes().startswith(b"\xef\xbb\xbftext;score;at;labels;flag;count\r\n")
    with path.open(encoding="utf-8-sig", newline="") as file:
        rows = list(csv.reader(file, delimiter=";"))[1:]
    assert rows[0] == ["Blåbär, smør og æbler – «tack»", "-0,71", "2026-01-31 23:30:00", "anger|fear", "true", "3"]
    # Texts Excel would run as formulas open as text; negative numbers stay numbers.
    assert rows[1][0] == '\'=HYPERLINK("http://example.com")'
    assert rows[2][:2] == ["'+47 924 18 337", "0,0000001"]
    assert rows[3][0] == "Áillohaš čállá ŋ 🙂 dá"


def test_cp1252_keeps_nordic_letters_and_reports_what_it_cannot_hold(tmp_path: Path) -> None:
    path = tmp_path / "old-excel.csv"
    assert write(path, "excel-nordic-cp1252") == 1
    assert not path.read_bytes().startswith(b"\xef\xbb\xbf")
    with path.open(encoding="cp1252", newline="") as file:
        rows = list(csv.reader(file, delimiter=";"))[1:]
    assert rows[0][0] == "Blåbär, smør og æbler – «tack»"
    # č loses its mark (á and š are Windows-1252); ŋ has none to lose and the emoji is no letter: both become ?.
    assert rows[3][0] == "Áillohaš cállá ? ? dá"


@pytest.mark.parametrize("dialect", ["standard", "excel-nordic", "excel-nordic-cp1252"])
def test_quotes_separators_and_line_breaks_survive(tmp_path: Path, dialect: str) -> None:
    path = tmp_path / "tricky.csv"
    tricky = 'Hon sa "nej"; sen gick hon,\nutan att betala.\r\nHilsen'
    writer = CsvWriter(path, COLUMNS[:1], WriterOptions(csv_dialect=dialect))
    writer.write([(tricky,)])
    writer.close()
    encoding = "cp1252" if dialect.endswith("cp1252") else "utf-8-sig"
    with path.open(encoding=encoding, newline="") as file:
        rows = list(csv.reader(file, delimiter="," if dialect == "standard" else ";"))
    assert rows == [["text"], [tricky]]
