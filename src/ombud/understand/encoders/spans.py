"""Which tokens a character span covers, and vector helpers shared by both encoders."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float32]


def overlap_matrix(offsets: npt.NDArray[np.int32], spans: Sequence[tuple[int, int]]) -> Floats:
    """(spans, tokens): 1 where a token's visible characters overlap the [start, end) span.

    A token that straddles two sentences ("x.Y" read as one piece) counts for
    both; a token with no visible character (a lone ``▁``) counts for none,
    and an empty span covers no token.
    """
    if not len(spans):
        return np.zeros((0, len(offsets)), dtype=np.float32)
    bounds = np.asarray(spans, dtype=np.int64).reshape(-1, 2)
    starts, ends = offsets[:, 0].astype(np.int64), offsets[:, 1].astype(np.int64)
    visible = ends > starts
    covered = (starts[None, :] < bounds[:, 1:2]) & (ends[None, :] > bounds[:, 0:1]) & visible[None, :]
    covered &= bounds[:, 1:2] > bounds[:, 0:1]  # an empty span covers nothing, even inside a token
    return covered.astype(np.float32)


def l2_normalised(vectors: Floats) -> Floats:
    """Rows scaled to unit length; an all-zero row (a span with no token) stays zero."""
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    normalised: Floats = (vectors / np.maximum(norms, 1e-12)).astype(np.float32)
    return normalised


def mean_pooled(token_vectors: Floats, overlap: Floats) -> Floats:
    """Mean of the covered tokens' vectors per span, L2-normalised."""
    counts = overlap.sum(axis=1, keepdims=True)
    return l2_normalised((overlap @ token_vectors) / np.maximum(counts, 1.0))
