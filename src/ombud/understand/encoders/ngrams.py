"""The fast tier's features: hashed character and word n-grams, no model at reading time.

Three views of each text share one hashed space: character n-grams within
words (robust to typos and inflection), the same with diacritics folded
("hvornaar", "forsta" meet "hvornår", "förstå") and word pairs (negation: "inte
dåligt", "ikke just"). Hashing needs no vocabulary, so the features are the
same on every machine and the model file holds only the heads.

Reading is fast because every view but the word pairs is a sum over whitespace
words (words.py): each word's hashed counts are worked out once per process
(with scikit-learn's own ``HashingVectorizer``, so the features are exactly
those it gives for the whole text), and a batch's rows are put together from
them in one pass; only the pairs across spaces are hashed per text, from a
cache of pairs. ``reference_embed`` is the plain way, kept as the definition
(the tests hold the two equal) and for spans that cut words.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.preprocessing import normalize
from sklearn.utils import murmurhash3_32

from ombud.understand.encoders.words import BatchWords, GrowingArray, Vocabulary, batch_words, ragged_gather

FEATURES = 2**16
# Words remembered with their hashed counts (about 200 bytes each); all are forgotten when full.
VOCABULARY_CAPACITY = 100_000
_FOLD = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "ä": "a", "ö": "o", "ß": "ss"})
_TOKEN = re.compile(r"(?u)\b\w+\b")  # the word view's tokens, as its HashingVectorizer finds them
_TOKEN_LIMIT = 2**31  # a pair of token numbers is kept as one number: first * _TOKEN_LIMIT + second
Ints = npt.NDArray[np.int64]
Entries = tuple[Ints, npt.NDArray[np.int32], npt.NDArray[np.float32]]  # rows, columns, counts


def _folded(text: str) -> str:
    text = text.lower().translate(_FOLD)
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _pair_column(first: str, second: str) -> int:
    """The hashed column of the word pair "first second", as HashingVectorizer computes it."""
    hashed = int(murmurhash3_32(f"{first} {second}", seed=0))
    return (2147483647 - (FEATURES - 1)) % FEATURES if hashed == -(2**31) else abs(hashed) % FEATURES


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
        # The first view split in two, for single words (_word_counts).
        self._pairs_of_letters = HashingVectorizer(analyzer="char_wb", ngram_range=(2, 2), lowercase=True, **common)
        self._longer_ngrams = HashingVectorizer(analyzer="char_wb", ngram_range=(3, 5), lowercase=True, **common)
        self._lock = threading.Lock()
        self._vocabulary = Vocabulary(VOCABULARY_CAPACITY)
        # Per word: where its (column, count) entries start in the pool and how many there are.
        self._entry_start = GrowingArray(np.int64)
        self._entry_count = GrowingArray(np.int64)
        self._columns = GrowingArray(np.int32)
        self._counts = GrowingArray(np.float32)
        # Per word: the numbers of its first and last token of the word view (-1: it has none), for the pairs
        # across spaces, whose columns are kept by the pair of token numbers.
        self._first_token = GrowingArray(np.int64)
        self._last_token = GrowingArray(np.int64)
        self._tokens: list[str] = []
        self._token_numbers: dict[str, int] = {}
        self._pairs: dict[int, int] = {}

    # --- the definition -------------------------------------------------------------------------------------

    def _raw_counts(self, texts: Sequence[str]) -> Any:
        return sum((view.transform(texts) for view in self._views[1:]), self._views[0].transform(texts))

    def _word_counts(self, words: Sequence[str]) -> Any:
        """``_raw_counts`` of single words, with less hashing. Where folding changes nothing (most words), the
        folded view's n-grams are the first view's of 3–5 letters, hashed to the same columns: those are hashed
        once and counted twice, and only words with letters to fold are read by the folded view."""
        longer = self._longer_ngrams.transform(words)
        counts = self._pairs_of_letters.transform(words) + longer + self._views[2].transform(words)
        changed = [row for row, word in enumerate(words) if _folded(word) != word.lower()]
        unchanged = np.ones(len(words), dtype=np.float32)
        unchanged[changed] = 0
        counts = counts + sparse.diags(unchanged, format="csr") @ longer
        if changed:
            folded = self._views[1].transform([words[row] for row in changed])
            place = sparse.csr_matrix(
                (np.ones(len(changed), dtype=np.float32), (changed, np.arange(len(changed)))),
                shape=(len(words), len(changed)),
            )
            counts = counts + place @ folded
        return counts

    @staticmethod
    def _finished(counts: Any) -> Any:
        counts.data = np.log1p(counts.data)  # a repeated word says more, but not linearly more
        if counts.shape[0] == 0:
            return sparse.csr_matrix(counts.shape, dtype=np.float32)
        return sparse.csr_matrix(normalize(counts, norm="l2", copy=False), dtype=np.float32)

    def reference_embed(self, texts: Sequence[str]) -> Any:
        """Each text's row computed from the whole text at once: what ``embed`` gives, the slow way."""
        return self._finished(self._raw_counts(texts))

    # --- reading --------------------------------------------------------------------------------------------

    def embed(self, texts: Sequence[str]) -> Any:
        whole, _ = self.embed_stacked(texts, [()] * len(texts))
        return whole

    def embed_spans(self, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]]) -> tuple[Any, list[Any]]:
        whole, rows = self.embed_stacked(texts, spans)
        offsets = np.cumsum([0, *map(len, spans)])
        return whole, [rows[offsets[i] : offsets[i + 1]] for i in range(len(texts))]

    def embed_stacked(
        self, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]], words: BatchWords | None = None
    ) -> tuple[Any, Any]:
        """The rows of the whole texts (n, dim) and of every span of every text, one after another (spans, dim).
        ``words``: the batch's words, when the caller has them already."""
        words = words or batch_words(texts, spans)
        first_row = words.first_row
        with self._lock:
            voice_extras, span_entries = self._entries_by_word(words)
        slow = sorted(set(range(len(texts))) - set(words.texts))
        if slow:
            voice_extras.append(self._reference_entries([texts[i] for i in slow], slow))
            pieces = [(texts[i][start:end], first_row[i] + k) for i in slow for k, (start, end) in enumerate(spans[i])]
            if pieces:
                span_entries.append(self._reference_entries([p for p, _ in pieces], [row for _, row in pieces]))
        span_counts = self._summed(span_entries, first_row[-1])
        # A voice read word by word is the sum of its spans plus what lies between them (words outside every span,
        # pairs across two spans): summing rows that are summed already is cheaper than summing all its words again.
        span_voice = np.repeat(np.arange(len(texts), dtype=np.int64), np.diff(first_row))
        by_word = np.zeros(len(texts), dtype=bool)
        by_word[words.texts] = True
        spans_of_voices = sparse.csr_matrix(
            (by_word[span_voice].astype(np.float32), (span_voice, np.arange(first_row[-1]))),
            shape=(len(texts), first_row[-1]),
        )
        voice_counts = spans_of_voices @ span_counts + self._summed(voice_extras, len(texts))
        return self._finished_rows(voice_counts), self._finished_rows(span_counts)

    def _reference_entries(self, texts: Sequence[str], rows: Sequence[int]) -> tuple[Any, Any, Any]:
        counts = sparse.coo_matrix(self._raw_counts(texts))
        return np.asarray(rows, dtype=np.int64)[counts.row], counts.col, counts.data

    @staticmethod
    def _summed(entries: list[Entries], rows: int) -> Any:
        """The counts of each row from (row, column, count) entries, equal ones summed, columns in order."""
        row, column, count = (np.concatenate(parts) for parts in zip(*entries, strict=True))
        # The entries come in runs already sorted by row: a stable sort of small integers is a linear radix sort.
        order = np.argsort(row.astype(np.int16) if rows < 2**15 else row, kind="stable")
        indptr = np.zeros(rows + 1, dtype=np.int64)
        np.cumsum(np.bincount(row, minlength=rows), out=indptr[1:])
        by_row = sparse.csr_matrix((count[order], column[order], indptr), shape=(rows, FEATURES))
        # Summing equal (row, column) entries through the columns: two counting sorts in linear time, where
        # sorting each row's columns costs n log n. The rows of each column come out in order, as summing needs.
        by_column = by_row.tocsc()
        by_column.has_sorted_indices = True
        by_column.sum_duplicates()
        return by_column.tocsr()

    @staticmethod
    def _finished_rows(counts: Any) -> Any:
        """What _finished does — log1p, then each row divided by its L2 norm summed in float64 as scikit-learn's
        normalize sums it — without normalize's checks on every call."""
        counts = sparse.csr_matrix(counts, dtype=np.float32)
        data = np.log1p(counts.data)
        lengths = np.diff(counts.indptr)
        squares = np.zeros(counts.shape[0], dtype=np.float64)
        filled = lengths > 0
        squares[filled] = np.add.reduceat((data * data).astype(np.float64), counts.indptr[:-1][filled])
        norms = np.sqrt(squares)
        norms[norms == 0] = 1.0
        counts.data = (data / np.repeat(norms, lengths)).astype(np.float32)
        return counts

    def _entries_by_word(self, words: BatchWords) -> tuple[list[Entries], list[Entries]]:
        """(row, column, count) entries of the spans' rows, and of what the texts' rows hold besides their spans',
        from the words' cached counts."""
        ids, new = self._vocabulary.lookup(words.words)
        if new:
            if self._vocabulary.full_after(len(new)):
                self._forget()
                ids, new = self._vocabulary.lookup(words.words)
            self._learn(new)
        numbers = self._vocabulary.numbers(words.words, ids)
        positions, occurrence = ragged_gather(self._entry_start.values[numbers], self._entry_count.values[numbers])
        columns = self._columns.values[positions]
        counts = self._counts.values[positions]
        voice_of = words.text_of
        entry_voice = voice_of[occurrence]
        entry_span = words.span_of[occurrence]
        in_span = entry_span >= 0
        outside = ~in_span
        voice = [(entry_voice[outside], columns[outside], counts[outside])]
        span = [(entry_span[in_span], columns[in_span], counts[in_span])]
        self._add_pairs(numbers, voice_of, words.span_of, voice, span)
        return voice, span

    def _add_pairs(
        self, numbers: Ints, voice_of: Ints, span_of: Ints, voice: list[Entries], span: list[Entries]
    ) -> None:
        """The word pairs whose two tokens stand in neighbouring words: a voice's always, a span's when both words
        are in it. A word without tokens ("-", "!!") does not break a pair, as in the word view's token stream."""
        first = self._first_token.values[numbers]
        tokenful = np.flatnonzero(first >= 0)
        if len(tokenful) < 2:
            return
        before, after = tokenful[:-1], tokenful[1:]
        same_voice = voice_of[before] == voice_of[after]
        before, after = before[same_voice], after[same_voice]
        keys = self._last_token.values[numbers[before]] * _TOKEN_LIMIT + first[after]
        found = list(map(self._pairs.get, keys.tolist()))
        if None in found:
            for key in {key for key, column in zip(keys.tolist(), found, strict=True) if column is None}:
                self._pairs[key] = _pair_column(self._tokens[key // _TOKEN_LIMIT], self._tokens[key % _TOKEN_LIMIT])
            found = list(map(self._pairs.__getitem__, keys.tolist()))
        columns = np.asarray(found, dtype=np.int32)
        ones = np.ones(len(columns), dtype=np.float32)
        same_span = (span_of[before] == span_of[after]) & (span_of[after] >= 0)
        across = ~same_span  # a voice's own: in no span, or across two
        voice.append((voice_of[after][across], columns[across], ones[across]))
        span.append((span_of[after][same_span], columns[same_span], ones[same_span]))

    def _token_number(self, token: str) -> int:
        number = self._token_numbers.get(token)
        if number is None:
            number = self._token_numbers[token] = len(self._tokens)
            self._tokens.append(token)
        return number

    def _learn(self, words: list[str]) -> None:
        counts = sparse.csr_matrix(self._word_counts(words))
        counts.sort_indices()
        self._entry_start.extend(len(self._columns) + counts.indptr[:-1].astype(np.int64))
        self._entry_count.extend(np.diff(counts.indptr).astype(np.int64))
        self._columns.extend(counts.indices)
        self._counts.extend(counts.data)
        firsts, lasts = [], []
        for word in words:
            tokens = _TOKEN.findall(word.lower())
            firsts.append(self._token_number(tokens[0]) if tokens else -1)
            lasts.append(self._token_number(tokens[-1]) if tokens else -1)
        self._first_token.extend(firsts)
        self._last_token.extend(lasts)
        self._vocabulary.add(words)
        if len(self._pairs) > 4 * VOCABULARY_CAPACITY:
            self._pairs.clear()

    def _forget(self) -> None:
        self._vocabulary.clear()
        for array in (self._entry_start, self._entry_count, self._columns, self._counts):
            array.clear()
        self._first_token.clear()
        self._last_token.clear()
        self._pairs.clear()
        self._tokens.clear()
        self._token_numbers.clear()
