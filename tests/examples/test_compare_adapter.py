"""examples/compare_adapter.py runs exactly as its usage line says, on the tiny model."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from peft import LoraConfig, get_peft_model
from transformers import AutoModelForCausalLM, AutoTokenizer

SCRIPT = Path(__file__).parents[2] / "examples" / "compare_adapter.py"


def _adapter(base: Path, out: Path) -> Path:
    """A PEFT adapter folder (weights, config, tokenizer) as `easytune train` writes one."""
    torch.manual_seed(0)
    model = get_peft_model(AutoModelForCausalLM.from_pretrained(base),
                           LoraConfig(r=2, target_modules=["q_proj", "v_proj"]))  # fmt: skip
    model.save_pretrained(str(out))
    AutoTokenizer.from_pretrained(base).save_pretrained(out)
    return out


@pytest.mark.slow
def test_usage_line_order_adapter_then_model_then_prompts(
    tiny_llama_dir: Path, tmp_path: Path
) -> None:
    adapter = _adapter(tiny_llama_dir, tmp_path / "adapter")
    # Usage: compare_adapter.py ADAPTER_DIR [--model PATH_OR_GGUF] [PROMPT ...]
    command = [sys.executable, str(SCRIPT), str(adapter), "--model", str(tiny_llama_dir),
               "--max-new-tokens", "3", "add 1 and 2", "say hi"]  # fmt: skip
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.count("Q: ") == 2 and "Q: say hi" in done.stdout
    assert "fine-tuned:" in done.stdout
