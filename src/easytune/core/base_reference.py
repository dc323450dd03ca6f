"""A base model as people outside this server know it: public name, revision or file hash.

An adapter's `adapter_config.json` names its base by a server path (the training folder); a
downloaded adapter needs a name that resolves elsewhere (a Hugging Face repo id) and enough to
check that the weights are the same (the hub revision, or the weights' sha256).
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from easytune.db.models import ModelRecord

# A Hugging Face cache folder: .../models--ORG--NAME/snapshots/REVISION
_HUB_CACHE = re.compile(
    r"models--(?P<org>[^/]+)--(?P<name>[^/]+)/snapshots/(?P<rev>[0-9a-f]{7,64})"
)
# Files hashed for a folder without a hub revision; bigger ones are named but not hashed.
HASH_LIMIT_BYTES = 8 * 1024**3
# ".Q4_1", "-q8_0", ".f16" ... at the end of a GGUF file stem: the quantisation, not the model.
_QUANT_SUFFIX = re.compile(r"[.-](?:[Ii]?[Qq]\d[A-Za-z0-9_]*|[Ff](?:16|32)|[Bb][Ff]16)$")


@dataclass(frozen=True)
class BaseReference:
    """What a model card and a portable adapter_config say about the base model."""

    name: str  # "HuggingFaceTB/SmolLM2-135M-Instruct", or the registered name
    revision: str | None = None  # hub commit, when the weights came from a hub cache
    weights_file: str | None = None  # "SmolLM2-135M-Instruct.Q4_1.gguf"
    weights_sha256: str | None = None
    quantization: str | None = None  # the GGUF file type it was trained from, e.g. "Q4_1"


def base_reference(model: ModelRecord) -> BaseReference:
    """The public reference of a registered base model (GGUF file or Hugging Face folder)."""
    if model.gguf_file:
        return _gguf_reference(model, Path(model.path) / model.gguf_file)
    return _folder_reference(model, Path(model.path))


def _gguf_reference(model: ModelRecord, file: Path) -> BaseReference:
    meta = _gguf_metadata(file)
    name = meta.get("general.source.huggingface.repository") or _guess_repo(model, meta)
    return BaseReference(
        name=str(name),
        weights_file=file.name,
        weights_sha256=_sha256(file) if file.is_file() else None,
        quantization=_gguf_quantization(meta.get("general.file_type")),
    )


def _guess_repo(model: ModelRecord, meta: dict[str, Any]) -> str:
    """ORGANIZATION/model name (the registered name without a quantisation suffix)."""
    stem = _QUANT_SUFFIX.sub("", model.name)
    org = meta.get("general.organization")
    return f"{org}/{stem}" if isinstance(org, str) and org and "/" not in stem else stem


def _folder_reference(model: ModelRecord, folder: Path) -> BaseReference:
    hub = _HUB_CACHE.search(folder.as_posix())
    if hub:
        return BaseReference(f"{hub['org']}/{hub['name']}", revision=hub["rev"])
    weights = sorted(folder.glob("*.safetensors")) or sorted(folder.glob("*.bin"))
    named = _config_name(folder) or model.name
    if len(weights) != 1 or weights[0].stat().st_size > HASH_LIMIT_BYTES:
        return BaseReference(named)
    return BaseReference(named, weights_file=weights[0].name, weights_sha256=_sha256(weights[0]))


def _config_name(folder: Path) -> str | None:
    """config.json's `_name_or_path` when it is a hub id, not a local path."""
    try:
        raw = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    name = raw.get("_name_or_path") if isinstance(raw, dict) else None
    if isinstance(name, str) and re.fullmatch(r"[\w.-]+/[\w.-]+", name):
        return name
    return None


def _gguf_metadata(file: Path) -> dict[str, Any]:
    """The `general.*` keys of a GGUF file; empty when it cannot be read."""
    try:
        import gguf

        reader = gguf.GGUFReader(str(file))
        return {k: v.contents() for k, v in reader.fields.items() if k.startswith("general.")}
    except Exception:  # a card without the metadata beats no download at all
        return {}


def _gguf_quantization(file_type: Any) -> str | None:
    if not isinstance(file_type, int):
        return None
    import gguf

    try:
        return gguf.LlamaFileType(file_type).name.removeprefix("MOSTLY_")
    except ValueError:
        return None


def _sha256(path: Path) -> str:
    stat = path.stat()
    return _sha256_cached(str(path), stat.st_size, stat.st_mtime_ns)


@functools.lru_cache(maxsize=64)
def _sha256_cached(path: str, size: int, mtime_ns: int) -> str:
    """Hashed once per file version: the size and mtime are part of the cache key."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
