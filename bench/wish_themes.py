"""Wish theme grouping against the sample's intended themes: purity and adjusted Rand index (ARI).

    python bench/wish_themes.py                    # ombud's method: a bulk import, then one voice at a time
    python bench/wish_themes.py --no-diacritics    # the sample typed without å, ä, ö, æ, ø
    python bench/wish_themes.py --encoder static   # the same with the fast tier's static encoder
    python bench/wish_themes.py --adapters A.npz --model M.npz  # e5 with trained adapters (train_wish_adapter.py)

Every wish sentence of the sample voices (src/ombud/demo/sample/*.jsonl) carries
the slug of the theme its writer intended (``wish_theme``). Wishes are grouped
per company (a company's board holds only its own customers' wishes) with the
functions loop/wishes.py uses: each wish's tokens from one pass over its voice
(themes_tokens, Nordic letters typed as aa/ae/oe or plain vowels put back by
themes_spelling), compared token by token in the board's space
(themes_space), grouped by average linkage above the shipped model's
threshold (themes_grouping). Ways of arriving: **bulk**, every wish of a
company at once (as `ombud demo` and an import followed by `ombud wishes`
do), and **one voice at a time**, in the order the voices arrived, the
board's space recomputed after each voice as update_themes does: placed
only; then the open themes regrouped (themes_regroup, as `ombud serve` does,
which ends where bulk does); and with each theme settled by an agent (its
status moved, so never regrouped) once it has 3 customers. The model was
tuned on corpus/wish_themes/ only, never on this sample.

Purity: the share of wishes whose theme's most common slug is their own. ARI
over all: slugs and themes both prefixed by the company. Per company and per
language: ARI over those wishes alone.

Measured (e5-small-int8, 506 wishes, 2026-12-07, docs/wish-themes.md): bulk
and regrouped purity 0.796, ARI 0.592; placed only 0.440; settled at 3
customers 0.509; typed without the letters 0.573. Main's method before (the
mean e5 vector of each wish, language means removed, a learned linear
projection, nearest centre one by one): purity 0.794, ARI 0.513 (0.395
typed without the letters). Upper bound of this representation: every wish
put in the intended theme it is nearest to on average gives ARI 0.63.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sklearn.metrics import adjusted_rand_score

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from ombud.loop.themes_grouping import place, representatives
from ombud.loop.themes_model import Comparison, WishThemeModel, load_model
from ombud.loop.themes_space import BoardSpace, Prepared
from ombud.loop.themes_tokens import TokenSet, WishInVoice, context_span, embed_token_sets
from ombud.loop.themes_vectors import reference_means, tuned_encoder, wish_encoder, wish_model
from ombud.understand.encoders import SpanEncoder, load_encoder

SAMPLE = Path(__file__).resolve().parents[1] / "src" / "ombud" / "demo" / "sample"
REFERENCE = 256  # as loop/wishes.py


@dataclass(frozen=True)
class SampleWish:
    company: str
    language: str
    voice: str  # the voice's id: wishes of one voice arrive together
    slug: str
    span: WishInVoice


# How customers type without Nordic letters: the sample with every one of them spelled out.
SPELLED_OUT = str.maketrans(
    {"å": "aa", "ä": "ae", "ö": "oe", "æ": "ae", "ø": "oe", "Å": "Aa", "Ä": "Ae", "Ö": "Oe", "Æ": "Ae", "Ø": "Oe"}
)


def sample_wishes(*, spelled_out: bool = False) -> list[SampleWish]:
    """The sample's wishes in their voices; with ``spelled_out``, written without å, ä, ö, æ and ø."""
    wishes: list[SampleWish] = []
    for path in sorted(SAMPLE.glob("*.jsonl")):
        for line in path.open(encoding="utf-8"):
            voice = json.loads(line.translate(SPELLED_OUT) if spelled_out else line)
            position = 0
            marked: list[tuple[int, int, bool]] = []
            for sentence in voice["sentences"]:
                start = voice["text"].index(sentence["text"], position)
                position = start + len(sentence["text"])
                marked.append((start, position, sentence["act"] == "wish"))
            for index, (sentence, (start, end, _)) in enumerate(zip(voice["sentences"], marked, strict=True)):
                if sentence["act"] == "wish":
                    span = WishInVoice(voice["text"], start, end, context_span(marked, index), voice["language"])
                    wishes.append(
                        SampleWish(voice["company"], voice["language"], voice["id"], sentence["wish_theme"], span)
                    )
    return wishes


