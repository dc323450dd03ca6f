"""`easytune train` against LLaMA-Factory 0.9.5 (`llamafactory-cli train`) on the same work.

SmolLM2-135M-Instruct as a Hugging Face folder (the demo GGUF converted once), 48 chat rows of
the demo dataset, LoRA r=8 alpha=16 dropout 0 on q/k/v, lr 2e-4 constant without warm-up,
batch 8, 30 steps, max length 256, fp32, loss on the assistant's tokens; EasyTune with its
forgetting monitor, evaluation and retention off but its checkpoints on (the defaults).
The runs alternate (EasyTune, LLaMA-Factory, LLaMA-Factory, EasyTune, ...) so that load from
other processes hits both alike; the medians of wall time (start to exit) and peak resident
memory (the process tree, from wait4) are compared, with the final losses and the tokens each
tool trained on (non-padding input tokens over the run, from each tool's own count).

Same tokens for both: SmolLM2's chat template (used by EasyTune) adds a default system prompt
to a chat without one, and LLaMA-Factory's `smollm2` template adds its own default (one
character different). Each row is written with SmolLM2's system prompt as its first message,
so both tools render the same system turn and neither adds its default.

LLaMA-Factory lives in its own venv, made on first use under .cache/bench-llamafactory from
PyPI (torch==2.13.0, llamafactory==0.9.5). Its dependencies pull torchaudio and torchvision
builds that do not load beside the CPU torch 2.13.0 wheel, and transformers then fails at
import. They are removed from that venv; LLaMA-Factory imports torchaudio at start-up only to
read audio files (data/mm_plugin.py), so a stub `torchaudio` that raises on use stands in.

EasyTune picks its CPU threads from the cores other processes leave idle
(easytune.training.hardware.cpu_threads); LLaMA-Factory uses torch's default (all cores).
--lf-threads N gives LLaMA-Factory OMP_NUM_THREADS=N, to compare at the same thread count.

    PYTHONPATH=src .venv/bin/python bench/vs_llamafactory.py --rounds 3 [--steps 30]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / ".cache" / "bench-llamafactory"
WORK = ROOT / ".cache" / "bench-vs-llamafactory"
ROWS, STEPS, BATCH, MAX_LENGTH, LR = 48, 30, 8, 256, 2e-4
SYSTEM = "You are a helpful AI assistant named SmolLM, trained by Hugging Face"
TORCHAUDIO_STUB = '''"""Stub: no torchaudio on PyPI loads beside the CPU torch 2.13.0 wheel."""


def __getattr__(name):
    raise ImportError(f"torchaudio.{name}: audio is not available in this benchmark venv")
'''
EASYTUNE_SETTINGS = {
    "lora.r": "8",
    "lora.alpha": "16",
    "lora.dropout": "0",
    "lora.target_modules": '["q_proj","k_proj","v_proj"]',
    "train.learning_rate": str(LR),
    "train.lr_scheduler": "constant",
    "train.warmup_ratio": "0",
    "train.batch_size": str(BATCH),
    "train.gradient_accumulation": "1",
    "train.max_steps": str(STEPS),
    "train.precision": "fp32",
    "data.max_length": str(MAX_LENGTH),
    "data.eval_fraction": "0",
    "cf.enabled": "false",
    "evaluation.enabled": "false",
    "retain.enabled": "false",
}


@dataclass
class Run:
    tool: str
    wall_s: float
    peak_mib: float
    final_loss: float
    last5_loss: float
    tokens: int
    adapter: str = ""
    data_loss: float = float("nan")  # the final adapter's loss on all 48 rows, scored alike


def run_quiet(cmd: list[str]) -> None:
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def ensure_venv() -> Path:
    """The LLaMA-Factory venv, made once (minutes; PyPI through pip)."""
    cli = VENV / "bin" / "llamafactory-cli"
    if not cli.exists():
        run_quiet([sys.executable, "-m", "venv", str(VENV)])
        pip = [str(VENV / "bin" / "python"), "-m", "pip", "install", "-q"]
        run_quiet([*pip, "torch==2.13.0", "llamafactory==0.9.5"])
    pip = [str(VENV / "bin" / "python"), "-m", "pip"]
    run_quiet([*pip, "uninstall", "-y", "-q", "torchaudio", "torchvision"])
    site = next((VENV / "lib").glob("python3*/site-packages"))
    (site / "torchaudio").mkdir(exist_ok=True)
    (site / "torchaudio" / "__init__.py").write_text(TORCHAUDIO_STUB, encoding="utf-8")
    return cli


def model_folder() -> Path:
    from easytune.demo import demo_model_path
    from easytune.training.model import convert_gguf

    folder, gguf_file = demo_model_path()
    return convert_gguf(folder, gguf_file)


def write_data() -> Path:
    from easytune.demo import demo_dataset_path

    data = WORK / "data"
    data.mkdir(parents=True, exist_ok=True)
    rows = demo_dataset_path().read_text(encoding="utf-8").splitlines()[:ROWS]
    system = {"role": "system", "content": SYSTEM}
    chats = [{"messages": [system, *json.loads(row)["messages"]]} for row in rows]
    lines = [json.dumps(chat, ensure_ascii=False) for chat in chats]
    (data / "chat.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    info = {
        "chat": {
            "file_name": "chat.jsonl",
            "formatting": "sharegpt",
            "columns": {"messages": "messages"},
            "tags": {
                "role_tag": "role",
                "content_tag": "content",
                "user_tag": "user",
                "assistant_tag": "assistant",
                "system_tag": "system",
            },
        }
    }
    (data / "dataset_info.json").write_text(json.dumps(info, indent=1), encoding="utf-8")
    return data


def llamafactory_config(model: Path, data: Path, out: Path, steps: int) -> Path:
    config = {
        "model_name_or_path": str(model),
        "stage": "sft",
        "do_train": True,
        "finetuning_type": "lora",
        "lora_rank": 8,
        "lora_alpha": 16,
        "lora_dropout": 0.0,
        "lora_target": "q_proj,k_proj,v_proj",
        "dataset": "chat",
        "dataset_dir": str(data),
        "template": "smollm2",
        "cutoff_len": MAX_LENGTH,
        "overwrite_cache": True,
        "preprocessing_num_workers": 1,
        "dataloader_num_workers": 0,
        "output_dir": str(out),
        "overwrite_output_dir": True,
        "logging_steps": 1,
        "save_steps": 500,
        "report_to": "none",
        "per_device_train_batch_size": BATCH,
        "gradient_accumulation_steps": 1,
        "learning_rate": LR,
        "max_steps": steps,
        "lr_scheduler_type": "constant",
        "warmup_ratio": 0.0,
        "bf16": False,
        "fp16": False,
        "seed": 42,
        "include_num_input_tokens_seen": "non_padding",
    }
    path = out.with_suffix(".yaml")  # JSON is YAML; 0.9.5 cannot read a .json config
    path.write_text(json.dumps(config, indent=1), encoding="utf-8")
    return path


def timed(cmd: list[str], env: dict[str, str], log: Path) -> tuple[float, float]:
    """(wall seconds, peak RSS MiB) of a command and the children it waited for."""
    started = time.perf_counter()
    with log.open("w") as handle:
        proc = subprocess.Popen(cmd, env=env, stdout=handle, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"{cmd[0]} failed ({proc.returncode}); see {log}")
    return wall, usage.ru_maxrss / 1024  # Linux reports KiB


def losses_tail(losses: list[float]) -> tuple[float, float]:
    return losses[-1], statistics.fmean(losses[-5:])


def run_easytune(model: Path, data: Path, index: int, steps: int) -> Run:
    out = WORK / f"easytune-{index}"
    cmd = [str(ROOT / ".venv" / "bin" / "easytune"), "train", "--model", str(model)]
    cmd += ["--data", str(data / "chat.jsonl"), "--level", "L1", "--output", str(out)]
    for key, value in {**EASYTUNE_SETTINGS, "train.max_steps": str(steps)}.items():
        cmd += ["--set", f"{key}={value}"]
    subprocess.run(["rm", "-rf", str(out)], check=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "HF_HUB_OFFLINE": "1"}
    wall, peak = timed(cmd, env, WORK / f"easytune-{index}.log")
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    losses = losses_tail([row["loss"] for row in metrics["history"]])
    return Run("easytune", wall, peak, *losses, int(metrics["tokens_seen"]), str(out / "adapter"))


def run_llamafactory(
    cli: Path, model: Path, data: Path, index: int, steps: int, threads: int | None
) -> Run:
    out = WORK / f"llamafactory-{index}"
    config = llamafactory_config(model, data, out, steps)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update(HF_HUB_OFFLINE="1", DISABLE_VERSION_CHECK="1", CUDA_VISIBLE_DEVICES="")
    if threads is not None:
        env["OMP_NUM_THREADS"] = str(threads)
    wall, peak = timed([str(cli), "train", str(config)], env, WORK / f"llamafactory-{index}.log")
    state = json.loads((out / "trainer_state.json").read_text(encoding="utf-8"))
    losses = [row["loss"] for row in state["log_history"] if "loss" in row]
    tokens = int(state["num_input_tokens_seen"])
    return Run("llamafactory", wall, peak, *losses_tail(losses), tokens, str(out))


def data_loss(model: Path, adapter: str, data: Path) -> float:
    """The adapter's mean loss over the answers of every row, the same code for both tools.

    The per-step training losses differ in what each batch held (EasyTune groups rows by
    length, LLaMA-Factory does not), so the final adapters are compared on the same rows.
    """
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from easytune.training.data import PaddingCollator, load_dataset
    from easytune.training.data.template import tokenize_example

    tokenizer = AutoTokenizer.from_pretrained(model)
    base = AutoModelForCausalLM.from_pretrained(model, dtype=torch.float32)
    tuned = PeftModel.from_pretrained(base, adapter).eval()
    rows = [tokenize_example(e, tokenizer, MAX_LENGTH) for e in load_dataset(data).examples]
    collate = PaddingCollator(tokenizer.pad_token_id or tokenizer.eos_token_id)
    total, count = 0.0, 0
    with torch.no_grad():
        for start in range(0, len(rows), BATCH):
            batch = collate(rows[start : start + BATCH])
            logits = tuned(
                input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]
            ).logits
            labels = batch["labels"][:, 1:]
            keep = labels != -100
            losses = torch.nn.functional.cross_entropy(
                logits[:, :-1][keep].float(), labels[keep], reduction="sum"
            )
            total, count = total + losses.item(), count + int(keep.sum())
    return total / count


def median(runs: list[Run], field: str) -> float:
    return float(statistics.median(getattr(run, field) for run in runs))


def report(runs: list[Run], args: argparse.Namespace) -> None:
    from easytune.testing.benchprint import emit, ratio

    groups = {tool: [r for r in runs if r.tool == tool] for tool in ("easytune", "llamafactory")}
    rows: list[dict[str, Any]] = [
        {
            "tool": tool,
            "wall s": median(group, "wall_s"),
            "peak MiB": median(group, "peak_mib"),
            "final loss": median(group, "final_loss"),
            "last-5 loss": median(group, "last5_loss"),
            "tokens": median(group, "tokens"),
            "loss on the rows": median(group, "data_loss"),
        }
        for tool, group in groups.items()
    ]
    ours, theirs = rows
    summary = {
        "wall ratio (target <= 0.7)": ratio(ours["wall s"], theirs["wall s"]),
        "peak memory ratio (target <= 1.0)": ratio(ours["peak MiB"], theirs["peak MiB"]),
        "last-5 loss difference": round(ours["last-5 loss"] - theirs["last-5 loss"], 4),
        "final adapters' loss on the rows, difference": round(
            ours["loss on the rows"] - theirs["loss on the rows"], 4
        ),
        "tokens ratio (same work: 1.0)": ratio(ours["tokens"], theirs["tokens"]),
    }
    load = os.getloadavg()[0]
    notes = [f"medians of {len(groups['easytune'])} runs each, interleaved; {args.steps} steps",
             f"load average at the end {load:.1f}; LLaMA-Factory threads: "
             f"{args.lf_threads or 'torch default'}"]  # fmt: skip
    notes += [json.dumps(asdict(r)) for r in runs]
    emit("vs_llamafactory", rows, summary=summary, notes=notes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="runs of each tool")
    parser.add_argument("--steps", type=int, default=STEPS, help="optimizer steps per run")
    parser.add_argument("--lf-threads", type=int, help="OMP_NUM_THREADS for LLaMA-Factory")
    args = parser.parse_args()
    cli = ensure_venv()
    model, data = model_folder(), write_data()
    runs: list[Run] = []
    job: Callable[[], Run]
    for index in range(args.rounds):
        pair = [partial(run_easytune, model, data, index, args.steps)]
        pair.append(partial(run_llamafactory, cli, model, data, index, args.steps, args.lf_threads))
        for job in pair if index % 2 == 0 else pair[::-1]:
            run = job()
            run.data_loss = data_loss(model, run.adapter, data / "chat.jsonl")
            runs.append(run)
            print(json.dumps(asdict(run)), flush=True)
    report(runs, args)


if __name__ == "__main__":
    main()
