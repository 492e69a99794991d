"""Core results as the reader may see them: plain dicts for the API and the pages, with personal data masked
for a principal who may not see it (analysts). Everything that shows a voice, a case or a customer goes
through here."""

from __future__ import annotations

from typing import Any

from ombud.access.masking import Masker, stored_spans
from ombud.loop.case_views import CaseDetail, CaseSummary, VoiceView
from ombud.loop.voice_views import VoiceEntry
from ombud.web.principal import Principal


def voice_json(view: VoiceView, masker: Masker | None, case_id: int | None = None) -> dict[str, Any]:
    voice, analysis = view.voice, view.analysis
    spans = stored_spans(analysis.details) if analysis is not None else []
    language = analysis.language if analysis is not None else None

    def shown(text: str | None, start: int = 0) -> str | None:
        return text if masker is None else masker.text(text, spans, start=start, language=language)

    sentence_starts = {sentence.position: sentence.start for sentence in view.sentences}
    document: dict[str, Any] = {
        "id": voice.id,
        "customer_id": voice.customer_id,
        "case_id": case_id,
        "channel": voice.channel,
        "received_at": voice.received_at.isoformat(),
        "subject": shown(voice.subject) if voice.subject else voice.subject,
        "text": shown(voice.text),
        "reading": None,
    }
    if analysis is not None:
        evidence_start = {
            view_sentence.text: sentence_starts.get(view_sentence.position, 0) for view_sentence in view.sentences
        }
        document["reading"] = {
            "model": analysis.model,
            "tier": analysis.tier,
            "language": analysis.language,
            "dominant_act": analysis.dominant_act,
            "acts": list(analysis.acts or []),
            "sentiment": analysis.sentiment,
            "sentiment_score": analysis.sentiment_score,
            "topics": list(analysis.topics or []),
            "emotions": [{"name": name, "probability": probability} for name, probability in view.emotions],
            "flags": [
                {
                    "name": flag.name,
                    "probability": flag.probability,
                    "evidence": shown(flag.evidence, evidence_start.get(flag.evidence or "", 0)),
                }
                for flag in view.flags
            ],
            "sentences": [
                {
                    "position": sentence.position,
                    "text": shown(sentence.text, sentence_starts.get(sentence.position, 0)),
                    "act": sentence.act,
                    "act_probability": sentence.act_probability,
                    "sentiment": sentence.sentiment,
                    "sentiment_score": sentence.sentiment_score,
                    "topics": sentence.topics,
                }
                for sentence in view.sentences
            ],
            "personal_data": []
            if masker is not None
            else [{"kind": span.kind, "start": span.start, "end": span.end} for span in spans],
        }
    return document


def voice_entry_json(entry: VoiceEntry, principal: Principal) -> dict[str, Any]:
    customer = entry.view.voice.customer
    masker = principal.masker(customer.name, [(item.kind, item.value) for item in customer.identities])
    return voice_json(entry.view, masker, entry.case_id)


def summary_json(summary: CaseSummary, principal: Principal) -> dict[str, Any]:
    document = summary.as_json()
    if not principal.sees_personal_data:
        identities = [(summary.customer_kind, summary.customer)] if summary.customer and summary.customer_kind else []
        masker = Masker.for_customer(summary.customer_name, identities)
        document["customer"] = masker.identity(summary.customer_kind or "customer", summary.customer)
        document["customer_name"] = masker.name(summary.customer_name)
        document["subject"] = masker.text(summary.subject)
    return document


def case_json(detail: CaseDetail, principal: Principal) -> dict[str, Any]:
    identities = [(item.kind, item.value) for item in detail.identities]
    masker = principal.masker(detail.customer.name, identities)
    document = detail.as_json()
    document["voices"] = [voice_json(view, masker, detail.case.id) for view in detail.voices]
    if masker is not None:
        customer = document["customer"]
        customer["name"] = masker.name(customer["name"])
        customer["identities"] = [
            {"kind": item["kind"], "value": masker.identity(item["kind"], item["value"])}
            for item in customer["identities"]
        ]
        document["subject"] = masker.text(document["subject"])
        for message in document["messages"]:
            message["recipient"] = masker.identity("email", message["recipient"])
            message["subject"] = masker.text(message["subject"])
            message["body"] = masker.text(message["body"])
    return document
