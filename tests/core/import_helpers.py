"""Adapter zips for the import tests: a clean adapter of the tiny model, and ways to spoil it."""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class AdapterParts:
    """What goes into the zip: config, tensors, and extra (name, bytes or ZipInfo) entries."""

    config: dict[str, Any]
    tensors: dict[str, Any]
    extra: list[tuple[str | zipfile.ZipInfo, bytes]] = field(default_factory=list)
    drop: tuple[str, ...] = ()

    def copy(self) -> AdapterParts:
        tensors = {k: v.clone() for k, v in self.tensors.items()}
        return AdapterParts(json.loads(json.dumps(self.config)), tensors, list(self.extra))


def clean_parts(base_dir: Path, folder: Path) -> AdapterParts:
    """A LoRA adapter of the tiny model like a short fine-tune leaves it: small updates."""
    import torch
    from peft import LoraConfig, get_peft_model
    from safetensors.torch import load_file
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(base_dir)
    # peft's FutureWarning about is_gradient_checkpointing is filtered in pyproject.toml.
    peft_model = get_peft_model(
        model, LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"])
    )
    peft_model.save_pretrained(str(folder), safe_serialization=True)
    tensors = load_file(str(folder / "adapter_model.safetensors"))
    generator = torch.Generator().manual_seed(0)
    for key, value in tensors.items():
        if "lora_B" in key:  # a trained B: small, not the zeros of a fresh adapter
            tensors[key] = torch.randn(value.shape, generator=generator) * 0.01
    config = json.loads((folder / "adapter_config.json").read_text())
    return AdapterParts(config, tensors)


def zip_bytes(parts: AdapterParts, top: str = "adapter-v1") -> bytes:
    """The parts zipped under one top folder, as a downloaded adapter is."""
    from safetensors.torch import save

    files: dict[str, bytes] = {
        "adapter_config.json": json.dumps(parts.config).encode(),
        "adapter_model.safetensors": save(parts.tensors),
        "README.md": b"# an adapter\n",
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            if name not in parts.drop:
                zf.writestr(f"{top}/{name}", data)
        for entry, data in parts.extra:
            zf.writestr(entry, data)
    return buffer.getvalue()
