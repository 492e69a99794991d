"""Features the heads read: encoder vectors plus a few signs of form, for a whole batch at once.

The encoder gives a vector for the whole voice and one per sentence. With a
dense encoder (e5) a sentence head sees the sentence, its voice (the context:
"Tack." after a complaint reads differently) and its form (a question mark,
its place in the voice, shouting); a voice head sees the voice, the mean of
its sentences and its form. Hashed n-grams are too wide to repeat the voice
beside every sentence, so there each is read on its own words and form. The
same function builds features for training (the corpus's own sentence spans)
and for reading (our splitter's).

A batch's sentences are stacked into one matrix (``offsets`` says whose they
are), so that each head is one product per batch. Where a row is several
blocks side by side (n-grams, dense vectors, the voice's vector beside each
sentence, form), it stays a ``Blocks``: multiplied block by block, the wide
sparse matrix with dense columns is never built.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse

from ombud.understand.encoders import SpanEncoder
from ombud.understand.encoders.spans import l2_normalised
from ombud.understand.heads import Matrix

FORM_FEATURES = 8
Ints = npt.NDArray[np.int64]


class Blocks:
    """Rows made of column blocks side by side. A block may be indexed: row i of the features then takes row
    ``index[i]`` of the block (a voice's vector beside each of its sentences)."""

    def __init__(self, blocks: Sequence[tuple[Any, Ints | None]]) -> None:
        self.blocks = list(blocks)
        first, index = self.blocks[0]
        rows = len(index) if index is not None else first.shape[0]
        self.shape = (rows, sum(block.shape[1] for block, _ in self.blocks))

    def __matmul__(self, weights: Matrix) -> Matrix:
        result: Matrix = np.zeros((self.shape[0], weights.shape[1]), dtype=np.float32)
        column = 0
        for block, index in self.blocks:
            width = block.shape[1]
            product = np.asarray(block @ weights[column : column + width], dtype=np.float32)
            result += product if index is None else product[index]
            column += width
        return result

    def tocsr(self) -> Any:
        """The rows as one sparse matrix (for fitting heads)."""
        parts = [block if index is None else block[index] for block, index in self.blocks]
        return sparse.hstack([sparse.csr_matrix(part) for part in parts], format="csr", dtype=np.float32)


def as_matrix(features: Any) -> Any:
    """A plain matrix (numpy or scipy) of the rows, whatever form they came in."""
    return features.tocsr() if isinstance(features, Blocks) else features


@dataclass(frozen=True)
class BatchFeatures:
    voices: Any  # (voices, voice features): a matrix or Blocks
    sentences: Any  # (all sentences of the batch, sentence features), voice after voice
    evidence: Any  # (all sentences, voice-shaped features): which sentence shows a voice label
    offsets: list[int]  # voice i's sentences are rows offsets[i]:offsets[i + 1]
    ngrams: tuple[Any, Any] | None = None  # the hashed n-gram rows of the voices and of the sentences, if read

    def sentences_of(self, voice: int) -> slice:
        return slice(self.offsets[voice], self.offsets[voice + 1])


def _form(text: str, first: bool, last: bool) -> list[float]:
    """The form of one text, read character by character (the definition; ``_forms`` reads a batch at once)."""
    letters = [character for character in text if character.isalpha()]
    upper = sum(character.isupper() for character in letters) / len(letters) if len(letters) >= 4 else 0.0
    stripped = text.rstrip()
    return [
        float(stripped.endswith("?")),
        float("?" in stripped),
        float("!" in stripped),
        float(first),
        float(last),
        min(1.0, math.log1p(len(text)) / 7.0),
        upper,
        float(any(character.isdigit() for character in text)),
    ]


_ALPHA, _UPPER, _DIGIT = 1, 2, 4


@cache
def _character_kinds() -> npt.NDArray[np.uint8]:
    """Per code point of the Basic Multilingual Plane: letter, upper-case letter, digit (as str.isalpha, isupper,
    isdigit say)."""
    characters = [chr(code) for code in range(0x10000)]
    alpha = np.fromiter(map(str.isalpha, characters), dtype=bool, count=0x10000)
    upper = np.fromiter(map(str.isupper, characters), dtype=bool, count=0x10000)
    digit = np.fromiter(map(str.isdigit, characters), dtype=bool, count=0x10000)
    kinds: npt.NDArray[np.uint8] = (alpha * _ALPHA + (alpha & upper) * _UPPER + digit * _DIGIT).astype(np.uint8)
    return kinds


def _forms(texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]], whole: bool = False) -> Matrix:
    """The form of every span of the batch, text after text (or of each whole text), as ``_form`` gives it:
    the letters, capitals and digits of all texts are counted at once, by code point, and summed per span."""
    joined = "".join(texts)
    codes = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype="<u4")
    kinds = _character_kinds()[np.minimum(codes, 0xFFFF)]
    astral = codes > 0xFFFF
    if astral.any():  # emoji, mostly: each distinct one looked at once
        distinct, where = np.unique(codes[astral], return_inverse=True)
        kinds[astral] = np.asarray([_kind(chr(code)) for code in distinct.tolist()], dtype=np.uint8)[where]
    counts = np.zeros((len(codes) + 1, 3), dtype=np.int32)
    np.cumsum(np.stack([kinds & _ALPHA, kinds & _UPPER, kinds & _DIGIT], axis=1) > 0, axis=0, out=counts[1:])
    if whole:
        lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
        finish = np.cumsum(lengths)
        begin = finish - lengths
        firsts = lasts = [True] * len(texts)
        pieces = list(texts)
    else:
        begin_list, finish_list, firsts, lasts, pieces = [], [], [], [], []
        base = 0
        for text, text_spans in zip(texts, spans, strict=True):
            count = len(text_spans)
            for index, (start, end) in enumerate(text_spans):
                begin_list.append(base + start)
                finish_list.append(base + end)
                firsts.append(index == 0)
                lasts.append(index == count - 1)
                pieces.append(text[start:end])
            base += len(text)
        begin = np.asarray(begin_list, dtype=np.int64)
        finish = np.asarray(finish_list, dtype=np.int64)
    letters, capitals, digits = (counts[finish] - counts[begin]).T
    stripped = [piece.rstrip() for piece in pieces]
    rows = np.zeros((len(pieces), FORM_FEATURES), dtype=np.float32)
    rows[:, 0] = [piece.endswith("?") for piece in stripped]
    rows[:, 1] = ["?" in piece for piece in stripped]
    rows[:, 2] = ["!" in piece for piece in stripped]
    rows[:, 3] = firsts
    rows[:, 4] = lasts
    rows[:, 5] = np.minimum(1.0, np.log1p(finish - begin) / 7.0)
    rows[:, 6] = np.where(letters >= 4, capitals / np.maximum(letters, 1), 0.0)
    rows[:, 7] = digits > 0
    return rows


