"""The wish-theme model on disk: how wishes are weighed and compared, learned from corpus/wish_themes/.

scripts/build_wish_model.py counts in how many of the corpus's wishes each
e5 token occurs (the inverse document frequency that makes "det hade varit bra
om" weigh little and "söndagar" much), and tunes, by cross-validation over
whole wish boards, the similarity above which a wish joins a theme and how
much a wish's context sentence counts. One ``.npz`` of plain arrays plus a
JSON header (no pickles): name, version, the training corpus's fingerprint,
the parameters, per encoder the threshold and the typical row level of the
similarity scaling, and the scores measured in cross-validation. Loading
refuses a file of another format, saying what to do.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from ombud.errors import WishThemeError
from ombud.understand.model_file import write_reproducible_npz

FORMAT = "ombud-wish-themes/2"
SHIPPED = Path(__file__).resolve().parents[1] / "understand" / "models" / "wish-themes.npz"


class IncompatibleWishModel(WishThemeError):
    """A wish-theme model file this ombud cannot use; the message says why and what to do."""


@dataclass(frozen=True)
class Comparison:
    """How wishes are compared with one encoder: the joining threshold and the prior of the row scaling."""

    threshold: float  # scaled similarity (see themes_grouping) at or above which a wish joins a theme
    row_level: float  # the typical 75th percentile of a wish's similarities to its board, for small boards


@dataclass(frozen=True)
class Parameters:
    """The choices the model was tuned with (see themes_space and themes_grouping)."""

    idf_power: float = 2.0  # a token weighs idf ** idf_power
    context_weight: float = 0.3  # a token of the wish's context sentence weighs this much of a wish token
    tokens_kept: int = 24  # the heaviest tokens of a wish (with its context) that are kept
    language_prior_tokens: float = 50.0  # the reference mean of a language counts as this many board tokens
    row_percentile: float = 75.0  # which percentile of a wish's similarities its row level is
    row_prior: float = 20.0  # the model's row level counts as this many comparisons
    representatives: int = 8  # members per theme a new wish is compared with
    candidate_themes: int = 30  # themes per new wish compared in full (the nearest by centre)

    def as_dict(self) -> dict[str, float | int]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class WishThemeModel:
    name: str
    version: str
    corpus: dict[str, Any]  # {"fingerprint", "themes", "wishes", "languages", "files"}
    documents: int  # wishes the token counts were taken over
    token_ids: npt.NDArray[np.int32]  # sorted
    token_counts: npt.NDArray[np.int32]  # in how many wishes each token occurs
    parameters: Parameters
    comparisons: dict[str, Comparison]  # by encoder name
    scores: dict[str, Any] = field(default_factory=dict)  # cross-validated on the training boards
    trained: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def label(self) -> str:
        """Changes whenever the compared vectors or weights would: recorded with each theme."""
        digest = hashlib.sha256()
        digest.update(np.ascontiguousarray(self.token_ids).tobytes())
        digest.update(np.ascontiguousarray(self.token_counts).tobytes())
        digest.update(json.dumps(self.parameters.as_dict(), sort_keys=True).encode())
        return f"{self.name}-{self.version}:{digest.hexdigest()[:12]}"

    def comparison(self, encoder_name: str) -> Comparison:
        """The threshold measured for this encoder; for one the model was not tuned on, the first one's."""
        return self.comparisons.get(encoder_name) or next(iter(self.comparisons.values()))

    def token_weights(self, ids: npt.NDArray[np.integer]) -> npt.NDArray[np.float32]:
        """idf ** idf_power of each token; a token no training wish held counts as held by none."""
        found = np.searchsorted(self.token_ids, ids)
        found = np.minimum(found, max(len(self.token_ids) - 1, 0))
        known = len(self.token_ids) > 0
        counts = np.where(known & (self.token_ids[found] == ids), self.token_counts[found], 0) if known else 0
        idf = np.log((self.documents + 1.0) / (np.asarray(counts, dtype=np.float64) + 1.0))
        return (np.maximum(idf, 0.0) ** self.parameters.idf_power + 1e-6).astype(np.float32)

    def header(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "name": self.name,
            "version": self.version,
            "corpus": self.corpus,
            "documents": self.documents,
            "parameters": self.parameters.as_dict(),
            "comparisons": {name: c.__dict__ for name, c in self.comparisons.items()},
            "scores": self.scores,
            "trained": self.trained,
        }

    def save(self, path: Path) -> None:
        write_reproducible_npz(
            path,
            {
                "header": np.array(json.dumps(self.header(), ensure_ascii=False, sort_keys=True)),
                "token_ids": np.asarray(self.token_ids, dtype=np.int32),
                "token_counts": np.asarray(self.token_counts, dtype=np.int32),
            },
        )


def load_model(path: Path = SHIPPED) -> WishThemeModel:
    """Load a wish-theme model, refusing one of another format with what to do."""
    if not path.exists():
        raise IncompatibleWishModel(f"{path}: no wish-theme model here; build it with `make model`")
    try:
        with np.load(path, allow_pickle=False) as arrays:
            missing = {"header", "token_ids", "token_counts"} - set(arrays.files)
            header: dict[str, Any] = json.loads(str(arrays["header"])) if "header" in arrays.files else {}
            if header.get("format") != FORMAT:
                raise IncompatibleWishModel(
                    f"{path}: wish-theme model format {header.get('format')!r}, but this ombud reads {FORMAT!r}; "
                    "rebuild it with `make model`"
                )
            if missing:
                raise IncompatibleWishModel(f"{path}: not an ombud wish-theme model (no {', '.join(sorted(missing))})")
            token_ids = arrays["token_ids"].astype(np.int32)
            token_counts = arrays["token_counts"].astype(np.int32)
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as error:
        raise IncompatibleWishModel(f"{path}: not a readable wish-theme model ({error})") from error
    if token_ids.shape != token_counts.shape or np.any(np.diff(token_ids) <= 0):
        raise IncompatibleWishModel(f"{path}: the token table is damaged; rebuild it with `make model`")
    comparisons = {name: Comparison(**values) for name, values in header["comparisons"].items()}
    if not comparisons:
        raise IncompatibleWishModel(f"{path}: the model names no encoder; rebuild it with `make model`")
    return WishThemeModel(
        name=header["name"],
        version=header["version"],
        corpus=header["corpus"],
        documents=int(header["documents"]),
        token_ids=token_ids,
        token_counts=token_counts,
        parameters=Parameters(**header["parameters"]),
        comparisons=comparisons,
        scores=header.get("scores", {}),
        trained=header.get("trained", {}),
    )
