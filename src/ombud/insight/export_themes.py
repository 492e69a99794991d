"""The rows of the theme level: each wish theme with its demand among the chosen voices, and a quote.

Only the wishes of the voices the filter chooses count, so ``--from 2026-01-01 --language nn`` gives each theme's
Nynorsk demand since January; a theme with none of them is left out, and so is a theme merged into another (its
wishes are in the other). The quote is the theme's most central wish among those: the one whose vector is
nearest the mean of their vectors (cosine), which needs no model loaded and reads one theme's vectors at a time.
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import numpy as np
from sqlalchemy import Select, distinct, func, select
from sqlalchemy.orm import Session

from ombud.access.masking import customer_people, masked, personal_spans
from ombud.insight.export_filter import ExportFilter
from ombud.insight.export_rows import Row
from ombud.store.models import Voice, VoiceAnalysis, Wish, WishTheme

_STREAM = 2_000
_Query = TypeVar("_Query", bound=Select[*tuple[Any, ...]])


@dataclass
class _Demand:
    customers: int
    wishes: int
    first: datetime
    last: datetime


@dataclass
class _Quote:
    text: str
    language: str
    customer_id: int


def _chosen(query: _Query, export_filter: ExportFilter) -> _Query:
    """``query`` over the wishes of the chosen voices in themes still on a board."""
    return (
        query.join(Voice, Voice.id == Wish.voice_id)
        .outerjoin(VoiceAnalysis, VoiceAnalysis.voice_id == Voice.id)
        .join(WishTheme, WishTheme.id == Wish.theme_id)
        .where(WishTheme.merged_into_id.is_(None), *export_filter.conditions())
    )


def count_themes(session: Session, export_filter: ExportFilter) -> int:
    query = _chosen(select(func.count(distinct(Wish.theme_id))).select_from(Wish), export_filter)
    return int(session.scalar(query) or 0)


def theme_rows(
    session: Session, export_filter: ExportFilter, *, personal_data: bool, batch_size: int
) -> Iterator[list[Row]]:
    """Batches of theme rows, most customers first (then most wishes, then the oldest theme)."""
    demand = _demand(session, export_filter)
    languages = _labels(session, export_filter, Wish.language)
    channels = _labels(session, export_filter, Voice.channel)
    quotes = _quotes(session, export_filter)
    people = {} if personal_data else customer_people(session, sorted({quote.customer_id for quote in quotes.values()}))
    order = sorted(demand, key=lambda theme: (-demand[theme].customers, -demand[theme].wishes, theme))
    step = min(batch_size, 900)  # ids per IN (…) list
    for start in range(0, len(order), step):
        ids = order[start : start + step]
        themes = {theme.id: theme for theme in session.scalars(select(WishTheme).where(WishTheme.id.in_(ids)))}
        batch: list[Row] = []
        for theme_id in ids:
            theme, counted, quote = themes[theme_id], demand[theme_id], quotes.get(theme_id)
            title: str | None = theme.title
            note = theme.status_note
            text = quote.text if quote else None
            if not personal_data:
                title = masked(title, personal_spans(title, theme.language))
                note = masked(note, personal_spans(note, theme.language))
                if quote is not None:
                    text = masked(text, personal_spans(text, quote.language, people.get(quote.customer_id)))
            batch.append(
                (
                    theme.id,
                    theme.company,
                    title,
                    theme.status,
                    note,
                    counted.customers,
                    counted.wishes,
                    counted.first,
                    counted.last,
                    languages.get(theme_id, []),
                    channels.get(theme_id, []),
                    text,
                )
            )
        yield batch


def _demand(session: Session, export_filter: ExportFilter) -> dict[int, _Demand]:
    query = _chosen(
        select(
            Wish.theme_id,
            func.count(distinct(Wish.customer_id)),
            func.count(Wish.id),
            func.min(Voice.received_at),
            func.max(Voice.received_at),
        ).select_from(Wish),
        export_filter,
    ).group_by(Wish.theme_id)
    return {
        theme_id: _Demand(customers, wishes, first, last)
        for theme_id, customers, wishes, first, last in session.execute(query)
    }


def _labels(session: Session, export_filter: ExportFilter, label: Any) -> dict[int, list[str]]:
    """Each theme's distinct values of ``label`` among its chosen wishes, the most frequent first."""
    query = _chosen(select(Wish.theme_id, label, func.count()).select_from(Wish), export_filter)
    counted: dict[int, Counter[str]] = defaultdict(Counter)
    for theme_id, value, count in session.execute(query.group_by(Wish.theme_id, label)):
        if value is not None:
            counted[theme_id][value] += count
    return {
        theme_id: [value for value, _ in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]
        for theme_id, counts in counted.items()
    }


def _quotes(session: Session, export_filter: ExportFilter) -> dict[int, _Quote]:
    query = _chosen(
        select(Wish.theme_id, Wish.text, Wish.language, Wish.customer_id, Wish.vector).select_from(Wish),
        export_filter,
    ).order_by(Wish.theme_id, Wish.id)
    rows = session.execute(query.execution_options(yield_per=_STREAM))
    quotes: dict[int, _Quote] = {}
    for theme_id, wishes in itertools.groupby(rows, key=lambda row: row[0]):
        chosen = list(wishes)
        best = _most_central([row[4] for row in chosen])
        _, text, language, customer_id, _ = chosen[best]
        quotes[theme_id] = _Quote(text, language, customer_id)
    return quotes


def _most_central(vectors: Sequence[bytes]) -> int:
    """The index of the vector nearest (cosine) the mean of the unit vectors of the most common length;
    the first on a tie, or when there is nothing to compare."""
    lengths = Counter(len(vector) for vector in vectors)
    size, _ = lengths.most_common(1)[0]
    if size == 0 or size % 4:
        return 0
    indexes = [index for index, vector in enumerate(vectors) if len(vector) == size]
    matrix = np.frombuffer(b"".join(vectors[index] for index in indexes), dtype=np.float32).reshape(len(indexes), -1)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    units = np.divide(matrix, norms, out=np.zeros_like(matrix), where=norms > 0)
    closeness = units @ units.mean(axis=0)
    return indexes[int(np.argmax(closeness))]
