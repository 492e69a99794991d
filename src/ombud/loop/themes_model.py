"""The wish-theme projection on disk: a linear map of the encoder's wish vectors, learned on paraphrase groups.

scripts/build_wish_model.py learns it from corpus/wish_themes/ (many customers
each writing the same wish their own way, in sv, nb, nn, da and en) so that
the same wish lands near itself and near-misses stay apart, and tunes the
threshold at which a wish joins a theme by simulating the wish board on the
training themes. One ``.npz`` of plain arrays plus a JSON header (no pickles):
name, version, the encoder the map expects (name, fingerprint, dim), the
training file's fingerprint, the threshold and the scores measured in
cross-validation. Loading refuses a file of another format, or one made for
another build of the same encoder, saying what to do.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from ombud.errors import WishThemeError
from ombud.understand.model_file import write_reproducible_npz

FORMAT = "ombud-wish-themes/1"
SHIPPED = Path(__file__).resolve().parents[1] / "understand" / "models" / "wish-themes.npz"


class IncompatibleWishModel(WishThemeError):
    """A wish-theme model file this ombud cannot use; the message says why and what to do."""


@dataclass(frozen=True)
class WishProjection:
    name: str
    version: str
    encoder: dict[str, Any]  # {"name", "fingerprint", "dim"}
    corpus: dict[str, Any]  # {"fingerprint", "themes", "wishes", "languages", "files"}
    matrix: npt.NDArray[np.float32]  # (encoder dim, projected dim)
    threshold: float  # cosine in the projected space above which a wish joins a theme
    scores: dict[str, Any] = field(default_factory=dict)  # cross-validated on the training themes
    trained: dict[str, Any] = field(default_factory=dict)  # method, options, seed

    @property
    def dim(self) -> int:
        return int(self.matrix.shape[1])

    @property
    def label(self) -> str:
        """Changes whenever the projected vectors would: recorded with each theme's centre."""
        digest = hashlib.sha256(np.ascontiguousarray(self.matrix, dtype=np.float32).tobytes()).hexdigest()
        return f"{self.name}-{self.version}:{digest[:12]}"

    def project(self, vector: npt.NDArray[np.floating]) -> npt.NDArray[np.float32]:
        projected = np.asarray(vector, dtype=np.float32) @ self.matrix
        length = float(np.linalg.norm(projected))
        return (projected / length if length > 1e-12 else projected).astype(np.float32)

    def header(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "name": self.name,
            "version": self.version,
            "encoder": self.encoder,
            "corpus": self.corpus,
            "threshold": self.threshold,
            "scores": self.scores,
            "trained": self.trained,
        }

    def save(self, path: Path) -> None:
        write_reproducible_npz(
            path,
            {
                "header": np.array(json.dumps(self.header(), ensure_ascii=False, sort_keys=True)),
                "matrix": np.asarray(self.matrix, dtype=np.float32),
            },
        )


def load_projection(
    path: Path = SHIPPED, *, encoder_name: str | None = None, encoder_fingerprint: str | None = None
) -> WishProjection:
    """Load a wish-theme model; with an encoder given, refuse one learned on another encoder's vectors."""
    if not path.exists():
        raise IncompatibleWishModel(f"{path}: no wish-theme model here; build it with `make model`")
    try:
        with np.load(path, allow_pickle=False) as arrays:
            if "header" not in arrays.files or "matrix" not in arrays.files:
                raise IncompatibleWishModel(f"{path}: not an ombud wish-theme model (no header or matrix)")
            header: dict[str, Any] = json.loads(str(arrays["header"]))
            matrix = arrays["matrix"].astype(np.float32)
    except (OSError, ValueError, zipfile.BadZipFile) as error:
        raise IncompatibleWishModel(f"{path}: not a readable wish-theme model ({error})") from error
    if header.get("format") != FORMAT:
        raise IncompatibleWishModel(
            f"{path}: wish-theme model format {header.get('format')!r}, but this ombud reads {FORMAT!r}; "
            "rebuild it with `make model`"
        )
    expected = header["encoder"]
    if encoder_name is not None and (expected["name"], expected["fingerprint"]) != (encoder_name, encoder_fingerprint):
        raise IncompatibleWishModel(
            f"{path}: this wish-theme model was learned on the vectors of encoder {expected['name']!r} "
            f"(fingerprint {expected['fingerprint']}), but the encoder here is {encoder_name!r} "
            f"(fingerprint {encoder_fingerprint}); rebuild it with `make model`"
        )
    if matrix.ndim != 2 or matrix.shape[0] != int(expected["dim"]):
        raise IncompatibleWishModel(f"{path}: the matrix has shape {matrix.shape}, not ({expected['dim']}, k)")
    return WishProjection(
        name=header["name"],
        version=header["version"],
        encoder=expected,
        corpus=header["corpus"],
        matrix=matrix,
        threshold=float(header["threshold"]),
        scores=header.get("scores", {}),
        trained=header.get("trained", {}),
    )
