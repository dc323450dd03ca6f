"""Two-process data-parallel training on CPU (torchrun + DDP over gloo), launched with the
worker's own command line: it succeeds, its loss curve matches one process with the same
global batch, and a SIGKILLed run resumes from the checkpoint rank 0 wrote."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import torch
from safetensors.torch import load_file

from easytune.jobs.runner import training_command
from easytune.training.spec import TrainSpec

SRC = Path(__file__).resolve().parents[3] / "src"
STEPS = 8
# Each rank weighs its token-mean loss by its share of the global batch's labelled tokens, so
# the mean over ranks is the one-process mean over all tokens: equal up to float rounding
# (measured: 8e-8 relative on the losses, 3e-7 on the adapter).
LOSS_TOLERANCE = 1e-5


def _spec(make_spec: Callable[..., TrainSpec], out: Path, processes: int) -> Path:
    spec = make_spec(
        train={
            "max_steps": STEPS, "batch_size": 4 // processes, "num_processes": processes,
            "save_every_steps": 2, "eval_every_steps": 100, "learning_rate": 5e-3,
        },
        cf={"enabled": False},
    )  # fmt: skip
    spec.output_dir = str(out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "spec.json"
    spec.dump(path)
    return path


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(SRC), "OMP_NUM_THREADS": "1", "HF_HUB_OFFLINE": "1"}


def _start(spec_path: Path) -> subprocess.Popen[bytes]:
    """The worker's command for this spec, in its own process group as the worker starts it."""
    log = (spec_path.parent / "child.log").open("ab")
    return subprocess.Popen(
        training_command(spec_path), cwd=spec_path.parent, env=_env(),
        stdout=log, stderr=log, start_new_session=True,
    )  # fmt: skip


def _run(spec_path: Path) -> list[dict[str, Any]]:
    proc = _start(spec_path)
    code = proc.wait(timeout=600)
    assert code == 0, (spec_path.parent / "child.log").read_text()[-4000:]
    return _lines(spec_path.parent)


def _lines(out: Path) -> list[dict[str, Any]]:
    text = (out / "progress.jsonl").read_text()
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def _losses(lines: list[dict[str, Any]]) -> dict[int, float]:
    return {row["step"]: row["loss"] for row in lines if row["type"] == "metric" and row["loss"]}


def _adapter(out: Path) -> dict[str, torch.Tensor]:
    return load_file(out / "adapter" / "adapter_model.safetensors")


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Any:
    """One uninterrupted run per process count, shared by the tests below."""
    make_spec = request.getfixturevalue("make_spec")
    root = tmp_path_factory.mktemp("ddp")
    return {n: (root / f"p{n}", _run(_spec(make_spec, root / f"p{n}", n))) for n in (1, 2)}


@pytest.fixture(scope="module")
def make_spec(tmp_path_factory: pytest.TempPathFactory, tiny_llama_dir: Path) -> Any:
    from tests.training.engine.conftest import LLAMA_TARGETS, write_chat

    data = write_chat(tmp_path_factory.mktemp("ddp-data") / "train.jsonl", 48)

    def factory(**sections: Any) -> TrainSpec:
        return TrainSpec.model_validate({
            "base_model": {"path": str(tiny_llama_dir)},
            "data": {"train_path": str(data), "max_length": 64, "packing": False},
            "lora": {"target_modules": LLAMA_TARGETS, "r": 4, "alpha": 8, "dropout": 0.0},
            "train": sections["train"], "cf": sections["cf"], "output_dir": "unset",
        })  # fmt: skip

    return factory


