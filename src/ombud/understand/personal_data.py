"""Personal data in a customer's text — identity numbers, phones, e-mail, IBAN and card numbers — for redaction.

A number kind with a check digit is only reported when the check passes and its date is a real date, so an
order number, an amount or a date of the same shape is left alone. A number inside a longer run of digits,
or glued to letters, is something else and never a match. Where two readings claim the same characters, the
more certain one wins.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class PersonalData:
    kind: str
    start: int
    end: int
    text: str
    confidence: float
    evidence: str


# Where a number may start and end: not after or before a letter, a digit, a further digit group ("12 ",
# "12-") or a decimal part, and not after a letter and a dash ("SE-123 45") or a plus (then it is international).
_START = r"(?<![\w+])(?<![0-9][ .,/-])(?<![^\W\d_]-)"
_END = r"(?!\w)(?![ .,/-][0-9])"

# Swedish YYMMDD-NNNC / YYYYMMDD-NNNC and Danish DDMMYY-SSSS share one shape; which it is gets decided below.
_IDENTITY_TEN = re.compile(
    _START + r"(?P<century>1[89]|20)?(?P<date>[0-9]{6})(?P<separator>[-+]?)(?P<serial>[0-9]{4})" + _END
)
# Norwegian DDMMYYIIIKK, sometimes with a space after the date.
_IDENTITY_ELEVEN = re.compile(_START + r"(?P<date>[0-9]{6}) ?(?P<serial>[0-9]{5})" + _END)
# local@domain.tld: domain labels start and end with a letter or digit and the last is letters, so a full stop
# after the address stays outside it.
_EMAIL = re.compile(
    r"(?<![\w.%+'-])[\w.%+'-]+@[^\W_](?:[\w-]*[^\W_])?(?:\.[^\W_](?:[\w-]*[^\W_])?)*\.[^\W\d_]{2,}(?![\w@])"
)
# An IBAN run: country, check digits, then single characters each maybe after one space, so that matching stays
# linear; where the account ends inside the run is found by the mod-97 check (the run may swallow a word after it).
_IBAN_RUN = re.compile(r"(?<!\w)[A-Za-z]{2}[0-9]{2}(?: ?[A-Za-z0-9])+")
_DIGIT_RUN = re.compile(_START + r"[0-9](?:[ -]?[0-9])*")
# "+47 912 34 567", "+46 (0)70-123 45 67", "0045 20 12 34 56", "+44 7700 900412"; "00" only before a Nordic code.
_PHONE_INTERNATIONAL = re.compile(
    r"(?<![\w+])(?:\+|00(?=45|46|47|298|299|354|358))(?P<number>[1-9][0-9]{0,2}(?: ?\(0\))?(?:[ -]?[0-9])+)" + _END
)
# Swedish numbers with their leading 0: "070-123 45 67", "08-123 456 78", "0480-12 34 56", "070-1234567", "0701234567".
_PHONE_SWEDISH = re.compile(
    _START
    + r"(?:0[1-9][0-9]{0,2}(?:-| - | )[0-9]{2,3}(?: [0-9]{2,3}){1,3}|0[1-9][0-9]{0,2}[- ][0-9]{5,8}|07[02369][0-9]{7})"
    + _END
)
# Norwegian and Danish eight digits: "912 34 567" and "91 23 45 67" are grouped as phones; "9123 4567" and
# "91234567" could be anything and need a phone word before them.
_PHONE_NORDIC_GROUPED = re.compile(_START + r"(?:[2-9][0-9]{2} [0-9]{2} [0-9]{3}|[2-9][0-9](?: [0-9]{2}){3})" + _END)
_PHONE_NORDIC_BARE = re.compile(_START + r"(?:[2-9][0-9]{3} ?[0-9]{4})" + _END)

_WORD = re.compile(r"#|[^\W_]+")
_CONTEXT_CHARACTERS = 60  # how far back on the line a phone or order word is looked for
_PHONE_WORDS = ("tlf", "tel", "phone", "mobil", "mob", "cell", "ring", "opring", "uppring", "call", "sms", "whatsapp")
# "nummer" and "number" name a phone only when no order word stands right before them ("order number").
_NUMBER_WORDS = ("num", "nr")
_ORDER_WORDS = (
    "#", "ordre", "order", "beställ", "bestall", "bestill", "faktura", "invoice", "kundn", "kundenr", "kundenum",
    "customer", "ärende", "arende", "case", "booking", "bokning", "konto", "account", "referen", "ticket", "ocr",
    "sändning", "sandning", "tracking", "sporing", "spårning", "kolli", "forsendelse", "medlem", "member", "avtal",
    "aftale", "policy",
)  # fmt: skip
_ORDER_WHOLE_WORDS = frozenset({"sak", "saken", "saksnr", "saksnummer", "sag", "sagen", "sagsnr", "sagsnummer", "ref"})
# A national number gets a little more weight in its own country's language, which settles ties with a phone.
_HOME_LANGUAGES = {
    "personnummer": {"sv"},
    "samordningsnummer": {"sv"},
    "fodselsnummer": {"nb", "nn", "no"},
    "d_nummer": {"nb", "nn", "no"},
    "cpr": {"da"},
}
# Visa 4, Mastercard 51–55 and 2221–2720, Amex 34/37, Discover 6011/65, JCB 35.
_CARD_ISSUERS = re.compile(r"4|5[1-5]|2(?:22[1-9]|2[3-9][0-9]|[3-6][0-9]{2}|7[01][0-9]|720)|3[47]|6011|65|35")


def _luhn_valid(digits: str) -> bool:
    total = 0
    for position, character in enumerate(reversed(digits)):
        value = int(character) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _weighted_sum(digits: str, weights: tuple[int, ...]) -> int:
    return sum(int(digit) * weight for digit, weight in zip(digits, weights, strict=False))


def _norwegian_checks_valid(digits: str) -> bool:
    for weights in ((3, 7, 6, 1, 8, 9, 4, 5, 2), (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)):
        # A remainder of 1 would need check digit 10, so such numbers are never issued and never match.
        if (11 - _weighted_sum(digits, weights) % 11) % 11 != int(digits[len(weights)]):
            return False
    return True


def _danish_check_valid(digits: str) -> bool:
    return _weighted_sum(digits, (4, 3, 2, 7, 6, 5, 4, 3, 2, 1)) % 11 == 0


def _iban_valid(compact: str) -> bool:
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(character, 36)) for character in rearranged)) % 97 == 1


def _real_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _year(two_digits: int, over_hundred: bool = False) -> int:
    """The likeliest full year; its leap years match the other century's except for 00, where 2000 is right."""
    year = 2000 + two_digits if 2000 + two_digits <= date.today().year else 1900 + two_digits
    return year - 100 if over_hundred else year


