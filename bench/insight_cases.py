"""Cases, responses and first-response times for the insight benchmark's store (bench/insight_data.py)."""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta
from typing import Any

FIRST_RESPONSE_HOURS = {"chat": 0.3, "email": 9.0, "review": 30.0, "survey": 40.0, "call_note": 6.0}
SLA_HOURS = {"chat": 2, "email": 24, "review": 72, "survey": 72, "call_note": 24}


def plan_cases(
    randomness: random.Random, plan: list[dict[str, Any]], end: datetime
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Cases as update_cases would make them: a customer's voice joins their case of the last seven days, or
    opens one; most cases get a first response, some later voices another."""
    by_customer: dict[int, list[dict[str, Any]]] = {}
    for voice in plan:
        by_customer.setdefault(voice["customer"], []).append(voice)
    groups: list[list[dict[str, Any]]] = []
    for spoken in by_customer.values():
        spoken.sort(key=lambda voice: voice["at"])
        current: list[dict[str, Any]] = []
        for voice in spoken:
            if current and voice["at"] - current[-1]["at"] > timedelta(days=7):
                groups.append(current)
                current = []
            current.append(voice)
        groups.append(current)
    # Case ids in the order the cases were opened, as update_cases gives them.
    groups.sort(key=lambda group: (group[0]["at"], group[0]["id"]))
    cases, links, events = [], [], []
    event_id = 0
    for group in groups:
        case_id = len(cases) + 1
        first, last = group[0], group[-1]
        channel = first["channel"]
        opened = first["at"]
        due = opened + timedelta(hours=SLA_HOURS[channel])
        answered = randomness.random() < (0.97 if end - opened > timedelta(days=14) else 0.7)
        first_response = None
        if answered:
            hours = randomness.lognormvariate(math.log(FIRST_RESPONSE_HOURS[channel]), 1.0)
            first_response = min(opened + timedelta(hours=hours), end)
            event_id += 1
            events.append((event_id, case_id, first_response, "answered", "agent", {}))
        later_answer = None
        if len(group) > 1 and answered and randomness.random() < 0.6:
            later_answer = min(last["at"] + timedelta(hours=randomness.uniform(0.5, 30)), end)
            event_id += 1
            events.append((event_id, case_id, later_answer, "answered", "agent", {}))
        resolved = answered and end - last["at"] > timedelta(days=10) and randomness.random() < 0.85
        waiting_since = None
        last_response = later_answer or first_response
        for voice in group:
            if last_response is None or voice["at"] > last_response:
                waiting_since = voice["at"] if waiting_since is None else min(waiting_since, voice["at"])
        status = "resolved" if resolved else "answered" if waiting_since is None and answered else "open"
        cases.append(
            (
                case_id,
                first["customer"],
                channel,
                first["topics"][0],
                first["language"],
                status,
                0,
                [],
                0,
                opened,
                last["at"],
                due,
                first_response,
                last["at"] + timedelta(days=10) if resolved else None,
                None if resolved else waiting_since,
                0,
                opened,
                last["at"],
            )
        )
        links.extend((voice["id"], case_id, voice["at"]) for voice in group)
    return cases, links, events
