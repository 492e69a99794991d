"""The colours of ombud's charts: one per act, sentiment, emotion and flag wherever they are drawn, and the
shading of table cells.

Acts and sentiment take Okabe & Ito's colour-blind-safe hues, emotions the colours of Plutchik's wheel
(darkened where white text or a white page needs it).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

# Okabe & Ito's colour-blind-safe hues for the acts and sentiment; Plutchik's wheel for the emotions. Every
# colour stands out from the white page by at least 3:1 (WCAG 1.4.11 for graphics): Okabe & Ito's orange, sky
# blue and yellow do not, so question takes their reddish purple, and yellow and gold are darkened.
ACT_COLOURS = {
    "complaint": "#D55E00",
    "praise": "#009E73",
    "wish": "#0072B2",
    "question": "#CC79A7",
    "other": "#8C8C8C",
}
SENTIMENT_COLOURS = {"negative": "#D55E00", "neutral": "#8C8C8C", "positive": "#009E73"}
EMOTION_COLOURS = {
    "anger": "#C62828",
    "anticipation": "#EF6C00",
    "joy": "#A67C00",
    "trust": "#689F38",
    "fear": "#1B5E20",
    "surprise": "#0288D1",
    "sadness": "#283593",
    "disgust": "#7B1FA2",
}
FLAG_COLOURS = {"expectation_gap": "#B8860B", "legal_claim": "#3A8FC0", "churn_risk": "#3D3D3D"}
KEY_COLOURS = {**ACT_COLOURS, **SENTIMENT_COLOURS, **EMOTION_COLOURS, **FLAG_COLOURS}
# For anything else (channels, companies, segments), in order of appearance in a chart.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#B8860B", "#3A8FC0", "#3D3D3D", "#A8487F", "#8C8C8C")
HEAT_COLOUR = "#0072B2"


def colours_for(keys: Sequence[str | None]) -> list[str]:
    """One colour per series key: the key's own, else the next palette colour that no keyed series uses."""
    taken = {KEY_COLOURS[key] for key in keys if key in KEY_COLOURS}
    spare = (colour for colour in itertools.cycle(PALETTE) if colour not in taken or len(taken) >= len(PALETTE))
    return [KEY_COLOURS[key] if key in KEY_COLOURS else next(spare) for key in keys]


def css_variables() -> str:
    """The colours as CSS custom properties named by their key (``--complaint:#D55E00;--anger:#C62828;…``), so
    that a page's own marks (an act's label, an emotion's tag) take the charts' colours."""
    return ";".join(f"--{key.replace('_', '-')}:{colour}" for key, colour in KEY_COLOURS.items())


def _rgb(colour: str) -> tuple[int, int, int]:
    digits = colour.lstrip("#")
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def _luminance(rgb: tuple[int, int, int]) -> float:
    def channel(value: int) -> float:
        share = value / 255
        return share / 12.92 if share <= 0.03928 else ((share + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(value) for value in rgb)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def shade(colour: str, strength: float) -> tuple[str, str]:
    """(background, text colour) for a cell: white blended towards ``colour`` by ``strength`` (0–1), and
    black or white text, whichever has the higher contrast on it."""
    strength = min(max(strength, 0.0), 1.0)
    rgb = tuple(round(255 + (part - 255) * strength) for part in _rgb(colour))
    background = "#{:02X}{:02X}{:02X}".format(*rgb)
    light = _luminance((rgb[0], rgb[1], rgb[2]))
    # Contrast with black is (L + 0.05) / 0.05, with white 1.05 / (L + 0.05); black wins above L ≈ 0.179.
    return background, "#111111" if light > 0.179 else "#FFFFFF"
