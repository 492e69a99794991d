"""Splitting a customer's text into sentences, with their offsets.

Customers write without punctuation, across line breaks, with emoji for full
stops, in lists, and end with a signature. The rules, in order:
- a signature block (a sign-off line and the short lines after it, or short
  name/contact lines closing the text) is one sentence;
- every other line break ends a sentence;
- within a line, a sentence ends after . ! ? … or an emoji, when whitespace
  follows — but not after a known abbreviation, an ordinal date ("3. maj") or
  a number ("kl. 14.30").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ombud.signoffs import is_sign_off


@dataclass(frozen=True, slots=True)
class Sentence:
    text: str
    start: int
    end: int


# Abbreviations after which a full stop does not end the sentence (lower case, without the final dot).
ABBREVIATIONS = frozenset(
    {
        "t.ex",
        "bl.a",
        "f.eks",
        "m.m",
        "m.fl",
        "o.s.v",
        "osv",
        "dvs",
        "d.v.s",
        "ca",
        "kl",
        "nr",
        "tel",
        "tlf",
        "ev",
        "evt",
        "inkl",
        "exkl",
        "ang",
        "jfr",
        "resp",
        "mr",
        "mrs",
        "ms",
        "dr",
        "st",
        "e.g",
        "i.e",
        "etc",
        "vs",
        "approx",
        "no",
        "obs",
        "pga",
        "p.g.a",
        "s.k",
        "f.d",
        "mht",
        "m.h.t",
        "vha",
        "t.o.m",
        "fr.o.m",
        "ifm",
        "iflg",
        "iht",
        "jf",
        "pkt",
    }
)
_END = re.compile(r"[.!?…]+[\"')\]]*(?=\s)")
# Emoji and pictographs (and their modifiers), which customers use as full stops.
_EMOJI = re.compile(
    "[\U0001f300-\U0001faff\u2600-\u27bf\u2b50\u2b55\u231a-\u231b\u23e9-\u23fa\ufe0f\u200d\U0001f1e6-\U0001f1ff]+"
    r"(?=\s)"
)
_MONTHS = re.compile(r"^\s*(jan|feb|mar|apr|mai|maj|may|jun|jul|aug|sep|okt|oct|nov|des|dec)", re.IGNORECASE)
_WORD_BEFORE = re.compile(r"([\w.]+)$")
_CONTACT_LINE = re.compile(r"^[\w\s.,'@+()/-]{1,60}$")
_SIGNATURE_MAX_LINES = 5


def _line_spans(text: str) -> list[tuple[int, int]]:
    spans, position = [], 0
    for line in text.splitlines(keepends=True):
        stripped = line.rstrip("\r\n")
        spans.append((position, position + len(stripped)))
        position += len(line)
    return spans


def _looks_like_contact(line: str) -> bool:
    """A name, phone, e-mail, city or customer number line: short, no sentence punctuation."""
    words = line.split()
    return 0 < len(words) <= 5 and _CONTACT_LINE.match(line) is not None and not line.rstrip().endswith(("?", "!"))


def _signature_start(text: str, lines: list[tuple[int, int]]) -> int | None:
    """Index of the first line of the closing signature block, if the text ends with one."""
    content = [index for index, (start, end) in enumerate(lines) if text[start:end].strip()]
    tail = content[-_SIGNATURE_MAX_LINES:]
    for index in tail:
        start, end = lines[index]
        if is_sign_off(text[start:end]):
            after = [i for i in content if i > index]
            if all(_looks_like_contact(text[lines[i][0] : lines[i][1]]) for i in after):
                return index
    return None


def _word_before(line: str, end: int) -> str:
    """The run of word characters and dots that ends at ``end``, lower-cased. Looked for in the last few
    characters first: searching the whole line before every full stop made long lines quadratic."""
    window = max(0, end - 48)
    found = _WORD_BEFORE.search(line, window, end)
    if found and found.start() == window and window:  # the run may go on before the window
        found = _WORD_BEFORE.search(line, 0, end)
    return found.group(1).lower() if found else ""


def _breaks_within(line: str) -> list[int]:
    """Offsets in the line after which a sentence ends."""
    cuts: list[int] = []
    for match in _END.finditer(line):
        end = match.end()
        if match.group().startswith(".") and len(match.group().rstrip("\"')]")) == 1:
            word = _word_before(line, match.start())
            if word in ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
                continue
            following = line[end:].lstrip()[:1]
            if word.isdigit() and (_MONTHS.match(line[end:]) or following.isdigit() or following.islower()):
                continue  # ordinals and times: "den 3. maj", "hvert 15. minut", "kl. 14. 30"
        cuts.append(end)
    cuts.extend(match.end() for match in _EMOJI.finditer(line))
    return sorted(set(cuts))


def _trimmed(text: str, start: int, end: int) -> Sentence | None:
    piece = text[start:end]
    left = len(piece) - len(piece.lstrip())
    right = len(piece.rstrip())
    if right <= left:
        return None
    return Sentence(piece[left:right], start + left, start + right)


def split_sentences(text: str) -> list[Sentence]:
    """The sentences of ``text`` in order; ``text[s.start:s.end] == s.text`` for each."""
    lines = _line_spans(text)
    signature = _signature_start(text, lines)
    sentences: list[Sentence] = []
    for index, (line_start, line_end) in enumerate(lines):
        if signature is not None and index >= signature:
            block = _trimmed(text, line_start, lines[-1][1])
            if block:
                sentences.append(block)
            break
        line = text[line_start:line_end]
        cut_start = 0
        for cut in [*_breaks_within(line), len(line)]:
            sentence = _trimmed(text, line_start + cut_start, line_start + cut)
            if sentence:
                sentences.append(sentence)
            cut_start = cut
    return sentences
