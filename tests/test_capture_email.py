"""E-mail import: .eml files, folders of them and mbox files; quotes, signatures, HTML, charsets."""

from __future__ import annotations

import mailbox
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import select

from ombud.capture import import_file, import_files
from ombud.capture.email_text import customer_words, html_to_text
from ombud.store import Customer, Database, Voice


def mail(
    sender: str = "Åsa Öberg <asa@example.com>",
    subject: str = "Leverans försenad",
    body: str = "Hej!\n\nMitt paket har inte kommit.\n\nMvh Åsa",
    *,
    html: bool = False,
    charset: str = "utf-8",
    message_id: str | None = "<1@mail.example>",
    date: str | None = "Tue, 03 Mar 2026 10:15:00 +0100",
    in_reply_to: str | None = None,
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "kundservice@shop.example"
    message["Subject"] = subject
    if date:
        message["Date"] = date
    if message_id:
        message["Message-ID"] = message_id
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
        message["References"] = in_reply_to
    if html:
        message.set_content(body, subtype="html", charset=charset)
    else:
        message.set_content(body, charset=charset, cte="quoted-printable")
    return message


def stored(database: Database) -> list[Voice]:
    with database.session() as session:
        return list(session.scalars(select(Voice).order_by(Voice.id)))


def test_one_eml_file(database: Database, tmp_path: Path) -> None:
    path = tmp_path / "one.eml"
    path.write_bytes(mail().as_bytes())
    report = import_file(database, path)
    assert report.ok, report.errors
    (voice,) = stored(database)
    assert voice.text == "Leverans försenad\n\nHej!\n\nMitt paket har inte kommit."
    assert voice.channel == "email"
    assert voice.message_id == "<1@mail.example>"
    assert voice.received_at.isoformat() == "2026-03-03T09:15:00+00:00"
    with database.session() as session:
        customer = session.scalars(select(Customer)).one()
        assert customer.name == "Åsa Öberg"


def test_encoded_headers_and_latin1_body(database: Database, tmp_path: Path) -> None:
    raw = (
        b"From: =?iso-8859-1?q?J=F8rgen_S=F8rensen?= <jorgen@example.dk>\r\n"
        b"Subject: =?utf-8?b?QmVzdGlsbGluZyBww6UgdsOmcmt0w7hq?=\r\n"
        b"Date: Wed, 04 Mar 2026 08:00:00 +0100\r\n"
        b"Message-ID: <x@example.dk>\r\n"
        b"Content-Type: text/plain; charset=iso-8859-1\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n\r\n"
        b"Jeg har ventet p\xe5 min v\xe6rkt\xf8jskasse i to uger.\r\n"
    )
    path = tmp_path / "latin1.eml"
    path.write_bytes(raw)
    assert import_file(database, path).ok
    (voice,) = stored(database)
    assert voice.text == "Bestilling på værktøj\n\nJeg har ventet på min værktøjskasse i to uger."
    with database.session() as session:
        assert session.scalars(select(Customer.name)).one() == "Jørgen Sørensen"


def test_html_only_mail_becomes_text_without_the_quote(database: Database, tmp_path: Path) -> None:
    body = (
        "<html><head><style>p{color:red}</style></head><body><p>Hei,</p>"
        "<p>Fakturaen er feil &amp; for h&oslash;y.<br>Kan dere rette den?</p>"
        '<div class="gmail_quote"><p>Den 1. mars skrev Kvikk:</p><blockquote>Takk for din henvendelse</blockquote>'
        "</div></body></html>"
    )
    path = tmp_path / "html.eml"
    path.write_bytes(mail(subject="SV: Faktura", body=body, html=True).as_bytes())
    assert import_file(database, path).ok
    (voice,) = stored(database)
    assert voice.text == "Hei,\n\nFakturaen er feil & for høy.\nKan dere rette den?"
    assert voice.meta["html_only"] is True


@pytest.mark.parametrize(
    ("language", "reply_header", "sign_off"),
    [
        (
            "sv",
            "Den 2 mars 2026 kl. 14:02 skrev Kundservice <ks@shop.example>:",
            "Med vänliga hälsningar\nÅsa",
        ),
        (
            "nb",
            "Den 2. mars 2026 kl. 14:02 skrev Kundeservice <ks@shop.example>:",
            "Med vennlig hilsen\nKari",
        ),
        ("nn", "Den 2. mars 2026 kl. 14:02 skreiv Kundeservice <ks@shop.example>:", "Venleg helsing\nOla"),
        ("da", "Den 2. mar. 2026 kl. 14.02 skrev Kundeservice <ks@shop.example>:", "Venlig hilsen\nJens"),
        (
            "en",
            "On Mon, 2 Mar 2026 at 14:02, Customer Service <ks@shop.example> wrote:",
            "Kind regards,\nSam",
        ),
    ],
)
def test_quoted_replies_and_signatures_are_removed(language: str, reply_header: str, sign_off: str) -> None:
    body = f"Tusen takk!\n\nDet fungerer nå.\n\n{sign_off}\n\n{reply_header}\n> Hei, prøv å starte på nytt.\n> Mvh"
    assert customer_words(body) == "Tusen takk!\n\nDet fungerer nå."


def test_outlook_header_block_and_device_lines_are_removed() -> None:
    body = (
        "Tack, nu funkar det!\n\nSkickat från min iPhone\n\n"
        "Från: Kundservice <ks@bank.example>\nSkickat: den 2 mars 2026 14:02\nTill: Per\nÄmne: Ditt ärende\n\nHej Per,"
    )
    assert customer_words(body) == "Tack, nu funkar det!"


def test_a_sentence_that_merely_starts_like_a_sign_off_is_kept() -> None:
    body = "Hej,\n\nHälsningar från en mycket besviken kund som väntat i tre veckor på sitt paket och nu ger upp."
    assert customer_words(body) == body


def test_html_to_text_keeps_paragraphs() -> None:
    assert html_to_text("<div>Rad 1</div><div>Rad&nbsp;2<br/>Rad 3</div>") == "Rad 1\nRad 2\nRad 3"


def test_a_folder_of_eml_files(database: Database, tmp_path: Path) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    for number in range(3):
        message = mail(sender=f"Kund {number} <kund{number}@example.com>", message_id=f"<{number}@m.example>")
        (folder / f"{number}.eml").write_bytes(message.as_bytes())
    reports = import_files(database, [folder])
    assert [report.voices_added for report in reports] == [1, 1, 1]
    assert len(stored(database)) == 3
    assert sum(report.voices_added for report in import_files(database, [folder])) == 0


def test_mbox_with_a_broken_message(database: Database, tmp_path: Path) -> None:
    path = tmp_path / "mail.mbox"
    box = mailbox.mbox(path)
    box.add(mail(message_id="<a@m.example>"))
    box.add(mail(sender="not an address", message_id="<b@m.example>"))
    box.add(mail(date=None, message_id="<c@m.example>"))
    box.add(
        mail(
            sender="Sam <sam@example.com>",
            subject="Re: Your order",
            body="Thanks, that helps.\n\nOn Tue, 3 Mar 2026, Shop <s@shop.example> wrote:\n> Here is your code",
            message_id="<d@m.example>",
            in_reply_to="<reply-1@shop.example>",
        )
    )
    box.close()
    report = import_file(database, path)
    assert report.voices_added == 2
    assert [(error.line, error.reason.split(":")[0]) for error in report.errors] == [
        (2, "message 2"),
        (3, "message 3"),
    ]
    assert "no sender address" in report.errors[0].reason
    assert "no readable Date header" in report.errors[1].reason
    reply = stored(database)[1]
    assert reply.text == "Thanks, that helps."
    assert reply.subject == "Re: Your order"
    assert reply.in_reply_to == "<reply-1@shop.example>"
    assert reply.meta["references"] == ["<reply-1@shop.example>"]
    assert import_file(database, path).voices_added == 0
