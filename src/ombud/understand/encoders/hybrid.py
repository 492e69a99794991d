"""Hashed n-grams beside a dense e5 encoder: the static table (fast tier) or the transformer (accurate tier).

Each half is good at what the other misses. Hashed character and word
n-grams (ngrams.py) read the exact words of customer service — "reklamera",
"inte dåligt", "elendig", "hvornaar" — and were the better reader of the
bundled sample voices; e5's vectors carry meaning across languages and
wordings nobody here wrote, and were the better reader of the public dev sets
(docs/quality.md). The heads read both at once: the n-gram columns, then the
dense vector of the text (and, for a sentence, of its voice too, as the dense
features do), scaled by ``DENSE_WEIGHT`` so that neither half drowns the
other under one regularisation. Measured on the fast tier (2026-12-04): 1.0
reads the sample voices and the public dev sets best; 0.5 and 2.0 each lost
on both (act macro-F1 on the sample 0.754 and 0.737 against 0.755, SemEval B
wish F1 0.699 and 0.682 against 0.707).

``embed_blocks`` gives the rows as blocks (features.Blocks) so that a batch's
heads multiply each half apart, never building the wide matrix; both halves
share one split of the batch into words.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import numpy as np

from ombud.understand.encoders import SpanEncoder
from ombud.understand.encoders.ngrams import NgramEncoder
from ombud.understand.encoders.words import batch_words

DENSE_WEIGHT = 1.0


class HybridEncoder:
    sparse = True

    def __init__(self, dense: SpanEncoder, ngrams: NgramEncoder | None = None) -> None:
        self._ngrams = ngrams or NgramEncoder()
        self._dense = dense
        self.name = f"{self._ngrams.name}+{self._dense.name}"
        self.fingerprint = hashlib.sha256(
            f"{self._ngrams.fingerprint}/{self._dense.fingerprint}/w{DENSE_WEIGHT}".encode()
        ).hexdigest()[:16]
        self.dim = self._ngrams.dim + 2 * self._dense.dim

    @property
    def ngrams(self) -> NgramEncoder:
        return self._ngrams

    def embed(self, texts: Sequence[str]) -> Any:
        whole, _ = self.embed_stacked(texts, [()] * len(texts))
        return whole

    def embed_spans(self, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]]) -> tuple[Any, list[Any]]:
        whole, rows = self.embed_stacked(texts, spans)
        offsets = np.cumsum([0, *map(len, spans)])
        return whole, [rows[offsets[i] : offsets[i + 1]] for i in range(len(texts))]

    def embed_stacked(self, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]]) -> tuple[Any, Any]:
        whole, rows, _ = self.embed_blocks(texts, spans)
        return whole.tocsr(), rows.tocsr()

    def embed_blocks(self, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]]) -> tuple[Any, Any, Any]:
        """The whole texts' rows and every span's (stacked), as Blocks: [n-grams | dense | the text's dense]
        (a text's row repeats its own dense vector where a span's has its text's: both are "the voice");
        and the n-gram rows alone (whole, spans)."""
        from ombud.understand.features import Blocks

        words = batch_words(texts, spans)
        ngram_whole, ngram_rows = self._ngrams.embed_stacked(texts, spans, words)
        dense = getattr(self._dense, "embed_stacked", None)
        if dense is not None and getattr(self._dense, "reads_words", False):
            dense_whole, dense_rows = dense(texts, spans, words)
        elif dense is not None:
            dense_whole, dense_rows = dense(texts, spans)
        else:
            dense_whole, per_text = self._dense.embed_spans(texts, spans)
            dense_rows = np.vstack([*per_text, np.zeros((0, self._dense.dim), np.float32)])
        dense_whole = (DENSE_WEIGHT * dense_whole).astype(np.float32)
        dense_rows = (DENSE_WEIGHT * dense_rows).astype(np.float32)
        voice_of = np.repeat(np.arange(len(texts), dtype=np.int64), [len(text_spans) for text_spans in spans])
        whole = Blocks([(ngram_whole, None), (dense_whole, None), (dense_whole, None)])
        rows = Blocks([(ngram_rows, None), (dense_rows, None), (dense_whole, voice_of)])
        return whole, rows, (ngram_whole, ngram_rows)
