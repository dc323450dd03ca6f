"""Tiny random models and a byte-level BPE tokenizer, built offline in well under a second.

Used by the test suite (no model hub at run time), the benchmarks and end-to-end checks.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

CHATML_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)

SPECIAL_TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<pad>"]

_CORPUS = [
    "The quick brown fox jumps over the lazy dog.",
    "Write a short poem about the sea. Answer in a formal style.",
    "Explain what a neural network is in one sentence.",
    "user assistant system instruction input output response",
    "Translate to French: good morning, how are you today?",
    "def add(a, b):\n    return a + b\n",
    "Paris is the capital of France. Berlin is the capital of Germany.",
    "请用一句话解释什么是机器学习。今天天气很好，我们去公园散步吧。",
    "0 1 2 3 4 5 6 7 8 9 10 100 1000, . ; : ! ? ' \" ( ) [ ] { }",
]


def build_tokenizer(vocab_size: int = 400, chat_template: bool = True) -> Any:
    """A byte-level BPE fast tokenizer with ChatML specials (eos = <|im_end|>)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(_CORPUS * 4, trainer=trainer)
    fast = PreTrainedTokenizerFast(  # type: ignore[no-untyped-call]
        tokenizer_object=tok,
        bos_token="<|endoftext|>",
        eos_token="<|im_end|>",
        pad_token="<pad>",
        unk_token="<|endoftext|>",
        additional_special_tokens=["<|im_start|>"],
    )
    if chat_template:
        fast.chat_template = CHATML_TEMPLATE
    return fast


LLAMA_SPECIALS = ["<unk>", "<s>", "</s>", "<|im_start|>", "<|im_end|>", "<pad>"]


def build_llama_tokenizer(vocab_size: int = 600) -> Any:
    """A Llama-2 style tokenizer (BPE with byte fallback, '▁' for spaces), ChatML specials.

    llama.cpp's converter reads this layout as a SentencePiece-like "llama" vocabulary; a
    byte-level BPE of our own would be refused (it identifies BPE pre-tokenizers by hash).
    """
    import json

    from tokenizers import Tokenizer, decoders, models, normalizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE(unk_token="<unk>", byte_fallback=True, fuse_unk=True))
    tok.normalizer = normalizers.Sequence([normalizers.Prepend("▁"), normalizers.Replace(" ", "▁")])
    tok.decoder = decoders.Sequence(
        [
            decoders.Replace("▁", " "),
            decoders.ByteFallback(),
            decoders.Fuse(),
            decoders.Strip(" ", 1, 0),
        ]
    )
    byte_tokens = [f"<0x{i:02X}>" for i in range(256)]
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size, special_tokens=LLAMA_SPECIALS + byte_tokens, show_progress=False
    )
    tok.train_from_iterator(_CORPUS * 4, trainer=trainer)
    # Byte tokens belong to the model vocabulary (as in Llama 2), not to the added tokens.
    data = json.loads(tok.to_str())
    data["added_tokens"] = [t for t in data["added_tokens"] if t["content"] in LLAMA_SPECIALS]
    fast = PreTrainedTokenizerFast(  # type: ignore[no-untyped-call]
        tokenizer_object=Tokenizer.from_str(json.dumps(data)),
        bos_token="<s>",
        eos_token="<|im_end|>",
        pad_token="<pad>",
        unk_token="<unk>",
        additional_special_tokens=["<|im_start|>"],
    )
    fast.chat_template = CHATML_TEMPLATE
    return fast


TOKENIZER_BUILDERS = {"bytelevel": build_tokenizer, "llama": build_llama_tokenizer}


def _llama_config(vocab_size: int, **overrides: Any) -> Any:
    from transformers import LlamaConfig

    params: dict[str, Any] = dict(
        vocab_size=vocab_size,
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=512,
        tie_word_embeddings=False,
    )
    params.update(overrides)
    return LlamaConfig(**params)


def _gpt2_config(vocab_size: int, **overrides: Any) -> Any:
    from transformers import GPT2Config

    params: dict[str, Any] = dict(
        vocab_size=vocab_size, n_embd=32, n_layer=2, n_head=4, n_positions=512
    )
    params.update(overrides)
    return GPT2Config(**params)


CONFIG_BUILDERS = {"llama": _llama_config, "gpt2": _gpt2_config}


def build_model(
    arch: str = "llama", vocab_size: int | None = None, seed: int = 0, **cfg: Any
) -> Any:
    """A randomly initialised causal LM of the given architecture ("llama" or "gpt2")."""
    import torch
    from transformers import AutoModelForCausalLM

    tokenizer_vocab = vocab_size or len(build_tokenizer())
    config = CONFIG_BUILDERS[arch](tokenizer_vocab, **cfg)
    torch.manual_seed(seed)
    return AutoModelForCausalLM.from_config(config)  # type: ignore[no-untyped-call]


def save_tiny_model(
    folder: str | Path,
    arch: str = "llama",
    seed: int = 0,
    tokenizer_kind: str = "bytelevel",
    **cfg: Any,
) -> Path:
    """Write a tiny random model and its tokenizer as a Hugging Face folder (safetensors).

    `tokenizer_kind`: "bytelevel" (the default ChatML byte-level BPE) or "llama" (llama.cpp-ready).
    """
    target = Path(folder)
    tokenizer = TOKENIZER_BUILDERS[tokenizer_kind]()
    model = build_model(arch, vocab_size=len(tokenizer), seed=seed, **cfg)
    model.config.eos_token_id = tokenizer.eos_token_id
    model.config.pad_token_id = tokenizer.pad_token_id
    model.config.bos_token_id = tokenizer.bos_token_id
    if model.generation_config is not None:
        model.generation_config.eos_token_id = tokenizer.eos_token_id
        model.generation_config.pad_token_id = tokenizer.pad_token_id
        model.generation_config.bos_token_id = tokenizer.bos_token_id
    model.save_pretrained(target, safe_serialization=True)
    tokenizer.save_pretrained(target)
    return target
