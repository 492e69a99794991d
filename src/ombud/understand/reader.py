"""The reader: an encoder and the heads trained on its features, applied to batches of voices.

Everything is worked out for the whole batch at once: one split into words,
one set of feature rows for all sentences, one product per group of heads,
one language pass; then the results are put into Analysis objects.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from ombud.labels import dominant_act
from ombud.understand.analysis import Analysis, Label, SentenceAnalysis, Sentiment
from ombud.understand.encoders import SpanEncoder
from ombud.understand.features import BatchFeatures, batch_features
from ombud.understand.heads import HeadGroup, LinearHead, Matrix
from ombud.understand.joint import read_jointly
from ombud.understand.language import LanguageGuess
from ombud.understand.language_head import LanguageModel, shipped_language_model
from ombud.understand.model_file import ReaderModel
from ombud.understand.personal_data import find_personal_data
from ombud.understand.sentences import Sentence, split_sentences
from ombud.understand.voice_languages import lingua_languages, read_languages


class Reader:
    def __init__(self, encoder: SpanEncoder, model: ReaderModel, language_model: LanguageModel | None = None) -> None:
        self.encoder = encoder
        self.model = model
        # ombud's own language head reads the n-grams of an encoder that has them; without, lingua reads alone.
        ngrams = getattr(encoder, "ngrams", None)
        self.language_model = language_model or (shipped_language_model(ngrams) if ngrams is not None else None)
        heads = model.heads
        self._sentence_heads = HeadGroup([heads["act"], heads["sentence_sentiment"], heads["topics"]])
        self._evidence_heads = HeadGroup([heads["emotions"], heads["flags"]])
        self._voice_heads = HeadGroup([heads["voice_sentiment"], heads["emotions"], heads["flags"]])
        # With n-grams, a sentence's evidence rows are its own rows: one product serves both.
        self._sentence_and_evidence = HeadGroup([*self._sentence_heads.heads, *self._evidence_heads.heads])

    def analyze(self, texts: Sequence[str]) -> list[Analysis]:
        sentences = [split_sentences(text) for text in texts]
        spans = [[(sentence.start, sentence.end) for sentence in voice] for voice in sentences]
        features = batch_features(self.encoder, texts, spans)
        if self.language_model is not None and features.ngrams is not None:
            languages, sentence_languages = read_languages(
                self.language_model, texts, sentences, *features.ngrams, features.offsets
            )
        else:
            languages, sentence_languages = lingua_languages(texts, sentences)
        if features.evidence is features.sentences:
            act, sentence_sentiment, topics, emotion_evidence, flag_evidence = (
                self._sentence_and_evidence.probabilities(features.sentences)
            )
        else:
            act, sentence_sentiment, topics = self._sentence_heads.probabilities(features.sentences)
            emotion_evidence, flag_evidence = self._evidence_heads.probabilities(features.evidence)
        voice_sentiment, emotions, flags = self._voice_heads.probabilities(features.voices)
        heads = self.model.heads
        sentiment_labels = heads["sentence_sentiment"].labels
        joint = read_jointly(
            act, sentence_sentiment, voice_sentiment, features.offsets, heads["act"].labels, sentiment_labels
        )
        read_sentences = self._read_sentences(
            sentences,
            sentence_languages,
            joint.acts,
            joint.act_choice,
            _sentiments(sentiment_labels, joint.sentence_sentiments, joint.sentence_choice),
            topics,
        )
        emotion_labels = _voice_labels(heads["emotions"], emotions, emotion_evidence, features)
        flag_labels = _voice_labels(heads["flags"], flags, flag_evidence, features)
        voice_sentiments = _sentiments(sentiment_labels, joint.voice_sentiments, joint.voice_choice)
        analyses = []
        for index, text in enumerate(texts):
            read = read_sentences[index]
            acts = [sentence.act for sentence in read]
            meaningful = list(dict.fromkeys(act for act in acts if act != "other")) or (["other"] if acts else [])
            analyses.append(
                Analysis(
                    text=text,
                    language=languages[index],
                    sentences=read,
                    acts=meaningful,
                    dominant_act=dominant_act(acts),
                    sentiment=voice_sentiments[index],
                    emotions=sorted(emotion_labels[index], key=lambda label: -label.probability),
                    flags={label.name: label for label in flag_labels[index]},
                    personal_data=find_personal_data(text, languages[index].language),
                    model=self.model.label,
                    tier=self.model.tier,
                    topics=list(dict.fromkeys(topic for sentence in read for topic in sentence.topic_names)),
                )
            )
        return analyses

    def _read_sentences(
        self,
        sentences: Sequence[Sequence[Sentence]],
        languages: Sequence[Sequence[LanguageGuess]],
        act: Matrix,
        act_choice: npt.NDArray[np.int64],
        sentiments: list[Sentiment],
        topics: Matrix,
    ) -> list[list[SentenceAnalysis]]:
        heads = self.model.heads
        act_labels = heads["act"].labels
        best_acts = act_choice.tolist()
        act_rows = act.tolist()
        topic_head = heads["topics"]
        topic_names = topic_head.labels
        # Only the topics present, per sentence row: (row, column) pairs of the whole batch in row order.
        present_rows, present_columns = np.nonzero(topics >= topic_head.thresholds)
        present_values = topics[present_rows, present_columns].tolist()
        present_by_row: dict[int, list[Label]] = {}
        for row_index, column, value in zip(
            present_rows.tolist(), present_columns.tolist(), present_values, strict=True
        ):
            present_by_row.setdefault(row_index, []).append(Label(topic_names[column], value, True, None))
        read: list[list[SentenceAnalysis]] = []
        row = 0
        for voice_sentences, voice_languages in zip(sentences, languages, strict=True):
            voice_read = []
            for sentence, language in zip(voice_sentences, voice_languages, strict=True):
                probabilities = act_rows[row]
                best = best_acts[row]
                voice_read.append(
                    SentenceAnalysis(
                        text=sentence.text,
                        start=sentence.start,
                        end=sentence.end,
                        language=language,
                        act=act_labels[best],
                        act_probability=probabilities[best],
                        act_probabilities=dict(zip(act_labels, probabilities, strict=True)),
                        sentiment=sentiments[row],
                        topics=present_by_row.get(row, []),
                    )
                )
                row += 1
            read.append(voice_read)
        return read


def _sentiments(labels: Sequence[str], probabilities: Matrix, chosen: npt.NDArray[np.int64]) -> list[Sentiment]:
    """One Sentiment per row: the chosen label, P(positive) - P(negative) and the label's probability."""
    if not len(probabilities):
        return []
    best = chosen.tolist()
    wide = probabilities.astype(np.float64)
    positive = wide[:, labels.index("positive")] if "positive" in labels else np.zeros(len(wide))
    negative = wide[:, labels.index("negative")] if "negative" in labels else np.zeros(len(wide))
    scores = (positive - negative).tolist()
    rows = probabilities.tolist()
    return [Sentiment(labels[label], score, row[label]) for label, score, row in zip(best, scores, rows, strict=True)]


