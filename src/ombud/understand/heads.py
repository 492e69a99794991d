"""Linear heads over encoder features: fitted with scikit-learn, applied with numpy.

A head is only its weights, so a model file holds plain arrays (no pickles,
nothing executable) and reading needs no scikit-learn. Two kinds:
- ``single``: exactly one label per row (act, sentiment), softmax over labels;
- ``multi``: any number of labels per row (topics, emotions, flags), one
  sigmoid per label, each with its own threshold, tuned on out-of-fold
  predictions of the training data so the held-out data stays unseen.
"""

from __future__ import annotations

import functools
import os
import warnings
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Literal, TypeVar, cast

import numpy as np
import numpy.typing as npt
from scipy import sparse

Matrix = npt.NDArray[np.float32]
F = TypeVar("F", bound=Callable[..., Any])

# Regularisation: standardised dense features want it strong, normalised sparse n-grams weak. Chosen
# once by cross-validation on the corpus (a search per head at every training tripled its time and
# moved held-out macro-F1 by less than 0.01).
DENSE_C = 0.1
SPARSE_C = 8.0


def _logistic(c: float, seed: int, *, binary_sparse: bool = False) -> Any:
    """Logistic regression as every head fits it. One wide sparse label at a time is what liblinear's
    coordinate descent is fastest at (10× here). The softmax heads (act, sentiment) are fitted by L-BFGS on
    n-grams beside unscaled dense vectors; with a tolerance of 1e-3 it stopped after about 120 steps, with
    one in twenty of its own training sentences misread and short ones among them ("Handläggaren var inte
    hjälpsam över huvud taget." as praise); 1e-4 takes about 270 steps (twice the time) and misreads one in
    eighty, and lifts the plain cases (tests/data/plain_cases.jsonl) by 1–3 points."""
    from sklearn.linear_model import LogisticRegression

    if binary_sparse:
        return LogisticRegression(
            C=c, solver="liblinear", max_iter=300, tol=1e-3, class_weight="balanced", random_state=seed
        )
    return LogisticRegression(C=c, solver="lbfgs", max_iter=500, tol=1e-4, class_weight="balanced", random_state=seed)


def _c(features: Any) -> float:
    return SPARSE_C if sparse.issparse(features) else DENSE_C


FOLDS = 4


@dataclass(frozen=True)
class LinearHead:
    kind: Literal["single", "multi"]
    labels: tuple[str, ...]
    weights: Matrix  # (features, labels)
    bias: Matrix  # (labels,)
    thresholds: Matrix  # (labels,); for `single` unused (all 0.5)

    def probabilities(self, features: Any) -> Matrix:
        logits: Matrix = np.asarray(features @ self.weights, dtype=np.float32) + self.bias
        return _activated(self.kind, logits)

    def arrays(self, prefix: str) -> dict[str, npt.NDArray[np.float32]]:
        return {f"{prefix}.weights": self.weights, f"{prefix}.bias": self.bias, f"{prefix}.thresholds": self.thresholds}

    @classmethod
    def from_arrays(
        cls,
        arrays: dict[str, npt.NDArray[np.float32]],
        prefix: str,
        kind: Literal["single", "multi"],
        labels: Sequence[str],
    ) -> LinearHead:
        return cls(
            kind, tuple(labels), arrays[f"{prefix}.weights"], arrays[f"{prefix}.bias"], arrays[f"{prefix}.thresholds"]
        )


class HeadGroup:
    """Several heads over the same rows, applied in one product: their weights side by side."""

    def __init__(self, heads: Sequence[LinearHead]) -> None:
        self.heads = tuple(heads)
        self._weights = np.ascontiguousarray(np.hstack([head.weights for head in heads]), dtype=np.float32)
        self._bias = np.concatenate([head.bias for head in heads]).astype(np.float32)
        self._bounds = np.cumsum([0, *(len(head.labels) for head in heads)]).tolist()

    def probabilities(self, features: Any) -> list[Matrix]:
        """Each head's probabilities, as ``head.probabilities(features)`` gives them."""
        logits: Matrix = np.asarray(features @ self._weights, dtype=np.float32) + self._bias
        return [
            _activated(head.kind, logits[:, start:end])
            for head, start, end in zip(self.heads, self._bounds, self._bounds[1:], strict=False)
        ]


def _activated(kind: str, logits: Matrix) -> Matrix:
    if kind == "single":
        logits = logits - logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        softmax: Matrix = (exp / exp.sum(axis=1, keepdims=True)).astype(np.float32)
        return softmax
    sigmoid: Matrix = (1.0 / (1.0 + np.exp(-logits))).astype(np.float32)
    return sigmoid


def _standardised(features: Any) -> tuple[Any, Matrix, Matrix]:
    """Dense features scaled to mean 0 and variance 1: L-BFGS converges in far fewer steps. The scaling is
    folded back into the weights afterwards, so a head still reads raw features. Sparse (hashed n-gram)
    features are normalised already and stay as they are."""
    if sparse.issparse(features):
        return features, np.zeros(features.shape[1], np.float32), np.ones(features.shape[1], np.float32)
    mean = features.mean(axis=0)
    scale = features.std(axis=0)
    scale[scale < 1e-6] = 1.0
    return ((features - mean) / scale).astype(np.float32), mean, scale


