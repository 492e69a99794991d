"""The columns of each export level, declared once: name, kind, meaning, and whether they hold personal data.

The writers take the kind to type a column (Parquet) or to write its values (CSV); docs/export.md describes
the same columns, and a test keeps the two in step.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["integer", "number", "text", "time", "flag", "labels"]
LEVELS = ("voice", "sentence", "theme")


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    meaning: str
    # Masked unless the export is made with personal data by someone allowed to see it.
    personal: bool = False


VOICE_COLUMNS = (
    Column("voice_id", "integer", "The voice's number in ombud."),
    Column("received_at", "time", "When the customer sent it, in UTC."),
    Column("channel", "text", "email, chat, review, survey, call_note, … as imported."),
    Column("company", "text", "The company the voice was given to (import metadata `company`)."),
    Column("industry", "text", "The company's industry (import metadata `industry`)."),
    Column("language", "text", "The language ombud read (sv, nb, nn, da, en, fi, other), else the one imported."),
    Column("customer_id", "integer", "The customer's number in ombud: the same customer has the same number."),
    Column(
        "customer_identity_kind", "text", "What `customer_identity` is: email, phone or external (another system's id)."
    ),
    Column(
        "customer_identity",
        "text",
        "The customer's e-mail, else phone, else customer number in another system; masked as [email], "
        "[phone] or [external].",
        personal=True,
    ),
    Column("customer_name", "text", "The customer's name; masked as [name].", personal=True),
    Column("text", "text", "What the customer wrote; personal data in it masked as [kind].", personal=True),
    Column("subject", "text", "The e-mail subject, masked like the text.", personal=True),
    Column("personal_data", "labels", "The kinds of personal data found in the text and subject (phone, …)."),
    Column("dominant_act", "text", "complaint, praise, wish, question or other (empty: not read yet)."),
    Column("acts", "labels", "Every act of the voice's sentences."),
    Column("sentiment", "text", "negative, neutral or positive."),
    Column("sentiment_score", "number", "From -1 (very negative) to 1 (very positive)."),
    Column("emotions", "labels", "Plutchik's emotions the voice expresses."),
    Column("topics", "labels", "The topics of its sentences."),
    Column("expectation_gap", "flag", "A promise or expectation that delivery broke."),
    Column("legal_claim", "flag", "The customer invokes consumer rights."),
    Column("churn_risk", "flag", "The customer says they will leave."),
    Column("case_id", "integer", "The case the voice belongs to (empty: in none yet)."),
    Column("case_status", "text", "open, answered, waiting or resolved."),
    Column("model", "text", "The reader model (name and version) that read the voice."),
)

SENTENCE_COLUMNS = (
    Column("voice_id", "integer", "The voice the sentence is part of."),
    Column("position", "integer", "The sentence's place in the voice, from 0."),
    Column("received_at", "time", "When the voice was sent, in UTC."),
    Column("channel", "text", "The voice's channel."),
    Column("company", "text", "The voice's company."),
    Column("text", "text", "The sentence; personal data in it masked as [kind].", personal=True),
    Column("language", "text", "The sentence's language."),
    Column("act", "text", "complaint, praise, wish, question or other."),
    Column("act_probability", "number", "How sure the reader is of the act (0–1)."),
    Column("sentiment", "text", "negative, neutral or positive."),
    Column("sentiment_score", "number", "From -1 to 1."),
    Column("topics", "labels", "The sentence's topics."),
)

THEME_COLUMNS = (
    Column("theme_id", "integer", "The wish theme's number (as in `ombud wish show`)."),
    Column("company", "text", "The board the theme is on."),
    Column("title", "text", "The theme's title; personal data in it masked.", personal=True),
    Column("status", "text", "new, under_review, planned, in_progress, done or declined."),
    Column("status_note", "text", "What was decided and why; personal data in it masked.", personal=True),
    Column("customers", "integer", "Distinct customers who wished it (within the filter)."),
    Column("wishes", "integer", "Wish sentences in it (within the filter)."),
    Column("first_wish_at", "time", "When the earliest of those wishes was sent, in UTC."),
    Column("last_wish_at", "time", "When the latest was sent, in UTC."),
    Column("languages", "labels", "The languages the wishes are written in."),
    Column("channels", "labels", "The channels they came through."),
    Column("quote", "text", "The most central of those wishes (nearest their mean vector); masked.", personal=True),
)

COLUMNS: dict[str, tuple[Column, ...]] = {
    "voice": VOICE_COLUMNS,
    "sentence": SENTENCE_COLUMNS,
    "theme": THEME_COLUMNS,
}
