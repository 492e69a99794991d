"""e5-small with low-rank adapters merged into its weights (``W + B A``), for the exporter; numpy only.

An adapter file (``.npz`` of plain arrays) holds, per adapted linear map of
e5's layers, ``l{i}.{name}.lora_a`` (rank, in) and ``l{i}.{name}.lora_b``
(out, rank, the LoRA scale already folded in). :class:`AdaptedE5File` reads
like :class:`E5File` but gives the merged weight for every adapted map, so
onnx_export.build_fp32_model builds the tuned encoder from it unchanged.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Mapping
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from ombud.understand.encoders.e5_file import E5File, Floats


def merged_weights(model_file: E5File, adapters: Mapping[str, np.ndarray]) -> dict[str, Floats]:
    """Each adapted map's merged weight ``W + B @ A``, named as the file names it (``l3.q.w``)."""
    merged: dict[str, Floats] = {}
    for key in sorted(adapters):
        if not key.endswith(".lora_a"):
            continue
        stem = key[: -len(".lora_a")]
        a = np.asarray(adapters[key], dtype=np.float64)
        b = np.asarray(adapters[f"{stem}.lora_b"], dtype=np.float64)
        weight, _ = model_file.linear(stem)
        if b.shape[0] != weight.shape[0] or a.shape[1] != weight.shape[1]:
            raise ValueError(f"adapter {stem}: shapes {b.shape} @ {a.shape} do not fit the weight {weight.shape}")
        merged[f"{stem}.w"] = (weight.astype(np.float64) + b @ a).astype(np.float32)
    return merged


def adapter_digest(adapters: Mapping[str, np.ndarray]) -> str:
    digest = hashlib.sha256()
    for key in sorted(adapters):
        digest.update(key.encode() + b"\0" + np.ascontiguousarray(adapters[key], dtype=np.float32).tobytes())
    return digest.hexdigest()


class AdaptedE5File:
    """An E5File whose adapted weights are the merged ones; everything else is the file's."""

    def __init__(self, model_file: E5File, adapters: Mapping[str, np.ndarray]) -> None:
        self.base = model_file
        self.adapters = adapters
        self.adapter_sha256 = adapter_digest(adapters)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.base, name)

    @cached_property
    def overrides(self) -> dict[str, Floats]:
        """Merged only when the graph is built: finding the cached model needs the digest alone."""
        return merged_weights(self.base, self.adapters)

    @cached_property
    def sha256(self) -> str:
        return hashlib.sha256(f"{self.base.sha256}+{self.adapter_sha256}".encode()).hexdigest()

    def tensor(self, name: str, shape: tuple[int, ...] | None = None) -> Floats:
        if name in self.overrides:
            values = self.overrides[name]
            return values.reshape(shape) if shape is not None else values.reshape(-1)
        return self.base.tensor(name, shape)

    def linear(self, name: str) -> tuple[Floats, Floats]:
        bias = self.tensor(f"{name}.b")
        weight = self.tensor(f"{name}.w")
        return weight.reshape(bias.shape[0], -1), bias


ADAPTER_FORMAT = "ombud-wish-adapter/1"


class AdapterError(ValueError):
    """An adapter file this ombud cannot use."""


def load_adapters(path: Path) -> dict[str, np.ndarray]:
    """The adapter arrays of a file written by scripts/train_wish_adapter.py (no pickles)."""
    try:
        with np.load(path, allow_pickle=False) as arrays:
            header = json.loads(str(arrays["header"])) if "header" in arrays.files else {}
            if header.get("format") != ADAPTER_FORMAT:
                raise AdapterError(
                    f"{path}: adapter format {header.get('format')!r}, this ombud reads {ADAPTER_FORMAT!r}"
                )
            found = {name: np.asarray(arrays[name], dtype=np.float32) for name in arrays.files if name != "header"}
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as error:
        if isinstance(error, AdapterError):
            raise
        raise AdapterError(f"{path}: not a readable adapter file ({error})") from error
    if not found or any(f"{name[: -len('.lora_a')]}.lora_b" not in found for name in found if name.endswith(".lora_a")):
        raise AdapterError(f"{path}: the adapter file is damaged; retrain it with scripts/train_wish_adapter.py")
    return found
