"""Learn the wish-theme model from corpus/wish_themes/ and ship it (part of `make model`, a few minutes).

    python scripts/build_wish_model.py            # cross-validate, choose, write the model
    python scripts/build_wish_model.py --dry-run  # the table only

Every line of corpus/wish_themes/*.jsonl is one customer's wish and the theme it
belongs to ({"id", "theme", "language", "text"}, and for the files named
voices-*.jsonl also the whole "voice" it was written in, with "start" and
"end"; docs/labeled-voices.md). The voices-* files are wish boards as a company
sees them: a dozen near themes of one industry, wishes inside real messages,
some that only make sense with the sentence before ("Fix it, please!"),
several wishes in one voice, agents' call notes. The other files are
paraphrase groups, each wish set among one to three unrelated sentences of a
voice of the same language and industry from the reader's corpus (fixed seed).

What is learned: how often each e5 token occurs among the corpus's wishes
(their inverse document frequency weighs the tokens, themes_model.py), and,
by cross-validation over whole boards (each voices-* file, and each
industry's paraphrase groups, grouped with the themes of the board left out of
the token counts), the weight of a wish's context sentence and the threshold
at which a wish joins a theme. Each board is grouped as the wish board would
group a bulk import (themes_grouping.place, all its wishes at once), at each
threshold of a grid; the choice is the best pooled adjusted Rand index (ARI)
over the voices-* boards (of thresholds within 0.005 of the best, the lowest).
The same boards placed one wish at a time, in two shuffled orders, are
reported too. The static encoder (the fallback) gets its own threshold the
same way. The sample voices (src/ombud/demo/sample) are never read here.
Deterministic: fixed seeds.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from sklearn.metrics import adjusted_rand_score

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from ombud.loop.themes_grouping import Linkage, place, row_levels  # noqa: E402
from ombud.loop.themes_model import SHIPPED, Comparison, Parameters, WishThemeModel  # noqa: E402
from ombud.loop.themes_space import BoardSpace, Prepared  # noqa: E402
from ombud.loop.themes_spelling import respell  # noqa: E402
from ombud.loop.themes_tokens import TokenSet, WishInVoice, context_span, embed_token_sets, kept_tokens, word_scorer  # noqa: E402
from ombud.loop.themes_vectors import WISH_ADAPTERS, reference_means, tuned_encoder  # noqa: E402
from ombud.understand.encoders import SpanEncoder, load_encoder  # noqa: E402
from ombud.understand.sentences import split_sentences  # noqa: E402

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
NAME, VERSION = "ombud-wish-themes", "2"
SEED, ORDERS = 0, 2
THRESHOLDS = [round(float(t), 3) for t in np.arange(-0.04, 0.161, 0.01)]
CONTEXT_WEIGHTS = (0.0, 0.15, 0.3, 0.5)
TIE = 0.005  # ARI differences smaller than this count as a tie
ALL_TOKENS = 100_000  # tokens_kept while embedding: keep every token, each fold chooses its own


@dataclass(frozen=True)
class Row:
    id: str
    theme: str
    language: str
    text: str
    board: str  # "voices-gym" for a voices file, "paraphrases:bank" for the paraphrase groups of an industry
    voice: str | None = None
    start: int = 0
    end: int = 0


def read_corpus(folder: Path = CORPUS) -> tuple[list[Row], str]:
    rows: list[Row] = []
    digest = hashlib.sha256()
    for path in sorted(folder.glob("*.jsonl")):
        content = path.read_bytes()
        digest.update(path.name.encode() + b"\0" + content)
        for number, line in enumerate(content.decode("utf-8").splitlines(), 1):
            if not line.strip():
                continue
            item = json.loads(line)
            missing = {"id", "theme", "language", "text"} - set(item)
            if missing:
                raise SystemExit(f"{path}:{number}: lacks {', '.join(sorted(missing))}")
            if "voice" in item:
                if item["voice"][item["start"] : item["end"]] != item["text"]:
                    raise SystemExit(f"{path}:{number}: voice[start:end] is not the text")
                board = path.stem
            else:
                board = "paraphrases:" + item["theme"].split("-")[0]
            rows.append(
                Row(
                    item["id"],
                    item["theme"],
                    item["language"],
                    item["text"],
                    board,
                    item.get("voice"),
                    item.get("start", 0),
                    item.get("end", 0),
                )
            )
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


def wishes_in_voices(rows: Sequence[Row], pool: dict[tuple[str, str | None], list[list[str]]]) -> list[WishInVoice]:
    """A voices-* wish in its voice with its context sentence, as the board reads it; a paraphrase among one to
    three sentences of a voice of its language (and industry), at a random place, with no context sentence."""
    random = np.random.default_rng(SEED)
    wish_spans: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for row in rows:
        if row.voice is not None:
            wish_spans[row.voice].append((row.start, row.end))
    spans: list[WishInVoice] = []
    for row in rows:
        if row.voice is not None:
            sentences = split_sentences(row.voice)
            marked = [
                (s.start, s.end, any(min(s.end, b) > max(s.start, a) for a, b in wish_spans[row.voice]))
                for s in sentences
            ]
            own = max(
                range(len(sentences)), key=lambda k: min(sentences[k].end, row.end) - max(sentences[k].start, row.start)
            )
            spans.append(WishInVoice(row.voice, row.start, row.end, context_span(marked, own), row.language))
            continue
        industries = INDUSTRIES.get(row.theme.split("-")[0], ())
        voices = [v for industry in industries for v in pool.get((row.language, industry), [])]
        voices = voices or pool.get((row.language, None), [[]])
        chosen = voices[int(random.integers(len(voices)))]
        count = int(random.integers(1, min(3, len(chosen)) + 1)) if chosen else 0
        first = int(random.integers(0, len(chosen) - count + 1)) if chosen else 0
        around = chosen[first : first + count]
        at = int(random.integers(0, len(around) + 1))
        before, after = " ".join(around[:at]), " ".join(around[at:])
        start = len(before) + 1 if before else 0
        text = (f"{before} " if before else "") + row.text + (f" {after}" if after else "")
        spans.append(WishInVoice(text, start, start + len(row.text), None, row.language))
    return spans


def token_table(rows: Sequence[Row], encoder: SpanEncoder) -> tuple[np.ndarray, np.ndarray]:
    """Sorted token ids and in how many of the rows' wishes each occurs."""
    tokenizer = encoder.tokenizer  # type: ignore[attr-defined]
    counts: Counter[int] = Counter()
    spelled = respell([(row.text, row.language) for row in rows], word_scorer(tokenizer))
    for tokens in tokenizer.tokenize([s.text for s in spelled], offsets=False):
        counts.update(set(np.asarray(tokens.ids).tolist()))
    ids = np.array(sorted(counts), dtype=np.int32)
    return ids, np.array([counts[int(i)] for i in ids], dtype=np.int32)


