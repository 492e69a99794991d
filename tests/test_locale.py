"""The UI words in five languages: the same keys everywhere, the same placeholders, the browser's language
negotiated, and dates and numbers written each language's way."""

from __future__ import annotations

import re
import string
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ombud.labels import ACTS, CHANNELS, EMOTIONS, FLAGS, TOPICS
from ombud.locale import LANGUAGES, Translator, catalogue, known_language, negotiate, translate

TEMPLATES = Path(__file__).resolve().parents[1] / "src" / "ombud" / "web" / "templates"


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_key_is_in_all_five_languages_with_the_same_placeholders() -> None:
    english = catalogue("en")
    for language in LANGUAGES:
        words = catalogue(language)
        assert set(words) == set(english), language
        for key, text in words.items():
            assert text.strip(), (language, key)
            assert placeholders(text) == placeholders(english[key]), (language, key)


def test_every_key_the_templates_use_is_there() -> None:
    used: set[str] = set()
    for template in TEMPLATES.glob("*.html"):
        used |= set(re.findall(r"""\bt\(["']([a-z_.]+[a-z_])["']""", template.read_text(encoding="utf-8")))
    assert used - set(catalogue("en")) == set()
    vocabularies = {"act": ACTS, "emotion": EMOTIONS, "flag": FLAGS, "topic": TOPICS, "channel": CHANNELS}
    for group, values in vocabularies.items():
        for value in values:
            assert f"{group}.{value}" in catalogue("en"), (group, value)


def test_the_browsers_language() -> None:
    assert negotiate("sv-SE,sv;q=0.9,en;q=0.8") == "sv"
    assert negotiate("de-DE, nn;q=0.8, en;q=0.5") == "nn"
    assert negotiate("no") == "nb" and negotiate("nb-NO") == "nb"
    assert negotiate("en;q=0.2, da;q=0.9") == "da"
    assert negotiate("fr, de") is None and negotiate(None) is None and negotiate("sv;q=0") is None
    assert known_language("da_DK") == "da" and known_language("xx") is None


@pytest.mark.parametrize(
    ("language", "number", "when"),
    [
        ("sv", "1\xa0234,5", "2026-03-02 10:30"),
        ("nb", "1\xa0234,5", "02.03.2026, 10:30"),
        ("nn", "1\xa0234,5", "02.03.2026, 10:30"),
        ("da", "1.234,5", "02.03.2026 10.30"),
        ("en", "1,234.5", "3/2/26, 10:30 AM"),
    ],
)
def test_numbers_and_dates_per_language(language: str, number: str, when: str) -> None:
    t = Translator(language, "Europe/Stockholm")
    assert t.number(1234.5, 1) == number
    written = t.datetime(datetime(2026, 3, 2, 9, 30, tzinfo=UTC))  # 10:30 in Stockholm
    assert written.replace("\u202f", " ") == when
    assert t.label("act", "wish") == catalogue(language)["act.wish"]
    assert t.label("channel", "carrier_pigeon") == "carrier_pigeon"
    assert t("inbox.count", count="3").startswith("3 ")


def test_a_missing_word_falls_back() -> None:
    assert translate("sv", "no.such.key") == "no.such.key"
    with pytest.raises(ValueError):
        catalogue("de")


def test_every_problem_and_reason_the_core_gives_has_words_that_name_no_command_line_option() -> None:
    from ombud.capture.problems import ENGLISH
    from ombud.loop.priority import REASON_WORDS

    sources = Path(__file__).resolve().parents[1] / "src" / "ombud"
    raised = {
        code
        for path in sources.rglob("*.py")
        for code in re.findall(r"""Problem\(\s*["']([a-z_]+)["']""", path.read_text(encoding="utf-8"))
    }
    assert {"reply_empty", "upload_too_large", "csrf_rejected", "format_unknown"} <= raised
    for language in LANGUAGES:
        words = catalogue(language)
        for code in {*ENGLISH, *raised}:
            text = words[f"problem.{code}"]
            assert "--" not in text and "OMBUD_" not in text and "COLUMN" not in text, (language, code, text)
        assert {f"reason.{code}" for code in REASON_WORDS} <= set(words), language
