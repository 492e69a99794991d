"""Learn the wish-theme projection from corpus/wish_themes/ and ship it (part of `make model`, under 2 minutes).

    python scripts/build_wish_model.py            # cross-validate the options, fit the best, write the model
    python scripts/build_wish_model.py --dry-run  # the table only

Every line of corpus/wish_themes/*.jsonl is one customer's wish and the theme it
belongs to ({"id", "theme", "language", "text"}; docs/labeled-voices.md). On the
board a wish is read inside its whole voice, so here each wish is set among one
to three other sentences (not wishes) of a voice of the same language, and of
the same industry where there is one, drawn with a fixed seed from the reader's
corpus (corpus/<language>/*.jsonl); without that context the paraphrases are
far more alike than real wishes and the tuned threshold does not transfer. Each
wish is embedded with the contextual encoder and centred on its language's mean
exactly as the wish board does (loop/themes_vectors.py). Then a few linear maps
are compared by 5-fold cross-validation grouped by theme (no theme is in both
the fitted and the measured part): each fold's held-out themes are grouped as
one wish board, incrementally in two shuffled orders, with the board's own
function (themes_grouping.assign) at each threshold of a grid. The map and
threshold with the best mean adjusted Rand index (ARI) are kept (of thresholds
within 0.005 ARI of the best, the lowest), the map is
fitted again on every theme, and written with its scores. The sample voices
(src/ombud/demo/sample) are never read here. Deterministic: fixed seeds.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.metrics import adjusted_rand_score

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from ombud.loop.themes_grouping import assign  # noqa: E402
from ombud.loop.themes_model import SHIPPED, WishProjection  # noqa: E402
from ombud.loop.themes_vectors import LanguageSpace, WishSpan, embed_wishes  # noqa: E402
from ombud.understand.encoders import load_encoder  # noqa: E402

CORPUS = ROOT / "corpus" / "wish_themes"
CONTEXT = ROOT / "corpus"  # corpus/<language>/*.jsonl: the reader's labelled voices, whose sentences give context
# A theme slug's first word → the industries (as the reader's corpus names them) whose voices give its context.
INDUSTRIES: dict[str, tuple[str, ...]] = {
    "telecom": ("telecom", "broadband"),
    "bank": ("bank",),
    "insurance": ("insurance",),
    "pharmacy": ("pharmacy",),
    "webshop": ("web_shop", "fashion_web_shop"),
    "airport": ("train", "public_transport"),
    "car": ("car_dealer", "car_workshop", "car_rental"),
    "energy": ("energy", "utility"),
    "gym": ("gym",),
    "transit": ("public_transport",),
    "streaming": ("streaming",),
    "grocery": ("grocery", "supermarket"),
    "furniture": ("furniture",),
    "municipality": ("municipality",),
    "library": ("municipality",),
    "dentist": ("dentist", "health_clinic"),
    "clinic": ("health_clinic",),
    "hotel": ("hotel",),
    "airline": ("airline",),
    "parcel": ("parcel_delivery",),
    "food": ("food_delivery", "restaurant"),
    "electronics": ("electronics",),
    "clothing": ("fashion_web_shop", "fashion"),
    "housing": ("housing", "housing_landlord"),
}
NAME, VERSION = "ombud-wish-themes", "1"
SEED, FOLDS, ORDERS = 0, 5, 2
THRESHOLDS = [round(float(t), 3) for t in np.arange(0.15, 0.601, 0.025)]
TIE = 0.005  # ARI differences smaller than this count as a tie
Matrix = npt.NDArray[np.float64]
Fit = Callable[[Matrix, npt.NDArray[np.str_]], Matrix]


def read_corpus(folder: Path = CORPUS) -> tuple[list[dict[str, str]], str]:
    rows: list[dict[str, str]] = []
    digest = hashlib.sha256()
    for path in sorted(folder.glob("*.jsonl")):
        content = path.read_bytes()
        digest.update(path.name.encode() + b"\0" + content)
        for number, line in enumerate(content.decode("utf-8").splitlines(), 1):
            if line.strip():
                row = json.loads(line)
                missing = {"id", "theme", "language", "text"} - set(row)
                if missing:
                    raise SystemExit(f"{path}:{number}: lacks {', '.join(sorted(missing))}")
                rows.append(row)
    if not rows:
        raise SystemExit(f"{folder}: no wishes")
    return rows, digest.hexdigest()[:16]


def context_sentences() -> tuple[dict[tuple[str, str | None], list[list[str]]], str]:
    """Per (language, industry) and (language, None): the non-wish sentences of each voice of the reader's corpus."""
    pool: dict[tuple[str, str | None], list[list[str]]] = defaultdict(list)
    digest = hashlib.sha256()
    for path in sorted(CONTEXT.glob("*/*.jsonl")):
        if path.parent.name == CORPUS.name:
            continue
        content = path.read_bytes()
        digest.update(path.parent.name.encode() + b"/" + path.name.encode() + b"\0" + content)
        for line in content.decode("utf-8").splitlines():
            voice = json.loads(line) if line.strip() else {}
            sentences = [s["text"] for s in voice.get("sentences", []) if s.get("act") != "wish" and len(s["text"]) > 3]
            if sentences:
                pool[(voice["language"], voice.get("industry"))].append(sentences)
                pool[(voice["language"], None)].append(sentences)
    return pool, digest.hexdigest()[:16]


