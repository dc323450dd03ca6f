"""The base model's weights as the scan sees them: tensor name -> shape, read from the
safetensors headers (no weights loaded), and single weights on demand for the norm check."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class BaseUnsupported(ValueError):
    """A base whose weights the scan cannot read (GGUF, pickle checkpoints, missing files)."""


@dataclass(frozen=True)
class BaseIndex:
    """Where each base weight is, its shape, and the vocabulary size (embeddings, lm_head)."""

    files: dict[str, Path]
    shapes: dict[str, tuple[int, ...]]
    vocab_size: int | None

    def linear_modules(self) -> set[str]:
        """Module paths of 2-D weights that are not embeddings or the output head."""
        return {
            key.removesuffix(".weight")
            for key, shape in self.shapes.items()
            if key.endswith(".weight") and len(shape) == 2 and not self.is_vocab(shape)
        }

    def is_vocab(self, shape: tuple[int, ...]) -> bool:
        return self.vocab_size is not None and self.vocab_size in shape

    def tensor(self, key: str) -> Any:
        from safetensors import safe_open

        with safe_open(str(self.files[key]), framework="pt") as handle:
            return handle.get_tensor(key)


def index_base(path: str, gguf_file: str | None) -> BaseIndex:
    """The index of a Hugging Face folder with safetensors weights; BaseUnsupported else."""
    from safetensors import safe_open

    folder = Path(path)
    weights = sorted(folder.glob("*.safetensors"))
    if gguf_file or not weights:
        raise BaseUnsupported(
            "adapters can be imported onto Hugging Face bases with safetensors weights; this "
            "base is a GGUF file or has none: register the safetensors folder of the model"
        )
    files: dict[str, Path] = {}
    shapes: dict[str, tuple[int, ...]] = {}
    for file in weights:
        with safe_open(str(file), framework="pt") as handle:
            for key in handle.keys():  # noqa: SIM118 (safe_open is not a mapping)
                files[key] = file
                shapes[key] = tuple(handle.get_slice(key).get_shape())
    return BaseIndex(files, shapes, _vocab_size(folder))


def _vocab_size(folder: Path) -> int | None:
    try:
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    size = config.get("vocab_size") or config.get("text_config", {}).get("vocab_size")
    return size if isinstance(size, int) else None
