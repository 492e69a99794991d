"""Nordic letters put back where a customer typed aa, ae or oe, before a wish is read.

Many Nordic customers write without å, ä, ö, æ and ø ("aabent om soendagen",
"oeppet paa lordagar"). e5 splits such words into pieces that mean little,
so the same wish typed two ways lands far apart: on the sample voices written
without those letters the board's adjusted Rand index fell from 0.60 to 0.51
(bench/wish_themes.py --no-diacritics), and "I burde holde aabent om
soendagen" did not join the other languages' Sunday wishes at all.

A text in sv, nb, nn or da that holds none of those letters gets them back
word by word: each aa/ae/oe of a word may become å/ä/ö (Swedish) or å/æ/ø
(Danish and Norwegian), and the spelling e5's tokenizer reads in the fewest
pieces wins, only when strictly fewer than as typed (so "poesi", "Michael"
and a word the tokenizer knows either way stay as they are). Positions in
the text are mapped, so sentence spans still point at the same words.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

LETTERS: dict[str, dict[str, str]] = {
    "sv": {"aa": "å", "ae": "ä", "oe": "ö"},
    "da": {"aa": "å", "ae": "æ", "oe": "ø"},
    "nb": {"aa": "å", "ae": "æ", "oe": "ø"},
    "nn": {"aa": "å", "ae": "æ", "oe": "ø"},
}
_NORDIC = re.compile("[åäöæøÅÄÖÆØ]")
_PAIR = re.compile("aa|ae|oe", re.IGNORECASE)
_WORD = re.compile(r"\w+")
_MOST_PAIRS = 3  # a word with more is left alone (2^3 spellings at most)

PieceCounter = Callable[[Sequence[str]], Sequence[int]]


@dataclass(frozen=True)
class Respelled:
    """A text with its letters put back, and where each position of the original text is in it."""

    text: str
    positions: npt.NDArray[np.int64]  # len(original) + 1 entries

    def at(self, position: int) -> int:
        return int(self.positions[position])


def _unchanged(text: str) -> Respelled:
    return Respelled(text, np.arange(len(text) + 1, dtype=np.int64))


def _spellings(word: str, letters: dict[str, str]) -> list[tuple[str, list[int]]]:
    """Every way of putting letters back in ``word`` (at least one pair changed), with the changed pairs' starts."""
    pairs = [m.start() for m in _PAIR.finditer(word)]
    # Overlapping pairs ("aae") cannot both change; keep the first of each run.
    starts = [p for k, p in enumerate(pairs) if k == 0 or p >= pairs[k - 1] + 2]
    if not starts or len(starts) > _MOST_PAIRS:
        return []
    found = []
    for chosen in itertools.product((False, True), repeat=len(starts)):
        changed = [p for p, yes in zip(starts, chosen, strict=True) if yes]
        if not changed:
            continue
        pieces, at = [], 0
        for p in changed:
            pair = word[p : p + 2]
            letter = letters[pair.lower()]
            pieces += [word[at:p], letter.upper() if pair[0].isupper() else letter]
            at = p + 2
        found.append(("".join(pieces) + word[at:], changed))
    return found


def respell(texts: Sequence[tuple[str, str]], count_pieces: PieceCounter) -> list[Respelled]:
    """Each (text, language) with its Nordic letters put back where that reads in fewer pieces."""
    choices: list[list[tuple[int, str, list[int]]]] = []  # per text: (word start, spelling, changed pairs)
    asked: dict[str, int] = {}
    candidates: list[list[tuple[int, str, list[tuple[str, list[int]]]]]] = []
    for text, language in texts:
        letters = LETTERS.get(language)
        words: list[tuple[int, str, list[tuple[str, list[int]]]]] = []
        if letters is not None and not _NORDIC.search(text):
            for match in _WORD.finditer(text):
                spellings = _spellings(match.group(), letters)
                if spellings:
                    words.append((match.start(), match.group(), spellings))
                    for spelling in [match.group(), *[s for s, _ in spellings]]:
                        asked.setdefault(spelling, len(asked))
        candidates.append(words)
    counts = list(count_pieces(list(asked))) if asked else []
    for words in candidates:
        chosen = []
        for start, word, spellings in words:
            best = min(spellings, key=lambda s: counts[asked[s[0]]])
            if counts[asked[best[0]]] < counts[asked[word]]:
                chosen.append((start, best[0], best[1]))
        choices.append(chosen)
    return [_applied(text, chosen) for (text, _), chosen in zip(texts, choices, strict=True)]


def _applied(text: str, chosen: list[tuple[int, str, list[int]]]) -> Respelled:
    if not chosen:
        return _unchanged(text)
    positions = np.arange(len(text) + 1, dtype=np.int64)
    shift = np.zeros(len(text) + 1, dtype=np.int64)
    pieces, at = [], 0
    for start, spelling, changed in chosen:
        for pair in changed:
            # Both letters of the pair map onto the one letter that replaces them; what follows moves back one.
            shift[start + pair + 1 :] -= 1
        pieces += [text[at:start], spelling]
        at = start + len(spelling) + len(changed)
    pieces.append(text[at:])
    return Respelled("".join(pieces), positions + shift)
