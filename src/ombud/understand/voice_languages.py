"""The language of each voice of a batch and of each of its sentences: ombud's own head first, lingua where unsure.

For a voice, the n-gram head's guess (language_head.py) stands when
- the text is written only in the letters of sv, nb, nn, da, en and fi
  (another letter — ß, ñ, ł, ő, Cyrillic… — goes to lingua, which knows them),
- it has at least ``SHORT_TEXT_WORDS`` words (lingua's rules for one or two
  words — "Hej!" is Swedish or Danish — stay as they are),
- the head gives one of sv, nb, nn, da, en at least ``CONFIDENT`` — or, for
  a whole voice, at least ``LIKELY`` while it gives fi and other together no
  more than ``FOREIGN_AT_MOST`` (sure it is one of ours, less sure which; on
  such voices the head's guess was right as often as lingua's) — while fi
  and other are lingua's to confirm, and
- a Nynorsk guess has a Nynorsk word (labels.md: Norwegian without a clear
  marker is Bokmål; lingua's path applies that rule).
Every other voice is read by lingua with the marker words, as before
(language.py).

A sentence of four words or more in a voice of several sentences gets its own
guess the same way; where the head is unsure of it but still gives the
voice's language at least ``VOICE_PLAUSIBLE``, the sentence is taken to be in
its voice's language (it says nothing against it), as shorter sentences
always are; only a sentence that the head finds unlike its voice goes to
lingua. Measured on the bundled sample and the held-out corpus: docs/quality.md.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import islice
from typing import Any

import numpy as np

from ombud.understand.language import _NYNORSK_NOT_BOKMAL, _WORD, SHORT_TEXT_WORDS, LanguageGuess, detect_languages
from ombud.understand.language_head import LanguageModel
from ombud.understand.sentences import Sentence

# Sentences this short say too little for their own language guess; they take the voice's.
MIN_WORDS_FOR_OWN_LANGUAGE = 4
# The head's probability for its guess to stand (chosen on the held-out corpus, where the head is this sure of
# 88 % of the voices and 67 % of the sentences of 4+ words, and right on every one of them).
CONFIDENT = 0.9
# A voice the head is less sure of is still its when it is one of ours: measured on the sample and the held-out
# corpus, the head was right on 54 of 55 such voices, lingua on 53; no foreign text came near the limit.
LIKELY = 0.5
FOREIGN_AT_MOST = 0.02
# ...and only where it leads the next language by this much: a short question that Bokmål and Danish share but
# for one word ("Hvordan endrer jeg leveringsadressen min?", nb 0.43 / da 0.55) is lingua's to tell.
LIKELY_LEAD = 0.25
# An unsure sentence takes its voice's language when the head gives that language at least this.
VOICE_PLAUSIBLE = 0.05
READ_BY_HEAD = ("sv", "nb", "nn", "da", "en")
# A character outside ASCII and the letters of the languages the head reads (and Finnish, which it sends on):
# where it is a letter (not an emoji, a dash or €), the text is read by lingua.
_UNUSUAL = re.compile(r"[^\x00-\x7fåäöæøéèêòôÅÄÖÆØÉÈÊÒÔ]")


def lingua_languages(
    texts: Sequence[str], sentences: Sequence[Sequence[Sentence]]
) -> tuple[list[LanguageGuess], list[list[LanguageGuess]]]:
    """Voices and their wordy sentences read by lingua alone (where there is no head)."""
    voices = detect_languages(texts)
    wordy = _wordy(sentences)
    guesses = dict(zip(wordy, detect_languages([sentences[v][i].text for v, i in wordy]), strict=True))
    return voices, [
        [guesses.get((voice, index), voices[voice]) for index in range(len(voice_sentences))]
        for voice, voice_sentences in enumerate(sentences)
    ]


def read_languages(
    model: LanguageModel,
    texts: Sequence[str],
    sentences: Sequence[Sequence[Sentence]],
    voice_ngrams: Any,
    sentence_ngrams: Any,
    offsets: Sequence[int],
) -> tuple[list[LanguageGuess], list[list[LanguageGuess]]]:
    """Each voice's language and each of its sentences' (``*_ngrams``: the n-gram rows of the voices and of all
    sentences, voice after voice; ``offsets``: where each voice's sentences start)."""
    labels = model.head.labels
    voices: list[LanguageGuess | None] = _sure_guesses(texts, model.probabilities(voice_ngrams), labels, lenient=True)
    unsure = [index for index, guess in enumerate(voices) if guess is None]
    for index, guess in zip(unsure, detect_languages([texts[index] for index in unsure]), strict=True):
        voices[index] = guess
    voice_guesses = [guess for guess in voices if guess is not None]

    wordy = _wordy(sentences)
    own: dict[tuple[int, int], LanguageGuess] = {}
    ask_lingua: list[tuple[int, int]] = []
    if wordy:
        # Every sentence's row at once (cheaper than picking the rows out first), then the wordy ones.
        probabilities = model.probabilities(sentence_ngrams)[[offsets[voice] + index for voice, index in wordy]]
        wordy_texts = [sentences[voice][index].text for voice, index in wordy]
        guesses = _sure_guesses(wordy_texts, probabilities, labels)
        voice_columns = [labels.index(guess.language) if guess.language in labels else -1 for guess in voice_guesses]
        for row, ((voice, index), sure) in enumerate(zip(wordy, guesses, strict=True)):
            column = voice_columns[voice]
            if sure is not None:
                own[voice, index] = sure
            elif column < 0 or probabilities[row, column] < VOICE_PLAUSIBLE:
                ask_lingua.append((voice, index))
            # else nothing speaks against its voice's language: it takes the voice's, as shorter sentences do
    own.update(zip(ask_lingua, detect_languages([sentences[v][i].text for v, i in ask_lingua]), strict=True))
    return voice_guesses, [
        [own.get((voice, index), voice_guesses[voice]) for index in range(len(voice_sentences))]
        for voice, voice_sentences in enumerate(sentences)
    ]


def _wordy(sentences: Sequence[Sequence[Sentence]]) -> list[tuple[int, int]]:
    """(voice, sentence) of the sentences that get a guess of their own."""
    return [
        (voice, index)
        for voice, voice_sentences in enumerate(sentences)
        if len(voice_sentences) > 1
        for index, sentence in enumerate(voice_sentences)
        if len(sentence.text.split()) >= MIN_WORDS_FOR_OWN_LANGUAGE
    ]


def _has_foreign_letter(text: str) -> bool:
    """Whether the text has a letter (or other word character but a digit) outside our alphabets."""
    for match in _UNUSUAL.finditer(text):
        character = match.group()
        if character.isalnum() and not character.isdecimal():  # what [^\W\d_] matches
            return True
    return False


def _sure_guesses(
    texts: Sequence[str], probabilities: Any, labels: Sequence[str], *, lenient: bool = False
) -> list[LanguageGuess | None]:
    """The head's guess for each text where it may stand on its own, else None; ``lenient``: also where it is
    only ``LIKELY`` but sure the text is in one of our languages (for whole voices)."""
    guesses: list[LanguageGuess | None] = [None] * len(texts)
    if not len(texts):
        return guesses
    best = probabilities.argmax(axis=1)
    confidence = probabilities[np.arange(len(texts)), best]
    readable = np.isin(best, [labels.index(language) for language in READ_BY_HEAD if language in labels])
    sure = confidence >= CONFIDENT
    if lenient:
        foreign = probabilities[:, [labels.index(label) for label in labels if label not in READ_BY_HEAD]].sum(axis=1)
        runner_up = np.sort(probabilities, axis=1)[:, -2]
        sure |= (confidence >= LIKELY) & (foreign <= FOREIGN_AT_MOST) & (confidence - runner_up >= LIKELY_LEAD)
    candidates = np.flatnonzero(sure & readable)
    if not len(candidates):
        return guesses
    rows = probabilities[candidates]
    leading = np.argsort(-rows, axis=1)[:, :3].tolist()
    shares = np.take_along_axis(rows, np.asarray(leading, dtype=np.int64).reshape(len(candidates), -1), axis=1)
    nynorsk = labels.index("nn") if "nn" in labels else -1
    for row, top, top_shares in zip(candidates.tolist(), leading, shares.tolist(), strict=True):
        text = texts[row]
        if (
            _has_foreign_letter(text)
            or sum(1 for _ in islice(_WORD.finditer(text), SHORT_TEXT_WORDS)) < SHORT_TEXT_WORDS
        ):
            continue
        if top[0] == nynorsk and not any(word.casefold() in _NYNORSK_NOT_BOKMAL for word in _WORD.findall(text)):
            continue
        evidence = "n-gram head " + ", ".join(
            f"{labels[column]} {share:.2f}" for column, share in zip(top, top_shares, strict=True)
        )
        guesses[row] = LanguageGuess(labels[top[0]], round(top_shares[0], 4), evidence)
    return guesses
