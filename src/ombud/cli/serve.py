"""ombud serve: the web app (JSON API and pages) with uvicorn, and the workers that keep it current."""

from __future__ import annotations

import ipaddress
import logging
from typing import Annotated

import typer

from ombud.cli.common import DbOption, console, reports_errors
from ombud.errors import SettingError
from ombud.settings import get_settings

LOOPBACK_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost")


def is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_secret(host: str, secret_key: str | None) -> None:
    """Refuse to listen beyond this machine without a secret key of one's own."""
    if not is_loopback(host) and not secret_key:
        raise SettingError(
            "OMBUD_SECRET_KEY",
            "",
            f"`ombud serve --host {host}` listens beyond this machine: set a secret of at least 32 random characters "
            "first, e.g. OMBUD_SECRET_KEY=$(python -c 'import secrets; print(secrets.token_urlsafe(32))')",
        )


@reports_errors
def serve_command(
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on; beyond 127.0.0.1 needs OMBUD_SECRET_KEY.")
    ] = ("127.0.0.1"),
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port to listen on.")] = 8000,
    send: Annotated[
        bool, typer.Option("--send/--no-send", help="Also deliver queued messages over SMTP (OMBUD_SMTP_*).")
    ] = True,
    upkeep: Annotated[
        bool,
        typer.Option(
            "--upkeep/--no-upkeep", help="Also read new voices and place them in cases and on the wish board."
        ),
    ] = True,
    tier: Annotated[str, typer.Option("--tier", help="Reader for new voices: fast, accurate or default.")] = "default",
    db: DbOption = None,
) -> None:
    """Serve the web app: the pages for agents and analysts and the JSON API (see docs/web.md).

    Every OMBUD_SERVE_INTERVAL_SECONDS it also sends what is queued (unless --no-send) and reads new voices,
    places them in cases and puts their wishes on the wish board (unless --no-upkeep).
    """
    import uvicorn

    from ombud.web import create_app
    from ombud.web.background import Delivery, Upkeep, Worker

    settings = get_settings()
    check_secret(host, settings.secret_key)
    if tier not in ("fast", "accurate", "default"):
        raise typer.BadParameter("choose fast, accurate or default", param_hint="--tier")
    app = create_app(db)
    database = app.state.database
    workers: list[Worker] = []
    if send:
        workers.append(Delivery(database, settings.serve_interval_seconds))
    if upkeep:
        keeper = Upkeep(database, settings.serve_interval_seconds, None if tier == "default" else tier)
        app.state.imports.after_import.append(lambda _job: keeper.wake())
        workers.append(keeper)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s:     %(name)s: %(message)s")
    for worker in workers:
        worker.start()
    console.print(f"ombud serves on http://{host}:{port} (Ctrl-C stops it).", highlight=False)
    try:
        uvicorn.run(app, host=host, port=port, log_level="info")
    finally:
        for worker in workers:
            worker.stop()
