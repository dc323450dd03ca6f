"""GPU readiness bench: LoRA and QLoRA fine-tunes of a 1-3 B random Llama through the engine,
printing tokens/s, MFU, and the plan's predicted peak memory next to the measured one.

Self-contained for an offline GPU machine (the model is random, built on the spot; the data
is generated). One command, after `make install` (or the worker image):

    PYTHONPATH=src .venv/bin/python bench/gpu.py --size 1b            # LoRA + QLoRA, 1.1 B
    PYTHONPATH=src .venv/bin/python bench/gpu.py --size 3b --json out.json
    PYTHONPATH=src .venv/bin/python bench/gpu.py --size tiny --device cpu   # a dry run on CPU

QLoRA needs bitsandbytes (`pip install '.[gpu]'`); without it only LoRA runs.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import json
import tempfile
from pathlib import Path

import torch

from easytune.testing.benchprint import emit
from easytune.testing.gpu import SIZES, Measurement, run_all

GIB = 1024**3


def row(m: Measurement) -> dict[str, object]:
    return {
        "method": m.method, "params B": m.params / 1e9, "tokens/s": m.tokens_per_s,
        "MFU %": m.mfu * 100 if m.mfu is not None else None,
        "predicted GiB": m.predicted_bytes / GIB,
        "measured GiB": m.measured_bytes / GIB if m.measured_bytes else None,
        "memory error %": m.memory_error * 100 if m.memory_error is not None else None,
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="1b")
    parser.add_argument("--device", choices=["cuda", "cpu"], default="cuda")
    parser.add_argument("--steps", type=int, default=12)
    parser.add_argument("--batch-size", type=int, default=4)
    parser.add_argument("--json", type=Path, help="also write the measurements here")
    args = parser.parse_args()
    if args.device == "cuda" and not torch.cuda.is_available():
        raise SystemExit("no CUDA device: run on a GPU machine, or --device cpu --size tiny")
    methods = ["lora"]
    if args.device == "cuda" and importlib.util.find_spec("bitsandbytes") is not None:
        methods.append("qlora")
    with tempfile.TemporaryDirectory() as folder:
        results = run_all(Path(folder), args.size, methods, args.device,
                          max_steps=args.steps, batch_size=args.batch_size)  # fmt: skip
    name = torch.cuda.get_device_name(0) if args.device == "cuda" else "CPU"
    title = f"{name}, torch {torch.__version__}, seq 1024 packed, micro-batch {args.batch_size}"
    emit("gpu", [row(m) for m in results], title=title, notes=["memory: peak per device"])
    if args.json:
        args.json.write_text(json.dumps([dataclasses.asdict(m) for m in results], indent=2))


if __name__ == "__main__":
    main()
