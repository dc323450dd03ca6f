"""How to serve an adapter at production scale outside EasyTune: the exact `vllm serve` command
(multi-LoRA on one base) and the Ollama Modelfile and commands. Written out, not run here."""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from easytune.core import models
from easytune.core.errors import InvalidRequest
from easytune.db.models import ModelKind, ModelRecord, User
from easytune.openai import catalog, ids

# vLLM accepts these values for --max-lora-rank; the adapter's rank is rounded up to one.
VLLM_LORA_RANKS = (8, 16, 32, 64, 128, 256, 320, 512)


@dataclass(frozen=True)
class ServingRecipe:
    """The commands for one adapter; `openai_model` is the model name clients send."""

    model_id: str
    openai_model: str
    vllm_command: str
    ollama_modelfile: str
    ollama_commands: list[str]
    notes: list[str] = field(default_factory=list)


def recipe(session: Session, user: User, model_id: str) -> ServingRecipe:
    """The vLLM and Ollama lines for an adapter `user` may see."""
    adapter = models.get_model(session, user, model_id)
    if adapter.kind != ModelKind.ADAPTER or adapter.base_model_id is None:
        raise InvalidRequest(
            f"model {model_id} is a base model; serving recipes are for adapters", param="id"
        )
    models.check_usable(adapter, "id")
    base = models.get_model(session, user, adapter.base_model_id)
    name = catalog.public_id(session, user, adapter)
    ollama_name = f"{ids.safe_name(adapter.name).lower()}:v{adapter.version}"
    return ServingRecipe(
        adapter.id, name, _vllm(base, adapter, name), _modelfile(base, adapter),
        [f"ollama create {ollama_name} -f Modelfile", f"ollama run {ollama_name}"],
        _notes(base),
    )  # fmt: skip


def _vllm(base: ModelRecord, adapter: ModelRecord, name: str) -> str:
    weights = str(Path(base.path) / base.gguf_file) if base.gguf_file else base.path
    argv = ["vllm", "serve", weights, "--enable-lora",
            "--lora-modules", f"{name}={adapter.path}",
            "--max-lora-rank", str(_vllm_rank(adapter))]  # fmt: skip
    return shlex.join(argv)


def _vllm_rank(adapter: ModelRecord) -> int:
    try:
        config = json.loads((Path(adapter.path) / "adapter_config.json").read_text("utf-8"))
        rank = int(config.get("r", 8))
    except (OSError, ValueError):
        rank = int((adapter.spec or {}).get("lora", {}).get("r", 8))
    return next((r for r in VLLM_LORA_RANKS if r >= rank), VLLM_LORA_RANKS[-1])


def _modelfile(base: ModelRecord, adapter: ModelRecord) -> str:
    source = str(Path(base.path) / base.gguf_file) if base.gguf_file else base.path
    return f"FROM {source}\nADAPTER {adapter.path}\n"


def _notes(base: ModelRecord) -> list[str]:
    notes = [
        "vLLM: clients call the OpenAI API of vLLM with the same model name as EasyTune's /v1; "
        "add more --lora-modules name=path pairs to serve several adapters on one base.",
        "Ollama reads a safetensors adapter for Llama, Mistral and Gemma bases; for other "
        "architectures export the adapter as GGUF LoRA (or a merged GGUF) and point ADAPTER "
        "(or FROM) at that file.",
    ]
    if base.gguf_file:
        notes.append(
            "The base is a GGUF file: vLLM's LoRA support needs Hugging Face weights, so serve "
            "a merged export with vLLM instead."
        )
    return notes
