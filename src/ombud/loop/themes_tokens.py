"""A wish as its tokens: the encoder's vector of each token of the wish sentence and of its context sentence.

Each voice is read once by the understanding engine's encoder (``embed_spans``
with one span per token), so every token's vector carries the voice around
it. A wish keeps its own tokens and those of its context: the nearest sentence
before it that is not a wish, else the nearest after it, because customers
write "Fix it, please!" after saying what is broken. Each token weighs what
the wish-theme model says (rare words much, "det hade varit bra om" little;
context tokens less than the wish's own), and only the heaviest are kept.

On disk (table ``wish_token_sets``) a token set is a few kilobytes: a small
header, the token ids, which tokens are context, and the unit vectors
quantised to int8.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from ombud.errors import WishThemeError
from ombud.loop.themes_model import WishThemeModel
from ombud.loop.themes_spelling import WordScorer, respell
from ombud.understand.encoders import SpanEncoder

Floats = npt.NDArray[np.float32]
_HEADER = struct.Struct("<4sHH")
_MAGIC = b"OWT1"


@dataclass(frozen=True)
class TokenSet:
    """The kept tokens of one wish: ids, which belong to the context sentence, and their unit vectors."""

    ids: npt.NDArray[np.int32]
    context: npt.NDArray[np.bool_]
    vectors: Floats  # (tokens, dim)

    def pooled(self, model: WishThemeModel) -> Floats:
        """The weighted mean of the token vectors, unit length: the wish as one vector (titles, exports)."""
        weights = token_weights(self, model)
        total = weights @ self.vectors if len(weights) else np.zeros(self.vectors.shape[1], dtype=np.float32)
        length = float(np.linalg.norm(total))
        return (total / length if length > 1e-12 else total).astype(np.float32)


def token_weights(tokens: TokenSet, model: WishThemeModel) -> Floats:
    weights = model.token_weights(tokens.ids)
    return np.where(tokens.context, weights * model.parameters.context_weight, weights).astype(np.float32)


def pack(tokens: TokenSet) -> bytes:
    count, dim = tokens.vectors.shape
    quantised = np.clip(np.rint(tokens.vectors * 127.0), -127, 127).astype(np.int8)
    return b"".join(
        [
            _HEADER.pack(_MAGIC, count, dim),
            np.asarray(tokens.ids, dtype="<i4").tobytes(),
            np.asarray(tokens.context, dtype=np.uint8).tobytes(),
            quantised.tobytes(),
        ]
    )


def unpack(data: bytes) -> TokenSet:
    if len(data) < _HEADER.size:
        raise WishThemeError("a stored wish token set is damaged (too short); run `ombud wishes` to embed it again")
    magic, count, dim = _HEADER.unpack_from(data)
    if magic != _MAGIC or len(data) != _HEADER.size + count * (5 + dim):
        raise WishThemeError("a stored wish token set is damaged; run `ombud wishes` to embed it again")
    at = _HEADER.size
    ids = np.frombuffer(data, dtype="<i4", count=count, offset=at).astype(np.int32)
    at += 4 * count
    context = np.frombuffer(data, dtype=np.uint8, count=count, offset=at).astype(bool)
    at += count
    quantised = np.frombuffer(data, dtype=np.int8, count=count * dim, offset=at).reshape(count, dim)
    vectors = quantised.astype(np.float32)
    vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    return TokenSet(ids, context, vectors)


@dataclass(frozen=True)
class WishInVoice:
    """One wish sentence in its voice, and the sentence that gives it context (if any)."""

    voice_text: str
    start: int
    end: int
    context: tuple[int, int] | None = None
    language: str = ""  # the wish's; in sv, nb, nn and da letters typed as aa/ae/oe are put back (themes_spelling)


def context_span(sentences: Sequence[tuple[int, int, bool]], index: int) -> tuple[int, int] | None:
    """Of a voice's sentences ``(start, end, is_wish)``, the nearest before ``index`` that is not a wish, else the
    nearest after it; None when every other sentence is a wish."""
    for position in [*range(index - 1, -1, -1), *range(index + 1, len(sentences))]:
        start, end, is_wish = sentences[position]
        if not is_wish and end > start:
            return (start, end)
    return None


def embed_token_sets(
    encoder: SpanEncoder, wishes: Sequence[WishInVoice], model: WishThemeModel, batch: int = 64
) -> list[TokenSet]:
    """The kept tokens of each wish, each voice read once however many wishes it holds."""
    tokenizer = getattr(encoder, "tokenizer", None)
    if tokenizer is None:
        raise WishThemeError(f"encoder {encoder.name} gives no tokens; the wish board needs e5's tokenizer")
    wishes = respelled(wishes, tokenizer)
    by_text: dict[str, list[int]] = {}
    for index, wish in enumerate(wishes):
        by_text.setdefault(wish.voice_text, []).append(index)
    texts = list(by_text)
    found: list[TokenSet | None] = [None] * len(wishes)
    for first in range(0, len(texts), batch):
        chunk = texts[first : first + batch]
        tokens = tokenizer.tokenize(chunk, offsets=True)
        chosen: list[list[tuple[npt.NDArray[np.intp], npt.NDArray[np.bool_]]]] = []
        spans: list[list[tuple[int, int]]] = []
        for text, text_tokens in zip(chunk, tokens, strict=True):
            offsets = np.asarray(text_tokens.offsets, dtype=np.int64).reshape(-1, 2)
            visible = offsets[:, 1] > offsets[:, 0]
            picks = [_picked(offsets, visible, wishes[i]) for i in by_text[text]]
            needed = sorted({int(t) for indexes, _ in picks for t in indexes})
            chosen.append(picks)
            spans.append([(int(offsets[t, 0]), int(offsets[t, 1])) for t in needed])
        _, per_text = encoder.embed_spans(chunk, spans)
        for text, text_tokens, picks, text_spans, rows in zip(chunk, tokens, chosen, spans, per_text, strict=True):
            row_of = {span: row for row, span in enumerate(text_spans)}
            offsets = np.asarray(text_tokens.offsets, dtype=np.int64).reshape(-1, 2)
            for wish_index, (indexes, context) in zip(by_text[text], picks, strict=True):
                rows_of_wish = [row_of[(int(offsets[t, 0]), int(offsets[t, 1]))] for t in indexes]
                vectors = np.asarray(rows, dtype=np.float32)[rows_of_wish].reshape(len(indexes), -1)
                ids = np.asarray(text_tokens.ids, dtype=np.int32)[indexes]
                found[wish_index] = kept_tokens(TokenSet(ids, context, vectors), model)
    return [tokens for tokens in found if tokens is not None]


def word_scorer(tokenizer: Any) -> WordScorer:
    """Each word's log-probability under e5's tokenizer: the summed scores of the pieces it reads it in."""
    scores = np.asarray(tokenizer.scores, dtype=np.float64)
    return lambda words: [float(scores[tokens.ids].sum()) for tokens in tokenizer.tokenize(words, offsets=False)]


def respelled(wishes: Sequence[WishInVoice], tokenizer: Any) -> list[WishInVoice]:
    """The wishes with their voices' Nordic letters put back (themes_spelling), spans moved to match."""
    languages: dict[str, str] = {}
    for wish in wishes:
        languages.setdefault(wish.voice_text, wish.language)
    texts = list(languages.items())
    spelled = respell(texts, word_scorer(tokenizer))
    by_text = {text: spelling for (text, _), spelling in zip(texts, spelled, strict=True)}
    moved: list[WishInVoice] = []
    for wish in wishes:
        spelling = by_text[wish.voice_text]
        context = None if wish.context is None else (spelling.at(wish.context[0]), spelling.at(wish.context[1]))
        moved.append(WishInVoice(spelling.text, spelling.at(wish.start), spelling.at(wish.end), context, wish.language))
    return moved