@pytest.mark.slow
def test_two_processes_match_one_with_the_same_global_batch(runs: Any) -> None:
    (one_dir, one), (two_dir, two) = runs[1], runs[2]
    assert training_command(two_dir / "spec.json")[1:3] == ["-m", "torch.distributed.run"]
    [result] = [row for row in two if row["type"] == "result"]  # rank 0 alone reported
    assert result["steps"] == STEPS
    single, ddp = _losses(one), _losses(two)
    assert sorted(ddp) == list(range(1, STEPS + 1))  # one metric line per step, not per rank
    for step in single:
        assert ddp[step] == pytest.approx(single[step], rel=LOSS_TOLERANCE), (step, single, ddp)
    assert single[STEPS] < single[1]  # it learned
    for name, tensor in _adapter(one_dir).items():
        assert torch.allclose(_adapter(two_dir)[name], tensor, atol=1e-5), name


@pytest.mark.slow
def test_a_killed_two_process_run_resumes_from_rank_zeros_checkpoint(
    runs: Any, make_spec: Any, tmp_path: Path
) -> None:
    spec_path = _spec(make_spec, tmp_path / "run", 2)
    proc = _start(spec_path)
    checkpoints = tmp_path / "run" / "checkpoints"
    deadline = time.monotonic() + 300
    while not list(checkpoints.glob("step-*/COMPLETE")):
        assert proc.poll() is None and time.monotonic() < deadline, "no checkpoint appeared"
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)  # what the worker does to a lost or stuck child
    proc.wait()
    _assert_no_rank_left(spec_path)

    lines = _run(spec_path)
    resumed = [r for r in lines if r.get("message", "").startswith("resumed from checkpoint")]
    assert resumed and resumed[0]["data"]["step"] >= 2, lines
    expected_dir, expected = runs[2]
    final, reference = _losses(lines), _losses(expected)
    for step in range(resumed[0]["data"]["step"] + 1, STEPS + 1):
        assert final[step] == pytest.approx(reference[step], rel=1e-4), step
    for name, tensor in _adapter(expected_dir).items():
        assert torch.allclose(_adapter(tmp_path / "run")[name], tensor, atol=1e-5), name


def _assert_no_rank_left(spec_path: Path) -> None:
    """The ranks die with torchrun (PR_SET_PDEATHSIG), none trains on as an orphan."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        alive = [p for p in Path("/proc").glob("[0-9]*") if _runs_spec(p, spec_path)]
        if not alive:
            return
        time.sleep(0.2)
    raise AssertionError(f"ranks still running after torchrun was killed: {alive}")


def _runs_spec(proc_dir: Path, spec_path: Path) -> bool:
    try:
        return str(spec_path).encode() in (proc_dir / "cmdline").read_bytes()
    except OSError:
        return False


def test_ranks_split_each_single_process_batch_and_pad_the_last() -> None:
    from easytune.training.distributed import ShardedBatches
    from easytune.training.loop import EpochBatches

    def collate(items: list[int]) -> Any:
        return items

    single = EpochBatches(list(range(10)), 4, collate, seed=3)
    ranks = [
        ShardedBatches(EpochBatches(list(range(10)), 2, collate, seed=3), r, 2) for r in (0, 1)
    ]
    assert len(ranks[0]) == len(single) == 3
    one = list(single.epoch(1))
    split = [a + b for a, b in zip(*(list(r.epoch(1)) for r in ranks), strict=True)]
    assert split[:2] == one[:2]
    assert split[2][:2] == one[2] and split[2][2:] == single.order(1)[:2]  # padded from the start
    assert list(ranks[1].epoch(1, start=2)) == [split[2][2:]]  # a resume skips whole steps


def test_each_rank_sees_only_its_gpu(monkeypatch: pytest.MonkeyPatch) -> None:
    from easytune.training.distributed import pin_device

    monkeypatch.setenv("WORLD_SIZE", "2")
    monkeypatch.setenv("LOCAL_RANK", "1")
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "4,7")  # the job's two GPUs (worker slots)
    pin_device()
    assert os.environ["CUDA_VISIBLE_DEVICES"] == "7"
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES")
    pin_device()
    assert os.environ["CUDA_VISIBLE_DEVICES"] == "1"
