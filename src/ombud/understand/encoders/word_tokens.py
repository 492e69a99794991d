"""e5's tokens of whole texts with their offsets, put together from each whitespace word's (worked out once).

The accurate tier tokenises every voice before e5 reads it; the tokenizer's
Viterbi over each whole text was a tenth of the tier's time on two cores. A
text's pieces never cross a space (tokenizer.py, ``word_tokens``), so its
tokens are its words' in order, each word's offsets moved to where the word
stands, with three rules of the whole-text reading: the ``▁`` put before a
text that starts with a word covers that word's first character; a ``▁``
that stands for spaces covers nothing (its empty span sits after the first
of them); and a text that ends in a space reads one more ``▁``. A text the
table would join or split otherwise (``splits_words``), that holds a deleted
character, or that is all spaces, is read whole. The tests hold the two equal.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence

import numpy as np

from ombud.understand.encoders.tokenizer import E5Tokenizer, Tokens
from ombud.understand.encoders.words import GrowingArray, Vocabulary, ragged_gather

# Words remembered with their tokens and offsets (a few dozen bytes each); all are forgotten when full.
VOCABULARY_CAPACITY = 100_000
_WORD = re.compile(r"\S+")


class WordTokenizer:
    def __init__(self, tokenizer: E5Tokenizer) -> None:
        self.tokenizer = tokenizer
        # splits_words is one character class: the deleted characters join it.
        self._whole_way = re.compile(tokenizer.splits_words.pattern[:-1] + re.escape(tokenizer.deleted) + "]")
        self._lock = threading.Lock()
        self._vocabulary = Vocabulary(VOCABULARY_CAPACITY)
        self._start = GrowingArray(np.int64)
        self._count = GrowingArray(np.int64)
        self._ids = GrowingArray(np.int32)
        self._spans = GrowingArray(np.int32, 2)

    def tokenize(self, texts: Sequence[str]) -> list[Tokens]:
        """What ``E5Tokenizer.tokenize(texts)`` gives."""
        result: list[Tokens | None] = [None] * len(texts)
        by_word = [i for i, text in enumerate(texts) if text.strip() and not self._whole_way.search(text)]
        if by_word:
            with self._lock:
                for index, tokens in zip(by_word, self._by_word([texts[i] for i in by_word]), strict=True):
                    result[index] = tokens
        whole = [i for i, tokens in enumerate(result) if tokens is None]
        for index, tokens in zip(whole, self.tokenizer.tokenize([texts[i] for i in whole]), strict=True):
            result[index] = tokens
        return [tokens for tokens in result if tokens is not None]

    def _by_word(self, texts: Sequence[str]) -> list[Tokens]:
        words: list[str] = []
        starts: list[int] = []
        counts: list[int] = []
        for text in texts:
            before = len(words)
            for match in _WORD.finditer(text):
                words.append(match.group())
                starts.append(match.start())
            counts.append(len(words) - before)
        ids, new = self._vocabulary.lookup(words)
        if new:
            if self._vocabulary.full_after(len(new)):
                self._forget()
                ids, new = self._vocabulary.lookup(words)
            self._learn(new)
        numbers = self._vocabulary.numbers(words, ids)
        positions, occurrence = ragged_gather(self._start.values[numbers], self._count.values[numbers])
        token_ids = self._ids.values[positions]
        word_starts = np.asarray(starts, dtype=np.int64)
        spans = self._spans.values[positions].astype(np.int64) + word_starts[occurrence][:, None]
        lone = np.flatnonzero(token_ids == self.tokenizer.space_id)  # a ▁ its word could not join: its first token
        word_of_lone = occurrence[lone]
        first_word = np.concatenate([[0], np.cumsum(counts)[:-1]])
        text_of_word = np.repeat(np.arange(len(texts)), counts)
        # A ▁ standing for spaces: empty, just after the first of them (the end of the word before, or the text's
        # start); the ▁ before a text that starts with a word: that word's first character.
        is_first = word_of_lone == first_word[text_of_word[word_of_lone]]
        word_ends = word_starts + np.fromiter(map(len, words), np.int64, len(words))
        # The first of the spaces before the word: where the word before ends, or the text's first character.
        first_space = np.where(is_first, 0, word_ends[np.maximum(word_of_lone - 1, 0)])
        starts_with_word = np.asarray([not text[0].isspace() for text in texts], dtype=bool)
        visible = is_first & starts_with_word[text_of_word[word_of_lone]]
        spans[lone, 0] = np.where(visible, word_starts[word_of_lone], first_space + 1)
        spans[lone, 1] = np.where(visible, word_starts[word_of_lone] + 1, first_space + 1)
        token_counts = (
            np.bincount(text_of_word[occurrence], minlength=len(texts))
            if len(occurrence)
            else np.zeros(len(texts), dtype=np.int64)
        )
        bounds = np.concatenate([[0], np.cumsum(token_counts)])
        result = []
        for index, text in enumerate(texts):
            text_ids = token_ids[bounds[index] : bounds[index + 1]]
            text_spans = spans[bounds[index] : bounds[index + 1]].astype(np.int32)
            if text[-1].isspace():  # one ▁ more, empty, after the first of the closing spaces
                end = len(text.rstrip()) + 1
                text_ids = np.append(text_ids, np.int32(self.tokenizer.space_id))
                text_spans = np.vstack([text_spans, np.asarray([[end, end]], dtype=np.int32)])
            result.append(Tokens(text_ids, text_spans))
        return result

    def _learn(self, words: list[str]) -> None:
        for tokens in self.tokenizer.word_tokens(words):
            self._start.extend([len(self._ids)])
            self._count.extend([len(tokens.ids)])
            self._ids.extend(tokens.ids)
            self._spans.extend(tokens.offsets.reshape(-1, 2))
        self._vocabulary.add(words)

    def _forget(self) -> None:
        self._vocabulary.clear()
        for array in (self._start, self._count, self._ids, self._spans):
            array.clear()
