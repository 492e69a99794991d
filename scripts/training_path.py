"""What `ombud train` reaches on a public task: a throwaway model (never shipped) trained on SemEval-2019 Task 9
subtask A's training set, measured on its dev set.

    python scripts/training_path.py                  # accurate tier, with ombud's corpus (--base default)
    python scripts/training_path.py --tier fast --base none --limit 2000

It needs ../shared/data (not part of a user's clone) and says so when it is missing. The training set's
sentences are suggestions (label 1) or not (label 0): each becomes one labeled voice of one sentence, act
`wish` or `other`, sentiment neutral, no emotions, flags or topics — what the task says of it, and nothing
more. They are written to a temporary folder, `ombud train` learns from them (with ombud's corpus unless
`--base none`), and `ombud eval act … --label-map 1=wish,0=none` reads the dev set with the model it made.
The model and the converted files are deleted afterwards; the shipped models never see this data.

Measured 2026-12-07 (8,500 training sentences with ombud's corpus, 592 dev sentences, half of them
suggestions; about 15 minutes each on a busy machine): wish F1 on A dev 0.827 on the accurate tier (precision
0.830, recall 0.824) and 0.750 on the fast tier (0.754 / 0.747), against 0.715 and 0.706 for the shipped
models, which never saw the task. The task's best published F1, 0.78, is on its test set, which is not here.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEMEVAL = ROOT.parent / "shared" / "data" / "semeval2019_task9"
OMBUD = [sys.executable, "-m", "ombud"]


def labeled_voices(train: Path, limit: int | None) -> tuple[list[dict[str, object]], set[str]]:
    """Each training sentence as a labeled voice (docs/labeled-voices.md) of one sentence, and the ids of the
    suggestions."""
    voices: list[dict[str, object]] = []
    suggestions: set[str] = set()
    for number, line in enumerate(train.open(encoding="utf-8"), start=1):
        row = json.loads(line)
        text = " ".join(str(row["text"]).split())
        if not text:
            continue
        act = "wish" if int(row["label"]) == 1 else "other"
        if act == "wish":
            suggestions.add(f"semeval-a-{number}")
        voices.append(
            {
                "id": f"semeval-a-{number}",
                "language": "en",
                "channel": "review",
                "text": text,
                "sentences": [{"text": text, "act": act, "sentiment": "neutral", "topics": []}],
                "sentiment": "neutral",
                "emotions": [],
                "flags": {"expectation_gap": False, "legal_claim": False, "churn_risk": False},
            }
        )
        if limit and len(voices) >= limit:
            break
    return voices, suggestions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tier", default="accurate", choices=["fast", "accurate"])
    parser.add_argument("--base", default="default", choices=["default", "none"])
    parser.add_argument("--limit", type=int, help="train on the first N sentences only")
    options = parser.parse_args()
    train, dev = SEMEVAL / "subtaskA_train.jsonl", SEMEVAL / "subtaskA_dev.jsonl"
    if not train.exists() or not dev.exists():
        print(f"{SEMEVAL} is not here (it is not part of ombud): nothing to measure.")
        return
    with tempfile.TemporaryDirectory(prefix="ombud-training-path-") as scratch:
        folder = Path(scratch)
        voices, suggestions = labeled_voices(train, options.limit)
        converted = folder / "semeval-a-train.jsonl"
        with converted.open("w", encoding="utf-8") as file:
            for voice in voices:
                file.write(json.dumps(voice, ensure_ascii=False) + "\n")
        wishes = sum(1 for voice in voices if voice["id"] in suggestions)
        print(f"Training on {len(voices):,} SemEval A sentences ({wishes:,} suggestions), base {options.base}.")
        out = folder / "model"
        subprocess.run(
            [*OMBUD, "train", str(converted), "--out", str(out), "--tier", options.tier, "--base", options.base],
            check=True,
        )
        evaluation = [*OMBUD, "eval", "act", str(dev), "--tier", options.tier, "--label-map", "1=wish,0=none"]
        subprocess.run([*evaluation, "--model", str(out / f"{options.tier}.npz")], check=True)


if __name__ == "__main__":
    main()
