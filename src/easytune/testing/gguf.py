"""Write a tiny Llama as a GGUF file (F32 tensors, GPT-2 style BPE vocabulary) for tests.

The layout follows llama.cpp's converter (q/k rows permuted for its rotary layout), so
transformers' GGUF loader reads back exactly the original weights.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

_LAYER_TENSORS = {
    "attn_norm": "input_layernorm",
    "attn_v": "self_attn.v_proj",
    "attn_output": "self_attn.o_proj",
    "ffn_norm": "post_attention_layernorm",
    "ffn_gate": "mlp.gate_proj",
    "ffn_up": "mlp.up_proj",
    "ffn_down": "mlp.down_proj",
}


def _permute(weight: np.ndarray, heads: int) -> np.ndarray:
    rows = weight.shape[0]
    return (
        weight.reshape(heads, 2, rows // heads // 2, *weight.shape[1:])
        .swapaxes(1, 2)
        .reshape(weight.shape)
    )


def _add_hparams(writer: Any, config: Any) -> None:
    writer.add_context_length(config.max_position_embeddings)
    writer.add_embedding_length(config.hidden_size)
    writer.add_block_count(config.num_hidden_layers)
    writer.add_feed_forward_length(config.intermediate_size)
    writer.add_head_count(config.num_attention_heads)
    writer.add_head_count_kv(config.num_key_value_heads)
    writer.add_rope_dimension_count(config.hidden_size // config.num_attention_heads)
    writer.add_layer_norm_rms_eps(config.rms_norm_eps)
    writer.add_vocab_size(config.vocab_size)


def _add_tokenizer(writer: Any, tokenizer: Any) -> None:
    data = json.loads(tokenizer.backend_tokenizer.to_str())
    tokens = [""] * len(tokenizer)
    for token, index in data["model"]["vocab"].items():
        tokens[index] = token
    for added in data["added_tokens"]:
        tokens[added["id"]] = added["content"]
    special = {added["id"] for added in data["added_tokens"] if added["special"]}
    merges = [" ".join(m) if isinstance(m, list) else m for m in data["model"]["merges"]]
    writer.add_tokenizer_model("gpt2")
    writer.add_token_list(tokens)
    writer.add_token_merges(merges)
    writer.add_token_types([3 if i in special else 1 for i in range(len(tokens))])
    writer.add_bos_token_id(tokenizer.bos_token_id)
    writer.add_eos_token_id(tokenizer.eos_token_id)
    writer.add_pad_token_id(tokenizer.pad_token_id)
    if tokenizer.chat_template:
        writer.add_chat_template(tokenizer.chat_template)


def _add_tensors(writer: Any, model: Any) -> None:
    config = model.config
    weights = {k: v.float().numpy() for k, v in model.state_dict().items()}
    writer.add_tensor("token_embd.weight", weights["model.embed_tokens.weight"])
    for i in range(config.num_hidden_layers):
        prefix = f"model.layers.{i}."
        q, k = (
            weights[prefix + "self_attn.q_proj.weight"],
            weights[prefix + "self_attn.k_proj.weight"],
        )
        writer.add_tensor(f"blk.{i}.attn_q.weight", _permute(q, config.num_attention_heads))
        writer.add_tensor(f"blk.{i}.attn_k.weight", _permute(k, config.num_key_value_heads))
        for gguf_name, hf_name in _LAYER_TENSORS.items():
            writer.add_tensor(f"blk.{i}.{gguf_name}.weight", weights[f"{prefix}{hf_name}.weight"])
    writer.add_tensor("output_norm.weight", weights["model.norm.weight"])
    writer.add_tensor("output.weight", weights["lm_head.weight"])


def write_llama_gguf(hf_folder: str | Path, target: str | Path) -> Path:
    """Convert a (tiny) Llama Hugging Face folder into one F32 GGUF file."""
    import gguf
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model = AutoModelForCausalLM.from_pretrained(hf_folder)
    tokenizer = AutoTokenizer.from_pretrained(hf_folder)
    writer = gguf.GGUFWriter(str(target), "llama")
    _add_hparams(writer, model.config)
    _add_tokenizer(writer, tokenizer)
    _add_tensors(writer, model)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return Path(target)
