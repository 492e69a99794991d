"""Grouping new wishes into a board's themes: average linkage above a threshold, existing themes kept whole.

Pure numpy, no database: loop/wishes.py feeds it the themes of one wish board
(a few representative members each) and the wishes that arrived, in order;
bench/wish_themes.py and scripts/build_wish_model.py feed it the sample's and
the corpus's wishes and measure the result.

The rule is the issue's: a wish joins the nearest theme if it is near enough,
else it starts a new one. "Near" is the average similarity to the theme's
members (average linkage). Wishes that arrive together are grouped together:
starting from the existing themes and each new wish on its own, the two
groups with the highest average similarity are joined while it is at least
the threshold — two existing themes are never joined (that is an agent's
merge). A single new wish so joins the nearest theme above the threshold; a
batch is also grouped among itself, which measured better than placing its
wishes one by one (cross-validation on the training boards, and the sample).

Similarities are scaled per wish before they are compared with the threshold:
from a pair's similarity, the mean of the two wishes' row levels is taken
away, a wish's row level being the 75th percentile of its similarities to the
board (shrunk towards the model's typical level for a small board). A long
wish, which finds a near token in anything, and a board whose wishes all
share much, so meet one threshold.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ombud.loop.themes_model import Comparison, Parameters
from ombud.loop.themes_space import Prepared, late_similarity
from ombud.loop.themes_tokens import Floats

_NEVER = -np.inf


def row_levels(
    wishes: Sequence[Prepared],
    reference: Sequence[Prepared],
    comparison: Comparison,
    parameters: Parameters,
) -> Floats:
    """Each wish's row level: the chosen percentile of its similarities to the reference wishes of its board
    (itself left out), shrunk towards the model's typical level by ``row_prior`` comparisons."""
    levels = np.full(len(wishes), comparison.row_level, np.float32)
    if not wishes or not reference:
        return levels
    similarities = late_similarity(wishes, reference).astype(np.float64)
    position = {id(item): k for k, item in enumerate(reference)}
    for row, wish in enumerate(wishes):
        itself = position.get(id(wish))
        if itself is not None:
            similarities[row, itself] = np.nan
    others = np.sum(~np.isnan(similarities), axis=1)
    compared = others > 0
    if compared.any():
        level = np.nanpercentile(similarities[compared], parameters.row_percentile, axis=1)
        weight = parameters.row_prior
        levels[compared] = (others[compared] * level + weight * comparison.row_level) / (others[compared] + weight)
    return levels


def place(
    themes: Sequence[Sequence[Prepared]],
    arrivals: Sequence[Prepared],
    reference: Sequence[Prepared],
    comparison: Comparison,
    parameters: Parameters,
    threshold: float | None = None,
) -> list[int]:
    """For each arrival, the index of the theme it joins: < len(themes) for an existing theme (given by its
    representative members), len(themes) + k for the k-th new theme, numbered in order of first arrival."""
    linkage = Linkage.of(themes, arrivals, reference, comparison, parameters)
    return linkage.groups(comparison.threshold if threshold is None else threshold)


