"""The whitespace words of a batch of texts, each tied to the span it lies in: what the fast encoders cache by.

Both halves of the fast tier's features are sums over whitespace-separated
words: a hashed character n-gram never crosses a space (``char_wb``), and an
e5 piece never holds an inner ``▁``. So a word's contribution can be worked
out once per process and reused, and a text's (or a sentence's) features are
the sum of its words' — plus, for the n-grams, the word pairs across spaces.

That holds when every span starts and ends at a word boundary (the text's
ends or whitespace), in order and without overlap: always so for ombud's
sentence splitter and for the corpus. ``aligned`` says whether a text's spans
are such; an encoder reads a text whose spans are not the slow, exact way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

Ints = npt.NDArray[np.int64]


def aligned(text: str, spans: Sequence[tuple[int, int]]) -> bool:
    """Whether the spans are in order, do not overlap, and start and end at word boundaries of ``text``."""
    position = 0
    for start, end in spans:
        if not position <= start <= end <= len(text):
            return False
        if start < end and (
            (start > 0 and not text[start - 1].isspace())
            or text[start].isspace()
            or text[end - 1].isspace()
            or (end < len(text) and not text[end].isspace())
        ):
            return False
        position = end
    return True


@dataclass(frozen=True)
class BatchWords:
    """Every word occurrence of a batch's aligned texts in order, with its text and the span (row) it belongs to."""

    words: list[str]
    text_of: Ints  # (occurrences,) index of the text in the batch
    span_of: Ints  # (occurrences,) span row over the whole batch, -1 for a word outside every span
    texts: list[int]  # the texts read word by word (those whose spans are aligned), in order
    first_row: list[int]  # (texts + 1,) text i's spans are rows first_row[i]:first_row[i + 1] of the batch


def batch_words(texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]]) -> BatchWords:
    """The words of a batch's texts whose spans are aligned (the others are left to be read the exact way)."""
    if len(spans) != len(texts):
        raise ValueError(f"{len(texts)} texts but {len(spans)} span lists")
    first_row = [0]
    for text_spans in spans:
        first_row.append(first_row[-1] + len(text_spans))
    words: list[str] = []
    text_of: list[int] = []
    span_of: list[int] = []
    read: list[int] = []
    for index, (text, text_spans) in enumerate(zip(texts, spans, strict=True)):
        if not aligned(text, text_spans):
            continue
        read.append(index)
        position = 0
        before = len(words)
        row = first_row[index]
        for offset, (start, end) in enumerate(text_spans):
            gap = text[position:start].split()
            inside = text[start:end].split()
            words += gap
            words += inside
            span_of += [-1] * len(gap)
            span_of += [row + offset] * len(inside)
            position = end
        tail = text[position:].split()
        words += tail
        span_of += [-1] * len(tail)
        text_of += [index] * (len(words) - before)
    return BatchWords(words, np.asarray(text_of, dtype=np.int64), np.asarray(span_of, dtype=np.int64), read, first_row)


class Vocabulary:
    """Words seen by this process, each with a number; forgets everything when it reaches ``capacity`` words,
    so that memory stays bounded on any stream of text."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._ids: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self._ids)

    def lookup(self, words: Sequence[str]) -> tuple[list[int | None], list[str]]:
        """The number of each word (None for a new one) and the distinct new words, in order of first occurrence."""
        ids = list(map(self._ids.get, words))
        new = list(dict.fromkeys(word for word, number in zip(words, ids, strict=True) if number is None))
        return ids, new

    def full_after(self, new: int) -> bool:
        return len(self._ids) + new > self.capacity

    def clear(self) -> None:
        self._ids.clear()

    def add(self, words: Sequence[str]) -> None:
        for word in words:
            self._ids[word] = len(self._ids)

    def numbers(self, words: Sequence[str], ids: list[int | None]) -> Ints:
        """All numbers, once the new words were added."""
        if any(number is None for number in ids):
            ids = [self._ids[word] if number is None else number for word, number in zip(words, ids, strict=True)]
        return np.asarray(ids, dtype=np.int64)


class GrowingArray:
    """A numpy array appended to in amortised constant time (capacity doubles)."""

    def __init__(self, dtype: type[np.generic], width: int | None = None) -> None:
        self._shape_tail = () if width is None else (width,)
        self._data = np.zeros((16, *self._shape_tail), dtype=dtype)
        self._size = 0

    def __len__(self) -> int:
        return self._size

    @property
    def values(self) -> npt.NDArray[Any]:
        return self._data[: self._size]

    def extend(self, rows: npt.ArrayLike) -> None:
        rows = np.asarray(rows, dtype=self._data.dtype)
        needed = self._size + len(rows)
        if needed > len(self._data):
            grown = np.zeros((max(needed, 2 * len(self._data)), *self._shape_tail), dtype=self._data.dtype)
            grown[: self._size] = self._data[: self._size]
            self._data = grown
        self._data[self._size : needed] = rows
        self._size = needed

    def clear(self) -> None:
        self._size = 0


def ragged_gather(starts: Ints, lengths: Ints) -> tuple[Ints, Ints]:
    """For runs ``[starts[i], starts[i] + lengths[i])``: every position in them, and which run each came from."""
    total = int(lengths.sum())
    run = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
    before = np.cumsum(lengths) - lengths
    positions = np.arange(total, dtype=np.int64) + np.repeat(starts - before, lengths)
    return positions, run
