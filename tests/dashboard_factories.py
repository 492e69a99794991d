"""A small store whose dashboard is known by hand, for the tests of the insight API, the dashboard page, the
drill-down and the HTML report: six voices in sv, nb, nn, da and en over January and February 2026 (Stockholm),
two companies, personal data and a customer's own name in the quoted sentences, markup in a customer's words
and in a theme's title, two wish themes, and every voice in a case."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from case_factories import customer, read, voice
from ombud.loop.cases import update_cases
from ombud.store import Database
from ombud.store.models import Voice, Wish, WishTheme

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
PHONE = "070-123 45 67"
NAME = "Jens Hansen"
MARKUP = "<script>alert(1)</script>"
APP_TITLE = "En app <b>nu</b>"
COMPANIES = ("Kvikk Mobil", "Ljusbanken")

# name: language, company, industry, segment, channel, received (UTC), act, sentiment score, emotions,
# topics per sentence, flags, the sentence that shows them, customer name, text
VOICES: dict[str, tuple[Any, ...]] = {
    "sv1": (
        "sv", "Kvikk Mobil", "telecom", "private", "email", datetime(2026, 1, 12, 9, 0, tzinfo=UTC),
        "complaint", -0.9, ["anger"], [[], ["delivery"]], {"expectation_gap"}, 1, None,
        f"Hej! Ni lovade leverans inom två dagar men det tog två veckor, ring mig på {PHONE}.",
    ),
    "nb1": (
        "nb", "Kvikk Mobil", "telecom", "private", "chat", datetime(2026, 1, 20, 14, 0, tzinfo=UTC),
        "wish", 0.2, ["anticipation"], [["digital"]], set(), 0, None,
        "Det hadde vært fint med en app for fakturaene.",
    ),
    "nn1": (
        "nn", "Ljusbanken", "bank", "business", "review", datetime(2026, 2, 10, 10, 0, tzinfo=UTC),
        "praise", 0.8, ["joy"], [["staff"]], set(), 0, None,
        "Takk for god hjelp i dag, de var svært hjelpsame.",
    ),
    "da1": (
        "da", "Ljusbanken", "bank", "business", "email", datetime(2026, 2, 15, 8, 0, tzinfo=UTC),
        "complaint", -0.5, ["fear", "anger"], [["price"], ["contract"]],
        {"expectation_gap", "legal_claim", "churn_risk"}, 1, NAME,
        f"Prisen steg uden varsel. I lovede mig en fast pris, {NAME}, men nu opsiger jeg aftalen.",
    ),
    "en1": (
        "en", "Kvikk Mobil", "telecom", None, "chat", datetime(2026, 2, 20, 16, 0, tzinfo=UTC),
        "question", 0.0, ["anger"], [["delivery"]], {"expectation_gap"}, 0, None,
        f"You promised the SIM card by Friday {MARKUP} and it is still not here?",
    ),
    "sv2": (
        "sv", "Ljusbanken", "bank", "private", "email", datetime(2026, 2, 25, 12, 0, tzinfo=UTC),
        "wish", -0.3, ["anger"], [["availability"]], set(), 0, None,
        "Snälla, öppna kundtjänsten på söndagar.",
    ),
}  # fmt: skip


def build_store(database: Database) -> dict[str, int]:
    """The store; returns {name: voice id} and {"theme:app", "theme:sunday": theme id}. Themes: "app" (nb1) and
    "sunday" (sv2 and en1: two customers, two voices)."""
    ids: dict[str, int] = {}
    with database.session() as session:
        for name, row in VOICES.items():
            language, company, industry, segment, channel, received, act, score, felt, topics, flags, at, who, text = (
                row
            )
            person = customer(session, f"{name}@example.com", name=who, language=language)
            spoken = voice(session, person, text, received, channel=channel)
            spoken.meta = {"company": company, "industry": industry, **({"segment": segment} if segment else {})}
            read(
                session,
                spoken,
                language=language,
                act=act,
                topics=topics,
                sentiment=score,
                emotions=dict.fromkeys(felt, 0.9),
                evidence=at,
                **{flag: True for flag in flags},
            )
            ids[name] = spoken.id
        for key, company, title, names in (
            ("app", "Kvikk Mobil", APP_TITLE, ["nb1"]),
            ("sunday", "Ljusbanken", "Söndagsöppet", ["sv2", "en1"]),
        ):
            theme = WishTheme(company=company, title=title, language="sv")
            session.add(theme)
            session.flush()
            ids[f"theme:{key}"] = theme.id
            for name in names:
                spoken = session.get_one(Voice, ids[name])
                session.add(
                    Wish(
                        theme_id=theme.id,
                        voice_id=spoken.id,
                        position=0,
                        customer_id=spoken.customer_id,
                        text=spoken.text,
                        language=VOICES[name][0],
                        vector=b"\0" * 8,
                    )
                )
        session.commit()
        update_cases(session, NOW)
        session.commit()
    return ids
