"""The voices behind a figure: every drill-down filter, newest first, paged, with the customer and the case, and
with personal data masked when asked; and `ombud insight`."""

from __future__ import annotations

import json
from datetime import date

import pytest
from typer.testing import CliRunner

from ombud.cli import app
from ombud.errors import InsightError
from ombud.insight import InsightFilter, voices_behind
from ombud.loop.cases import update_cases
from ombud.store import Database, open_database
from test_insight import NOW, build_store


def names(page: object, ids: dict[str, int]) -> list[str]:
    by_id = {voice_id: name for name, voice_id in ids.items() if not name.startswith("theme:")}
    return [by_id[voice.voice_id] for voice in page.voices]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("chosen", "expected"),
    [
        (InsightFilter(), ["sv2", "en1", "da1", "nn1", "nb1", "sv1"]),
        (InsightFilter(act="complaint"), ["da1", "sv1"]),
        (InsightFilter(emotion="anger"), ["sv2", "da1", "sv1"]),
        (InsightFilter(topic="price"), ["da1"]),
        (InsightFilter(flag="churn_risk"), ["da1"]),
        (InsightFilter(flag="expectation_gap", company="Ljusbanken"), ["sv2", "da1"]),
        (InsightFilter(sentiment="positive"), ["nn1"]),
        (InsightFilter(segment="(none)"), ["en1"]),
        (InsightFilter(channel="chat", language="nb"), ["nb1"]),
        (InsightFilter(industry="telecom", start=date(2026, 2, 1)), ["en1", "nb1"]),
        # February in Stockholm: nb1 came in at 00:30 on the 1st, local time.
        (InsightFilter(start=date(2026, 2, 1), end=date(2026, 2, 28)), ["da1", "nn1", "nb1"]),
        (InsightFilter(end=date(2026, 1, 31)), ["sv1"]),
    ],
)
def test_every_drill_down_filter(database: Database, chosen: InsightFilter, expected: list[str]) -> None:
    ids = build_store(database)
    with database.session() as session:
        page = voices_behind(session, chosen)
    assert names(page, ids) == expected and page.total == len(expected)


def test_voices_of_a_wish_theme_with_customer_and_case(database: Database) -> None:
    ids = build_store(database)
    with database.session() as session:
        update_cases(session, NOW)
        page = voices_behind(session, InsightFilter(wish_theme=ids["theme:sunday"]))
    assert names(page, ids) == ["sv2", "en1"]
    sv2 = page.voices[0]
    assert sv2.customer == "sv2@example.com" and sv2.case_id is not None
    assert (sv2.channel, sv2.company, sv2.language, sv2.dominant_act) == ("email", "Ljusbanken", "sv", "wish")
    assert sv2.emotions == ["anger"] and sv2.flags == ["expectation_gap"]
    assert sv2.as_json()["received_at"] == "2026-03-31T22:30:00+00:00"


def test_pages_and_masking(database: Database) -> None:
    ids = build_store(database)
    with database.session() as session:
        first = voices_behind(session, limit=2)
        second = voices_behind(session, limit=2, offset=2)
        past = voices_behind(session, limit=2, offset=10)
        masked = voices_behind(session, InsightFilter(language="da"), redact_personal_data=True)
        plain = voices_behind(session, InsightFilter(language="da"))
        with pytest.raises(InsightError, match="a page holds 1 to 500 voices"):
            voices_behind(session, limit=0)
        with pytest.raises(InsightError, match="offset cannot be negative"):
            voices_behind(session, offset=-1)
    assert names(first, ids) == ["sv2", "en1"] and names(second, ids) == ["da1", "nn1"]
    assert past.voices == [] and past.total == 6
    assert "20 12 34 56" in plain.voices[0].text and plain.voices[0].customer == "da1@example.com"
    assert "[phone]" in masked.voices[0].text and "20 12 34 56" not in masked.voices[0].text
    assert masked.voices[0].customer is None
    assert masked.as_json()["filter"]["language"] == "da"


def test_cli_insight(runner: CliRunner, database_url: str) -> None:
    database = open_database(database_url)
    build_store(database)
    database.close()
    result = runner.invoke(app, ["insight", "--json", "--db", database_url, "--company", "Ljusbanken"])
    assert result.exit_code == 0, result.output
    board = json.loads(result.output)
    assert board["voices"] == 3 and board["filter"]["company"] == "Ljusbanken"
    assert [row["key"] for row in board["mix_by_period"]["rows"]] == ["2026-02", "2026-03", "2026-04"]
    assert board["presence"]["total"]["cases"] == 3  # the voices were placed in cases first
    quarter = json.loads(
        runner.invoke(
            app, ["insight", "--json", "--db", database_url, "--period", "quarter", "--to", "2026-03-31"]
        ).output
    )
    assert [row["key"] for row in quarter["mix_by_period"]["rows"]] == ["2026-Q1"]
    assert quarter["voices"] == 5
    tables = runner.invoke(app, ["insight", "--db", database_url, "--language", "da"], env={"COLUMNS": "160"})
    assert tables.exit_code == 0, tables.output
    for heading in ("Voice mix by month", "Top wish themes", "Emotions by topic", "Expectation gaps", "Flags by month",
                    "Presence by channel", "Barometer by month"):  # fmt: skip
        assert heading in tables.output
    # The console's width is fixed when the CLI is imported, so the table may wrap the quote: read it from the JSON.
    assert "[phone]" in tables.output
    danish = json.loads(runner.invoke(app, ["insight", "--json", "--db", database_url, "--language", "da"]).output)
    quotes = [quote["text"] for gap in danish["gaps"]["topics"] for quote in gap["quotes"]]
    assert "I lovede at ringe mig på [phone], men ingen ringede." in quotes
    assert "too few" in tables.output


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--period", "fortnight"], "unknown period 'fortnight'"),
        (["--from", "2026-13-01"], "is not a date"),
        (["--from", "2026-03-01", "--to", "2026-02-01"], "after it ends"),
    ],
)
def test_cli_insight_refuses_bad_filters(
    runner: CliRunner, tmp_path: object, arguments: list[str], message: str
) -> None:
    result = runner.invoke(app, ["insight", "--db", f"sqlite:///{tmp_path}/empty.db", *arguments])
    assert result.exit_code == 2
    assert message in result.output
