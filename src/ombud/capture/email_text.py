"""The customer's own words in an e-mail: HTML made into text, quoted replies and
signatures cut off, in the ways Nordic and English mail clients write them."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from ombud.signoffs import is_sign_off

_BLOCKS = {"div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "hr"}
# Marks in the text being built: a block boundary is one line break, a paragraph's end a blank line.
_BLOCK, _PARAGRAPH = "\x00", "\x01"
_BREAKS = re.compile("[\x00\x01\n]*[\x00\x01][\x00\x01\n]*")
_SKIPPED = {"script", "style", "head", "title", "blockquote"}
_QUOTE_CLASSES = ("gmail_quote", "moz-cite-prefix", "yahoo_quoted", "protonmail_quote", "ms-outlook-quote")


class _TextFromHtml(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip_depth = 0
        self._stack: list[bool] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = " ".join(value or "" for name, value in attrs if name in {"class", "id"})
        skipped = tag in _SKIPPED or any(name in classes for name in _QUOTE_CLASSES)
        if tag not in {"br", "hr", "img", "meta", "link", "input"}:
            self._stack.append(skipped)
            self._skip_depth += skipped
        if tag == "br":
            self.parts.append("\n")
        elif tag in _BLOCKS or tag == "p":
            self.parts.append(_BLOCK)

    def handle_endtag(self, tag: str) -> None:
        if tag in {"br", "hr", "img", "meta", "link", "input"}:
            return
        if self._stack:
            self._skip_depth -= self._stack.pop()
        if tag == "p":
            self.parts.append(_PARAGRAPH)
        elif tag in _BLOCKS:
            self.parts.append(_BLOCK)

    def handle_data(self, data: str) -> None:
        if not self._skip_depth:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    parser = _TextFromHtml()
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts).replace("\xa0", " ")
    text = _BREAKS.sub(lambda run: "\n\n" if _PARAGRAPH in run.group() else "\n", text)
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


# A line that opens a quoted earlier message.
_REPLY_HEADER = re.compile(
    r"^\s*("
    r"(On|Den|På|Le|Am)\s.{0,250}\b(wrote|skrev|skreiv|schrieb|a écrit)\b.{0,250}:\s*$"
    r"|-{2,}\s*(Original Message|Ursprungligt meddelande|Ursprungligt mail|Opprinnelig melding|"
    r"Oprindelig meddelelse|Videresendt melding|Vidarebefordrat meddelande|Forwarded message)\s*-{2,}"
    r"|_{10,}"
    r")",
    re.IGNORECASE,
)
# Outlook's header block: From/Från/Fra followed by Sent/Skickat/Sendt within two lines.
_OUTLOOK_FROM = re.compile(r"^\s*\*?(From|Från|Fra|Frå)\s*:\*?\s", re.IGNORECASE)
_OUTLOOK_SENT = re.compile(r"^\s*\*?(Sent|Skickat|Sendt|Dato|Date|Datum)\s*:\*?\s", re.IGNORECASE)
_SIGNATURE_DELIMITER = re.compile(r"^-- ?$")
_DEVICE_LINE = re.compile(
    r"^\s*(Sent from my|Skickat från min|Sendt fra min|Send frå min|Sendt fra|Hämta Outlook för|"
    r"Få Outlook for|Get Outlook for|Sent from Outlook|Skickat från Outlook|Sendt fra Outlook|"
    r"Sent from Mail for|Skickat från E-post för)\b",
    re.IGNORECASE,
)
_SIGNATURE_MAX_LINES = 6


def strip_quoted(text: str) -> str:
    """Cut the text at the first quoted earlier message, and drop '>' lines."""
    lines = text.splitlines()
    kept: list[str] = []
    for index, line in enumerate(lines):
        # Mail clients may wrap a long reply header over two lines.
        if _REPLY_HEADER.match(line) or _REPLY_HEADER.match(" ".join(lines[index : index + 2])):
            break
        if _OUTLOOK_FROM.match(line) and any(_OUTLOOK_SENT.match(after) for after in lines[index + 1 : index + 4]):
            break
        if line.lstrip().startswith(">"):
            continue
        kept.append(line)
    return "\n".join(kept)


def strip_signature(text: str) -> str:
    """Drop the signature: after '-- ', device lines, and a closing sign-off with a few short lines."""
    lines = text.rstrip().splitlines()
    for index, line in enumerate(lines):
        if _SIGNATURE_DELIMITER.match(line):
            lines = lines[:index]
            break
    lines = [line for line in lines if not _DEVICE_LINE.match(line)]
    while lines and not lines[-1].strip():
        lines.pop()
    start = max(0, len(lines) - _SIGNATURE_MAX_LINES)
    for index in range(start, len(lines)):
        tail = lines[index + 1 :]
        if is_sign_off(lines[index]) and all(len(line) <= 60 for line in tail) and index > 0:
            lines = lines[:index]
            break
    return "\n".join(lines).strip()


def customer_words(body: str, *, html: bool = False) -> str:
    text = html_to_text(body) if html else body.replace("\r\n", "\n")
    return strip_signature(strip_quoted(text))
