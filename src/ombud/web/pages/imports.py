"""The import page: upload a file, check how its columns are read (and change that), run the import in the
background and follow it, then see what came in and each row that could not (file, line, reason)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from ombud.capture.columns import FIELDS
from ombud.capture.preview import preview_file
from ombud.errors import ColumnMappingError, FileFormatError, MappingOptionError, UnknownFormatError
from ombud.labels import CHANNELS
from ombud.store.models import Import
from ombud.web.api.imports import import_options, jobs_of, run_state
from ombud.web.deps import SessionDep, Worker, translator
from ombud.web.principal import Principal
from ombud.web.rendering import render
from ombud.web.words import error_text

router = APIRouter()
DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "bar"}  # their words: import.delimiter.*


@router.get("/import", name="import_page")
def import_page(request: Request, session: SessionDep, principal: Worker) -> Response:
    runs = list(session.scalars(select(Import).order_by(Import.id.desc()).limit(20)))
    return render(
        request,
        "import.html",
        principal,
        runs=[{**vars(run), "name": Path(run.source).name} for run in runs],
        channels=CHANNELS,
        max_mb=request.app.state.settings.max_upload_mb,
    )


def show_preview(
    request: Request, principal: Principal, key: str, mapping: dict[str, str], channel: str, company: str
) -> Response:
    upload = jobs_of(request).upload(key)
    try:
        options = import_options(json.dumps(mapping), channel, company)
        preview = preview_file(upload.path, options=options)
    except (UnknownFormatError, FileFormatError, ColumnMappingError, MappingOptionError) as error:
        message = error_text(translator(request, principal), error)
        return render(request, "error.html", principal, status_code=422, status=422, message=message)
    t = translator(request, principal)
    named = DELIMITERS.get(preview.delimiter or "")
    t_delimiter = t(f"import.delimiter.{named}") if named else (preview.delimiter or "—")
    return render(
        request,
        "import_preview.html",
        principal,
        upload=upload,
        preview=preview,
        delimiter_name=t_delimiter,
        mapping_json=json.dumps(preview.mapping if not mapping else {**preview.mapping, **mapping}, ensure_ascii=False),
        channel=channel,
        company=company,
    )


@router.post("/import", name="import_upload")
def import_upload(
    request: Request,
    principal: Worker,
    file: Annotated[UploadFile, File()],
    channel: Annotated[str, Form()] = "",
    company: Annotated[str, Form()] = "",
) -> Response:
    upload = jobs_of(request).save(file.filename, file.file)
    return show_preview(request, principal, upload.key, {}, channel, company)


@router.post("/import/{key}/preview", name="import_preview")
async def import_preview(request: Request, key: str, principal: Worker) -> Response:
    form = await request.form()
    mapping = {name: str(form.get(f"map_{name}")) for name in FIELDS if form.get(f"map_{name}")}
    return show_preview(
        request, principal, key, mapping, str(form.get("channel") or ""), str(form.get("company") or "")
    )


@router.post("/import/{key}/run", name="import_run_start")
def import_run_start(
    request: Request,
    key: str,
    _principal: Worker,
    mapping: Annotated[str, Form()] = "{}",
    channel: Annotated[str, Form()] = "",
    company: Annotated[str, Form()] = "",
) -> Response:
    jobs = jobs_of(request)
    jobs.start(jobs.upload(key), options=import_options(mapping, channel, company))
    return RedirectResponse(f"/import/{key}", status_code=303)


@router.get("/import/{key}", name="import_run")
def import_run(request: Request, key: str, session: SessionDep, principal: Worker) -> Response:
    state = run_state(request, session, jobs_of(request).upload(key))
    return render(request, "import_run.html", principal, state=state)


@router.get("/import/{key}/progress", name="import_progress")
def import_progress(request: Request, key: str, session: SessionDep, principal: Worker) -> Response:
    state = run_state(request, session, jobs_of(request).upload(key))
    return render(request, "import_progress.html", principal, state=state)