def _found(
    kind: str, text: str, span: tuple[int, int], confidence: float, evidence: str, language: str
) -> PersonalData:
    if language in _HOME_LANGUAGES.get(kind, ()):
        confidence += 0.15
    start, end = span
    return PersonalData(kind, start, end, text[start:end], round(min(confidence, 0.99), 2), evidence)


def _group_ends(run: str, separators: str, shortest: int, longest: int) -> list[int]:
    """Where a run of groups may end, longest first: after a whole group, with shortest..longest characters kept."""
    ends, kept = [], 0
    for index, character in enumerate(run):
        if character in separators:
            if shortest <= kept <= longest:
                ends.append(index)
        else:
            kept += 1
    if shortest <= kept <= longest:
        ends.append(len(run))
    return ends[::-1]


def _identity_ten(text: str, language: str) -> Iterator[PersonalData]:
    for match in _IDENTITY_TEN.finditer(text):
        century, six, separator, serial = match.group("century", "date", "separator", "serial")
        first, middle, last = int(six[:2]), int(six[2:4]), int(six[4:])
        # Swedish: YYMMDD, the day + 60 for a samordningsnummer, and a Luhn digit over the last ten digits.
        year = int(century) * 100 + first if century else _year(first, separator == "+")
        swedish_kind = "samordningsnummer" if last > 60 else "personnummer"
        swedish_date = _real_date(year, middle, last - 60 if last > 60 else last)
        luhn = _luhn_valid(six + serial)
        # Danish: DDMMYY, only in the ten-digit form with "-" or no separator; the mod-11 check is optional.
        danish_date = None if century or separator == "+" else _real_date(_year(last), middle, first)
        mod_eleven = _danish_check_valid(six + serial)
        swedish = swedish_date is not None and luhn
        # Both readings possible: the language decides, else the Swedish one, whose check digit is never optional.
        danish_preferred = language == "da" if swedish and danish_date is not None else danish_date is not None
        if swedish and swedish_date is not None and not danish_preferred:
            confidence = 0.97 if century and separator else 0.93 if century or separator else 0.8
            plus_sixty = " (day + 60)" if swedish_kind == "samordningsnummer" else ""
            evidence = f"date {swedish_date.isoformat()} valid{plus_sixty}; Luhn check digit valid"
            if danish_date is not None:
                confidence -= 0.1
                evidence += "; also a possible Danish CPR"
            yield _found(swedish_kind, text, match.span(), confidence, evidence, language)
        elif danish_date is not None:
            confidence = (0.95 if mod_eleven else 0.75) if separator else (0.85 if mod_eleven else 0.6)
            check = "mod-11 check valid" if mod_eleven else "no mod-11 check (not required since 2007)"
            evidence = f"date {danish_date.isoformat()} valid; {check}"
            if swedish:
                confidence -= 0.1
                evidence += "; also a possible Swedish personnummer"
            yield _found("cpr", text, match.span(), confidence, evidence, language)


