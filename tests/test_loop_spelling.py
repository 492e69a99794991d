"""Nordic letters typed as aa/ae/oe are put back before a wish is read, and spans still point at the same words."""

from __future__ import annotations

import pytest

from ombud.loop.themes_spelling import respell
from ombud.loop.themes_tokens import word_scorer
from ombud.understand.encoders import load_encoder


@pytest.fixture(scope="module")
def score():
    return word_scorer(load_encoder("contextual").tokenizer)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("typed", "language", "word", "meant"),
    [
        ("I burde holde aabent om soendagen", "da", "soendagen", "søndagen"),
        ("Ni borde ha oeppet paa kvaellarna", "sv", "oeppet", "öppet"),
        ("Dere burde vaere aapne lenger", "nb", "vaere", "være"),
        ("Eg vil ha ope paa soendagar", "nn", "soendagar", "søndagar"),
        ("Ha oppet pa sondagar, snalla!!", "sv", "sondagar", "söndagar"),
        ("Apoteket burde have aabent til kl 20", "da", "aabent", "åbent"),
    ],
)
def test_letters_come_back_in_each_nordic_language(score, typed, language, word, meant) -> None:
    [spelled] = respell([(typed, language)], score)
    assert meant in spelled.text and word not in spelled.text
    start = typed.index(word)
    assert spelled.text[spelled.at(start) : spelled.at(start + len(word))] == meant
    assert spelled.text[spelled.at(0) : spelled.at(2)] == typed[:2]
    assert spelled.at(len(typed)) == len(spelled.text)


def test_english_words_and_texts_that_have_the_letters_stay_as_typed(score) -> None:
    texts = [
        ("Please open on Sundays, my shoe shop does", "en"),
        ("Öppet på söndagar, tack, och poesi", "sv"),
        ("Michael vil gerne have en app", "da"),
        ("Tavlan på perrongen är för liten", "sv"),
    ]
    for (text, _), spelled in zip(texts, respell(texts, score), strict=True):
        assert spelled.text == text
        assert [spelled.at(k) for k in range(len(text) + 1)] == list(range(len(text) + 1))
