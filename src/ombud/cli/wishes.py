"""ombud wishes and ombud wish …: the wish board, its themes, and the feedback their customers get."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from ombud.capture.identity import identity_rank
from ombud.cli.common import DbOption, console, reports_errors, store_session
from ombud.errors import WishThemeError
from ombud.loop.feedback import FeedbackBatch, preview_feedback, queue_feedback
from ombud.loop.wishes import (
    FEEDBACK_STATUSES,
    STATUSES,
    board,
    merge_themes,
    representative_quotes,
    set_theme_status,
    split_theme,
    theme_demand,
    update_themes,
)
from ombud.store.models import Customer, WishTheme

app = typer.Typer(help="One wish theme: show, merge, split, or change its status.", no_args_is_help=True)


def primary_identity(customer: Customer) -> str:
    """The customer's e-mail, else phone, else id in another system, else any identity."""
    identities = sorted(customer.identities, key=lambda i: (identity_rank(i.kind), i.id))
    return identities[0].value if identities else f"customer {customer.id}"


@reports_errors
def wishes_command(
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the board as JSON.")] = False,
    company: Annotated[str | None, typer.Option("--company", help="Only this company's board.")] = None,
    status: Annotated[
        str | None, typer.Option("--status", help=f"Only themes in this status ({', '.join(STATUSES)}).")
    ] = None,
) -> None:
    """The wish board, most wanted first; places every wish read since the last time in a theme first."""
    with store_session(db) as session:
        update_themes(session)
        session.commit()
        entries = board(session, company=company, status=status)
        if as_json:
            document = [
                {
                    "id": entry.theme.id,
                    "title": entry.theme.title,
                    "status": entry.theme.status,
                    "customers": entry.customers,
                    "wishes": [
                        {"voice_id": w.voice_id, "customer": primary_identity(w.customer), "text": w.text}
                        for w in sorted(entry.theme.wishes, key=lambda w: w.id)
                    ],
                }
                for entry in entries
            ]
            typer.echo(json.dumps(document, ensure_ascii=False, indent=2))
            return
        table = Table(title="Wish board", title_justify="left")
        for column, justify in (("ID", "right"), ("Theme", "left"), ("Company", "left"), ("Status", "left")):
            table.add_column(column, justify=justify)  # type: ignore[arg-type]
        table.add_column("Customers", justify="right")
        table.add_column("Wishes", justify="right")
        for entry in entries:
            theme = entry.theme
            table.add_row(
                str(theme.id),
                theme.title,
                theme.company or "",
                theme.status,
                str(entry.customers),
                str(entry.wishes),
            )
        console.print(table if entries else "No wishes yet: import voices and run `ombud analyze` first.")


def _theme(session: object, theme_id: int) -> WishTheme:
    from sqlalchemy.orm import Session

    assert isinstance(session, Session)
    theme = session.get(WishTheme, theme_id)
    if theme is None:
        raise WishThemeError(f"there is no wish theme {theme_id}")
    return theme


@app.command("show")
@reports_errors
def show(theme_id: Annotated[int, typer.Argument(metavar="ID")], db: DbOption = None) -> None:
    """A theme: its demand, representative quotes, every wish and its history."""
    with store_session(db) as session:
        theme = _theme(session, theme_id)
        demand = theme_demand(session, theme_id)
        console.print(f"[bold]Theme {theme.id}: {theme.title}[/]", highlight=False)
        console.print(f"Board: {theme.company or '(no company)'} · status: {theme.status}", highlight=False)
        if theme.merged_into_id is not None:
            console.print(f"Merged into theme {theme.merged_into_id}.")
        if theme.status_note:
            console.print(f"Note: {theme.status_note}", highlight=False)
        console.print(f"{demand.customers} customers, {demand.wishes} wishes in {demand.voices} voices")
        if demand.by_month:
            console.print("By month: " + ", ".join(f"{m} {n}" for m, n in demand.by_month), highlight=False)
        if demand.channels:
            console.print("Channels: " + ", ".join(f"{c} {n}" for c, n in demand.channels), highlight=False)
        if demand.emotions:
            console.print("Emotions: " + ", ".join(f"{e} {n}" for e, n in demand.emotions), highlight=False)
        quotes = representative_quotes(session, theme_id) if theme.wishes else []
        if quotes:
            console.print("\n[bold]Quotes[/]")
            for wish in quotes:
                console.print(f"  “{wish.text}” — {primary_identity(wish.customer)}", highlight=False)
        if theme.wishes:
            table = Table(title="Wishes", title_justify="left")
            for column in ("Wish", "Voice", "Customer", "Language", "Text"):
                table.add_column(column)
            for wish in sorted(theme.wishes, key=lambda w: w.id):
                table.add_row(
                    str(wish.id), str(wish.voice_id), primary_identity(wish.customer), wish.language, wish.text
                )
            console.print(table)
        for change in theme.changes:
            when = change.changed_at.strftime("%Y-%m-%d %H:%M")
            note = f": {change.note}" if change.note else ""
            console.print(f"{when} {change.status_from} → {change.status}{note}", highlight=False)


