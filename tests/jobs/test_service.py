"""Service functions for the API: submit (TrainSpec or dict), cancel, retry, after-commit."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from easytune.db.models import JobStatus
from easytune.jobs import InvalidTransition, JobNotFound, repository, service
from easytune.training.spec import DataSpec, LoraSpec, ModelRef, TrainSpec

S = JobStatus


class Recorder:
    def __init__(self) -> None:
        self.sent: list[int] = []

    def submit(self, job_id: int) -> None:
        self.sent.append(job_id)


def _spec() -> TrainSpec:
    return TrainSpec(
        base_model=ModelRef(path="/models/tiny"),
        data=DataSpec(train_path="/data/train.jsonl"),
        lora=LoraSpec(target_modules=["q_proj", "v_proj"]),
        output_dir="(set by the worker)",
    )


def test_submit_cancel_retry(users: list[int], session_factory: sessionmaker[Session]) -> None:
    executor = Recorder()
    with session_factory() as session:
        job = service.submit_job(
            session, owner_id=users[0], name="tune", spec=_spec(), executor=executor,
            priority=3, base_model_id="m1", dataset_id="d1",
        )  # fmt: skip
        session.commit()
    assert executor.sent == [job.id]
    assert job.spec["lora"]["target_modules"] == ["q_proj", "v_proj"]
    assert (job.status, job.priority, job.dataset_id) == (S.QUEUED, 3, "d1")
    with session_factory() as session:
        assert service.cancel_job(session, job.id).status == S.CANCELLED
        session.commit()
    with session_factory() as session:
        retried = service.retry_job(session, job.id, executor=executor)
        assert executor.sent == [job.id]  # not before the commit
        session.commit()
    assert executor.sent == [job.id, job.id]
    assert (retried.status, retried.attempt, retried.max_attempts) == (S.QUEUED, 2, 4)
    with session_factory() as session:
        assert [j.id for j in repository.list_jobs(session, owner_id=users[0])] == [job.id]
        assert repository.list_jobs(session, owner_id=users[1]) == []
        with pytest.raises(InvalidTransition):
            service.retry_job(session, job.id)
        with pytest.raises(JobNotFound):
            service.cancel_job(session, 987654)


def test_validating_job_is_announced_once_validated(
    users: list[int], session_factory: sessionmaker[Session]
) -> None:
    executor = Recorder()
    with session_factory() as session:
        job = service.submit_job(session, owner_id=users[0], name="v", spec={},
                                 executor=executor, validating=True)  # fmt: skip
        session.commit()
        assert job.status == S.VALIDATING_FILES and executor.sent == []
        service.mark_files_validated(session, job.id, executor)
        session.commit()
    assert executor.sent == [job.id]
