"""Incremental grouping of wish vectors into themes: the nearest theme centre above a threshold, else a new theme.

Pure numpy, no database: loop/wishes.py feeds it the themes of one wish board
and the new wishes in the order they arrived; bench/wish_themes.py feeds it
the sample's wishes and measures the result. The method and thresholds were
chosen by that measurement (see the bench's notes).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from ombud.loop.themes_model import WishProjection
from ombud.loop.themes_vectors import Vector, normalised

# The cosine similarity above which a wish joins a theme. With the learned projection (themes_model.py) the
# threshold is the one the projection carries, tuned on its training themes. Without one (another encoder), the
# value for the language-centred space, matched by the start of the encoder's name. e5-small: best on the sample
# before the projection (bench/wish_themes.py: ARI 0.50, purity 0.70 at 0.20); the static table's value is a first
# guess, not yet measured.
MEASURED_THRESHOLDS = {"e5-small": 0.20, "e5-static": 0.30}
FALLBACK_THRESHOLD = 0.30


def default_threshold(encoder_name: str, projection: WishProjection | None = None) -> float:
    if projection is not None:
        return projection.threshold
    for prefix, threshold in MEASURED_THRESHOLDS.items():
        if encoder_name.startswith(prefix):
            return threshold
    return FALLBACK_THRESHOLD


@dataclass
class Group:
    """A theme as the grouping sees it: the sum of its members' centred vectors."""

    key: int | None  # the theme's id; None for a theme this pass started
    total: npt.NDArray[np.float64]
    count: int = 0
    members: list[int] = field(default_factory=list)  # indexes of the wishes this pass added

    @property
    def centre(self) -> Vector:
        return normalised(self.total)


def assign(groups: list[Group], vectors: list[Vector], threshold: float) -> list[int]:
    """Place each vector, in order, in the group whose centre is nearest if at least ``threshold``, else in a
    new group appended to ``groups``; return each vector's group index. Groups' centres move as they grow."""
    centres = np.stack([group.centre for group in groups]) if groups else np.zeros((0, 0), dtype=np.float32)
    placed: list[int] = []
    for index, vector in enumerate(vectors):
        best = -1
        if len(groups):
            similarities = centres @ vector
            best = int(np.argmax(similarities))
            if similarities[best] < threshold:
                best = -1
        if best < 0:
            groups.append(Group(key=None, total=np.zeros(vector.shape, dtype=np.float64)))
            best = len(groups) - 1
            centres = np.vstack([centres, vector[None, :]]) if centres.size else vector[None, :].copy()
        group = groups[best]
        group.total += vector
        group.count += 1
        group.members.append(index)
        centres[best] = group.centre
        placed.append(best)
    return placed