def model_of(
    rows: Sequence[Row], encoder: SpanEncoder, parameters: Parameters, comparisons: dict[str, Comparison], corpus: dict
) -> WishThemeModel:
    ids, counts = token_table(rows, encoder)
    return WishThemeModel(NAME, VERSION, corpus, len(rows), ids, counts, parameters, comparisons)


# --- measuring ---------------------------------------------------------------------------------------------


def purity(placed: Sequence[str], themes: Sequence[str]) -> float:
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for group, theme in zip(placed, themes, strict=True):
        counts[group][theme] += 1
    return sum(max(c.values()) for c in counts.values()) / max(len(themes), 1)


@dataclass
class Fold:
    board: str
    indexes: list[int]
    prepared: list[Prepared]
    reference_levels: np.ndarray  # each wish's row level with no prior


def folds_of(
    rows: Sequence[Row],
    tokens: Sequence[TokenSet],
    encoder: SpanEncoder,
    reference: dict[str, np.ndarray],
    parameters: Parameters,
    kind: str,
) -> list[Fold]:
    """Each board of a kind ("voices" or "paraphrases"), its wishes prepared with a model whose token counts
    leave the board's themes out."""
    folds: list[Fold] = []
    boards = sorted({row.board for row in rows if row.board.startswith(kind)})
    for board in boards:
        indexes = [i for i, row in enumerate(rows) if row.board == board]
        held_out = {rows[i].theme for i in indexes}
        if len(held_out) < 2:
            continue
        training = [row for row in rows if row.theme not in held_out]
        model = model_of(training, encoder, parameters, {encoder.name: Comparison(0.0, 0.0)}, {})
        kept = [kept_tokens(tokens[i], model) for i in indexes]
        space = BoardSpace.of(model, reference, [(rows[i].language, t) for i, t in zip(indexes, kept, strict=True)])
        prepared = [space.prepare(t, rows[i].language) for i, t in zip(indexes, kept, strict=True)]
        raw = row_levels(prepared, prepared, Comparison(0.0, 0.0), replace(parameters, row_prior=0.0))
        folds.append(Fold(board, indexes, prepared, raw))
    return folds


