"""The core's English words for why a case has its priority, said in the page's language."""

from __future__ import annotations

import re

from ombud.locale import Translator

_WAITING = re.compile(r"^waiting (\d+) (h|d)$")
_EMOTION = re.compile(r"^(\w+) \((\d+)%\)$")
_FIXED = {
    "legal claim": "flag.legal_claim",
    "churn risk": "flag.churn_risk",
    "expectation gap": "flag.expectation_gap",
    "complaint": "act.complaint",
    "overdue": "case.overdue",
    "very negative": "reason.very_negative",
    "negative": "sentiment.negative",
    "waiting": "reason.waiting",
}


def reason(t: Translator, text: str) -> str:
    if text in _FIXED:
        return t(_FIXED[text])
    waiting = _WAITING.match(text)
    if waiting:
        key = "reason.waiting_hours" if waiting[2] == "h" else "reason.waiting_days"
        return t(key, count=t.number(int(waiting[1])))
    emotion = _EMOTION.match(text)
    if emotion:
        return f"{t.label('emotion', emotion[1])} ({t.percent(int(emotion[2]) / 100)})"
    return text


def reasons(t: Translator, texts: list[str]) -> str:
    return "; ".join(reason(t, text) for text in texts)
