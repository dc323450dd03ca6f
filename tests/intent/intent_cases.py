"""Model, hardware and dataset facts shared by the intent engine tests (realistic numbers)."""

from __future__ import annotations

from typing import Any

from easytune.training.facts import DatasetStats, HardwareFacts, ModelFacts
from easytune.training.spec import ModelRef

GIB = 1024**3
LLAMA_ATTN = ("q_proj", "k_proj", "v_proj")
LLAMA_MLP = ("gate_proj", "up_proj", "down_proj")


def _m(
    kind: str,
    params: float,
    hidden: int,
    layers: int,
    vocab: int,
    positions: int,
    qkv: tuple[str, ...],
    out: tuple[str, ...],
    mlp: tuple[str, ...],
    inter: int,
) -> ModelFacts:
    return ModelFacts(
        kind,
        int(params),
        hidden,
        layers,
        vocab,
        positions,
        qkv,
        out,
        mlp,
        has_chat_template=True,
        intermediate_size=inter,
    )


MODELS: dict[str, ModelFacts] = {
    "smollm2-135m": _m(
        "llama", 134.5e6, 576, 30, 49152, 8192, LLAMA_ATTN, ("o_proj",), LLAMA_MLP, 1536
    ),
    "llama-3.2-1b": _m(
        "llama", 1.236e9, 2048, 16, 128256, 131072, LLAMA_ATTN, ("o_proj",), LLAMA_MLP, 8192
    ),
    "llama-3-8b": _m(
        "llama", 8.03e9, 4096, 32, 128256, 8192, LLAMA_ATTN, ("o_proj",), LLAMA_MLP, 14336
    ),
    "mistral-7b": _m(
        "mistral", 7.24e9, 4096, 32, 32768, 32768, LLAMA_ATTN, ("o_proj",), LLAMA_MLP, 14336
    ),
    "qwen2-0.5b": _m(
        "qwen2", 494e6, 896, 24, 151936, 32768, LLAMA_ATTN, ("o_proj",), LLAMA_MLP, 4864
    ),
    "gemma-2b": _m(
        "gemma", 2.51e9, 2048, 18, 256000, 8192, LLAMA_ATTN, ("o_proj",), LLAMA_MLP, 16384
    ),
    "phi-3-mini": _m(
        "phi3",
        3.82e9,
        3072,
        32,
        32064,
        4096,
        ("qkv_proj",),
        ("o_proj",),
        ("gate_up_proj", "down_proj"),
        8192,
    ),
    "gpt2": _m(
        "gpt2", 124e6, 768, 12, 50257, 1024, ("c_attn",), ("c_proj",), ("c_fc", "c_proj"), 3072
    ),
    "pythia-410m": _m(
        "gpt_neox",
        405e6,
        1024,
        24,
        50304,
        2048,
        ("query_key_value",),
        ("dense",),
        ("dense_h_to_4h", "dense_4h_to_h"),
        4096,
    ),
    "falcon-7b": _m(
        "falcon",
        7.22e9,
        4544,
        32,
        65024,
        2048,
        ("query_key_value",),
        ("dense",),
        ("dense_h_to_4h", "dense_4h_to_h"),
        18176,
    ),
}

HARDWARE: dict[str, HardwareFacts] = {
    "cpu-2core": HardwareFacts("cpu", host_memory_bytes=24 * GIB, cpu_count=2),
    "a100-80g": HardwareFacts(
        "cuda", 1, 80 * GIB, "NVIDIA A100-SXM4-80GB", True, 256 * GIB, 32, bitsandbytes=True
    ),
    "t4-16g": HardwareFacts("cuda", 1, 15 * GIB, "Tesla T4", False, 32 * GIB, 8),
}
RTX_4090 = HardwareFacts("cuda", 1, 24 * GIB, "NVIDIA GeForce RTX 4090", True, 64 * GIB, 16)
H100 = HardwareFacts("cuda", 1, 80 * GIB, "NVIDIA H100 80GB HBM3", True, 256 * GIB, 32)


def stats(
    examples: int,
    p50: int,
    *,
    chat: bool = True,
    answer: float = 0.0,
    turns: float = 0.0,
    fmt: str = "openai",
) -> DatasetStats:
    """Dataset stats with a plausible length distribution around the median p50."""
    return DatasetStats(
        fmt,
        examples,
        examples * int(p50 * 1.2),
        p50,
        int(p50 * 1.8),
        int(p50 * 2.2),
        int(p50 * 3),
        p50 * 5,
        is_chat=chat,
        mean_assistant_tokens=answer or p50 * 0.6,
        mean_turns=turns,
    )


DATASETS: dict[str, DatasetStats] = {
    "tiny-style": stats(200, 60, answer=35),
    "medium-chat": stats(5000, 300),
    "big-text": stats(40000, 700, chat=False, fmt="text"),
}


def plan_kwargs(**extra: Any) -> dict[str, Any]:
    return {
        "model_ref": ModelRef(path="/models/base"),
        "train_path": "/data/train.jsonl",
        "eval_path": None,
        "output_dir": "/runs/1",
        **extra,
    }
