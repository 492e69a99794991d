"""`make model`: rebuild ombud's language head and every shipped reader model from corpus/, then refresh
docs/quality.md.

Deterministic: the same corpus and encoder give the same weights (fixed seeds).
The quality report needs ../shared/data (public dev sets) and is skipped,
saying so, where that folder is missing.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from ombud.understand.encoders.ngrams import NgramEncoder
from ombud.understand.language_head import MODEL_PATH, train_language_model
from ombud.understand.shipped import corpus_dir, corpus_sources, train_tier
from ombud.understand.tiers import TIERS, shipped_model_path

console = Console()
REPORT_LIMIT = 400


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tier", choices=TIERS, action="append", help="only this tier (default: all)")
    parser.add_argument("--no-report", action="store_true", help="do not refresh docs/quality.md")
    options = parser.parse_args()
    corpus = corpus_sources()
    started = time.perf_counter()
    with console.status("language head"):
        language = train_language_model(corpus_dir(), NgramEncoder())
    language.save(MODEL_PATH)
    held_out = language.scores
    console.print(
        f"language: {MODEL_PATH} ({MODEL_PATH.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - started:.0f} s; "
        f"held-out voices {held_out['voice']['accuracy']:.3f} (sure of {held_out['voice']['sure_share']:.0%}), "
        f"sentences {held_out['sentence']['accuracy']:.3f} (sure of {held_out['sentence']['sure_share']:.0%})"
    )
    for tier in options.tier or TIERS:
        started = time.perf_counter()
        with Progress(
            TextColumn(f"[bold]{tier}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console
        ) as progress:
            bar = progress.add_task("encoding", total=None)

            def advance(voices: int, bar: TaskID = bar) -> None:
                progress.advance(bar, voices)

            model, _ = train_tier(tier, corpus, name=f"ombud-{tier}", progress=advance)
        path = shipped_model_path(tier)
        model.save(path)
        scores = model.scores
        console.print(
            f"{tier}: {path} ({path.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - started:.0f} s; held-out "
            f"act macro-F1 {scores['act']['macro_f1']:.3f}, "
            f"voice sentiment {scores['voice_sentiment']['macro_f1']:.3f}, "
            f"emotions {scores['emotions']['macro_f1']:.3f}, flags {scores['flags']['macro_f1']:.3f}"
        )
    if not options.no_report:
        from quality_report import write_report

        # A spread of the dev sets keeps `make model` within its 15 minutes; run quality_report.py for all.
        write_report(limit=REPORT_LIMIT)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    sys.exit(main())
