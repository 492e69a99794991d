"""A store of analysed voices for the insight benchmark, written with bulk inserts (COPY on PostgreSQL).

Six companies in five languages, five channels, three segments, two years with more voices each month and
fewer at weekends; acts, sentiment, emotions, topics and flags in the proportions Nordic customer service
sees (most voices are wishes); wish themes whose popularity rises or falls over the two years; cases with
first responses quick on chat and slow on e-mail, some never answered; feedback to part of the wishing
customers. The same seed gives the same store.
"""

from __future__ import annotations

import math
import random
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Table

from insight_cases import plan_cases
from ombud.labels import TOPICS
from ombud.store import Database
from ombud.store.bulk import insert_ignoring_conflicts
from ombud.store.models import (
    Case,
    CaseEvent,
    CaseVoice,
    OutboundMessage,
    SentenceAnalysisRow,
    VoiceAnalysis,
    Wish,
    WishTheme,
    customers_table,
    identities_table,
    voices_table,
)

END = datetime(2026, 12, 1, tzinfo=UTC)
DAYS = 730
BATCH = 50_000
COMPANIES = [  # name, industry, main language, share of the voices
    ("Kvikk Mobil", "telecom", "nb", 0.28),
    ("Ljusbanken", "bank", "sv", 0.22),
    ("Hjemmeværk", "web_shop", "da", 0.16),
    ("Flygpilen", "airport_train", "sv", 0.13),
    ("Kamille Apotek", "pharmacy", "da", 0.11),
    ("Vestby Bil", "car_dealer", "nn", 0.10),
]
CHANNELS = {"email": 0.34, "chat": 0.26, "review": 0.14, "survey": 0.16, "call_note": 0.10}
SEGMENTS = {"private": 0.66, "business": 0.26, "public": 0.08}
ACTS = {"wish": 0.44, "complaint": 0.21, "question": 0.17, "praise": 0.12, "other": 0.06}
SENTIMENT = {"complaint": (-0.55, 0.25), "praise": (0.65, 0.2), "wish": (-0.05, 0.3), "question": (0.0, 0.2)}
EMOTIONS = {
    "complaint": {"anger": 0.45, "sadness": 0.15, "disgust": 0.08, "fear": 0.07, "surprise": 0.05},
    "praise": {"joy": 0.6, "trust": 0.3, "surprise": 0.05},
    "wish": {"anticipation": 0.35, "joy": 0.05, "anger": 0.06, "trust": 0.04},
    "question": {"fear": 0.1, "anticipation": 0.1},
    "other": {},
}
FLAGS = {  # act: expectation gap, legal claim, churn risk
    "complaint": (0.30, 0.06, 0.15),
    "wish": (0.06, 0.003, 0.02),
    "question": (0.02, 0.01, 0.01),
    "praise": (0.01, 0.0, 0.002),
    "other": (0.01, 0.002, 0.005),
}
SENTENCES = {
    "sv": {
        "complaint": "Paketet kom tre veckor för sent och ingen svarade.",
        "praise": "Tack för snabb och vänlig hjälp!",
        "wish": "Jag önskar att ni hade öppet på söndagar.",
        "question": "När kommer min beställning?",
        "other": "Hej!",
        "gap": "Ni lovade leverans inom två dagar.",
    },
    "nb": {
        "complaint": "Pakken kom aldri, og kundeservice var uhøflige.",
        "praise": "Supert service, anbefales.",
        "wish": "Det hadde vært fint med en app for fakturaene.",
        "question": "Hvordan endrer jeg adressen?",
        "other": "Mvh Kari",
        "gap": "Det var ikke det som ble avtalt.",
    },
    "nn": {
        "complaint": "Bilen var ikkje klar til avtalt tid.",
        "praise": "Takk for god hjelp i dag!",
        "wish": "Eg vil gjerne at de har ope på søndagar.",
        "question": "Kva tid kan eg hente bilen?",
        "other": "Helsing Ola",
        "gap": "De lova at bilen skulle vere klar fredag.",
    },
    "da": {
        "complaint": "Pakken er ikke kommet, og ingen svarer.",
        "praise": "Personalet var meget venlige.",
        "wish": "I kunne godt sende en SMS når pakken er på vej.",
        "question": "Kan I se om betalingen er gået igennem?",
        "other": "Mvh Jens",
        "gap": "Billederne viste noget helt andet.",
    },
    "en": {
        "complaint": "My parcel never came and nobody answers.",
        "praise": "Great service, the staff were really helpful!",
        "wish": "It would be great if you opened on Sundays.",
        "question": "When will my order arrive?",
        "other": "Thanks, Anna",
        "gap": "You promised delivery within two days.",
    },
}
THEMES_PER_COMPANY = 60


