"""Train a reader model's heads on labeled voices, and measure them on voices they never saw.

The held-out part (a stable hash of each id) is read by the finished model,
sentence by sentence on the intended sentences, and its scores go into the
model file. Training is deterministic: same corpus, encoder and seed, same
weights.

Every sentence of a voice of several sentences is also read on its own, as a
voice of that one sentence, and the act and sentiment heads learn from both
readings. A reader meets lone sentences all the time ("Elendig kundeservice."
as a whole review, a one-line chat), but the corpus holds most sentences
inside longer voices, where the voice's vector and the sentence's place in it
stand beside them; without the lone readings the heads had learnt that a
short voice of one sentence is mostly praise and read plain complaints as
praise (docs/quality.md, plain cases). A lone sentence keeps the act and
sentiment its writer gave it in its voice, and that sentiment is its voice's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse

from ombud.labels import ACTS, EMOTIONS, FLAGS, SENTIMENTS, TOPICS
from ombud.understand.corpus import LabeledSentence, LabeledVoice, fingerprint, split_corpus
from ombud.understand.encoders import SpanEncoder
from ombud.understand.features import BatchFeatures, as_matrix, batch_features
from ombud.understand.heads import LinearHead, Matrix, fit_multi, fit_single
from ombud.understand.joint import read_jointly
from ombud.understand.metrics import Scores, multi_label_scores, single_label_scores
from ombud.understand.model_file import HEADS, ReaderModel

SEED = 2026
HELD_OUT_SHARE = 0.15
FEATURE_BATCH = 64

Progress = Callable[[int], None]  # called with the number of voices just encoded


@dataclass(frozen=True)
class CorpusFeatures:
    voices: Sequence[LabeledVoice]
    features: BatchFeatures


@dataclass(frozen=True)
class LoneSentences:
    """Sentences of voices of several sentences, each read as a voice of its own."""

    labels: Sequence[LabeledSentence]
    sentences: Any  # (sentences, sentence features)
    voices: Any  # (sentences, voice features)


def encode_corpus(
    encoder: SpanEncoder, voices: Sequence[LabeledVoice], progress: Progress | None = None
) -> CorpusFeatures:
    sentence_rows: list[Any] = []
    evidence_rows: list[Any] = []
    voice_rows: list[Any] = []
    for start in range(0, len(voices), FEATURE_BATCH):
        batch = voices[start : start + FEATURE_BATCH]
        features = batch_features(encoder, [voice.text for voice in batch], [voice.spans for voice in batch])
        sentence_rows.append(as_matrix(features.sentences))
        evidence_rows.append(
            sentence_rows[-1] if features.evidence is features.sentences else as_matrix(features.evidence)
        )
        voice_rows.append(as_matrix(features.voices))
        if progress:
            progress(len(batch))
    offsets = np.cumsum([0, *(len(voice.sentences) for voice in voices)]).tolist()
    stacked = BatchFeatures(_stacked(voice_rows), _stacked(sentence_rows), _stacked(evidence_rows), offsets)
    return CorpusFeatures(voices, stacked)


def encode_lone_sentences(
    encoder: SpanEncoder, voices: Sequence[LabeledVoice], progress: Progress | None = None
) -> LoneSentences:
    """Each sentence of the voices of more than one sentence, read alone."""
    labels: list[LabeledSentence] = []
    texts: list[str] = []
    for voice in voices:
        if len(voice.sentences) > 1:
            labels.extend(voice.sentences)
            texts.extend(voice.text[sentence.start : sentence.end] for sentence in voice.sentences)
    sentence_rows: list[Any] = []
    voice_rows: list[Any] = []
    for start in range(0, len(texts), FEATURE_BATCH):
        batch = texts[start : start + FEATURE_BATCH]
        features = batch_features(encoder, batch, [[(0, len(text))] for text in batch])
        sentence_rows.append(as_matrix(features.sentences))
        voice_rows.append(as_matrix(features.voices))
        if progress:
            progress(0)
    if not texts:
        return LoneSentences([], None, None)
    return LoneSentences(labels, _stacked(sentence_rows), _stacked(voice_rows))


def _stacked(rows: Sequence[Any]) -> Any:
    return sparse.vstack(rows, format="csr") if rows and sparse.issparse(rows[0]) else np.vstack(rows)


def _topics_of(voices: Sequence[LabeledVoice]) -> tuple[str, ...]:
    own = sorted({topic for voice in voices for s in voice.sentences for topic in s.topics} - set(TOPICS))
    return (*TOPICS, *own)


def fit_heads(data: CorpusFeatures, seed: int = SEED, lone: LoneSentences | None = None) -> dict[str, LinearHead]:
    """Every head on the voices' features; act and sentiment also on the lone sentences, if given."""
    voices = data.voices
    sentence_features = data.features.sentences
    sentences = [sentence for voice in voices for sentence in voice.sentences]
    topics = _topics_of(voices)
    topic_targets = np.array([[topic in s.topics for topic in topics] for s in sentences], dtype=bool)
    emotion_targets = np.array([[emotion in v.emotions for emotion in EMOTIONS] for v in voices], dtype=bool)
    flag_targets = np.array([[v.flags[flag] for flag in FLAGS] for v in voices], dtype=bool)
    read_sentences, voice_features = sentence_features, data.features.voices
    acts = [s.act for s in sentences]
    sentiments = [s.sentiment for s in sentences]
    voice_sentiments = [v.sentiment for v in voices]
    if lone is not None and lone.labels:
        read_sentences = _stacked([sentence_features, lone.sentences])
        voice_features = _stacked([voice_features, lone.voices])
        acts += [s.act for s in lone.labels]
        sentiments += [s.sentiment for s in lone.labels]
        voice_sentiments += [s.sentiment for s in lone.labels]
    # The softmax heads fit on one core each (L-BFGS), so they run beside the multi-label heads, which
    # share the cores among their own fits; each fit stands alone, so the weights are the same either way.
    with ThreadPoolExecutor(max_workers=3) as pool:
        single = {
            "act": pool.submit(fit_single, read_sentences, acts, ACTS, seed),
            "sentence_sentiment": pool.submit(fit_single, read_sentences, sentiments, SENTIMENTS, seed),
            "voice_sentiment": pool.submit(fit_single, voice_features, voice_sentiments, SENTIMENTS, seed),
        }
        multi = {
            "topics": fit_multi(sentence_features, topic_targets, topics, seed),
            "emotions": fit_multi(data.features.voices, emotion_targets, EMOTIONS, seed),
            "flags": fit_multi(data.features.voices, flag_targets, FLAGS, seed),
        }
        fitted = {name: future.result() for name, future in single.items()} | multi
    return {name: fitted[name] for name in HEADS}


