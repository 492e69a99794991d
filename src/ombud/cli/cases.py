"""ombud cases, ombud case show|assign|status and ombud presence: the agent's view of the loop."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer
from rich import box
from rich.table import Table
from rich.text import Text

from ombud.cli.common import DbOption, console, reports_errors, store_session
from ombud.loop.case_views import CaseDetail, CaseSummary, VoiceView, case_detail, list_cases
from ombud.loop.cases import STATUSES, CaseUpdate, assign, get_case, set_status, update_cases
from ombud.loop.presence import GROUPINGS, Presence, PresenceError, presence
from ombud.loop.priority import refresh_priorities, stored_reasons
from ombud.loop.sla import zone_from_settings

ACT_STYLES = {"complaint": "red", "praise": "green", "wish": "cyan", "question": "yellow", "other": "dim"}
STATUS_STYLES = {"open": "bold", "answered": "green", "waiting": "cyan", "resolved": "dim"}
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
ByOption = Annotated[str | None, typer.Option("--by", help="Who does it (kept in the case's events).")]

case_app = typer.Typer(help="One case: show it, assign it, change its status.", no_args_is_help=True)


def _local(moment: datetime | None, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M") if moment is not None else "—"


def _dump(value: Any) -> None:
    console.print_json(json.dumps(value, ensure_ascii=False))


def _updated(update: CaseUpdate) -> str:
    if not update.voices and not update.read_later:
        return "Cases are up to date."
    parts = []
    if update.voices:
        parts.append(
            f"Placed {update.voices:,} new voices: {update.opened:,} new cases, {update.threaded:,} by e-mail "
            f"thread, {update.joined:,} into open cases"
            + (f", {update.reopened:,} cases reopened" if update.reopened else "")
            + "."
        )
    if update.read_later:
        parts.append(f"{update.read_later:,} cases brought up to date with readings made since.")
    return " ".join(parts)


@reports_errors
def cases_command(
    overdue: Annotated[bool, typer.Option("--overdue", help="Only cases past their first-response deadline.")] = False,
    status: Annotated[
        str | None,
        typer.Option("--status", help="open, answered, waiting, resolved or all. Default: every case not resolved."),
    ] = None,
    assignee: Annotated[str | None, typer.Option("--assignee", help="Only the cases of this agent.")] = None,
    team: Annotated[str | None, typer.Option("--team", help="Only the cases of this team.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="How many cases to list.")] = 50,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """List cases by priority, with the reasons, waiting time, first-response deadline, status and assignee.

    Places the voices not yet in a case first (e-mail threads, then customer and topic).
    """
    with store_session(db) as session:
        update = update_cases(session)
        summaries = list_cases(session, status=status, overdue=overdue, assignee=assignee, team=team, limit=limit)
        session.commit()
    if as_json:
        _dump([summary.as_json() for summary in summaries])
        return
    console.print(_updated(update), style="dim")
    _print_cases(summaries, zone_from_settings())


def _print_cases(summaries: list[CaseSummary], zone: ZoneInfo) -> None:
    if not summaries:
        console.print("No cases to show.")
        return
    table = Table(title="Cases by priority", box=box.SIMPLE_HEAD, leading=1)
    table.add_column("case", justify="right")
    table.add_column("prio", justify="right")
    table.add_column("status", overflow="fold")
    table.add_column("customer / matter", overflow="fold", min_width=18)
    table.add_column("waiting / due", overflow="fold")
    table.add_column("why", overflow="fold", min_width=14)
    for summary in summaries:
        status = Text(summary.status, style=STATUS_STYLES.get(summary.status, ""))
        status.append("\n" + (" / ".join(part for part in (summary.assignee, summary.team) if part) or "—"), style="")
        customer = summary.customer or summary.customer_name or f"customer {summary.customer_id}"
        timing = Text("—" if summary.waiting_hours is None else f"{summary.waiting_hours:.0f} h")
        if summary.first_response_at is not None:
            timing.append(f"\nanswered {_local(summary.first_response_at, zone)}", style="green")
        else:
            timing.append(f"\n{_local(summary.first_response_due, zone)}")
            if summary.overdue:
                timing.append(" overdue", style="bold red")
        table.add_row(
            str(summary.id),
            str(summary.priority),
            status,
            f"{customer}\n{summary.channel} · {summary.topic or '—'}",
            timing,
            "; ".join(reason.english for reason in summary.reasons) or "—",
        )
    console.print(table)


@case_app.command("show")
@reports_errors
def show_command(
    case_id: Annotated[int, typer.Argument(metavar="ID", help="The case's number.")],
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Show a case: the customer, every voice in order with what ombud read in it, every event and message."""
    with store_session(db) as session:
        refresh_priorities(session, [get_case(session, case_id).id])
        session.commit()
        detail = case_detail(session, case_id)
        if as_json:
            _dump(detail.as_json())
        else:
            _print_detail(detail, zone_from_settings())


