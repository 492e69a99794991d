"""Labeled voices for training and measuring (docs/labeled-voices.md), ready for the heads.

A voice's sentences are located in its text, so that the encoder pools each
sentence from the same pass over the whole voice as at reading time.
The held-out part is chosen by a hash of each voice's id: stable when files
are added or reordered, and the same on every machine.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ombud.labels import TOPICS, check_labeled_voice, read_labeled


class CorpusError(ValueError):
    """A labeled file that cannot be used; the message says which file, line and why."""


@dataclass(frozen=True, slots=True)
class LabeledSentence:
    start: int
    end: int
    act: str
    sentiment: str
    topics: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class LabeledVoice:
    id: str
    language: str
    channel: str
    text: str
    sentences: tuple[LabeledSentence, ...]
    sentiment: str
    emotions: tuple[str, ...]
    flags: dict[str, bool]
    source: str  # file:line

    @property
    def spans(self) -> list[tuple[int, int]]:
        return [(sentence.start, sentence.end) for sentence in self.sentences]


def _located(raw: dict[str, Any]) -> tuple[LabeledSentence, ...]:
    text: str = raw["text"]
    position = 0
    located = []
    for sentence in raw["sentences"]:
        start = text.index(sentence["text"], position)
        position = start + len(sentence["text"])
        topics = tuple(sentence.get("topics", []))
        located.append(LabeledSentence(start, position, sentence["act"], sentence["sentiment"], topics))
    return tuple(located)


def read_corpus(paths: Iterable[Path], *, allow_topics: Iterable[str] = ()) -> list[LabeledVoice]:
    """Every labeled voice of the files (folders are searched for *.jsonl), checked.

    ``allow_topics`` are a company's own topics, accepted besides the default taxonomy."""
    topics = (*TOPICS, *allow_topics)
    voices = []
    seen: dict[str, str] = {}
    for path in _expanded(paths):
        try:
            rows = list(read_labeled(path))
        except (OSError, UnicodeDecodeError, ValueError) as error:
            raise CorpusError(f"{path}: cannot read it as UTF-8 JSON lines: {error}") from error
        for number, raw in rows:
            where = f"{path}:{number}"
            problems = check_labeled_voice(raw, topics=topics)
            if problems:
                raise CorpusError(
                    f"{where}: {problems[0]}" + (f" (and {len(problems) - 1} more)" if problems[1:] else "")
                )
            if raw["id"] in seen:
                raise CorpusError(f"{where}: id {raw['id']!r} is used already at {seen[raw['id']]}")
            seen[raw["id"]] = where
            voices.append(
                LabeledVoice(
                    id=raw["id"],
                    language=raw["language"],
                    channel=raw["channel"],
                    text=raw["text"],
                    sentences=_located(raw),
                    sentiment=raw["sentiment"],
                    emotions=tuple(raw.get("emotions", [])),
                    flags=dict(raw["flags"]),
                    source=where,
                )
            )
    return voices


def _expanded(paths: Iterable[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(path.rglob("*.jsonl")))
        elif path.exists():
            files.append(path)
        else:
            raise CorpusError(f"{path}: no such file or folder")
    return files


def is_held_out(voice_id: str, share: float) -> bool:
    """Whether a voice belongs to the held-out part (a stable hash of its id)."""
    digest = hashlib.blake2b(voice_id.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64 < share


def split_corpus(
    voices: Sequence[LabeledVoice], held_out_share: float
) -> tuple[list[LabeledVoice], list[LabeledVoice]]:
    training = [voice for voice in voices if not is_held_out(voice.id, held_out_share)]
    held_out = [voice for voice in voices if is_held_out(voice.id, held_out_share)]
    return training, held_out


def fingerprint(voices: Sequence[LabeledVoice]) -> str:
    """Changes whenever any text or label of the corpus changes, whatever the order of the files."""
    digest = hashlib.sha256()
    for voice in sorted(voices, key=lambda voice: voice.id):
        digest.update(repr((voice.id, voice.text, voice.sentences, voice.sentiment, voice.emotions)).encode())
        digest.update(repr(sorted(voice.flags.items())).encode())
    return digest.hexdigest()[:16]
