"""The demo and the bundled sample voices it is built on."""

from __future__ import annotations

import html
import re
from collections import Counter
from datetime import datetime
from pathlib import Path

from typer.testing import CliRunner

from ombud.access.users import authenticate
from ombud.cli import app
from ombud.demo import load_sample, run_demo
from ombud.labels import ACTS, check_labeled_voice, dominant_act
from ombud.store import open_database
from test_report import assert_self_contained

LANGUAGES = {"sv", "nb", "nn", "da", "en"}
CHANNELS = {"email", "chat", "review", "survey", "call_note"}


def test_the_sample_is_complete_and_well_labeled() -> None:
    sample = load_sample()
    problems = {voice["id"]: check_labeled_voice(voice, sample=True) for voice in sample}
    assert {key: value for key, value in problems.items() if value} == {}
    assert len(sample) >= 600
    assert len({voice["id"] for voice in sample}) == len(sample)
    assert len({voice["company"] for voice in sample}) >= 6
    assert {voice["language"] for voice in sample} >= LANGUAGES
    assert {voice["channel"] for voice in sample} == CHANNELS
    months = {datetime.fromisoformat(voice["received_at"]).strftime("%Y-%m") for voice in sample}
    assert len(months) >= 12
    assert {sentence["act"] for voice in sample for sentence in voice["sentences"]} == set(ACTS)
    assert sum(bool(voice.get("personal_data")) for voice in sample) >= 50


def test_company_mixes_differ_as_intended() -> None:
    mixes: dict[str, Counter[str]] = {}
    for voice in load_sample():
        mixes.setdefault(voice["company"], Counter())[dominant_act(s["act"] for s in voice["sentences"])] += 1
    share = {company: {act: n / sum(mix.values()) for act, n in mix.items()} for company, mix in mixes.items()}
    ombudsman_like = share["Kamille Apotek"]
    assert ombudsman_like["wish"] > 0.6
    assert ombudsman_like.get("complaint", 0) < 0.12
    assert 0.05 <= ombudsman_like.get("praise", 0) <= 0.15
    in_trouble = share["Kvikk Mobil"]
    assert in_trouble["complaint"] > 0.45


def test_demo_imports_every_sample_voice(tmp_path: Path) -> None:
    result = run_demo(tmp_path / "demo")
    assert [report.error_count for report in result.reports] == [0] * len(result.reports)
    assert sum(report.voices_added for report in result.reports) == result.sample_size
    assert {path.suffix for path, _ in result.files} == {".csv", ".jsonl", ".mbox"}
    csv_bytes = (tmp_path / "demo" / "surveys-and-reviews.csv").read_bytes()
    csv_bytes.decode("cp1252")
    assert b";" in csv_bytes.splitlines()[0]
    languages = dict(result.counts["language"])
    assert set(languages) >= LANGUAGES
    assert len(result.counts["company"]) >= 6
    again = run_demo(tmp_path / "demo")
    assert sum(report.voices_added for report in again.reports) == result.sample_size


def test_demo_command(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["demo", "--dir", str(tmp_path / "d")])
    assert result.exit_code == 0, result.output
    for heading in ("Import summary", "Voices by company", "Voices by language", "Voices by channel"):
        assert heading in result.output
    for heading in ("The loop", "Wish board", "Presence by channel", "Feedback coverage"):
        assert heading in result.output
    # The demo agent's replies and the feedback on two decided themes went over SMTP to the local sink.
    mails = sorted((tmp_path / "d" / "sent-mail").glob("*.eml"))
    assert mails, result.output
    flat = " ".join(result.output.split())  # rich wraps long theme titles
    assert "→ planned" in flat and "→ done" in flat
    assert f"{len(mails)} arrived" in flat
    # It ends with the HTML report, in the language most of the sample is in, naming every company ...
    report = (tmp_path / "d" / "report.html").read_text(encoding="utf-8")
    assert_self_contained(report)
    assert '<html lang="sv">' in report
    for company in {voice["company"] for voice in load_sample()}:
        assert html.escape(company) in report, company
    assert "report.html" in flat and "ombud report --html" in flat
    # ... and a login for `ombud serve`, whose password is shown once and works.
    found = re.search(r"ombud serve --db (\S+) --no-send.* log in as (\S+) with the password (\S+)", flat)
    assert found, flat[-1500:]
    url, email, password = found.groups()
    database = open_database(url)
    try:
        with database.session() as session:
            assert authenticate(session, email, password).role == "admin"
    finally:
        database.close()


def test_dominant_act_rules() -> None:
    assert dominant_act(["other", "complaint", "wish", "wish"]) == "wish"
    assert dominant_act(["praise", "complaint"]) == "complaint"
    assert dominant_act(["question", "wish"]) == "wish"
    assert dominant_act(["praise", "question"]) == "question"
    assert dominant_act(["other"]) == "other"


def test_personal_ids_in_the_sample_carry_valid_check_digits() -> None:
    def luhn_ok(digits: str) -> bool:
        total = 0
        for index, digit in enumerate(reversed(digits)):
            value = int(digit) * (2 if index % 2 else 1)
            total += value - 9 if value > 9 else value
        return total % 10 == 0

    checked = 0
    for voice in load_sample():
        for span in voice.get("personal_data", []):
            digits = "".join(char for char in span["text"] if char.isdigit())
            if span["kind"] in {"personnummer", "samordningsnummer"} and len(digits) in {10, 12}:
                assert luhn_ok(digits[-10:]), span
                checked += 1
            if span["kind"] == "card":
                assert luhn_ok(digits), span
                checked += 1
    assert checked >= 10
