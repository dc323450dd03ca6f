"""Job events keep their message code and params: written by the platform, or read from the
training child's lines, stored with the event and rendered in Chinese from them."""

from __future__ import annotations

import io
import json

from jobhelpers import MakeJob
from sqlalchemy.orm import Session, sessionmaker

from easytune.i18n import render
from easytune.jobs import repository
from easytune.jobs.progress import EventItem, SourcedEvent, parse_line
from easytune.jobs.queue import JobQueue
from easytune.training import messages
from easytune.training.progress import ProgressWriter


def _child_line(**params: object) -> str:
    out = io.StringIO()
    writer = ProgressWriter(None, stream=out)
    writer.event("warn", messages.FORGETTING(**params), score=0.33)
    return out.getvalue().strip()


def test_a_coded_child_event_is_stored_with_its_code_and_params(
    make_job: MakeJob, queue: JobQueue, session_factory: sessionmaker[Session]
) -> None:
    job_id = make_job()
    claim = queue.claim_next("w/1")
    assert claim is not None and claim.job_id == job_id
    line = _child_line(score="0.330", threshold=0.15)
    assert json.loads(line)["code"] == "train.forgetting"
    item = parse_line(line)
    assert isinstance(item, EventItem) and item.code == "train.forgetting"
    plain_item = parse_line("x")
    assert isinstance(plain_item, EventItem)
    queue.record(claim, [SourcedEvent("1:t:1", item), SourcedEvent("1:t:2", plain_item)], [])
    with session_factory() as session:
        stored = repository.list_events(session, job_id)
    created, started, forgot, plain = stored
    status = {"code": "job.status.queued", "params": {}}  # the status is worded too
    assert (created.code, created.params) == ("job.created", {"status": status})
    assert created.message == "job created (queued)"
    assert render({"code": created.code, "params": created.params}, "zh") == "任务已创建（排队中）"
    assert started.code == "job.attempt_started" and started.params == {"attempt": 1}
    assert forgot.message == "forgetting: CF score 0.330 is over the warning threshold 0.15"
    assert forgot.data == {"score": 0.33} and forgot.code == "train.forgetting"
    zh = render({"code": forgot.code, "params": forgot.params}, "zh")
    assert zh == "遗忘：遗忘分数 0.330 超过了警告阈值 0.15"
    assert plain.code is None and plain.params is None  # a stray line stays plain text
