"""Measure a reader on a labeled file: ``ombud eval TASK FILE``.

A file is JSON lines with ``text``, ``label`` (a name, a number, a boolean, or
a list for multi-label tasks) and optionally ``lang``. ``--label-map`` turns a
data set's own label names into ombud's (``1=wish,0=none``, ``positiv=positive``);
``none`` means "not any label ombud reads for this task".
For ``act`` on whole texts a text is predicted ``wish`` when any sentence is a
wish (a suggestion is rarely the main point of a review); otherwise its dominant act.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ombud.errors import OmbudError
from ombud.labels import ACTS, EMOTIONS, FLAGS, SENTIMENTS, TOPICS
from ombud.understand.analysis import Analysis
from ombud.understand.metrics import Scores, multi_label_scores, single_label_scores

TASKS = ("act", "sentiment", "emotion", "topic", "language", *(f"flag:{flag}" for flag in FLAGS))
NONE = "none"

# Common spellings in public data sets, so most files need no --label-map.
SENTIMENT_NAMES = {
    "positive": "positive", "positiv": "positive", "pos": "positive",
    "negative": "negative", "negativ": "negative", "neg": "negative",
    "neutral": "neutral", "neu": "neutral", "nøytral": "neutral",
}  # fmt: skip


class EvaluationError(OmbudError):
    pass


@dataclass(frozen=True)
class LabeledText:
    text: str
    label: Any
    language: str


def parse_label_map(option: str | None) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for pair in (option or "").split(","):
        if not pair.strip():
            continue
        source, equals, target = pair.partition("=")
        if not equals:
            raise EvaluationError(f"--label-map: {pair!r} is not FROM=TO")
        mapping[source.strip()] = target.strip()
    return mapping


def read_labeled_texts(path: Path, limit: int | None = None) -> list[LabeledText]:
    items = []
    try:
        with path.open(encoding="utf-8") as lines:
            for number, line in enumerate(lines, start=1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                    items.append(
                        LabeledText(str(row["text"]), row["label"], str(row.get("lang", row.get("language", ""))))
                    )
                except (ValueError, KeyError, TypeError) as error:
                    raise EvaluationError(
                        f"{path}:{number}: needs a JSON object with text and label ({error})"
                    ) from None
    except OSError as error:
        raise EvaluationError(f"{path}: {error.strerror}") from None
    if not items:
        raise EvaluationError(f"{path}: no labeled texts in it")
    if limit and len(items) > limit:
        # Every k-th text rather than the first N: many data sets are sorted by label.
        items = items[:: -(-len(items) // limit)]
    return items


def _mapped(label: Any, mapping: dict[str, str], known: Callable[[str], str | None]) -> str:
    key = str(label).lower() if isinstance(label, bool) else str(label)
    if key in mapping:
        return mapping[key]
    name = known(key) or known(key.lower())
    if name is None:
        raise EvaluationError(f"label {key!r} is not one ombud reads for this task; map it with --label-map {key}=…")
    return name


def _in(names: Sequence[str]) -> Callable[[str], str | None]:
    return lambda key: key if key in names else None


def evaluate(task: str, items: Sequence[LabeledText], analyses: Sequence[Analysis], mapping: dict[str, str]) -> Scores:
    """Score the analyses of ``items`` on one task."""
    languages = [item.language or analysis.language.language for item, analysis in zip(items, analyses, strict=True)]
    if task in ("emotion", "topic"):
        names = EMOTIONS if task == "emotion" else TOPICS
        intended = [
            {
                _mapped(label, mapping, _in((*names, NONE)))
                for label in (item.label if isinstance(item.label, list) else [item.label])
            }
            - {NONE}
            for item in items
        ]
        predicted = [set(analysis.present_emotions if task == "emotion" else analysis.topics) for analysis in analyses]
        return multi_label_scores(intended, predicted, names, languages)
    if task == "act":
        gold = [_mapped(item.label, mapping, _in((*ACTS, NONE))) for item in items]
        guesses = ["wish" if "wish" in analysis.acts else analysis.dominant_act for analysis in analyses]
        gold_labels = set(gold)
        # With a "none" class (wish vs not-wish data), any other act counts as "none".
        guesses = [NONE if NONE in gold_labels and guess not in gold_labels else guess for guess in guesses]
        return single_label_scores(gold, guesses, [label for label in ACTS if label in gold], languages)
    if task == "sentiment":
        gold = [_mapped(item.label, mapping, SENTIMENT_NAMES.get) for item in items]
        two_way = "neutral" not in gold
        guesses = [
            ("positive" if analysis.sentiment.score >= 0 else "negative") if two_way else analysis.sentiment.label
            for analysis in analyses
        ]
        return single_label_scores(gold, guesses, [label for label in SENTIMENTS if label in gold], languages)
    if task == "language":
        gold = [_mapped(item.label, mapping, lambda key: key) for item in items]
        guesses = [analysis.language.language for analysis in analyses]
        return single_label_scores(gold, guesses, sorted(set(gold)), languages)
    if task.startswith("flag:") and task[5:] in FLAGS:
        flag = task[5:]
        truthy = {"1": "yes", "true": "yes", "yes": "yes", "0": "no", "false": "no", "no": "no"}
        gold = [_mapped(item.label, mapping, truthy.get) for item in items]
        guesses = ["yes" if analysis.flags[flag].present else "no" for analysis in analyses]
        return single_label_scores(gold, guesses, ["yes"], languages)
    raise EvaluationError(f"unknown task {task!r}: choose one of {', '.join(TASKS)}")