def score_heads(heads: dict[str, LinearHead], data: CorpusFeatures) -> dict[str, Scores]:
    """How the heads read labeled voices, on their intended sentences."""
    voices = data.voices
    sentences = [(voice.language, s) for voice in voices for s in voice.sentences]
    sentence_features = data.features.sentences
    sentence_languages = [language for language, _ in sentences]
    voice_languages = [voice.language for voice in voices]

    def multi(head: LinearHead, features: Matrix) -> list[set[str]]:
        present = head.probabilities(features) >= head.thresholds
        return [{head.labels[i] for i in np.flatnonzero(row)} for row in present]

    # What a reader shows: act and sentiment read together (joint.py).
    joint = read_jointly(
        heads["act"].probabilities(sentence_features),
        heads["sentence_sentiment"].probabilities(sentence_features),
        heads["voice_sentiment"].probabilities(data.features.voices),
        data.features.offsets,
        heads["act"].labels,
        heads["sentence_sentiment"].labels,
    )
    acts = [heads["act"].labels[i] for i in joint.act_choice]
    sentence_sentiments = [heads["sentence_sentiment"].labels[i] for i in joint.sentence_choice]
    voice_sentiments = [heads["sentence_sentiment"].labels[i] for i in joint.voice_choice]
    voice_wish = [any(s.act == "wish" for s in voice.sentences) for voice in voices]
    predicted_wish = ["wish" in acts[data.features.sentences_of(i)] for i in range(len(voices))]
    topics = heads["topics"].labels
    return {
        "act": single_label_scores([s.act for _, s in sentences], acts, ACTS, sentence_languages),
        "wish_voice": single_label_scores(
            ["wish" if wish else "none" for wish in voice_wish],
            ["wish" if wish else "none" for wish in predicted_wish],
            ["wish"],
            voice_languages,
        ),
        "sentence_sentiment": single_label_scores([s.sentiment for _, s in sentences], sentence_sentiments, SENTIMENTS),
        "topics": multi_label_scores(
            [set(s.topics) for _, s in sentences], multi(heads["topics"], sentence_features), topics
        ),
        "voice_sentiment": single_label_scores(
            [v.sentiment for v in voices], voice_sentiments, SENTIMENTS, voice_languages
        ),
        "emotions": multi_label_scores(
            [set(v.emotions) for v in voices], multi(heads["emotions"], data.features.voices), EMOTIONS, voice_languages
        ),
        "flags": multi_label_scores(
            [{flag for flag in FLAGS if v.flags[flag]} for v in voices],
            multi(heads["flags"], data.features.voices),
            FLAGS,
            voice_languages,
        ),
    }


