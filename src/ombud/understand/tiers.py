"""The two tiers behind one interface, and the shipped models of each.

- ``accurate``: the multilingual e5-small transformer (converted to ONNX by
  ombud itself) reads each voice in one pass; heads on its token vectors.
- ``fast``: no transformer at reading time; hashed n-grams beside a static
  token table ombud distilled from the same transformer, and heads on both.

Where the accurate tier cannot load (no onnxruntime build for this CPU, say),
it fails over to the fast tier with a warning instead of failing the job.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Literal

from ombud.understand.encoders import EncoderKind, EncoderUnavailable, SpanEncoder, load_encoder
from ombud.understand.model_file import load_model, read_header
from ombud.understand.reader import Reader

Tier = Literal["fast", "accurate"]
TIERS: tuple[Tier, ...] = ("fast", "accurate")
# Chosen by measurement (docs/quality.md): the better reading for the user at a speed that keeps up.
DEFAULT_TIER: Tier = "accurate"

MODELS = Path(__file__).parent / "models"
ENCODER_OF_TIER: dict[str, EncoderKind] = {"fast": "ngrams+static", "accurate": "ngrams+contextual"}

log = logging.getLogger(__name__)
_readers: dict[tuple[str, str], Reader] = {}
_lock = threading.RLock()  # the accurate tier falls over to the fast one from inside


def shipped_model_path(tier: str) -> Path:
    return MODELS / f"{tier}.npz"


def resolve_tier(tier: str | None) -> Tier:
    if tier in (None, "", "default"):
        return DEFAULT_TIER
    if tier not in TIERS:
        raise ValueError(f"unknown tier {tier!r}: use fast, accurate or default")
    return "fast" if tier == "fast" else "accurate"


def load_reader(tier: str | None = None, model_path: Path | None = None) -> Reader:
    """The reader of a tier (shipped model, or ``model_path``), loaded once per process."""
    chosen = resolve_tier(tier)
    if model_path is not None:
        chosen = read_header(model_path)["tier"]
    path = model_path or shipped_model_path(chosen)
    key = (chosen, str(path))
    with _lock:
        if key not in _readers:
            _readers[key] = _build(chosen, path)
        return _readers[key]


def _build(tier: Tier, path: Path) -> Reader:
    try:
        encoder: SpanEncoder = load_encoder(ENCODER_OF_TIER[tier])
    except EncoderUnavailable as reason:
        if tier == "fast":
            raise
        log.warning("the accurate tier cannot load here (%s); reading with the fast tier instead", reason)
        return load_reader("fast")
    return Reader(encoder, load_model(path, encoder_name=encoder.name, encoder_fingerprint=encoder.fingerprint))