def _voice_labels(
    head: LinearHead, probabilities: Matrix, per_sentence: Matrix, features: BatchFeatures
) -> list[list[Label]]:
    """Each voice's labels of a multi-label head, with the sentence that shows each best as its evidence."""
    present = (probabilities >= head.thresholds).tolist()
    evidence = _best_sentences(per_sentence, features.offsets).tolist()
    names = head.labels
    return [
        [
            Label(name, probability, is_present, sentence if sentence >= 0 else None)
            for name, probability, is_present, sentence in zip(names, row, voice_present, voice_evidence, strict=True)
        ]
        for row, voice_present, voice_evidence in zip(probabilities.tolist(), present, evidence, strict=True)
    ]


def _best_sentences(per_sentence: Matrix, offsets: Sequence[int]) -> npt.NDArray[np.int64]:
    """(voices, labels): the index within its voice of the sentence with the highest probability of each label
    (the first of equals, as argmax gives it), -1 for a voice without sentences."""
    bounds = np.asarray(offsets, dtype=np.int64)
    counts = np.diff(bounds)
    result = np.full((len(counts), per_sentence.shape[1]), -1, dtype=np.int64)
    filled = counts > 0
    if not filled.any():
        return result
    starts = bounds[:-1][filled]
    highest = np.maximum.reduceat(per_sentence, starts, axis=0)
    voice_of_row = np.repeat(np.arange(len(starts)), counts[filled])
    position = np.arange(len(per_sentence)) - np.repeat(starts, counts[filled])
    candidates = np.where(per_sentence == highest[voice_of_row], position[:, None], np.iinfo(np.int64).max)
    result[filled] = np.minimum.reduceat(candidates, starts, axis=0)
    return result
