"""Telling a text file's encoding the way Nordic exports need: UTF-8 (with or without BOM),
UTF-16 (Excel's "Unicode text"), else cp1252 or latin-1 — and refusing binary files."""

from __future__ import annotations

import codecs
from pathlib import Path

from ombud.capture.problems import problem
from ombud.errors import FileFormatError

_CHUNK = 1 << 20
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Bytes cp1252 leaves undefined; a file holding them is read as latin-1.
_CP1252_HOLES = {0x81, 0x8D, 0x8F, 0x90, 0x9D}
_CONTROL = set(range(0x00, 0x09)) | {0x0B} | set(range(0x0E, 0x20))


def detect_encoding(path: Path) -> str:
    """Read the file once, in chunks (memory stays flat), and return the codec to open it with."""
    with path.open("rb") as file:
        head = file.read(_CHUNK)
        for bom, codec in _BOMS:
            if head.startswith(bom):
                return codec
        _refuse_binary(path, head)
        decoder = codecs.getincrementaldecoder("utf-8")()
        holes = False
        chunk = head
        while True:
            holes = holes or any(bytes([hole]) in chunk for hole in _CP1252_HOLES)
            try:
                decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError:
                return "latin-1" if holes else "cp1252"
            if not chunk:
                return "utf-8"
            chunk = file.read(_CHUNK)


def _refuse_binary(path: Path, head: bytes) -> None:
    position = head.find(b"\x00")
    if position >= 0:
        raise FileFormatError(path, problem("binary_nul", position=position))
    sample = head[:65536]
    if sample and sum(byte in _CONTROL for byte in sample) > len(sample) * 0.05:
        raise FileFormatError(path, problem("binary_control"))
