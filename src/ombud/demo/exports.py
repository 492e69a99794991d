"""Writing the sample as a company would export it: survey and review comments as a
cp1252 CSV with semicolons (Excel in the Nordics), chats and call notes as JSONL, and
e-mails as one mbox per company — HTML-only mails, replies quoting the company's
earlier answer, and non-UTF-8 charsets among them."""

from __future__ import annotations

import csv
import json
import mailbox
from collections.abc import Iterable
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from html import escape
from pathlib import Path
from typing import Any

CSV_HEADERS = [
    "Svar-ID",
    "Datum",
    "Kanal",
    "Företag",
    "Bransch",
    "Språk",
    "Namn",
    "E-post",
    "Telefon",
    "Kundnummer",
    "Betyg",
    "Kommentar",
]

_REPLY_LINE = {
    "sv": "Den {date} kl. {time} skrev {sender}:",
    "nb": "Den {date} kl. {time} skrev {sender}:",
    "nn": "Den {date} kl. {time} skreiv {sender}:",
    "da": "Den {date} kl. {time} skrev {sender}:",
    "en": "On {date} at {time}, {sender} wrote:",
}


def company_address(company: str) -> str:
    folded = company.lower().replace("æ", "ae").replace("ø", "o").replace("å", "a").replace("ä", "a").replace("ö", "o")
    domain = "".join(letter for letter in folded if letter.isalnum())
    return f"kundservice@{domain}.example"


def _fits_cp1252(voice: dict[str, Any]) -> bool:
    try:
        json.dumps(voice, ensure_ascii=False).encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def split_by_format(voices: Iterable[dict[str, Any]]) -> tuple[list[dict[str, Any]], ...]:
    """(CSV rows, JSONL rows, e-mails): surveys and reviews that cp1252 can hold go to the CSV."""
    table, lines, mails = [], [], []
    for voice in voices:
        if voice["channel"] == "email":
            mails.append(voice)
        elif voice["channel"] in {"survey", "review"} and _fits_cp1252(voice):
            table.append(voice)
        else:
            lines.append(voice)
    return table, lines, mails


def _local(voice: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(voice["received_at"])


def write_csv(voices: list[dict[str, Any]], path: Path) -> None:
    with path.open("w", encoding="cp1252", newline="") as file:
        writer = csv.writer(file, delimiter=";", lineterminator="\r\n")
        writer.writerow(CSV_HEADERS)
        for voice in sorted(voices, key=_local):
            customer = voice["customer"]
            writer.writerow(
                [
                    voice["id"],
                    _local(voice).strftime("%d.%m.%Y %H:%M"),
                    voice["channel"],
                    voice["company"],
                    voice["industry"],
                    voice["language"],
                    customer.get("name", ""),
                    customer.get("email", ""),
                    customer.get("phone", ""),
                    customer.get("external_id", ""),
                    voice.get("rating", ""),
                    voice["text"],
                ]
            )


def write_jsonl(voices: list[dict[str, Any]], path: Path) -> None:
    with path.open("w", encoding="utf-8") as file:
        for voice in sorted(voices, key=_local):
            row = {
                "id": voice["id"],
                "received_at": voice["received_at"],
                "channel": voice["channel"],
                "company": voice["company"],
                "industry": voice["industry"],
                "language": voice["language"],
                "customer": {key: value for key, value in voice["customer"].items() if value},
                "text": voice["text"],
            }
            if "rating" in voice:
                row["rating"] = voice["rating"]
            file.write(json.dumps(row, ensure_ascii=False) + "\n")


def _quoted(voice: dict[str, Any], sender: str) -> str:
    earlier = _local(voice) - timedelta(days=1, hours=3)
    language = voice["language"] if voice["language"] in _REPLY_LINE else "en"
    header = _REPLY_LINE[language].format(
        date=earlier.strftime("%Y-%m-%d"), time=earlier.strftime("%H:%M"), sender=sender
    )
    return header + "\n" + "\n".join("> " + line for line in voice["quoted"].splitlines())


def _as_html(text: str, quoted: str | None) -> str:
    paragraphs = "".join(
        "<p>" + "<br>".join(escape(line) for line in block.splitlines()) + "</p>" for block in text.split("\n\n")
    )
    quote = ""
    if quoted:
        quote = '<div class="gmail_quote"><blockquote>' + escape(quoted).replace("\n", "<br>") + "</blockquote></div>"
    return f"<html><body>{paragraphs}{quote}</body></html>"


def mail_of(voice: dict[str, Any], number: int) -> EmailMessage:
    """The sample e-mail as a customer's mail client would send it; ``number`` varies its form."""
    customer = voice["customer"]
    to = company_address(voice["company"])
    message = EmailMessage()
    message["From"] = f"{customer.get('name', '')} <{customer['email']}>"
    message["To"] = f"{voice['company']} <{to}>"
    message["Subject"] = voice.get("subject") or ""
    message["Date"] = format_datetime(_local(voice))
    message["Message-ID"] = f"<{voice['id']}@mail.example>"
    quoted = _quoted(voice, f"{voice['company']} <{to}>") if voice.get("quoted") else None
    if quoted:
        message["In-Reply-To"] = f"<reply-{voice['id']}@{to.split('@')[1]}>"
    if number % 5 == 4:
        message.set_content(_as_html(voice["text"], quoted), subtype="html")
    else:
        _set_text(message, voice["text"] + ("\n\n" + quoted if quoted else ""), number)
    # After the content: set_content clears every Content-* header.
    message["Content-Language"] = {"nb": "nb-NO", "nn": "nn-NO", "sv": "sv-SE", "da": "da-DK"}.get(
        voice["language"], voice["language"]
    )
    return message


def _set_text(message: EmailMessage, body: str, number: int) -> None:
    charset = "utf-8"
    if number % 3 == 1:
        try:
            body.encode("iso-8859-1")
            charset = "iso-8859-1"
        except UnicodeEncodeError:
            pass
    message.set_content(body, charset=charset, cte="quoted-printable")


def write_mbox(voices: list[dict[str, Any]], path: Path) -> None:
    box = mailbox.mbox(path, create=True)
    try:
        box.lock()
        for number, voice in enumerate(sorted(voices, key=_local)):
            box.add(mail_of(voice, number))
        box.flush()
    finally:
        box.unlock()
        box.close()
