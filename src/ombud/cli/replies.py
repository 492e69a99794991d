"""ombud reply, ombud send and ombud outbox: answering a case, delivering what is queued, and the outbox."""

from __future__ import annotations

import getpass
import json
import signal
import threading
from pathlib import Path
from types import FrameType
from typing import Annotated, Any

import click
import typer
from rich.table import Table

from ombud.cli.common import DbOption, console, database, errors, reports_errors, store_session
from ombud.errors import ReplyError

outbox_app = typer.Typer(
    help="The outbox: every message to a customer with its status, attempts and last error.",
    invoke_without_command=True,
    no_args_is_help=False,
)


def _default_author() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "agent"


@reports_errors
def reply_command(
    case_id: Annotated[int, typer.Argument(metavar="CASE", help="The case to answer.")],
    body: Annotated[str | None, typer.Option("--body", help="The text to send.")] = None,
    file: Annotated[Path | None, typer.Option("--file", help="Send the text of this file (UTF-8).")] = None,
    edit: Annotated[bool, typer.Option("--edit", help="Edit the draft (or --body/--file) in $EDITOR first.")] = False,
    yes: Annotated[bool, typer.Option("--yes", help="Send without asking for confirmation.")] = False,
    author: Annotated[
        str | None, typer.Option("--author", help="Who sends it (default: your user name).", show_default=False)
    ] = None,
    subject: Annotated[str | None, typer.Option("--subject", help="Subject instead of the suggested one.")] = None,
    waiting: Annotated[
        bool, typer.Option("--waiting", help="The reply asks the customer for something: the case waits for them.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Show the suggested reply to a case, and send the agent's text.

    With neither --body, --file nor --edit only the draft is shown. The agent's text is what is sent;
    without --yes you are asked to confirm.
    """
    from ombud.loop.replies import send_reply, suggest_reply

    if body is not None and file is not None:
        raise ReplyError("give the text with --body or with --file, not both")
    text = body
    if file is not None:
        try:
            text = file.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            raise ReplyError(f"{file}: cannot read it as UTF-8 text ({error})") from error
    with store_session(db) as session:
        draft = suggest_reply(session, case_id)
        session.commit()  # a legal claim routed to claims handling stays routed
        _show_draft(draft)
        if text is None and not edit:
            console.print("[dim]Nothing sent. Give the text with --body, --file or --edit to send a reply.[/]")
            return
        if edit:
            edited = click.edit(text if text is not None else draft.body, extension=".txt")
            if edited is None:
                console.print("Nothing sent: the editor was closed without saving.")
                raise typer.Exit(1)
            text = edited
        assert text is not None
        chosen_subject = subject or draft.subject
        console.rule("To send")
        console.print(f"[bold]Subject:[/] {chosen_subject}", highlight=False)
        console.print(text, highlight=False, markup=False)
        if not yes and not typer.confirm("Send this reply?", default=False):
            console.print("Nothing sent.")
            raise typer.Exit(1)
        message = send_reply(
            session,
            case_id,
            text,
            author=author or _default_author(),
            subject=chosen_subject,
            waiting_for_customer=waiting,
        )
        session.commit()
        if message.status == "manual":
            console.print(
                f"Recorded reply {message.id} for posting by hand on {message.channel}; "
                f"`ombud outbox done {message.id}` once it is posted."
            )
        else:
            console.print(
                f"Queued reply {message.id} to {message.recipient} ({message.status}); `ombud send` delivers it."
            )


def _show_draft(draft: Any) -> None:
    console.rule(f"Suggested reply ({draft.language})")
    console.print(f"[bold]Subject:[/] {draft.subject}", highlight=False)
    console.print(draft.body, highlight=False, markup=False)
    console.print("[dim]" + "; ".join(draft.reasons) + "[/]", highlight=False)


@reports_errors
def send_command(
    loop: Annotated[bool, typer.Option("--loop", help="Keep sending until Ctrl-C.")] = False,
    interval: Annotated[float, typer.Option("--interval", min=0.1, help="Seconds between passes with --loop.")] = 30.0,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="Send at most this many per pass.")] = None,
    db: DbOption = None,
) -> None:
    """Deliver the queued messages over SMTP (OMBUD_SMTP_*): one pass, or --loop until Ctrl-C."""
    from ombud.loop.delivery import DeliveryReport, deliver_due

    stop = threading.Event()

    def on_interrupt(_signal: int, _frame: FrameType | None) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()
        errors.print("Stopping after the message being sent (Ctrl-C again to stop at once)…")

    previous = signal.signal(signal.SIGINT, on_interrupt)
    store = database(db)
    try:
        while True:
            report: DeliveryReport = deliver_due(store, limit=limit, stop=stop)
            if report.attempted or report.cancelled or not loop:
                _show_report(report)
            if not loop or stop.wait(interval):
                break
    finally:
        signal.signal(signal.SIGINT, previous)
        store.close()


def _show_report(report: Any) -> None:
    parts = [f"{report.sent} sent"]
    if report.retrying:
        parts.append(f"{report.retrying} to retry")
    if report.failed:
        parts.append(f"{report.failed} failed")
    if report.cancelled:
        parts.append(f"{report.cancelled} cancelled (opted out or erased)")
    if report.taken_over:
        parts.append(f"{report.taken_over} taken over from a stopped worker")
    console.print(", ".join(parts) + ".")
    for problem in report.problems:
        errors.print(f"  message {problem.message_id} ({problem.status}): {problem.error}", highlight=False)
    if report.stopped:
        errors.print(f"[yellow]Stopped early:[/] {report.stopped}", highlight=False, soft_wrap=True)


@outbox_app.callback()
@reports_errors
def outbox_command(
    context: typer.Context,
    status: Annotated[
        str | None,
        typer.Option("--status", help="Only this status: queued, sending, sent, failed, manual or cancelled."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the messages as JSON.")] = False,
    limit: Annotated[int, typer.Option("--limit", min=1, help="At most this many, newest first.")] = 200,
    db: DbOption = None,
) -> None:
    """Messages to customers with their status, attempts and last error; manual ones to post by hand."""
    if context.invoked_subcommand is not None:
        return
    from ombud.loop.delivery import outbox_messages

    with store_session(db) as session:
        messages = outbox_messages(session, status=status, limit=limit)
    if as_json:
        console.print_json(json.dumps([_message_json(message) for message in messages], ensure_ascii=False))
        return
    if not messages:
        console.print("The outbox is empty." if status is None else f"No {status} messages.")
        return
    table = Table(title="Outbox")
    for column in ("id", "status", "kind", "case", "to", "attempts", "next attempt", "last error", "subject"):
        table.add_column(column, justify="right" if column in ("id", "case", "attempts") else "left")
    for message in messages:
        table.add_row(
            str(message.id),
            message.status,
            message.kind,
            str(message.case_id or "—"),
            message.recipient or f"({message.channel}, by hand)",
            str(message.attempts),
            _when(message.next_attempt_at) if message.status == "queued" else "—",
            message.last_error or "",
            message.subject,
        )
    console.print(table)
    manual = [message for message in messages if message.status == "manual"]
    for message in manual:
        console.rule(f"To post by hand: message {message.id}, {message.channel}, case {message.case_id or '—'}")
        console.print(message.body, highlight=False, markup=False)
    if manual:
        console.print("[dim]Mark each one posted with `ombud outbox done ID`.[/]")


@outbox_app.command("done")
@reports_errors
def outbox_done_command(
    message_id: Annotated[int, typer.Argument(metavar="ID", help="The manual message you posted.")],
    author: Annotated[
        str | None, typer.Option("--author", help="Who posted it (default: your user name).", show_default=False)
    ] = None,
    db: DbOption = None,
) -> None:
    """Mark a message for posting by hand as posted."""
    from ombud.loop.delivery import mark_posted

    with store_session(db) as session:
        message = mark_posted(session, message_id, author=author or _default_author())
        session.commit()
    console.print(f"Message {message.id} is marked posted.")


def _when(moment: Any) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "—"


def _message_json(message: Any) -> dict[str, Any]:
    def iso(moment: Any) -> str | None:
        return moment.isoformat() if moment else None

    return {
        "id": message.id,
        "status": message.status,
        "kind": message.kind,
        "case_id": message.case_id,
        "customer_id": message.customer_id,
        "channel": message.channel,
        "recipient": message.recipient,
        "language": message.language,
        "subject": message.subject,
        "body": message.body,
        "message_id": message.message_id,
        "in_reply_to": message.in_reply_to,
        "attempts": message.attempts,
        "next_attempt_at": iso(message.next_attempt_at),
        "last_error": message.last_error,
        "author": message.author,
        "created_at": iso(message.created_at),
        "sent_at": iso(message.sent_at),
    }