def _unscaled(weights: Matrix, bias: Matrix, mean: Matrix, scale: Matrix) -> tuple[Matrix, Matrix]:
    raw = weights / scale[:, None]
    return raw.astype(np.float32), (bias - mean @ raw).astype(np.float32)


def _quiet(fit: F) -> F:
    """Capped L-BFGS warns about convergence on every fold; the cap is deliberate (see _logistic)."""

    @functools.wraps(fit)
    def quiet(*args: Any, **kwargs: Any) -> Any:
        from sklearn.exceptions import ConvergenceWarning

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            return fit(*args, **kwargs)

    return cast(F, quiet)


@_quiet
def fit_single(raw_features: Any, targets: Sequence[str], labels: Sequence[str], seed: int) -> LinearHead:
    """A softmax head for one label per row; labels absent from the targets get a very low bias."""

    features, mean, scale = _standardised(raw_features)
    present = [label for label in labels if label in set(targets)]
    if len(present) < 2:
        raise ValueError(f"a head needs at least two different labels to learn from, got {present}")
    y = np.array([present.index(target) for target in targets])
    model = _logistic(_c(features), seed)
    model.fit(features, y)
    weights = np.zeros((features.shape[1], len(labels)), dtype=np.float32)
    bias = np.full(len(labels), -30.0, dtype=np.float32)
    coef = model.coef_ if len(present) > 2 else np.vstack([-model.coef_[0] / 2, model.coef_[0] / 2])
    intercept = model.intercept_ if len(present) > 2 else np.array([-model.intercept_[0] / 2, model.intercept_[0] / 2])
    for row, label in enumerate(present):
        weights[:, labels.index(label)] = coef[row]
        bias[labels.index(label)] = intercept[row]
    present_columns = [labels.index(label) for label in present]
    weights[:, present_columns], bias[present_columns] = _unscaled(
        weights[:, present_columns], bias[present_columns], mean, scale
    )
    return LinearHead("single", tuple(labels), weights, bias, np.full(len(labels), 0.5, dtype=np.float32))


@_quiet
def fit_multi(raw_features: Any, targets: npt.NDArray[np.bool_], labels: Sequence[str], seed: int) -> LinearHead:
    """One sigmoid per label (column of ``targets``), each with the threshold that gives the best F1 on
    out-of-fold predictions."""
    from sklearn.model_selection import StratifiedKFold

    features, mean, scale = _standardised(raw_features)
    weights = np.zeros((features.shape[1], len(labels)), dtype=np.float32)
    bias = np.full(len(labels), -30.0, dtype=np.float32)
    thresholds = np.full(len(labels), 0.5, dtype=np.float32)
    positives = targets.sum(axis=0)
    tunable = [column for column in range(len(labels)) if FOLDS <= positives[column] <= len(targets) - FOLDS]
    c = _c(features)
    wide = sparse.issparse(features)

    def fitted(column: int, rows: Any) -> Any:
        model = _logistic(c, seed, binary_sparse=wide)
        model.fit(features[rows], targets[rows, column].astype(int))
        return model

    everything = np.arange(len(targets))
    fitting = [column for column in range(len(labels)) if 0 < positives[column] < len(targets)]
    folds = {
        column: list(
            StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=seed).split(
                everything, targets[:, column].astype(int)
            )
        )
        for column in tunable
    }
    # Every fit stands alone (its own seed, its own rows) and liblinear and L-BFGS release the GIL, so threads
    # share the cores and the heads come out exactly as they would one fit after another.
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        out_of_fold_models = {
            (column, fold): pool.submit(fitted, column, train)
            for column in tunable
            for fold, (train, _) in enumerate(folds[column])
        }
        final_models = {column: pool.submit(fitted, column, everything) for column in fitting}
        for column in tunable:
            y = targets[:, column].astype(int)
            out_of_fold = np.zeros(len(y), dtype=np.float32)
            for fold, (_, test) in enumerate(folds[column]):
                out_of_fold[test] = out_of_fold_models[column, fold].result().predict_proba(features[test])[:, 1]
            thresholds[column], _ = _best_threshold(out_of_fold, y)
        for column in range(len(labels)):
            if column in final_models:
                model = final_models[column].result()
                learned = _unscaled(model.coef_[0][:, None], model.intercept_, mean, scale)
                weights[:, column], bias[column] = learned[0][:, 0], learned[1][0]
            elif positives[column] == len(targets):
                bias[column] = 30.0  # always seen: always predicted
    return LinearHead("multi", tuple(labels), weights, bias, thresholds)


def _best_threshold(probabilities: Matrix, y: npt.NDArray[np.int_]) -> tuple[float, float]:
    """The threshold with the best F1, and that F1."""
    best, best_f1 = 0.5, -1.0
    for threshold in np.arange(0.2, 0.86, 0.025):
        predicted = probabilities >= threshold
        true_positives = float(np.sum(predicted & (y == 1)))
        f1 = 2 * true_positives / max(1.0, float(predicted.sum() + y.sum()))
        if f1 > best_f1 + 1e-6:
            best, best_f1 = float(threshold), f1
    return best, best_f1
