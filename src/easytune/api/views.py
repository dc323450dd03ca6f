"""What a caller may see of a job: server paths and the training child's stderr are for
admins; everyone else gets the classified message and the names, not where files live."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from easytune.db.models import Job, Role, User

STDERR_MARKER = "\nlast stderr lines:"  # easytune.jobs.outcome appends the tail after it
HIDDEN_PREFIX = ".../"  # a hidden path keeps its last part: the file name says enough


def redact_paths(value: Any) -> Any:
    """`value` with every absolute path cut to its last part (through dicts and lists)."""
    if isinstance(value, dict):
        return {k: redact_paths(v) for k, v in value.items()}
    if isinstance(value, list):
        return [redact_paths(v) for v in value]
    if isinstance(value, str) and value.startswith(("/", "~")) and len(value) > 1:
        return HIDDEN_PREFIX + PurePath(value).name
    return value


def without_stderr(message: str) -> str:
    """The classified message without the child's stderr tail."""
    return message.split(STDERR_MARKER, 1)[0]


def job_redactions(job: Job, viewer: User) -> dict[str, Any]:
    """Fields of the job's public view to replace for `viewer` (none for admins)."""
    if viewer.role == Role.ADMIN:
        return {}
    hidden: dict[str, Any] = {"spec": redact_paths(job.spec)}
    if job.error and isinstance(job.error.get("message"), str):
        hidden["error"] = {**job.error, "message": without_stderr(job.error["message"])}
    return hidden


def plan_for(plan: dict[str, Any], viewer: User) -> dict[str, Any]:
    """A resolved plan as `viewer` may see it."""
    return plan if viewer.role == Role.ADMIN else redact_paths(plan)


def event_for(event: dict[str, Any], viewer: User) -> dict[str, Any]:
    """A job event as `viewer` may see it."""
    if viewer.role == Role.ADMIN or not isinstance(event.get("message"), str):
        return event
    return {
        **event,
        "message": without_stderr(event["message"]),
        "data": _data(event),
        "params": _params(event.get("params")),
    }


def _params(params: Any) -> Any:
    """A coded event's params: an error message in them loses its stderr like `message`."""
    if not isinstance(params, dict) or not isinstance(params.get("message"), str):
        return params
    return {**params, "message": without_stderr(params["message"])}


def _data(event: dict[str, Any]) -> Any:
    data = event.get("data")
    if isinstance(data, dict):
        data = {k: v for k, v in data.items() if k not in {"stderr", "stderr_tail"}}
    return redact_paths(data)