def bulk_scores(
    folds: Sequence[Fold], rows: Sequence[Row], comparison: Comparison, parameters: Parameters
) -> dict[float, tuple[float, float]]:
    """Pooled (ARI, purity) per threshold, each board grouped as one bulk import."""
    truth: list[str] = []
    placed: dict[float, list[str]] = defaultdict(list)
    for fold in folds:
        truth += [f"{fold.board}/{rows[i].theme}" for i in fold.indexes]
        linkage = Linkage.of([], fold.prepared, fold.prepared, comparison, parameters)
        for threshold in THRESHOLDS:
            placed[threshold] += [f"{fold.board}/{g}" for g in linkage.groups(threshold)]
    return {t: (float(adjusted_rand_score(truth, p)), purity(p, truth)) for t, p in placed.items()}


def trickle_score(
    folds: Sequence[Fold], rows: Sequence[Row], comparison: Comparison, parameters: Parameters
) -> tuple[float, float]:
    """Pooled (ARI, purity), each board's wishes placed one at a time in shuffled orders (mean of ORDERS)."""
    results = []
    for order_seed in range(ORDERS):
        truth: list[str] = []
        placed: list[str] = []
        for fold in folds:
            order = np.random.default_rng(SEED + 1 + order_seed).permutation(len(fold.indexes))
            themes: list[list[Prepared]] = []
            seen: list[Prepared] = []
            for position in order.tolist():
                wish = fold.prepared[position]
                seen.append(wish)
                members = [t[-parameters.representatives :] for t in themes]
                [index] = place(members, [wish], seen, comparison, parameters)
                if index == len(themes):
                    themes.append([])
                themes[index].append(wish)
                truth.append(f"{fold.board}/{rows[fold.indexes[position]].theme}")
                placed.append(f"{fold.board}/{index}")
        results.append((float(adjusted_rand_score(truth, placed)), purity(placed, truth)))
    return float(np.mean([r[0] for r in results])), float(np.mean([r[1] for r in results]))


def chosen_threshold(scores: dict[float, tuple[float, float]]) -> float:
    top = max(ari for ari, _ in scores.values())
    return min(t for t, (ari, _) in scores.items() if ari >= top - TIE)


