"""Train a tier's heads from labeled files: the shipped models (`make model`) and a company's own (`ombud train`)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from ombud.labels import LANGUAGES
from ombud.settings import get_settings
from ombud.understand.corpus import CorpusError, read_corpus
from ombud.understand.encoders import load_encoder
from ombud.understand.metrics import Scores
from ombud.understand.model_file import ReaderModel
from ombud.understand.tiers import ENCODER_OF_TIER
from ombud.understand.training import HELD_OUT_SHARE, Progress, train_model

# Bump when the shipped models change in a way users should know of.
MODEL_VERSION = "1.0"


def corpus_dir() -> Path:
    """ombud's own labeled corpus: OMBUD_CORPUS_DIR, or corpus/ of the checkout ombud runs from."""
    configured = get_settings().corpus_dir
    folder = Path(configured) if configured else Path(__file__).resolve().parents[3] / "corpus"
    if not folder.is_dir():
        raise CorpusError(
            f"ombud's corpus is not at {folder}: set OMBUD_CORPUS_DIR to the corpus/ folder of an ombud "
            "checkout, or train on your own files alone with --base none"
        )
    return folder


def corpus_sources() -> list[Path]:
    """The labeled voices of ombud's corpus: its language folders (corpus/sv, corpus/nb, …).

    Other folders of corpus/ hold other kinds of data (corpus/wish_themes: wish paraphrase groups)."""
    folder = corpus_dir()
    return [path for path in sorted(folder.iterdir()) if path.is_dir() and path.name in LANGUAGES]


def _topic_names(paths: Sequence[Path]) -> set[str]:
    """Every topic named in the files, so that a company's own topics are accepted."""
    names: set[str] = set()
    for path in paths:
        for file in sorted(path.rglob("*.jsonl")) if path.is_dir() else [path]:
            if not file.exists():
                continue
            for line in file.read_text(encoding="utf-8").splitlines():
                try:
                    row = json.loads(line) if line.strip() else {}
                except ValueError:
                    continue  # read_corpus reports it with its line number
                for sentence in row.get("sentences", []) if isinstance(row, dict) else []:
                    if isinstance(sentence, dict):
                        names.update(topic for topic in sentence.get("topics", []) if isinstance(topic, str))
    return names


def train_tier(
    tier: str,
    sources: Sequence[Path],
    *,
    name: str,
    held_out_share: float = HELD_OUT_SHARE,
    base: str | None = None,
    progress: Progress | None = None,
) -> tuple[ReaderModel, dict[str, Scores]]:
    voices = read_corpus(sources, allow_topics=_topic_names(sources))
    encoder = load_encoder(ENCODER_OF_TIER[tier])
    return train_model(
        voices,
        encoder,
        name=name,
        version=MODEL_VERSION,
        tier=tier,
        held_out_share=held_out_share,
        progress=progress,
        base=base,
    )
