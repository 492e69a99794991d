"""The fast tier's features: hashed character and word n-grams, no model at reading time.

Three views of each text share one hashed space: character n-grams within
words (robust to typos and inflection), the same with diacritics folded
("hvornaar", "forsta" meet "hvornår", "förstå") and word pairs (negation: "inte
dåligt", "ikke just"). Hashing needs no vocabulary, so the features are the
same on every machine and the model file holds only the heads.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.preprocessing import normalize

FEATURES = 2**16
_FOLD = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "ä": "a", "ö": "o", "ß": "ss"})


def _folded(text: str) -> str:
    text = text.lower().translate(_FOLD)
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


class NgramEncoder:
    name = "hashed-ngrams-2^16"
    fingerprint = "char2-5+folded2-5+word1-2/v1"
    dim = FEATURES
    sparse = True

    def __init__(self) -> None:
        common: dict[str, Any] = {"n_features": FEATURES, "alternate_sign": False, "norm": None, "dtype": np.float32}
        self._views = (
            HashingVectorizer(analyzer="char_wb", ngram_range=(2, 5), lowercase=True, **common),
            HashingVectorizer(analyzer="char_wb", ngram_range=(3, 5), preprocessor=_folded, **common),
            HashingVectorizer(
                analyzer="word", ngram_range=(1, 2), lowercase=True, token_pattern=r"(?u)\b\w+\b", **common
            ),
        )

    def embed(self, texts: Sequence[str]) -> Any:
        counts = sum((view.transform(texts) for view in self._views[1:]), self._views[0].transform(texts))
        counts.data = np.log1p(counts.data)  # a repeated word says more, but not linearly more
        return sparse.csr_matrix(normalize(counts, norm="l2", copy=False), dtype=np.float32)

    def embed_spans(self, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]]) -> tuple[Any, list[Any]]:
        pieces = [text[start:end] for text, text_spans in zip(texts, spans, strict=True) for start, end in text_spans]
        rows = self.embed([*texts, *pieces])
        whole = rows[: len(texts)]
        per_text = []
        offset = len(texts)
        for text_spans in spans:
            per_text.append(rows[offset : offset + len(text_spans)])
            offset += len(text_spans)
        return whole, per_text
