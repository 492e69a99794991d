"""Nobody named in what the dashboard and the report quote: the expectation-gap quotes come with personal data
masked (gaps.py); here the quoted customer's own name, e-mail and phone are masked too, wherever they stand in
the quote (as ``ombud.access.masking`` does for analysts), and a wish theme's title — a customer's words — is
masked like any quote."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from ombud.access.masking import Masker
from ombud.insight.gaps import ExpectationGaps
from ombud.store.models import Customer, CustomerIdentity, Voice


def masked_title(title: str) -> str:
    """A wish theme's title with the personal data in it masked."""
    return Masker().text(title) or ""


def customer_maskers(session: Session, customer_ids: Iterable[int]) -> dict[int, Masker]:
    """A masker for each customer: their name and identities, wherever they stand in a text."""
    wanted = set(customer_ids)
    if not wanted:
        return {}
    names = dict(session.execute(select(Customer.id, Customer.name).where(Customer.id.in_(wanted))).all())
    identities: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for customer_id, kind, value in session.execute(
        select(CustomerIdentity.customer_id, CustomerIdentity.kind, CustomerIdentity.value).where(
            CustomerIdentity.customer_id.in_(wanted)
        )
    ):
        identities[customer_id].append((kind, value))
    return {customer_id: Masker.for_customer(names.get(customer_id), identities[customer_id]) for customer_id in wanted}


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
