"""Base model loading (Hugging Face folder or GGUF file) and linear-module discovery.

Discovery inspects the model instead of keeping a per-architecture list: it finds the decoder
stack, then classifies each linear layer of one block as attention q/k/v, attention output or
MLP by its container's name and, where names are unknown, by its position in the container.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import torch
from torch import nn

from easytune.training.errors import ModelLoadError
from easytune.training.facts import ModelFacts
from easytune.training.spec import ModelRef

DEFAULT_GGUF_CACHE = Path.home() / ".cache" / "easytune" / "gguf"
# Converted GGUF models up to this size are cached in fp32; larger ones in bf16 (fp32's range,
# half the disk) since a dequantised 4-bit weight carries far less precision than either.
_FP32_CACHE_LIMIT = 4 * 1024**3

_ATTENTION_CONTAINER = re.compile(r"attn|attention", re.IGNORECASE)
_MLP_CONTAINER = re.compile(r"mlp|feed_?forward|ffn|^ff$", re.IGNORECASE)
_ATTENTION_OUT = re.compile(r"^(o_proj|out_proj|dense|c_proj|o|wo|out|proj)$")
_ATTENTION_QKV = re.compile(
    r"(^|_)(q|k|v|qkv|query|key|value|query_key_value|c_attn|wqkv)(_|$)", re.IGNORECASE
)


@dataclass(frozen=True)
class ModuleGroups:
    """Linear module name suffixes (as peft `target_modules` takes them), grouped by role."""

    attention_qkv: tuple[str, ...]
    attention_out: tuple[str, ...]
    mlp: tuple[str, ...]

    def all(self) -> tuple[str, ...]:
        return self.attention_qkv + self.attention_out + self.mlp


def linear_types() -> tuple[type[nn.Module], ...]:
    """Module classes LoRA can adapt: nn.Linear and GPT-2's transposed Conv1D."""
    from transformers.pytorch_utils import Conv1D

    return (nn.Linear, Conv1D)


def _linears(module: nn.Module) -> list[tuple[str, nn.Module]]:
    kinds = linear_types()
    return [(name, sub) for name, sub in module.named_modules() if isinstance(sub, kinds)]


def decoder_block(model: nn.Module) -> nn.Module:
    """The first block of the decoder stack: the longest ModuleList whose items hold linears."""
    layers = getattr(model.config, "num_hidden_layers", None) if hasattr(model, "config") else None
    candidates = [
        mod
        for _, mod in model.named_modules()
        if isinstance(mod, nn.ModuleList) and len(mod) > 0 and _linears(mod[0])
    ]
    if not candidates:
        raise ModelLoadError("found no decoder layers holding linear modules in this model")
    # Prefer a list as long as the configured layer count (MoE expert lists are longer).
    candidates.sort(key=lambda mod: (len(mod) != layers, -len(mod)))
    block: nn.Module = candidates[0][0]
    return block


def _role(path: str, container: nn.Module, siblings: list[str]) -> str:
    """Classify one linear by its parent's name, then its own name, then its position."""
    parts = path.split(".")
    parents, leaf = parts[:-1], parts[-1]
    in_attention = any(_ATTENTION_CONTAINER.search(p) for p in parents) or bool(
        _ATTENTION_CONTAINER.search(type(container).__name__)
    )
    if not in_attention:
        return "mlp"  # MLP containers and any other linear in the block train with the MLP
    if _ATTENTION_OUT.match(leaf):
        return "attention_out"
    if _ATTENTION_QKV.search(leaf):
        return "attention_qkv"
    # Unknown names: the output projection is the last linear an attention module registers.
    return "attention_out" if siblings and siblings[-1] == path else "attention_qkv"


def _suffix_map(roles: dict[str, str]) -> dict[str, str]:
    """Leaf names, or `parent.leaf` where one leaf name plays two roles (GPT-2's c_proj)."""
    leaf_roles: dict[str, set[str]] = {}
    for path, role in roles.items():
        leaf_roles.setdefault(path.split(".")[-1], set()).add(role)
    return {
        path: path.split(".")[-1]
        if len(leaf_roles[path.split(".")[-1]]) == 1
        else ".".join(path.split(".")[-2:])
        for path in roles
    }


