"""Facts the intent engine plans from: dataset statistics, model facts, hardware facts.

Plain frozen dataclasses so the intent engine stays a pure function of its inputs.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class DatasetStats:
    format: str  # alpaca | sharegpt | openai | text
    examples: int
    total_tokens: int
    tokens_p50: int
    tokens_p90: int
    tokens_p95: int
    tokens_p99: int
    tokens_max: int
    duplicates: int = 0
    is_chat: bool = True  # False for plain text (loss on every token)
    mean_assistant_tokens: float = 0.0
    languages: dict[str, float] = field(default_factory=dict)  # e.g. {"en": 0.7, "zh": 0.3}
    mean_turns: float = 0.0  # assistant turns per example; 0 = not measured
    kind: str = "chat"  # chat | corpus | tool_calling | preference | kto (data.kinds.kind_of)


@dataclass(frozen=True)
class ModelFacts:
    model_type: str  # config.model_type: llama, gpt2, qwen2, ...
    param_count: int
    hidden_size: int
    num_layers: int
    vocab_size: int
    max_position_embeddings: int
    # Linear module name suffixes found by inspecting the model, grouped by role.
    attention_qkv: tuple[str, ...]  # q_proj/k_proj/v_proj, c_attn, query_key_value, qkv_proj ...
    attention_out: tuple[str, ...]  # o_proj, c_proj (attn), dense, out_proj ...
    mlp: tuple[str, ...]  # gate_proj/up_proj/down_proj, c_fc/c_proj, fc1/fc2, dense_h_to_4h ...
    has_chat_template: bool = False
    weight_bytes_per_param: int = 4
    intermediate_size: int = 0  # MLP width (config.intermediate_size); 0 = unknown, assume 4x


@dataclass(frozen=True)
class HardwareFacts:
    device: str  # "cpu" or "cuda"
    gpu_count: int = 0
    gpu_memory_bytes: int = 0  # per GPU
    gpu_name: str = ""
    bf16_supported: bool = False
    host_memory_bytes: int = 0
    cpu_count: int = 1
    bitsandbytes: bool = False
    flash_attention: bool = False
