"""The demo's loop: cases, a few replies, the wish board, two decisions and their feedback, sent for real.

Everything goes through the same core functions an agent's commands use. The
mail goes over SMTP to a sink ombud starts on 127.0.0.1 for the demo, which
writes each message it receives into ``FOLDER/sent-mail/`` as an .eml file, so
the user can open what their customers would have received.
"""

from __future__ import annotations

import re
import socket
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ombud.loop.case_views import list_cases
from ombud.loop.cases import update_cases
from ombud.loop.delivery import DeliveryReport, deliver_due
from ombud.loop.drafts import PLACEHOLDER
from ombud.loop.feedback import queue_feedback
from ombud.loop.presence import Presence, presence
from ombud.loop.replies import send_reply, suggest_reply
from ombud.loop.themes_changes import set_theme_status
from ombud.loop.themes_demand import BoardEntry, board
from ombud.loop.wishes import update_themes
from ombud.settings import get_settings
from ombud.store import open_database
from ombud.store.models import Case, OutboundMessage, Wish

DEMO_AGENT = "demo-agent@example.com"
REPLIES = 5
# What the demo decides about the two most wished-for themes, with the note customers are told, in the
# language of the theme's board.
DECISIONS: tuple[tuple[str, dict[str, str]], ...] = (
    (
        "planned",
        {
            "sv": "Vi har beslutat att genomföra det här under våren och hör av oss när det är klart.",
            "nb": "Vi har bestemt å gjennomføre dette i løpet av våren, og sier fra når det er klart.",
            "nn": "Vi har bestemt å gjennomføre dette i løpet av våren, og seier frå når det er klart.",
            "da": "Vi har besluttet at gennemføre det i løbet af foråret og giver besked, når det er klar.",
            "en": "We have decided to do this during the spring and will let you know when it is ready.",
        },
    ),
    (
        "done",
        {
            "sv": "Det här finns nu på plats – idén kom från kunder som du.",
            "nb": "Dette er nå på plass – ideen kom fra kunder som deg.",
            "nn": "Dette er no på plass – ideen kom frå kundar som deg.",
            "da": "Det er nu på plads – idéen kom fra kunder som dig.",
            "en": "This is now in place – the idea came from customers like you.",
        },
    ),
)


@dataclass
class LoopDemo:
    cases: int = 0
    replies: list[tuple[int, str]] = field(default_factory=list)  # (case id, subject)
    themes: int = 0
    wishes: int = 0
    board: list[tuple[str, str, str, int, int]] = field(
        default_factory=list
    )  # company, title, status, customers, wishes
    decided: list[tuple[str, str, int]] = field(default_factory=list)  # title, status, feedback messages queued
    delivery: DeliveryReport | None = None
    manual: int = 0  # messages for channels without an API, kept for posting by hand
    mail_folder: Path | None = None
    mails_received: int = 0
    presence: Presence | None = None


class MailSink:
    """A local SMTP server (aiosmtpd) that writes every message it receives into a folder."""

    def __init__(self, folder: Path) -> None:
        from aiosmtpd.controller import Controller

        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.received = 0
        sink = self

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                sink.received += 1
                (sink.folder / f"{sink.received:04d}.eml").write_bytes(envelope.original_content or envelope.content)
                return "250 OK"

        self.port = _free_port()
        self._controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> MailSink:
        self._controller.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._controller.stop()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def run_loop(database_url: str, folder: Path, company: str | None = None) -> LoopDemo:
    """Cases, replies to the most urgent e-mail cases, the wish board, two decisions with feedback, delivery."""
    result = LoopDemo()
    database = open_database(database_url)
    try:
        with database.session() as session:
            update_cases(session)
            session.commit()
            result.cases = int(session.scalar(select(func.count()).select_from(Case)) or 0)
            for summary in list_cases(session, limit=50):
                if len(result.replies) >= REPLIES:
                    break
                if summary.channel != "email":
                    continue
                draft = suggest_reply(session, summary.id)
                if PLACEHOLDER.search(draft.body):
                    continue  # a question the agent must answer in their own words: not for a demo to send
                send_reply(session, summary.id, draft.body, author=DEMO_AGENT)
                result.replies.append((summary.id, draft.subject))
            session.commit()

            update_themes(session)
            session.commit()
            result.wishes = _count_wishes(session)
            entries = board(session, company=company)
            result.themes = len(entries)
            result.board = [_board_row(entry) for entry in entries[:10]]
            for entry, (status, notes) in zip(entries, DECISIONS, strict=False):
                note = notes.get(entry.theme.language or "en", notes["en"])
                change = set_theme_status(session, entry.theme.id, status, note=note, actor=DEMO_AGENT)
                queued = queue_feedback(session, change.id, author=DEMO_AGENT)
                result.decided.append((entry.theme.title, status, len(queued)))
            session.commit()

        settings = get_settings()
        result.mail_folder = folder / "sent-mail"
        for old in result.mail_folder.glob("*.eml"):
            old.unlink()
        with MailSink(result.mail_folder) as sink:
            local = {"smtp_host": "127.0.0.1", "smtp_port": sink.port, "smtp_tls": "none", "smtp_user": None}
            result.delivery = deliver_due(database, settings=settings.model_copy(update=local))
        result.mails_received = sink.received

        with database.session() as session:
            manual = select(func.count()).select_from(OutboundMessage).where(OutboundMessage.status == "manual")
            result.manual = int(session.scalar(manual) or 0)
            result.presence = presence(session, by="channel")
    finally:
        database.close()
    return result


def _count_wishes(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(Wish)) or 0)


def _board_row(entry: BoardEntry) -> tuple[str, str, str, int, int]:
    title = re.sub(r"\s+", " ", entry.theme.title)
    return (entry.theme.company or "", title, entry.theme.status, entry.customers, entry.wishes)
