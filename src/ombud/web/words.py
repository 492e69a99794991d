"""The core's codes said in the page's language: why a case has its priority (``loop.priority.Reason``) and why
something could not be done (``ombud.errors.Problem``: an import's row or file, a reply, a form).

The core gives a stable code with its parameters and keeps English words for the CLI; the catalogues hold
``reason.<code>`` and ``problem.<code>`` in every language. Only a code no catalogue knows (an importer of
another package, a reason stored before codes) shows the core's English words.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ombud.errors import OmbudError
from ombud.locale import DEFAULT_LANGUAGE, Translator, catalogue


def _known(t: Translator, key: str) -> bool:
    return key in catalogue(t.language) or key in catalogue(DEFAULT_LANGUAGE)


def _shown(t: Translator, name: str, value: Any) -> str:
    """A parameter as the page writes it: numbers in the reader's way, vocabulary in their words."""
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, int | float):
        return t.number(value)
    if name == "field":
        return t.label("field", str(value))
    if name == "emotion":
        return t.label("emotion", str(value))
    return str(value)


def reason(t: Translator, item: Mapping[str, Any]) -> str:
    """One reason, ``{"code", "params"}`` as ``CaseSummary.as_json()`` gives it."""
    code, params = str(item.get("code")), dict(item.get("params") or {})
    key = f"reason.{code}"
    if not _known(t, key):
        return str(params.get("text", code))
    if code == "emotion":
        return t(key, emotion=_shown(t, "emotion", params.get("emotion")), percent=t.percent(params["percent"] / 100))
    return t(key, **{name: _shown(t, name, value) for name, value in params.items()})


def reasons(t: Translator, items: Iterable[Mapping[str, Any]]) -> str:
    return "; ".join(reason(t, item) for item in items)


WAITED = {"waiting": "case.under_an_hour", "waiting_hours": "case.hours", "waiting_days": "case.days"}


def waited(t: Translator, item: Mapping[str, Any] | None) -> str:
    """How long the customer has waited (``CaseSummary.waited``), counted as the reasons count it."""
    if item is None or item.get("code") not in WAITED:
        return "—"
    params = {name: _shown(t, name, value) for name, value in dict(item.get("params") or {}).items()}
    return t(WAITED[str(item["code"])], **params)


def problem_text(t: Translator, code: str | None, params: Mapping[str, Any] | None, english: str) -> str:
    """A problem in the page's language; ``english`` (the core's words) when no catalogue has its code."""
    key = f"problem.{code}"
    if code is None or not _known(t, key):
        return english
    return t(key, **{name: _shown(t, name, value) for name, value in (params or {}).items()})


def error_text(t: Translator, error: OmbudError) -> str:
    found = error.problem
    return problem_text(t, found.code if found else None, found.params if found else None, str(error))
