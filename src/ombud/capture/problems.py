"""Why a row or a file could not be imported: one catalogue of stable codes and their English words.

Each problem is a :class:`ombud.errors.Problem`: the code and its parameters travel with the row error (and are
kept in ``import_errors``), so the web pages say it in the reader's language (the catalogues' ``problem.<code>``),
while the CLI, the ``--errors`` file and ``import_errors.reason`` keep the English message written here. Words
meant for the command line (``--map``, ``--format``) stay in the English message; the pages have their own.
"""

from __future__ import annotations

from typing import Any

from ombud.errors import Problem

ENGLISH: dict[str, str] = {
    # a row
    "text_empty": "the text ({column}) is empty",
    "text_too_long": "the text is {length:,} characters long, more than the limit of {limit:,} (OMBUD_MAX_TEXT_CHARS)",
    "date_empty": "the date ({column}) is empty",
    "date_missing": "the date is empty",
    "date_unreadable": "cannot read the date {value!r}",
    "date_impossible": "cannot read the date {value!r}: {detail}",
    "email_invalid": "{value!r} is not an e-mail address",
    "phone_invalid": "{value!r} is not a phone number",
    "no_customer": "no customer: the row has no e-mail, phone or customer id",
    "row_unreadable": "cannot read this row: {detail}",
    "field_count": "expected {expected} fields, found {found}",
    "field_count_lines": "expected {expected} fields, found {found} in lines {first}–{last} "
    "(a quote is probably not closed)",
    "quote_unclosed": "a quote is not closed",
    "quote_unclosed_lines": "a quote is not closed in lines {first}–{last}",
    "json_invalid": "not valid JSON: {detail} at column {column}",
    "json_not_object": "not a JSON object",
    "mail_no_body": "the mail has no text or HTML body",
    "mail_no_sender": "no sender address in From: {value!r}",
    "mail_no_date": "no readable Date header: {value!r}",
    "mail_no_text": "the mail holds no text of the customer's own",
    # a whole file
    "file_empty": "the file is empty",
    "header_unreadable": "cannot read the header line: {detail}",
    "rows_unreadable": "cannot read the first rows: {detail}",
    "binary_nul": "this looks like a binary file, not text (a NUL byte at byte {position:,})",
    "binary_control": "this looks like a binary file, not text (many control characters)",
    "reader_failed": "the reader process ended unexpectedly",
    # the columns
    "map_no_column": "--map {field}={column}: there is no column {column!r}",
    "no_text_column": "found no column with the customer's text (looked for a column named e.g. Kommentar, "
    "Meddelande, Melding, Tilbakemelding, Besked, Comment, Text); name it with --map text=COLUMN",
    "no_customer_column": "found no column that identifies the customer (e-mail, phone or customer number; looked "
    "for e.g. E-post, Epost, Telefon, Kundnummer, Kundenummer, Email); name one with --map customer_email=COLUMN, "
    "--map customer_phone=COLUMN or --map customer_id=COLUMN",
}


def problem(code: str, **params: Any) -> Problem:
    """The problem ``code`` with its parameters (str or int, as JSON keeps them) and its English message."""
    return Problem(code, ENGLISH[code].format(**params), params)


def in_message(number: int, found: Problem) -> Problem:
    """The problem of the ``number``-th message of a mailbox: "message 3: …" in English, the same code."""
    return Problem(found.code, f"message {number}: {found.message}", {**found.params, "message": number})
