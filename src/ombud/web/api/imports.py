"""/api/imports: upload a file (kept, previewed, nothing stored yet), run its import in the background, follow it,
and list past imports with their row errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile, status
from sqlalchemy import select

from ombud.capture import ImportOptions
from ombud.capture.columns import parse_map_option
from ombud.capture.options import normalise_channel
from ombud.capture.preview import preview_file
from ombud.errors import MappingOptionError
from ombud.store.models import Import
from ombud.web.deps import SessionDep, Worker
from ombud.web.import_jobs import ImportJobs, Upload, problems, run_of
from ombud.web.schemas.imports import ImportErrorPublic, ImportPublic, ImportRunPublic, UploadPublic

router = APIRouter(prefix="/imports", tags=["imports"])


def jobs_of(request: Request) -> ImportJobs:
    jobs: ImportJobs = request.app.state.imports
    return jobs


def import_options(mapping: str | None, channel: str | None, company: str | None) -> ImportOptions:
    if mapping and mapping.strip().startswith("{"):
        try:
            chosen = {str(key): str(value) for key, value in json.loads(mapping).items() if value}
        except (ValueError, AttributeError) as error:
            raise MappingOptionError(f"the mapping is not a JSON object of FIELD: COLUMN ({error})") from error
    else:
        chosen = parse_map_option(mapping)
    return ImportOptions.from_settings(
        mapping=chosen,
        channel=normalise_channel(channel) if channel and channel.strip() else None,
        tags={"company": company.strip()} if company and company.strip() else {},
    )


def import_public(run: Import) -> dict[str, object]:
    return {
        "id": run.id,
        "source": run.source,
        "format": run.format,
        "channel": run.channel,
        "status": run.status,
        "started_at": run.started_at.isoformat(),
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "rows_read": run.rows_read,
        "voices_added": run.voices_added,
        "duplicates": run.duplicates,
        "error_count": run.error_count,
    }


def run_state(request: Request, session: SessionDep, upload: Upload) -> dict[str, object]:
    job = jobs_of(request).job(upload.key)
    run = run_of(session, upload)
    state = job.state if job is not None else (run.status if run is not None else "waiting")
    return {
        "upload": upload.key,
        "file": upload.name,
        "state": state,
        "fraction": job.fraction if job is not None else None,
        "error": job.error if job is not None else None,
        "error_code": job.problem.code if job is not None and job.problem is not None else None,
        "error_params": job.problem.params if job is not None and job.problem is not None else None,
        "run": import_public(run) if run is not None else None,
        "errors": [
            {
                "file": upload.name,
                "line": problem.line,
                "reason": problem.reason,
                "code": problem.code,
                "params": problem.params,
            }
            for problem in (problems(session, run.id) if run is not None else [])
        ],
    }


@router.get("", response_model=list[ImportPublic])
def read_imports(session: SessionDep, _principal: Worker, limit: int = 20) -> list[dict[str, object]]:
    """The latest imports, newest first."""
    return [import_public(run) for run in session.scalars(select(Import).order_by(Import.id.desc()).limit(limit))]


@router.get("/{import_id}/errors", response_model=list[ImportErrorPublic])
def read_import_errors(import_id: int, session: SessionDep, _principal: Worker) -> list[dict[str, object]]:
    """The rows import ``import_id`` could not take: file, line and reason."""
    return [
        {
            "file": Path(problem.source).name,
            "line": problem.line,
            "reason": problem.reason,
            "code": problem.code,
            "params": problem.params,
        }
        for problem in problems(session, import_id, limit=10_000)
    ]


@router.post("/uploads", response_model=UploadPublic, status_code=status.HTTP_201_CREATED)
def upload_file(
    request: Request,
    _principal: Worker,
    file: Annotated[UploadFile, File(description="CSV, JSONL, .eml or mbox")],
    format_name: Annotated[str, Form(alias="format")] = "auto",
    mapping: Annotated[str | None, Form(description="FIELD=COLUMN,… or a JSON object")] = None,
    channel: Annotated[str | None, Form()] = None,
    company: Annotated[str | None, Form()] = None,
) -> dict[str, object]:
    """Keep the file and show how it would be read; nothing is imported until it is run."""
    upload = jobs_of(request).save(file.filename, file.file)
    preview = preview_file(upload.path, format_name=format_name, options=import_options(mapping, channel, company))
    return {"upload": upload.key, "file": upload.name, "size": upload.size, "preview": preview.as_json()}


@router.post("/uploads/{key}/run", response_model=ImportRunPublic, status_code=status.HTTP_202_ACCEPTED)
def run_upload(
    key: str,
    request: Request,
    session: SessionDep,
    _principal: Worker,
    format_name: Annotated[str, Form(alias="format")] = "auto",
    mapping: Annotated[str | None, Form()] = None,
    channel: Annotated[str | None, Form()] = None,
    company: Annotated[str | None, Form()] = None,
) -> dict[str, object]:
    """Start the import of an upload in the background; follow it with GET /api/imports/uploads/{key}."""
    jobs = jobs_of(request)
    upload = jobs.upload(key)
    jobs.start(upload, format_name=format_name, options=import_options(mapping, channel, company))
    return run_state(request, session, upload)


@router.get("/uploads/{key}", response_model=ImportRunPublic)
def read_upload_run(key: str, request: Request, session: SessionDep, _principal: Worker) -> dict[str, object]:
    """How far the import of an upload is: state, share of the file read, counts, row errors."""
    return run_state(request, session, jobs_of(request).upload(key))
