"""Both shipped tiers find an emotion that a short line states in words, in all five languages.

labels.md marks an emotion only where the text expresses it; these one-line voices, written for this test and
in no corpus, say it outright. (XED's film lines, which mostly do not, are why its figures stay low: see
docs/quality.md.)
"""

from __future__ import annotations

from functools import cache

import pytest

from ombud.understand.analysis import Analysis
from ombud.understand.tiers import TIERS, load_reader

STATED = [
    ("sv", "Jag är så arg på er just nu!", "anger"),
    ("sv", "Jag är rädd att pengarna har försvunnit.", "fear"),
    ("sv", "Tusen tack, ni räddade min dag!", "joy"),
    ("sv", "Fy fan vad äckligt, det låg en fluga i soppan.", "disgust"),
    ("nb", "Jeg er så sint at jeg skjelver.", "anger"),
    ("nb", "Jeg er livredd for at noen har brukt kortet mitt.", "fear"),
    ("nb", "Tusen takk, dere reddet ferien vår!", "joy"),
    ("nb", "Gleder meg sånn til å komme tilbake!", "anticipation"),
    ("nn", "Eg er så sint på dykk no.", "anger"),
    ("nn", "Eg er redd for at pakka er stolen.", "fear"),
    ("nn", "Tusen takk, de redda dagen min!", "joy"),
    ("da", "Jeg er så vred på jer lige nu.", "anger"),
    ("da", "Jeg er bange for at mine penge er væk.", "fear"),
    ("da", "Tusind tak, I reddede min dag!", "joy"),
    ("en", "I am so angry with you right now.", "anger"),
    ("en", "I am scared my money is gone.", "fear"),
    ("en", "Thank you so much, you saved my day!", "joy"),
    ("en", "I was gutted, it made me really sad.", "sadness"),
]


@cache
def _read(tier: str) -> list[Analysis]:
    return load_reader(tier).analyze([text for _, text, _ in STATED])


@pytest.mark.parametrize("tier", TIERS)
def test_a_stated_emotion_is_found(tier: str) -> None:
    missed = [
        f"{language} {text!r}: {[emotion.name for emotion in analysis.emotions if emotion.present]}"
        for (language, text, emotion), analysis in zip(STATED, _read(tier), strict=True)
        if emotion not in {found.name for found in analysis.emotions if found.present}
    ]
    assert not missed, f"{tier} missed:\n" + "\n".join(missed)
