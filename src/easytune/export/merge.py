"""Adapter + base -> a Hugging Face folder that loads offline and answers like the adapter.

A GGUF base is merged through its dequantised weights (the engine's cached conversion), so
the merged folder holds plain safetensors whatever the base's file format was.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import warnings
from pathlib import Path
from typing import Any

import torch

from easytune.export.errors import ExportSpecError
from easytune.training.errors import ModelLoadError
from easytune.training.model import hf_folder, load_model
from easytune.training.spec import ModelRef

ADAPTER_CONFIG = "adapter_config.json"
# Tokenizer files copied from the base when the tokenizer object does not write them itself
# (a SentencePiece model, for instance, which llama.cpp's converter prefers).
_EXTRA_TOKENIZER_FILES = ("tokenizer.model",)
DTYPES = {"f16": torch.float16}


def check_adapter(adapter_dir: Path) -> None:
    """A clear error unless the folder holds a PEFT adapter."""
    if not (adapter_dir / ADAPTER_CONFIG).is_file():
        raise ExportSpecError(
            f"{adapter_dir} is not a PEFT adapter folder (no {ADAPTER_CONFIG}): give the "
            "folder a training job wrote, or an imported adapter",
            param="adapter_dir",
        )


def load_tokenizer_for(adapter_dir: Path, base_folder: Path) -> Any:
    """The adapter's own tokenizer (saved at training, chat template included), else the base's."""
    from transformers import AutoTokenizer

    source = adapter_dir if (adapter_dir / "tokenizer_config.json").is_file() else base_folder
    return AutoTokenizer.from_pretrained(source)


def merged_model(adapter_dir: Path, base: ModelRef, cache_dir: Path | None = None) -> Any:
    """The base with the adapter's weights folded in (float32 on the CPU)."""
    from peft import PeftModel

    check_adapter(adapter_dir)
    model, _ = load_model(base, dtype=torch.float32, cache_dir=cache_dir)
    try:
        with warnings.catch_warnings():  # peft reads a property transformers deprecated
            warnings.filterwarnings("ignore", ".*is_gradient_checkpointing", FutureWarning)
            peft_model = PeftModel.from_pretrained(model, adapter_dir)
    except (OSError, ValueError, KeyError, RuntimeError) as exc:
        raise ModelLoadError(
            f"the adapter in {adapter_dir} does not fit the base model {base.path}: {exc}",
            param="base",
        ) from exc
    return peft_model.merge_and_unload()


def end_token_ids(tokenizer: Any, config_eos: Any = None) -> list[int]:
    """Every id that ends an answer: the tokenizer's eos, the config's, known end-of-turn tokens."""
    ids: list[int] = []
    candidates: list[Any] = [tokenizer.eos_token_id, config_eos]
    for token in ("<|im_end|>", "<|eot_id|>", "<end_of_turn>", "<|end|>"):
        if token in tokenizer.get_vocab():
            candidates.append(tokenizer.convert_tokens_to_ids(token))
    for value in candidates:
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, int) and item not in ids:
                ids.append(item)
    return ids


def set_generation_config(model: Any, tokenizer: Any) -> None:
    """eos (all end-of-turn ids), bos and pad in generation_config.json, so generation stops."""
    from transformers import GenerationConfig

    eos = end_token_ids(tokenizer, getattr(model.config, "eos_token_id", None))
    config = model.generation_config or GenerationConfig()  # type: ignore[no-untyped-call]
    config.eos_token_id = eos[0] if len(eos) == 1 else eos
    config.bos_token_id = tokenizer.bos_token_id
    config.pad_token_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else eos[0]
    model.generation_config = config
    model.config.eos_token_id = eos[0]


def _copy_extra_files(base_folder: Path, target: Path) -> None:
    for name in _EXTRA_TOKENIZER_FILES:
        if (base_folder / name).is_file() and not (target / name).exists():
            shutil.copy2(base_folder / name, target / name)


def save_merged(
    adapter_dir: Path,
    base: ModelRef,
    target: Path,
    *,
    quantization: str | None = None,
    max_shard_size: str = "2GB",
    cache_dir: Path | None = None,
) -> Path:
    """Write the merged folder atomically (a temporary sibling renamed into place)."""
    base_folder = hf_folder(base, cache_dir)
    model = merged_model(adapter_dir, base, cache_dir)
    tokenizer = load_tokenizer_for(adapter_dir, base_folder)
    if quantization in DTYPES:
        model = model.to(DTYPES[quantization])
    set_generation_config(model, tokenizer)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    model.save_pretrained(tmp, safe_serialization=True, max_shard_size=max_shard_size)
    tokenizer.save_pretrained(tmp)
    _copy_extra_files(base_folder, tmp)
    if target.exists():
        shutil.rmtree(target)
    os.rename(tmp, target)
    return target