def _print_detail(detail: CaseDetail, zone: ZoneInfo) -> None:
    case, customer = detail.case, detail.customer
    title = Text(f"Case {case.id}  ", style="bold")
    title.append(case.status, style=STATUS_STYLES.get(case.status, ""))
    title.append(f"  priority {case.priority}")
    if case.priority_reasons:
        title.append(f" ({'; '.join(reason.english for reason in stored_reasons(case.priority_reasons))})")
    console.print(title)
    who = ", ".join(f"{item.kind} {item.value}" for item in detail.identities) or "no identity"
    line = f"customer: {customer.name or '—'} ({who}), language {case.language or customer.preferred_language or '—'}"
    if customer.contact_opt_out:
        line += ", [yellow]opted out of contact[/]"
    if customer.erased_at is not None:
        line += ", [red]erased[/]"
    console.print(line, highlight=False)
    console.print(f"channel {case.channel}, topic {case.topic or '—'}, subject {case.subject or '—'}", highlight=False)
    due = _local(case.first_response_due, zone)
    if detail.overdue:
        due += " [bold red]overdue[/]"
    console.print(
        f"opened {_local(case.opened_at, zone)}, first response due {due}, "
        f"first response {_local(case.first_response_at, zone)}"
        + (f", waiting {detail.waiting_hours:.0f} h" if detail.waiting_hours is not None else "")
        + (f", reopened {case.reopened_count}×" if case.reopened_count else ""),
        highlight=False,
    )
    console.print(f"assigned to {case.assignee or '—'}, team {case.team or '—'}", highlight=False)
    for view in detail.voices:
        _print_voice(view, zone)
    events = Table(title="Events")
    for column in ("at", "event", "by", "detail"):
        events.add_column(column, overflow="fold" if column == "detail" else "ellipsis")
    for event in detail.events:
        events.add_row(
            _local(event.at, zone),
            event.kind,
            event.actor or "—",
            ", ".join(f"{key} {value}" for key, value in (event.detail or {}).items()),
        )
    console.print(events)
    for message in detail.messages:
        console.print(
            f"[bold]Message {message.id}[/] {message.kind}, {message.status}"
            f"{' to ' + message.recipient if message.recipient else ''}, by {message.author or '—'}, "
            f"queued {_local(message.created_at, zone)}, sent {_local(message.sent_at, zone)}"
            + (f", [red]{message.last_error}[/]" if message.last_error else ""),
            highlight=False,
        )
        console.print(f"  {message.subject}", style="italic", highlight=False)
        for text in message.body.splitlines():
            console.print(f"  {text}", highlight=False)


