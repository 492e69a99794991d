"""A suggested reply in the customer's language, written from what ombud read in their voices.

The draft greets the customer by first name (a neutral greeting when the name
is unknown), acknowledges the strongest emotion read in natural words, takes
each act in turn — thanks for praise, owns a complaint, says that a wish is
recorded and that the customer will hear back, and leaves a marked place for
the agent to answer a question — and, for a legal claim, states the
customer's consumer rights for their country. The words live in Jinja2
templates (``templates/LANGUAGE/reply.txt.j2`` and ``reply_legal.txt.j2``),
which a company can replace with its own (``OMBUD_TEMPLATES_DIR``).

Nothing here touches the database or sends anything: ``replies.py`` gathers
what the draft needs from a case, and the agent edits and sends.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email.utils import parseaddr
from typing import Any

from jinja2 import TemplateError, TemplateNotFound, TemplateSyntaxError, UndefinedError

from ombud.errors import MessageTemplateError
from ombud.loop.templates import LANGUAGES, template
from ombud.settings import get_settings

# The emotion a reply acknowledges: the likeliest of the negative ones, else surprise, else the positive ones.
EMOTION_PRECEDENCE = (
    ("anger", "fear", "sadness", "disgust"),
    ("surprise",),
    ("joy", "trust", "anticipation"),
)
EMOTIONS = tuple(name for group in EMOTION_PRECEDENCE for name in group)
ANSWERED_ACTS = ("praise", "complaint", "wish", "question")
LEGAL_COUNTRIES = ("SE", "NO", "DK")
# The part of a draft that the agent must write before it can be sent: [[…]].
PLACEHOLDER = re.compile(r"\[\[.*?\]\]", re.DOTALL)
QUOTE_CHARS = 200

_COUNTRY_OF_LANGUAGE = {"sv": "SE", "nb": "NO", "nn": "NO", "da": "DK"}
_CALLING_CODES = (("+358", "FI"), ("+46", "SE"), ("+47", "NO"), ("+45", "DK"))
_LANGUAGE_ALIASES = {"no": "nb", "nob": "nb", "nno": "nn", "swe": "sv", "dan": "da", "eng": "en"}
_DEFAULT_SUBJECTS = {
    "sv": "Svar på ditt meddelande",
    "nb": "Svar på henvendelsen din",
    "nn": "Svar på førespurnaden din",
    "da": "Svar på din henvendelse",
    "en": "Reply to your message",
}
_REPLY_PREFIX = re.compile(r"^\s*(re|sv|aw|vs|antw)\s*:", re.IGNORECASE)
_NOT_A_NAME = re.compile(r"[@\d<>]")


@dataclass(frozen=True)
class DraftInput:
    """What a reply answers: the customer, what they said and felt, and how to sign."""

    language: str
    first_name: str | None = None
    emotion: str | None = None
    acts: list[str] = field(default_factory=list)  # praise, complaint, wish, question — in the order said
    wishes: list[str] = field(default_factory=list)  # the customer's own wish sentences, quoted
    questions: list[str] = field(default_factory=list)  # their questions, for the agent to answer
    legal_claim: bool = False
    country: str | None = None  # whose consumer law applies: SE, NO, DK, FI, …
    subject: str | None = None  # of the customer's message
    signature: str = ""


@dataclass(frozen=True)
class Draft:
    """A suggested reply: the agent edits it and sends it; it is never sent as it is."""

    subject: str
    body: str
    language: str
    reasons: list[str]  # what the draft acknowledged and why, for the agent
    emotion: str | None = None
    acts: list[str] = field(default_factory=list)
    legal_claim: bool = False
    country: str | None = None
    case_id: int | None = None
    routed_to: str | None = None  # the team the case was routed to while drafting (claims, for a legal claim)

    @property
    def needs_filling_in(self) -> bool:
        return bool(PLACEHOLDER.search(self.body))


def reply_language(preferred: str | None, read: str | None) -> str:
    """The customer's preferred language when set, else the language read in their voice; English otherwise."""
    if preferred and preferred.strip():
        return _known_language(preferred) or "en"  # one ombud has no templates for: English, not a guess
    return _known_language(read) or "en"


def _known_language(code: str | None) -> str | None:
    if not code:
        return None
    short = re.split(r"[-_]", code.strip().lower())[0]
    short = _LANGUAGE_ALIASES.get(short, short)
    return short if short in LANGUAGES else None


def first_name(name: str | None) -> str | None:
    """The first name to greet with, or None when the name is missing or does not look like a person's name."""
    if not name:
        return None
    name = " ".join(name.split())
    if "," in name:  # "Svensson, Anna"
        name = name.split(",", 1)[1].strip() or name.split(",", 1)[0].strip()
    if not name or _NOT_A_NAME.search(name):
        return None
    first = name.split(" ")[0].strip(".'\"")
    if len(first) < 2:
        return None
    if first.islower() or first.isupper():  # "anna" or "ANNA" as typed: "Anna"
        first = "-".join(part[:1].upper() + part[1:].lower() for part in first.split("-"))
    return first