def discover_modules(model: nn.Module) -> ModuleGroups:
    """Group the decoder's linear modules into attention q/k/v, attention output and MLP."""
    block = decoder_block(model)
    roles: dict[str, str] = {}
    for container_path, container in block.named_children():
        paths = [
            f"{container_path}.{name}" if name else container_path
            for name, _ in _linears(container)
        ]
        for path in paths:
            roles[path] = _role(path, container, paths)
    suffixes = _suffix_map(roles)
    grouped: dict[str, list[str]] = {"attention_qkv": [], "attention_out": [], "mlp": []}
    for path, role in roles.items():
        if suffixes[path] not in grouped[role]:
            grouped[role].append(suffixes[path])
    return ModuleGroups(*(tuple(grouped[k]) for k in ("attention_qkv", "attention_out", "mlp")))


def _config_int(config: Any, *names: str) -> int:
    for name in names:
        value = getattr(config, name, None)
        if isinstance(value, int):
            return value
    return 0


def model_facts(model: nn.Module, tokenizer: Any) -> ModelFacts:
    """Facts the intent engine plans from, read off the loaded model and tokenizer."""
    config: Any = model.config
    text = config.get_text_config() if hasattr(config, "get_text_config") else config
    groups = discover_modules(model)
    first = next(model.parameters())
    return ModelFacts(
        model_type=str(getattr(config, "model_type", "unknown")),
        param_count=sum(p.numel() for p in model.parameters()),
        hidden_size=_config_int(text, "hidden_size", "n_embd", "d_model"),
        num_layers=_config_int(text, "num_hidden_layers", "n_layer", "num_layers"),
        vocab_size=_config_int(text, "vocab_size"),
        max_position_embeddings=_config_int(text, "max_position_embeddings", "n_positions"),
        attention_qkv=groups.attention_qkv,
        attention_out=groups.attention_out,
        mlp=groups.mlp,
        has_chat_template=bool(getattr(tokenizer, "chat_template", None)),
        weight_bytes_per_param=first.element_size(),
        intermediate_size=_config_int(text, "intermediate_size", "n_inner", "ffn_hidden_size"),
    )


# ---------------------------------------------------------------- loading


def resolve_ref(ref: ModelRef) -> tuple[Path, str | None]:
    """(folder, gguf file name or None); a `path` ending in .gguf names the file itself."""
    path = Path(ref.path).expanduser()
    if ref.gguf_file is None and path.suffix.lower() == ".gguf":
        return path.parent, path.name
    return path, ref.gguf_file


def _check_source(folder: Path, gguf_file: str | None) -> None:
    if gguf_file is not None:
        if not (folder / gguf_file).is_file():
            raise ModelLoadError(
                f"GGUF file {folder / gguf_file} does not exist", param="base_model.gguf_file"
            )
        return
    if not (folder / "config.json").is_file():
        raise ModelLoadError(
            f"{folder} is not a Hugging Face model folder (no config.json): give the folder "
            "written by save_pretrained, or a .gguf file",
            param="base_model.path",
        )


def gguf_cache_key(file: Path) -> str:
    """Cache key of a GGUF file: its resolved path, size and modification time."""
    stat = file.stat()
    raw = f"{file.resolve()}|{stat.st_size}|{stat.st_mtime_ns}"
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def _clear_quantizer_marker(model: Any) -> None:
    # The dequantised weights are plain tensors; without this save_pretrained refuses or
    # writes a GGUF quantization_config that no loader can honour.
    model.hf_quantizer = None
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    model.is_quantized = False