def _kind(character: str) -> int:
    alpha = character.isalpha()
    return _ALPHA * alpha + _UPPER * (alpha and character.isupper()) + _DIGIT * character.isdigit()


def _voice_forms(texts: Sequence[str]) -> Matrix:
    return _forms(texts, [], whole=True)


def _stacked_spans(encoder: SpanEncoder, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]]) -> Any:
    stacked = getattr(encoder, "embed_stacked", None)
    if stacked is not None:
        return stacked(texts, spans)
    whole, per_text = encoder.embed_spans(texts, spans)
    rows = (
        sparse.vstack(per_text, format="csr")
        if per_text and sparse.issparse(per_text[0])
        else np.vstack([*per_text, np.zeros((0, encoder.dim), np.float32)])
    )
    return whole, rows


def batch_features(
    encoder: SpanEncoder, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]]
) -> BatchFeatures:
    offsets = [0]
    for text_spans in spans:
        offsets.append(offsets[-1] + len(text_spans))
    voice_of = np.repeat(np.arange(len(texts), dtype=np.int64), np.diff(offsets))
    blocks = getattr(encoder, "embed_blocks", None)
    if blocks is not None:
        # Hashed n-grams beside a dense vector: a sentence is read on its own words and form, a voice on its own.
        whole, rows, ngrams = blocks(texts, spans)
        sentence_blocks = Blocks([*whole_blocks(rows), (_forms(texts, spans), None)])
        voice_blocks = Blocks([*whole_blocks(whole), (_voice_forms(texts), None)])
        return BatchFeatures(voice_blocks, sentence_blocks, sentence_blocks, offsets, ngrams)
    whole, vectors = _stacked_spans(encoder, texts, spans)
    forms = _forms(texts, spans)
    sentence_rows = np.hstack([vectors, whole[voice_of], forms]).astype(np.float32)
    evidence_rows = np.hstack([vectors, vectors, forms]).astype(np.float32)
    # A voice's own vector, then the (normalised) mean of its sentences' — its own again when it has none.
    sums = np.zeros_like(whole)
    np.add.at(sums, voice_of, vectors)
    has_sentences = np.diff(offsets) > 0
    means = whole.copy()
    means[has_sentences] = l2_normalised(sums[has_sentences])
    voice_rows = np.hstack([whole, means, _voice_forms(texts)]).astype(np.float32)
    return BatchFeatures(voice_rows, sentence_rows, evidence_rows, offsets)


def whole_blocks(features: Any) -> list[tuple[Any, Ints | None]]:
    """The blocks of rows that may be Blocks already (then theirs) or a plain matrix (then itself)."""
    return features.blocks if isinstance(features, Blocks) else [(features, None)]
