"""``ombud demo``: a fresh database, the sample written in every format, imported, and counted."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ombud.capture import ImportOptions, ImportReport, import_file
from ombud.capture.run import ErrorCallback, ProgressCallback
from ombud.demo.exports import split_by_format, write_csv, write_jsonl, write_mbox
from ombud.demo.sample import SAMPLE_FOLDER, load_sample
from ombud.insight import voice_counts
from ombud.insight.reading import act_mix, emotion_counts, flag_counts
from ombud.store import open_database
from ombud.understand.backlog import BacklogProgress, analyse_stored_voices
from ombud.understand.corpus import read_corpus
from ombud.understand.reader import Reader
from ombud.understand.tiers import load_reader
from ombud.understand.training import encode_corpus, score_heads

SUMMARY_BY = ("company", "language", "channel")


@dataclass
class DemoResult:
    folder: Path
    database_url: str
    files: list[tuple[Path, ImportOptions]]
    reports: list[ImportReport] = field(default_factory=list)
    counts: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    sample_size: int = 0
    model: str = ""
    act_mix: dict[str, dict[str, int]] = field(default_factory=dict)
    emotions: list[tuple[str, int]] = field(default_factory=list)
    flags: dict[str, int] = field(default_factory=dict)
    agreement: dict[str, float] = field(default_factory=dict)


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower().replace("æ", "ae").replace("ø", "o")).strip("-")


def write_demo_files(folder: Path) -> tuple[int, list[tuple[Path, ImportOptions]]]:
    """Write the sample into ``folder`` as CSV, JSONL and mbox files; return them with their options."""
    sample = load_sample()
    table, lines, mails = split_by_format(sample)
    files: list[tuple[Path, ImportOptions]] = []
    csv_path = folder / "surveys-and-reviews.csv"
    write_csv(table, csv_path)
    files.append((csv_path, ImportOptions.from_settings()))
    jsonl_path = folder / "chats-and-calls.jsonl"
    write_jsonl(lines, jsonl_path)
    files.append((jsonl_path, ImportOptions.from_settings()))
    for company in sorted({voice["company"] for voice in mails}):
        mbox_path = folder / f"mail-{_slug(company)}.mbox"
        mbox_path.unlink(missing_ok=True)
        mine = [voice for voice in mails if voice["company"] == company]
        write_mbox(mine, mbox_path)
        industry = mine[0]["industry"]
        files.append((mbox_path, ImportOptions.from_settings(tags={"company": company, "industry": industry})))
    return len(sample), files


def run_demo(
    folder: Path,
    database_url: str | None = None,
    *,
    on_progress: ProgressCallback | None = None,
    on_error: ErrorCallback | None = None,
) -> DemoResult:
    """Write the sample into ``folder``, import it into a fresh SQLite database there (or into
    ``database_url``), and count the voices by company, language and channel."""
    folder.mkdir(parents=True, exist_ok=True)
    if database_url is None:
        for stale in folder.glob("ombud.db*"):
            stale.unlink()
        database_url = f"sqlite:///{folder / 'ombud.db'}"
    sample_size, files = write_demo_files(folder)
    result = DemoResult(folder=folder, database_url=database_url, files=files, sample_size=sample_size)
    database = open_database(database_url)
    try:
        for path, options in files:
            result.reports.append(
                import_file(database, path, options=options, on_progress=on_progress, on_error=on_error)
            )
        with database.session() as session:
            result.counts = {by: voice_counts(session, by) for by in SUMMARY_BY}
    finally:
        database.close()
    return result


def read_demo(
    result: DemoResult, tier: str | None = None, on_read: Callable[[BacklogProgress], None] | None = None
) -> DemoResult:
    """Read every demo voice with the ``tier`` reader, count what was read, and measure how well that
    reading agrees with the sample's intended labels."""
    database = open_database(result.database_url)
    try:
        reader = load_reader(tier)
        result.model = f"{reader.model.label} ({reader.model.tier} tier)"
        analyse_stored_voices(database, reader, on_progress=on_read)
        with database.session() as session:
            result.act_mix = act_mix(session)
            result.emotions = emotion_counts(session)
            result.flags = flag_counts(session)
        result.agreement = agreement_with_sample(reader)
    finally:
        database.close()
    return result


def agreement_with_sample(reader: Reader) -> dict[str, float]:
    """How the reader's reading of the sample agrees with what its writers intended (on their sentences)."""
    voices = read_corpus([SAMPLE_FOLDER])
    scores = score_heads(reader.model.heads, encode_corpus(reader.encoder, voices))
    return {
        "sentence acts, accuracy": scores["act"].accuracy,
        "sentence acts, macro-F1": scores["act"].macro_f1,
        "voice sentiment, accuracy": scores["voice_sentiment"].accuracy,
        "emotions, macro-F1": scores["emotions"].macro_f1,
        **{f"flag {name}, F1": label.f1 for name, label in scores["flags"].labels.items()},
    }
