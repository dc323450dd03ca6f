"""A job's progress (`job.progress`) and its time left from the recent pace: a moving window of
(step, time) samples, not the run's average.

The run's average carries the model loading, the first evaluation and any early slow steps into
every later estimate ("1 h left" at step 3 of a 5-minute run); a short window follows the pace the
run has now and settles within two updates after the pace changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from easytune.db.base import utcnow
from easytune.db.models.jobs import Job
from easytune.jobs.progress import MetricItem, SourcedEvent

# Samples kept: two intervals, so a change of pace is fully reflected two updates later.
RATE_WINDOW = 3

Sample = tuple[int, float]  # (step, unix seconds)


def add_sample(samples: Sequence[Sequence[float]], step: int, at: float) -> list[list[float]]:
    """The window with (step, at) appended; a step that did not advance replaces nothing."""
    window = [list(s) for s in samples]
    if window and step <= window[-1][0]:
        return window
    window.append([step, at])
    return window[-RATE_WINDOW:]


def eta_seconds(samples: Sequence[Sequence[float]], step: int, total: int) -> float | None:
    """Seconds left at the window's pace; None until the window spans a step and some time."""
    if len(samples) < 2:
        return None
    (first_step, first_at), (last_step, last_at) = samples[0], samples[-1]
    steps, seconds = last_step - first_step, last_at - first_at
    if steps <= 0 or seconds <= 0:
        return None
    return max((total - step) * seconds / steps, 0.0)


def note_progress(
    job: Job,
    events: Sequence[SourcedEvent],
    metrics: Sequence[MetricItem],
    now: datetime | None = None,
) -> None:
    """Fold a batch into `job.progress`: total and start step from the "training started"
    event (an export's stage events carry stage and step), the newest train step and epoch
    from the metrics, and the recent-pace window."""
    now = now or utcnow()
    progress = dict(job.progress or {})
    for event in events:
        if "total_steps" in event.item.data:
            progress["total_steps"] = event.item.data["total_steps"]
            progress["start_step"] = event.item.data.get("start_step", 0)
            progress["step"] = progress["start_step"]
            progress["recent"] = add_sample([], progress["step"], now.timestamp())
        if "stage" in event.item.data:  # exports report named stages, not training steps
            progress["stage"] = event.item.data["stage"]
            progress["step"] = int(event.item.data.get("step", 0))
    train = [m for m in metrics if m.kind == "train"]
    if train:
        newest = max(train, key=lambda m: m.step)
        if newest.step >= progress.get("step", 0):
            progress["step"] = newest.step
            progress["epoch"] = newest.values.get("epoch")
            recent = progress.get("recent", [])
            progress["recent"] = add_sample(recent, newest.step, now.timestamp())
    if progress != (job.progress or {}):
        progress["updated_at"] = now.isoformat()
        job.progress = progress
