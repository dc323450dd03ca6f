"""Progress lines -> items; garbage becomes log events; outcome classification table."""

from __future__ import annotations

import json
import signal

import pytest

from easytune.db.models import EventLevel
from easytune.jobs.outcome import ChildEnd, StopReason, Verdict, classify
from easytune.jobs.progress import ErrorItem, EventItem, MetricItem, ResultItem, parse_line


def test_event_metric_result_error_lines() -> None:
    event = parse_line('{"type":"event","level":"warn","message":"m","data":{"a":1}}\n')
    assert event == EventItem(EventLevel.WARN, "m", {"a": 1})
    metric = parse_line(json.dumps({"type": "metric", "step": 5, "loss": 1.5, "lr": 0.1,
                                    "grad_norm": 3.0}))  # fmt: skip
    assert isinstance(metric, MetricItem) and metric.step == 5 and metric.kind == "train"
    assert metric.values["loss"] == 1.5 and metric.values["eval_loss"] is None
    assert metric.extra == {"grad_norm": 3.0}
    evaluation = parse_line('{"type":"metric","step":5,"eval_loss":2.0,"cf_score":0.1}')
    assert isinstance(evaluation, MetricItem) and evaluation.kind == "eval"
    assert parse_line('{"type":"result","adapter":"x"}') == ResultItem({"adapter": "x"})
    error = parse_line('{"type":"error","code":"oom","message":"GPU OOM","param":"batch"}')
    assert error == ErrorItem("oom", "GPU OOM", "batch")


@pytest.mark.parametrize(
    "line",
    ["not json", "[1]", '{"type":"x"}', '{"type":"metric","step":-1}', '{"no":"type"}',
     '{"type":"event","level":"loud","message":"m"}', '{"type":"metric","step":true}'],
)  # fmt: skip
def test_garbage_becomes_a_log_event(line: str) -> None:
    item = parse_line(line)
    assert isinstance(item, EventItem) and item.level == EventLevel.INFO
    assert item.message == line and item.data["kind"] == "log"


def test_non_finite_numbers_are_kept_as_text() -> None:
    item = parse_line('{"type":"metric","step":1,"loss":NaN,"other":Infinity}')
    assert isinstance(item, MetricItem) and item.values["loss"] is None
    assert item.extra == {"loss": "nan", "other": "inf"}


def test_huge_messages_are_clipped() -> None:
    item = parse_line("x" * 10_000)
    assert isinstance(item, EventItem) and len(item.message) < 4100


ERR = ErrorItem("bad_data", "line 3", "data")
CASES = [
    (ChildEnd(0, result={"a": 1}), Verdict.SUCCEEDED, None),
    (ChildEnd(0, result={"a": 1}, stop=StopReason.CANCEL), Verdict.SUCCEEDED, None),
    (ChildEnd(-15, stop=StopReason.CANCEL), Verdict.CANCELLED, None),
    (ChildEnd(-9, stop=StopReason.RELEASE), Verdict.RELEASED, None),
    (ChildEnd(-15, stop=StopReason.STALLED, stall_detail="x"), Verdict.RETRY, "stalled"),
    (ChildEnd(1, error=ERR), Verdict.FAILED, "bad_data"),
    (ChildEnd(0, result={"a": 1}, error=ERR), Verdict.FAILED, "bad_data"),
    (ChildEnd(0), Verdict.FAILED, "no_result"),
    (ChildEnd(-signal.SIGKILL), Verdict.RETRY, "killed_out_of_memory"),
    (ChildEnd(137), Verdict.RETRY, "killed_out_of_memory"),
    (ChildEnd(-signal.SIGSEGV), Verdict.RETRY, "child_signalled"),
    (ChildEnd(2, stderr_tail="Traceback"), Verdict.RETRY, "child_crashed"),
]


@pytest.mark.parametrize(("end", "verdict", "code"), CASES)
def test_exit_classification(end: ChildEnd, verdict: Verdict, code: str | None) -> None:
    outcome = classify(end)
    assert outcome.verdict == verdict
    assert (outcome.error.code if outcome.error else None) == code


def test_messages_say_what_to_do() -> None:
    killed = classify(ChildEnd(-9)).error
    assert killed is not None and "out of memory" in killed.message
    crashed = classify(ChildEnd(3, stderr_tail="ValueError: boom")).error
    assert crashed is not None and "exit code 3" in crashed.message
    assert "ValueError: boom" in crashed.message
    segv = classify(ChildEnd(-11)).error
    assert segv is not None and "SIGSEGV" in segv.message
