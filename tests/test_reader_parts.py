"""The reader's parts that need no encoder: heads, model files, corpus handling, metrics, evaluation."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from ombud.labels import ACTS
from ombud.understand.corpus import CorpusError, fingerprint, is_held_out, read_corpus, split_corpus
from ombud.understand.evaluation import EvaluationError, LabeledText, parse_label_map, read_labeled_texts
from ombud.understand.heads import LinearHead, fit_multi, fit_single
from ombud.understand.metrics import multi_label_scores, single_label_scores
from ombud.understand.model_file import IncompatibleModel, ReaderModel, load_model, read_header

SAMPLE = Path(__file__).parents[1] / "src" / "ombud" / "demo" / "sample"


def _blobs(seed: int = 7) -> tuple[np.ndarray, list[str]]:
    """Three well separated clouds in 10 dimensions, labelled complaint, praise, wish."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(3, 10)) * 4
    labels = ["complaint", "praise", "wish"]
    rows = np.vstack([centre + rng.normal(size=(60, 10)) for centre in centres]).astype(np.float32)
    return rows, [label for label in labels for _ in range(60)]


def test_single_head_learns_and_gives_unseen_labels_no_chance() -> None:
    rows, targets = _blobs()
    head = fit_single(rows, targets, ACTS, seed=1)
    probabilities = head.probabilities(rows)
    assert probabilities.shape == (180, len(ACTS))
    assert np.allclose(probabilities.sum(axis=1), 1, atol=1e-5)
    predicted = [ACTS[i] for i in probabilities.argmax(axis=1)]
    assert np.mean([p == t for p, t in zip(predicted, targets, strict=True)]) > 0.95
    assert probabilities[:, ACTS.index("question")].max() < 1e-6  # never seen in training


def test_single_head_with_two_labels_matches_their_order() -> None:
    rows, targets = _blobs()
    keep = [i for i, target in enumerate(targets) if target != "wish"]
    head = fit_single(rows[keep], [targets[i] for i in keep], ACTS, seed=1)
    predicted = head.probabilities(rows[keep]).argmax(axis=1)
    assert np.mean([ACTS[p] == targets[i] for p, i in zip(predicted, keep, strict=True)]) > 0.95


def test_multi_head_tunes_a_threshold_per_label() -> None:
    rows, targets = _blobs()
    multi = np.array([[t == "complaint", t != "praise"] for t in targets])
    head = fit_multi(rows, multi, ("angry", "not_praise"), seed=1)
    present = head.probabilities(rows) >= head.thresholds
    assert (present == multi).mean() > 0.95
    assert head.thresholds.shape == (2,)


def test_fit_single_needs_two_labels() -> None:
    rows, _ = _blobs()
    with pytest.raises(ValueError, match="two different labels"):
        fit_single(rows, ["wish"] * len(rows), ACTS, seed=1)


def _model(tmp_path: Path) -> tuple[ReaderModel, Path]:
    rows, targets = _blobs()
    head = fit_single(rows, targets, ACTS, seed=1)
    multi = LinearHead(
        "multi", ("a", "b"), np.ones((10, 2), np.float32), np.zeros(2, np.float32), np.full(2, 0.4, np.float32)
    )
    heads = {
        "act": head,
        "sentence_sentiment": head,
        "topics": multi,
        "voice_sentiment": head,
        "emotions": multi,
        "flags": multi,
    }
    model = ReaderModel(
        "test", "0.1", "fast", {"name": "enc", "fingerprint": "f1", "dim": 10}, {"fingerprint": "c"}, heads, {"act": 1}
    )
    path = tmp_path / "fast.npz"
    model.save(path)
    return model, path


def test_model_file_round_trip_is_exact_and_reproducible(tmp_path: Path) -> None:
    model, path = _model(tmp_path)
    loaded = load_model(path, encoder_name="enc", encoder_fingerprint="f1")
    rows, _ = _blobs(seed=3)
    for name, head in model.heads.items():
        assert np.array_equal(loaded.heads[name].probabilities(rows), head.probabilities(rows))
    assert loaded.label == "test 0.1"
    assert read_header(path)["scores"] == {"act": 1}
    first = path.read_bytes()
    model.save(path)
    assert path.read_bytes() == first  # same model, same bytes


def test_model_for_another_encoder_is_refused_with_advice(tmp_path: Path) -> None:
    _, path = _model(tmp_path)
    with pytest.raises(IncompatibleModel, match="make model"):
        load_model(path, encoder_name="enc", encoder_fingerprint="other")


def test_broken_or_foreign_model_files_are_refused(tmp_path: Path) -> None:
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"not a zip")
    with pytest.raises(IncompatibleModel, match="not a readable model"):
        load_model(junk)
    foreign = tmp_path / "foreign.npz"
    np.savez(foreign, header=np.array(json.dumps({"format": "ombud-reader/0"})))
    with pytest.raises(IncompatibleModel, match="format"):
        load_model(foreign)
    with pytest.raises(IncompatibleModel, match="no model file"):
        load_model(tmp_path / "missing.npz")