@dataclass(frozen=True)
class Linkage:
    """The scaled similarities between the arrivals and the candidate themes, ready to group at any threshold."""

    themes: int  # how many themes the board has
    candidates: list[int]  # the themes compared in full
    sizes: npt.NDArray[np.float64]  # members per group: the candidate themes, then one per arrival
    totals: npt.NDArray[np.float64]  # summed scaled similarities between two groups (symmetric)

    @classmethod
    def of(
        cls,
        themes: Sequence[Sequence[Prepared]],
        arrivals: Sequence[Prepared],
        reference: Sequence[Prepared],
        comparison: Comparison,
        parameters: Parameters,
    ) -> Linkage:
        candidates = _candidates(themes, arrivals, parameters.candidate_themes) if arrivals else []
        members = [wish for t in candidates for wish in themes[t]]
        everyone = [*members, *arrivals]
        levels = row_levels(everyone, reference, comparison, parameters)
        scaled = late_similarity(arrivals, everyone) - (levels[len(members) :, None] + levels[None, :]) / 2
        count = len(candidates) + len(arrivals)
        totals = np.zeros((count, count), np.float64)
        offset = 0
        for group, t in enumerate(candidates):
            totals[group, len(candidates) :] = scaled[:, offset : offset + len(themes[t])].sum(axis=1)
            offset += len(themes[t])
        totals[len(candidates) :, len(candidates) :] = scaled[:, len(members) :]
        totals = np.triu(totals, 1) + np.triu(totals, 1).T
        sizes = np.array([len(themes[t]) for t in candidates] + [1] * len(arrivals), np.float64)
        return cls(len(themes), candidates, sizes, totals)

    def groups(self, threshold: float) -> list[int]:
        """Join the two groups with the highest average scaled similarity while it is at least ``threshold``;
        two existing themes are never joined. Each arrival's theme, numbered as :func:`place` says."""
        themes = len(self.candidates)
        count = len(self.sizes)
        totals = self.totals.copy()
        size = self.sizes.copy()
        fixed = np.arange(count) < themes
        alive = np.ones(count, bool)
        owner = np.arange(count)
        while count > 1:
            linkage = totals / np.outer(size, size)
            forbidden = ~(alive[:, None] & alive[None, :]) | (fixed[:, None] & fixed[None, :])
            np.fill_diagonal(forbidden, True)
            linkage[forbidden] = _NEVER
            first, second = divmod(int(np.argmax(linkage)), count)
            if linkage[first, second] < threshold:
                break
            keep, gone = (second, first) if fixed[second] else (first, second)
            totals[keep] += totals[gone]
            totals[:, keep] += totals[:, gone]
            totals[keep, keep] = 0.0
            totals[gone] = 0.0
            totals[:, gone] = 0.0
            size[keep] += size[gone]
            fixed[keep] |= fixed[gone]
            alive[gone] = False
            owner[owner == gone] = keep
        placed: list[int] = []
        new_index: dict[int, int] = {}
        for group in owner[themes:].tolist():
            if group < themes:
                placed.append(self.candidates[group])
            else:
                placed.append(new_index.setdefault(group, self.themes + len(new_index)))
        return placed


def matched(current: Sequence[int], groups: Sequence[int]) -> dict[int, int]:
    """Which group keeps which current theme after a regrouping: the pairs sharing the most wishes first, each
    group and each theme at most once. ``current[i]`` is wish i's theme before, ``groups[i]`` its group after;
    a group missing from the result becomes a new theme."""
    shared: dict[tuple[int, int], int] = {}
    for theme, group in zip(current, groups, strict=True):
        shared[(group, theme)] = shared.get((group, theme), 0) + 1
    kept: dict[int, int] = {}
    taken: set[int] = set()
    for (group, theme), _ in sorted(shared.items(), key=lambda item: (-item[1], item[0][1], item[0][0])):
        if group not in kept and theme not in taken:
            kept[group] = theme
            taken.add(theme)
    return kept


def representatives(members: Sequence[Prepared], limit: int) -> list[Prepared]:
    """The members a new wish is compared with: all, or the ``limit`` nearest the centre, in their order."""
    if len(members) <= limit:
        return list(members)
    pooled = np.stack([member.pooled() for member in members])
    closeness = pooled @ pooled.sum(axis=0)
    nearest = np.sort(np.argsort(-closeness, kind="stable")[:limit])
    return [members[int(k)] for k in nearest]


def _candidates(themes: Sequence[Sequence[Prepared]], arrivals: Sequence[Prepared], per_arrival: int) -> list[int]:
    """The themes worth comparing in full: for each arrival the ``per_arrival`` nearest by centre."""
    if len(themes) <= per_arrival:
        return [t for t, members in enumerate(themes) if members]
    pooled = np.stack([wish.pooled() for wish in arrivals])
    centres = np.stack([_centre(members, pooled.shape[1]) for members in themes])
    nearest = np.argsort(-(pooled @ centres.T), axis=1, kind="stable")[:, :per_arrival]
    return sorted({int(t) for t in nearest.ravel() if themes[int(t)]})


def _centre(members: Sequence[Prepared], dim: int) -> npt.NDArray[np.float32]:
    if not members:
        return np.zeros(dim, np.float32)
    total = np.sum([wish.pooled() for wish in members], axis=0)
    length = float(np.linalg.norm(total))
    centre: Floats = (total / length if length > 1e-12 else total).astype(np.float32)
    return centre