def in_context(rows: Sequence[dict[str, str]], pool: dict[tuple[str, str | None], list[list[str]]]) -> list[WishSpan]:
    """Each wish among one to three sentences of a voice of its language (and industry), at a random place."""
    random = np.random.default_rng(SEED)
    spans: list[WishSpan] = []
    for row in rows:
        industries = INDUSTRIES.get(row["theme"].split("-")[0], ())
        voices = [v for industry in industries for v in pool.get((row["language"], industry), [])]
        voices = voices or pool.get((row["language"], None), [[]])
        sentences = voices[int(random.integers(len(voices)))]
        count = int(random.integers(1, min(3, len(sentences)) + 1)) if sentences else 0
        first = int(random.integers(0, len(sentences) - count + 1)) if sentences else 0
        around = sentences[first : first + count]
        place = int(random.integers(0, len(around) + 1))
        before, after = " ".join(around[:place]), " ".join(around[place:])
        start = len(before) + 1 if before else 0
        text = (f"{before} " if before else "") + row["text"] + (f" {after}" if after else "")
        spans.append(WishSpan(text, start, start + len(row["text"])))
    return spans


# --- the linear maps compared --------------------------------------------------------------------------------


def identity(x: Matrix, _: npt.NDArray[np.str_]) -> Matrix:
    return np.eye(x.shape[1])


def theme_residuals(x: Matrix, themes: npt.NDArray[np.str_]) -> Matrix:
    means = {theme: x[themes == theme].mean(axis=0) for theme in set(themes.tolist())}
    return x - np.stack([means[theme] for theme in themes.tolist()])


def without_within_directions(count: int) -> Fit:
    """Remove the ``count`` directions along which wishes of one theme differ most (wording, style, language)."""

    def fit(x: Matrix, themes: npt.NDArray[np.str_]) -> Matrix:
        _, _, rows = np.linalg.svd(theme_residuals(x, themes), full_matrices=False)
        basis = rows[:count].T
        return np.eye(x.shape[1]) - basis @ basis.T

    return fit


def partial_whitening(power: float, shrinkage: float = 0.1) -> Fit:
    """Scale down the within-theme spread: (shrunk within-theme covariance) ** -power."""

    def fit(x: Matrix, themes: npt.NDArray[np.str_]) -> Matrix:
        residuals = theme_residuals(x, themes)
        within = residuals.T @ residuals / len(x)
        dim = within.shape[0]
        within = (1 - shrinkage) * within + shrinkage * np.trace(within) / dim * np.eye(dim)
        values, vectors = np.linalg.eigh(within)
        return np.asarray(vectors @ np.diag(values**-power) @ vectors.T)

    return fit


def discriminant(shrinkage: float, components: int) -> Fit:
    """Linear discriminant analysis with a shrunk within-theme covariance: the directions that part themes."""

    def fit(x: Matrix, themes: npt.NDArray[np.str_]) -> Matrix:
        lda = LinearDiscriminantAnalysis(solver="eigen", shrinkage=shrinkage).fit(x, themes)
        return np.asarray(lda.scalings_[:, :components])

    return fit


# The options `make model` compares (a wider sweep, and metric learning with a contrastive or a pairwise loss,
# measured no better: see the note in bench/wish_themes.py).
OPTIONS: dict[str, Fit] = {
    "none (language-centred e5)": identity,
    "remove 5 within-theme directions": without_within_directions(5),
    "partial whitening 0.25": partial_whitening(0.25),
    "LDA shrinkage 0.7, 150 dims": discriminant(0.7, 150),
}


# --- measuring ---------------------------------------------------------------------------------------------


def purity(placed: Sequence[int], themes: Sequence[str]) -> float:
    counts: dict[int, Counter[str]] = defaultdict(Counter)
    for group, theme in zip(placed, themes, strict=True):
        counts[group][theme] += 1
    return sum(max(c.values()) for c in counts.values()) / max(len(themes), 1)


