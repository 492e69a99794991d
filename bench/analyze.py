"""Reading benchmark: voices/s per tier on 1 and 2 cores, model load time, single-voice latency, peak memory.

    python bench/analyze.py                      # both tiers, 1 and 2 cores
    python bench/analyze.py --tiers fast --voices 4000

Each run is a fresh process pinned to its cores (taskset) with every head on
(language, sentences, acts, sentiment, emotions, topics, flags, personal data),
reading the bundled sample voices over and over in batches of 64.

The fast tier remembers what it worked out for each word it has read (words.py),
so the sample read again is faster than text never seen: "first pass" is the
first reading of the 660 sample voices in a fresh process, every word new to it,
and "voices/s" the whole run. A company's stream is in between: new texts,
but mostly words read before. The "warmed" rows show it: the process first
reads the project's corpus (corpus/*/, about 4,000 voices, untimed), then the
sample, whose texts it has never seen ("first pass" is then new text in a
process that knows the common words). "CPU s" is the process's CPU time for
the run: on a busy machine wall time says less than CPU time.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "src" / "ombud" / "demo" / "sample"
CORPUS = ROOT / "corpus"
BATCH = 64
LATENCY_RUNS = 200


def sample_texts() -> list[str]:
    return [json.loads(line)["text"] for path in sorted(SAMPLE.glob("*.jsonl")) for line in path.open(encoding="utf-8")]


def corpus_texts() -> list[str]:
    return [
        json.loads(line)["text"] for path in sorted(CORPUS.glob("??/*.jsonl")) for line in path.open(encoding="utf-8")
    ]


def worker(tier: str, voices: int, warm: bool) -> dict[str, float]:
    started = time.perf_counter()
    from ombud.understand.tiers import load_reader

    reader = load_reader(tier)
    # The first calls load what loads lazily: lingua's models, read for texts ombud's own language head leaves to it
    # (a two-word text always is).
    reader.analyze(["Hej, tack för hjälpen!", "Tack!"])
    load_seconds = time.perf_counter() - started
    if warm:
        warming = corpus_texts()
        for start in range(0, len(warming), BATCH):
            reader.analyze(warming[start : start + BATCH])
    texts = sample_texts()
    batch = [texts[i % len(texts)] for i in range(voices)]
    started, cpu_started = time.perf_counter(), time.process_time()
    first_pass = 0.0
    for start in range(0, len(batch), BATCH):
        reader.analyze(batch[start : start + BATCH])
        if start + BATCH >= len(texts) and not first_pass:
            first_pass = min(len(batch), start + BATCH) / (time.perf_counter() - started)
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    first_pass = first_pass or voices / seconds  # a run shorter than the sample is all first pass
    latencies = []
    for text in texts[: min(LATENCY_RUNS, voices)]:
        one = time.perf_counter()
        reader.analyze([text])
        latencies.append((time.perf_counter() - one) * 1000)
    latencies.sort()
    return {
        "voices_per_second": voices / seconds,
        "first_pass_per_second": first_pass,
        "cpu_seconds": cpu_seconds,
        "load_seconds": load_seconds,
        "p50_ms": statistics.median(latencies),
        "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def run(tier: str, cores: int, voices: int, warm: bool) -> dict[str, float]:
    threads = str(cores)
    environment = os.environ | {"OMP_NUM_THREADS": threads, "RAYON_NUM_THREADS": threads, "OPENBLAS_NUM_THREADS": "1"}
    pinned = ["taskset", "-c", ",".join(str(core) for core in range(cores))]
    command = [
        *pinned,
        sys.executable,
        __file__,
        "--worker",
        tier,
        "--voices",
        str(voices),
        *(["--warm"] if warm else []),
    ]
    output = subprocess.run(command, check=True, capture_output=True, text=True, env=environment).stdout
    figures: dict[str, float] = json.loads(output.strip().splitlines()[-1])
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tiers", nargs="+", default=["fast", "accurate"])
    parser.add_argument("--cores", nargs="+", type=int, default=[1, 2])
    parser.add_argument("--voices", type=int, help="voices per run (default: 4,000 fast, 400 accurate)")
    parser.add_argument("--no-warm", action="store_true", help="skip the fast tier's runs warmed on the corpus")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--warm", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.worker:
        print(json.dumps(worker(options.worker, options.voices, options.warm)))
        return
    print(
        f"{'tier':<16}{'cores':>6}{'voices':>8}{'voices/s':>10}{'first pass':>11}{'CPU s':>7}{'load s':>8}"
        f"{'p50 ms':>8}{'p99 ms':>8}{'peak MB':>9}"
    )
    for tier in options.tiers:
        voices = options.voices or (4000 if tier == "fast" else 400)
        warmings = [False] if tier != "fast" or options.no_warm else [False, True]
        for warm, cores in ((warm, cores) for warm in warmings for cores in options.cores):
            figures = run(tier, cores, voices, warm)
            name = f"{tier} (warmed)" if warm else tier
            print(
                f"{name:<16}{cores:>6}{voices:>8,}{figures['voices_per_second']:>10,.1f}"
                f"{figures['first_pass_per_second']:>11,.1f}{figures['cpu_seconds']:>7.1f}{figures['load_seconds']:>8.1f}"
                f"{figures['p50_ms']:>8.1f}{figures['p99_ms']:>8.1f}{figures['peak_mb']:>9.0f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
