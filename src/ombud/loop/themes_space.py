"""A wish board's space: token vectors without their language and without what the whole board shares.

Multilingual e5 vectors carry a large component per language, and every wish
on a company's board shares the company's own matter (the train, the
pharmacy). :class:`BoardSpace` subtracts from each token vector the mean wish
token of its language on this board (shrunk towards the mean of a few
reference wishes of that language, so that a small board has a sound
estimate), then the mean of all the board's tokens, so that what is left is
what tells one wish from another. Measured by cross-validation over the
training boards (scripts/build_wish_model.py): each of the two steps raises
the adjusted Rand index.

:func:`late_similarity` compares two wishes token by token (late interaction,
as ColBERT does): each token of one wish finds its most similar token in the
other, the similarities are averaged with the tokens' weights, both ways, and
the two directions averaged. Cross-lingual tokens of e5 align ("söndagar" and
"Sundays"), so the same wish in two languages scores high.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from ombud.loop.themes_model import WishThemeModel
from ombud.loop.themes_tokens import Floats, TokenSet, token_weights

Totals = npt.NDArray[np.float64]
_PADDING = -4.0  # below any cosine: a padding token never wins a maximum
_BLOCK = 16  # wishes per block of the token-by-token product (bounds its memory)


def unit_rows(vectors: npt.NDArray[np.floating]) -> Floats:
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    scaled: Floats = (vectors / np.maximum(norms, 1e-12)).astype(np.float32)
    return scaled


@dataclass(frozen=True)
class Prepared:
    """A wish ready to compare: its centred unit token vectors and their weights."""

    vectors: Floats  # (tokens, dim)
    weights: Floats  # (tokens,)

    def pooled(self) -> Floats:
        """The weighted mean of the centred tokens, unit length: the wish's place in the board's space."""
        total = self.weights @ self.vectors if len(self.weights) else np.zeros(self.vectors.shape[1], np.float32)
        length = float(np.linalg.norm(total))
        return (total / length if length > 1e-12 else total).astype(np.float32)


@dataclass
class BoardSpace:
    model: WishThemeModel
    reference: dict[str, Floats]  # per language the mean token of the reference wishes; "" for any other
    language_totals: dict[str, Totals] = field(default_factory=dict)
    language_counts: dict[str, int] = field(default_factory=dict)
    board_total: Totals | None = None
    board_count: int = 0

    @classmethod
    def of(
        cls, model: WishThemeModel, reference: dict[str, Floats], wishes: Iterable[tuple[str, TokenSet]]
    ) -> BoardSpace:
        """The space of a board holding ``wishes`` (language, tokens)."""
        space = cls(model, reference)
        chosen = list(wishes)
        for language, tokens in chosen:
            own = tokens.vectors[~tokens.context]
            if len(own):
                total = space.language_totals.setdefault(language, np.zeros(own.shape[1], np.float64))
                total += own.sum(axis=0)
                space.language_counts[language] = space.language_counts.get(language, 0) + len(own)
        for language, tokens in chosen:
            if len(tokens.ids):
                centred = space._without_language(tokens.vectors, language)
                if space.board_total is None:
                    space.board_total = np.zeros(centred.shape[1], np.float64)
                space.board_total += centred.sum(axis=0)
                space.board_count += len(centred)
        return space

    def language_mean(self, language: str) -> Totals:
        prior = self.reference.get(language, self.reference[""]).astype(np.float64)
        weight = self.model.parameters.language_prior_tokens
        count = self.language_counts.get(language, 0)
        if not count:
            return prior
        return (self.language_totals[language] + weight * prior) / (count + weight)

    def board_mean(self) -> Totals | None:
        if self.board_total is None:
            return None
        return self.board_total / (self.board_count + self.model.parameters.language_prior_tokens)

    def _without_language(self, vectors: Floats, language: str) -> Floats:
        return unit_rows(vectors - self.language_mean(language))

    def prepare(self, tokens: TokenSet, language: str) -> Prepared:
        centred = self._without_language(tokens.vectors, language)
        shared = self.board_mean()
        if shared is not None:
            centred = unit_rows(centred - shared)
        return Prepared(centred, token_weights(tokens, self.model))


def _padded(wishes: Sequence[Prepared], dim: int) -> tuple[Floats, Floats, Floats]:
    longest = max([len(w.weights) for w in wishes] + [1])
    vectors = np.zeros((len(wishes), longest, dim), np.float32)
    weights = np.zeros((len(wishes), longest), np.float32)
    penalty = np.full((len(wishes), longest), _PADDING, np.float32)
    for row, wish in enumerate(wishes):
        count = len(wish.weights)
        vectors[row, :count] = wish.vectors
        weights[row, :count] = wish.weights
        penalty[row, :count] = 0.0
    return vectors, weights, penalty


def late_similarity(left: Sequence[Prepared], right: Sequence[Prepared]) -> Floats:
    """(len(left), len(right)): the symmetric weighted late-interaction similarity; 0 with a wish of no token."""
    if not left or not right:
        return np.zeros((len(left), len(right)), np.float32)
    dim = next((w.vectors.shape[1] for w in [*left, *right] if w.vectors.ndim == 2), 1)
    right_vectors, right_weights, right_penalty = _padded(right, dim)
    count, length = right_weights.shape
    flat_right = right_vectors.reshape(count * length, dim)
    right_totals = right_weights.sum(axis=1)
    result = np.zeros((len(left), count), np.float32)
    for first in range(0, len(left), _BLOCK):
        block = left[first : first + _BLOCK]
        left_vectors, left_weights, left_penalty = _padded(block, dim)
        rows, left_length = left_weights.shape
        products = (left_vectors.reshape(rows * left_length, dim) @ flat_right.T).reshape(
            rows, left_length, count, length
        )
        # Each left token's best right token, and each right token's best left token.
        forward = (products + right_penalty[None, None, :, :]).max(axis=3)  # (rows, left tokens, count)
        backward = (products + left_penalty[:, :, None, None]).max(axis=1)  # (rows, count, right tokens)
        left_totals = left_weights.sum(axis=1)
        towards = np.einsum("ilc,il->ic", forward, left_weights) / np.maximum(left_totals, 1e-12)[:, None]
        back = np.einsum("icm,cm->ic", backward, right_weights) / np.maximum(right_totals, 1e-12)[None, :]
        scores = (towards + back) / 2
        empty = (left_totals <= 0)[:, None] | (right_totals <= 0)[None, :]
        result[first : first + rows] = np.where(empty, 0.0, scores)
    return result