def tune(
    rows: Sequence[Row],
    tokens: Sequence[TokenSet],
    encoder: SpanEncoder,
    reference: dict[str, np.ndarray],
    parameters: Parameters,
) -> tuple[Comparison, dict[str, dict[str, float]]]:
    """The threshold and row level for these parameters, and the scores on both kinds of board."""
    voices = folds_of(rows, tokens, encoder, reference, parameters, "voices")
    row_level = float(np.median(np.concatenate([fold.reference_levels for fold in voices])))
    scores = bulk_scores(voices, rows, Comparison(0.0, row_level), parameters)
    threshold = chosen_threshold(scores)
    comparison = Comparison(threshold, round(row_level, 4))
    paraphrase_folds = folds_of(rows, tokens, encoder, reference, parameters, "paraphrases")
    paraphrases = bulk_scores(paraphrase_folds, rows, comparison, parameters)
    table = {
        "voices": {"ari": round(scores[threshold][0], 4), "purity": round(scores[threshold][1], 4)},
        "paraphrases": {"ari": round(paraphrases[threshold][0], 4), "purity": round(paraphrases[threshold][1], 4)},
    }
    return comparison, table


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dry-run", action="store_true", help="print the comparison, write nothing")
    parser.add_argument("--output", type=Path, default=SHIPPED)
    parser.add_argument(
        "--adapters", type=Path, default=WISH_ADAPTERS, help="e5's wish adapters (scripts/train_wish_adapter.py)"
    )
    options = parser.parse_args()
    started = time.perf_counter()
    rows, fingerprint = read_corpus()
    pool, context_fingerprint = context_sentences()
    spans = wishes_in_voices(rows, pool)
    languages = Counter(row.language for row in rows)
    boards = Counter(row.board.split(":")[0] for row in rows)
    print(
        f"{len(rows)} wishes, {len({r.theme for r in rows})} themes, {dict(sorted(languages.items()))}, {dict(boards)}"
    )

    # The wish board's encoder: e5 with the wish adapters merged where they exist (themes_vectors.wish_encoder).
    encoder = tuned_encoder(options.adapters) if options.adapters.is_file() else load_encoder("contextual")
    wide = Parameters(tokens_kept=ALL_TOKENS)
    every = model_of(rows, encoder, wide, {encoder.name: Comparison(0.0, 0.0)}, {})
    tokens = embed_token_sets(encoder, spans, every)
    reference = reference_means(encoder, every)
    print(f"embedded with {encoder.name} in {time.perf_counter() - started:.0f} s")

    print("\ncross-validation by board (bulk: every wish of a board at once), each at its best threshold:")
    print(f"  {'context weight':<16}{'thr':>7}{'row level':>10}{'voices ARI':>12}{'purity':>8}{'paraphrases ARI':>17}")
    options_table: dict[str, dict[str, object]] = {}
    for weight in CONTEXT_WEIGHTS:
        parameters = Parameters(context_weight=weight)
        comparison, table = tune(rows, tokens, encoder, reference, parameters)
        options_table[f"context {weight}"] = {"threshold": comparison.threshold, **table}
        print(
            f"  {weight:<16}{comparison.threshold:>7.3f}{comparison.row_level:>10.3f}{table['voices']['ari']:>12.3f}"
            f"{table['voices']['purity']:>8.3f}{table['paraphrases']['ari']:>17.3f}",
            flush=True,
        )
    best = max(CONTEXT_WEIGHTS, key=lambda w: float(options_table[f"context {w}"]["voices"]["ari"]))  # type: ignore[index]
    parameters = Parameters(context_weight=best)
    comparison, table = tune(rows, tokens, encoder, reference, parameters)
    voices = folds_of(rows, tokens, encoder, reference, parameters, "voices")
    trickle = trickle_score(voices, rows, comparison, parameters)
    chosen = f"context weight {best}, threshold {comparison.threshold:.3f}"
    print(f"\nchosen: {chosen}; one wish at a time: ARI {trickle[0]:.3f}")
    comparisons = {encoder.name: comparison}
    scores: dict[str, object] = {
        "cross_validated": {
            **table,
            "voices_one_at_a_time": {"ari": round(trickle[0], 4), "purity": round(trickle[1], 4)},
        },
        "options": options_table,
    }
    # The fallbacks, each with its own threshold: plain e5 (where the adapters are missing), the static encoder.
    fallbacks = [load_encoder("static")]
    if encoder.name != load_encoder("contextual").name:
        fallbacks.insert(0, load_encoder("contextual"))
    for fallback in fallbacks:
        fallback_tokens = embed_token_sets(fallback, spans, every)
        fallback_reference = reference_means(fallback, every)
        fallback_comparison, fallback_table = tune(rows, fallback_tokens, fallback, fallback_reference, parameters)
        comparisons[fallback.name] = fallback_comparison
        scores[fallback.name] = fallback_table
        print(
            f"{fallback.name}: threshold {fallback_comparison.threshold:.3f}, "
            f"voices ARI {fallback_table['voices']['ari']:.3f}"
        )
    print(f"({time.perf_counter() - started:.0f} s)")
    if options.dry_run:
        return 0

    corpus = {
        "fingerprint": fingerprint,
        "context_fingerprint": context_fingerprint,
        "themes": len({row.theme for row in rows}),
        "wishes": len(rows),
        "languages": dict(sorted(languages.items())),
        "files": sorted(p.name for p in CORPUS.glob("*.jsonl")),
    }
    model = replace(
        model_of(rows, encoder, parameters, comparisons, corpus),
        scores=scores,
        trained={
            "seed": SEED,
            "orders": ORDERS,
            "grouping": "average linkage, bulk per board",
            "thresholds": THRESHOLDS,
        },
    )
    model.save(options.output)
    print(f"{options.output} ({options.output.stat().st_size / 1e3:.0f} kB), {model.label}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
