"""What every command shares: the --db option, the console, and turning core errors into messages."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, ParamSpec, TypeVar

import typer
from rich.console import Console
from sqlalchemy.orm import Session

from ombud.errors import OmbudError
from ombud.store import Database, open_database

console = Console()
errors = Console(stderr=True)

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        envvar="OMBUD_DATABASE_URL",
        help="Database URL (sqlite:///FILE or postgresql+psycopg://USER@HOST/DB). Default: sqlite:///ombud.db",
        show_default=False,
    ),
]

P = ParamSpec("P")
R = TypeVar("R")

EXIT_ROW_ERRORS = 1
EXIT_FAILURE = 2


def reports_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Show an OmbudError as one clear line and exit with code 2, instead of a traceback."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except OmbudError as error:
            errors.print(f"[bold red]Error:[/] {error}", highlight=False, soft_wrap=True)
            raise typer.Exit(EXIT_FAILURE) from error

    return wrapper


def database(url: str | None) -> Database:
    return open_database(url)


@contextmanager
def store_session(url: str | None) -> Iterator[Session]:
    """A session on the database at ``url`` (or the setting), the database closed afterwards."""
    store = database(url)
    try:
        with store.session() as session:
            yield session
    finally:
        store.close()
