"""Memory and time estimates for a LoRA run, from model facts, hardware and the run's shape.

Deliberately simple, documented formulas (docs/intent.md): good to a few tens of percent, which
is enough to refuse a plan that cannot fit and to tell a 5-minute run from a 5-hour one.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

from easytune.i18n import Msg
from easytune.training.facts import HardwareFacts, ModelFacts

from . import reasons as rs

GIB = 1024**3

# Linear-layer shapes per module-name suffix, as (in_hidden, in_inter, out_hidden, out_inter)
# multiples of hidden_size and intermediate_size. GPT-2's c_proj is both attention output and
# MLP output, so it lists two shapes. Unknown suffixes count as hidden x hidden.
MODULE_SHAPES: dict[str, tuple[tuple[int, int, int, int], ...]] = {
    "q_proj": ((1, 0, 1, 0),),
    "k_proj": ((1, 0, 1, 0),),
    "v_proj": ((1, 0, 1, 0),),
    "o_proj": ((1, 0, 1, 0),),
    "out_proj": ((1, 0, 1, 0),),
    "dense": ((1, 0, 1, 0),),
    "c_attn": ((1, 0, 3, 0),),
    "query_key_value": ((1, 0, 3, 0),),
    "qkv_proj": ((1, 0, 3, 0),),
    "Wqkv": ((1, 0, 3, 0),),
    "c_proj": ((1, 0, 1, 0), (0, 1, 1, 0)),
    "gate_proj": ((1, 0, 0, 1),),
    "up_proj": ((1, 0, 0, 1),),
    "down_proj": ((0, 1, 1, 0),),
    "gate_up_proj": ((1, 0, 0, 2),),
    "c_fc": ((1, 0, 0, 1),),
    "fc1": ((1, 0, 0, 1),),
    "fc2": ((0, 1, 1, 0),),
    "dense_h_to_4h": ((1, 0, 0, 1),),
    "dense_4h_to_h": ((0, 1, 1, 0),),
}
_HIDDEN_SQUARE = ((1, 0, 1, 0),)

# Values kept per token per layer for the backward pass, in units of hidden_size (Korthikanti et
# al. 2022 count 34 bytes at 16 bits, i.e. 17 values, with memory-efficient attention).
ACTIVATION_VALUES_PER_HIDDEN = 17
# The fused head loss (training.tokenloss) holds one chunk of logits at a time, in the compute
# dtype and its fp32 upcast (the softmax and its gradient reuse the upcast's storage).
LOGIT_CHUNK_VALUES = 2**24
# CUDA context / the interpreter with torch, transformers and peft imported (measured: 355 MiB
# resident on CPU before the model loads, bench/estimates.py).
OVERHEAD_BYTES = {"cuda": GIB, "cpu": 355 * 2**20}
CF_CACHE_LIMIT = GIB  # training.cf.DEFAULT_CACHE_LIMIT: base log-probs kept in fp32 up to this
QLORA_BYTES_PER_PARAM = 0.55  # NF4 with double quantisation, plus quantisation constants
BUDGET_FRACTION = {"cuda": 0.9, "cpu": 0.6}
ASSUMED_MEMORY = {"cuda": 16 * GIB, "cpu": 8 * GIB}  # when the hardware facts do not say

# Dense 16-bit tensor TFLOP/s by GPU name (data sheet, fp32 accumulate), before the utilisation
# factor below; H100 is held at 400 because its 989 is out of reach for LoRA-sized kernels.
# First match wins, so longer names come first.
GPU_TFLOPS: tuple[tuple[str, float], ...] = (
    ("gh200", 400.0),
    ("h200", 400.0),
    ("h100", 400.0),
    ("a100", 312.0),
    ("l40s", 362.0),
    ("l40", 181.0),
    ("a6000", 155.0),
    ("4090", 165.0),
    ("3090", 71.0),
    ("a10", 125.0),
    ("l4", 121.0),
    ("v100", 125.0),
    ("t4", 65.0),
)
DEFAULT_GPU_TFLOPS = 60.0  # an unknown card: assume a modest one
# 40% model FLOPs utilisation counted the usual way (6 x parameters per token) is 4/6 of that
# in the 4 x parameters a frozen-base LoRA token really costs (train_flops_per_token); not yet
# measured on a GPU here.
GPU_MFU = 0.4 * 4 / 6
# Measured with one thread: a LoRA step of SmolLM2-135M (4 rows of 103 tokens, 37 with loss)
# takes 3.1 CPU seconds, 61 GFLOP/s by train_flops_per_token; a no-grad forward 64 GFLOP/s.
# So it trains at ~258 tokens/s on 2 cores.
CPU_FLOPS_PER_CORE = 6.0e10
CPU_MAX_CORES = 32
PRECISION_SPEED = {"cuda": {"bf16": 1.0, "fp16": 1.0, "fp32": 0.25}}
QLORA_SPEED = 0.7  # dequantising every weight on every pass
CHECKPOINTING_SPEED = 4 / 6  # one extra forward pass: 6N instead of 4N FLOPs per token
MULTI_GPU_EFFICIENCY = 0.9


@dataclass(frozen=True)
class RunShape:
    """The settings that decide memory and speed."""

    rank: int
    targets: tuple[str, ...]
    micro_batch: int
    max_length: int
    checkpointing: bool
    quantization: str  # "none" | "4bit"
    precision: str  # "fp32" | "bf16" | "fp16"
    rows_per_item: int = 1  # sequences per micro-batch item: 2 for a preference pair
    # From the dataset's token statistics (0 = unknown: full max_length rows, loss everywhere).
    row_tokens: int = 0  # tokens in one padded row of a micro-batch
    labelled_tokens: float = 0.0  # tokens per row that carry loss (logits are computed there only)
    cf_tokens: int = 0  # reference tokens whose base log-probabilities the CF monitor keeps

    @property
    def rows(self) -> int:
        """Sequences in one micro-batch (each of max_length at most)."""
        return self.micro_batch * self.rows_per_item

    @property
    def row(self) -> int:
        """Tokens in one row as trained: the padded batch length, max_length at most."""
        return min(self.row_tokens, self.max_length) if self.row_tokens else self.max_length

    @property
    def labelled(self) -> float:
        """Tokens per row whose logits are computed (label-only logits and cross-entropy)."""
        return min(self.labelled_tokens, self.row) if self.labelled_tokens else self.row


def intermediate_size(model: ModelFacts) -> int:
    """The MLP width; 4 x hidden (the GPT convention) when the facts do not say."""
    return model.intermediate_size or 4 * model.hidden_size


def trainable_params(model: ModelFacts, rank: int, targets: tuple[str, ...]) -> int:
    """LoRA parameters: rank x (in + out) for every adapted linear layer in every block."""
    hidden, inter = model.hidden_size, intermediate_size(model)
    per_layer = 0
    for suffix in targets:
        for in_h, in_m, out_h, out_m in MODULE_SHAPES.get(suffix, _HIDDEN_SQUARE):
            per_layer += rank * (in_h * hidden + in_m * inter + out_h * hidden + out_m * inter)
    return per_layer * model.num_layers


def _weight_bytes(model: ModelFacts, shape: RunShape) -> int:
    if shape.quantization == "4bit":
        # bitsandbytes leaves the embeddings and the output head in 16 bits.
        embed = model.vocab_size * model.hidden_size
        return int((model.param_count - embed) * QLORA_BYTES_PER_PARAM + embed * 2)
    return model.param_count * (4 if shape.precision == "fp32" else 2)


def _activation_bytes(model: ModelFacts, shape: RunShape, value_bytes: int) -> int:
    tokens = shape.rows * shape.row
    full_layer = tokens * model.hidden_size * ACTIVATION_VALUES_PER_HIDDEN * value_bytes
    lora = tokens * shape.rank * len(shape.targets) * value_bytes * model.num_layers
    if shape.checkpointing:
        # Only each block's input is kept; one block at a time is recomputed in full.
        kept = tokens * model.hidden_size * value_bytes * model.num_layers
        return kept + full_layer + lora
    return full_layer * model.num_layers + lora


def memory_breakdown(model: ModelFacts, hardware: HardwareFacts, shape: RunShape) -> dict[str, int]:
    """Peak memory per device by component, in bytes; the peak is the sum."""
    trainable = trainable_params(model, shape.rank, shape.targets)
    value_bytes = 4 if shape.precision == "fp32" else 2
    labelled = shape.rows * shape.labelled
    return {
        "weights": _weight_bytes(model, shape),
        "adapter": trainable * 4,  # adapters are kept in fp32 even when the base is 16-bit
        "gradients": trainable * 4,
        "optimizer": trainable * 8,  # AdamW: two fp32 moments per trainable parameter
        "activations": _activation_bytes(model, shape, value_bytes),
        "logits": int(min(labelled * model.vocab_size, LOGIT_CHUNK_VALUES) * (value_bytes + 4)),
        "cf_cache": min(shape.cf_tokens * model.vocab_size * 4, CF_CACHE_LIMIT),
        "overhead": OVERHEAD_BYTES[hardware.device],
    }


def memory_budget(hardware: HardwareFacts) -> tuple[int, Msg, Msg | None]:
    """(budget bytes, how it was derived, a warning when the facts lacked the memory size)."""
    device = hardware.device
    known = hardware.gpu_memory_bytes if device == "cuda" else hardware.host_memory_bytes
    total = known or ASSUMED_MEMORY[device]
    fraction = BUDGET_FRACTION[device]
    what = rs.MEMORY_GPU() if device == "cuda" else rs.MEMORY_HOST()
    how = rs.BUDGET_HOW(percent=f"{fraction:.0%}", total=gib(total), what=what)
    warning = None
    if not known:
        warning = rs.WARN_MEMORY_ASSUMED(what=what, total=gib(total))
    return int(total * fraction), how, warning


def flops_per_second(hardware: HardwareFacts, shape: RunShape) -> float:
    """Sustained training FLOP/s for this device and run shape."""
    if hardware.device == "cpu":
        flops = CPU_FLOPS_PER_CORE * min(max(hardware.cpu_count, 1), CPU_MAX_CORES)
    else:
        flops = _gpu_tflops(hardware.gpu_name) * 1e12 * GPU_MFU
        flops *= PRECISION_SPEED["cuda"][shape.precision]
        gpus = max(hardware.gpu_count, 1)
        flops *= gpus * (MULTI_GPU_EFFICIENCY if gpus > 1 else 1.0)
    if shape.quantization == "4bit":
        flops *= QLORA_SPEED
    if shape.checkpointing:
        flops *= CHECKPOINTING_SPEED
    return flops


def _gpu_tflops(name: str) -> float:
    lowered = name.lower()
    for key, tflops in GPU_TFLOPS:
        if key in lowered:
            return tflops
    return DEFAULT_GPU_TFLOPS


def head_params(model: ModelFacts) -> int:
    """The output projection (vocabulary x hidden): computed only where a token carries loss."""
    return model.vocab_size * model.hidden_size


def body_params(model: ModelFacts) -> int:
    """Parameters a token passes through as matrix products: all but the embedding look-up."""
    return max(model.param_count - head_params(model), 1)


def train_flops_per_token(model: ModelFacts, shape: RunShape) -> float:
    """Forward (2 per weight) and backward through frozen weights (2 more: gradients of the
    activations only; the LoRA weights' own gradients are negligible), the output projection only
    at positions that carry loss (label-only logits, training.tokenloss)."""
    return 4 * body_params(model) + 4 * head_params(model) * shape.labelled / shape.row


def tokens_per_second(model: ModelFacts, hardware: HardwareFacts, shape: RunShape) -> float:
    """Training throughput in row tokens (padding included) per second."""
    return flops_per_second(hardware, shape) / train_flops_per_token(model, shape)


def forward_seconds(
    model: ModelFacts, hardware: HardwareFacts, shape: RunShape, tokens: float, scored: float
) -> float:
    """A no-grad forward pass over `tokens`, with logits at `scored` of them."""
    flops = 2 * body_params(model) * tokens + 2 * head_params(model) * scored
    return flops / flops_per_second(hardware, dataclasses.replace(shape, checkpointing=False))


def gib(value: float) -> str:
    """Bytes as a short human string in GiB ('13.4 GiB')."""
    return f"{value / GIB:.1f} GiB"


def duration(seconds: float) -> str:
    """Seconds as '45 s', '12 min' or '3.5 h'."""
    if seconds < 120:
        return f"{math.ceil(seconds)} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


# Generating answers is one token per pass: a pass costs 2 FLOPs per parameter per sequence plus
# a per-layer latency (kernel launches, Python, the KV cache). Measured on CPU with SmolLM2-135M
# (30 layers, one thread): 119 ms a pass for 4 sequences, 197 ms for 16 (18 and 72 ms of FLOPs).
LAYER_LATENCY_S = {"cuda": 4e-4, "cpu": 3.3e-3}
GENERATION_BATCH = 16


def generation_seconds(
    model: ModelFacts, hardware: HardwareFacts, shape: RunShape, sequences: int, new_tokens: int
) -> float:
    """Greedy generation of `new_tokens` for `sequences` prompts in batches (upper bound: every
    answer runs to the cap)."""
    if sequences < 1 or new_tokens < 1:
        return 0.0
    batch = min(GENERATION_BATCH, sequences)
    compute = batch * 2 * model.param_count / flops_per_second(hardware, shape)
    latency = model.num_layers * LAYER_LATENCY_S[hardware.device]
    passes = math.ceil(sequences / batch) * new_tokens
    return passes * (compute + latency)
