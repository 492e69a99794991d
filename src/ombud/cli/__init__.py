"""The ``ombud`` command line: a thin layer over the core, one module per group of commands."""

from __future__ import annotations

import typer

from ombud.cli import db
from ombud.cli.demo import demo_command
from ombud.cli.history import imports_command
from ombud.cli.importing import import_command
from ombud.cli.understanding import analyze_command, eval_command, train_command

app = typer.Typer(
    name="ombud",
    help="Hear every customer: import their voices, understand them, answer and follow up.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.command("import")(import_command)
app.command("imports")(imports_command)
app.command("analyze")(analyze_command)
app.command("eval")(eval_command)
app.command("train")(train_command)
app.command("demo")(demo_command)
app.add_typer(db.app, name="db")
