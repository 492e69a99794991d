"""Scores of predictions against intended labels: per-label precision, recall and F1, macro-F1,
accuracy, a per-language breakdown and a confusion matrix. Plain Python, so a report can be
reproduced anywhere."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass
class LabelScore:
    precision: float
    recall: float
    f1: float
    support: int


@dataclass
class Scores:
    labels: dict[str, LabelScore]
    macro_f1: float
    accuracy: float  # share of items exactly right (for multi-label: the whole set)
    count: int
    confusion: dict[str, dict[str, int]] = field(default_factory=dict)  # intended → predicted → count
    by_language: dict[str, dict[str, float]] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "accuracy": round(self.accuracy, 4),
            "macro_f1": round(self.macro_f1, 4),
            "labels": {
                name: {
                    "precision": round(score.precision, 4),
                    "recall": round(score.recall, 4),
                    "f1": round(score.f1, 4),
                    "support": score.support,
                }
                for name, score in self.labels.items()
            },
            "by_language": self.by_language,
            "confusion": self.confusion,
        }


def _label_score(true_positives: int, predicted: int, support: int) -> LabelScore:
    precision = true_positives / predicted if predicted else 0.0
    recall = true_positives / support if support else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return LabelScore(precision, recall, f1, support)


def single_label_scores(
    intended: Sequence[str],
    predicted: Sequence[str],
    labels: Sequence[str] | None = None,
    languages: Sequence[str] | None = None,
) -> Scores:
    """Scores of one label per item. Macro-F1 averages over ``labels`` (default: every intended label)."""
    names = list(labels) if labels is not None else sorted(set(intended))
    confusion: dict[str, dict[str, int]] = {name: {} for name in sorted(set(intended) | set(predicted))}
    for gold, guess in zip(intended, predicted, strict=True):
        confusion[gold][guess] = confusion[gold].get(guess, 0) + 1
    gold_counts, guess_counts = Counter(intended), Counter(predicted)
    per_label = {
        name: _label_score(confusion.get(name, {}).get(name, 0), guess_counts[name], gold_counts[name])
        for name in names
    }
    correct = sum(gold == guess for gold, guess in zip(intended, predicted, strict=True))
    scores = Scores(
        per_label,
        sum(score.f1 for score in per_label.values()) / len(per_label) if per_label else 0.0,
        correct / len(intended) if intended else 0.0,
        len(intended),
        confusion,
    )
    if languages is not None:
        scores.by_language = _by_language(
            languages,
            lambda picked: single_label_scores([intended[i] for i in picked], [predicted[i] for i in picked], names),
        )
    return scores


def multi_label_scores(
    intended: Sequence[set[str]],
    predicted: Sequence[set[str]],
    labels: Sequence[str],
    languages: Sequence[str] | None = None,
) -> Scores:
    """Scores of any number of labels per item; macro-F1 over ``labels``."""
    per_label = {}
    for name in labels:
        true_positives = sum(name in gold and name in guess for gold, guess in zip(intended, predicted, strict=True))
        per_label[name] = _label_score(
            true_positives, sum(name in guess for guess in predicted), sum(name in gold for gold in intended)
        )
    exact = sum(gold == guess for gold, guess in zip(intended, predicted, strict=True))
    scores = Scores(
        per_label,
        sum(score.f1 for score in per_label.values()) / len(per_label) if per_label else 0.0,
        exact / len(intended) if intended else 0.0,
        len(intended),
    )
    if languages is not None:
        scores.by_language = _by_language(
            languages,
            lambda picked: multi_label_scores([intended[i] for i in picked], [predicted[i] for i in picked], labels),
        )
    return scores


def _by_language(languages: Sequence[str], score: Any) -> dict[str, dict[str, float]]:
    groups: dict[str, list[int]] = defaultdict(list)
    for index, language in enumerate(languages):
        groups[language].append(index)
    result = {}
    for language, picked in sorted(groups.items()):
        part: Scores = score(picked)
        result[language] = {
            "count": len(picked),
            "accuracy": round(part.accuracy, 4),
            "macro_f1": round(part.macro_f1, 4),
        }
    return result