def _identity_eleven(text: str, language: str) -> Iterator[PersonalData]:
    for match in _IDENTITY_ELEVEN.finditer(text):
        digits = match.group("date") + match.group("serial")
        day, month, year = int(digits[:2]), int(digits[2:4]), _year(int(digits[4:6]))
        kind = "d_nummer" if day > 40 else "fodselsnummer"
        born = _real_date(year, month, day - 40 if day > 40 else day)
        if born is not None and _norwegian_checks_valid(digits):
            plus_forty = " (day + 40)" if kind == "d_nummer" else ""
            evidence = f"date {born.isoformat()} valid{plus_forty}; mod-11 check digits valid"
            yield _found(kind, text, match.span(), 0.97, evidence, language)


def _emails(text: str, language: str) -> Iterator[PersonalData]:
    for match in _EMAIL.finditer(text):
        yield _found("email", text, match.span(), 0.99, "name@domain.tld shape", language)


def _ibans(text: str, language: str) -> Iterator[PersonalData]:
    for match in _IBAN_RUN.finditer(text):
        # The run may swallow a word after the account: the longest ending at a group end that passes is it.
        for end in _group_ends(match.group(), " ", 15, 34):
            compact = match.group()[:end].replace(" ", "").upper()
            if _iban_valid(compact):
                span = (match.start(), match.start() + end)
                yield _found("iban", text, span, 0.97, f"{compact[:2]} IBAN; mod-97 check valid", language)
                break


def _cards(text: str, language: str) -> Iterator[PersonalData]:
    for match in _DIGIT_RUN.finditer(text):
        if match.group().isdigit() and _context(text, match.start(), 2) == "order":
            continue  # "OCR 4000123456789010": a payment reference may pass Luhn too
        # A card may be followed by its expiry or another group: the longest ending that passes is the card.
        for end in _group_ends(match.group(), " -", 13, 19):
            digits = re.sub(r"[ -]", "", match.group()[:end])
            if _CARD_ISSUERS.match(digits) and _luhn_valid(digits):
                evidence = f"{len(digits)} digits, issuer prefix {digits[:2]}; Luhn check digit valid"
                yield _found("card", text, (match.start(), match.start() + end), 0.95, evidence, language)
                break


def _context(text: str, start: int, words: int) -> str | None:
    """What the nearest telling word among the last few on the line names: a "phone", an "order" or nothing."""
    line_start = text.rfind("\n", max(0, start - _CONTEXT_CHARACTERS), start) + 1
    window_start = max(line_start, start - _CONTEXT_CHARACTERS)
    tokens = [token.lower() for token in _WORD.findall(text, window_start, start)][-words:]
    for index in range(len(tokens) - 1, -1, -1):
        token = tokens[index]
        if token in _ORDER_WHOLE_WORDS or token.startswith(_ORDER_WORDS):
            return "order"
        if token.startswith(_PHONE_WORDS):
            return "phone"
        if token.startswith(_NUMBER_WORDS):
            before = tokens[index - 1] if index else ""
            return "order" if before in _ORDER_WHOLE_WORDS or before.startswith(_ORDER_WORDS) else "phone"
    return None


