"""Nobody named in what the dashboard and the report quote: each expectation-gap quote is masked by ombud's one
masker (``ombud.access.masking``) with the quoted customer's own name and identities, and a wish theme's title —
a customer's words — with those of every customer of the theme."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ombud.access.masking import Masker, customer_maskers, theme_maskers
from ombud.insight.gaps import ExpectationGaps
from ombud.insight.wish_demand import WishDemand
from ombud.store.models import Voice


def masked_title(title: str) -> str:
    """A wish theme's title with the personal data in it masked (whoever's customers it names: see
    :func:`mask_titles` for the theme's own customers' names and identities too)."""
    return Masker().text(title) or ""


def mask_titles(session: Session, demand: WishDemand) -> None:
    """Mask each theme's title in ``demand`` with every customer of the theme (in place)."""
    maskers = theme_maskers(session, [theme.theme_id for theme in demand.themes])
    for theme in demand.themes:
        theme.title = (maskers.get(theme.theme_id) or Masker()).text(theme.title) or ""


def mask_quotes(session: Session, gaps: ExpectationGaps) -> None:
    """Mask each quoted customer's own name and identities in the quotes of ``gaps`` (in place)."""
    voice_ids = {quote.voice_id for entry in gaps.topics for quote in entry.quotes}
    if not voice_ids:
        return
    customer_of = dict(session.execute(select(Voice.id, Voice.customer_id).where(Voice.id.in_(voice_ids))).all())
    maskers = customer_maskers(session, customer_of.values())
    for entry in gaps.topics:
        for quote in entry.quotes:
            masker = maskers.get(customer_of.get(quote.voice_id, -1)) or Masker()
            quote.text = masker.text(quote.text, language=quote.language) or ""