@app.command("merge")
@reports_errors
def merge(
    keep: Annotated[int, typer.Argument(metavar="KEEP", help="The theme that stays.")],
    other: Annotated[int, typer.Argument(metavar="OTHER", help="The theme whose wishes move to KEEP.")],
    db: DbOption = None,
) -> None:
    """Move every wish (and customer) of OTHER into KEEP; OTHER leaves the board."""
    with store_session(db) as session:
        kept = merge_themes(session, keep, other)
        session.commit()
        customers = len({w.customer_id for w in kept.wishes})
        console.print(f"Merged theme {other} into {keep}: “{kept.title}”, {customers} customers.", highlight=False)


def _wish_ids(text: str) -> list[int]:
    try:
        return [int(part) for part in text.replace(" ", "").split(",") if part]
    except ValueError as error:
        raise WishThemeError(f"--wishes takes wish ids separated by commas, not {text!r}") from error


@app.command("split")
@reports_errors
def split(
    theme_id: Annotated[int, typer.Argument(metavar="ID")],
    wishes: Annotated[str, typer.Option("--wishes", help="The wish ids to move out, e.g. 12,15.")],
    db: DbOption = None,
) -> None:
    """Move chosen wishes of a theme into a new theme."""
    with store_session(db) as session:
        new = split_theme(session, theme_id, _wish_ids(wishes))
        session.commit()
        console.print(
            f"Split {len(new.wishes)} wishes out of theme {theme_id} into theme {new.id}: “{new.title}”.",
            highlight=False,
        )


def _print_batch(batch: FeedbackBatch) -> None:
    for message in batch.messages:
        where = message.recipient or f"{message.channel}, to post by hand"
        console.rule(f"customer {message.customer_id} · {message.language} · {where}")
        console.print(f"Subject: {message.subject}\n", highlight=False)
        console.print(message.body, highlight=False, markup=False)
    for customer_id, reason in batch.skipped:
        console.print(f"customer {customer_id}: nothing sent ({reason})", highlight=False)


@app.command("status")
@reports_errors
def status(
    theme_id: Annotated[int, typer.Argument(metavar="ID")],
    new_status: Annotated[str, typer.Argument(metavar="STATUS", help=", ".join(STATUSES))],
    note: Annotated[str | None, typer.Option("--note", help="What was decided and why, for the customers.")] = None,
    preview: Annotated[
        bool, typer.Option("--preview", help="Show the feedback it would send; change nothing.")
    ] = False,
    yes: Annotated[bool, typer.Option("--yes", help="Queue the feedback without asking.")] = False,
    db: DbOption = None,
) -> None:
    """Change a theme's status; planned, done and declined queue personal feedback to each of its customers."""
    with store_session(db) as session:
        change = set_theme_status(session, theme_id, new_status, note=note)
        batch = preview_feedback(session, change.id) if new_status in FEEDBACK_STATUSES else None
        if preview:
            if batch is not None:
                _print_batch(batch)
            session.rollback()
            console.print(f"Preview only: theme {theme_id} is unchanged and nothing was queued.")
            return
        asked = batch is not None and bool(batch.messages) and not yes
        if asked and not typer.confirm(f"Queue feedback to {len(batch.messages) if batch else 0} customers?"):
            session.rollback()
            console.print("Nothing changed.")
            return
        queued = queue_feedback(session, change.id) if batch is not None else []
        session.commit()
        said = f"Theme {theme_id} is now {new_status}."
        if batch is not None:
            by_mail = sum(1 for m in queued if m.status == "queued")
            said += f" Feedback queued for {len(queued)} customers ({by_mail} by e-mail"
            said += f", {len(queued) - by_mail} to post by hand)."
        console.print(said, highlight=False)
