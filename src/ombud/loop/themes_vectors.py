"""Where wish-theme vectors come from: the encoder, the shipped wish-theme model and the reference wishes.

The encoder is the understanding engine's (the contextual e5-small, or the
static table where it cannot run); the model (themes_model.py, built by
scripts/build_wish_model.py from corpus/wish_themes/) weighs the tokens and
holds the thresholds. :data:`REFERENCE_WISHES` are everyday wishes on varied
matters in each language: the mean of their tokens stands for "a wish in this
language" on a board that has few wishes of its own in it (themes_space.py).
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import numpy as np

from ombud.errors import WishThemeError
from ombud.loop.themes_model import SHIPPED, WishThemeModel, load_model
from ombud.loop.themes_tokens import Floats, WishInVoice, embed_token_sets
from ombud.understand.encoders import EncoderUnavailable, SpanEncoder, load_encoder

log = logging.getLogger(__name__)

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


WISH_ADAPTERS = Path(__file__).resolve().parents[1] / "understand" / "models" / "wish-adapter.npz"
_tuned: dict[Path, SpanEncoder] = {}
_tuned_lock = threading.Lock()


def tuned_encoder(adapters: Path | None = None) -> SpanEncoder:
    """e5 with the wish board's adapters merged (scripts/train_wish_adapter.py), loaded once per process;
    EncoderUnavailable where it cannot run or the adapter file is missing or unreadable."""
    adapters = adapters or WISH_ADAPTERS
    with _tuned_lock:
        if adapters not in _tuned:
            if not adapters.is_file():
                raise EncoderUnavailable(f"no wish adapters at {adapters} (scripts/train_wish_adapter.py trains them)")
            from ombud.understand.encoders.contextual import ContextualEncoder

            _tuned[adapters] = ContextualEncoder(adapters=adapters)
        return _tuned[adapters]


def wish_encoder() -> SpanEncoder:
    """e5 tuned for wishes; the plain contextual encoder where its adapters are missing; the static one where
    neither can run here."""
    try:
        return tuned_encoder()
    except EncoderUnavailable as error:
        log.debug("the wish board reads wishes with plain e5: %s", error)
    try:
        return load_encoder("contextual")
    except EncoderUnavailable:
        try:
            return load_encoder("static")
        except EncoderUnavailable as error:
            raise WishThemeError(f"no encoder can read the wishes here: {error}") from error


_models: dict[str, WishThemeModel] = {}


def wish_model() -> WishThemeModel:
    """The shipped wish-theme model, loaded once (IncompatibleWishModel says what to do when it cannot be)."""
    if "shipped" not in _models:
        _models["shipped"] = load_model(SHIPPED)
    return _models["shipped"]


def encoder_label(encoder: SpanEncoder, model: WishThemeModel | None = None) -> str:
    """What wish_themes.encoder records: changes whenever the stored tokens would (encoder or model)."""
    return f"{encoder.name}:{encoder.fingerprint}+{(model or wish_model()).label}"


_reference_cache: dict[str, dict[str, Floats]] = {}


def reference_means(encoder: SpanEncoder, model: WishThemeModel | None = None) -> dict[str, Floats]:
    """Per language the mean of the reference wishes' token vectors ("" for any other language)."""
    model = model or wish_model()
    key = encoder_label(encoder, model)
    if key not in _reference_cache:
        means: dict[str, Floats] = {}
        for language, texts in REFERENCE_WISHES.items():
            sets = embed_token_sets(encoder, [WishInVoice(text, 0, len(text), None, language) for text in texts], model)
            means[language] = np.concatenate([s.vectors[~s.context] for s in sets]).mean(axis=0).astype(np.float32)
        means[""] = np.mean(list(means.values()), axis=0).astype(np.float32)
        _reference_cache[key] = means
    return _reference_cache[key]
