"""Resume after SIGKILL: the child is killed once a checkpoint is complete, then run again."""
# mypy: disable-error-code="union-attr"
# Popen.stderr is Optional; the children are started with stderr=PIPE.

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from easytune.training.progress import ProgressWriter, read_progress
from easytune.training.recipe import TrainRecipe

SRC = Path(__file__).resolve().parents[3] / "src"


def _child(spec_path: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "OMP_NUM_THREADS": "1",
        "HF_HUB_OFFLINE": "1",
        "PYTHONPATH": f"{SRC}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "easytune.training", "run", str(spec_path)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _kill_after_first_checkpoint(child: subprocess.Popen[bytes], checkpoints: Path) -> None:
    deadline = time.monotonic() + 120
    while not list(checkpoints.glob("step-*/COMPLETE")):
        assert child.poll() is None, f"child ended early: {child.stderr.read().decode()[-2000:]}"
        assert time.monotonic() < deadline, "no checkpoint within 120 s"
        time.sleep(0.005)
    child.send_signal(signal.SIGKILL)
    child.wait()


@pytest.mark.slow
def test_resume_after_sigkill_matches_an_uninterrupted_run(make_spec, tmp_path):
    train = {
        "max_steps": 24,
        "save_every_steps": 3,
        "eval_every_steps": 6,
        "gradient_accumulation": 2,
        "batch_size": 2,
        "keep_checkpoints": 2,
    }
    spec = make_spec(train=train, lora={"dropout": 0.1}, output_dir=str(tmp_path / "killed"))
    spec.dump(tmp_path / "spec.json")
    child = _child(tmp_path / "spec.json")
    _kill_after_first_checkpoint(child, tmp_path / "killed" / "checkpoints")
    assert child.returncode == -signal.SIGKILL
    assert not (tmp_path / "killed" / "adapter").exists()

    again = _child(tmp_path / "spec.json")
    assert again.wait(timeout=300) == 0, again.stderr.read().decode()[-3000:]
    lines = read_progress(tmp_path / "killed" / "progress.jsonl")
    resumed = [line for line in lines if line.get("message", "").startswith("resumed from")]
    assert resumed and 0 < resumed[0]["data"]["step"] < 24
    assert lines[-1]["type"] == "result" and lines[-1]["steps"] == 24

    # The same spec without the kill, in-process, ends at the same step with the same weights.
    straight = make_spec(train=train, lora={"dropout": 0.1}, output_dir=str(tmp_path / "straight"))
    progress = ProgressWriter(straight.output_dir, stream=None)
    result = TrainRecipe(straight, progress).run()
    progress.close()
    assert result["steps"] == 24
    killed = load_file(tmp_path / "killed" / "adapter" / "adapter_model.safetensors")
    clean = load_file(tmp_path / "straight" / "adapter" / "adapter_model.safetensors")
    assert killed.keys() == clean.keys()
    for name in clean:
        torch.testing.assert_close(killed[name], clean[name], rtol=1e-4, atol=1e-6)
