"""Encoders: text → vectors the heads read, one pass per voice, pooled per sentence.

Two kinds behind one protocol:
- ``contextual`` (the accurate tier): multilingual-e5-small, the transformer
  that places "öppet på söndagar" and "open on Sundays" side by side;
- ``static`` (the fast tier): no transformer at reading time.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal, Protocol


class EncoderUnavailable(RuntimeError):
    """An encoder that cannot run here; the message says why and what to do."""


class SpanEncoder(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def fingerprint(self) -> str:
        """Changes whenever the vectors would change."""

    @property
    def dim(self) -> int: ...

    def embed(self, texts: Sequence[str]) -> Any:
        """One row per text, L2-normalised."""

    def embed_spans(self, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]]) -> tuple[Any, list[Any]]:
        """The whole-text rows (n, dim) and, per text, one row per (start, end) character span."""


def load_encoder(kind: Literal["contextual", "static"]) -> SpanEncoder:
    if kind == "contextual":
        from ombud.understand.encoders.e5 import E5Encoder

        return E5Encoder.shared()
    if kind == "static":
        from ombud.understand.encoders.ngrams import NgramEncoder

        return NgramEncoder()
    raise ValueError(f"unknown encoder kind {kind!r}")


__all__ = ["EncoderUnavailable", "SpanEncoder", "load_encoder"]
