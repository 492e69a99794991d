"""Readable theme titles and quotes: a wish cleaned of greetings and fillers, shortened at a word boundary."""

from __future__ import annotations

import re

TITLE_CHARS = 70

# Greetings, list markers and fillers a wish often starts with, in the five languages.
_LEADING = re.compile(
    r"""(?:
        \s+
      | [-–•*>]+
      | \(?\d{1,2}[.):]\s*                                   # 1. 2) 3:
      | (?:hej|hejsan|hallå|hei|heisann|hallo|halla|hi|hello|hey|dear|kære|kaere|kjære|kjaere|
           tjena|tja|god\s+(?:dag|morgon|morgen|kväll|kveld|aften))\b[\s,!.:]*
      | (?:och|og|and|också|også|ogso|also|men|but|så|so|btw|ps|p\.s\.|förresten|forresten|
           for\s+det\s+(?:første|andre|tredje)|för\s+det\s+(?:första|andra)|
           en\s+(?:liten\s+)?(?:grej|sak|ting)\s+bara|bara|just|kanskje|kanske|måske|maybe|perhaps|
           snälla|please|pls|plz|gärna|gjerne|gerne|venligst|vennligst|
           et\s+forslag|ett\s+förslag|forslag|förslag|suggestion|idé|ide|idea|tips)\b[\s,!.:;-]*
      | [\U0001F300-\U0001FAFF\u2600-\u27BF\uFE0F]+
    )""",
    re.IGNORECASE | re.VERBOSE,
)
_TRAILING = re.compile(r"[\s,;:.!?…\-–\U0001F300-\U0001FAFF\u2600-\u27BF\uFE0F()]+$")
_SPACES = re.compile(r"\s+")


def filler_offset(text: str) -> int:
    """How many characters of greeting, list marker and filler ``text`` starts with (repeatedly)."""
    position = 0
    while True:
        match = _LEADING.match(text, position)
        if match is None or match.end() == position:
            return position
        # Never strip the whole wish ("Snälla!" stays as it is).
        if not text[match.end() :].strip(" ,.!?:;-"):
            return position
        position = match.end()


def cleaned(text: str) -> str:
    """The wish without leading greeting or filler or trailing punctuation, on one line, first letter capital."""
    core = _SPACES.sub(" ", text[filler_offset(text) :]).strip()
    core = _TRAILING.sub("", core) or core
    return core[:1].upper() + core[1:]


def shortened(text: str, limit: int = TITLE_CHARS) -> str:
    """At most ``limit`` characters, cut at a word boundary with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return _TRAILING.sub("", cut) + "…"


def title_of(text: str) -> str:
    return shortened(cleaned(text))