def _international_phones(text: str, language: str) -> Iterator[PersonalData]:
    for match in _PHONE_INTERNATIONAL.finditer(text):
        digits = re.sub(r"[^0-9]", "", match.group("number").replace("(0)", ""))
        country, national = digits[:2], digits[2:]
        if country == "46" and national.startswith("0"):
            national = national[1:]  # "+46 070-…": the trunk 0 written anyway
        if (country in ("45", "47") and len(national) == 8) or (country == "46" and 7 <= len(national) <= 9):
            yield _found("phone", text, match.span(), 0.95, f"+{country} and {len(national)} national digits", language)
        elif country not in ("45", "46", "47") and 8 <= len(digits) <= 15:
            yield _found("phone", text, match.span(), 0.85, f"international number, {len(digits)} digits", language)


def _national_phones(text: str, language: str) -> Iterator[PersonalData]:
    for pattern, confidence, shape in (
        (_PHONE_SWEDISH, 0.85, "Swedish number with area code"),
        (_PHONE_NORDIC_GROUPED, 0.8, "eight digits in phone grouping"),
        (_PHONE_NORDIC_BARE, 0.7, "eight digits"),
    ):
        for match in pattern.finditer(text):
            digits = sum(character.isdigit() for character in match.group())
            if pattern is _PHONE_SWEDISH and not 8 <= digits <= 10:
                continue
            if _context(text, match.start(), 2) == "order":
                continue  # "Ordrenr 482 13 377"
            after_phone_word = _context(text, match.start(), 4) == "phone"
            if pattern is _PHONE_NORDIC_BARE and not after_phone_word:
                continue  # "48213377" alone could as well be an order, a case or an amount
            weight = (0.7 if match.group().isdigit() else confidence) + (0.15 if after_phone_word else 0)
            evidence = shape + (" after a phone word" if after_phone_word else "")
            yield _found("phone", text, match.span(), weight, evidence, language)


def find_personal_data(text: str, language: str | None = None) -> list[PersonalData]:
    """Personal data in ``text``, non-overlapping and in order; ``language`` (sv, nb, nn, da, en) settles ties."""
    if not isinstance(text, str) or not text:
        return []
    language = language.lower()[:2] if isinstance(language, str) else ""
    # Each kind needs a least number of digits (a phone 8, an identity number 10 or 11, a card 13, an IBAN 2):
    # a text with fewer is not searched for it, which most texts are not, and saves the regular expressions.
    digits = sum(map(text.count, "0123456789"))
    candidates = [
        *(_identity_ten(text, language) if digits >= 10 else ()),
        *(_identity_eleven(text, language) if digits >= 11 else ()),
        *(_emails(text, language) if "@" in text else ()),
        *(_ibans(text, language) if digits >= 2 else ()),
        *(_cards(text, language) if digits >= 13 else ()),
        *(_international_phones(text, language) if digits >= 8 else ()),
        *(_national_phones(text, language) if digits >= 8 else ()),
    ]
    # The most certain, then the longest, reading of each stretch of text wins.
    starts: list[int] = []
    chosen: list[PersonalData] = []
    for candidate in sorted(candidates, key=lambda item: (-item.confidence, item.start - item.end, item.start)):
        index = bisect_left(starts, candidate.start)
        if (index and chosen[index - 1].end > candidate.start) or (
            index < len(chosen) and chosen[index].start < candidate.end
        ):
            continue
        starts.insert(index, candidate.start)
        chosen.insert(index, candidate)
    return chosen


def redact(text: str, spans: list[PersonalData] | None = None, mask: str = "[{kind}]") -> str:
    """``text`` with each span replaced by ``mask`` formatted with its kind; finds the spans itself if none given.

    Spans are offsets into ``text``; where given spans overlap, their union is masked, so nothing leaks.
    """
    if not isinstance(text, str):
        return ""
    if spans is None:
        spans = find_personal_data(text)
    pieces: list[str] = []
    position = 0
    for span in sorted(spans, key=lambda item: (item.start, -item.end)):
        start, end = max(span.start, position), min(span.end, len(text))
        if start >= end:
            continue  # inside a span already masked, or outside the text
        try:
            replacement = mask.format(kind=span.kind)
        except (KeyError, IndexError, ValueError, AttributeError):
            replacement = mask.replace("{kind}", span.kind)  # a mask with other braces still masks
        pieces.extend((text[position:start], replacement))
        position = end
    pieces.append(text[position:])
    return "".join(pieces)