def convert_gguf(folder: Path, gguf_file: str, cache_dir: Path | None = None) -> Path:
    """Dequantise a GGUF file once into a safetensors folder under the cache; return it."""
    file = folder / gguf_file
    root = Path(cache_dir) if cache_dir is not None else DEFAULT_GGUF_CACHE
    target = root / f"{file.stem}-{gguf_cache_key(file)}"
    if (target / "config.json").is_file():
        return target
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model: Any = AutoModelForCausalLM.from_pretrained(
        folder, gguf_file=gguf_file, dtype=torch.float32
    )
    tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=gguf_file)
    _clear_quantizer_marker(model)
    if sum(p.numel() for p in model.parameters()) * 4 > _FP32_CACHE_LIMIT:
        model = model.to(torch.bfloat16)
    root.mkdir(parents=True, exist_ok=True)
    tmp = root / f"tmp-{target.name}-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    model.save_pretrained(tmp, safe_serialization=True)
    tokenizer.save_pretrained(tmp)
    os.replace(tmp, target)  # atomic: a half-written conversion is never picked up
    return target


def hf_folder(ref: ModelRef, cache_dir: Path | None = None) -> Path:
    """The Hugging Face folder to load: the given one, or the cached GGUF conversion."""
    folder, gguf_file = resolve_ref(ref)
    _check_source(folder, gguf_file)
    if gguf_file is None:
        return folder
    try:
        return convert_gguf(folder, gguf_file, cache_dir)
    except ImportError as exc:
        raise ModelLoadError(
            f"reading GGUF needs the `gguf` package: pip install gguf ({exc})",
            param="base_model.gguf_file",
        ) from exc
    except (OSError, ValueError, RuntimeError, KeyError) as exc:
        raise ModelLoadError(
            f"could not read GGUF file {folder / gguf_file}: {exc}", param="base_model.gguf_file"
        ) from exc


def load_tokenizer(folder: Path) -> Any:
    from transformers import AutoTokenizer

    try:
        return AutoTokenizer.from_pretrained(folder)
    except (OSError, ValueError, KeyError) as exc:
        raise ModelLoadError(
            f"could not load the tokenizer from {folder}: {exc}", param="base_model.path"
        ) from exc


def load_model(
    ref: ModelRef,
    *,
    dtype: torch.dtype = torch.float32,
    device: str = "cpu",
    load_kwargs: dict[str, Any] | None = None,
    cache_dir: Path | None = None,
) -> tuple[Any, Any]:
    """Load (model, tokenizer) from a Hugging Face folder or a GGUF file (dequantised)."""
    from transformers import AutoModelForCausalLM

    folder = hf_folder(ref, cache_dir)
    tokenizer = load_tokenizer(folder)
    kwargs: dict[str, Any] = {"dtype": dtype, **(load_kwargs or {})}
    if device != "cpu":
        kwargs.setdefault("device_map", {"": device})
    try:
        model = AutoModelForCausalLM.from_pretrained(folder, **kwargs)
    except (OSError, ValueError, KeyError, RuntimeError) as exc:
        raise ModelLoadError(
            f"could not load the model from {folder}: {exc}; the folder needs config.json and "
            "safetensors weights of a causal language model",
            param="base_model.path",
        ) from exc
    return model, tokenizer


def facts_for(ref: ModelRef, cache_dir: Path | None = None) -> ModelFacts:
    """ModelFacts without loading weights: the model is built on the meta device."""
    from transformers import AutoConfig, AutoModelForCausalLM

    folder = hf_folder(ref, cache_dir)
    tokenizer = load_tokenizer(folder)
    try:
        config = AutoConfig.from_pretrained(folder)
        with torch.device("meta"):
            model = AutoModelForCausalLM.from_config(config)  # type: ignore[no-untyped-call]
    except (OSError, ValueError, KeyError) as exc:
        raise ModelLoadError(
            f"could not read the model config in {folder}: {exc}", param="base_model.path"
        ) from exc
    facts = model_facts(model, tokenizer)
    dtype = getattr(config, "dtype", None) or getattr(config, "torch_dtype", None)
    width = torch.empty((), dtype=dtype).element_size() if isinstance(dtype, torch.dtype) else 4
    return replace(facts, weight_bytes_per_param=width)
