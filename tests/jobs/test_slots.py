"""Slots: a job takes one per training process (one per GPU), sees only its GPUs, and waits
in the queue, keeping its place, until a worker has enough free slots."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from jobhelpers import MakeJob, load
from sqlalchemy.orm import Session, sessionmaker

from easytune.db.models import JobStatus
from easytune.jobs import repository, worker
from easytune.jobs.slots import SlotPool, job_processes, visible_devices
from easytune.jobs.worker import Worker

S = JobStatus
MakeWorker = Callable[..., Worker]


def test_pool_hands_out_distinct_slots_and_their_gpus() -> None:
    pool = SlotPool(4, ["2", "3", "6", "7"])
    first, second = pool.take(2), pool.take(1)
    assert first is not None and second is not None
    assert (
        first.env() == {"CUDA_VISIBLE_DEVICES": "2,3"}
        and second.env()["CUDA_VISIBLE_DEVICES"] == "6"
    )
    assert pool.take(2) is None and pool.free == 1
    pool.give_back(first)
    third = pool.take(3)
    assert third is not None and third.env() == {"CUDA_VISIBLE_DEVICES": "2,3,7"}
    assert SlotPool(2).take(1).env() == {}  # type: ignore[union-attr]  # CPU: nothing to pin
    assert pool.too_big(4) is None and "train.num_processes" in (pool.too_big(5) or "")


def test_processes_and_devices_from_spec_and_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert job_processes({"train": {"num_processes": 4}}) == 4
    assert job_processes({"mode": "export"}) == job_processes({"train": {"num_processes": 0}}) == 1
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    assert visible_devices(0) is None and visible_devices(2) == ["0", "1"]
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "5, 6")  # the container's reservation
    assert visible_devices(2) == ["5", "6"]


def _interval(factory: sessionmaker[Session], job_id: int) -> tuple[object, object]:
    job = load(factory, job_id)
    assert job.status == S.SUCCEEDED, job.error
    return job.started_at, job.finished_at


def test_a_two_process_job_waits_for_two_free_slots_and_keeps_its_place(
    make_job: MakeJob, make_worker: MakeWorker, session_factory: sessionmaker[Session],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.setattr(worker, "worker_devices", lambda: ["4", "7"])
    running = make_job("devices", spec={"sleep": 1.0})
    big = make_job("devices", spec={"train": {"num_processes": 2}})
    small = make_job("devices", owner=1)
    make_worker(slots=2).run(burst=True)

    results = {j: load(session_factory, j).result for j in (running, big, small)}
    assert results[big] == {"devices": "4,7"}  # both GPUs, and only for this job
    assert results[running] == results[small] == {"devices": "4"}  # the lowest free slot
    big_start, big_end = _interval(session_factory, big)
    for other in (running, small):
        start, end = _interval(session_factory, other)
        assert end <= big_start or start >= big_end  # type: ignore[operator]  # never together
    # It waited for the running job, then went before the younger one-slot job.
    assert _interval(session_factory, small)[0] >= big_start  # type: ignore[operator]
    with session_factory() as session:
        messages = [e.message for e in repository.list_events(session, big)]
    assert any(m.startswith("waiting for 2 free slots") for m in messages), messages
    assert load(session_factory, big).attempt == 1  # waiting spends no attempt


def test_a_job_bigger_than_the_worker_fails_naming_the_setting(
    make_job: MakeJob, make_worker: MakeWorker, session_factory: sessionmaker[Session]
) -> None:
    job_id = make_job("devices", spec={"train": {"num_processes": 3}})
    after = make_job("devices")
    make_worker(slots=2).run(burst=True)
    job = load(session_factory, job_id)
    assert job.status == S.FAILED and job.error is not None
    assert (job.error["code"], job.error["param"]) == ("not_enough_slots", "train.num_processes")
    assert load(session_factory, after).status == S.SUCCEEDED  # the worker went on
