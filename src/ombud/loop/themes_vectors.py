"""Wish vectors: each wish sentence read in the context of its whole voice, stripped of its language, projected.

A wish is embedded as the mean of the understanding engine's token states over
the sentence, from one pass over the whole voice (``embed_spans``), so that
"Snälla fixa det!" after a sentence about the wifi carries the wifi. Measured
on the sample (bench/wish_themes.py), this beats embedding the sentence alone.

Multilingual e5 vectors share a large component per language, which pulls a
Swedish wish about opening hours nearer to a Swedish wish about the app than to
a Danish one about opening hours. :class:`LanguageSpace` subtracts each
language's mean wish vector before comparing. The mean is estimated from the
wishes in the store, shrunk towards the mean of a few built-in reference
wishes (:data:`REFERENCE_WISHES`) so that a store with few wishes still has a
sound estimate.

Then the learned wish-theme projection (themes_model.py, built by
scripts/build_wish_model.py from corpus/wish_themes/) maps the centred vector
into a space where paraphrases of one wish are close and near-misses apart.
It is used with the encoder it was learned on; with another encoder (the
static fallback) wishes are compared in the centred space itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from ombud.errors import WishThemeError
from ombud.loop.themes_model import SHIPPED, WishProjection, load_projection
from ombud.understand.encoders import EncoderUnavailable, SpanEncoder, load_encoder

Vector = npt.NDArray[np.float32]

# How many wishes the reference mean of a language counts as, against the store's own wishes of that language.
PRIOR_WEIGHT = 20.0

# Everyday wishes on varied matters, in each language: their mean stands for "a wish in this language".
REFERENCE_WISHES: dict[str, tuple[str, ...]] = {
    "sv": (
        "Jag önskar att ni hade öppet längre på kvällarna.",
        "Det hade varit bra med en app där man ser sina beställningar.",
        "Ni borde skicka ett sms när paketet är på väg.",
        "Varför kan man inte betala med Swish?",
        "Gör gärna texten större på fakturan.",
        "Det skulle vara skönt med fler parkeringsplatser.",
        "Kan ni inte erbjuda rabatt för stamkunder?",
        "Lite mer info på hemsidan hade inte skadat.",
    ),
    "nb": (
        "Jeg skulle ønske dere hadde åpent lenger om kveldene.",
        "Det hadde vært fint med en app der man ser bestillingene sine.",
        "Dere burde sende en SMS når pakken er på vei.",
        "Hvorfor kan man ikke betale med Vipps?",
        "Gjør gjerne teksten større på fakturaen.",
        "Det hadde vært deilig med flere parkeringsplasser.",
        "Kan dere ikke tilby rabatt for faste kunder?",
        "Litt mer info på nettsiden hadde ikke skadet.",
    ),
    "nn": (
        "Eg skulle ønskje de hadde ope lenger om kveldane.",
        "Det hadde vore fint med ein app der ein ser bestillingane sine.",
        "De burde sende ein SMS når pakken er på veg.",
        "Kvifor kan ein ikkje betale med Vipps?",
        "Gjer gjerne teksten større på fakturaen.",
        "Det hadde vore godt med fleire parkeringsplassar.",
        "Kan de ikkje tilby rabatt for faste kundar?",
        "Litt meir info på nettsida hadde ikkje skada.",
    ),
    "da": (
        "Jeg ville ønske, I havde åbent længere om aftenen.",
        "Det ville være fint med en app, hvor man kan se sine bestillinger.",
        "I burde sende en sms, når pakken er på vej.",
        "Hvorfor kan man ikke betale med MobilePay?",
        "Gør gerne teksten større på fakturaen.",
        "Det ville være rart med flere parkeringspladser.",
        "Kan I ikke tilbyde rabat til faste kunder?",
        "Lidt mere info på hjemmesiden ville ikke skade.",
    ),
    "en": (
        "I wish you were open later in the evenings.",
        "It would be great to have an app where you can see your orders.",
        "You should send a text when the parcel is on its way.",
        "Why can't I pay with Apple Pay?",
        "Please make the text on the invoice bigger.",
        "It would be nice to have more parking spaces.",
        "Could you offer a discount for regular customers?",
        "A bit more information on the website wouldn't hurt.",
    ),
}


def wish_encoder() -> SpanEncoder:
    """The contextual encoder, or the static one where the contextual cannot run here."""
    try:
        return load_encoder("contextual")
    except EncoderUnavailable:
        try:
            return load_encoder("static")
        except EncoderUnavailable as error:
            raise WishThemeError(f"no encoder can read the wishes here: {error}") from error


_projections: dict[str, WishProjection | None] = {}


def wish_projection(encoder: SpanEncoder) -> WishProjection | None:
    """The shipped projection if it was learned on this encoder; None for another encoder (no projection).
    A projection learned on another build of this encoder is refused (IncompatibleWishModel)."""
    key = f"{encoder.name}:{encoder.fingerprint}"
    if key not in _projections:
        projection = load_projection(SHIPPED)
        if projection.encoder["name"] == encoder.name:
            projection = load_projection(SHIPPED, encoder_name=encoder.name, encoder_fingerprint=encoder.fingerprint)
            _projections[key] = projection
        else:
            _projections[key] = None
    return _projections[key]


def encoder_label(encoder: SpanEncoder) -> str:
    """What wish_themes.encoder records: changes whenever the compared vectors would (encoder or projection)."""
    projection = wish_projection(encoder)
    label = f"{encoder.name}:{encoder.fingerprint}"
    return f"{label}+{projection.label}" if projection is not None else label


def to_bytes(vector: Vector) -> bytes:
    return np.asarray(vector, dtype=np.float32).tobytes()


def from_bytes(data: bytes) -> Vector:
    return np.frombuffer(data, dtype=np.float32).copy()


def normalised(vector: npt.NDArray[np.floating]) -> Vector:
    length = float(np.linalg.norm(vector))
    return (vector / length if length > 1e-12 else vector).astype(np.float32)


@dataclass(frozen=True)
class WishSpan:
    """One wish sentence: the voice it is in and where."""

    voice_text: str
    start: int
    end: int


def embed_wishes(encoder: SpanEncoder, wishes: Sequence[WishSpan], batch: int = 64) -> list[Vector]:
    """One vector per wish, each voice read once however many wishes it holds."""
    by_text: dict[str, list[int]] = {}
    for index, wish in enumerate(wishes):
        by_text.setdefault(wish.voice_text, []).append(index)
    texts = list(by_text)
    vectors: list[Vector | None] = [None] * len(wishes)
    for first in range(0, len(texts), batch):
        chunk = texts[first : first + batch]
        spans = [[(wishes[i].start, wishes[i].end) for i in by_text[text]] for text in chunk]
        _, per_text = encoder.embed_spans(chunk, spans)
        for text, rows in zip(chunk, per_text, strict=True):
            for index, row in zip(by_text[text], rows, strict=True):
                vectors[index] = np.asarray(row, dtype=np.float32)
    return [vector for vector in vectors if vector is not None]


_reference_cache: dict[str, dict[str, Vector]] = {}


def _reference_means(encoder: SpanEncoder) -> dict[str, Vector]:
    key = f"{encoder.name}:{encoder.fingerprint}"
    known = _reference_cache.get(key)
    if known is not None:
        return known
    means: dict[str, Vector] = {}
    for language, texts in REFERENCE_WISHES.items():
        vectors = embed_wishes(encoder, [WishSpan(text, 0, len(text)) for text in texts])
        means[language] = np.mean(vectors, axis=0).astype(np.float32)
    means[""] = np.mean(list(means.values()), axis=0).astype(np.float32)  # any other language
    _reference_cache[key] = means
    return means


@dataclass
class LanguageSpace:
    """Subtracts each language's mean wish vector; built from the reference means and the store's wishes."""

    prior: dict[str, Vector]
    totals: dict[str, npt.NDArray[np.float64]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    prior_weight: float = PRIOR_WEIGHT
    projection: WishProjection | None = None

    @classmethod
    def for_encoder(cls, encoder: SpanEncoder, *, projected: bool = True) -> LanguageSpace:
        """The space of an encoder: its reference means and, unless ``projected`` is False, its projection."""
        return cls(_reference_means(encoder), projection=wish_projection(encoder) if projected else None)

    @property
    def dim(self) -> int:
        """The length of the vectors wishes are compared by."""
        return self.projection.dim if self.projection is not None else int(self.prior[""].shape[0])

    def observe(self, language: str, vectors: Iterable[Vector]) -> None:
        for vector in vectors:
            if language not in self.totals:
                self.totals[language] = np.zeros(vector.shape, dtype=np.float64)
                self.counts[language] = 0
            self.totals[language] += vector
            self.counts[language] += 1

    def mean(self, language: str) -> npt.NDArray[np.float64]:
        prior = self.prior.get(language, self.prior[""]).astype(np.float64)
        count = self.counts.get(language, 0)
        if not count:
            return prior
        return (self.totals[language] + self.prior_weight * prior) / (count + self.prior_weight)

    def centred(self, vector: Vector, language: str) -> Vector:
        """The vector without its language's mean, projected where there is a projection; unit length."""
        centred = normalised(vector - self.mean(language))
        return self.projection.project(centred) if self.projection is not None else centred
