"""understand: what each voice says — language, acts, feelings, topics, flags and personal data.

from ombud.understand import analyze
[analysis] = analyze(["Jag önskar att ni hade öppet på söndagar."], tier="fast")
analysis.dominant_act   # "wish"
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ombud.understand.analysis import Analysis


def analyze(texts: Sequence[str], tier: str | None = None, model: Path | None = None) -> list[Analysis]:
    """Read a batch of voices with a tier's shipped model (fast, accurate, or the default), or with
    ``model``, a model file made by ``ombud train``."""
    from ombud.understand.tiers import load_reader

    return load_reader(tier, model).analyze(list(texts))


__all__ = ["analyze"]