def _picked(
    offsets: npt.NDArray[np.int64], visible: npt.NDArray[np.bool_], wish: WishInVoice
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.bool_]]:
    """The visible tokens of the wish, then those of its context; and which of them are context."""
    own = visible & (offsets[:, 0] < wish.end) & (offsets[:, 1] > wish.start)
    around = np.zeros_like(own)
    if wish.context is not None:
        start, end = wish.context
        around = visible & (offsets[:, 0] < end) & (offsets[:, 1] > start) & ~own
    indexes = np.concatenate([np.flatnonzero(own), np.flatnonzero(around)])
    return indexes, np.concatenate([np.zeros(int(own.sum()), bool), np.ones(int(around.sum()), bool)])


def kept_tokens(tokens: TokenSet, model: WishThemeModel) -> TokenSet:
    """Tokens with a vector, the heaviest ``tokens_kept`` of them, in their order in the voice."""
    present = np.linalg.norm(tokens.vectors, axis=1) > 0
    tokens = TokenSet(tokens.ids[present], tokens.context[present], tokens.vectors[present])
    limit = model.parameters.tokens_kept
    if len(tokens.ids) > limit:
        heaviest = np.sort(np.argsort(-token_weights(tokens, model), kind="stable")[:limit])
        tokens = TokenSet(tokens.ids[heaviest], tokens.context[heaviest], tokens.vectors[heaviest])
    return tokens