def acknowledged_emotion(present: list[str], probabilities: dict[str, float]) -> str | None:
    """The one emotion the reply acknowledges, out of those read as present."""
    for group in EMOTION_PRECEDENCE:
        candidates = [name for name in group if name in present]
        if candidates:
            return max(candidates, key=lambda name: probabilities.get(name, 0.0))
    return None


def customer_country(language: str, phones: list[str], default: str) -> str:
    """Whose consumer law a reply states: the language's country for sv, nb, nn and da; for English the
    country of the customer's phone number, else OMBUD_PHONE_COUNTRY."""
    if language in _COUNTRY_OF_LANGUAGE:
        return _COUNTRY_OF_LANGUAGE[language]
    for phone in phones:
        for prefix, country in _CALLING_CODES:
            if phone.startswith(prefix):
                return country
    return default.upper()


def reply_subject(subject: str | None, language: str) -> str:
    """``Re: <their subject>`` (kept as it is when it already is a reply), or a subject in their language."""
    if subject and subject.strip():
        subject = " ".join(subject.split())
        return subject if _REPLY_PREFIX.match(subject) else f"Re: {subject}"
    return _DEFAULT_SUBJECTS.get(language, _DEFAULT_SUBJECTS["en"])


def signature() -> str:
    """The display name of OMBUD_MAIL_FROM (its address when it has none)."""
    display_name, address = parseaddr(get_settings().mail_from)
    return display_name or address or get_settings().mail_from


def quote(text: str) -> str:
    """A customer's sentence as it can be quoted back: on one line, and not too long."""
    line = " ".join(text.split()).strip()
    if len(line) > QUOTE_CHARS:
        line = line[: QUOTE_CHARS - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    return line


def compose(draft_input: DraftInput) -> Draft:
    """Write the draft from the templates of the customer's language."""
    language = draft_input.language if draft_input.language in LANGUAGES else "en"
    acts = [act for act in dict.fromkeys(draft_input.acts) if act in ANSWERED_ACTS]
    emotion = draft_input.emotion if draft_input.emotion in EMOTIONS else None
    country = draft_input.country.upper() if draft_input.country else None
    context: dict[str, Any] = {
        "first_name": draft_input.first_name,
        "emotion": emotion,
        "acts": acts,
        "wishes": [quote(text) for text in draft_input.wishes],
        "questions": [quote(text) for text in draft_input.questions],
        "legal_claim": draft_input.legal_claim,
        "country": country,
        "signature": draft_input.signature,
    }
    body = render(language, "reply", context)
    return Draft(
        subject=reply_subject(draft_input.subject, language),
        body=body,
        language=language,
        reasons=_reasons(draft_input, acts, emotion, country),
        emotion=emotion,
        acts=acts,
        legal_claim=draft_input.legal_claim,
        country=country,
    )


def render(language: str, name: str, context: dict[str, Any]) -> str:
    """Render ``LANGUAGE/NAME.txt.j2``; a template that fails becomes a MessageTemplateError naming file and line."""
    path = f"{language}/{name}.txt.j2"
    try:
        text = template(language, name).render(**context)
    except TemplateSyntaxError as error:
        where = error.filename or error.name or path
        raise MessageTemplateError(f"template {where}, line {error.lineno}: {error.message}") from error
    except TemplateNotFound as error:
        raise MessageTemplateError(f"template {path}: {error.name} is missing") from error
    except UndefinedError as error:
        raise MessageTemplateError(
            f"template {path}: {error.message} (the variables are: {', '.join(sorted(context))})"
        ) from error
    except TemplateError as error:
        raise MessageTemplateError(f"template {path}: {error.message or error}") from error
    return tidy(text)


def tidy(text: str) -> str:
    """One blank line between paragraphs at most, no trailing spaces, one newline at the end."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n") + "\n"


def _reasons(draft_input: DraftInput, acts: list[str], emotion: str | None, country: str | None) -> list[str]:
    reasons = [
        f"greets {draft_input.first_name} by first name"
        if draft_input.first_name
        else "greets neutrally (no first name known)"
    ]
    if emotion:
        reasons.append(f"acknowledges {emotion}")
    for act in acts:
        if act == "praise":
            reasons.append("thanks for the praise")
        elif act == "complaint":
            reasons.append("owns the complaint")
        elif act == "wish":
            reasons.append(f"records {len(draft_input.wishes) or 1} wish(es); the customer will hear back")
        elif act == "question":
            reasons.append(f"{len(draft_input.questions) or 1} question(s) for you to answer where [[…]] stands")
    if draft_input.legal_claim:
        reasons.append(f"legal claim: states the consumer rights in {country or 'their country'}")
    return reasons
