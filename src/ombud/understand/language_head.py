"""A language identifier of ombud's own: a softmax head over the hashed n-grams the reader computes anyway.

lingua (language.py) reads a voice in about a millisecond and every sentence
again; this head reads the same text from the n-gram rows the other heads
read, in one product per batch. It is trained by `make model` on ombud's own
corpus: the voices and sentences of corpus/sv, nb, nn, da, en (labelled with
their voice's language), the wish-theme texts of corpus/wish_themes, and
corpus/language — Finnish voices and voices in other languages, written for
ombud — so that it can say "not one of ours" (fi, other) and hand the text to
lingua. When and how its guesses are used: voice_languages.py.

The model file (models/language.npz) holds only arrays and a JSON header,
like the reader models: the encoder it expects (name and fingerprint), the
corpus fingerprint and the held-out scores.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from ombud.labels import LANGUAGES
from ombud.understand.encoders.ngrams import NgramEncoder
from ombud.understand.heads import LinearHead, fit_single
from ombud.understand.model_file import IncompatibleModel, write_reproducible_npz

FORMAT = "ombud-language/1"
LABELS = (*LANGUAGES, "other")  # sv, nb, nn, da, en, fi, other
MODEL_PATH = Path(__file__).parent / "models" / "language.npz"
SEED = 2026
HELD_OUT_SHARE = 0.15
OWN_SENTENCE_WORDS = 4  # the reader gives sentences of this many words their own language


@dataclass(frozen=True)
class LabeledText:
    id: str
    text: str
    language: str
    kind: str  # voice, sentence (of 4+ words), short (a shorter sentence), wish (a wish-theme text), other_text


@dataclass(frozen=True)
class LanguageModel:
    head: LinearHead
    encoder: dict[str, str]  # name, fingerprint of the n-gram encoder
    corpus: dict[str, Any] = field(default_factory=dict)
    scores: dict[str, Any] = field(default_factory=dict)

    def probabilities(self, ngram_rows: Any) -> Any:
        return self.head.probabilities(ngram_rows)

    def save(self, path: Path) -> None:
        header = {
            "format": FORMAT,
            "labels": list(self.head.labels),
            "encoder": self.encoder,
            "corpus": self.corpus,
            "scores": self.scores,
        }
        write_reproducible_npz(
            path,
            {
                "header": np.array(json.dumps(header, ensure_ascii=False, sort_keys=True)),
                "weights": self.head.weights.astype(np.float16),  # half the size, the same guesses
                "bias": self.head.bias,
            },
        )


def load_language_model(path: Path, encoder: NgramEncoder) -> LanguageModel:
    """The language head in ``path``; refuses one made for other n-grams."""
    try:
        with np.load(path, allow_pickle=False) as arrays:
            header = json.loads(str(arrays["header"]))
            weights = arrays["weights"].astype(np.float32)
            bias = arrays["bias"].astype(np.float32)
    except (OSError, KeyError, ValueError) as error:
        raise IncompatibleModel(
            f"{path}: not a readable language model ({error}); rebuild it with `make model`"
        ) from error
    if header.get("format") != FORMAT:
        raise IncompatibleModel(f"{path}: format {header.get('format')!r}, this ombud reads {FORMAT!r}")
    if header["encoder"] != {"name": encoder.name, "fingerprint": encoder.fingerprint}:
        raise IncompatibleModel(
            f"{path}: made for n-grams {header['encoder']}, not these; rebuild it with `make model`"
        )
    labels = tuple(header["labels"])
    head = LinearHead("single", labels, weights, bias, np.full(len(labels), 0.5, dtype=np.float32))
    return LanguageModel(head, header["encoder"], header.get("corpus", {}), header.get("scores", {}))


@cache
def shipped_language_model(encoder: NgramEncoder) -> LanguageModel | None:
    """The shipped head for these n-grams, or None where there is none (the reader then asks lingua alone)."""
    if not MODEL_PATH.exists():
        return None
    return load_language_model(MODEL_PATH, encoder)


def labeled_texts(corpus: Path) -> list[LabeledText]:
    """What the head learns from (and is measured on): every text of the corpus with its language."""
    from ombud.understand.corpus import read_corpus

    folders = [path for path in sorted(corpus.iterdir()) if path.is_dir() and path.name in LANGUAGES]
    items = []
    for voice in read_corpus(folders):
        items.append(LabeledText(voice.id, voice.text, voice.language, "voice"))
        if len(voice.sentences) > 1:
            for number, sentence in enumerate(voice.sentences):
                text = voice.text[sentence.start : sentence.end]
                kind = "sentence" if len(text.split()) >= OWN_SENTENCE_WORDS else "short"
                items.append(LabeledText(f"{voice.id}/{number}", text, voice.language, kind))
    for folder, kind in (("wish_themes", "wish"), ("language", "other_text")):
        for file in sorted((corpus / folder).glob("*.jsonl")):
            for line in file.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    row = json.loads(line)
                    items.append(LabeledText(row["id"], row["text"], row["language"], kind))
    return items


def _held_out(item: LabeledText) -> bool:
    from ombud.understand.corpus import is_held_out

    return is_held_out(item.id.split("/")[0], HELD_OUT_SHARE)  # a voice's sentences stay on its side


def train_language_model(corpus: Path, encoder: NgramEncoder) -> LanguageModel:
    """Fit the head on the corpus's training part and measure it on the held-out part."""
    items = labeled_texts(corpus)
    training = [item for item in items if not _held_out(item)]
    held_out = [item for item in items if _held_out(item)]
    head = fit_single(
        encoder.embed([item.text for item in training]), [item.language for item in training], LABELS, SEED
    )
    digest = hashlib.sha256()
    for item in sorted(items, key=lambda item: item.id):
        digest.update(repr((item.id, item.text, item.language)).encode())
    model = LanguageModel(
        head,
        {"name": encoder.name, "fingerprint": encoder.fingerprint},
        {
            "fingerprint": digest.hexdigest()[:16],
            "texts": len(items),
            "training_texts": len(training),
            "held_out_texts": len(held_out),
            "languages": {label: sum(item.language == label for item in items) for label in LABELS},
        },
    )
    return LanguageModel(model.head, model.encoder, model.corpus, head_scores(model, encoder, held_out))


def head_scores(model: LanguageModel, encoder: NgramEncoder, items: Sequence[LabeledText]) -> dict[str, Any]:
    """The head alone on labelled texts, by kind: accuracy, and the share it is sure of (and right on)."""
    from ombud.understand.voice_languages import CONFIDENT

    if not items:
        return {}
    probabilities = model.probabilities(encoder.embed([item.text for item in items]))
    best = probabilities.argmax(axis=1)
    sure = probabilities.max(axis=1) >= CONFIDENT
    scores: dict[str, Any] = {}
    for kind in sorted({item.kind for item in items}):
        rows = [index for index, item in enumerate(items) if item.kind == kind]
        right = [model.head.labels[best[index]] == items[index].language for index in rows]
        sure_rows = [index for index in rows if sure[index]]
        scores[kind] = {
            "count": len(rows),
            "accuracy": round(float(np.mean(right)), 4),
            "sure_share": round(len(sure_rows) / len(rows), 4),
            "sure_accuracy": round(
                float(np.mean([model.head.labels[best[i]] == items[i].language for i in sure_rows]))
                if sure_rows
                else 0,
                4,
            ),
        }
    return scores
