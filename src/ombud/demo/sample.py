"""The bundled sample voices: six fictional Nordic companies, labeled (docs/labeled-voices.md)."""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path
from typing import Any

SAMPLE_FOLDER = Path(__file__).parent / "sample"


def load_sample() -> list[dict[str, Any]]:
    """Every sample voice, company by company, in time order within each company."""
    voices: list[dict[str, Any]] = []
    folder = files("ombud.demo").joinpath("sample")
    for entry in sorted(folder.iterdir(), key=lambda item: item.name):
        if entry.name.endswith(".jsonl"):
            lines = entry.read_text(encoding="utf-8").splitlines()
            voices.extend(json.loads(line) for line in lines if line.strip())
    return voices
