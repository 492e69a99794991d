"""Features the heads read: encoder vectors plus a few signs of form.

The encoder gives a vector for the whole voice and one per sentence. With a
dense encoder (e5) a sentence head sees the sentence, its voice (the context:
"Tack." after a complaint reads differently) and its form (a question mark,
its place in the voice, shouting); a voice head sees the voice, the mean of
its sentences and its form. Hashed n-grams are too wide to repeat the voice
beside every sentence, so there each is read on its own words and form. The
same function builds features for training (the corpus's own sentence spans)
and for reading (our splitter's).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse

from ombud.understand.encoders import SpanEncoder
from ombud.understand.heads import Matrix

FORM_FEATURES = 8


@dataclass(frozen=True)
class BatchFeatures:
    sentences: list[Any]  # per voice: (sentences, sentence features), dense or sparse
    voices: Any  # (voices, voice features)
    evidence: list[Any]  # per voice: each sentence shaped like a voice, to find which sentence shows a voice label


def _form(text: str, index: int, count: int) -> list[float]:
    letters = [character for character in text if character.isalpha()]
    upper = sum(character.isupper() for character in letters) / len(letters) if len(letters) >= 4 else 0.0
    stripped = text.rstrip()
    return [
        float(stripped.endswith("?")),
        float("?" in stripped),
        float("!" in stripped),
        float(index == 0),
        float(index == count - 1),
        min(1.0, math.log1p(len(text)) / 7.0),
        upper,
        float(any(character.isdigit() for character in text)),
    ]


def _normalised(vector: Matrix) -> Matrix:
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 0 else vector


def batch_features(
    encoder: SpanEncoder, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]]
) -> BatchFeatures:
    voice_vectors, sentence_vectors = encoder.embed_spans(texts, spans)
    if getattr(encoder, "sparse", False):
        return _sparse_features(texts, spans, voice_vectors, sentence_vectors)
    sentence_rows: list[Matrix] = []
    evidence_rows: list[Matrix] = []
    voice_rows = []
    for text, voice_spans, voice_vector, vectors in zip(texts, spans, voice_vectors, sentence_vectors, strict=True):
        count = len(voice_spans)
        forms = _forms(text, voice_spans)
        repeated_voice = np.repeat(voice_vector[None, :], count, axis=0)
        sentence_rows.append(np.hstack([vectors, repeated_voice, forms]).astype(np.float32))
        mean_sentence = _normalised(vectors.mean(axis=0)) if count else voice_vector
        voice_form = np.array(_form(text, 0, 1), dtype=np.float32)
        voice_rows.append(np.concatenate([voice_vector, mean_sentence, voice_form]))
        evidence_rows.append(np.hstack([vectors, vectors, forms]).astype(np.float32))
    dim = encoder.dim
    voices = (
        np.vstack(voice_rows).astype(np.float32) if voice_rows else np.zeros((0, 2 * dim + FORM_FEATURES), np.float32)
    )
    return BatchFeatures(sentence_rows, voices, evidence_rows)


def _forms(text: str, spans: Sequence[tuple[int, int]]) -> Matrix:
    count = len(spans)
    rows = [_form(text[start:end], index, count) for index, (start, end) in enumerate(spans)]
    return np.array(rows, dtype=np.float32).reshape(count, FORM_FEATURES)


def _sparse_features(
    texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]], voice_vectors: Any, sentence_vectors: list[Any]
) -> BatchFeatures:
    """Hashed n-grams are wide: a sentence is read on its own words and form, a voice on its own."""
    sentence_rows = [
        sparse.hstack([vectors, sparse.csr_matrix(_forms(text, voice_spans))], format="csr", dtype=np.float32)
        for text, voice_spans, vectors in zip(texts, spans, sentence_vectors, strict=True)
    ]
    forms = np.array([_form(text, 0, 1) for text in texts], dtype=np.float32).reshape(len(texts), FORM_FEATURES)
    voices = sparse.hstack([voice_vectors, sparse.csr_matrix(forms)], format="csr", dtype=np.float32)
    return BatchFeatures(sentence_rows, voices, sentence_rows)
