"""GPU readiness measurements shared by bench/gpu.py and the `gpu` tests: a random model of a
real size (no download: the GPU machines are offline), one engine run per method, and the
intent engine's memory prediction next to what the device really used."""

from __future__ import annotations

import json
import random
import statistics
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from easytune.testing.tiny import build_model, build_tokenizer

# Random Llamas of real shapes (weights are random: throughput and memory are what count).
SIZES: dict[str, dict[str, Any]] = {
    "tiny": dict(hidden_size=64, intermediate_size=172, num_hidden_layers=2,
                 num_attention_heads=4, num_key_value_heads=2),
    "0.5b": dict(hidden_size=1024, intermediate_size=2816, num_hidden_layers=24,
                 num_attention_heads=16, num_key_value_heads=4),
    "1b": dict(hidden_size=2048, intermediate_size=5632, num_hidden_layers=22,
               num_attention_heads=32, num_key_value_heads=4),  # TinyLlama-1.1B's shape
    "3b": dict(hidden_size=3072, intermediate_size=8192, num_hidden_layers=28,
               num_attention_heads=24, num_key_value_heads=8),  # Llama-3.2-3B's shape
}  # fmt: skip
VOCAB = 32000  # a real vocabulary's logits cost (rows past the test tokenizer are unused)
TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
# Dense bf16 tensor-core peak by GPU name, for MFU (data sheets; first match wins).
PEAK_BF16_FLOPS = (("h200", 989e12), ("h100", 989e12), ("a100", 312e12), ("l40s", 362e12),
                   ("a10", 125e12), ("4090", 165e12), ("l4", 121e12))  # fmt: skip


def build_random_llama(folder: Path, size: str, device: str = "cpu") -> Path:
    """A Hugging Face folder with a random Llama of SIZES[size] in bf16 and the test tokenizer."""
    tokenizer = build_tokenizer()
    with torch.device(device):
        model = build_model("llama", vocab_size=VOCAB, max_position_embeddings=4096,
                            **SIZES[size])  # fmt: skip
    model.to(torch.bfloat16)
    model.config.eos_token_id = tokenizer.eos_token_id
    model.config.pad_token_id = tokenizer.pad_token_id
    model.save_pretrained(folder, safe_serialization=True)
    tokenizer.save_pretrained(folder)
    del model
    return folder


def write_long_chats(path: Path, rows: int = 600, seed: int = 0) -> Path:
    """Chat JSONL long enough that packing fills rows of max_length."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as handle:
        for _ in range(rows):
            words = " ".join(rng.choice(["alpha", "beta", "gamma", "delta"]) for _ in range(60))
            answer = words[: rng.randint(40, 300)]
            messages = [
                {"role": "user", "content": f"Summarise: {words}"},
                {"role": "assistant", "content": answer},
            ]
            handle.write(json.dumps({"messages": messages}) + "\n")
    return path


@dataclass(frozen=True)
class Measurement:
    """One engine run: speed, utilisation, and memory predicted vs measured (bytes)."""

    method: str
    params: int
    tokens_per_s: float
    mfu: float | None
    predicted_bytes: int
    measured_bytes: int | None  # None off CUDA
    steps: int

    @property
    def memory_error(self) -> float | None:
        """(predicted - measured) / measured; positive means the plan over-estimates."""
        if not self.measured_bytes:
            return None
        return (self.predicted_bytes - self.measured_bytes) / self.measured_bytes


def make_spec(
    model_dir: Path, data: Path, out: Path, method: str, device: str, **train: Any
) -> Any:
    """The run both methods share: bf16 on CUDA, packing, LoRA r=16 on every linear layer."""
    from easytune.training.spec import TrainSpec

    cuda = device == "cuda"
    settings = {"max_steps": 12, "batch_size": 4, "precision": "bf16" if cuda else "fp32",
                "device": device, "save_every_steps": 1000, "eval_every_steps": 1000,
                "save_every_minutes": 1000, "gradient_checkpointing": False, **train}  # fmt: skip
    return TrainSpec.model_validate({
        "base_model": {"path": str(model_dir)},
        "data": {"train_path": str(data), "max_length": 1024, "packing": True,
                 "eval_fraction": 0.0},
        "lora": {"target_modules": TARGETS, "r": 16, "alpha": 32,
                 "quantization": "4bit" if method == "qlora" else "none"},
        "train": settings, "cf": {"enabled": False}, "output_dir": str(out),
    })  # fmt: skip


def predicted_peak(spec: Any) -> int:
    """The intent engine's memory estimate for this spec on this machine."""
    from easytune.intent.estimate import RunShape, memory_breakdown
    from easytune.training.hardware import detect_hardware
    from easytune.training.model import facts_for

    shape = RunShape(
        rank=spec.lora.r, targets=tuple(spec.lora.target_modules),
        micro_batch=spec.train.batch_size, max_length=spec.data.max_length,
        checkpointing=spec.train.gradient_checkpointing, quantization=spec.lora.quantization,
        precision=spec.train.precision,
    )  # fmt: skip
    return sum(memory_breakdown(facts_for(spec.base_model), detect_hardware(), shape).values())