def purity(themes: Sequence[str], slugs: Sequence[str]) -> float:
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for theme, slug in zip(themes, slugs, strict=True):
        counts[theme][slug] += 1
    return sum(max(c.values()) for c in counts.values()) / max(len(slugs), 1)


def scores(wishes: Sequence[SampleWish], themes: Sequence[str]) -> tuple[float, float]:
    slugs = [f"{w.company}/{w.slug}" for w in wishes]
    return purity(themes, slugs), float(adjusted_rand_score(slugs, themes))


def reference_of(wishes: Sequence[Prepared]) -> list[Prepared]:
    return list(wishes[:: max(1, len(wishes) // REFERENCE)][:REFERENCE])


def bulk(
    wishes: Sequence[SampleWish], tokens: Sequence[TokenSet], encoder: SpanEncoder, model: WishThemeModel
) -> list[str]:
    """Every company's wishes placed at once on an empty board."""
    themes = [""] * len(wishes)
    reference = reference_means(encoder, model)
    comparison = model.comparison(encoder.name)
    for company in sorted({w.company for w in wishes}):
        indexes = [i for i, w in enumerate(wishes) if w.company == company]
        space = BoardSpace.of(model, reference, [(wishes[i].language, tokens[i]) for i in indexes])
        prepared = [space.prepare(tokens[i], wishes[i].language) for i in indexes]
        placed = place([], prepared, reference_of(prepared), comparison, model.parameters)
        for index, group in zip(indexes, placed, strict=True):
            themes[index] = f"{company}/{group}"
    return themes


def one_voice_at_a_time(
    wishes: Sequence[SampleWish],
    tokens: Sequence[TokenSet],
    encoder: SpanEncoder,
    model: WishThemeModel,
    *,
    regroup: bool,
    settle_at: int | None = None,
) -> list[str]:
    """Each company's voices in the order they came, one update per voice, the space recomputed each time, as
    update_themes does: the voice's wishes are placed against the themes; with ``regroup`` the open themes' wishes
    are then grouped again from scratch against the settled ones (themes_regroup). With ``settle_at``, an agent
    acts on a theme (moves its status) once it has that many customers, which settles it for good."""
    themes = [""] * len(wishes)
    reference = reference_means(encoder, model)
    comparison = model.comparison(encoder.name)
    limit = model.parameters.representatives
    for company in sorted({w.company for w in wishes}):
        indexes = [i for i, w in enumerate(wishes) if w.company == company]
        voices = list(dict.fromkeys(wishes[i].voice for i in indexes))
        groups: list[list[int]] = []  # wish indexes per theme
        settled: list[bool] = []
        seen: list[int] = []
        for voice in voices:
            arriving = [i for i in indexes if wishes[i].voice == voice]
            space = BoardSpace.of(model, reference, [(wishes[i].language, tokens[i]) for i in [*seen, *arriving]])
            prepared = {i: space.prepare(tokens[i], wishes[i].language) for i in [*seen, *arriving]}
            groups = _placed(groups, arriving, prepared, comparison, model, limit)
            settled += [False] * (len(groups) - len(settled))
            seen += arriving
            if regroup:
                fixed = [group for k, group in enumerate(groups) if settled[k]]
                loose = [i for k, group in enumerate(groups) if not settled[k] for i in group]
                groups = _placed(fixed, loose, prepared, comparison, model, limit)
                settled = [True] * len(fixed) + [False] * (len(groups) - len(fixed))
            if settle_at is not None:
                customers = [len({wishes[i].voice for i in group}) for group in groups]
                settled = [done or count >= settle_at for done, count in zip(settled, customers, strict=True)]
        for number, group in enumerate(groups):
            for i in group:
                themes[i] = f"{company}/{number}"
    return themes


def _placed(
    groups: list[list[int]],
    arriving: list[int],
    prepared: dict[int, Prepared],
    comparison: Comparison,
    model: WishThemeModel,
    limit: int,
) -> list[list[int]]:
    """``groups`` with ``arriving`` placed among them (new groups appended), as themes_grouping.place does."""
    if not arriving:
        return [list(group) for group in groups]
    members = [representatives([prepared[i] for i in group], limit) for group in groups]
    everyone = [p for group in members for p in group] + [prepared[i] for i in arriving]
    placed = place(members, [prepared[i] for i in arriving], reference_of(everyone), comparison, model.parameters)
    result = [list(group) for group in groups]
    for i, group in zip(arriving, placed, strict=True):
        if group == len(result):
            result.append([])
        result[group].append(i)
    return result


def report(wishes: Sequence[SampleWish], themes: list[str], name: str) -> None:
    pure, ari = scores(wishes, themes)
    print(f"\n{name}: purity {pure:.3f}, ARI {ari:.3f} over {len(wishes)} wishes, {len(set(themes))} themes")
    print(f"  {'':<16}{'wishes':>7}{'themes':>7}{'slugs':>7}{'purity':>8}{'ARI':>7}")
    groups = [("company", sorted({w.company for w in wishes})), ("language", sorted({w.language for w in wishes}))]
    for kind, values in groups:
        for value in values:
            indexes = [i for i, w in enumerate(wishes) if getattr(w, kind) == value]
            part = [wishes[i] for i in indexes]
            pure, ari = scores(part, [themes[i] for i in indexes])
            slugs = len({(w.company, w.slug) for w in part})
            print(f"  {value:<16}{len(part):>7}{len({themes[i] for i in indexes}):>7}{slugs:>7}{pure:>8.3f}{ari:>7.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--encoder",
        choices=["wish", "contextual", "static"],
        default="wish",
        help="wish: the wish board's own (e5 with its adapters, else plain e5); contextual: plain e5",
    )
    parser.add_argument("--adapters", type=Path, help="e5 with these adapters instead of the shipped ones")
    parser.add_argument("--model", type=Path, help="a wish-theme model instead of the shipped one")
    parser.add_argument(
        "--no-diacritics", action="store_true", help="the sample typed without å, ä, ö, æ, ø (aa, ae, oe instead)"
    )
    arguments = parser.parse_args()
    started = time.perf_counter()
    if arguments.adapters is not None:
        encoder = tuned_encoder(arguments.adapters)
    elif arguments.encoder == "wish":
        encoder = wish_encoder()
    else:
        encoder = load_encoder(arguments.encoder)
    model = load_model(arguments.model) if arguments.model is not None else wish_model()
    wishes = sample_wishes(spelled_out=arguments.no_diacritics)
    tokens = embed_token_sets(encoder, [w.span for w in wishes], model)
    comparison = model.comparison(encoder.name)
    print(
        f"{encoder.name}, {model.label} (threshold {comparison.threshold:.3f}): {len(wishes)} wishes embedded in "
        f"{time.perf_counter() - started:.1f} s"
    )
    report(wishes, bulk(wishes, tokens, encoder, model), "bulk (every wish of a company at once)")
    arrivals = [
        ("one voice at a time, placed only", {"regroup": False}),
        ("one voice at a time, open themes regrouped (ombud serve)", {"regroup": True}),
        ("the same, a theme settled by an agent at 3 customers", {"regroup": True, "settle_at": 3}),
    ]
    for name, how in arrivals:
        report(wishes, one_voice_at_a_time(wishes, tokens, encoder, model, **how), name)  # type: ignore[arg-type]
    print(f"\n{time.perf_counter() - started:.0f} s in all")


if __name__ == "__main__":
    main()
