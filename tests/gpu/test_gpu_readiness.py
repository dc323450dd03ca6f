"""GPU readiness, on a CUDA device only (skipped elsewhere, with the reason): bf16 autocast,
SDPA attention, QLoRA (4-bit NF4 + paged AdamW), the plan's memory prediction within 15 % of
the measured peak, and LoRA + QLoRA fine-tunes of a 1.1 B model. One command on a GPU host:

    PYTHONPATH=src .venv/bin/python -m pytest -p no:cacheprovider -m gpu tests/gpu -v -s
"""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path
from typing import Any

import pytest
import torch
from safetensors.torch import load_file

from easytune.testing.gpu import build_random_llama, make_spec, measure, run_all, write_long_chats
from easytune.training.progress import ProgressWriter
from easytune.training.recipe import TrainRecipe

pytestmark = [
    pytest.mark.gpu,
    pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU (none here)"),
]
needs_bnb = pytest.mark.skipif(
    importlib.util.find_spec("bitsandbytes") is None,
    reason="QLoRA needs bitsandbytes: pip install '.[gpu]'",
)
MEMORY_TOLERANCE = 0.15


@pytest.fixture(scope="module")
def assets(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("gpu")
    return build_random_llama(root / "tiny", "tiny", "cuda"), write_long_chats(root / "d.jsonl")


def _recipe(assets: tuple[Path, Path], out: Path, method: str) -> TrainRecipe:
    spec = make_spec(*assets, out, method, "cuda", max_steps=4, batch_size=2)
    recipe = TrainRecipe(spec, ProgressWriter(out, stream=None))
    recipe.setup()
    return recipe


def _finite_adapter(out: Path) -> bool:
    tensors = load_file(out / "adapter" / "adapter_model.safetensors")
    return bool(tensors) and all(bool(torch.isfinite(t).all()) for t in tensors.values())


def test_bf16_autocast_and_sdpa_on_cuda(assets: tuple[Path, Path], tmp_path: Path) -> None:
    recipe = _recipe(assets, tmp_path, "lora")
    seen: list[torch.dtype] = []
    # The adapter's own weights stay fp32: only autocast makes its matmul run in bf16.
    layer = next(m for n, m in recipe.model.named_modules() if n.endswith("q_proj.lora_A.default"))
    layer.register_forward_hook(lambda mod, args, out: seen.append(out.dtype))
    assert recipe.model.config._attn_implementation in {"sdpa", "flash_attention_2"}
    try:
        recipe.train()
        result = recipe.save()
    finally:
        recipe.cleanup()
    assert seen and set(seen) == {torch.bfloat16}
    assert math.isfinite(result["metrics"]["train_loss"]) and _finite_adapter(tmp_path)


@needs_bnb
def test_qlora_loads_nf4_and_trains_with_a_paged_optimizer(
    assets: tuple[Path, Path], tmp_path: Path
) -> None:
    import bitsandbytes as bnb

    recipe = _recipe(assets, tmp_path, "qlora")
    quantized = [m for m in recipe.model.modules() if isinstance(m, bnb.nn.Linear4bit)]
    assert quantized and {m.weight.quant_state.quant_type for m in quantized} == {"nf4"}
    assert isinstance(recipe.optimizer, bnb.optim.PagedAdamW32bit)
    try:
        recipe.train()
        recipe.save()
    finally:
        recipe.cleanup()
    assert _finite_adapter(tmp_path)


@pytest.mark.parametrize("method", ["lora", pytest.param("qlora", marks=needs_bnb)])
def test_predicted_peak_memory_within_15_percent(method: str, tmp_path: Path) -> None:
    model = build_random_llama(tmp_path / "m", "0.5b", "cuda")
    data = write_long_chats(tmp_path / "d.jsonl")
    spec = make_spec(model, data, tmp_path / "run", method, "cuda", max_steps=6)
    result = measure(spec, method)
    measured = (result.measured_bytes or 0) / 2**30
    print(
        f"\n{method}: predicted {result.predicted_bytes / 2**30:.2f} GiB, measured {measured:.2f}"
    )
    assert result.memory_error is not None
    assert abs(result.memory_error) <= MEMORY_TOLERANCE, result


@pytest.mark.slow
def test_lora_and_qlora_fine_tune_a_1b_model(tmp_path: Path) -> None:
    methods = ["lora"] + (["qlora"] if importlib.util.find_spec("bitsandbytes") else [])
    results: list[Any] = run_all(tmp_path, "1b", methods, "cuda", max_steps=10)
    for result in results:
        print(f"\n{result}")
        assert result.params > 1e9 and result.tokens_per_s > 0
        assert result.mfu is None or 0 < result.mfu < 1
        assert (tmp_path / f"run-{result.method}" / "adapter" / "adapter_config.json").is_file()
