"""Which column holds what: header names in sv, nb, nn, da and en, and the --map option."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from ombud.capture.problems import problem
from ombud.errors import ColumnMappingError, MappingOptionError

# Header names each field is recognised by, strongest first, after folding
# (lower case, å/ä→a, ö/ø→o, æ→ae, without spaces and punctuation).
HEADER_NAMES: dict[str, tuple[str, ...]] = {
    "text": (
        "text",
        "tekst",
        "kommentar",
        "kommentarer",
        "meddelande",
        "meddelelse",
        "melding",
        "besked",
        "tilbakemelding",
        "tilbakemeldingar",
        "tilbakemeldinger",
        "tilbagemelding",
        "aterkoppling",
        "feedback",
        "message",
        "comment",
        "comments",
        "fritext",
        "fritekst",
        "body",
        "innehall",
        "innhald",
        "innhold",
        "indhold",
        "beskrivning",
        "beskrivelse",
        "review",
        "omdome",
        "anmeldelse",
        "omtale",
        "synpunkt",
        "synpunkter",
        "svar",
        "answer",
        "response",
    ),
    "customer_email": (
        "customeremail",
        "epost",
        "email",
        "mail",
        "epostadress",
        "epostadresse",
        "emailadresse",
        "emailaddress",
        "mejl",
        "kundepost",
        "kundensepost",
    ),
    "customer_phone": (
        "customerphone",
        "telefon",
        "telefonnummer",
        "telefonnr",
        "tlf",
        "tlfnr",
        "tel",
        "mobil",
        "mobilnummer",
        "mobile",
        "phone",
        "phonenumber",
    ),
    "customer_name": (
        "customername",
        "namn",
        "navn",
        "name",
        "kundnamn",
        "kundenavn",
        "kundenamn",
        "kund",
        "kunde",
        "customer",
        "fulltnavn",
        "fullname",
    ),
    "customer_id": (
        "customerid",
        "kundnummer",
        "kundenummer",
        "kundnr",
        "kundenr",
        "kundid",
        "kundeid",
        "customernumber",
        "medlemsnummer",
        "userid",
        "brukerid",
        "brugerid",
        "anvandarid",
    ),
    "customer_language": ("customerlanguage", "sprak", "sprog", "language", "lang", "malform"),
    "received_at": (
        "receivedat",
        "datum",
        "dato",
        "date",
        "tidpunkt",
        "tidspunkt",
        "timestamp",
        "tid",
        "time",
        "datetime",
        "created",
        "createdat",
        "skapad",
        "opprettet",
        "oppretta",
        "oprettet",
        "mottatt",
        "motteke",
        "mottagen",
        "modtaget",
        "inkom",
        "received",
        "svarsdatum",
        "besvart",
    ),
    "external_id": (
        "externalid",
        "id",
        "svarid",
        "responseid",
        "responsid",
        "arendeid",
        "arendenummer",
        "saksnummer",
        "sagsnummer",
        "saksnr",
        "sagsnr",
        "ticket",
        "ticketid",
        "caseid",
        "referens",
        "referanse",
        "reference",
        "reviewid",
    ),
    "subject": ("subject", "amne", "emne", "rubrik", "overskrift", "tittel", "titel", "title"),
    "channel": ("channel", "kanal"),
    "company": (
        "company",
        "foretag",
        "selskap",
        "selskab",
        "firma",
        "virksomhed",
        "verksamhet",
        "brand",
        "segment",
    ),
    "industry": ("industry", "bransch", "bransje", "branche"),
    "rating": (
        "rating",
        "betyg",
        "stjarnor",
        "stjerner",
        "karakter",
        "stars",
        "score",
        "vurdering",
        "bedommelse",
        "terningkast",
    ),
}
FIELDS = tuple(HEADER_NAMES)
IDENTITY_FIELDS = ("customer_email", "customer_phone", "customer_id")

_FOLD = str.maketrans({"å": "a", "ä": "a", "ö": "o", "ø": "o", "æ": "ae", "é": "e", "ü": "u"})
_NOT_ALNUM = re.compile(r"[^a-z0-9]")


def fold_header(name: str) -> str:
    return _NOT_ALNUM.sub("", name.strip().lstrip("\ufeff").lower().translate(_FOLD))


def parse_map_option(option: str | None) -> dict[str, str]:
    """Read ``text=Kommentar,customer_email=E-post`` into {field: column}."""
    mapping: dict[str, str] = {}
    if not option:
        return mapping
    for part in option.split(","):
        field, equals, column = part.partition("=")
        field = field.strip()
        if not equals or not column.strip():
            raise MappingOptionError(f"--map: {part.strip()!r} is not FIELD=COLUMN")
        if field not in FIELDS:
            raise MappingOptionError(f"--map: unknown field {field!r}; the fields are {', '.join(FIELDS)}")
        mapping[field] = column.strip()
    return mapping


def map_columns(path: Path, headers: Sequence[str], explicit: dict[str, str]) -> dict[str, str]:
    """Return {field: header} for every field found, checking that text and a customer are there."""
    by_fold = {fold_header(header): header for header in reversed(headers)}
    mapping: dict[str, str] = {}
    for field, column in explicit.items():
        if column not in headers:
            found = by_fold.get(fold_header(column))
            if found is None:
                raise ColumnMappingError(path, problem("map_no_column", field=field, column=column), list(headers))
            column = found
        mapping[field] = column
    taken = set(mapping.values())
    for field, names in HEADER_NAMES.items():
        if field in mapping:
            continue
        for name in names:
            header = by_fold.get(name)
            if header is not None and header not in taken:
                mapping[field] = header
                taken.add(header)
                break
    if "text" not in mapping:
        raise ColumnMappingError(path, problem("no_text_column"), list(headers))
    if not any(field in mapping for field in IDENTITY_FIELDS):
        raise ColumnMappingError(path, problem("no_customer_column"), list(headers))
    return mapping