def measure(spec: Any, method: str) -> Measurement:
    """Run the engine in this process and measure it (peak device memory includes the CUDA
    context and library workspaces, as the plan's `overhead` does)."""
    from easytune.training.progress import ProgressWriter
    from easytune.training.recipe import TrainRecipe

    cuda = spec.train.device == "cuda"
    if cuda:
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()
    progress = ProgressWriter(spec.output_dir, stream=None)
    recipe = TrainRecipe(spec, progress)
    try:
        recipe.setup()
        params = sum(p.numel() for p in recipe.model.parameters())
        recipe.train()
        measured = _peak_device_bytes() if cuda else None
        recipe.save()
    finally:
        recipe.cleanup()
        progress.close()
    speed = _steady_tokens_per_s(Path(spec.output_dir) / "progress.jsonl")
    return Measurement(method, params, speed, mfu(speed, params, spec.data.max_length,
                       spec) if cuda else None, predicted_peak(spec), measured,
                       spec.train.max_steps)  # fmt: skip


def _peak_device_bytes() -> int:
    free, total = torch.cuda.mem_get_info()
    outside_pytorch = (total - free) - torch.cuda.memory_reserved()
    return int(torch.cuda.max_memory_reserved() + max(outside_pytorch, 0))


def _steady_tokens_per_s(progress: Path) -> float:
    rows = [json.loads(line) for line in progress.read_text().splitlines() if line.strip()]
    speeds = [r["tokens_per_s"] for r in rows if r.get("type") == "metric" and r["tokens_per_s"]]
    return float(statistics.median(speeds[3:] or speeds))  # the first steps warm kernels up


def mfu(tokens_per_s: float, params: int, seq_len: int, spec: Any) -> float | None:
    """Model FLOPs utilisation: LoRA skips the frozen weights' gradients, so a token costs
    forward 2N + backward-to-inputs 2N, plus attention 12 * layers * hidden * seq."""
    from easytune.training.model import facts_for

    name = torch.cuda.get_device_name(0).lower()
    peak = next((flops for key, flops in PEAK_BF16_FLOPS if key in name), None)
    if peak is None:
        return None
    facts = facts_for(spec.base_model)
    per_token = 4 * params + 12 * facts.num_layers * facts.hidden_size * seq_len
    return tokens_per_s * per_token / peak


def run_all(
    root: Path, size: str, methods: list[str], device: str, **train: Any
) -> list[Measurement]:
    """Build the model and data once under `root`, then measure each method."""
    started = time.monotonic()
    model_dir = build_random_llama(root / f"llama-{size}", size, device)
    data = write_long_chats(root / "chats.jsonl")
    print(f"built a random {size} Llama in {time.monotonic() - started:.0f} s", flush=True)
    return [
        measure(make_spec(model_dir, data, root / f"run-{m}", m, device, **train), m)
        for m in methods
    ]
