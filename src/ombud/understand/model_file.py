"""A reader model on disk: the heads of one tier, with what they were trained on.

One ``.npz`` file of plain arrays plus a JSON header (no pickles): name,
version, tier, the encoder the heads expect (name and fingerprint), the corpus
they learned from (fingerprint and size) and the scores measured on voices
they never saw. Loading refuses a file of another format or one made for a
different encoder, saying what to do.
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from ombud.understand.heads import LinearHead

FORMAT = "ombud-reader/1"

# name → (kind, unit): the heads every reader model holds.
HEADS: dict[str, Literal["single", "multi"]] = {
    "act": "single",
    "sentence_sentiment": "single",
    "topics": "multi",
    "voice_sentiment": "single",
    "emotions": "multi",
    "flags": "multi",
}


class IncompatibleModel(RuntimeError):
    """A model file that this ombud cannot use; the message says why and what to do."""


@dataclass(frozen=True)
class ReaderModel:
    name: str
    version: str
    tier: str
    encoder: dict[str, Any]  # {"name", "fingerprint", "dim"}
    corpus: dict[str, Any]  # {"fingerprint", "voices", "sentences", "languages", "files"}
    heads: dict[str, LinearHead]
    scores: dict[str, Any] = field(default_factory=dict)  # measured on held-out voices
    trained: dict[str, Any] = field(default_factory=dict)  # seed, held-out share, base model, date

    @property
    def label(self) -> str:
        return f"{self.name} {self.version}"

    def header(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "name": self.name,
            "version": self.version,
            "tier": self.tier,
            "encoder": self.encoder,
            "corpus": self.corpus,
            "labels": {name: list(head.labels) for name, head in self.heads.items()},
            "scores": self.scores,
            "trained": self.trained,
        }

    def save(self, path: Path) -> None:
        arrays: dict[str, Any] = {"header": np.array(json.dumps(self.header(), ensure_ascii=False, sort_keys=True))}
        for name, head in self.heads.items():
            arrays.update(head.arrays(name))
        # Wide heads (hashed n-grams) are kept at half precision: half the size, same predictions.
        for key, value in arrays.items():
            array = np.asarray(value)
            if array.dtype == np.float32 and array.size > 100_000:
                arrays[key] = array.astype(np.float16)
        write_reproducible_npz(path, arrays)


def write_reproducible_npz(path: Path, arrays: dict[str, Any]) -> None:
    """Arrays as an .npz whose bytes depend only on the arrays (`make model` is reproducible), written beside
    and renamed, so a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".npz.partial")
    try:
        with os.fdopen(handle, "wb") as out, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for key, value in arrays.items():
                # A fixed date in every entry: numpy's own savez stamps the time of writing.
                entry = zipfile.ZipInfo(f"{key}.npy", date_time=(1980, 1, 1, 0, 0, 0))
                entry.compress_type = zipfile.ZIP_DEFLATED
                with archive.open(entry, "w") as member:
                    np.lib.format.write_array(member, np.asarray(value), allow_pickle=False)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def read_header(path: Path) -> dict[str, Any]:
    with _opened(path) as arrays:
        return _header(path, arrays)


def load_model(path: Path, *, encoder_name: str | None = None, encoder_fingerprint: str | None = None) -> ReaderModel:
    """Load a reader model; with an encoder given, refuse a model made for another one."""
    with _opened(path) as arrays:
        header = _header(path, arrays)
        loaded = {key: arrays[key].astype(np.float32) for key in arrays.files if key != "header"}
    expected = header["encoder"]
    if encoder_name is not None and (expected["name"], expected["fingerprint"]) != (encoder_name, encoder_fingerprint):
        raise IncompatibleModel(
            f"{path}: this model was trained on the features of encoder {expected['name']!r} "
            f"(fingerprint {expected['fingerprint']}), but the encoder here is {encoder_name!r} "
            f"(fingerprint {encoder_fingerprint}). Rebuild the shipped models with `make model`, "
            f"or retrain your own with `ombud train`."
        )
    try:
        heads = {
            name: LinearHead.from_arrays(loaded, name, kind, header["labels"][name]) for name, kind in HEADS.items()
        }
    except KeyError as missing:
        raise IncompatibleModel(f"{path}: the model file lacks {missing}; it is damaged or incomplete") from None
    return ReaderModel(
        name=header["name"],
        version=header["version"],
        tier=header["tier"],
        encoder=expected,
        corpus=header["corpus"],
        heads=heads,
        scores=header.get("scores", {}),
        trained=header.get("trained", {}),
    )


class _opened:
    def __init__(self, path: Path) -> None:
        self.path = path

    def __enter__(self) -> Any:
        if not self.path.exists():
            raise IncompatibleModel(f"{self.path}: no model file here; build the shipped ones with `make model`")
        try:
            self.arrays = np.load(self.path, allow_pickle=False)
        except (OSError, ValueError) as error:
            raise IncompatibleModel(f"{self.path}: not a readable model file ({error})") from error
        return self.arrays

    def __exit__(self, *_: object) -> None:
        self.arrays.close()


def _header(path: Path, arrays: Any) -> dict[str, Any]:
    if "header" not in arrays.files:
        raise IncompatibleModel(f"{path}: not an ombud model file (no header)")
    header: dict[str, Any] = json.loads(str(arrays["header"]))
    if header.get("format") != FORMAT:
        raise IncompatibleModel(
            f"{path}: model format {header.get('format')!r}, but this ombud reads {FORMAT!r}; "
            "retrain it with this version (`ombud train`, or `make model` for the shipped ones)"
        )
    return header
