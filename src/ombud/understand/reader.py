"""The reader: an encoder and the heads trained on its features, applied to batches of voices."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ombud.labels import dominant_act
from ombud.understand.analysis import Analysis, Label, SentenceAnalysis, Sentiment
from ombud.understand.encoders import SpanEncoder
from ombud.understand.features import batch_features
from ombud.understand.heads import LinearHead, Matrix
from ombud.understand.language import LanguageGuess, detect_languages
from ombud.understand.model_file import ReaderModel
from ombud.understand.personal_data import find_personal_data
from ombud.understand.sentences import Sentence, split_sentences

# Sentences this short say too little for their own language guess; they take the voice's.
MIN_WORDS_FOR_OWN_LANGUAGE = 4


class Reader:
    def __init__(self, encoder: SpanEncoder, model: ReaderModel) -> None:
        self.encoder = encoder
        self.model = model

    def analyze(self, texts: Sequence[str]) -> list[Analysis]:
        sentences = [split_sentences(text) for text in texts]
        spans = [[(sentence.start, sentence.end) for sentence in voice] for voice in sentences]
        features = batch_features(self.encoder, texts, spans)
        languages = detect_languages(texts)
        sentence_languages = self._sentence_languages(sentences, languages)
        heads = self.model.heads
        voice_sentiments = heads["voice_sentiment"].probabilities(features.voices)
        emotions = heads["emotions"].probabilities(features.voices)
        flags = heads["flags"].probabilities(features.voices)
        analyses = []
        for index, text in enumerate(texts):
            rows = features.sentences[index]
            evidence = features.evidence[index]
            read = self._sentences(sentences[index], sentence_languages[index], rows)
            acts = [sentence.act for sentence in read]
            meaningful = list(dict.fromkeys(act for act in acts if act != "other")) or (["other"] if acts else [])
            analyses.append(
                Analysis(
                    text=text,
                    language=languages[index],
                    sentences=read,
                    acts=meaningful,
                    dominant_act=dominant_act(acts),
                    sentiment=_sentiment(heads["voice_sentiment"], voice_sentiments[index]),
                    emotions=sorted(
                        _labels(heads["emotions"], emotions[index], heads["emotions"].probabilities(evidence)),
                        key=lambda label: -label.probability,
                    ),
                    flags={
                        label.name: label
                        for label in _labels(heads["flags"], flags[index], heads["flags"].probabilities(evidence))
                    },
                    personal_data=find_personal_data(text, languages[index].language),
                    model=self.model.label,
                    tier=self.model.tier,
                    topics=list(dict.fromkeys(topic for sentence in read for topic in sentence.topic_names)),
                )
            )
        return analyses

    def _sentences(
        self, sentences: Sequence[Sentence], languages: Sequence[LanguageGuess], rows: Matrix
    ) -> list[SentenceAnalysis]:
        if not sentences:
            return []
        heads = self.model.heads
        acts = heads["act"].probabilities(rows)
        sentiments = heads["sentence_sentiment"].probabilities(rows)
        topics = heads["topics"].probabilities(rows)
        read = []
        for index, sentence in enumerate(sentences):
            best = int(np.argmax(acts[index]))
            read.append(
                SentenceAnalysis(
                    text=sentence.text,
                    start=sentence.start,
                    end=sentence.end,
                    language=languages[index],
                    act=heads["act"].labels[best],
                    act_probability=float(acts[index, best]),
                    act_probabilities=dict(zip(heads["act"].labels, map(float, acts[index]), strict=True)),
                    sentiment=_sentiment(heads["sentence_sentiment"], sentiments[index]),
                    topics=[label for label in _labels(heads["topics"], topics[index], None) if label.present],
                )
            )
        return read

    @staticmethod
    def _sentence_languages(
        sentences: Sequence[Sequence[Sentence]], voice_languages: Sequence[LanguageGuess]
    ) -> list[list[LanguageGuess]]:
        wordy = [
            (voice, index, sentence.text)
            for voice, voice_sentences in enumerate(sentences)
            for index, sentence in enumerate(voice_sentences)
            if len(sentence.text.split()) >= MIN_WORDS_FOR_OWN_LANGUAGE and len(voice_sentences) > 1
        ]
        guesses = dict(
            zip(
                ((voice, index) for voice, index, _ in wordy),
                detect_languages([text for *_, text in wordy]),
                strict=True,
            )
        )
        return [
            [guesses.get((voice, index), voice_languages[voice]) for index in range(len(voice_sentences))]
            for voice, voice_sentences in enumerate(sentences)
        ]


def _sentiment(head: LinearHead, probabilities: Matrix) -> Sentiment:
    by_label = dict(zip(head.labels, map(float, probabilities), strict=True))
    best = max(by_label, key=lambda label: by_label[label])
    return Sentiment(best, by_label.get("positive", 0.0) - by_label.get("negative", 0.0), by_label[best])


def _labels(head: LinearHead, probabilities: Matrix, per_sentence: Matrix | None) -> list[Label]:
    labels = []
    for column, name in enumerate(head.labels):
        probability = float(probabilities[column])
        evidence = None
        if per_sentence is not None and per_sentence.shape[0]:
            evidence = int(np.argmax(per_sentence[:, column]))
        labels.append(Label(name, probability, probability >= float(head.thresholds[column]), evidence))
    return labels