def test_corpus_locates_sentences_and_splits_stably() -> None:
    voices = read_corpus([SAMPLE])
    assert len(voices) >= 600
    for voice in voices[:50]:
        for sentence in voice.sentences:
            assert voice.text[sentence.start : sentence.end].strip()
    training, held_out = split_corpus(voices, 0.15)
    assert 0.08 < len(held_out) / len(voices) < 0.22
    assert not {v.id for v in training} & {v.id for v in held_out}
    assert is_held_out(held_out[0].id, 0.15)
    assert fingerprint(voices) == fingerprint(list(reversed(voices)))
    assert fingerprint(voices) != fingerprint(voices[1:])


def test_corpus_errors_name_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    good = json.loads((SAMPLE / next(p.name for p in SAMPLE.glob("*.jsonl"))).read_text().splitlines()[0])
    good["sentences"][0]["act"] = "rant"
    bad.write_text("\n" + json.dumps(good) + "\n")
    with pytest.raises(CorpusError, match=r"bad.jsonl:2: .*rant"):
        read_corpus([bad])
    with pytest.raises(CorpusError, match="no such file"):
        read_corpus([tmp_path / "nothing.jsonl"])


def test_own_topics_are_accepted_only_when_allowed(tmp_path: Path) -> None:
    row = json.loads((sorted(SAMPLE.glob("*.jsonl"))[0]).read_text().splitlines()[0])
    row["sentences"][0]["topics"] = ["parking"]
    own = tmp_path / "own.jsonl"
    own.write_text(json.dumps(row) + "\n")
    with pytest.raises(CorpusError, match="parking"):
        read_corpus([own])
    [voice] = read_corpus([own], allow_topics=["parking"])
    assert voice.sentences[0].topics == ("parking",)


def test_single_label_scores_by_hand() -> None:
    scores = single_label_scores(
        ["wish", "wish", "none", "none"], ["wish", "none", "wish", "none"], ["wish"], ["sv", "sv", "en", "en"]
    )
    assert scores.labels["wish"].precision == 0.5
    assert scores.labels["wish"].recall == 0.5
    assert scores.accuracy == 0.5
    assert scores.confusion == {"none": {"wish": 1, "none": 1}, "wish": {"wish": 1, "none": 1}}
    assert scores.by_language["sv"]["count"] == 2


def test_multi_label_scores_by_hand() -> None:
    scores = multi_label_scores(
        [{"anger"}, {"joy", "trust"}, set()], [{"anger"}, {"joy"}, {"fear"}], ["anger", "joy", "trust", "fear"]
    )
    assert scores.labels["anger"].f1 == 1.0
    assert scores.labels["trust"].recall == 0.0
    assert scores.labels["fear"].precision == 0.0
    assert scores.macro_f1 == pytest.approx(0.5)
    assert scores.accuracy == pytest.approx(1 / 3)


def test_label_map_and_labeled_text_errors(tmp_path: Path) -> None:
    assert parse_label_map("1=wish, 0=none") == {"1": "wish", "0": "none"}
    with pytest.raises(EvaluationError, match="FROM=TO"):
        parse_label_map("1:wish")
    file = tmp_path / "dev.jsonl"
    file.write_text('{"text": "Bra", "label": 1}\n{"text": "x"}\n')
    with pytest.raises(EvaluationError, match=r"dev\.jsonl:2"):
        read_labeled_texts(file)
    file.write_text('{"text": "Bra", "label": 1, "lang": "sv"}\n')
    assert read_labeled_texts(file) == [LabeledText("Bra", 1, "sv")]


def test_a_batch_of_forms_equals_the_form_of_each_text() -> None:
    from ombud.understand.features import _form, _forms, _voice_forms
    from ombud.understand.sentences import split_sentences

    texts = [
        "Hej! Varför SVARAR ni inte? Ring 070-123 45 67.",
        "Tusen takk 🙏🏽 for hjelpen!!",
        "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ABC Ⓐ Ⅻ ½ ². Nästa mening här.",  # letters beyond the Basic Multilingual Plane, look-alikes
        "",
        "ÆØÅ ÄÖ æøå ß ﬁ\nMvh\nKari",
    ]
    spans = [[(sentence.start, sentence.end) for sentence in split_sentences(text)] for text in texts]
    expected = [
        _form(text[start:end], index == 0, index == len(text_spans) - 1)
        for text, text_spans in zip(texts, spans, strict=True)
        for index, (start, end) in enumerate(text_spans)
    ]
    forms = _forms(texts, spans)
    assert np.array_equal(forms, np.array(expected, dtype=np.float32))
    assert np.array_equal(_voice_forms(texts), np.array([_form(text, True, True) for text in texts], np.float32))
    assert forms[1].tolist()[:2] == [1.0, 1.0] and forms[1, 6] == pytest.approx(7 / 18)  # "Varför SVARAR ni inte?"


def test_heads_in_one_product_give_what_each_gives() -> None:
    from ombud.understand.heads import HeadGroup

    rows, targets = _blobs()
    single = fit_single(rows, targets, ACTS, seed=1)
    multi = fit_multi(rows, np.array([[t == "complaint", t != "praise"] for t in targets]), ("a", "b"), seed=1)
    together = HeadGroup([single, multi]).probabilities(rows)
    assert np.allclose(together[0], single.probabilities(rows), atol=1e-6)
    assert np.allclose(together[1], multi.probabilities(rows), atol=1e-6)
