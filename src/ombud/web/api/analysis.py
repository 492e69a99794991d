"""/api/analysis: read texts without storing them (fast tier by default, for a quick answer)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool

from ombud.access.masking import Masker
from ombud.understand import analyze
from ombud.understand.analysis import analysis_json
from ombud.web.deps import Reader
from ombud.web.schemas.analysis import AnalysisCreate, AnalysisPublic

router = APIRouter(prefix="/analysis", tags=["analysis"])


@router.post("", response_model=AnalysisPublic)
async def create_analysis(request: AnalysisCreate, principal: Reader) -> dict[str, object]:
    """What ombud reads in each text (docs/analysis-format.md). Analysts get the texts back masked."""
    readings = await run_in_threadpool(analyze, request.texts, None if request.tier == "default" else request.tier)
    documents = [analysis_json(reading) for reading in readings]
    if not principal.sees_personal_data:
        masker = Masker()
        for document in documents:
            for sentence in document["sentences"]:
                sentence["text"] = masker.text(sentence["text"], language=sentence["language"])
    return {"analyses": documents}