@dataclass
class Sizes:
    customers: int = 0
    voices: int = 0
    sentences: int = 0
    wishes: int = 0
    themes: int = 0
    cases: int = 0
    events: int = 0
    feedback: int = 0


def _choice(randomness: random.Random, weights: dict[str, float]) -> str:
    return randomness.choices(list(weights), weights=list(weights.values()))[0]


def _chooser(weights: dict[str, float]) -> Callable[[random.Random], str]:
    names, cumulative = list(weights), []
    total = 0.0
    for weight in weights.values():
        total += weight
        cumulative.append(total)

    def choose(randomness: random.Random) -> str:
        return randomness.choices(names, cum_weights=cumulative)[0]

    return choose


def _moment(randomness: random.Random) -> datetime:
    """A time in the two years, more often recently (growth) and less often at weekends."""
    while True:
        age = DAYS * (1 - math.sqrt(randomness.random()))  # density rises linearly towards the end
        moment = END - timedelta(days=age)
        if moment.weekday() < 5 or randomness.random() < 0.55:
            return moment.replace(microsecond=0)


class _Writer:
    def __init__(self, database: Database) -> None:
        self.database = database

    def write(self, table: Table, columns: list[str], rows: Iterator[tuple[Any, ...]]) -> int:
        written, batch = 0, []
        key = [column.name for column in table.primary_key.columns]
        with self.database.engine.begin() as connection:
            for row in rows:
                batch.append(row)
                if len(batch) >= BATCH:
                    written += insert_ignoring_conflicts(connection, table, columns, batch, key, clashes_possible=False)
                    batch = []
            if batch:
                written += insert_ignoring_conflicts(connection, table, columns, batch, key, clashes_possible=False)
        return written


