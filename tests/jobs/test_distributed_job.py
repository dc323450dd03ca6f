"""A two-process training job through the real queue: the worker reserves two slots and runs
the engine under torchrun; rank 0's progress becomes the job's rows, once per step."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from jobhelpers import FAST, load
from sqlalchemy.orm import Session, sessionmaker

from easytune.db import transaction, utcnow
from easytune.db.models import JobStatus
from easytune.jobs import repository, service
from easytune.jobs.queue import JobQueue
from easytune.jobs.runner import training_command
from easytune.jobs.worker import Worker, WorkerConfig

SRC = Path(__file__).resolve().parents[2] / "src"
STEPS = 4


def _spec(model: Path, data: Path) -> dict[str, object]:
    return {
        "base_model": {"path": str(model)},
        "data": {"train_path": str(data), "max_length": 64, "packing": False},
        "lora": {"target_modules": ["q_proj", "v_proj"], "r": 4, "alpha": 8},
        "train": {"max_steps": STEPS, "batch_size": 2, "num_processes": 2,
                  "save_every_steps": 2, "eval_every_steps": 100},
        "cf": {"enabled": False},
        "output_dir": "set by the worker",
    }  # fmt: skip


@pytest.mark.slow
def test_a_two_process_job_runs_under_torchrun_and_reports_once(
    users: list[int], queue: JobQueue, session_factory: sessionmaker[Session],
    tiny_llama_dir: Path, tmp_path: Path,
) -> None:  # fmt: skip
    data = tmp_path / "chat.jsonl"
    chat = [{"role": "user", "content": "q"}, {"role": "assistant", "content": "an answer"}]
    data.write_text("".join(json.dumps({"messages": chat}) + "\n" for _ in range(16)))
    with transaction(session_factory, immediate=True) as session:  # a real spec, no test mode
        job_id = service.enqueue(
            session, owner_id=users[0], name="ddp", spec=_spec(tiny_llama_dir, data), now=utcnow()
        ).id
    child_env = {"PYTHONPATH": str(SRC), "OMP_NUM_THREADS": "1", "HF_HUB_OFFLINE": "1"}
    run = dataclasses.replace(FAST, child_env=child_env)
    config = WorkerConfig(slots=2, poll_seconds=0.05, sweep_seconds=0.5, run=run)
    Worker(queue, training_command, config).run(burst=True)

    job = load(session_factory, job_id)
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.result is not None and job.result["steps"] == STEPS
    with session_factory() as session:
        steps = [m.step for m in repository.list_metrics(session, job_id) if m.loss is not None]
        messages = [e.message for e in repository.list_events(session, job_id)]
    assert sorted(steps) == list(range(1, STEPS + 1))  # one row per step: rank 0 alone reports
    assert messages.count("model loaded") == 1, " | ".join(messages)
    assert job.output_dir is not None
    assert (Path(job.output_dir) / "adapter" / "adapter_model.safetensors").is_file()
