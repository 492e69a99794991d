"""ombud user add|list|disable and ombud token add|list|revoke: who may use the web app and the API."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from ombud.access.roles import ROLES
from ombud.access.tokens import create_token, get_token, list_tokens, revoke_token
from ombud.access.users import LANGUAGES, add_user, disable_user, list_users, user_by_email
from ombud.cli.common import DbOption, console, reports_errors, store_session

user_app = typer.Typer(help="The people who use the web app and the API: add, list, disable.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens: add (shown once), list, revoke.", no_args_is_help=True)


def _when(moment: object) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if hasattr(moment, "strftime") else "—"


@user_app.command("add")
@reports_errors
def user_add_command(
    email: Annotated[str, typer.Argument(metavar="EMAIL", help="The user's e-mail, which they log in with.")],
    role: Annotated[str, typer.Option("--role", help=f"{', '.join(ROLES)}.")],
    password: Annotated[
        str | None,
        typer.Option("--password", help="The password (at least 10 characters); asked for when not given."),
    ] = None,
    name: Annotated[str | None, typer.Option("--name", help="The user's name, shown in the pages.")] = None,
    language: Annotated[
        str | None, typer.Option("--language", help=f"Language of the pages: {', '.join(LANGUAGES)}.")
    ] = None,
    db: DbOption = None,
) -> None:
    """Add a user with a role: admin (everything), agent (answers customers, sees personal data) or analyst
    (reads, personal data masked)."""
    if password is None:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    with store_session(db) as session:
        user = add_user(session, email, role=role, password=password, name=name, language=language)
        session.commit()
    console.print(f"Added {user.email} as {user.role}.", highlight=False)


@user_app.command("list")
@reports_errors
def user_list_command(db: DbOption = None) -> None:
    """List users with their role, language, last login and whether they are disabled."""
    with store_session(db) as session:
        users = list_users(session)
    if not users:
        console.print("No users yet: add one with `ombud user add EMAIL --role admin`.")
        return
    table = Table(title="Users")
    for column in ("id", "e-mail", "name", "role", "language", "last login", "disabled"):
        table.add_column(column)
    for user in users:
        table.add_row(
            str(user.id),
            user.email,
            user.name or "—",
            user.role,
            user.language or "—",
            _when(user.last_login_at),
            _when(user.disabled_at) if user.disabled_at else "",
        )
    console.print(table)


@user_app.command("disable")
@reports_errors
def user_disable_command(
    email: Annotated[str, typer.Argument(metavar="EMAIL", help="The user to disable.")], db: DbOption = None
) -> None:
    """Disable a user: their sessions end at once and their API tokens stop working."""
    with store_session(db) as session:
        changed = disable_user(session, user_by_email(session, email))
        session.commit()
    console.print(f"{email} {'is now' if changed else 'was already'} disabled.", highlight=False)


@token_app.command("add")
@reports_errors
def token_add_command(
    email: Annotated[str, typer.Argument(metavar="EMAIL", help="The user the token acts as.")],
    name: Annotated[str, typer.Option("--name", help="What the token is for, to tell it apart.")],
    db: DbOption = None,
) -> None:
    """Make an API token for a user; it is shown once (send it as `Authorization: Bearer TOKEN`)."""
    with store_session(db) as session:
        created = create_token(session, user_by_email(session, email), name)
        session.commit()
    console.print(f"API token {created.token.id} for {email} ({name}); keep it now, it is not shown again:")
    typer.echo(created.secret)


@token_app.command("list")
@reports_errors
def token_list_command(
    email: Annotated[str | None, typer.Argument(metavar="[EMAIL]", help="Only this user's tokens.")] = None,
    db: DbOption = None,
) -> None:
    """List API tokens: their start, user, name, last use and whether revoked."""
    with store_session(db) as session:
        tokens = list_tokens(session, user_by_email(session, email) if email else None)
        rows = [
            (str(t.id), t.prefix + "…", t.user.email, t.name, _when(t.created_at), _when(t.last_used_at), t.revoked_at)
            for t in tokens
        ]
    if not rows:
        console.print("No API tokens.")
        return
    table = Table(title="API tokens")
    for column in ("id", "token", "user", "name", "made", "last used", "revoked"):
        table.add_column(column)
    for *row, revoked in rows:
        table.add_row(*row, _when(revoked) if revoked else "")
    console.print(table)


@token_app.command("revoke")
@reports_errors
def token_revoke_command(
    token_id: Annotated[int, typer.Argument(metavar="ID", help="The token's number (ombud token list).")],
    db: DbOption = None,
) -> None:
    """Revoke an API token: requests with it are refused from now on."""
    with store_session(db) as session:
        changed = revoke_token(session, get_token(session, token_id))
        session.commit()
    console.print(f"API token {token_id} {'is now' if changed else 'was already'} revoked.")
