"""Imports: an upload, its preview, the run's state and its row errors."""

from __future__ import annotations

from pydantic import BaseModel


class ImportErrorPublic(BaseModel):
    file: str
    line: int | None
    reason: str  # in English
    code: str | None = None  # the problem's code (ombud.capture.problems) and its parameters, where it has one
    params: dict[str, object] | None = None


class ImportPublic(BaseModel):
    id: int
    source: str
    format: str
    channel: str | None
    status: str
    started_at: str
    finished_at: str | None
    rows_read: int
    voices_added: int
    duplicates: int
    error_count: int


class UploadPublic(BaseModel):
    upload: str  # the key to run the import with and to ask for its state
    file: str
    size: int
    preview: dict[str, object]


class ImportRunPublic(BaseModel):
    upload: str
    file: str
    state: str  # waiting (not started), running, completed, failed
    fraction: float | None
    error: str | None
    error_code: str | None = None
    error_params: dict[str, object] | None = None
    run: ImportPublic | None
    errors: list[ImportErrorPublic]
