"""The ``ombud`` command line: a thin layer over the core, one module per group of commands."""

from __future__ import annotations

import typer

from ombud.cli import db
from ombud.cli.cases import case_app, cases_command, presence_command
from ombud.cli.demo import demo_command
from ombud.cli.exporting import export_command
from ombud.cli.history import imports_command
from ombud.cli.importing import import_command
from ombud.cli.insight import insight_command
from ombud.cli.replies import outbox_app, reply_command, send_command
from ombud.cli.report import report_command
from ombud.cli.serve import serve_command
from ombud.cli.understanding import analyze_command, eval_command, train_command
from ombud.cli.users import token_app, user_app
from ombud.cli.wishes import app as wish_app
from ombud.cli.wishes import wishes_command

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
app.command("cases")(cases_command)
app.add_typer(case_app, name="case")
app.command("presence")(presence_command)
app.command("reply")(reply_command)
app.command("send")(send_command)
app.add_typer(outbox_app, name="outbox")
app.command("wishes")(wishes_command)
app.add_typer(wish_app, name="wish")
app.add_typer(user_app, name="user")
app.add_typer(token_app, name="token")
app.command("serve")(serve_command)
app.command("export")(export_command)
app.command("insight")(insight_command)
app.command("report")(report_command)
