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
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy import sparse

from ombud.understand.encoders import SpanEncoder
from ombud.understand.encoders.ngrams import NgramEncoder

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

    def embed(self, texts: Sequence[str]) -> Any:
        dense = DENSE_WEIGHT * self._dense.embed(texts)
        return sparse.hstack(
            [self._ngrams.embed(texts), sparse.csr_matrix(dense), sparse.csr_matrix(dense)], format="csr"
        )

    def embed_spans(self, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]]) -> tuple[Any, list[Any]]:
        ngram_whole, ngram_spans = self._ngrams.embed_spans(texts, spans)
        dense_whole, dense_spans = self._dense.embed_spans(texts, spans)
        dense_whole = DENSE_WEIGHT * dense_whole
        # A voice row repeats its own vector where a sentence row has its voice's: both are "the voice".
        whole = sparse.hstack(
            [ngram_whole, sparse.csr_matrix(dense_whole), sparse.csr_matrix(dense_whole)], format="csr"
        )
        per_text = []
        for index, (ngram_rows, dense_rows) in enumerate(zip(ngram_spans, dense_spans, strict=True)):
            count = dense_rows.shape[0]
            context = np.repeat(dense_whole[index : index + 1], count, axis=0)
            per_text.append(
                sparse.hstack(
                    [
                        ngram_rows,
                        sparse.csr_matrix(DENSE_WEIGHT * dense_rows),
                        sparse.csr_matrix(context),
                    ],
                    format="csr",
                    dtype=np.float32,
                )
            )
        return whole.astype(np.float32), per_text