def summary(scores: dict[str, Scores]) -> dict[str, Any]:
    """The figures a model file keeps: macro-F1 and accuracy per head, F1 per flag and for wishes."""
    kept: dict[str, Any] = {}
    for name, score in scores.items():
        kept[name] = {"macro_f1": round(score.macro_f1, 4), "accuracy": round(score.accuracy, 4), "count": score.count}
        if score.by_language:
            kept[name]["by_language"] = score.by_language
    kept["flags"]["f1"] = {name: round(label.f1, 4) for name, label in scores["flags"].labels.items()}
    kept["act"]["f1"] = {name: round(label.f1, 4) for name, label in scores["act"].labels.items()}
    return kept


def train_model(
    voices: Sequence[LabeledVoice],
    encoder: SpanEncoder,
    *,
    name: str,
    version: str,
    tier: str,
    seed: int = SEED,
    held_out_share: float = HELD_OUT_SHARE,
    progress: Progress | None = None,
    base: str | None = None,
) -> tuple[ReaderModel, dict[str, Scores]]:
    """Fit every head on the training part and score it on the held-out part."""
    training, held_out = split_corpus(voices, held_out_share)
    if not training:
        raise ValueError("no voices to train on")
    data = encode_corpus(encoder, training, progress)
    heads = fit_heads(data, seed, encode_lone_sentences(encoder, training, progress))
    scores = score_heads(heads, encode_corpus(encoder, held_out, progress)) if held_out else {}
    languages: dict[str, int] = {}
    for voice in voices:
        languages[voice.language] = languages.get(voice.language, 0) + 1
    model = ReaderModel(
        name=name,
        version=version,
        tier=tier,
        encoder={"name": encoder.name, "fingerprint": encoder.fingerprint, "dim": encoder.dim},
        corpus={
            "fingerprint": fingerprint(voices),
            "voices": len(voices),
            "sentences": sum(len(voice.sentences) for voice in voices),
            "languages": dict(sorted(languages.items())),
            "training_voices": len(training),
            "held_out_voices": len(held_out),
        },
        heads=heads,
        scores=summary(scores) if scores else {},
        trained={
            "seed": seed,
            "held_out_share": held_out_share,
            "base": base,
            "lone_sentences": True,
        },
    )
    return model, scores
