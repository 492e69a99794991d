"""The message templates (Jinja2), one set per language: the company's own folder first, then ombud's.

A company puts its own ``{sv,nb,nn,da,en}/NAME.txt.j2`` files in
``OMBUD_TEMPLATES_DIR`` to speak in its own tone; any template it leaves out
comes from ``templates/`` of this package.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, Template

from ombud.settings import get_settings

LANGUAGES = ("sv", "nb", "nn", "da", "en")
PACKAGE_TEMPLATES = Path(__file__).parent / "templates"


@cache
def _environment(company_folder: str | None) -> Environment:
    loaders = [FileSystemLoader(company_folder)] if company_folder else []
    loaders.append(FileSystemLoader(PACKAGE_TEMPLATES))
    return Environment(
        loader=ChoiceLoader(loaders),
        undefined=StrictUndefined,  # a misspelt variable in a company's template fails loudly, not as blank text
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,  # plain-text messages
    )


def template(language: str, name: str) -> Template:
    """``LANGUAGE/NAME.txt.j2``; a language ombud has no templates for falls back to English."""
    chosen = language if language in LANGUAGES else "en"
    return _environment(get_settings().templates_dir).get_template(f"{chosen}/{name}.txt.j2")
