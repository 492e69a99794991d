"""How far the encoders themselves reach on each public dev set when a linear head is trained on that very task:
a ceiling for heads that learn elsewhere (ombud's corpus). Nothing here is shipped or saved.

    python scripts/encoder_ceiling.py            # every set, both encoders (e5-small and n-grams)
    python scripts/encoder_ceiling.py --sets norec angry_tweets

For each set a logistic regression (scikit-learn, C chosen by 4-fold cross-validation on the training part)
reads the same features the tiers read: e5-small's whole-text vector (the accurate tier's encoder, run as ombud
runs it), word + character n-grams (TF-IDF, as the fast tier's hashed n-grams), and both side by side as the
accurate tier reads them; it is scored with the same figure as docs/quality.md. Where a set has its own
training file it learns from it and is scored on dev (NoReC, SemEval A; and SemEval B from A's train, as the
task's entrants did); where it has none (AngryTweets, XED, SemEval B), 5-fold cross-validation on the file
itself, each text scored by a head that never saw it.

If a head trained on thousands of the task's own labeled texts stays below a target, heads trained on
customer voices cannot reach it with that encoder: what is left is the encoder, not the corpus. It needs
../shared/data (not part of a user's clone) and says so when it is missing.

Measured 2026-12-08 (e5 / n-grams; the table is in docs/quality.md): SemEval A 0.818 / 0.774; B 5-fold
0.924 / 0.934, B from A's train 0.365 / 0.282; NoReC 0.749 / 0.715; AngryTweets 0.639 / 0.562; XED sv 0.393 /
0.365, no 0.376 / 0.340, da 0.369 / 0.309. About 25 minutes in all on a busy machine, most of it e5.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
EMOTIONS = ("anger", "anticipation", "disgust", "fear", "joy", "sadness", "surprise", "trust")


@dataclass(frozen=True)
class Task:
    name: str
    figure: str  # as in docs/quality.md
    target: float
    train: str | None  # None: cross-validation on dev
    dev: str
    labels: Callable[[list[Any]], np.ndarray]  # the file's labels → y (1-D classes, or an (n, 8) 0/1 matrix)
    score: Callable[[np.ndarray, np.ndarray], float]


def _binary(positive: str) -> Callable[[list[Any]], np.ndarray]:
    return lambda labels: np.array([int(str(label) == positive) for label in labels])


def _classes(labels: list[Any]) -> np.ndarray:
    return np.array([str(label) for label in labels])


def _emotions(labels: list[Any]) -> np.ndarray:
    return np.array([[int(emotion in label) for emotion in EMOTIONS] for label in labels])


def _wish_f1(y: np.ndarray, p: np.ndarray) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(y, p))


def _accuracy(y: np.ndarray, p: np.ndarray) -> float:
    return float(np.mean(y == p))


def _macro_f1(y: np.ndarray, p: np.ndarray) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(y, p, average="macro", zero_division=0))


TASKS = {
    "semeval_a": Task("SemEval-2019 T9 A dev, wish", "wish_f1", 0.70, "semeval2019_task9/subtaskA_train.jsonl",
                      "semeval2019_task9/subtaskA_dev.jsonl", _binary("1"), _wish_f1),
    "semeval_b": Task("SemEval-2019 T9 B dev (5-fold), wish", "wish_f1", 0.80, None,
                      "semeval2019_task9/subtaskB_dev.jsonl", _binary("1"), _wish_f1),
    "semeval_b_from_a": Task("SemEval-2019 T9 B dev (trained on A train), wish", "wish_f1", 0.80,
                             "semeval2019_task9/subtaskA_train.jsonl", "semeval2019_task9/subtaskB_dev.jsonl",
                             _binary("1"), _wish_f1),
    "norec": Task("NoReC_sentence binary dev, sentiment", "accuracy", 0.85, "norec_sentence/binary_train.jsonl",
                  "norec_sentence/binary_dev.jsonl", _classes, _accuracy),
    "angry_tweets": Task("AngryTweets (5-fold), sentiment", "macro_f1", 0.65, None, "angry_tweets/train.jsonl",
                         _classes, _macro_f1),
    "xed_sv": Task("XED sv dev (5-fold), emotion", "macro_f1", 0.45, None, "xed/sv_projections_dev.jsonl",
                   _emotions, _macro_f1),
    "xed_no": Task("XED no dev (5-fold), emotion", "macro_f1", 0.45, None, "xed/no_projections_dev.jsonl",
                   _emotions, _macro_f1),
    "xed_da": Task("XED da dev (5-fold), emotion", "macro_f1", 0.45, None, "xed/da_projections_dev.jsonl",
                   _emotions, _macro_f1),
}  # fmt: skip


def _read(relative: str) -> tuple[list[str], list[Any]]:
    rows = [json.loads(line) for line in (SHARED / relative).open(encoding="utf-8") if line.strip()]
    return [str(row["text"]) for row in rows], [row["label"] for row in rows]


_e5_cache: dict[str, np.ndarray] = {}


def e5_vectors(texts: list[str]) -> np.ndarray:
    from ombud.understand.encoders import load_encoder

    missing = [text for text in dict.fromkeys(texts) if text not in _e5_cache]
    if missing:
        from rich.progress import track

        encoder = load_encoder("contextual")
        for start in track(range(0, len(missing), 256), description=f"e5 on {len(missing):,} texts", transient=True):
            chunk = missing[start : start + 256]
            _e5_cache.update(zip(chunk, encoder.embed(chunk), strict=True))
    return np.stack([_e5_cache[text] for text in texts])


def ngram_vectorizer() -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion

    return FeatureUnion(
        [
            ("words", TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)),
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True)),
        ]
    )


def _head(y: np.ndarray, features: str) -> Any:
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV
    from sklearn.multiclass import OneVsRestClassifier

    grid = [0.03, 0.1, 0.3, 1, 3, 10]
    # liblinear, the fast solver for wide sparse n-grams, fits one label against the rest.
    solver = "lbfgs" if features == "e5" else "liblinear"
    logistic = LogisticRegression(solver=solver, max_iter=3000, class_weight="balanced")
    if y.ndim == 2:
        return OneVsRestClassifier(GridSearchCV(logistic, {"C": grid}, scoring="f1", cv=4))
    if solver == "lbfgs":
        return GridSearchCV(logistic, {"C": grid}, scoring="f1_macro", cv=4)
    return GridSearchCV(OneVsRestClassifier(logistic), {"estimator__C": grid}, scoring="f1_macro", cv=4)


def _predict(head: Any, x: Any, y_train: np.ndarray) -> np.ndarray:
    if y_train.ndim == 1:
        return np.asarray(head.predict(x))
    # Multi-label: each emotion by its own 0.5 on balanced weights, and at least one per text (every XED line has one).
    probabilities = head.predict_proba(x)
    predicted = (probabilities >= 0.5).astype(int)
    predicted[np.arange(len(predicted)), probabilities.argmax(axis=1)] = 1
    return predicted


def fit_and_score(task: Task, features: str) -> float:
    from sklearn.model_selection import KFold

    def featurise(train_texts: list[str], test_texts: list[str]) -> tuple[Any, Any]:
        if features == "e5":
            return e5_vectors(train_texts), e5_vectors(test_texts)
        vectorizer = ngram_vectorizer()
        train, test = vectorizer.fit_transform(train_texts), vectorizer.transform(test_texts)
        if features == "both":  # as the accurate tier reads: n-grams beside e5
            train = sparse.hstack([train, sparse.csr_matrix(e5_vectors(train_texts))], format="csr")
            test = sparse.hstack([test, sparse.csr_matrix(e5_vectors(test_texts))], format="csr")
        return train, test

    dev_texts, dev_labels = _read(task.dev)
    y_dev = task.labels(dev_labels)
    if task.train:
        train_texts, train_labels = _read(task.train)
        y_train = task.labels(train_labels)
        x_train, x_dev = featurise(train_texts, dev_texts)
        head = _head(y_train, features).fit(x_train, y_train)
        return task.score(y_dev, _predict(head, x_dev, y_train))
    predicted = np.zeros_like(y_dev)
    for train_rows, test_rows in KFold(5, shuffle=True, random_state=7).split(dev_texts):
        x_train, x_test = featurise([dev_texts[i] for i in train_rows], [dev_texts[i] for i in test_rows])
        head = _head(y_dev[train_rows], features).fit(x_train, y_dev[train_rows])
        predicted[test_rows] = _predict(head, x_test, y_dev[train_rows])
    return task.score(y_dev, predicted)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", nargs="*", choices=sorted(TASKS), default=list(TASKS))
    parser.add_argument("--features", nargs="*", choices=("e5", "ngrams", "both"), default=["e5", "ngrams", "both"])
    args = parser.parse_args()
    if not SHARED.is_dir():
        print(f"{SHARED} is not here (it is not part of a user's clone): nothing to measure.")
        return 0
    print("| set | figure | target | " + " | ".join(f"{name}, trained on the task" for name in args.features) + " |")
    print("|---|---|---|" + "---|" * len(args.features))
    for key in args.sets:
        task = TASKS[key]
        started = time.perf_counter()
        figures = [fit_and_score(task, features) for features in args.features]
        print(
            f"| {task.name} | {task.figure} | ≥ {task.target:.2f} | "
            + " | ".join(f"{figure:.3f}" for figure in figures)
            + f" |  ({time.perf_counter() - started:.0f} s)",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    raise SystemExit(main())
