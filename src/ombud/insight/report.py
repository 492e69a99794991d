"""The shareable HTML report: the dashboard as one self-contained file that a lead can mail to management.

One file: the CSS inline, every chart an inline SVG, no script, no font or picture to fetch, no web address but
the SVG namespaces — it opens the same offline, in a mail client and on paper (a print stylesheet puts each
section on a page of its own). It is written in the chosen language with the words of the pages' catalogues,
dates and numbers the way that language writes them, and every quote and wish-theme title masked: the report
leaves the company, so it names no customer whoever makes it.

:func:`render_report` returns the HTML; :func:`write_report` writes it to a temporary file beside the target and
renames it, so a reader never opens half a report.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from datetime import datetime
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup
from sqlalchemy.orm import Session

import ombud
from ombud.errors import InsightError
from ombud.insight.dashboard import Dashboard, dashboard
from ombud.insight.facts import FactsProgress
from ombud.insight.filters import InsightFilter
from ombud.insight.periods import DEFAULT_PERIOD
from ombud.insight.report_figures import Section
from ombud.insight.report_masking import mask_quotes, mask_titles, masked_title
from ombud.insight.report_sections import covered_days, sections
from ombud.insight.report_words import filter_words, moment_text
from ombud.locale import LANGUAGES, Translator
from ombud.settings import get_settings

TEMPLATES = Path(__file__).parent / "templates"


@cache
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


@cache
def figures_css() -> str:
    """The stylesheet of the figures, shared by the report (inline) and the dashboard page."""
    return (TEMPLATES / "figures.css").read_text(encoding="utf-8")


def check_language(language: str) -> str:
    if language not in LANGUAGES:
        raise InsightError(f"unknown language {language!r}: the report is written in {', '.join(LANGUAGES)}")
    return language


def render_sections(parts: list[Section], t: Translator, *, open_tables: bool) -> Markup:
    """The sections as HTML (templates/sections.html.j2): what the dashboard page shows below its filters."""
    return Markup(_environment().get_template("sections.html.j2").render(sections=parts, t=t, open_tables=open_tables))


def report_sections(board: Dashboard, t: Translator) -> list[Section]:
    """The report's sections: the dashboard's, without links (a mailed file has no drill-down) and with every
    wish theme's title masked."""
    return sections(board, t, shown_title=masked_title)


def render_report(
    session: Session,
    chosen: InsightFilter | None = None,
    language: str = "en",
    *,
    period: str = DEFAULT_PERIOD,
    title: str | None = None,
    now: datetime | None = None,
    min_voices: int | None = None,
    resamples: int | None = None,
    on_facts: Callable[[FactsProgress], None] | None = None,
) -> str:
    """The report of the voices of ``chosen``, by ``period``, in ``language`` (sv, nb, nn, da or en), as one
    HTML document. ``title`` replaces the default title (it is text, never markup). The insight facts are
    brought up to date first (``on_facts`` hears how that goes; the caller commits to keep them)."""
    check_language(language)
    chosen = chosen or InsightFilter()
    board = dashboard(
        session, chosen, period=period, now=now, min_voices=min_voices, resamples=resamples, on_facts=on_facts
    )
    mask_quotes(session, board.gaps)
    mask_titles(session, board.wishes)
    t = Translator(language, get_settings().timezone)
    parts = report_sections(board, t)
    scope = [(t("insight.filter.days"), covered_days(board, t))]
    scope += [(name, value) for name, value in filter_words(t, chosen.narrowed(start=None, end=None))]
    heading = title or (t("report.title_of", company=chosen.company) if chosen.company else t("report.title"))
    made = t("report.made", when=moment_text(t, board.at), voices=t.number(board.voices))
    return (
        _environment()
        .get_template("report.html.j2")
        .render(
            t=t,
            title=heading,
            scope=scope,
            made=made,
            sections=parts,
            body=render_sections(parts, t, open_tables=True),
            css=Markup(figures_css() + (TEMPLATES / "report.css").read_text(encoding="utf-8")),
            version=ombud.__version__,
        )
    )


def write_report(path: Path, html: str) -> Path:
    """Write ``html`` to ``path`` (UTF-8) through a temporary file in the same folder, renamed when whole."""
    folder = path.parent
    folder.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as file:
            file.write(html)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path
