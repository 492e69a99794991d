"""ombud db …: the schema of the database."""

from __future__ import annotations

import typer

from ombud.cli.common import DbOption, console, database, reports_errors

app = typer.Typer(help="Manage the database schema.", no_args_is_help=True)


@app.command()
@reports_errors
def upgrade(db: DbOption = None) -> None:
    """Bring the database up to the current schema (every command also does this by itself)."""
    store = database(db)
    before, after = store.schema_change
    store.close()
    if before == after:
        console.print(f"The database is up to date (revision {after}).")
    else:
        console.print(f"Upgraded the database from revision {before or '(empty)'} to {after}.")
