"""Engine overhead: the EasyTune recipe vs a minimal transformers + peft script, same work.

Both sides, timed in this process from "start" (libraries already imported) to "adapter on
disk": load the same tiny-but-not-trivial random Llama (hidden 256, 4 layers) from a Hugging
Face folder, read and tokenise the same 160 chat examples with the chat template, train
LoRA (r=8 on q/k/v/o) for the same 30 optimizer steps (batch 4, max_length 128, AdamW,
cosine with warm-up, clipping, fp32, seed 0), then save the adapter as safetensors.

Included on the engine side and not in the baseline (that is the overhead measured): spec
validation, the hardware probe, the data report, progress lines (stdout off, the
progress.jsonl file on, flushed per step), the NaN guard, one atomic checkpoint at the
last step (adapter + optimizer state, fsynced), the finite-weights check and the JSON reports.
Left out on both sides: evaluation and the CF monitor (eval_fraction=0, cf.enabled=false),
and the intent planning of `easytune train` (the spec is fixed).

Run: .venv/bin/python bench/overhead.py [--steps 30] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from pathlib import Path

import torch
from peft import LoraConfig, get_peft_model
from transformers import AutoModelForCausalLM, AutoTokenizer, get_cosine_schedule_with_warmup

from easytune.testing.benchprint import emit, ratio
from easytune.testing.tiny import save_tiny_model
from easytune.training.progress import ProgressWriter
from easytune.training.recipe import TrainRecipe
from easytune.training.spec import TrainSpec

MODEL = dict(
    hidden_size=256,
    intermediate_size=688,
    num_hidden_layers=4,
    num_attention_heads=4,
    num_key_value_heads=4,
)
TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj"]
BATCH, MAX_LENGTH, LR, WARMUP = 4, 128, 2e-4, 0.1


def write_data(path: Path, rows: int = 160) -> Path:
    rng = random.Random(0)
    with path.open("w", encoding="utf-8") as handle:
        for _ in range(rows):
            a, b = rng.randint(0, 999), rng.randint(0, 999)
            messages = [
                {"role": "user", "content": f"Please add {a} and {b}, then explain."},
                {"role": "assistant", "content": f"{a} + {b} = {a + b}. " * rng.randint(1, 4)},
            ]
            handle.write(json.dumps({"messages": messages}) + "\n")
    return path


def engine_run(model_dir: Path, data: Path, out: Path, steps: int) -> tuple[float, float]:
    started, cpu = time.perf_counter(), time.process_time()
    spec = TrainSpec.model_validate(
        {
            "base_model": {"path": str(model_dir)},
            "data": {
                "train_path": str(data),
                "max_length": MAX_LENGTH,
                "packing": False,
                "eval_fraction": 0.0,
                "seed": 0,
            },
            "lora": {"target_modules": TARGETS, "r": 8, "alpha": 16, "dropout": 0.0},
            "train": {
                "max_steps": steps,
                "batch_size": BATCH,
                "learning_rate": LR,
                "warmup_ratio": WARMUP,
                "seed": 0,
                "save_every_steps": 10_000,
            },
            "cf": {"enabled": False},
            "output_dir": str(out),
        }
    )
    progress = ProgressWriter(out, stream=None)
    TrainRecipe(spec, progress).run()
    progress.close()
    return time.perf_counter() - started, time.process_time() - cpu


def _batches(tokenizer, data: Path, seed: int):
    rows = [json.loads(line)["messages"] for line in data.read_text().splitlines()]
    ids = [
        tokenizer.apply_chat_template(
            m, tokenize=True, truncation=True, max_length=MAX_LENGTH, return_dict=False
        )
        for m in rows
    ]
    generator = torch.Generator().manual_seed(seed)
    while True:
        order = torch.randperm(len(ids), generator=generator).tolist()
        for start in range(0, len(order) - BATCH + 1, BATCH):
            chunk = [ids[i] for i in order[start : start + BATCH]]
            enc = tokenizer.pad({"input_ids": chunk}, return_tensors="pt")
            labels = enc["input_ids"].masked_fill(enc["attention_mask"] == 0, -100)
            yield {**enc, "labels": labels}


def baseline_run(model_dir: Path, data: Path, out: Path, steps: int) -> tuple[float, float]:
    """The plainest correct transformers + peft loop doing the same work."""
    started, cpu = time.perf_counter(), time.process_time()
    torch.manual_seed(0)
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32)
    model.config.use_cache = False  # no KV cache while training, as any training script does
    model = get_peft_model(
        model,
        LoraConfig(
            r=8, lora_alpha=16, lora_dropout=0.0, target_modules=TARGETS, task_type="CAUSAL_LM"
        ),
    )
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=LR, weight_decay=0.0)
    scheduler = get_cosine_schedule_with_warmup(optimizer, int(steps * WARMUP), steps)
    batches = _batches(tokenizer, data, 0)
    model.train()
    for _ in range(steps):
        loss = model(**next(batches)).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad(set_to_none=True)
    model.save_pretrained(out / "adapter", safe_serialization=True)
    return time.perf_counter() - started, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: default)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    work = Path(tempfile.mkdtemp(prefix="easytune-bench-"))
    model_dir = save_tiny_model(work / "model", "llama", **MODEL)
    data = write_data(work / "train.jsonl")
    params = sum(p.numel() for p in AutoModelForCausalLM.from_pretrained(model_dir).parameters())
    print(
        f"model: random Llama {MODEL}, {params / 1e6:.1f}M params; {args.steps} steps, "
        f"batch {BATCH}, max_length {MAX_LENGTH}; torch threads {torch.get_num_threads()}"
    )
    # First-use costs (lazy imports, allocator warm-up) off the clock for both sides.
    baseline_run(model_dir, data, work / "warm-b", 2)
    engine_run(model_dir, data, work / "warm-e", 2)
    times: dict[str, list[tuple[float, float]]] = {"baseline": [], "engine": []}
    sides = {"baseline": baseline_run, "engine": engine_run}
    for round_ in range(args.rounds):  # interleaved, order swapped each round: fair to both
        order = ["baseline", "engine"] if round_ % 2 == 0 else ["engine", "baseline"]
        for name in order:
            times[name].append(sides[name](model_dir, data, work / f"{name}{round_}", args.steps))
    report(times)


def report(times: dict[str, list[tuple[float, float]]]) -> None:
    """Wall and CPU seconds per side; CPU time is the steadier measure on a shared machine."""
    rows, summary = [], {}
    for kind, index in (("wall", 0), ("cpu", 1)):
        mins = {}
        for name, runs in times.items():
            values = [run[index] for run in runs]
            mins[name] = min(values)
            rows.append({
                "clock": kind, "side": name, "min s": min(values),
                "median s": statistics.median(values), "runs": " ".join(f"{v:.2f}" for v in values),
            })  # fmt: skip
        summary[f"{kind} engine/baseline (min/min; target <= 1.05)"] = ratio(
            mins["engine"], mins["baseline"]
        )
    emit("overhead", rows, summary=summary)


if __name__ == "__main__":
    main()