def generate_store(
    database: Database, voices: int, seed: int = 5, on_step: Callable[[str], None] | None = None
) -> Sizes:
    """Fill an empty store with ``voices`` analysed voices and everything around them."""
    randomness = random.Random(seed)
    writer = _Writer(database)
    sizes = Sizes(customers=max(1, voices // 3))
    step = on_step or (lambda _: None)
    company_of = [
        randomness.choices(range(len(COMPANIES)), [c[3] for c in COMPANIES])[0] for _ in range(sizes.customers)
    ]
    language_of = [
        COMPANIES[company][2]
        if randomness.random() < 0.8
        else _choice(randomness, {"sv": 1, "nb": 1, "nn": 0.3, "da": 1, "en": 1.2})
        for company in company_of
    ]
    segment_of = [_choice(randomness, SEGMENTS) for _ in range(sizes.customers)]
    created = END - timedelta(days=DAYS + 1)
    step("customers")
    writer.write(
        customers_table,
        ["id", "name", "preferred_language", "created_at", "contact_opt_out"],
        ((number + 1, f"Kund {number + 1}", language_of[number], created, False) for number in range(sizes.customers)),
    )
    writer.write(
        identities_table,
        ["id", "customer_id", "kind", "value"],
        ((number + 1, number + 1, "email", f"kund{number + 1}@example.com") for number in range(sizes.customers)),
    )

    step("voices and readings")
    # Customers write several times: a skewed choice, so some customers have many voices.
    # Voice ids in the order the voices came in, as imports give them.
    owners = sorted(
        (
            (min(sizes.customers - 1, int(sizes.customers * randomness.random() ** 1.6)), _moment(randomness))
            for _ in range(voices)
        ),
        key=lambda owner_and_time: (owner_and_time[1], owner_and_time[0]),
    )
    plan = [
        _voice_plan(randomness, number + 1, owner, at, company_of, language_of, segment_of)
        for number, (owner, at) in enumerate(owners)
    ]
    sizes.voices = writer.write(
        voices_table,
        ["id", "customer_id", "channel", "received_at", "text", "content_hash", "dedup_key", "metadata", "created_at"],
        (
            (
                p["id"],
                p["customer"],
                p["channel"],
                p["at"],
                p["text"],
                uuid.uuid4().hex,
                f"bench:{p['id']}",
                p["meta"],
                p["at"],
            )
            for p in plan
        ),
    )
    analysed = datetime(2026, 12, 1, 6, tzinfo=UTC)
    writer.write(
        VoiceAnalysis.__table__,  # type: ignore[arg-type]
        [
            "voice_id",
            "model",
            "tier",
            "analysed_at",
            "language",
            "language_confidence",
            "dominant_act",
            "acts",
            "sentiment",
            "sentiment_score",
            "emotions",
            "topics",
            "expectation_gap",
            "legal_claim",
            "churn_risk",
            "details",
        ],
        (
            (
                p["id"],
                "bench 1.0",
                "fast",
                analysed,
                p["language"],
                0.95,
                p["act"],
                p["acts"],
                p["sentiment"],
                p["score"],
                p["emotions"],
                p["topics"],
                p["flags"][0],
                p["flags"][1],
                p["flags"][2],
                {"flag_details": {"expectation_gap": {"probability": 0.8, "evidence": p["gap_sentence"]}}},
            )
            for p in plan
        ),
    )
    sentence_id = iter(range(1, 10 * voices + 1))
    sizes.sentences = writer.write(
        SentenceAnalysisRow.__table__,  # type: ignore[arg-type]
        [
            "id",
            "voice_id",
            "position",
            "start",
            "end",
            "language",
            "act",
            "act_probability",
            "sentiment",
            "sentiment_score",
            "topics",
        ],
        (
            (
                next(sentence_id),
                p["id"],
                position,
                start,
                end,
                p["language"],
                act,
                0.8,
                p["sentiment"],
                p["score"],
                p["topics"] if act != "other" else [],
            )
            for p in plan
            for position, (start, end, act) in enumerate(p["sentences"])
        ),
    )

    step("wish themes and wishes")
    themes, theme_ids, popularity = _themes(randomness)
    sizes.themes = writer.write(
        WishTheme.__table__,  # type: ignore[arg-type]
        ["id", "company", "title", "language", "status", "created_at", "updated_at"],
        ((t["id"], t["company"], t["title"], t["language"], t["status"], created, created) for t in themes),
    )
    wish_id = iter(range(1, 3 * voices + 1))
    wishes = []
    for p in plan:
        for position, (start, end, act) in enumerate(p["sentences"]):
            if act == "wish":
                company = p["meta"]["company"]
                weights = popularity[company](p["at"])
                theme = randomness.choices(range(len(weights)), weights)[0]
                wishes.append(
                    (
                        next(wish_id),
                        theme_ids[company][theme],
                        p["id"],
                        position,
                        p["customer"],
                        p["text"][start:end],
                        p["language"],
                        b"",
                        p["at"],
                    )
                )
    sizes.wishes = writer.write(
        Wish.__table__,  # type: ignore[arg-type]
        ["id", "theme_id", "voice_id", "position", "customer_id", "text", "language", "vector", "created_at"],
        iter(wishes),
    )

    step("cases, responses and feedback")
    cases, links, events = plan_cases(randomness, plan, END)
    sizes.cases = writer.write(
        Case.__table__,  # type: ignore[arg-type]
        [
            "id",
            "customer_id",
            "channel",
            "topic",
            "language",
            "status",
            "priority",
            "priority_reasons",
            "reading_priority",
            "opened_at",
            "last_customer_at",
            "first_response_due",
            "first_response_at",
            "resolved_at",
            "unanswered_since",
            "reopened_count",
            "created_at",
            "updated_at",
        ],
        iter(cases),
    )
    writer.write(CaseVoice.__table__, ["voice_id", "case_id", "added_at"], iter(links))  # type: ignore[arg-type]
    sizes.events = writer.write(
        CaseEvent.__table__,
        ["id", "case_id", "at", "kind", "actor", "detail"],
        iter(events),  # type: ignore[arg-type]
    )
    wishing = sorted({row[4] for row in wishes})
    told = [customer for customer in wishing if randomness.random() < 0.35]
    sizes.feedback = writer.write(
        OutboundMessage.__table__,  # type: ignore[arg-type]
        [
            "id",
            "idempotency_key",
            "kind",
            "customer_id",
            "channel",
            "recipient",
            "language",
            "subject",
            "body",
            "message_id",
            "status",
            "attempts",
            "created_at",
            "sent_at",
        ],
        (
            (
                number + 1,
                f"feedback:{customer}",
                "feedback",
                customer,
                "email",
                f"kund{customer}@example.com",
                language_of[customer - 1],
                "Tack för ditt önskemål",
                "Vi har planerat det du önskade.",
                f"<bench-{customer}@example.com>",
                "sent",
                1,
                END,
                END,
            )
            for number, customer in enumerate(told)
        ),
    )
    return sizes


Popularity = Callable[[datetime], list[float]]


def _themes(randomness: random.Random) -> tuple[list[dict[str, Any]], dict[str, list[int]], dict[str, Popularity]]:
    """Each company's themes, and for each company the themes' popularity at a time: a Zipf weight that rises or
    falls linearly over the two years."""
    themes: list[dict[str, Any]] = []
    popularity: dict[str, Popularity] = {}
    theme_ids: dict[str, list[int]] = {}
    for company, _, language, _ in COMPANIES:
        ids, base, slope = [], [], []
        for rank in range(THEMES_PER_COMPANY):
            themes.append(
                {
                    "id": len(themes) + 1,
                    "company": company,
                    "title": f"{SENTENCES[language]['wish']} ({rank + 1})",
                    "language": language,
                    "status": _choice(randomness, {"new": 6, "under_review": 2, "planned": 1, "done": 1}),
                }
            )
            ids.append(len(themes))
            base.append(1 / (rank + 1))
            slope.append(randomness.uniform(-0.9, 0.9))
        theme_ids[company] = ids

        def weights(at: datetime, base: list[float] = base, slope: list[float] = slope) -> list[float]:
            progress = 1 - (END - at).days / DAYS  # 0 two years ago, 1 now
            return [b * (1 + s * (progress - 0.5) * 2) for b, s in zip(base, slope, strict=True)]

        popularity[company] = weights
    return themes, theme_ids, popularity


def _voice_plan(
    randomness: random.Random,
    voice_id: int,
    owner: int,
    at: datetime,
    company_of: list[int],
    language_of: list[str],
    segment_of: list[str],
) -> dict[str, Any]:
    company, industry, _, _ = COMPANIES[company_of[owner]]
    language = language_of[owner]
    act = _ACT(randomness)
    mean, spread = SENTIMENT.get(act, (0.0, 0.1))
    score = max(-1.0, min(1.0, randomness.gauss(mean, spread)))
    gap = randomness.random() < FLAGS[act][0]
    legal = randomness.random() < FLAGS[act][1]
    churn = randomness.random() < FLAGS[act][2]
    parts = [act]
    if gap:
        parts.append("gap")
    if act != "wish" and randomness.random() < 0.15:
        parts.append("wish")
    if randomness.random() < 0.3:
        parts.insert(0, "other")
    words = SENTENCES[language]
    text, sentences = "", []
    gap_sentence = 0
    for part in parts:
        sentence = words[part]
        start = len(text) + (1 if text else 0)
        text = f"{text} {sentence}" if text else sentence
        if part == "gap":
            gap_sentence = len(sentences)
        sentences.append((start, start + len(sentence), "complaint" if part == "gap" else part))
    topics = sorted(set(randomness.sample(TOPICS, 1 if randomness.random() < 0.7 else 2)))
    emotions = [name for name, share in EMOTIONS[act].items() if randomness.random() < share]
    return {
        "id": voice_id,
        "customer": owner + 1,
        "channel": _CHANNEL(randomness),
        "at": at,
        "text": text,
        "meta": {"company": company, "industry": industry, "segment": segment_of[owner]},
        "language": language,
        "act": act,
        "acts": sorted({sentence[2] for sentence in sentences}),
        "sentiment": "negative" if score < -0.2 else "positive" if score > 0.2 else "neutral",
        "score": round(score, 3),
        "emotions": emotions,
        "topics": topics,
        "flags": (gap, legal, churn),
        "gap_sentence": gap_sentence,
        "sentences": sentences,
    }


_ACT = _chooser(ACTS)
_CHANNEL = _chooser(CHANNELS)