def unit_rows(x: Matrix) -> npt.NDArray[np.float32]:
    return (x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)).astype(np.float32)


def cross_validate(x: Matrix, themes: npt.NDArray[np.str_], fit: Fit) -> dict[float, tuple[float, float]]:
    """Mean (ARI, purity) per threshold over the held-out boards of every fold and order."""
    names = sorted(set(themes.tolist()))
    order = np.random.default_rng(SEED).permutation(len(names))
    fold_of = {names[index]: position % FOLDS for position, index in enumerate(order)}
    folds = np.array([fold_of[theme] for theme in themes.tolist()])
    results: dict[float, list[tuple[float, float]]] = defaultdict(list)
    for fold in range(FOLDS):
        held_out = np.flatnonzero(folds == fold)
        projected = unit_rows(x @ fit(x[folds != fold], themes[folds != fold]))
        for seed in range(ORDERS):
            arrival = np.random.default_rng(SEED + 1 + seed).permutation(held_out)
            vectors = list(projected[arrival])
            truth = themes[arrival].tolist()
            for threshold in THRESHOLDS:
                placed = assign([], vectors, threshold)
                results[threshold].append((float(adjusted_rand_score(truth, placed)), purity(placed, truth)))
    return {t: (float(np.mean([r[0] for r in rs])), float(np.mean([r[1] for r in rs]))) for t, rs in results.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dry-run", action="store_true", help="print the comparison, write nothing")
    parser.add_argument("--output", type=Path, default=SHIPPED)
    options = parser.parse_args()
    started = time.perf_counter()
    rows, fingerprint = read_corpus()
    pool, context_fingerprint = context_sentences()
    encoder = load_encoder("contextual")
    raw = embed_wishes(encoder, in_context(rows, pool))
    space = LanguageSpace.for_encoder(encoder, projected=False)
    for language in sorted({row["language"] for row in rows}):
        space.observe(language, [v for v, row in zip(raw, rows, strict=True) if row["language"] == language])
    x = np.stack([space.centred(v, row["language"]) for v, row in zip(raw, rows, strict=True)]).astype(np.float64)
    themes = np.array([row["theme"] for row in rows])
    languages = Counter(row["language"] for row in rows)
    print(
        f"{len(rows)} wishes, {len(set(themes.tolist()))} themes ({dict(sorted(languages.items()))}) "
        f"embedded in context with {encoder.name} in {time.perf_counter() - started:.0f} s"
    )

    table: dict[str, dict[str, float]] = {}
    print(f"\n{FOLDS}-fold cross-validation by theme, each option at its best threshold:")
    print(f"  {'option':<36}{'thr':>7}{'ARI':>7}{'purity':>8}")
    for name, fit in OPTIONS.items():
        by_threshold = cross_validate(x, themes, fit)
        top = max(ari for ari, _ in by_threshold.values())
        # Ties (within TIE) go to the lowest threshold: fewer near-duplicate themes for agents to merge.
        best = min(t for t, (ari, _) in by_threshold.items() if ari >= top - TIE)
        table[name] = {
            "threshold": best,
            "ari": round(by_threshold[best][0], 4),
            "purity": round(by_threshold[best][1], 4),
        }
        print(f"  {name:<36}{best:>7.3f}{by_threshold[best][0]:>7.3f}{by_threshold[best][1]:>8.3f}", flush=True)
    chosen = max(table, key=lambda name: table[name]["ari"])
    print(f"\nchosen: {chosen}, threshold {table[chosen]['threshold']:.3f} ({time.perf_counter() - started:.0f} s)")
    if options.dry_run:
        return 0

    matrix = OPTIONS[chosen](x, themes).astype(np.float32)
    model = WishProjection(
        name=NAME,
        version=VERSION,
        encoder={"name": encoder.name, "fingerprint": encoder.fingerprint, "dim": encoder.dim},
        corpus={
            "fingerprint": fingerprint,
            "context_fingerprint": context_fingerprint,
            "themes": len(set(themes.tolist())),
            "wishes": len(rows),
            "languages": dict(sorted(languages.items())),
            "files": sorted(p.name for p in CORPUS.glob("*.jsonl")),
        },
        matrix=matrix,
        threshold=table[chosen]["threshold"],
        scores={"cross_validated": table[chosen], "options": table},
        trained={
            "method": chosen,
            "seed": SEED,
            "folds": FOLDS,
            "orders": ORDERS,
            "grouping": "nearest centre",
            "context": "1-3 non-wish sentences of a corpus voice of the same language and industry",
        },
    )
    model.save(options.output)
    print(f"{options.output} ({options.output.stat().st_size / 1e3:.0f} kB), {model.label}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
