"""train.num_processes: one per GPU of the worker (torchrun + DDP), one on CPU, explained."""

from __future__ import annotations

from dataclasses import replace

from intent_cases import DATASETS, HARDWARE, MODELS, plan_kwargs
from test_intent_overrides import plan, problems

from easytune.intent import IntentRequest, resolve_plan


def test_one_process_on_cpu_and_on_one_gpu() -> None:
    for hw in ("cpu-2core", "a100-80g"):
        chosen = plan({}, hw=hw)
        assert chosen.spec.train.num_processes == 1
        assert chosen.reasons["train.num_processes"]


def test_one_process_per_gpu_on_a_multi_gpu_worker() -> None:
    four = replace(HARDWARE["a100-80g"], gpu_count=4)
    args = (IntentRequest(level="L2"), DATASETS["tiny-style"], MODELS["smollm2-135m"])
    multi = resolve_plan(*args, four, **plan_kwargs())
    single = resolve_plan(*args, HARDWARE["a100-80g"], **plan_kwargs())
    assert multi.spec.train.num_processes == 4
    assert "4 GPUs" in multi.reasons["train.num_processes"]
    global_batch = [
        p.spec.train.batch_size * p.spec.train.gradient_accumulation * p.spec.train.num_processes
        for p in (multi, single)
    ]
    assert global_batch[0] == global_batch[1]  # the same effective batch, split over GPUs


def test_more_processes_than_the_worker_has_is_refused_naming_the_field() -> None:
    found = problems({"train.num_processes": 3})  # cpu-2core
    assert "at most 2" in found["train.num_processes"]
    found = problems({"train.num_processes": 2}, hw="a100-80g")
    assert "1 GPU(s)" in found["train.num_processes"]
    assert plan({"train.num_processes": 2}).spec.train.num_processes == 2  # gloo on 2 cores
