"""A training child stand-in for worker tests: behaviour chosen by the spec's "mode".

Only the standard library: it must start fast. Writes progress lines like the engine does.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from pathlib import Path

OUTPUT: Path | None = None  # the job's output folder, set at start


def emit(record: dict) -> None:
    """To stdout and appended to OUTPUT/progress.jsonl, as the engine does."""
    line = json.dumps(record)
    print(line, flush=True)
    if OUTPUT is not None:
        with open(OUTPUT / "progress.jsonl", "a", encoding="utf-8") as file:
            file.write(line + "\n")


def event(message: str, level: str = "info", **data: object) -> None:
    emit({"type": "event", "level": level, "message": message, "data": data})


def metric(step: int, loss: float) -> None:
    emit({"type": "metric", "step": step, "loss": loss, "lr": 1e-4, "tokens_per_s": 100.0})


def succeed(spec: dict, out: Path) -> int:
    for step in range(1, spec.get("steps", 3) + 1):
        metric(step, 1.0 / step)
        time.sleep(spec.get("sleep", 0))
    emit({"type": "result", "adapter_dir": str(out / "adapter"), "steps": spec.get("steps", 3)})
    return 0


def resume(spec: dict, out: Path) -> int:
    """Train `steps` steps, checkpointing after each into a marker file; resume from it."""
    marker = out / "checkpoints" / "last_step"
    marker.parent.mkdir(exist_ok=True)
    start = int(marker.read_text()) if marker.exists() else 0
    event("resuming" if start else "starting", from_step=start, pid=os.getpid())
    for step in range(start + 1, spec["steps"] + 1):
        time.sleep(spec.get("sleep", 0))
        metric(step, 1.0 / step)
        tmp = marker.with_suffix(".tmp")
        tmp.write_text(str(step))
        tmp.replace(marker)
    emit({"type": "result", "resumed_from": start, "pid": os.getpid()})
    return 0


def crash(spec: dict, out: Path) -> int:
    event("about to crash")
    print(f"Traceback: boom in attempt {os.environ.get('EASYTUNE_JOB_ATTEMPT')}", file=sys.stderr)
    return 3


def error_line(spec: dict, out: Path) -> int:
    emit(
        {
            "type": "error",
            "code": "bad_data",
            "message": "line 17: missing 'output'",
            "param": "data.train_path",
        }
    )
    return 1


def no_result(spec: dict, out: Path) -> int:
    metric(1, 0.5)
    return 0


def hang(spec: dict, out: Path) -> int:
    event("started, now silent")
    time.sleep(3600)
    return 0


def ignore_term(spec: dict, out: Path) -> int:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    event("ignoring SIGTERM")
    while True:
        metric(int(time.time() * 10) % 100000, 0.1)
        time.sleep(0.2)


def sigkill_self(spec: dict, out: Path) -> int:
    event("pretending to be OOM-killed")
    os.kill(os.getpid(), signal.SIGKILL)
    return 0


def garbage(spec: dict, out: Path) -> int:
    print("plain text from a library", flush=True)
    print('{"half": ', flush=True)
    print("[1, 2]", flush=True)
    emit({"type": "mystery"})
    emit({"type": "metric", "step": "x"})
    emit({"type": "metric", "step": 1, "loss": float("nan"), "grad_norm": 2.5})
    event("real event", level="warn", k=1)
    emit({"type": "result", "ok": True})
    return 0


def devices(spec: dict, out: Path) -> int:
    """Report the GPUs the worker gave this job, after holding its slots for `sleep` s."""
    time.sleep(spec.get("sleep", 0))
    emit({"type": "result", "devices": os.environ.get("CUDA_VISIBLE_DEVICES")})
    return 0


MODES = {name: func for name, func in list(globals().items()) if callable(func)}

if __name__ == "__main__":
    spec_path = Path(sys.argv[1])
    spec = json.loads(spec_path.read_text())
    OUTPUT = Path(spec["output_dir"])
    sys.exit(MODES[spec["mode"]](spec, OUTPUT))
