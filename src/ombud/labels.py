"""The label vocabulary of ombud and the checker for labeled voices.

One format serves the bundled sample voices and the training corpus: a JSON
object per line, described in docs/labeled-voices.md. ``check_labeled_voice``
returns the problems of one object, so a writer of labeled data can check a
whole file with ``python -m ombud.labels FILE…``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

LANGUAGES = ("sv", "nb", "nn", "da", "en", "fi")
ACTS = ("complaint", "praise", "wish", "question", "other")
SENTIMENTS = ("negative", "neutral", "positive")
EMOTIONS = ("anger", "anticipation", "joy", "trust", "fear", "surprise", "sadness", "disgust")
FLAGS = ("expectation_gap", "legal_claim", "churn_risk")
TOPICS = (
    "delivery",
    "price",
    "product",
    "staff",
    "availability",
    "digital",
    "communication",
    "contract",
    "reliability",
)
CHANNELS = ("email", "chat", "review", "survey", "call_note")
PERSONAL_DATA_KINDS = (
    "personnummer",
    "samordningsnummer",
    "fodselsnummer",
    "d_nummer",
    "cpr",
    "phone",
    "email",
    "iban",
    "card",
)

# Ties in the dominant act go to the first act of this order (labels.md).
DOMINANT_ACT_ORDER = ("complaint", "wish", "question", "praise", "other")


def dominant_act(sentence_acts: Iterable[str]) -> str:
    """The voice's dominant act: the act of most of its meaningful (not "other") sentences; ties go
    to complaint, then wish, question, praise (labels.md). A voice of only "other" is "other"."""
    counts: dict[str, int] = {}
    for act in sentence_acts:
        if act != "other":
            counts[act] = counts.get(act, 0) + 1
    if not counts:
        return "other"
    most = max(counts.values())
    return next(act for act in DOMINANT_ACT_ORDER if counts.get(act) == most)


def _check_choice(problems: list[str], where: str, value: Any, allowed: Iterable[str]) -> None:
    if value not in allowed:
        problems.append(f"{where}: {value!r} is not one of {', '.join(allowed)}")


def _check_sentences(voice: dict[str, Any], problems: list[str], topics: Iterable[str]) -> None:
    text = voice.get("text")
    sentences = voice.get("sentences")
    if not isinstance(text, str) or not text.strip():
        problems.append("text: missing or empty")
        return
    if not isinstance(sentences, list) or not sentences:
        problems.append("sentences: missing or empty")
        return
    position = 0
    covered = []
    for number, sentence in enumerate(sentences, start=1):
        where = f"sentences[{number}]"
        if not isinstance(sentence, dict):
            problems.append(f"{where}: not an object")
            continue
        piece = sentence.get("text")
        if not isinstance(piece, str) or not piece.strip():
            problems.append(f"{where}.text: missing or empty")
            continue
        found = text.find(piece, position)
        if found < 0:
            problems.append(f"{where}.text: not found in text (after character {position}): {piece!r}")
            continue
        covered.append(text[position:found])
        position = found + len(piece)
        _check_choice(problems, f"{where}.act", sentence.get("act"), ACTS)
        _check_choice(problems, f"{where}.sentiment", sentence.get("sentiment"), SENTIMENTS)
        for topic in sentence.get("topics", []):
            _check_choice(problems, f"{where}.topics", topic, topics)
        theme = sentence.get("wish_theme")
        if theme is not None and sentence.get("act") != "wish":
            problems.append(f"{where}.wish_theme: only a wish sentence has a wish theme")
    covered.append(text[position:])
    left_over = "".join(covered).strip()
    if left_over:
        problems.append(f"sentences: text not covered by any sentence: {left_over[:60]!r}")


def check_labeled_voice(voice: Any, *, sample: bool = False, topics: Iterable[str] = TOPICS) -> list[str]:
    """Return what is wrong with one labeled voice; an empty list means nothing.

    ``topics`` are the topic names allowed: the default taxonomy, plus a company's own when it trains."""
    if not isinstance(voice, dict):
        return ["not a JSON object"]
    problems: list[str] = []
    if not isinstance(voice.get("id"), str) or not voice["id"]:
        problems.append("id: missing")
    _check_choice(problems, "language", voice.get("language"), LANGUAGES)
    _check_choice(problems, "channel", voice.get("channel"), CHANNELS)
    _check_choice(problems, "sentiment", voice.get("sentiment"), SENTIMENTS)
    for emotion in voice.get("emotions", []):
        _check_choice(problems, "emotions", emotion, EMOTIONS)
    flags = voice.get("flags")
    if not isinstance(flags, dict) or set(flags) != set(FLAGS):
        problems.append(f"flags: must hold exactly {', '.join(FLAGS)}")
    elif not all(isinstance(value, bool) for value in flags.values()):
        problems.append("flags: every value must be true or false")
    for span in voice.get("personal_data", []):
        _check_choice(problems, "personal_data.kind", span.get("kind"), PERSONAL_DATA_KINDS)
        if span.get("text") not in voice.get("text", "") + voice.get("subject", ""):
            problems.append(f"personal_data: {span.get('text')!r} is not in the text")
    _check_sentences(voice, problems, tuple(topics))
    if sample:
        for key in ("company", "industry", "received_at", "customer"):
            if not voice.get(key):
                problems.append(f"{key}: missing (required in the sample)")
        customer = voice.get("customer") or {}
        if not any(customer.get(key) for key in ("email", "phone", "external_id")):
            problems.append("customer: needs an email, a phone or an external_id")
    return problems


def read_labeled(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield (line number, object) for each non-blank line of a JSONL file."""
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if line.strip():
                yield number, json.loads(line)


def main(arguments: list[str]) -> int:
    sample = "--sample" in arguments
    failures = 0
    seen: set[str] = set()
    for name in (argument for argument in arguments if argument != "--sample"):
        for number, voice in read_labeled(Path(name)):
            problems = check_labeled_voice(voice, sample=sample)
            if voice.get("id") in seen:
                problems.append(f"id: {voice['id']!r} is used twice")
            seen.add(voice.get("id", ""))
            for problem in problems:
                print(f"{name}:{number}: {problem}")
            failures += bool(problems)
    print(f"{len(seen)} voices checked, {failures} with problems")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
