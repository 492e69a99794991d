"""Reading texts that are not stored: POST /api/analysis."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

MAX_TEXTS = 100


class AnalysisCreate(BaseModel):
    texts: list[str] = Field(min_length=1, max_length=MAX_TEXTS, description="The texts to read (at most 100).")
    tier: Literal["fast", "accurate", "default"] = Field(
        "fast", description="fast (default here: answers quickly), accurate, or the installation's default."
    )


class AnalysisPublic(BaseModel):
    analyses: list[dict[str, Any]]  # docs/analysis-format.md, one per text
