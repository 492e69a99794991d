"""The demo's ending: the HTML report of the sample's voices, and a login to look at them in the web app.

The report is written in the language most of the voices were read in (Swedish, for the bundled sample), so
that it shows how a Nordic lead would mail it; ``ombud report --lang`` writes it in any of the five. The login is
an admin with a random password made for this demo database, shown once and kept only as its Argon2 hash:
a demo database is still a database, and a fixed password would log anyone in who finds a running demo.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ombud.access.users import add_user, enable_user, find_user, update_user
from ombud.insight.report import render_report, write_report
from ombud.locale import DEFAULT_LANGUAGE, LANGUAGES
from ombud.store import open_database
from ombud.store.models import VoiceAnalysis

DEMO_EMAIL = "demo@ombud.example"
REPORT_NAME = "report.html"


@dataclass
class DemoEnding:
    report: Path
    language: str
    email: str
    password: str  # shown once; the store keeps its hash only


def report_language(session: Session) -> str:
    """The language most of the stored voices were read in, if the pages speak it; else English."""
    count = func.count()
    for language, _ in session.execute(
        select(VoiceAnalysis.language, count).group_by(VoiceAnalysis.language).order_by(count.desc())
    ):
        if language in LANGUAGES:
            return str(language)
    return DEFAULT_LANGUAGE


def demo_login(session: Session) -> tuple[str, str]:
    """The demo's admin with a new random password (added, or given a new password when the demo runs again
    on the same database); the caller commits."""
    password = secrets.token_urlsafe(12)
    user = find_user(session, DEMO_EMAIL)
    if user is None:
        add_user(session, DEMO_EMAIL, role="admin", password=password, name="Demo")
    else:
        update_user(session, user, role="admin", password=password)
        enable_user(session, user)
    return DEMO_EMAIL, password


def finish_demo(database_url: str, folder: Path, language: str | None = None) -> DemoEnding:
    """Write ``folder/report.html`` (in ``language``, else the voices' most common one) and make the demo login."""
    database = open_database(database_url)
    try:
        with database.session() as session:
            chosen = language or report_language(session)
            html = render_report(session, None, chosen)
            email, password = demo_login(session)
            session.commit()
    finally:
        database.close()
    return DemoEnding(write_report(folder / REPORT_NAME, html), chosen, email, password)