def _print_voice(view: VoiceView, zone: ZoneInfo) -> None:
    voice, analysis = view.voice, view.analysis
    console.print()
    header = Text(f"Voice {voice.id}  {_local(voice.received_at, zone)}  {voice.channel}", style="bold")
    if voice.subject:
        header.append(f"  «{voice.subject}»")
    console.print(header)
    if analysis is None:
        console.print(Text(voice.text), style="dim")
        console.print("  (not read yet: run ombud analyze)", style="yellow")
        return
    console.print(
        f"  {analysis.language}, dominant act {analysis.dominant_act}, "
        f"sentiment {analysis.sentiment} {analysis.sentiment_score:+.2f}",
        highlight=False,
    )
    for sentence in view.sentences:
        line = Text(f"  {sentence.act:<9} {sentence.act_probability:.2f}  ", style=ACT_STYLES.get(sentence.act, ""))
        line.append(sentence.text.replace("\n", " / "), style=ACT_STYLES.get(sentence.act, ""))
        if sentence.topics:
            line.append(f"  [{', '.join(sentence.topics)}]", style="magenta")
        console.print(line)
    emotions = [f"{name} {probability:.2f}" if probability is not None else name for name, probability in view.emotions]
    console.print(f"  emotions: {', '.join(emotions) or '—'}", highlight=False)
    for flag in view.flags:
        probability = f" {flag.probability:.2f}" if flag.probability is not None else ""
        console.print(f"  [bold]{flag.name}[/]{probability}: «{flag.evidence or '—'}»", highlight=False)


@case_app.command("assign")
@reports_errors
def assign_command(
    case_id: Annotated[int, typer.Argument(metavar="ID", help="The case's number.")],
    to: Annotated[str | None, typer.Option("--to", help="The agent; an empty value takes the case from them.")] = None,
    team: Annotated[str | None, typer.Option("--team", help="The team; an empty value takes it from the team.")] = None,
    by: ByOption = None,
    db: DbOption = None,
) -> None:
    """Give a case to an agent, a team or both."""
    with store_session(db) as session:
        case = get_case(session, case_id)
        changed = assign(session, case, assignee=to, team=team, actor=by)
        session.commit()
        holder = " / ".join(part for part in (case.assignee, case.team) if part) or "nobody"
    console.print(f"Case {case_id} {'is now with' if changed else 'was already with'} {holder}.", highlight=False)


@case_app.command("status")
@reports_errors
def status_command(
    case_id: Annotated[int, typer.Argument(metavar="ID", help="The case's number.")],
    status: Annotated[str, typer.Argument(metavar="STATUS", help=", ".join(STATUSES) + ".")],
    by: ByOption = None,
    db: DbOption = None,
) -> None:
    """Change a case's status; answered or waiting records that the customer was answered outside ombud."""
    with store_session(db) as session:
        case = get_case(session, case_id)
        changed = set_status(session, case, status, actor=by)
        session.commit()
    console.print(f"Case {case_id} {'is now' if changed else 'was already'} {status}.")


@reports_errors
def presence_command(
    by: Annotated[str, typer.Option("--by", help="channel or month.")] = "channel",
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """How present the company is: answered share, median and 90th-percentile first-response time, overdue
    cases, and feedback coverage (customers with a wish who got feedback)."""
    if by not in GROUPINGS:
        raise PresenceError(f"--by is {' or '.join(GROUPINGS)}, not {by!r}")
    with store_session(db) as session:
        update_cases(session)
        figures = presence(session, by=by)
        session.commit()
    if as_json:
        _dump(figures.as_json())
        return
    _print_presence(figures)


def _hours(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} h"


def _share(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def _print_presence(figures: Presence) -> None:
    table = Table(title=f"Presence by {figures.by}")
    for column in (figures.by, "voices", "answered", "cases", "cases answered", "median first resp.", "p90", "overdue"):
        table.add_column(column, justify="left" if column == figures.by else "right")
    for row in [*figures.rows, figures.total]:
        table.add_row(
            row.key,
            f"{row.voices:,}",
            _share(row.answered_share),
            f"{row.cases:,}",
            f"{row.cases_answered:,}",
            _hours(row.median_first_response_hours),
            _hours(row.p90_first_response_hours),
            Text(f"{row.overdue:,}", style="bold red" if row.overdue else ""),
            end_section=row is figures.rows[-1] if figures.rows else False,
        )
    console.print(table)
    feedback = figures.feedback
    console.print(
        f"Feedback: {feedback.customers_with_feedback:,} of {feedback.customers_with_wish:,} customers with a wish "
        f"got feedback ({_share(feedback.share)})."
    )
