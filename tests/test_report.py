"""The HTML report on SQLite and PostgreSQL: one self-contained file (no script, nothing fetched, no web address
but the SVG namespaces) in sv, nb, nn, da and en with dates and numbers written each language's way, the same
sections as the dashboard, every customer's words escaped and every quote masked; ``ombud report`` writes it and
refuses an unknown language with a clear message and exit code 2."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest
from babel.numbers import format_percent
from typer.testing import CliRunner

from dashboard_factories import APP_TITLE, MARKUP, NAME, NOW, PHONE, build_store
from ombud.cli import app
from ombud.insight import InsightFilter, dashboard
from ombud.insight.charts import SVG_NS, XLINK_NS
from ombud.insight.report import render_report, write_report
from ombud.insight.report_sections import sections
from ombud.insight.report_words import moment_text, percent_format, period_text
from ombud.locale import LANGUAGES, Translator, catalogue
from ombud.store import Database, open_database

SOURCES = Path(__file__).resolve().parents[1] / "src" / "ombud" / "insight"
HEADINGS = (
    "insight.overview.heading",
    "insight.mix.heading",
    "insight.wishes.heading",
    "insight.feelings.heading",
    "insight.sentiment.heading",
    "insight.gaps.heading",
    "insight.flags.heading",
    "insight.presence.heading",
    "insight.barometer.heading",
)


def assert_self_contained(document: str) -> None:
    """Nothing in the file loads anything, runs anything or names a web address but the SVG namespaces."""
    lowered = document.lower()
    for loader in ("<script", "<link", "<iframe", "<img", "<object", "<embed", "@import", "url(", "@font-face"):
        assert loader not in lowered, loader
    assert re.search(r"\ssrc\s*=", lowered) is None
    assert set(re.findall(r"https?://[^\s\"'<>)]+", document)) <= {SVG_NS, XLINK_NS}
    assert all(href.startswith("#") for href in re.findall(r'href="([^"]*)"', document))
    assert "@media print" in document and "break-before: page" in document


def visible_text(document: str) -> str:
    body = re.sub(r"<style>.*?</style>", " ", document, flags=re.S)
    return re.sub(r"[ \t\n]+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body)))


def test_the_report_in_every_language(database: Database) -> None:
    build_store(database)
    with database.session() as session:
        documents = {language: render_report(session, None, language, now=NOW) for language in LANGUAGES}
    for language, document in documents.items():
        words, t = catalogue(language), Translator(language)
        assert f'<html lang="{language}">' in document
        assert f"<title>{html.escape(words['report.title'])}</title>" in document
        text = visible_text(document)
        for key in (*HEADINGS, "insight.mix.explanation", "insight.barometer.formula", "report.privacy"):
            assert words[key] in text, (language, key)
        assert period_text(t, "2026-01") in text and period_text(t, "2026-02") in text
        assert f"1 ({format_percent(0.5, locale=language)})" in text  # January's complaints: 1 of 2
        assert words["report.made"].format(when=moment_text(t, NOW), voices="6") in text
        assert not re.search(r"\b(insight|report)\.[a-z_]+", text), language  # no key left untranslated
        for company in ("Kvikk Mobil", "Ljusbanken"):
            assert company in text
    assert "jan. 2026" in visible_text(documents["sv"]) and "Jan 2026" in visible_text(documents["en"])
    assert "1 (50 %)" in visible_text(documents["da"]).replace("\xa0", " ")


def test_the_report_is_self_contained_and_escapes_and_masks(database: Database) -> None:
    build_store(database)
    with database.session() as session:
        document = render_report(session, InsightFilter(), "en", title="<i>Q1</i> for the board", now=NOW)
    assert_self_contained(document)
    assert "<i>Q1</i>" not in document and "&lt;i&gt;Q1&lt;/i&gt; for the board" in document
    assert MARKUP not in document and html.escape(MARKUP) in document  # a customer's words are text
    assert APP_TITLE not in document and html.escape(APP_TITLE) in document
    assert PHONE not in document and NAME not in document and "Hansen" not in document
    assert "[phone]" in document and "[name]" in document and "@example.com" not in document
    assert "/voices?" not in document and "/wishes/" not in document  # a mailed file has no drill-down


def test_a_company_report_and_the_filter_it_names(database: Database) -> None:
    build_store(database)
    with database.session() as session:
        document = render_report(
            session, InsightFilter(company="Ljusbanken", channel="email"), "nn", period="quarter", now=NOW
        )
    words = catalogue("nn")
    text = visible_text(document)
    assert words["report.title_of"].format(company="Ljusbanken") in text
    assert f"{words['insight.filter.channel']}: {words['channel.email']}" in text.replace(" : ", ": ")
    assert "Kvikk Mobil" not in text and period_text(Translator("nn"), "2026-Q1") in text
    assert words["report.made"].format(when=moment_text(Translator("nn"), NOW), voices="2") in text


def test_every_language_has_the_report_words() -> None:
    used: set[str] = set()
    for path in [*SOURCES.glob("report*.py"), *(SOURCES / "templates").glob("*.j2")]:
        used |= set(re.findall(r"""\bt\(\s*["']([a-z_]+\.[a-z_.]*[a-z_])["']""", path.read_text(encoding="utf-8")))
    used |= {f"insight.period.{period}" for period in ("day", "week", "month", "quarter")}
    used |= {f"insight.filter.{name}" for name in ("channel", "company", "industry", "language", "segment", "act")}
    used |= {f"insight.mix.by_{place}" for place in ("channel", "company", "industry", "language", "segment")}
    assert len(used) > 80
    english = catalogue("en")
    for language in LANGUAGES:
        words = catalogue(language)
        missing = sorted(key for key in used if not words.get(key, "").strip())
        assert missing == [], (language, missing)
        if language != "en":  # written in the language, not left in English
            same = [key for key in used if key.endswith("explanation") and words[key] == english[key]]
            assert same == [], (language, same)


def test_write_report_replaces_the_file_whole(tmp_path: Path) -> None:
    target = tmp_path / "out" / "report.html"
    write_report(target, "<!doctype html><p>old</p>")
    write_report(target, "<!doctype html><p>ny – ø</p>")
    assert target.read_text(encoding="utf-8") == "<!doctype html><p>ny – ø</p>"
    assert [path.name for path in target.parent.iterdir()] == ["report.html"]


def test_cli_report(runner: CliRunner, database_url: str, tmp_path: Path) -> None:
    database = open_database(database_url)
    try:
        build_store(database)
    finally:
        database.close()
    target = tmp_path / "report.html"
    written = runner.invoke(
        app, ["report", "--html", str(target), "--lang", "nb", "--company", "Kvikk Mobil", "--db", database_url]
    )
    assert written.exit_code == 0, written.output
    assert "Wrote the report" in written.output and target.exists()
    document = target.read_text(encoding="utf-8")
    assert (
        '<html lang="nb">' in document and catalogue("nb")["report.title_of"].format(company="Kvikk Mobil") in document
    )
    assert_self_contained(document)
    refused = runner.invoke(app, ["report", "--html", str(tmp_path / "de.html"), "--lang", "de", "--db", database_url])
    assert refused.exit_code == 2
    assert "unknown language 'de'" in refused.output and "sv, nb, nn, da, en" in refused.output
    assert not (tmp_path / "de.html").exists()
    bad_day = runner.invoke(
        app, ["report", "--html", str(tmp_path / "x.html"), "--from", "1 mars", "--db", database_url]
    )
    assert bad_day.exit_code == 2 and "is not a date" in bad_day.output
    assert not (tmp_path / "x.html").exists()


@pytest.mark.parametrize("language", ["sv", "en"])
def test_an_empty_store_makes_a_report_that_says_so(tmp_path: Path, language: str) -> None:
    database = open_database(f"sqlite:///{tmp_path / 'empty.db'}")
    try:
        with database.session() as session:
            document = render_report(session, None, language, now=NOW)
    finally:
        database.close()
    assert_self_contained(document)
    assert catalogue(language)["insight.no_voices"] in visible_text(document)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_answered_share_is_drawn_on_a_0_to_100_percent_axis_even_when_nothing_was_answered(
    database: Database, language: str
) -> None:
    build_store(database)  # every voice in a case, none answered
    t = Translator(language)
    with database.session() as session:
        board = dashboard(session, InsightFilter(), now=NOW)
    assert board.presence.total.answered_share == 0
    [presence] = [section for section in sections(board, t) if section.name == "presence"]
    [answered] = [figure for figure in presence.figures if figure.name == "presence-answered"]
    root = ElementTree.fromstring(str(answered.chart))
    axis = next(node for node in root.iter(f"{{{SVG_NS}}}g") if node.get("class", "").startswith("axis y"))
    labels = [node.text for node in axis.iter(f"{{{SVG_NS}}}text")]
    written = percent_format(t)
    assert labels[0] == written(0) and labels[-1] == written(100), labels
